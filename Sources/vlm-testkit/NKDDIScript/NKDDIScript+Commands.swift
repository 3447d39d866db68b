// SPDX-License-Identifier: Apache-2.0
import Platform
import Synchronization

extension NKDDIScript {
    func resources(_ head: String, _ a: [String], _ n: [UInt64?]) -> String? {
        func arg(_ i: Int) -> UInt64? { i < n.count ? n[i] : nil }
        switch head {
        case "vlink":
            guard let p = vlinkAddress(a[0]), let r = nk.pointer(nk.nk_ptov(p)) else { return nil }
            let w = (0..<7).map { r.advanced(by: 16 + 4 * $0).load32() }
            let name = String(decoding: r.loadBytes(count: 16).prefix { $0 != 0 }, as: UTF8.self)
            let info = nk.pointer(nk.nk_ptov(NkPhAddr(w[3])))!
            let s = info.region.loadCString(info.offset, limit: 256)
            return "\(name) link=\(w[0]) s=\(w[1])/\(w[2]) c=\(w[4])/\(w[5]) s_info=\(s)"
        case "vlinkstate":
            guard a.count == 3, let p = vlinkAddress(a[0]), let st = arg(2), let r = nk.pointer(nk.nk_ptov(p)) else {
                return nil
            }
            r.advanced(by: a[1] == "s" ? 24 : 36).store32(UInt32(st))
            return "ok"
        case "pmem", "pdev":
            guard a.count == 3, let v = vlinkAddress(a[0]), let id = arg(1), let size = arg(2) else { return nil }
            let p =
                head == "pmem"
                ? nk.nk_pmem_alloc(v, NkResourceId(id), size) : nk.nk_pdev_alloc(v, NkResourceId(id), size)
            return Self.hex(p)
        case "pxirq":
            guard a.count == 4, let v = vlinkAddress(a[0]), let id = arg(1), let os = arg(2), let nb = arg(3) else {
                return nil
            }
            return "\(nk.nk_pxirq_alloc(v, NkResourceId(id), NkOsId(os), Int32(nb)))"
        case "map":
            guard a.count == 2, let p = arg(0), let size = arg(1) else { return nil }
            let v = nk.nk_mem_map(p, size)
            defer { if v != 0 { nk.nk_mem_unmap(v, p, size) } }
            return v == 0 ? "0" : "ok vtop=\(Self.hex(nk.nk_vtop(v)))"
        case "ptov":
            guard let p = arg(0) else { return nil }
            let v = nk.nk_ptov(p)
            return "\(Self.hex(UInt64(v))) roundtrip=\(nk.nk_vtop(v) == p)"
        default:
            return atomics(head, a, n)
        }
    }

    func atomics(_ head: String, _ a: [String], _ n: [UInt64?]) -> String? {
        guard let first = a.first, let v = word(first) else { return nil }
        let val = a.count > 1 ? n[1].map { UInt32(truncatingIfNeeded: $0) } : nil
        switch (head, val) {
        case ("load", _): return Self.hex(UInt64(nk.pointer(v)!.load32()))
        case ("add", let x?): nk.nk_atomic_add(v, x)
        case ("sub", let x?): nk.nk_atomic_sub(v, x)
        case ("set", let x?): nk.nk_atomic_set(v, x)
        case ("clear", let x?): nk.nk_atomic_clear(v, x)
        case ("subtest", let x?): return Self.hex(UInt64(nk.nk_sub_and_test(v, x)))
        case ("cleartest", let x?): return Self.hex(UInt64(nk.nk_clear_and_test(v, x)))
        case ("waitword", let x?): return waitFor { nk.pointer(v)!.load32() == x }
        default: return nil
        }
        return Self.hex(UInt64(nk.pointer(v)!.load32()))
    }

    func properties(_ head: String, _ a: [String], _ n: [UInt64?]) -> String? {
        switch (head, a.count) {
        case ("propget", 2):
            guard let max = n[1] else { return nil }
            var buf = [UInt8](repeating: 0, count: Int(max))
            let r = nk.nk_prop_get(a[0], &buf, UInt32(max))
            return r < 0 ? "\(r)" : "\(r) \(buf.prefix(Int(r)).map { String($0) }.joined(separator: ","))"
        case ("propset", 2):
            let bytes = Array(a[1].utf8)
            return "\(nk.nk_prop_set(a[0], bytes, UInt32(bytes.count)))"
        case ("propsetb", 2):  // binary value: decimal bytes as `propget` prints them (`3` or `1,0,0,0`)
            let bytes = a[1].split(separator: ",").map { UInt8($0) }
            guard !bytes.contains(nil) else { return nil }
            return "\(nk.nk_prop_set(a[0], bytes.map { $0! }, UInt32(bytes.count)))"
        case ("propenum", 0):
            var out: [String] = []
            var name = [UInt8](repeating: 0, count: 64)
            var attr: NkPropAttr = 0
            var pid: UInt32 = 0
            while true {
                let r = nk.nk_prop_enum(pid, &name, 64, &attr)
                if r < 0 { return (out + ["end=\(r)"]).joined(separator: " ") }
                out.append("\(String(decoding: name.prefix { $0 != 0 }, as: UTF8.self)):\(Self.hex(UInt64(attr))):\(r)")
                pid += 1
            }
        case ("version", 0):
            var major: UInt32 = 0
            var minor: UInt32 = 0
            let r = nk.nk_hv_version_get(&major, &minor)
            return "\(r) \(major).\(minor)"
        case ("start", 1), ("stop", 1), ("suspend", 1), ("resume", 1):
            guard let os = n[0].map({ NkOsId($0) }) else { return nil }
            switch head {
            case "start": nk.nk_start(os)
            case "stop": nk.nk_stop(os)
            case "suspend": nk.nk_suspend(os)
            default: nk.nk_resume(os)
            }
            return "ok"
        default: return nil
        }
    }

    func handler(_ tag: String) -> NkXIrqHandler {
        { [self] _, xirq in
            emit("irq \(tag) \(xirq)")
            runs.withLock { $0[tag, default: 0] += 1 }
        }
    }

    func xirqs(_ head: String, _ a: [String], _ n: [UInt64?]) -> String? {
        let x = n.first.flatMap { $0.map { NkXIrq(truncatingIfNeeded: $0) } }
        switch (head, a.count) {
        case ("attach", 2):
            guard let x else { return nil }
            let id = nk.nk_xirq_attach(x, handler(a[1]), nil)
            if id != 0 { handlers.withLock { $0[a[1]] = id } }
            return "\(id != 0 ? "ok" : "0")"
        case ("attachslow", 3):  // the handler prints `irq TAG X`, sleeps MS, prints `irq TAG done`
            guard let x, let ms = n[2] else { return nil }
            let tag = a[1]
            let counted = handler(tag)
            let id = nk.nk_xirq_attach(
                x,
                { [self] cookie, xirq in
                    counted(cookie, xirq)
                    sleep(.milliseconds(ms))
                    emit("irq \(tag) done")
                }, nil)
            if id != 0 { handlers.withLock { $0[tag] = id } }
            return "\(id != 0 ? "ok" : "0")"
        case ("attachmasked", 1): return x.map { "\(nk.nk_xirq_attach_masked($0, handler("masked"), nil))" }
        case ("detach", 1):
            guard let id = handlers.withLock({ $0.removeValue(forKey: a[0]) }) else { return nil }
            nk.nk_xirq_detach(id)
            return "ok"
        case ("mask", 1):
            return x.map {
                nk.nk_xirq_mask($0)
                return "ok"
            }
        case ("unmask", 1):
            return x.map {
                nk.nk_xirq_unmask($0)
                return "ok"
            }
        case ("trigger", 2):
            guard let x, let os = n[1] else { return nil }
            nk.nk_xirq_trigger(x, NkOsId(os))
            return "ok"
        case ("affinity", 2):
            guard let x, let cpus = n[1] else { return nil }
            nk.nk_xirq_affinity(x, NkCpuMask(cpus))
            return "ok"
        case ("waitirq", 2):
            guard let count = n[1] else { return nil }
            return waitFor { runs.withLock { $0[a[0], default: 0] } >= Int(count) }
        default:
            return sysconf(head, a)
        }
    }

    func sysconf(_ head: String, _ a: [String]) -> String? {
        guard let first = a.first, let v = vlinkAddress(first) else { return nil }
        switch (head, a.count) {
        case ("sysattach", 2): return "\(nk.nk_sysconf_attach(v, handler(a[1]), nil))"
        case ("sysdetach", 1): nk.nk_sysconf_detach(v)
        case ("syspost", 1): nk.nk_sysconf_post(v)
        case ("sysselfpost", 1): nk.nk_sysconf_selfpost(v)
        default: return nil
        }
        return "ok"
    }

    func console(_ head: String, _ a: [String], _ n: [UInt64?]) -> String? {
        switch (head, a.count) {
        case ("conswrite", 1):
            let bytes = Array((a[0] + "\n").utf8)
            nk.nk_cons_write(bytes, Int32(bytes.count))
            return "ok"
        case ("conspoll", 0): return "\(nk.nk_cons_poll())"
        case ("consline", 0): return consoleLine()
        case ("bootord", 0): return "\(nk.nk_cons_hist_boot_ordinal())"
        case ("conshist", 0):
            var ord = nk.nk_cons_hist_boot_ordinal()
            var text: [UInt8] = []
            while case let c = nk.nk_cons_hist_getchar(&ord), c >= 0 { text.append(UInt8(c)) }
            return text.map { $0 == 10 ? "|" : String(UnicodeScalar($0)) }.joined()
        case ("balloon", 2...):
            return balloon(n)
        default: return nil
        }
    }

    /// `balloon OP COUNT [PFN…]`: `nk_balloon_ctrl(OP, pfns, COUNT)` with the listed
    /// PFNs (for `NK_BALLOON_FREE`); prints the result, and after a successful
    /// `NK_BALLOON_ALLOC` the PFNs it got.
    func balloon(_ n: [UInt64?]) -> String? {
        guard let op = n[0], let count = n[1], count <= 65536, !n.contains(nil) else { return nil }
        var pfns = n.dropFirst(2).map { UInt32(truncatingIfNeeded: $0!) }
        pfns += repeatElement(0, count: max(0, Int(count) - pfns.count))
        let r = nk.nk_balloon_ctrl(Int32(truncatingIfNeeded: op), &pfns, UInt32(count))
        guard Int32(truncatingIfNeeded: op) == NK_BALLOON_ALLOC, r > 0 else { return "\(r)" }
        return "\(r) " + pfns.prefix(Int(r)).map { Self.hex(UInt64($0)) }.joined(separator: " ")
    }
}

extension NKDDIScript {
    /// `consline`: polls `nk_cons_poll` (every millisecond, up to five seconds)
    /// until a whole line was typed; returns it, or `timeout` with what came.
    func consoleLine() -> String {
        var line: [UInt8] = []
        for _ in 0..<5000 {
            while case let c = nk.nk_cons_poll(), c >= 0 {
                if c == 10 { return String(decoding: line, as: UTF8.self) }
                line.append(UInt8(truncatingIfNeeded: c))
            }
            sleep(.milliseconds(1))
        }
        return "timeout " + String(decoding: line, as: UTF8.self)
    }
}
