// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport

/// Platforms the runtime tests boot, written into the test's directory.
enum RuntimeFixtures {
    /// server (vm2, on-crash) ← vpipe 0 ← client (vm3, on-crash); peer (vm4, never).
    /// `serverInit` becomes the server's `vl,init` when given.
    static func threeVMs(serverInit: String? = nil, clientRestart: String = "on-crash") -> String {
        let initLine = serverInit.map { #"vl,init = "/bin/sh", "-c", "\#($0)";"# } ?? ""
        return """
            /dts-v1/;
            / {
                vlm {
                    vm2: vm@2 { label = "server"; \(initLine) vl,restart = "on-crash";
                        console { color = "green"; }; vm2_vdevs: vdevs { }; };
                    vm3: vm@3 { label = "client"; vl,restart = "\(clientRestart)"; vm3_vdevs: vdevs { }; };
                    vm4: vm@4 { label = "peer"; vl,restart = "never"; };
                };
            };
            &vm2_vdevs { srv: vpipe@0 { compatible = "vpipe"; link = <0>; server; info = "8K"; }; };
            &vm3_vdevs { vpipe@0 { peer-phandle = <&srv>; client; }; };
            """
    }

    /// Writes `source` to `DIR/platform.dts` and returns its path.
    static func write(_ source: String, in directory: String) throws -> String {
        let path = directory + "/platform.dts"
        try FileSystem.writeAtomically(path, Array(source.utf8))
        return path
    }
}

extension RunningPlatform {
    /// `vlm run DIR/platform.dts --run-dir DIR/run` for `source`; with NKDDI
    /// scripts, `vlm-testkit run …` (the same supervisor, whose guests run
    /// `scripts[id]` inside VM `id`).
    convenience init(
        source: String, in directory: String, scripts: [Int: [String]] = [:], extraArguments: [String] = [],
        withInput: Bool = false
    ) throws {
        let config = try RuntimeFixtures.write(source, in: directory)
        let environment = scripts.map { "VLM_NKDDI_SCRIPT_\($0.key)=" + $0.value.joined(separator: ";") }
        try self.init(
            runDirectory: directory + "/run", extraArguments: [config] + extraArguments, environment: environment,
            withInput: withInput, executable: scripts.isEmpty ? VLMBinary.path : VLMBinary.testKitPath)
    }
}
