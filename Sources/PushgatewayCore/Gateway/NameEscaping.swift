// prometheus/common model escaping (EscapeName, EscapeMetricFamily in model/metric.go), which expfmt applies
// to every family before writing it when the negotiated scheme is not allow-utf-8. Names that are already
// legacy-valid by the metric-name rule (`[a-zA-Z_:][a-zA-Z0-9_:]*`, colons allowed even for label names) are
// left alone; so are exemplar labels, help, unit, values and unknown fields.

private let asciiUnderscore: UInt8 = 0x5F
private let metricNameLabel = "__name__"

extension NameEscapingScheme {
    /// Escapes one name as prometheus/common's `EscapeName` does.
    ///
    /// Rules, per Unicode scalar: `underscores` keeps a legacy-valid name and otherwise turns every character
    /// that is not allowed at its position into `_`; `dots` (applied even to legacy-valid names) turns `_` into
    /// `__`, `.` into `_dot_` and any other disallowed character into `__`; `values` keeps a legacy-valid name
    /// and otherwise writes `U__`, then `__` for `_`, allowed characters as they are, and `_<lower-case hex
    /// code point>_` for the rest; `allowUTF8` changes nothing. A digit is allowed anywhere but first.
    ///
    /// - Parameter name: A metric or label name; the empty name is returned unchanged.
    public func escape(_ name: String) -> String {
        if name.isEmpty || self == .allowUTF8 {
            return name
        }
        if self != .dots && LegacyName.isValidMetricName(name) {
            return name
        }
        var escaped: [UInt8] = []
        escaped.reserveCapacity(name.utf8.count + 8)
        if self == .values {
            escaped.append(contentsOf: [0x55, asciiUnderscore, asciiUnderscore])
        }
        var offset = 0
        for scalar in name.unicodeScalars {
            let allowed = Self.isLegacyScalar(scalar, atByteOffset: offset)
            offset += UTF8.width(scalar)
            switch self {
            case .allowUTF8:
                return name
            case .underscores:
                if allowed {
                    escaped.append(UInt8(scalar.value))
                } else {
                    escaped.append(asciiUnderscore)
                }
            case .dots:
                if scalar == "_" {
                    escaped.append(contentsOf: [asciiUnderscore, asciiUnderscore])
                } else if scalar == "." {
                    escaped.append(contentsOf: Array("_dot_".utf8))
                } else if allowed {
                    escaped.append(UInt8(scalar.value))
                } else {
                    escaped.append(contentsOf: [asciiUnderscore, asciiUnderscore])
                }
            case .values:
                if scalar == "_" {
                    escaped.append(contentsOf: [asciiUnderscore, asciiUnderscore])
                } else if allowed {
                    escaped.append(UInt8(scalar.value))
                } else {
                    escaped.append(asciiUnderscore)
                    escaped.append(contentsOf: String(scalar.value, radix: 16).utf8)
                    escaped.append(asciiUnderscore)
                }
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    /// A metric or label name as an exposition in this scheme writes it: a legacy name as it is (upstream's
    /// `EscapeMetricFamily` escapes only the others, even for `dots`), any other name escaped.
    package func exposed(_ name: String) -> String {
        self == .allowUTF8 || LegacyName.isValidMetricName(name) ? name : self.escape(name)
    }

    /// Upstream's `isValidLegacyRune`: a letter, `_`, `:`, or a digit anywhere but at byte offset 0.
    private static func isLegacyScalar(_ scalar: Unicode.Scalar, atByteOffset offset: Int) -> Bool {
        scalar.isASCII && LegacyName.isNameByte(UInt8(scalar.value), first: offset == 0, allowColon: true)
    }
}

extension MetricFamily {
    /// Whether the family name, a label name, or the value of a `__name__` label is not a legacy name, so that
    /// ``escaped(_:)`` may change the family under any scheme other than `allowUTF8`. Cheap when it is false.
    public var needsEscaping: Bool {
        !LegacyName.isValidMetricName(self.name) || self.metrics.contains { $0.needsEscaping }
    }

    /// The family as upstream's `EscapeMetricFamily` writes it for `scheme`.
    ///
    /// The family name and every label name that is not a legacy name are escaped with
    /// ``NameEscapingScheme/escape(_:)``; a `__name__` label has its value escaped instead. Everything else,
    /// exemplar labels included, is unchanged; `allowUTF8` returns the family as it is.
    ///
    /// Upstream rebuilds the protobuf messages here and so drops their unknown fields; this keeps them (the
    /// gateway round-trips unknown fields deliberately).
    public func escaped(_ scheme: NameEscapingScheme) -> MetricFamily {
        guard scheme != .allowUTF8, self.needsEscaping else {
            return self
        }
        var family = self
        if !LegacyName.isValidMetricName(self.name) {
            family.name = scheme.escape(self.name)
        }
        for index in family.metrics.indices where family.metrics[index].needsEscaping {
            family.metrics[index].labels = family.metrics[index].labels.map { label in
                if label.name == metricNameLabel {
                    let value = LegacyName.isValidMetricName(label.value) ? label.value : scheme.escape(label.value)
                    return LabelPair(name: label.name, value: value)
                }
                let name = LegacyName.isValidMetricName(label.name) ? label.name : scheme.escape(label.name)
                return LabelPair(name: name, value: label.value)
            }
        }
        return family
    }
}

extension Metric {
    /// Upstream's `metricNeedsEscaping`: a label name, or the value of `__name__`, is not a legacy name.
    fileprivate var needsEscaping: Bool {
        self.labels.contains { label in
            !LegacyName.isValidMetricName(label.name) || (label.name == metricNameLabel && !LegacyName.isValidMetricName(label.value))
        }
    }
}
