// SPDX-License-Identifier: Apache-2.0
import PlatformTestSupport
import Testing

/// The vbpipe read policies through a real `vlm run` of
/// `Tests/Fixtures/pipes/policy.dts` (VBPIPE(4D), manual lines 6406 and 6516):
/// with `a` ("wait only on empty") a blocking read returns what is there;
/// without it a blocking read gathers all `count` bytes, unless it is
/// non-blocking, interrupted (it returns what it gathered) or the writer leaves
/// (what it gathered, then EOF).
@Suite(
    "vlm run: vbpipe read policies", .timeLimit(.minutes(2)), .serialized,
    .enabled(if: VLMBinary.isBuilt && FUSEAvailability.shouldRun))
struct VBPipePolicyTests {
    @Test(
        "`a` returns what is there; without it a read waits for all count bytes, short only when non-blocking, interrupted or at the end"
    )
    func readPolicies() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir, config: PipePlatform.policyConfig)
            let outcome = try pipes.python(
                """
                import threading
                signal.signal(signal.SIGINT, lambda *a: None)  # no SA_RESTART: a blocked read is interrupted
                signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])  # the test runner may block it
                def taken():
                    return int(proc(3, 'vbpipe')[8])  # vm3's ReadBytes: what its reads took from the ring so far
                print(proc(2, 'vbpipe')[3], proc(3, 'vbpipe')[3])
                fds = {}
                t = later(lambda: fds.update(p=os.open('vm3/dev/vbpipe0', os.O_RDWR)))
                e = os.open('vm2/dev/vbpipe0', os.O_RDWR); t.join(); p = fds['p']
                os.write(p, b'abc'); print('a:', os.read(e, 10))
                got = {}
                t = later(lambda: got.update(x=os.read(p, 5)))
                os.write(e, b'xyz'); wait_for(lambda: taken() == 3)  # the read took them and wants 2 more
                waiting = t.is_alive(); os.write(e, b'de'); t.join()
                print('no a:', waiting, got['x'])
                os.write(e, b'pq'); os.set_blocking(p, False); print('no a, O_NONBLOCK:', os.read(p, 10)); os.set_blocking(p, True)
                main = threading.main_thread().ident
                os.write(e, b'st')
                t = later(lambda: (wait_for(lambda: taken() == 9), signal.pthread_kill(main, signal.SIGINT)))
                print('no a, SIGINT:', raw_read(p, 10)); t.join()
                os.write(e, b'uvw')
                t = later(lambda: (wait_for(lambda: taken() == 12), os.close(e)))
                print('no a, writer closed:', os.read(p, 10), os.read(p, 10)); t.join()
                os.close(p)
                wait_for(lambda: proc(2, 'vbpipe')[3:5] == ['Ea0', 'FFFF'] and proc(3, 'vbpipe')[3:5] == ['E.0', 'FFFF'])
                print(open('vm2/proc/nk/vbpipe').read().splitlines()[1])
                print(open('vm3/proc/nk/vbpipe').read().splitlines()[1])
                """)
            // vm3's Reads: xyzde, pq, st (interrupted, returned what it had) and uvw.
            #expect(
                outcome.outputText == """
                    Ea0 E.0
                    a: b'abc'
                    no a: True b'xyzde'
                    no a, O_NONBLOCK: b'pq'
                    no a, SIGINT: b'st'
                    no a, writer closed: b'uvw' b''
                     0  3  0 Ea0 FFFF  ff0    1     1          3     5         12
                     0  2  0 E.0 FFFF  ff0    1     4         12     1          3

                    """, "\(outcome.standardError)")
        }
    }
}
