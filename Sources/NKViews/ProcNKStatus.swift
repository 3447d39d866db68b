// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformViews

/// The read-only status files of `/proc/nk` (manual lines 13439–14214).
extension VMViews {
    func addProcStatusFiles() {
        let nkddi = self.nkddi
        let repository = nkddi.repository
        // Not NUL-terminated, no linefeed (manual lines 13449–13459, 14149–14160).
        procNK.add("id", .seqFile(SeqFile(text: { "\(nkddi.nk_id_get())" })))
        procNK.add("last", .seqFile(SeqFile(text: { "\(nkddi.nk_last_id_get())" })))
        procNK.add("state", .seqFile(SeqFile(text: { "\(nkddi.nk_running_ids_get())" })))
        procNK.add("props", .seqFile(SeqFile(text: { ProcNKText.props(nkddi) })))
        procNK.add("memstat", .seqFile(SeqFile(text: { ProcNKText.memstat(repository) })))
        procNK.add("vdevs", .seqFile(SeqFile(text: { ProcNKText.vdevs(repository) })))
        procNK.add("regions", .seqFile(SeqFile(text: { ProcNKText.regions(nkddi) })))
        procNK.add("xirqmap", .seqFile(SeqFile(text: { ProcNKText.xirqmap(repository, vm: nkddi.id) })))
        // The console history (manual line 13439): non-destructive, EOF at the end.
        let me = nkddi.id
        procNK.add("history", .seqFile(SeqFile(render: { repository.consoleRead(me, from: 0).bytes })))
        for vm in repository.vmIDs {
            procNK.add("log-\(vm)", .seqFile(SeqFile(render: { repository.consoleRead(vm, from: 0).bytes })))
        }
    }
}

/// The text of the /proc/nk status files, from the live repository.
enum ProcNKText {
    /// `PID NAME ATTR LEN VALUE`, tab-separated as the manual prints it (line 14100).
    static func props(_ nkddi: NKDDI) -> String {
        var text = "PID\tNAME\tATTR\tLEN\tVALUE\n"
        for entry in nkddi.propertyList() {
            let attr =
                (entry.attr & NK_PROP_ATTR_GET != 0 ? "r" : "-") + (entry.attr & NK_PROP_ATTR_SET != 0 ? "w" : "-")
                + (entry.attr & NK_PROP_ATTR_NOTIFY != 0 ? "n" : "-")
            let value: String
            if entry.attr & NK_PROP_ATTR_GET == 0 {
                value = "-"
            } else if let bytes = try? nkddi.propertyBytes(pid: entry.pid, maxSize: entry.maxSize) {
                value = bytes.isEmpty ? "Not set" : hexDump(bytes)
            } else {
                value = "Busy"
            }
            text += "\(entry.pid)\t\(entry.name.prefix(21))\t\(attr)\t\(entry.maxSize)\t\(value)\n"
        }
        return text
    }

    /// The first (up to 16) bytes in hex, trailing zero bytes left out: `31` for
    /// `"1\0\0\0"`, `ff` for an `0xff` mask (manual lines 14102–14106).
    static func hexDump(_ bytes: [UInt8]) -> String {
        var first = Array(bytes.prefix(16))
        while first.count > 1, first.last == 0 { first.removeLast() }
        return first.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// `SIZE FREE USED` of the PDEV heap and the PMEM pool in bytes (manual line 13473).
    static func memstat(_ repository: Repository) -> String {
        func row(_ name: String, _ a: String, _ b: String, _ c: String) -> String {
            name.padding(4) + pad(a, 12) + pad(b, 12) + pad(c, 12) + "\n"
        }
        let heap = repository.pdevUsage
        let pmem = repository.pmemUsage
        return row("", "SIZE", "FREE", "USED")
            + row("HEAP", "\(heap.size)", "\(heap.free)", "\(heap.used)")
            + row("PMEM", "\(pmem.size)", "\(pmem.free)", "\(pmem.used)")
    }

    /// Every vlink with its ends, then its resources, then the used ranges
    /// (vinfo's format, behaviour-reference §1.7).
    static func vdevs(_ repository: Repository) -> String {
        let labels = repository.resourceLabels
        var text = ""
        for (index, link) in repository.vlinks.enumerated() {
            text +=
                " " + pad(link.name, 5) + ",\(link.link) serv \(link.s_id)/\(state(link.s_state))/'"
                + repository.infoString(link.s_info) + "' cli \(link.c_id)/\(state(link.c_state))/'"
                + repository.infoString(link.c_info) + "'\n"
            for label in labels where label.vlinkIndex == index {
                switch label.kind {
                case .pdev: text += "  PDEV  \(label.id) addr \(hex(label.base)) size \(hex(label.size))\n"
                case .pmem: text += "  PMEM  \(label.id) addr \(hex(label.base)) size \(hex(label.size))\n"
                case .pxirq: text += "  PXIRQ \(label.id) osid \(label.osid) base \(label.base) numb \(label.size)\n"
                }
            }
        }
        for (name, usage) in [("PDEV", repository.pdevUsage), ("PMEM", repository.pmemUsage)] {
            text += "\(name) used: \(hex(usage.base))-\(hex(usage.base &+ usage.used))\n"
        }
        return text
    }

    /// `PADDR SIZE ID` of `nk.vm.<id>.kernel.region` / `initrd.region` (manual
    /// line 14119): each value is a 64-bit address then a 64-bit size.
    static func regions(_ nkddi: NKDDI) -> String {
        var text = "PADDR      SIZE      ID\n"
        for entry in nkddi.propertyList() {
            guard entry.name.hasPrefix("nk.vm."),
                entry.name.hasSuffix(".kernel.region") || entry.name.hasSuffix(".initrd.region")
            else { continue }
            guard let bytes = try? nkddi.propertyBytes(entry.name, maxSize: entry.maxSize), bytes.count >= 16 else {
                continue
            }
            let address = littleEndian(bytes[0..<8])
            let size = littleEndian(bytes[8..<16])
            let id = entry.name.dropFirst(3).dropLast(".region".count)
            text += "0x" + upperHex(address, 8) + " 0x" + upperHex(size, 8) + " \(id)\n"
        }
        return text
    }

    /// The VM's interrupt ranges (manual line 14184): vlm has no hardware
    /// interrupts, so 0…31 are invalid; the cross interrupts handed out so far
    /// (`NK_XIRQ_SYSCONF` up to the VM's next free xirq) map to themselves.
    static func xirqmap(_ repository: Repository, vm: NkOsId) -> String {
        let first = Int(NK_XIRQ_SYSCONF)
        let free = Int(max(repository.xirqFree(vm), NK_XIRQ_SYSCONF + 1))
        let limit = Int(NK_XIRQ_LIMIT)
        var text = "0 - \(first - 1) =>    invalid (\(first))\n"
        text += "\(first) - \(free - 1) =>   \(first) - \(free - 1) (\(free - first))\n"
        if free < limit { text += "\(free) - \(limit - 1) =>    invalid (\(limit - free))\n" }
        return text
    }

    static func state(_ word: Int32) -> String {
        switch word {
        case NK_DEV_VLINK_OFF: "OFF"
        case NK_DEV_VLINK_RESET: "RST"
        case NK_DEV_VLINK_ON: "ON"
        default: "\(word)"
        }
    }

    static func hex(_ value: UInt64) -> String { String(value, radix: 16) }

    static func upperHex(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}

extension String {
    /// Left-aligned in `width` columns (`%-Ns`).
    func padding(_ width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
