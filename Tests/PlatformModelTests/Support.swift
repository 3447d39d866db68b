// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import PlatformModel
import PlatformTestSupport

/// The result of building a tree, with shortcuts for tests.
struct Built {
    let spec: PlatformSpec?
    let diagnostics: [Diagnostic]

    init(_ builder: TreeBuilder) {
        (spec, diagnostics) = PlatformBuilder.build(builder.tree)
    }

    var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }

    /// The only error; nil when there are none or several.
    var error: Diagnostic? { errors.count == 1 ? errors[0] : nil }

    /// The vlinks as `name link server->client` strings, in repository order.
    var vlinkSummary: [String] { spec?.vlinks.map(\.summary) ?? [] }
}

extension VlinkSpec {
    /// `vpipe 0 3->2`: name, link, client → server.
    var summary: String { "\(name) \(link) \(clientID)->\(serverID)" }
}

/// A platform of VMs 2 and 3 with one vpipe from VM 3 to VM 2; returns the builder and both ends.
func vpipePlatform() -> (TreeBuilder, server: Node, client: Node) {
    let t = TreeBuilder()
    let server = t.end("vpipe@0", in: t.vm(2), label: "vpipe_0", compatible: "vpipe", server: true, info: "8K", link: 0)
    let client = t.end("vpipe@0", in: t.vm(3), client: true, peer: server)
    return (t, server, client)
}
