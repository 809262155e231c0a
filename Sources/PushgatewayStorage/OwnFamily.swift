public import PushgatewayCore

/// A family the gateway exposes about itself (`pushgateway_*`, `process_*`): pushes may not change its
/// type, and its help wins over pushed help (upstream's predefinedHelp).
public struct OwnFamily: Hashable, Sendable {
    /// The family name.
    public var name: String
    /// Its type.
    public var type: MetricType
    /// Its help text.
    public var help: String

    /// Creates a description of an own family.
    public init(name: String, type: MetricType, help: String) {
        self.name = name
        self.type = type
        self.help = help
    }
}
