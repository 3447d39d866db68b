// SPDX-License-Identifier: Apache-2.0
import Platform
import Synchronization
import Transports

/// A tiny command language that drives NKDDI primitives from a script and prints
/// one line per command (`COMMAND => RESULT`): what `vlm-testkit` runs inside a VM
/// process (`nkddi-probe`, or a guest's `VLM_NKDDI_SCRIPT_<id>`) so tests can
/// exercise every primitive across processes. Test tooling only: the shipped
/// `vlm` does not link it.
///
/// Numbers are decimal or `0x` hex; `V` is a vlink index in repository order;
/// `P` a physical address. Handlers attached by the script print
/// `irq TAG XIRQ` when they run. See `NKDDIScript.help` for the commands.
final class NKDDIScript: Sendable {
    let nk: NKDDI
    let emit: @Sendable (String) -> Void
    let sleep: @Sendable (Duration) -> Void
    let runs = Mutex<[String: Int]>([:])
    let handlers = Mutex<[String: NkXIrqId]>([:])
    /// The VM's VRPC module and the client ends the script opened (`NKDDIScript+VRPC`).
    let transports = Mutex<VRPC?>(nil)
    let clients = Mutex<[String: Vrpc?]>([:])

    /// One line per command, for `--help`.
    static let help = """
        id | last | running | lookup NAME|* | vlink V | vlinkstate V s|c STATE
        pmem V ID SIZE | pdev V ID SIZE | pxirq V ID OSID NB | xalloc NB
        map P SIZE | ptov P | load P | add|sub|set|clear P VAL | subtest|cleartest P VAL
        waitword P VAL | bit2mask N | mask2bit M
        propget NAME MAX | propset NAME TEXT | propsetb NAME B,B,… | propenum | version
        start|stop|suspend|resume OSID
        attach X TAG | attachslow X TAG MS | attachmasked X | detach TAG | mask X | unmask X | trigger X OSID
        affinity X CPUS | waitirq TAG COUNT | sleep MS
        sysattach V TAG | sysdetach V | syspost V | sysselfpost V
        conswrite TEXT | conspoll | consline | conshist | bootord | balloon OP COUNT [PFN...]
        pong X Y PEER | ping Y X PEER N
        vrpcserve NAME | vrpccall NAME TEXT | vrpcbench NAME N
        """

    /// A script over `nk`, printing through `emit`, sleeping through `sleep`.
    init(nk: NKDDI, emit: @escaping @Sendable (String) -> Void, sleep: @escaping @Sendable (Duration) -> Void) {
        self.nk = nk
        self.emit = emit
        self.sleep = sleep
    }

    /// Runs `commands` in order; returns false at the first unknown or malformed one.
    func run(_ commands: [String]) -> Bool {
        for command in commands {
            let words = command.split(separator: " ").map(String.init)
            guard let head = words.first else { continue }
            guard let result = execute(head, Array(words.dropFirst())) else {
                emit("error: bad command '\(command)'")
                return false
            }
            emit("\(command) => \(result)")
        }
        return true
    }

    static func number(_ s: String) -> UInt64? {
        s.hasPrefix("0x") ? UInt64(s.dropFirst(2), radix: 16) : UInt64(s)
    }

    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

    func vlinkAddress(_ s: String) -> NkPhAddr? {
        guard let index = Self.number(s) else { return nil }
        var p = nk.nk_vlink_lookup(nil, 0)
        for _ in 0..<index where p != 0 { p = nk.nk_vlink_lookup(nil, p) }
        return p == 0 ? nil : p
    }

    func word(_ s: String) -> NkVAddr? {
        guard let p = Self.number(s) else { return nil }
        let v = nk.nk_mem_map(p, 4)
        return v == 0 ? nil : v
    }

    /// Polls `condition` every millisecond for up to five seconds.
    func waitFor(_ condition: () -> Bool) -> String {
        for _ in 0..<5000 {
            if condition() { return "ok" }
            sleep(.milliseconds(1))
        }
        return condition() ? "ok" : "timeout"
    }

    func execute(_ head: String, _ a: [String]) -> String? {
        let n = a.map(Self.number)
        func u32(_ i: Int) -> UInt32? { i < n.count ? n[i].map { UInt32(truncatingIfNeeded: $0) } : nil }
        switch (head, a.count) {
        case ("id", 0): return "\(nk.nk_id_get())"
        case ("last", 0): return "\(nk.nk_last_id_get())"
        case ("running", 0): return Self.hex(UInt64(nk.nk_running_ids_get()))
        case ("lookup", 1): return lookup(a[0] == "*" ? nil : a[0])
        case ("bit2mask", 1): return u32(0).map { Self.hex(UInt64(nk.nk_bit2mask($0))) }
        case ("mask2bit", 1): return u32(0).map { "\(nk.nk_mask2bit($0))" }
        case ("xalloc", 1): return u32(0).map { "\(nk.nk_xirq_alloc($0))" }
        case ("sleep", 1):
            return n[0].map {
                sleep(.milliseconds($0))
                return "ok"
            }
        default: break
        }
        return resources(head, a, n) ?? properties(head, a, n) ?? xirqs(head, a, n) ?? console(head, a, n)
            ?? bench(head, n) ?? vrpc(head, a)
    }

    func lookup(_ name: String?) -> String {
        var found: [String] = []
        var p = nk.nk_vlink_lookup(name, 0)
        while p != 0 {
            found.append(Self.hex(p))
            p = nk.nk_vlink_lookup(name, p)
        }
        return found.isEmpty ? "none" : found.joined(separator: " ")
    }
}
