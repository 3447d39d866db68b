// SPDX-License-Identifier: Apache-2.0
/// Namespace marker for the `VDrivers` module.
public enum VDriversModule {
    /// The module's name, for diagnostics.
    public static let name = "VDrivers"
}
