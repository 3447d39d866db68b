// SPDX-License-Identifier: Apache-2.0
/// Namespace marker for the `PlatformTestSupport` module.
public enum PlatformTestSupportModule {
    /// The module's name, for diagnostics.
    public static let name = "PlatformTestSupport"
}
