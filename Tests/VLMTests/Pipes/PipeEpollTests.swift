// SPDX-License-Identifier: Apache-2.0
import PlatformTestSupport
import Testing

/// `epoll` on the pipe device files through a real `vlm run` (issue 6 item 3:
/// "poll/select/epoll report readable, writable and hang-up"). Unlike `poll`
/// with a ready file, an epoll instance registered before the event only learns
/// of it through the driver's wake-ups (FUSE poll notifications): each check
/// registers first, then makes the event happen on another thread, then waits.
@Suite(
    "vlm run: epoll on vpipe and vbpipe", .timeLimit(.minutes(2)), .serialized,
    .enabled(if: VLMBinary.isBuilt && FUSEAvailability.shouldRun))
struct PipeEpollTests {
    /// Python: `watch(fd, mask)` registers in a new epoll; `wait(ep, timeout)`
    /// names the events it reports (`IN|HUP`), `-` for none.
    static let helpers = """
        IN, OUT, HUP, ERR, ET = select.EPOLLIN, select.EPOLLOUT, select.EPOLLHUP, select.EPOLLERR, select.EPOLLET
        def names(mask):
            return '|'.join(n for n, b in (('IN', IN), ('OUT', OUT), ('ERR', ERR), ('HUP', HUP)) if mask & b) or '-'
        def wait(ep, timeout=0):
            return ' '.join(names(e) for _, e in ep.poll(timeout)) or '-'
        def watch(fd, mask):
            ep = select.epoll(); ep.register(fd, mask); return ep

        """

    @Test("vpipe: epoll reports readable, writable, edge-triggered data and both hang-ups")
    func vpipe() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let outcome = try pipes.python(
                Self.helpers + """
                    R, W = 'vm2/dev/vpipe0', 'vm3/dev/vpipe0'
                    r = os.open(R, os.O_RDONLY | os.O_NONBLOCK)
                    w = os.open(W, os.O_WRONLY)
                    er, ew = watch(r, IN), watch(w, OUT)
                    print('idle', wait(er), wait(ew))
                    t = later(lambda: os.write(w, b'x')); print('readable', wait(er, 20)); t.join()
                    os.read(r, 10)
                    et = watch(r, IN | ET)  # edge-triggered: one report per arrival into an empty ring
                    edge = [wait(et)]
                    for data in (b'y', b'z'):
                        t = later(lambda: os.write(w, data)); edge.append(wait(et, 20)); t.join(); os.read(r, 10)
                    print('edge', *edge)
                    os.write(w, b'f' * 4088)
                    print('full', wait(ew), end=' ')
                    t = later(lambda: os.read(r, 100)); print(wait(ew, 20)); t.join()
                    os.read(r, 10000)
                    t = later(lambda: os.close(w)); print('writer closed', wait(er, 20), os.read(r, 10)); t.join()
                    w = os.open(W, os.O_WRONLY)
                    os.write(w, b'f' * 4088); ew = watch(w, OUT)
                    t = later(lambda: os.close(r)); print('reader closed', wait(ew, 20), err(lambda: os.write(w, b'x'))); t.join()
                    """)
            #expect(
                outcome.outputText == """
                    idle - OUT
                    readable IN
                    edge - IN IN
                    full - OUT
                    writer closed IN|HUP b''
                    reader closed ERR|HUP EPIPE

                    """, "\(outcome.standardError)")
        }
    }

    @Test("vbpipe: epoll reports readable and writable per direction, and the peer's close as IN|ERR|HUP")
    func vbpipe() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let outcome = try pipes.python(
                Self.helpers + """
                    fds = {}
                    t = later(lambda: fds.update(b=os.open('vm4/dev/vbpipe0', os.O_RDWR)))
                    a = os.open('vm3/dev/vbpipe0', os.O_RDWR); t.join(); b = fds['b']
                    print('idle', wait(watch(a, IN | OUT)), end=' ')
                    eb = watch(b, IN)
                    t = later(lambda: os.write(a, b'ping')); print(wait(eb, 20), os.read(b, 4)); t.join()
                    os.write(a, b'f' * 4080)  # fills the ring a → b
                    ea = watch(a, OUT)
                    print('full', wait(ea), end=' ')
                    t = later(lambda: os.read(b, 4080)); print(wait(ea, 20)); t.join()
                    ea = watch(a, IN)
                    t = later(lambda: os.close(b))
                    print('peer closed', wait(ea, 20), os.read(a, 10), err(lambda: os.write(a, b'x'))); t.join()
                    """)
            #expect(
                outcome.outputText == """
                    idle OUT IN b'ping'
                    full - OUT
                    peer closed IN|ERR|HUP b'' EPIPE

                    """, "\(outcome.standardError)")
        }
    }
}
