// SPDX-License-Identifier: Apache-2.0
import PlatformTestSupport
import Testing

/// vpipe and vbpipe through a real `vlm run` (issue 6 items 3–4): Unix-pipe
/// semantics of the device files in `DIR/vm<N>/dev`, driven from the host with
/// shell tools and Python, and the `/proc/nk` counters they leave.
@Suite(
    "vlm run: vpipe and vbpipe semantics", .serialized, .enabled(if: VLMBinary.isBuilt && FUSEAvailability.shouldRun))
struct PipeEndToEndTests {
    @Test("echo, cat and dd carry bytes from one VM to another, byte for byte")
    func shellTools() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let echo = try pipes.sh(
                "cat vm2/dev/vpipe0 > ../got & sleep 0.3; echo hello > vm3/dev/vpipe0; wait; cat ../got")
            #expect(echo.outputText == "hello\n")
            let dd = try pipes.sh(
                """
                head -c 3000000 /dev/urandom > ../src
                cat vm3/dev/vpipe1 > ../got & sleep 0.3
                dd if=../src of=vm2/dev/vpipe1 bs=64K 2>/dev/null; wait
                cmp ../src ../got && echo same
                """)
            #expect(dd.outputText == "same\n", "\(dd.standardError)")
        }
    }

    @Test(
        "vbpipe: writes and reads far larger than the ring complete (the wait flags are raised after partial progress)")
    func vbpipeLargeTransfers() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            // Before the fix the writer waited with c_wait low once it had filled the ring: a stall after 4080 bytes.
            let outcome = try pipes.sh(
                """
                head -c 3000000 /dev/urandom > ../src
                dd if=vm4/dev/vbpipe0 of=../got bs=1M 2>/dev/null &
                dd if=../src of=vm3/dev/vbpipe0 bs=256K 2>/dev/null; wait
                cmp ../src ../got && echo same
                """, timeout: 30)
            #expect(!outcome.timedOut && outcome.outputText == "same\n", "\(outcome.standardError)")
        }
    }

    @Test("vpipe: the client end only writes, the server end only reads (EACCES)")
    func vpipeDirection() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let outcome = try pipes.python(
                """
                N = os.O_NONBLOCK
                print(err(lambda: os.open('vm2/dev/vpipe0', os.O_WRONLY | N)),
                      err(lambda: os.open('vm3/dev/vpipe0', os.O_RDONLY | N)),
                      err(lambda: os.open('vm3/dev/vpipe0', os.O_RDWR | N)),
                      err(lambda: os.open('vm2/dev/vpipe0', os.O_RDWR | N)))
                """)
            #expect(outcome.outputText == "EACCES EACCES EACCES EACCES\n", "\(outcome.standardError)")
        }
    }

    @Test("a blocking read waits for data; O_NONBLOCK gives EAGAIN; EOF once the writer closed and the ring drained")
    func readRules() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            // The writer writes only once the reader is open (U=1 in its /proc line), and
            // its second chunk only after the reader saw EAGAIN (a marker file): no step
            // depends on how fast either process runs. A read that did not wait would
            // return b'' or an error, not the late bytes.
            let writer = try pipes.startPython(
                """
                w = os.open('vm3/dev/vpipe0', os.O_WRONLY)
                wait_for(lambda: proc(2, 'vpipe')[3] == 'ER1'); time.sleep(0.3); os.write(w, b'late')
                wait_for(lambda: os.path.exists('../saw-eagain')); os.write(w, b'more'); os.close(w)
                """)
            let outcome = try pipes.python(
                """
                r = os.open('vm2/dev/vpipe0', os.O_RDONLY)
                first = os.read(r, 100)
                os.set_blocking(r, False)
                print(first, err(lambda: os.read(r, 100)))
                open('../saw-eagain', 'w').close()
                os.set_blocking(r, True)
                print(os.read(r, 100), os.read(r, 100))
                """)
            #expect(outcome.outputText == "b'late' EAGAIN\nb'more' b''\n", "\(outcome.standardError)")
            #expect(writer.finish().status == 0)
        }
    }

    @Test("non-blocking writes up to the ring size are all or nothing, larger ones partial; EPIPE without a reader")
    func writeRules() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let outcome = try pipes.python(
                """
                print(err(lambda: os.write(os.open('vm3/dev/vpipe0', os.O_WRONLY | os.O_NONBLOCK), b'x')))
                r = os.open('vm2/dev/vpipe0', os.O_RDONLY | os.O_NONBLOCK)
                w = os.open('vm3/dev/vpipe0', os.O_WRONLY)
                os.set_blocking(w, False)
                print(os.write(w, b'a' * 4000), err(lambda: os.write(w, b'b' * 100)), os.write(w, b'c' * 5000))
                print(err(lambda: os.write(w, b'd')), len(os.read(r, 10000)))
                os.close(r); wait_for(lambda: proc(2, 'vpipe')[3] == 'ER0')  # close(2) returns before the driver's release
                print(err(lambda: os.write(w, b'e')))
                """)
            // 0xff8 = 4088 data bytes: 4000 fit, 100 do not, 88 of 5000 do.
            #expect(outcome.outputText == "EPIPE\n4000 EAGAIN 88\nEAGAIN 4088\nEPIPE\n", "\(outcome.standardError)")
        }
    }

    @Test("poll and select report readable, writable and hang-up")
    func pollEvents() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let outcome = try pipes.python(
                """
                def ev(fd, mask):
                    p = select.poll(); p.register(fd, mask)
                    r = p.poll(200)
                    return r[0][1] if r else 0
                IN, OUT, HUP, ERR = select.POLLIN, select.POLLOUT, select.POLLHUP, select.POLLERR
                r = os.open('vm2/dev/vpipe0', os.O_RDONLY | os.O_NONBLOCK)
                w = os.open('vm3/dev/vpipe0', os.O_WRONLY)
                print(ev(r, IN) == 0, ev(w, OUT) == OUT)
                os.write(w, b'x' * 4088)
                print(ev(r, IN) == IN, ev(w, OUT) == 0, select.select([r], [w], [], 0.2) == ([r], [], []))
                os.read(r, 10)
                print(ev(w, OUT) == OUT)
                os.close(w); wait_for(lambda: proc(3, 'vpipe')[3] == 'EW0')  # close(2) returns before the driver's release
                print(ev(r, IN) & (IN | HUP) == IN | HUP)
                os.read(r, 10000)
                w = os.open('vm3/dev/vpipe0', os.O_WRONLY)
                os.close(r); wait_for(lambda: proc(2, 'vpipe')[3] == 'ER0')
                print(ev(w, OUT) & (ERR | HUP) == ERR | HUP)
                """)
            #expect(outcome.outputText == "True True\nTrue True True\nTrue\nTrue\nTrue\n", "\(outcome.standardError)")
        }
    }

    @Test("SIGINT on a blocked open, read or write ends it: EINTR, or the count written")
    func interrupts() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let outcome = try pipes.python(
                """
                import threading
                signal.signal(signal.SIGINT, lambda *a: None)  # no SA_RESTART: the call returns EINTR
                signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])  # the test runner may block it
                def interrupted(f, blocked):
                    # Each call below can only end through a signal (no peer, no data, no room
                    # will come). SIGINT every 0.1 s once it is blocked, until it returns: one
                    # sent before the call entered the kernel only runs the handler.
                    done = threading.Event(); main = threading.main_thread().ident
                    def ring():
                        wait_for(blocked)
                        while not done.wait(0.1): signal.pthread_kill(main, signal.SIGINT)
                    t = later(ring); r = f(); done.set(); t.join()
                    return r
                print(interrupted(lambda: raw_open('vm3/dev/vbpipe0', os.O_RDWR), lambda: proc(3, 'vbpipe')[3] == 'E.1'))
                w = os.open('vm3/dev/vpipe0', os.O_WRONLY | os.O_NONBLOCK)
                r = os.open('vm2/dev/vpipe0', os.O_RDONLY)
                print(interrupted(lambda: raw_read(r, 10), lambda: True))
                os.close(w); w = os.open('vm3/dev/vpipe0', os.O_WRONLY)
                print(interrupted(lambda: raw_write(w, b'z' * 10000), lambda: proc(3, 'vpipe')[10] == '4088'))
                """)
            #expect(outcome.outputText == "EINTR\nEINTR\n4088\n", "\(outcome.standardError)")
        }
    }

    @Test("vbpipe: open blocks until the other side opens, in both directions; bytes go both ways")
    func vbpipeOpen() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            for (first, second) in [(3, 4), (4, 3)] {
                // Closes are asynchronous (FUSE release): start when both sides are closed and OFF.
                #expect(waitUntil { [3, 4].allSatisfy { pipes.procLine($0, "vbpipe").contains(" E.0 FFFF ") } })
                // The second side opens only once the first side's open is under way (U=1 in
                // its /proc line); the first open returning with the second side counted
                // open too shows it waited for it, however fast either process runs.
                let late = try pipes.startPython(
                    """
                    wait_for(lambda: proc(\(first), 'vbpipe')[3] == 'E.1'); time.sleep(0.3)
                    fd = os.open('vm\(second)/dev/vbpipe0', os.O_RDWR)
                    os.write(fd, b'ping'); print(os.read(fd, 4)); os.close(fd)
                    """)
                let outcome = try pipes.python(
                    """
                    fd = os.open('vm\(first)/dev/vbpipe0', os.O_RDWR)
                    print(proc(\(second), 'vbpipe')[3], os.read(fd, 4)); os.write(fd, b'pong'); time.sleep(0.3)
                    """)
                #expect(outcome.outputText == "E.1 b'ping'\n", "\(outcome.standardError)")
                #expect(late.finish().outputText == "b'pong'\n")
            }
        }
    }

    @Test("/proc/nk/vpipe and /proc/nk/vbpipe show live link states and exact counters")
    func procCounters() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let vpipe = try pipes.python(
                """
                r = os.open('vm2/dev/vpipe0', os.O_RDONLY | os.O_NONBLOCK)
                w = os.open('vm3/dev/vpipe0', os.O_WRONLY)
                os.write(w, b'hello'); os.write(w, b'world!'); time.sleep(0.1)
                print(os.read(r, 100), err(lambda: os.read(r, 100)))
                print(open('vm3/proc/nk/vpipe').read().splitlines()[1])
                print(open('vm2/proc/nk/vpipe').read().splitlines()[1])
                """)
            #expect(
                vpipe.outputText == """
                    b'helloworld!' EAGAIN
                     0  2  0 EW1 OO  ff8    1     0          0     2         11 vpipe0
                     0  3  0 ER1 OO  ff8    1     1         11     0          0 vpipe0

                    """, "\(vpipe.standardError)")
            expectSettled(
                pipes, "vpipe",
                [
                    3: " 0  2  0 EW0 FF  ff8    1     0          0     2         11 vpipe0",
                    2: " 0  3  0 ER0 FF  ff8    1     1         11     0          0 vpipe0",
                ])
            let vbpipe = try pipes.python(
                """
                import threading
                fds = {}
                t = threading.Thread(target=lambda: fds.update(b=os.open('vm4/dev/vbpipe0', os.O_RDWR))); t.start()
                a = os.open('vm3/dev/vbpipe0', os.O_RDWR); t.join(); b = fds['b']
                os.write(a, b'ping'); print(os.read(b, 4)); os.write(b, b'pong!'); print(os.read(a, 5))
                print(open('vm3/proc/nk/vbpipe').read().splitlines()[1])
                """)
            #expect(
                vbpipe.outputText == """
                    b'ping'
                    b'pong!'
                     0  4  0 E.1 OOOO  ff0    1     1          5     1          4

                    """, "\(vbpipe.standardError)")
            expectSettled(
                pipes, "vbpipe",
                [
                    3: " 0  4  0 E.0 FFFF  ff0    1     1          5     1          4",
                    4: " 0  3  0 E.0 FFFF  ff0    1     1          4     1          5",
                ])
        }
    }

    /// After the last close each end goes OFF and tells its peer with a SYSCONF: the
    /// `/proc/nk/<driver>` lines settle a moment later (RESET may show meanwhile).
    func expectSettled(_ pipes: PipePlatform, _ driver: String, _ lines: [Int: String]) {
        _ = waitUntil { lines.allSatisfy { pipes.procLine($0.key, driver) == $0.value } }
        for (vm, line) in lines { #expect(pipes.procLine(vm, driver) == line, "vm\(vm)") }
    }
}
