/// How metric and label names that are not legacy names are written in an exposition
/// (upstream's `escaping=` Accept/Content-Type parameter, prometheus/common model escaping schemes).
public enum NameEscapingScheme: String, Hashable, Sendable, CaseIterable {
    /// Names are written as they are (quoted in the text format when needed).
    case allowUTF8 = "allow-utf-8"
    /// Every character not allowed in a legacy name becomes `_` (upstream's default).
    case underscores
    /// `_` becomes `__`, `.` becomes `_dot_`, any other invalid character `__`.
    case dots
    /// `U__` prefix, `_` becomes `__`, invalid characters `_<hex code point>_`.
    case values
}

/// A format /metrics can answer in, as negotiated from the Accept header.
public enum ExpositionFormat: Hashable, Sendable {
    /// Text format 0.0.4.
    case text
    /// Varint-delimited protobuf `MetricFamily` messages.
    case protobufDelimited
    /// Protobuf text format, one family per block (`encoding=text`).
    case protobufText
    /// Protobuf compact text format, one family per line (`encoding=compact-text`).
    case protobufCompactText

    /// The Content-Type upstream answers with, including `; escaping=<scheme>`.
    public func contentType(escaping: NameEscapingScheme) -> String {
        switch self {
        case .text:
            "text/plain; version=0.0.4; charset=utf-8; escaping=\(escaping.rawValue)"
        case .protobufDelimited:
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=\(escaping.rawValue)"
        case .protobufText:
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text; escaping=\(escaping.rawValue)"
        case .protobufCompactText:
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=compact-text; escaping=\(escaping.rawValue)"
        }
    }
}
