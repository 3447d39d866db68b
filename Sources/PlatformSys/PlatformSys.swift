// SPDX-License-Identifier: Apache-2.0
/// Namespace marker for the `PlatformSys` module.
public enum PlatformSysModule {
    /// The module's name, for diagnostics.
    public static let name = "PlatformSys"
}
