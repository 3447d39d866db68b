// SPDX-License-Identifier: Apache-2.0
import CFuse3
import PlatformSys
public import PlatformViews
import Synchronization

/// A view tree served through FUSE at a directory, until ``unmount()``.
///
/// ```swift
/// let root = ViewDirectory()
/// root.makeDirectories("proc/nk").add("id", .seqFile(SeqFile(text: { "3\n" })))
/// let mount = try ViewMount(root, at: "/run/vlm/demo/vm3")
/// defer { mount.unmount() }
/// ```
///
/// The session loop runs on its own thread (libfuse's multi-threaded loop, see
/// ``ViewMountOptions/maxThreads``). The mount disappears when this process dies, however
/// it dies (`auto_unmount`).
public final class ViewMount: Sendable {
    /// Where the tree is mounted.
    public let mountPoint: String
    private let server: ViewServer
    private let session: Session
    private let loop: FUSESupport.Thread
    /// The `fusermount3` that mounted us and, with `auto_unmount`, watches for our death.
    private let channel: FusermountChannel
    private let stopped = Mutex(false)

    /// A libfuse session pointer, used by the loop thread and by `unmount`.
    @safe private struct Session: @unchecked Sendable {
        let raw: OpaquePointer
    }

    /// Mounts `root` at `mountPoint` (an existing, empty directory) and starts serving.
    /// - Throws: ``ViewMountError`` when the session or the mount fails.
    public init(_ root: ViewDirectory, at mountPoint: String, options: ViewMountOptions = .init())
        throws(ViewMountError)
    {
        let stopPipe: (read: Int32, write: Int32)
        do { stopPipe = try FUSESupport.makeStopPipe() } catch { throw .system("\(error)") }
        let server = ViewServer(
            root: root, owner: FUSESupport.currentOwner(), mountTime: FUSESupport.now(), stopPipe: stopPipe,
            deviceGate: options.deviceGate)
        let raw: OpaquePointer
        // SAFETY: the session pointer is owned by this mount from here on and destroyed only in unmount().
        do {
            unsafe raw = try unsafe Self.makeSession(server, options: options)
            self.channel = try unsafe Self.mount(raw, at: mountPoint, server: server, options: options)
            let session = unsafe Session(raw: raw)
            self.loop = try Self.startLoop(session, options: options)
        } catch {
            FUSESupport.closeDescriptor(stopPipe.read)
            FUSESupport.closeDescriptor(stopPipe.write)
            throw error
        }
        self.mountPoint = mountPoint
        self.server = server
        // SAFETY: the session made above, owned by this mount until unmount().
        self.session = unsafe Session(raw: raw)
    }

    deinit {
        unmount()
    }

    /// Unmounts and stops serving; returns when no thread serves any more. Processes
    /// still holding files open get ECONNABORTED (later calls ENOTCONN); answers drivers give later are dropped.
    /// Calling it again does nothing.
    public func unmount() {
        guard
            stopped.withLock({ stopped in
                defer { stopped = true }
                return !stopped
            })
        else { return }
        let detached = FUSESupport.detachMount(mountPoint)
        FUSESupport.signalStop(server.stopPipe.write)
        loop.join()
        server.gate.close()
        // Without the right to umount2 (not root), through fusermount3.
        if !detached { _ = FusermountChannel.unmount(mountPoint) }
        // SAFETY: no thread uses the session any more; closing its device aborts the
        // connection, so requests still in flight end with ECONNABORTED.
        unsafe fuse_session_destroy(session.raw)
        channel.release()
        FUSESupport.closeDescriptor(server.stopPipe.read)
        FUSESupport.closeDescriptor(server.stopPipe.write)
        // SAFETY: balances the passRetained of makeSession; nothing reads the user data now.
        unsafe Unmanaged.passUnretained(server).release()
    }

    private static func makeSession(_ server: ViewServer, options: ViewMountOptions) throws(ViewMountError)
        -> OpaquePointer
    {
        var arguments = ["vlm", "-o", options.optionString]
        if options.debug { arguments.append("-d") }
        var ops = LowLevelOps.table()
        // SAFETY: +1 reference owned by the session, released in unmount (or below).
        let userdata = unsafe Unmanaged.passRetained(server).toOpaque()
        let session = unsafe withCArguments(arguments) { argc, argv in
            var args = unsafe fuse_args(argc: argc, argv: argv, allocated: 0)
            // SAFETY: libfuse copies the ops table and parses (copying) the arguments.
            defer { unsafe fuse_opt_free_args(&args) }
            return unsafe fuse_session_new(&args, &ops, MemoryLayout<fuse_lowlevel_ops>.size, userdata)
        }
        guard let session = unsafe session else {
            unsafe Unmanaged.passUnretained(server).release()  // SAFETY: balances the retain above.
            throw .sessionFailed
        }
        return unsafe session
    }

    /// Mounts through our own `fusermount3` (``FusermountChannel``: libfuse's would inherit
    /// every descriptor of this process) and hands the device to the session as `/dev/fd/N`.
    private static func mount(
        _ session: OpaquePointer, at path: String, server: ViewServer, options: ViewMountOptions
    ) throws(ViewMountError) -> FusermountChannel {
        func fail(_ error: ViewMountError, _ channel: FusermountChannel?) -> ViewMountError {
            if let channel {
                if !FUSESupport.detachMount(path) { _ = FusermountChannel.unmount(path) }
                channel.release()
            }
            unsafe fuse_session_destroy(session)  // SAFETY: no loop runs; closes the device it owns.
            unsafe Unmanaged.passUnretained(server).release()  // SAFETY: the session is gone.
            return error
        }
        guard let channel = try? FusermountChannel.mount(path, options: options.optionString) else {
            throw fail(.mountFailed(path: path), nil)
        }
        // SAFETY: the session is live; the path is bridged for the call. The session owns the device from here.
        guard unsafe fuse_session_mount(session, "/dev/fd/\(channel.device)") == 0 else {
            FUSESupport.closeDescriptor(channel.device)
            throw fail(.mountFailed(path: path), channel)
        }
        var io = StreamOpenIO.io()
        let device = unsafe fuse_session_fd(session)
        // SAFETY: libfuse copies the table; the device stays the session's.
        guard FUSESupport.setNonBlocking(device), unsafe fuse_session_custom_io(session, &io, device) == 0 else {
            throw fail(.system("cannot install the device I/O"), channel)
        }
        return channel
    }

    private static func startLoop(_ session: Session, options: ViewMountOptions) throws(ViewMountError)
        -> FUSESupport.Thread
    {
        let idle = UInt32(max(1, options.maxIdleThreads))
        do {
            return try FUSESupport.startThread {
                // FUSE_USE_VERSION 35 (CFuse3/shim.h) selects the 3.2 loop configuration:
                // libfuse caps the threads at its default of 10.
                var config = fuse_loop_config(clone_fd: 0, max_idle_threads: idle)
                // SAFETY: the session outlives the loop (unmount joins this thread first).
                _ = unsafe fuse_session_loop_mt_32(session.raw, &config)
            }
        } catch {
            throw .system("\(error)")
        }
    }
}

/// Calls `body` with a C `argv` for `arguments`, valid during the call.
private func withCArguments<R>(
    _ arguments: [String], _ body: (Int32, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> R
) -> R {
    // SAFETY: each string is copied into memory owned here, freed after `body`.
    let pointers: [UnsafeMutablePointer<CChar>?] = unsafe arguments.map { argument in
        let bytes = Array(argument.utf8CString)
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        unsafe copy.initialize(from: bytes, count: bytes.count)
        return unsafe copy
    }
    defer { for index in unsafe pointers.indices { unsafe pointers[index]?.deallocate() } }
    var argv = unsafe pointers + [nil]
    return unsafe argv.withUnsafeMutableBufferPointer { unsafe body(Int32(arguments.count), $0.baseAddress!) }
}
