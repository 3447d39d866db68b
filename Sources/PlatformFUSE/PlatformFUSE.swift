// SPDX-License-Identifier: Apache-2.0
/// Namespace marker for the `PlatformFUSE` module.
public enum PlatformFUSEModule {
    /// The module's name, for diagnostics.
    public static let name = "PlatformFUSE"
}
