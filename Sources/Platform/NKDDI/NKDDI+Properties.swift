// SPDX-License-Identifier: Apache-2.0

/// Properties, the API version and VM lifecycle (manual lines 3422, 3706–3860,
/// 3940–4160).
extension NKDDI {
    /// `nk_prop_enum`: copies the name of property `pid` into `name` (at most
    /// `nlen_max` bytes, NUL-terminated when it fits), stores the attributes (this
    /// VM's permissions | name length incl. NUL) in `attr`, and returns the maximum
    /// value size; `NK_PROP_UNKNOWN` past the last property, `NK_PROP_ERROR` when
    /// `nlen_max` exceeds the buffer.
    public func nk_prop_enum(_ pid: UInt32, _ name: inout [UInt8], _ nlen_max: UInt32, _ attr: inout NkPropAttr)
        -> Int32
    {
        guard Int(nlen_max) <= name.count else { return NK_PROP_ERROR }
        guard let entry = repository.propertyEnum(pid, caller: id) else { return NK_PROP_UNKNOWN }
        let bytes = Array(entry.name.utf8) + [0]
        let n = min(bytes.count, Int(nlen_max))
        name.replaceSubrange(0..<n, with: bytes.prefix(n))
        attr = entry.attr
        return entry.maxSize
    }

    /// `nk_prop_get`: copies at most `maxsize` bytes of the value of `name` into
    /// `value`; returns the number copied or `NK_PROP_BUSY` (an update is in
    /// progress), `NK_PROP_PERMISSION`, `NK_PROP_UNKNOWN`, `NK_PROP_ERROR`
    /// (`maxsize` exceeds the buffer).
    public func nk_prop_get(_ name: String, _ value: inout [UInt8], _ maxsize: UInt32) -> Int32 {
        guard Int(maxsize) <= value.count else { return NK_PROP_ERROR }
        switch repository.propertyGet(name, maxSize: Int(maxsize), caller: id) {
        case .failure(let e): return e.code
        case .success(let bytes):
            value.replaceSubrange(0..<bytes.count, with: bytes)
            return Int32(bytes.count)
        }
    }

    /// `nk_prop_set`: sets `name` to the first `size` bytes of `value` (truncated to
    /// the maximum size), then sends `NK_XIRQ_SYSCONF` to every running VM allowed
    /// to be notified. Returns the bytes stored or `NK_PROP_BUSY` (another update
    /// in progress), `NK_PROP_PERMISSION`, `NK_PROP_UNKNOWN`, `NK_PROP_ERROR`.
    /// Writing bit 0 of `nk.vm.<id>.state.running|paused` asks the supervisor to
    /// start, stop, suspend or resume that VM.
    public func nk_prop_set(_ name: String, _ value: [UInt8], _ size: UInt32) -> Int32 {
        guard Int(size) <= value.count else { return NK_PROP_ERROR }
        switch repository.propertySet(name, value: Array(value.prefix(Int(size))), caller: id) {
        case .failed(let code):
            return code
        case .stored(let bytes, let notify):
            for vm in repository.vmIDs where notify & (1 << vm) != 0 { nk_xirq_trigger(NK_XIRQ_SYSCONF, vm) }
            return bytes
        case .lifecycle(let call, let bytes):
            guard let hypervisor, hypervisor.hypercall(call) == .done else { return NK_PROP_ERROR }
            return bytes
        }
    }

    /// `nk_hv_version_get`: parses `nk.version.api` ("MAJOR.MINOR.PATCH"); 0 when
    /// parsed, -1 otherwise.
    public func nk_hv_version_get(_ major: inout UInt32, _ minor: inout UInt32) -> Int32 {
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = nk_prop_get("nk.version.api", &buffer, 64)
        guard n > 0 else { return -1 }
        let text = String(decoding: buffer.prefix(Int(n)).prefix { $0 != 0 }, as: UTF8.self)
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let ma = UInt32(parts[0]), let mi = UInt32(parts[1]), UInt32(parts[2]) != nil else {
            return -1
        }
        major = ma
        minor = mi
        return 0
    }

    static let hypCall = EventLog.type("hyp_call")

    /// Records the lifecycle hypercall `call` (`EventLog.hypercalls`) on `osid`,
    /// then sets the state property.
    private func lifecycle(_ call: UInt32, _ osid: NkOsId, _ which: String, _ on: Bool) {
        recordHypercall(call, target: osid)
        setState(osid, which, on)
    }

    /// Records a `hyp_call` event of this VM (`call` from `EventLog.hypercalls`)
    /// aimed at `target`, when monitoring asks for it.
    public func recordHypercall(_ call: UInt32, target: NkOsId) {
        repository.recordEvent(Self.hypCall, vm: id, target: target, argument: call, word: monitoringWord)
    }

    private func setState(_ osid: NkOsId, _ which: String, _ on: Bool) {
        _ = nk_prop_set("nk.vm.\(osid).state.\(which)", [on ? 1 : 0, 0, 0, 0], 4)
    }

    /// `nk_start`: `nk.vm.<osid>.state.running` ← 1; on this VM itself, a restart.
    public func nk_start(_ osid: NkOsId) { lifecycle(1, osid, "running", true) }

    /// `nk_stop`: `nk.vm.<osid>.state.running` ← 0.
    public func nk_stop(_ osid: NkOsId) { lifecycle(2, osid, "running", false) }

    /// `nk_suspend`: `nk.vm.<osid>.state.paused` ← 1.
    public func nk_suspend(_ osid: NkOsId) { lifecycle(3, osid, "paused", true) }

    /// `nk_resume`: `nk.vm.<osid>.state.paused` ← 0.
    public func nk_resume(_ osid: NkOsId) { lifecycle(4, osid, "paused", false) }
}
