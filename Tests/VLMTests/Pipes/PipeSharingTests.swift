// SPDX-License-Identifier: Apache-2.0
import PlatformTestSupport
import Testing

/// Several open files on one pipe device (issue 6 item 3: "several openers
/// share the device as the manual's counters say"). VPIPE(4D) and VBPIPE(4D):
/// only the first open handshakes and only the last close takes the ends OFF;
/// `U` counts the open files, `Opns` the transitions from closed to open
/// (manual lines 10722–10724, 6434–6436); read and write calls are serialised
/// (lines 11007, 6696), so one `write` never interleaves with another.
@Suite(
    "vlm run: several openers share a pipe device", .timeLimit(.minutes(2)), .serialized,
    .enabled(if: VLMBinary.isBuilt && FUSEAvailability.shouldRun))
struct PipeSharingTests {
    @Test("vpipe: readers and writers share one ring; EOF and EPIPE only after the last close; U and Opns count")
    func vpipe() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let outcome = try pipes.python(
                """
                R, W = 'vm2/dev/vpipe0', 'vm3/dev/vpipe0'
                def column(vm, name):
                    return proc(vm, 'vpipe')[{'EDU': 3, 'St': 4, 'Opns': 6}[name]]
                # two readers, one writer
                r1 = os.open(R, os.O_RDONLY | os.O_NONBLOCK); r2 = os.open(R, os.O_RDONLY | os.O_NONBLOCK)
                w = os.open(W, os.O_WRONLY)
                print('readers', column(2, 'EDU'), column(2, 'St'), column(2, 'Opns'))
                os.write(w, b'abc'); print(os.read(r1, 2), os.read(r2, 10))
                os.close(r1); wait_for(lambda: column(2, 'EDU') == 'ER1')
                print(os.write(w, b'd'), os.read(r2, 10))
                os.close(r2); wait_for(lambda: column(2, 'EDU') == 'ER0')
                print(err(lambda: os.write(w, b'e')))
                os.close(w); wait_for(lambda: column(3, 'EDU') == 'EW0')
                # two writers, one reader
                r = os.open(R, os.O_RDONLY | os.O_NONBLOCK)
                w1 = os.open(W, os.O_WRONLY); w2 = os.open(W, os.O_WRONLY)
                print('writers', column(3, 'EDU'), column(3, 'St'), column(3, 'Opns'))
                os.write(w1, b'one'); os.write(w2, b'two'); print(os.read(r, 10))
                os.close(w1); wait_for(lambda: column(3, 'EDU') == 'EW1')
                print(err(lambda: os.read(r, 10)), os.write(w2, b'!'), os.read(r, 10))
                os.close(w2); wait_for(lambda: column(3, 'EDU') == 'EW0')
                print(os.read(r, 10))
                os.close(r)
                settled = ('0 3 0 ER0 FF ff8 2 5 11 0 0 vpipe0', '0 2 0 EW0 FF ff8 2 0 0 5 11 vpipe0')
                wait_for(lambda: (' '.join(proc(2, 'vpipe')), ' '.join(proc(3, 'vpipe'))) == settled)
                print(open('vm2/proc/nk/vpipe').read().splitlines()[1])
                print(open('vm3/proc/nk/vpipe').read().splitlines()[1])
                """)
            // Reads/Wrtes count calls that moved bytes; the EAGAIN, EOF and EPIPE calls do not.
            #expect(
                outcome.outputText == """
                    readers ER2 OO 1
                    b'ab' b'c'
                    1 b'd'
                    EPIPE
                    writers EW2 OO 2
                    b'onetwo'
                    EAGAIN 1 b'!'
                    b''
                     0  3  0 ER0 FF  ff8    2     5         11     0          0 vpipe0
                     0  2  0 EW0 FF  ff8    2     0          0     5         11 vpipe0

                    """, "\(outcome.standardError)")
        }
    }

    @Test("vpipe: two writer processes through a small ring; every write arrives whole; EOF after the last writer")
    func concurrentWriters() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            // Records of 10000 bytes (> the 4088-byte ring): each write waits for room
            // several times, while the other writer's writes queue behind it.
            let record = 10000
            let count = 12
            func writer(_ tag: Int, rounds: Int) -> String {
                """
                fd = os.open('vm3/dev/vpipe0', os.O_WRONLY)
                # Both writers are in (once a write moved bytes, both were: this stays true).
                wait_for(lambda: proc(3, 'vpipe')[3] == 'EW2' or proc(3, 'vpipe')[10] != '0')
                for _ in range(\(count)): os.write(fd, bytes([\(tag)]) * \(record))
                if \(rounds) == 2:
                    wait_for(lambda: proc(3, 'vpipe')[3] == 'EW1')  # the other one closed
                    for _ in range(\(count)): os.write(fd, bytes([\(tag)]) * \(record))
                os.close(fd)
                """
            }
            let first = try pipes.startPython(writer(1, rounds: 1))
            let second = try pipes.startPython(writer(2, rounds: 2))
            let outcome = try pipes.python(
                """
                fd = os.open('vm2/dev/vpipe0', os.O_RDONLY); got = bytearray()
                while True:
                    d = os.read(fd, 65536)
                    if not d: break
                    got += d
                records = [bytes(got[i:i + \(record)]) for i in range(0, len(got), \(record))]
                whole = all(len(set(r)) == 1 and len(r) == \(record) for r in records)
                print(len(got), whole, sum(r[0] == 1 for r in records), sum(r[0] == 2 for r in records))
                print(all(r[0] == 2 for r in records[-\(count):]))
                """, timeout: 30)
            #expect(
                outcome.outputText == "\(3 * count * record) True \(count) \(2 * count)\nTrue\n",
                "\(outcome.standardError)")
            #expect(first.finish(timeout: 10).status == 0)
            #expect(second.finish(timeout: 10).status == 0)
        }
    }

    @Test("vbpipe: opens waiting for the other side count; a further open returns at once; all files share the link")
    func vbpipe() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let outcome = try pipes.python(
                """
                A, B = 'vm3/dev/vbpipe0', 'vm4/dev/vbpipe0'
                def fields(vm):
                    f = proc(vm, 'vbpipe'); return ' '.join([f[3], f[4], f[6]])  # EaU Stat Opns
                fds = {}
                t1 = later(lambda: fds.update(a1=os.open(A, os.O_RDWR)))
                t2 = later(lambda: fds.update(a2=os.open(A, os.O_RDWR)))
                print('waiting', wait_for(lambda: proc(3, 'vbpipe')[3] == 'E.2'), fds == {})
                b = os.open(B, os.O_RDWR); t1.join(); t2.join()
                print('up', fields(3), fields(4))
                t3 = later(lambda: fds.update(a3=os.open(A, os.O_RDWR))); t3.join(20)
                print('third open at once', 'a3' in fds, fields(3))
                os.write(b, b'xyz'); print(os.read(fds['a3'], 2), os.read(fds['a1'], 1))
                os.write(fds['a2'], b'pq'); print(os.read(b, 2))
                os.close(fds['a1']); os.close(fds['a2']); wait_for(lambda: proc(3, 'vbpipe')[3] == 'E.1')
                os.write(b, b'!'); print('one left', os.read(fds['a3'], 1))
                os.close(fds['a3']); wait_for(lambda: proc(3, 'vbpipe')[3] == 'E.0')
                print('all closed', os.read(b, 1), err(lambda: os.write(b, b'x')))
                """)
            #expect(
                outcome.outputText == """
                    waiting True True
                    up E.2 OOOO 1 E.1 OOOO 1
                    third open at once True E.3 OOOO 1
                    b'xy' b'z'
                    b'pq'
                    one left b'!'
                    all closed b'' EPIPE

                    """, "\(outcome.standardError)")
        }
    }
}
