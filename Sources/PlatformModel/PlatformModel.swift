// SPDX-License-Identifier: Apache-2.0
/// Namespace marker for the `PlatformModel` module.
public enum PlatformModelModule {
    /// The module's name, for diagnostics.
    public static let name = "PlatformModel"
}
