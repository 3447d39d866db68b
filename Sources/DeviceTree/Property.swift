// SPDX-License-Identifier: Apache-2.0

/// A property of a node: `name = value;` (dtc's `struct property`).
public struct Property: Sendable, Hashable {
    public var name: String
    public var value: PropertyValue
    /// Labels written before the property name (`lbl: prop = …;`).
    public var labels: [String]
    /// Where the property was (last) defined.
    public var location: SourceLocation?

    public init(
        name: String, value: PropertyValue = PropertyValue(), labels: [String] = [], location: SourceLocation? = nil
    ) {
        self.name = name
        self.value = value
        self.labels = labels
        self.location = location
    }
}
