// SPDX-License-Identifier: Apache-2.0
public import PlatformSys

/// The two POSIX shared-memory objects behind a repository, `<prefix>.repo` and
/// `<prefix>.pmem` (`prefix` starts with `vlm.`), with this process's mappings.
///
/// The supervisor `create`s them once at boot (formatting the repository) and
/// `unlink`s them at shutdown; every guest `open`s them by name (or adopts fds
/// passed over its control socket) and builds its `NKDDI` over `repository`.
public final class RepositoryObjects: Sendable {
    /// The repository (PDEV) object.
    public let repoObject: SharedMemory
    /// The PMEM pool object.
    public let pmemObject: SharedMemory
    /// The repository view over this process's mappings.
    public let repository: Repository

    private init(repo: SharedMemory, pmem: SharedMemory, repository: Repository) {
        self.repoObject = repo
        self.pmemObject = pmem
        self.repository = repository
    }

    /// The object names for `prefix`.
    public static func names(prefix: String) -> (repo: String, pmem: String) {
        ("\(prefix).repo", "\(prefix).pmem")
    }

    /// Supervisor: creates both objects (mode 0600, failing if they exist), maps
    /// them and formats the repository from `input`.
    public static func create(_ input: RepositoryInput, prefix: String) throws(SyscallError) -> RepositoryObjects {
        let names = names(prefix: prefix)
        let sizes = Repository.regionSizes(for: input)
        let repo = try SharedMemory.create(name: names.repo, size: sizes.repo)
        do {
            let pmem = try SharedMemory.create(name: names.pmem, size: sizes.pmem)
            let repository = Repository.format(input, repo: try repo.map(), pmem: try pmem.map())
            return RepositoryObjects(repo: repo, pmem: pmem, repository: repository)
        } catch {
            try? SharedMemory.unlink(name: names.repo)
            try? SharedMemory.unlink(name: names.pmem)
            throw error
        }
    }

    /// Guest: opens and maps the objects a supervisor created under `prefix`.
    public static func open(prefix: String) throws(SyscallError) -> RepositoryObjects {
        let names = names(prefix: prefix)
        return try adopt(repo: SharedMemory.open(name: names.repo), pmem: SharedMemory.open(name: names.pmem))
    }

    /// Guest: maps objects received as descriptors (SCM_RIGHTS).
    public static func adopt(repo: SharedMemory, pmem: SharedMemory) throws(SyscallError) -> RepositoryObjects {
        let repository = Repository(repo: try repo.map(), pmem: try pmem.map())
        return RepositoryObjects(repo: repo, pmem: pmem, repository: repository)
    }

    /// Supervisor: removes both names (mappings stay valid until unmapped).
    public static func unlink(prefix: String) {
        let names = names(prefix: prefix)
        try? SharedMemory.unlink(name: names.repo)
        try? SharedMemory.unlink(name: names.pmem)
    }
}
