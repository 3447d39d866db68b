// SPDX-License-Identifier: Apache-2.0
/// Namespace marker for the `PlatformViews` module.
public enum PlatformViewsModule {
    /// The module's name, for diagnostics.
    public static let name = "PlatformViews"
}
