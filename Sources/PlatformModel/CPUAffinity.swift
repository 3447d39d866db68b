// SPDX-License-Identifier: Apache-2.0
import DeviceTree

extension VMReader {
    /// The physical CPUs of a VM, from its `vcpus` node: `cpus = <0 1>;` (DESIGN §1.3),
    /// `affinity = "1,2,3,5-7";` (VLX-CPU-HANDOVER(4D), manual line 12880) and
    /// `vcpu@N { cpu = <1>; }` children (manual line 12930), merged and sorted.
    mutating func cpus(_ vm: Node) -> [Int] {
        guard let vcpus = vm.child(base: "vcpus") else { return [] }
        var cpus: [Int] = []
        if let property = vcpus.property(named: "cpus") {
            if let cells = property.value.cells, !cells.isEmpty {
                cpus += cells.map { Int($0) }
            } else {
                diagnostics.error("cpus must be a list of CPU numbers (<0 1>)", at: vcpus, property: "cpus")
            }
        }
        if vcpus.property(named: "affinity") != nil { cpus += affinity(vcpus) }
        for vcpu in vcpus.children where vcpu.baseName == "vcpu" {
            guard let cell = vcpu.property(named: "cpu")?.singleCell else {
                diagnostics.error("a vcpu node needs cpu = <N>;", at: vcpu, property: "cpu")
                continue
            }
            cpus.append(Int(cell))
        }
        return checked(Array(Set(cpus)).sorted(), vcpus)
    }

    /// `"1,2,3,5-7"` → 1 2 3 5 6 7.
    private mutating func affinity(_ vcpus: Node) -> [Int] {
        guard let text = vcpus.property(named: "affinity")?.value.string, let cpus = Self.parseCPUList(text) else {
            diagnostics.error(
                "affinity must be a CPU list such as \"0,2-3\"", at: vcpus, property: "affinity")
            return []
        }
        return cpus
    }

    /// Parses `0,2-3` (blanks allowed); nil when malformed.
    static func parseCPUList(_ text: String) -> [Int]? {
        var cpus: [Int] = []
        for item in text.split(separator: ",") {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
                .map { Int($0.trimmingBlanks) }
            switch bounds.count {
            case 1:
                guard let cpu = bounds[0] else { return nil }
                cpus.append(cpu)
            case 2:
                guard let low = bounds[0], let high = bounds[1], low <= high else { return nil }
                cpus += Array(low...high)
            default:
                return nil
            }
        }
        return cpus.isEmpty ? nil : cpus
    }

    /// `nk.vm.<id>.cpus` is a 32-bit mask (manual line 13318): CPUs 0…31 only.
    private mutating func checked(_ cpus: [Int], _ vcpus: Node) -> [Int] {
        let bad = cpus.filter { !(0..<32).contains($0) }
        if let cpu = bad.first {
            diagnostics.error("CPU \(cpu) is outside 0…31 (nk.vm.<id>.cpus is a 32-bit mask)", at: vcpus)
        }
        return cpus.filter { (0..<32).contains($0) }
    }
}

extension Substring {
    /// Without leading and trailing blanks.
    var trimmingBlanks: Substring {
        let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
        let end = lastIndex { $0 != " " && $0 != "\t" }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}
