// SPDX-License-Identifier: Apache-2.0
public import DeviceTree

/// Turns a compiled device tree into a checked ``PlatformSpec`` (DESIGN §1.3).
///
/// Every problem becomes a ``Diagnostic`` placed at the offending node or
/// property: errors (the platform cannot boot) and warnings (an unknown vlink
/// `compatible`, a server nobody uses …). No I/O.
public struct PlatformBuilder: Sendable {
    /// The version strings the built-in `nk.version.*` properties report.
    public var identity: HypervisorIdentity

    public init(identity: HypervisorIdentity = HypervisorIdentity()) {
        self.identity = identity
    }

    /// The platform, or nil when there is any error; and every diagnostic, in tree order per kind.
    public func build(_ tree: DeviceTree) -> (PlatformSpec?, [Diagnostic]) {
        var diagnostics = BuildDiagnostics()
        guard let vlm = tree.node(atPath: "/vlm") else {
            diagnostics.error("no /vlm node: a VLX platform describes its VMs under /vlm", at: tree.root)
            return (nil, diagnostics.list)
        }
        var vmReader = VMReader(diagnostics: diagnostics)
        let (vmNodes, vms) = vmReader.read(vlm)
        if vms.isEmpty { vmReader.diagnostics.error("no VM: add /vlm/vm@2 { … }", at: vlm) }

        var vlinkReader = VlinkReader(diagnostics: vmReader.diagnostics, tree: tree)
        let vlinks = vlinkReader.read(vmNodes)

        var propertyReader = PropertyReader(diagnostics: vlinkReader.diagnostics, vmIDs: Set(vms.map(\.id)))
        let configured = propertyReader.read(PropertyReader.propertyNodes(tree))

        var balloonReader = BalloonReader(diagnostics: propertyReader.diagnostics, vmIDs: Set(vms.map(\.id)))
        let balloon = balloonReader.read(vlm)
        diagnostics = balloonReader.diagnostics

        let properties = merge(vms: vms, configured: configured, balloon: balloon != nil)
        let spec = PlatformSpec(vms: vms, vlinks: vlinks, properties: properties, balloon: balloon)
        return (diagnostics.hasErrors ? nil : spec, diagnostics.list)
    }

    /// Builds with the default identity.
    public static func build(_ tree: DeviceTree) -> (PlatformSpec?, [Diagnostic]) {
        PlatformBuilder().build(tree)
    }

    /// Built-in properties first; a configured property of the same name replaces the built-in one.
    private func merge(vms: [VMSpec], configured: [PropertySpec], balloon: Bool) -> [PropertySpec] {
        let names = Set(configured.map(\.name))
        let builtIn = Self.builtInProperties(for: vms, identity: identity, balloon: balloon)
        return builtIn.filter { !names.contains($0.name) } + configured
    }
}
