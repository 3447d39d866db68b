// SPDX-License-Identifier: Apache-2.0
import Foundation
import Platform
import PlatformSys
import PlatformTestSupport
import Testing

/// `vlm status --json`'s vlink of the fixture: (serverState, clientState).
func vpipeStates(_ platform: RunningPlatform) -> (String, String)? {
    guard let json = try? platform.vlm(["status", "--json"]).output,
        let range = json.range(of: #""serverState":""#)
    else { return nil }
    let fields = json[range.upperBound...].split(separator: "\"")
    return fields.count > 4 ? (String(fields[0]), String(fields[4])) : nil
}

/// The lines `vlm run` printed for VM `name`, without the tag.
func lines(_ output: String, of name: String) -> [String] {
    output.split(separator: "\n").compactMap { line in
        line.hasPrefix(name + " | ") ? String(line.dropFirst(name.count + 3)) : nil
    }
}

/// Holds the fixture's vpipe open in both VMs (the server reads, the client
/// writes) through their views, so that their drivers run the handshake to ON.
/// Kill and reap the holders with `release`.
func holdVpipeOpen(in dir: String) throws -> [ChildProcess] {
    try [("vm2", "<"), ("vm3", ">")].map { vm, redirection in
        try ChildProcess.spawn(
            executable: "/bin/sh", arguments: ["sh", "-c", "exec sleep 60 \(redirection) \(dir)/run/\(vm)/dev/vpipe0"],
            descriptors: [])
    }
}

/// Kills and reaps `holders`.
func release(_ holders: [ChildProcess]) {
    for holder in holders {
        try? holder.send(.kill)
        _ = try? holder.wait()
    }
}

@Suite("vlm run: NKDDI inside the VM processes", .timeLimit(.minutes(2)), .serialized, .enabled(if: VLMBinary.isBuilt))
struct RuntimeNKDDITests {
    @Test(
        "nk_suspend/nk_resume/nk_stop/nk_start from a guest reach the supervisor; nk.vm.<id>.state words count transitions"
    )
    func lifecycleHypercalls() throws {
        try withTemporaryDirectory { dir in
            let script = [
                "sleep 300", "suspend 3", "propget nk.vm.3.state.paused 4", "resume 3", "stop 4", "sleep 300",
                "propget nk.vm.4.state.running 4", "start 4", "sleep 300", "propget nk.vm.4.state.running 4",
                "resume 3", "conswrite script-done",
            ]
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir, scripts: [2: script])
            let output = platform.waitForOutput("server | script-done")
            let server = lines(output, of: "server")

            #expect(output.contains("vlm: vm2 (server): suspend(vm: 3)"))
            #expect(server.contains("propget nk.vm.3.state.paused 4 => 4 3,0,0,0"))  // paused, 1 transition
            #expect(server.contains("propget nk.vm.4.state.running 4 => 4 4,0,0,0"))  // stopped, 2 transitions
            #expect(server.contains("propget nk.vm.4.state.running 4 => 4 7,0,0,0"))  // running, 3 transitions
            #expect(output.contains("vm3 (client) is not paused"))  // the refused second resume
            let vms = try vmTable(platform)
            #expect(vms[3]?.state == "running" && vms[4]?.state == "running" && vms[4]?.restarts == 1)
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("a crash forces the VM's vlink ends OFF at once, notifies the peer, and is logged")
    func crashForcesEndsOff() throws {
        try withTemporaryDirectory { dir in
            let source = RuntimeFixtures.threeVMs(clientRestart: "never")
            // The real vpipe drivers do the handshake once both ends are open.
            let platform = try RunningPlatform(source: source, in: dir, scripts: [2: ["sysattach 0 H"]])
            let holders = try holdVpipeOpen(in: dir)
            defer { release(holders) }
            #expect(waitUntil { vpipeStates(platform).map { $0 == ("ON", "ON") } ?? false })
            let irqsBefore = lines(platform.consoleOutput(), of: "server").filter { $0 == "irq H 32" }.count

            try Signal.send(.kill, to: try #require(try vmTable(platform)[3]?.pid))
            let output = platform.waitForOutput("NK_XIRQ_SYSCONF to vm2")

            #expect(output.contains("vm3 (client): vlink ends forced OFF: vpipe 0 (client); NK_XIRQ_SYSCONF to vm2"))
            // The server's vpipe driver gets the SYSCONF and runs the handshake: ON against a
            // peer at OFF → OFF, then (its device open, nothing left to drain) → RESET, waiting.
            #expect(waitUntil { vpipeStates(platform).map { $0 == ("RESET", "OFF") } ?? false })
            #expect(
                waitUntil {
                    lines(platform.consoleOutput(), of: "server").filter { $0 == "irq H 32" }.count > irqsBefore
                })
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("a VM restarted after a real crash gets the same persistent block back")
    func persistentAcrossCrash() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(), in: dir,
                scripts: [3: ["pmem 0 7 12288", "pdev 0 7 64", "pxirq 0 7 3 2"]])
            let first = lines(platform.waitForOutput("client | pxirq"), of: "client").filter { $0.contains(" => ") }

            try Signal.send(.kill, to: try #require(try vmTable(platform)[3]?.pid))
            #expect(
                waitUntil { lines(platform.consoleOutput(), of: "client").filter { $0.hasPrefix("pxirq") }.count == 2 })
            let all = lines(platform.consoleOutput(), of: "client").filter { $0.contains(" => ") }

            #expect(first.count == 3 && !first.contains { $0.hasSuffix("=> 0") })
            #expect(all == first + first)
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("an orderly stop takes the VM's vlink ends OFF before the process exits")
    func orderlyStop() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            let holders = try holdVpipeOpen(in: dir)
            defer { release(holders) }
            #expect(waitUntil { vpipeStates(platform).map { $0 == ("ON", "ON") } ?? false })

            #expect(try platform.vlm(["stop", "client"]).status == .exited(0))
            let output = platform.waitForOutput("vm3 (client) stopped")

            // The client's driver took its end OFF and told the server, whose driver followed
            // (ON against OFF → OFF → RESET: its device is open and drained).
            #expect(waitUntil { vpipeStates(platform).map { $0 == ("RESET", "OFF") } ?? false })
            #expect(!output.contains("vm3 (client): vlink ends forced OFF"))  // the guest did it itself
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("nk_cons_write and stdout share the tagged stream and the history; typed input reaches the focused VM")
    func console() throws {
        try withTemporaryDirectory { dir in
            let script = ["conswrite written-by-nk_cons_write", "consline", "sleep 300", "conshist"]
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(), in: dir, scripts: [2: script], withInput: true)
            platform.waitForOutput("server | written-by-nk_cons_write")

            try platform.input!.writeEnd.writeAll(Array("typed for the focus\n".utf8))
            let output = platform.waitForOutput("server | conshist =>")
            let server = lines(output, of: "server")

            #expect(server.contains("consline => typed for the focus"))
            #expect(server.last { $0.hasPrefix("conshist => ") }?.contains("written-by-nk_cons_write|") == true)
            #expect(server.last { $0.hasPrefix("conshist => ") }?.contains("consline => typed for the focus|") == true)
            #expect(try platform.stop() == .exited(0))
        }
    }
}
