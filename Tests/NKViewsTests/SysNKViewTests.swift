// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import NKViews
import Platform
import Testing

/// `/sys/nk` through real mounts of the demo platform.
@Suite(.timeLimit(.minutes(2)), .serialized) struct SysNKViewTests {
    @Test func propertyFilesHoldTheValueBytes() throws {
        let platform = try ViewsPlatform()
        #expect(try platform.cat(3, "sys/nk/prop/nk.panic-trigger") == "0")
        #expect(Array(try platform.cat(3, "sys/nk/prop/nk.vm.3.cpus").utf8) == [2, 0, 0, 0])
        #expect(try platform.cat(3, "sys/nk/prop/nk.build-id") == "vlm-0.1\0")
        // running, one boot
        #expect(Array(try platform.cat(3, "sys/nk/prop/nk.vm.3.state.running").utf8) == [3, 0, 0, 0])
        #expect(try platform.cat(3, "sys/nk/props/nk.panic-trigger") == "0")
        let listing = try ViewShell.run(["ls", platform.path(3, "sys/nk/prop")]).output.split(separator: "\n")
        #expect(listing.count == platform.supervisor.propertyCount)
        #expect(listing.contains("nk.vm.4.vplatform-dtb") && listing.contains("nk.monitoring.enable"))
    }

    @Test func settablePropertiesTakeBinaryAndTextWrites() throws {
        let platform = try ViewsPlatform()
        // A binary 32-bit 2 (manual lines 13259–13261; other values are EINVAL: PropertyWriteTests).
        #expect(
            try ViewShell.sh("printf '\\002\\000\\000\\000' > \(platform.path(2, "sys/nk/prop/nk.monitoring.enable"))")
                .status == 0)
        #expect(platform.supervisor.propertyValue("nk.monitoring.enable") == [2, 0, 0, 0])
        #expect(try ViewShell.sh("echo -n 2 > \(platform.path(2, "sys/nk/prop/nk.monitoring.enable"))").status == 0)
        #expect(try platform.cat(4, "sys/nk/prop/nk.monitoring.enable") == "2")
        // Bit 0 of the state word: ASCII '0' stops, '1' starts (manual line 14143).
        #expect(try ViewShell.sh("echo -n 0 > \(platform.path(2, "sys/nk/prop/nk.vm.3.state.running"))").status == 0)
        #expect(try platform.cat(4, "proc/nk/state") == "20")
        let denied = try ViewShell.write(platform.path(2, "sys/nk/prop/nk.vm.3.bootcomplete"), "1")
        #expect(denied.status != 0 && denied.error.contains("EACCES"))
        #expect(try ViewShell.sh("echo -n 1 > \(platform.path(3, "sys/nk/prop/nk.vm.3.bootcomplete"))").status == 0)
        #expect(platform.supervisor.propertyValue("nk.vm.3.bootcomplete") == [0x31])
    }

    @Test func vlinkEndpointsNameBothVMs() throws {
        let platform = try ViewsPlatform()
        #expect(try platform.cat(3, "sys/nk/vlinks/endpoints/server/vpipe/0/vm3/vm2/info") == "8K")
        #expect(try platform.cat(2, "sys/nk/vlinks/endpoints/client/vpipe/0/vm2/vm3/info") == "")
        #expect(try platform.cat(3, "sys/nk/vlinks/endpoints/server/vbpipe/0/vm3/vm4/info") == ";16K")
        let found = try ViewShell.sh("cd \(platform.path(4, "sys/nk/vlinks")) && find . -name info | sort").output
        #expect(found == "./endpoints/client/vbpipe/0/vm4/vm3/info\n./endpoints/server/vbpipe/0/vm4/vm3/info\n")
    }

    @Test func deviceTreeReadsBackWithDtcAsTheCompiledBlob() throws {
        let platform = try ViewsPlatform()
        let out = platform.directory + "/fs.dtb"
        let dtc = try ViewShell.run([
            "dtc", "-q", "-I", "fs", "-O", "dtb", "-o", out, platform.path(3, "sys/nk/device-trees/vlm"),
        ])
        #expect(dtc.status == 0, "\(dtc.error)")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(bytes == platform.blob)
        let names = try ViewShell.run(["ls", platform.path(2, "sys/nk/device-trees")]).output
        #expect(names == "vlm\n")
    }
}
