// SPDX-License-Identifier: Apache-2.0
/// Namespace marker for the `Platform` module.
public enum PlatformModule {
    /// The module's name, for diagnostics.
    public static let name = "Platform"
}
