// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport

/// A platform in real POSIX shared memory with one eventfd per VM, formatted by
/// the test process (which plays the supervisor), and `vlm-testkit nkddi-probe` VM
/// processes that run NKDDI scripts against it.
final class ProbePlatform {
    let prefix = uniqueSharedMemoryName("nkddi")
    let objects: RepositoryObjects
    let eventFDs: [NkOsId: EventFD]
    var repository: Repository { objects.repository }

    init(_ input: RepositoryInput = TestPlatform.input) throws {
        objects = try RepositoryObjects.create(input, prefix: prefix)
        var fds: [NkOsId: EventFD] = [:]
        for vm in input.vms {
            fds[vm.id] = try EventFD()
            objects.repository.vmDidStart(vm.id)
        }
        eventFDs = fds
    }

    deinit { RepositoryObjects.unlink(prefix: prefix) }

    /// Starts a probe process as VM `vm` running `commands`.
    func start(vm: NkOsId, _ commands: [String]) throws -> ProbeProcess {
        try ProbeProcess(platform: self, vm: vm, commands: commands)
    }

    /// Runs probes concurrently (one per VM) and returns each one's output lines.
    func run(_ scripts: [(NkOsId, [String])]) throws -> [NkOsId: [String]] {
        let probes = try scripts.map { try start(vm: $0.0, $0.1) }
        var result: [NkOsId: [String]] = [:]
        for p in probes { result[p.vm] = try p.finish() }
        return result
    }
}

/// One `vlm-testkit nkddi-probe` process; its stdout is a pipe read to the end by `finish`.
final class ProbeProcess {
    let vm: NkOsId
    let child: ChildProcess
    let output: OwnedFD

    init(platform: ProbePlatform, vm: NkOsId, commands: [String]) throws {
        self.vm = vm
        let pipe = try Pipe()
        let ids = platform.eventFDs.keys.sorted()
        var descriptors: [CInt?] = [nil, pipe.writeEnd.rawValue, 2]
        var args = ["vlm-testkit", "nkddi-probe", "--vm", "\(vm)", "--prefix", platform.prefix]
        for id in ids {
            args += ["--doorbell", "\(id)=\(descriptors.count)"]
            descriptors.append(platform.eventFDs[id]!.rawValue)
        }
        child = try ChildProcess.spawn(
            executable: VLMBinary.testKitPath, arguments: args + ["--"] + commands, descriptors: descriptors)
        output = try pipe.readEnd.descriptor.duplicate()  // the pipe itself (both ends) closes at scope end
    }

    /// Reads the output to EOF, waits for the exit and returns the lines; throws
    /// when the probe failed or ran longer than 20 s.
    func finish() throws -> [String] {
        var bytes: [UInt8] = []
        while case .processed(let chunk) = try output.read(upTo: 4096), !chunk.isEmpty { bytes += chunk }
        guard let status = try child.wait(timeout: .seconds(20)) else {
            try child.send(.kill)
            throw ProbeFailure(description: "VM \(vm) probe hung")
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        guard status == .exited(0) else { throw ProbeFailure(description: "VM \(vm) probe \(status): \(lines)") }
        return lines
    }
}

struct ProbeFailure: Error, CustomStringConvertible {
    let description: String
}

extension [String] {
    /// The result of the first line whose command starts with `prefix`.
    func result(_ prefix: String) -> String? { results(prefix).first }

    /// The results of every line whose command starts with `prefix` (for
    /// `hypercall …` lines: the rest of the line).
    func results(_ prefix: String) -> [String] {
        compactMap { line -> String? in
            guard line.hasPrefix(prefix) else { return nil }
            if let r = line.firstRange(of: " => ") { return String(line[r.upperBound...]) }
            return line.hasPrefix(prefix + " ") ? String(line.dropFirst(prefix.count + 1)) : nil
        }
    }
}
