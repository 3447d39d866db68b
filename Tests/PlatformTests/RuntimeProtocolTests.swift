// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformModel
import PlatformSys
import Testing

@Suite("runtime control protocol and console")
struct RuntimeProtocolTests {
    static let manifest = GuestManifest(
        vm: VMConfig(
            id: 3, name: "client", color: "cyan", restart: .onCrash, initCommand: ["/bin/sh", "-c", "cat /dev/vpipe0"]),
        runDirectory: "/run/vlm/demo", repositoryObject: "vlm.0badf00d.repo", pmemObject: "vlm.0badf00d.pmem",
        vmIDs: [2, 3, 4])

    @Test(
        "every message survives encoding",
        arguments: [
            SupervisorMessage.manifest(manifest), .stop, .hypercallResult(.done), .hypercallResult(.unknownVM),
            .hypercallResult(.refused("vm3 (client) is not paused")),
        ])
    func supervisorMessages(message: SupervisorMessage) throws {
        #expect(try SupervisorMessage(decoding: message.encoded()) == message)
    }

    @Test("guest and client messages survive encoding")
    func otherMessages() throws {
        let report = StatusReport(
            uptimeMilliseconds: 1500, vms: [.init(id: 2, name: "server", state: "paused", pid: nil, restarts: 2)],
            vlinks: [.init(name: "vpipe", link: 0, server: 2, client: 3, serverState: "ON", clientState: "RESET")])
        for call in [Hypercall.start(vm: 3), .restart(vm: 2), .stop(vm: 4), .suspend(vm: 3), .resume(vm: 4)] {
            #expect(try GuestMessage(decoding: GuestMessage.hypercall(call).encoded()) == .hypercall(call))
        }
        #expect(
            try ClientRequest(decoding: ClientRequest.lifecycle(.stop, vm: "server").encoded())
                == .lifecycle(.stop, vm: "server"))
        #expect(try ClientReply(decoding: ClientReply.status(report).encoded()) == .status(report))
    }

    @Test("garbage is a protocol violation, not a crash")
    func garbageRefused() {
        #expect(throws: RuntimeError.self) { try SupervisorMessage(decoding: Array("manifest\u{1F}99".utf8)) }
        #expect(throws: RuntimeError.self) { try ClientReply(decoding: [0xFF, 0xFE]) }
    }

    @Test("console lines are tagged with the padded VM name, coloured when asked")
    func consoleTagging() throws {
        let pipe = try Pipe(nonBlockingRead: true)
        let plain = try ConsoleTagger(output: pipe.writeEnd.descriptor, colour: false, names: ["server", "vm3"])
        let coloured = try ConsoleTagger(output: pipe.writeEnd.descriptor, colour: true, names: ["vm3"])
        var buffer = Array("hello\npart".utf8)

        plain.emit(&buffer, name: "vm3", color: "green")
        coloured.emit(&buffer, name: "vm3", color: "green", flush: true)

        #expect(buffer.isEmpty)
        let text = try #require({ if case .processed(let b) = try pipe.readEnd.read(upTo: 256) { b } else { nil } }())
        #expect(String(decoding: text, as: UTF8.self) == "vm3    | hello\n\u{1B}[32mvm3 |\u{1B}[0m part\n")
    }

    @Test("the default run directory follows VLM_RUN_DIR, and the shm tag is stable per path")
    func runDirectoryNames() {
        let a = RunDirectory(path: "/tmp/x/")
        #expect(a.path == "/tmp/x")
        #expect(a.repositoryObject == "vlm.\(a.tag).repo" && a.tag.count == 8)
        #expect(RunDirectory(path: "/tmp/y").tag != a.tag)
        #expect(ConsoleTagger.ansiCode("bright-cyan") == 96 && ConsoleTagger.ansiCode("mauve") == nil)
    }
}
