// SPDX-License-Identifier: Apache-2.0
public import PlatformModel

extension RepositoryInput {
    /// The repository contents for a checked platform: its VMs, its vlinks in
    /// repository order, its properties (built-ins included) with their
    /// permissions as VM masks, its balloon region. `blobs` gives values the runtime builds itself
    /// (the device-tree properties of size 0, e.g. `nk.vlm-dtb`), by name.
    public init(spec: PlatformSpec, blobs: [String: [UInt8]] = [:], pmemSize: UInt64 = 32 << 20) {
        let ids = spec.vms.map { NkOsId($0.id) }
        func mask(_ set: VMSet) -> NkOsMask {
            switch set {
            case .all: ids.reduce(0) { $0 | (1 << $1) }
            case .only(let list): list.reduce(0) { $1 >= 0 && $1 < 32 ? $0 | (1 << UInt32($1)) : $0 }
            }
        }
        self.init(
            vms: spec.vms.map { VM(id: NkOsId($0.id), name: $0.name) },
            vlinks: spec.vlinks.map {
                Vlink(
                    name: $0.name, link: Int32(truncatingIfNeeded: $0.link), serverID: NkOsId($0.serverID),
                    clientID: NkOsId($0.clientID), serverInfo: $0.serverInfo, clientInfo: $0.clientInfo)
            },
            properties: spec.properties.map { p in
                let value = blobs[p.name] ?? p.value ?? []
                return Property(
                    name: p.name, maxSize: UInt32(max(p.size, value.count)), value: value,
                    allowGet: mask(p.allowGet), allowSet: mask(p.allowSet), allowNotify: mask(p.allowNotify))
            },
            pmemSize: pmemSize,
            balloon: spec.balloon.map {
                Balloon(
                    host: NkOsId($0.host), pages: UInt32($0.pages),
                    vms: $0.vms.reduce(NkOsMask(0)) { $0 | (1 << NkOsMask($1)) })
            })
    }
}

extension Repository {
    /// Supervisor: creates and formats the shared-memory objects of `spec` under
    /// `prefix` (`vlm.<run>`), once at boot.
    public static func format(
        spec: PlatformSpec, prefix: String, blobs: [String: [UInt8]] = [:], pmemSize: UInt64 = 32 << 20
    ) throws -> RepositoryObjects {
        try RepositoryObjects.create(RepositoryInput(spec: spec, blobs: blobs, pmemSize: pmemSize), prefix: prefix)
    }
}
