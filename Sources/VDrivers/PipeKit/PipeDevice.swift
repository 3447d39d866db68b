// SPDX-License-Identifier: Apache-2.0
import Platform
public import PlatformViews
import Synchronization
public import VlinkLib

/// One pipe device node (`dev/vpipe0`, `dev/vbpipe0`): a reading channel, a
/// writing channel, or both (vbpipe), behind the `ex_open`/`ex_release` rules
/// of the manual (lines 10746–10798, 6462–6520):
///
/// - the first open attaches the xirq handlers and starts the vlinks (the
///   driver kit runs the handshake: `Vlink.start`); a
///   blocking open waits until the link is up (vbpipe: both links, so it
///   returns once the other side opened too), EINTR when interrupted;
/// - later opens only count; the last close detaches the handlers, stops the
///   vlinks (this VM's ends OFF) and sends `NK_XIRQ_SYSCONF` to the peer;
/// - opens and closes are serialised (the driver's `olock`, lines 6696 and
///   11007): a last close and the next first open, served by two FUSE threads
///   at once, run one after the other, so the device never ends up counted
///   open with its ends OFF (a close that finished after the open).
public final class PipeDevice: DeviceFileDriver, VDevice, Sendable {
    /// Which access modes `open` accepts.
    public enum Access: Sendable {
        /// vpipe server: `O_RDONLY` only, else EACCES.
        case readOnly
        /// vpipe client: `O_WRONLY` only, else EACCES.
        case writeOnly
        /// vbpipe: any.
        case any
    }

    struct OpenState {
        var count = 0
        var opens: UInt32 = 0
        var waiting: [DeviceOpenRequest] = []
        var handlers: [NkXIrqId] = []
    }

    /// What /proc/nk shows about a device, resources or not.
    public struct Links: Sendable {
        /// My server end (the vlink I read), if any.
        public var reading: VlinkEndpoint?
        /// My client end (the vlink I write), if any.
        public var writing: VlinkEndpoint?
        /// Bytes of `ring[]` per ring.
        public var dataSize: Int
        /// vbpipe `a` flag.
        public var waitOnlyOnEmpty = false
    }

    /// The node name in `dev/`.
    public let name: String
    /// The vlinks behind the device.
    public let links: Links
    /// The minor number.
    public let minor: Int
    public let access: Access
    let reader: ReaderChannel?
    let writer: WriterChannel?
    /// All resources were allocated (`E` in /proc); otherwise opens fail with ENXIO.
    public let enabled: Bool
    let nkddi: NKDDI?
    public let pollQueue = PollWaitQueue()
    private let openState = Mutex(OpenState())

    init(
        name: String, minor: Int, access: Access, links: Links, reader: ReaderChannel?, writer: WriterChannel?,
        nkddi: NKDDI?
    ) {
        self.name = name
        self.links = links
        self.minor = minor
        self.access = access
        self.reader = reader
        self.writer = writer
        self.nkddi = nkddi
        self.enabled =
            switch access {
            case .readOnly: reader != nil
            case .writeOnly: writer != nil
            case .any: reader != nil && writer != nil
            }
    }

    /// Files open on the device now (`U` in /proc).
    public var openCount: Int { openState.withLock { $0.count } }

    /// The `ExDev` statistics.
    public var statistics: PipeStatistics {
        var stats = PipeStatistics()
        stats.opens = openState.withLock { $0.opens }
        if let (reads, bytes) = reader?.statistics {
            stats.reads = reads
            stats.readBytes = bytes
        }
        if let (writes, bytes) = writer?.statistics {
            stats.writes = writes
            stats.writtenBytes = bytes
        }
        return stats
    }

    // MARK: open / release

    public func open(_ request: DeviceOpenRequest) {
        guard enabled, let nkddi else {
            _ = request.fail(.enxio)
            return
        }
        switch (access, request.flags.accessMode) {
        case (.readOnly, .readOnly), (.writeOnly, .writeOnly), (.any, _): break
        default:
            _ = request.fail(.eacces)
            return
        }
        openState.withLock { state in
            state.count += 1
            guard state.count == 1 else { return }
            state.opens += 1
            state.handlers = firstOpen(nkddi)
        }
        if request.isNonBlocking || isReady {
            if !request.complete(with: PipeHandle(device: self)) { release() }
            return
        }
        openState.withLock { $0.waiting.append(request.suspend()) }
        request.onCancel { [self] in
            let removed = openState.withLock { state in
                guard let index = state.waiting.firstIndex(where: { $0 === request }) else { return false }
                state.waiting.remove(at: index)
                return true
            }
            if removed { release() }
        }
        serveOpens()  // the link may have come up meanwhile
    }

    /// The close of one open file (or an open that did not complete); the last
    /// one tears down under the open lock (see `open`).
    func release() {
        openState.withLock { state in
            state.count -= 1
            guard state.count == 0, let nkddi else { return }
            lastClose(nkddi, handlers: state.handlers)
            state.handlers = []
        }
    }

    /// `ex_open`'s first open: attaches the xirq handlers, starts the handshake.
    /// Called with the open lock held. Returns the handler ids.
    private func firstOpen(_ nkddi: NKDDI) -> [NkXIrqId] {
        var ids: [NkXIrqId] = []
        if let reader {
            ids.append(nkddi.nk_xirq_attach(reader.xirqs.own, { [self] _, _ in dataArrived() }, nil))
        }
        if let writer {
            ids.append(nkddi.nk_xirq_attach(writer.xirqs.own, { [self] _, _ in roomFreed() }, nil))
        }
        Vlink.announce(vlinks.filter { $0.start() })
        return ids
    }

    /// `ex_release`'s last close: detaches the handlers (waiting for one that
    /// runs: it never takes the open lock), takes my ends OFF, tells the peer.
    /// Called with the open lock held.
    private func lastClose(_ nkddi: NKDDI, handlers: [NkXIrqId]) {
        for id in handlers { nkddi.nk_xirq_detach(id) }
        Vlink.announce(vlinks.filter { $0.stop() })
    }

    /// The vlinks of my channels (reading first).
    private var vlinks: [Vlink] { [reader?.vlink, writer?.vlink].compactMap { $0 } }

    /// Every channel may carry data: a blocking open may return.
    private var isReady: Bool {
        (reader?.isReadyForOpen ?? true) && (writer?.isReadyForOpen ?? true)
    }

    private func serveOpens() {
        guard isReady else { return }
        let ready = openState.withLock { state in
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for request in ready where !request.complete(with: PipeHandle(device: self)) {
            release()
        }
    }
}

extension PipeDevice {
    // MARK: xirqs

    /// The reader's xirq: the writer published data.
    func dataArrived() {
        if let reader { apply(reader.serveIfWaiting(), peerOf: reader) }
        wakePollers()
    }

    /// The writer's xirq: the reader freed room.
    func roomFreed() {
        if let writer { apply(writer.serveIfWaiting(), peerOf: writer) }
        wakePollers()
    }

    /// `NK_XIRQ_SYSCONF`, after the driver kit re-ran the handshakes: every
    /// waiting request (they abort when the peer is no longer ON) and open.
    func sysconf() {
        if let reader { apply(reader.serve(), peerOf: reader) }
        if let writer { apply(writer.serve(), peerOf: writer) }
        serveOpens()
        wakePollers()
    }

    func wakePollers() {
        if pollQueue.hasWaiters { pollQueue.wakeAll() }
    }

    /// Does what a reading or writing channel asked for: the peer's xirq, a
    /// handshake (announced with SYSCONF when my state word changed).
    func apply(_ effects: ChannelEffects, peerOf channel: some RingChannel) {
        if effects.notify { nkddi?.nk_xirq_trigger(channel.xirqs.peer, channel.endpoint.peer) }
        if effects.settle && channel.vlink.settle() { channel.vlink.announce() }
    }
}

extension PipeDevice {
    /// Publishes the node in `dev/`.
    func publish(in dev: ViewDirectory) {
        dev.add(name, .device(DeviceFile(permissions: .device, driver: self)))
    }
}
