// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Testing

@Suite(
    "vlm run: configs, the embedded demo, vl,init", .timeLimit(.minutes(2)), .serialized,
    .enabled(if: VLMBinary.isBuilt))
struct RunConfigTests {
    @Test("without CONFIG, vlm run boots the embedded Configs/demo.dts: its VMs and vlinks")
    func bootsEmbeddedDemo() throws {
        try withTemporaryDirectory { dir in
            // --no-init: the demo's vl,init programs need the VMs' /dev views.
            let platform = try RunningPlatform(runDirectory: dir + "/run", extraArguments: ["--no-init"])
            let json = try platform.vlm(["status", "--json"]).output

            #expect(json.contains(#"{"id":2,"name":"producer","state":"running""#))
            #expect(json.contains(#"{"id":3,"name":"consumer","state":"running""#))
            #expect(json.contains(#"{"id":4,"name":"echo","state":"running""#))
            #expect(json.contains(#"{"name":"vpipe","link":0,"server":3,"client":2,"#))
            #expect(json.split(separator: "vbpipe").count == 3)
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("a bad config is reported as file:line:col: error: … with exit status 2")
    func badConfig() throws {
        try withTemporaryDirectory { dir in
            let path = try RuntimeFixtures.write("/dts-v1/;\n/ {\n    vlm { vm@2 { label = ; }; };\n};\n", in: dir)
            let (status, output) = try VLMBinary.runMerged(["run", path, "--run-dir", dir + "/run"])

            #expect(status == .exited(2))
            #expect(output.contains("\(path):3:") && output.contains(": error: "))
            #expect(!FileSystem.exists(dir + "/run/vlm.pid"))
        }
    }

    @Test("a platform without /vlm is refused with exit status 2")
    func notAPlatform() throws {
        try withTemporaryDirectory { dir in
            let path = try RuntimeFixtures.write("/dts-v1/;\n/ { };\n", in: dir)
            let (status, output) = try VLMBinary.runMerged(["run", path, "--run-dir", dir + "/run"])

            #expect(status == .exited(2))
            #expect(output.contains("error: no /vlm node"))
        }
    }

    @Test("vl,init runs once the VM is up, with the VM's console as stdout and stderr")
    func vlInit() throws {
        try withTemporaryDirectory { dir in
            let marker = dir + "/marker"
            let source = RuntimeFixtures.threeVMs(
                serverInit: "echo init says hello; echo on stderr >&2; touch \(marker)")
            let platform = try RunningPlatform(source: source, in: dir)
            let output = platform.waitForOutput("vl,init exited")

            #expect(output.contains("server | init says hello\n"))
            #expect(output.contains("server | on stderr\n"))
            #expect(FileSystem.exists(marker))
            #expect(try platform.stop() == .exited(0))
        }
    }
}
