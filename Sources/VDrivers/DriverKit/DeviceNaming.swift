// SPDX-License-Identifier: Apache-2.0

/// Minor numbers and `dev/` node names, as the real drivers assign them.
///
/// vpipe: minors 0, 1, … in `nk_vlink_lookup("vpipe")` order over the vlinks this
/// VM is an end of (behaviour-reference §1.5). vbpipe: a fixed `minor` from
/// `info` first, then the lowest free minors in lookup order (§1.6: "the array
/// grows to the largest requested minor"). The default node name is the prefix
/// and the minor (`vpipe0`); a `name=` already taken, by an earlier device or as
/// another device's default name, "is ignored on the second occurrence and the
/// second vpipe name is reverted to its default value" (manual line 10701).
public enum DeviceNaming {
    /// One device's wishes.
    public struct Request: Sendable, Equatable {
        public var minor: Int?
        public var name: String?
        public init(minor: Int? = nil, name: String? = nil) {
            self.minor = minor
            self.name = name
        }
    }

    /// One device's minor and node name, and what was refused.
    public struct Assignment: Sendable, Equatable {
        public var minor: Int
        public var name: String
        public var warnings: [String] = []
        public init(minor: Int, name: String, warnings: [String] = []) {
            self.minor = minor
            self.name = name
            self.warnings = warnings
        }
    }

    /// Minors and names for `requests` (lookup order), answered in the same order.
    /// `reserved` holds names other drivers already took in `dev/`.
    public static func assign(_ requests: [Request], prefix: String, reserved: Set<String> = []) -> [Assignment] {
        var result = minors(requests).map { Assignment(minor: $0.minor, name: "", warnings: $0.warnings) }
        let defaults = Set(result.map { "\(prefix)\($0.minor)" })
        var taken = reserved
        for index in result.indices.sorted(by: { result[$0].minor < result[$1].minor }) {
            let fallback = "\(prefix)\(result[index].minor)"
            if let wanted = requests[index].name, wanted != fallback {
                if taken.contains(wanted) || defaults.contains(wanted) {
                    result[index].warnings.append("name \(wanted) already used; reverted to \(fallback)")
                } else {
                    result[index].name = wanted
                }
            }
            if result[index].name.isEmpty { result[index].name = fallback }
            taken.insert(result[index].name)
        }
        return result
    }

    /// Fixed minors where free, then the lowest free minors in order.
    static func minors(_ requests: [Request]) -> [(minor: Int, warnings: [String])] {
        var used = Set<Int>()
        var fixed = [Int?](repeating: nil, count: requests.count)
        var warnings = [[String]](repeating: [], count: requests.count)
        for (index, request) in requests.enumerated() {
            guard let minor = request.minor else { continue }
            if used.insert(minor).inserted {
                fixed[index] = minor
            } else {
                warnings[index].append("minor \(minor) already used; assigned another")
            }
        }
        var next = 0
        return requests.indices.map { index in
            if let minor = fixed[index] { return (minor, warnings[index]) }
            while used.contains(next) { next += 1 }
            used.insert(next)
            return (next, warnings[index])
        }
    }
}
