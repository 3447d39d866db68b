// SPDX-License-Identifier: Apache-2.0
import PlatformViews

extension ViewServer {
    /// Opens a file. Seq and control files build their snapshot now (seq_file style) and
    /// are served with `direct_io`, so a size of 0 still reads; they stay seekable like
    /// procfs files (stream mode would pin every read at offset 0). Devices are handed to
    /// their driver, which may answer later.
    func open(_ request: FUSERequest, _ number: UInt64, flags: OpenFlags) {
        guard let node = inodes.currentNode(number) else { return request.reply(.enoent) }
        switch node {
        case .directory: request.reply(.eisdir)
        case .symlink: request.reply(.einval)
        case .seqFile(let file): openSeqFile(request, file, flags: flags)
        case .controlFile(let file): openControlFile(request, file, flags: flags)
        case .device(let device): openDevice(request, device, flags: flags)
        }
    }

    private func openSeqFile(_ request: FUSERequest, _ file: SeqFile, flags: OpenFlags) {
        guard !flags.wantsWrite, file.permissions.allowsRead else { return request.reply(.eacces) }
        do {
            replyOpenContent(request, .content(try file.snapshot(), control: nil))
        } catch {
            request.reply(error)
        }
    }

    private func openControlFile(_ request: FUSERequest, _ file: ControlFile, flags: OpenFlags) {
        if flags.wantsWrite && !file.permissions.allowsWrite { return request.reply(.eacces) }
        if flags.wantsRead && !file.isReadable { return request.reply(.eacces) }
        do {
            let snapshot = flags.wantsRead ? try file.snapshot() : ViewSnapshot([])
            replyOpenContent(request, .content(snapshot, control: flags.wantsWrite ? file : nil))
        } catch {
            request.reply(error)
        }
    }

    private func replyOpenContent(_ request: FUSERequest, _ file: OpenFile) {
        let handle = openFiles.insert(file)
        if !request.replyOpen(handle: handle, directIO: true, nonSeekable: false) {
            _ = openFiles.remove(handle)
        }
    }

    private func openDevice(_ request: FUSERequest, _ device: DeviceFile, flags: OpenFlags) {
        if flags.wantsRead && !device.permissions.allowsRead { return request.reply(.eacces) }
        if flags.wantsWrite && !device.permissions.allowsWrite { return request.reply(.eacces) }
        let replier = FUSEReplier(request, server: self)
        let open = DeviceOpenRequest(flags: flags, responder: replier)
        replier.watch(open)
        throughGate(
            open, nonBlocking: open.isNonBlocking, park: { open.suspend() },
            serve: {
                device.driver.open(open)
                open.answerIfAbandoned()
            }
        )
    }

    /// Runs `serve` now, or later when the mount's device gate holds requests (a
    /// paused VM): see ``DeviceGate``.
    private func throughGate(
        _ request: some DeviceRequest, nonBlocking: Bool, park: () -> Void, serve: @escaping @Sendable () -> Void
    ) {
        guard let deviceGate else { return serve() }
        deviceGate.pass(request, nonBlocking: nonBlocking, park: park, serve: serve)
    }

    func read(_ request: FUSERequest, handle: UInt64, offset: Int, count: Int, flags: OpenFlags) {
        switch openFiles.file(handle) {
        case .content(let snapshot, _)?:
            // SAFETY: the snapshot's bytes are valid for the reply, which libfuse copies.
            unsafe snapshot.read(offset: offset, count: count).withUnsafeBytes { unsafe request.replyBytes($0) }
        case .device(let device)?:
            let replier = FUSEReplier(request, server: self)
            let read = DeviceReadRequest(count: count, flags: flags, responder: replier)
            replier.watch(read)
            throughGate(
                read, nonBlocking: read.isNonBlocking, park: { read.suspend() },
                serve: {
                    device.read(read)
                    read.answerIfAbandoned()
                }
            )
        case .directory?: request.reply(.eisdir)
        case nil: request.reply(.ebadf)
        }
    }

    func write(_ request: FUSERequest, handle: UInt64, bytes: UnsafeRawBufferPointer, flags: OpenFlags) {
        switch openFiles.file(handle) {
        case .content(_, let control?)?:
            do {
                // SAFETY: `bytes` live in libfuse's receive buffer for this call; the control file does not keep them.
                unsafe try control.accept(bytes)
                request.replyWritten(bytes.count)
            } catch {
                request.reply(error)
            }
        case .device(let device)?:
            let replier = FUSEReplier(request, server: self)
            // SAFETY: a device request that outlives the call copies `bytes` (DeviceWriteRequest.suspend).
            let write = unsafe DeviceWriteRequest(bytes: bytes, flags: flags, responder: replier)
            replier.watch(write)
            throughGate(
                write, nonBlocking: write.isNonBlocking, park: { write.suspend() },
                serve: {
                    device.write(write)
                    write.answerIfAbandoned()
                }
            )
            write.endBorrow()
        case .content?: request.reply(.eacces)
        case .directory?: request.reply(.eisdir)
        case nil: request.reply(.ebadf)
        }
    }

    /// The last close of an open file (or directory).
    func release(_ request: FUSERequest, handle: UInt64) {
        if case .device(let device)? = openFiles.remove(handle) {
            device.pollQueue.unregister(handle)
            device.release()
        }
        request.replySuccess()
    }

    /// Reports readiness; registers the poller first so a change right after the report
    /// still wakes it. Files other than devices are always ready (as the kernel reports
    /// for files without a poll method; answering ENOSYS would turn poll off for the
    /// whole mount).
    func poll(_ request: FUSERequest, handle: UInt64, waker: PollHandleWaker?) {
        guard case .device(let device)? = openFiles.file(handle) else {
            return request.replyPoll([.input, .output])
        }
        if let waker { device.pollQueue.register(waker, for: handle) }
        guard let deviceGate else { return request.replyPoll(device.pollEvents()) }
        request.replyPoll(deviceGate.pollEvents(device.pollQueue) { device.pollEvents() })
    }
}
