// SPDX-License-Identifier: Apache-2.0

/// The vlink names (`compatible` of a server end) that the manual's (4D)
/// pages define. Any other name still makes a vlink, with a warning.
public enum KnownVlinkNames {
    public static let names: Set<String> = [
        "vpipe",  // VPIPE(4D), manual line 10644
        "vbpipe",  // VBPIPE(4D), line 6353
        "vrpc",  // VRPC(4D), line 11033: vclk, vpd, vrtc, vthermal, vg2d, vion
        "vogl",  // VRPQ user guide (seed 004): vOpenGL over vRPQ
        "vrpq",  // VRPQ_BE(4D), line 11319
        "vevent",  // VEVENT_BE(4D), line 7414
        "vaudio",  // VAUDIO_BE(4D), line 4866
        "veth2",  // VETH(4D), line 7084
        "veth",
        "vbd2",  // VBD2(4D), line 6086
        "bufq",  // VBUFQ(4D), line 6722
        "vfence2",  // VFENCE2(4D), line 8268
        "vvideo2",  // VVIDEO2(4D), line 12195
        "vl,hypevent.v1",  // SVEC(4D), line 12777
        "vumem",  // VUMEM (seed 004)
    ]

    /// True for a known name, and for `vi2c<N>`: VI2C(4D) names the vlink after the bus (line 8583).
    public static func contains(_ name: String) -> Bool {
        if names.contains(name) { return true }
        let bus = name.dropFirst(4)
        return name.hasPrefix("vi2c") && !bus.isEmpty && bus.allSatisfy(\.isNumber)
    }
}
