// The text writer: what upstream's /metrics emits for a family (prometheus/common expfmt
// MetricFamilyToText), byte for byte. Escaping rules, the synthesised +Inf bucket and Go's float
// spelling are the parts clients and scrapers notice.

private let asciiNewline: UInt8 = 0x0A
private let asciiQuote: UInt8 = 0x22
private let asciiBackslash: UInt8 = 0x5C
private let asciiLowerN: UInt8 = 0x6E

/// Writes ``MetricFamily`` values in the text exposition format 0.0.4.
public enum TextFormatEncoder {
    /// Appends one family as upstream writes it: `# HELP` only when help is set, `# TYPE`, then the samples
    /// in stored order (`quantile`/`le` after the stored labels). Families without metrics write nothing,
    /// since upstream prunes them from the exposition.
    ///
    /// Samples are written from the value each metric holds; a metric without a value is skipped.
    public static func append(_ family: MetricFamily, to buffer: inout [UInt8]) {
        guard !family.metrics.isEmpty else { return }
        if let help = family.help {
            buffer.append(contentsOf: "# HELP ".utf8)
            self.appendName(family.name, to: &buffer)
            buffer.append(0x20)
            self.appendEscaped(help, quotes: false, to: &buffer)
            buffer.append(asciiNewline)
        }
        buffer.append(contentsOf: "# TYPE ".utf8)
        self.appendName(family.name, to: &buffer)
        switch family.type {
        case .counter: buffer.append(contentsOf: " counter\n".utf8)
        case .gauge: buffer.append(contentsOf: " gauge\n".utf8)
        case .summary: buffer.append(contentsOf: " summary\n".utf8)
        case .untyped: buffer.append(contentsOf: " untyped\n".utf8)
        // The 0.0.4 format has no gauge histogram; upstream writes it as a histogram.
        case .histogram, .gaugeHistogram: buffer.append(contentsOf: " histogram\n".utf8)
        }
        for metric in family.metrics {
            self.appendSamples(of: metric, name: family.name, to: &buffer)
        }
    }

    /// Appends every family in order.
    public static func append(_ families: some Sequence<MetricFamily>, to buffer: inout [UInt8]) {
        for family in families {
            self.append(family, to: &buffer)
        }
    }

    /// Encodes families into a new buffer.
    public static func encode(_ families: some Sequence<MetricFamily>) -> [UInt8] {
        var buffer: [UInt8] = []
        self.append(families, to: &buffer)
        return buffer
    }

    private static func appendSamples(of metric: Metric, name: String, to buffer: inout [UInt8]) {
        switch metric.value {
        case .counter(let counter):
            self.appendSample(name, suffix: "", metric, extra: nil, value: counter.value, to: &buffer)
        case .gauge(let value), .untyped(let value):
            self.appendSample(name, suffix: "", metric, extra: nil, value: value, to: &buffer)
        case .summary(let summary):
            for quantile in summary.quantiles {
                self.appendSample(name, suffix: "", metric, extra: ("quantile", quantile.quantile), value: quantile.value, to: &buffer)
            }
            self.appendSample(name, suffix: "_sum", metric, extra: nil, value: summary.sampleSum, to: &buffer)
            self.appendSample(name, suffix: "_count", metric, extra: nil, value: Double(summary.sampleCount), to: &buffer)
        case .histogram(let histogram):
            // A *_float field replaces its integer twin only when positive, as upstream reads it.
            let count = histogram.sampleCountFloat.flatMap { $0 > 0 ? $0 : nil } ?? Double(histogram.sampleCount)
            var sawInfinity = false
            for bucket in histogram.buckets {
                let population = bucket.cumulativeCountFloat.flatMap { $0 > 0 ? $0 : nil } ?? Double(bucket.cumulativeCount)
                self.appendSample(name, suffix: "_bucket", metric, extra: ("le", bucket.upperBound), value: population, to: &buffer)
                if bucket.upperBound == .infinity {
                    sawInfinity = true
                }
            }
            if !sawInfinity {
                self.appendSample(name, suffix: "_bucket", metric, extra: ("le", .infinity), value: count, to: &buffer)
            }
            self.appendSample(name, suffix: "_sum", metric, extra: nil, value: histogram.sampleSum, to: &buffer)
            self.appendSample(name, suffix: "_count", metric, extra: nil, value: count, to: &buffer)
        case .none:
            break
        }
    }

    private static func appendSample(
        _ name: String,
        suffix: StaticString,
        _ metric: Metric,
        extra: (name: StaticString, value: Double)?,
        value: Double,
        to buffer: inout [UInt8]
    ) {
        var separator: UInt8 = 0x7B  // {
        let legacy = withUTF8Bytes(name) { bytes in
            let legacy = self.isLegacyName(bytes)
            if legacy {
                buffer.append(contentsOf: bytes)
                suffix.withUTF8Buffer { buffer.append(contentsOf: $0) }
            } else {
                // A name that is not a legacy name goes inside the braces, quoted.
                buffer.append(separator)
                buffer.append(asciiQuote)
                self.appendEscaped(bytes, quotes: true, to: &buffer)
                suffix.withUTF8Buffer { buffer.append(contentsOf: $0) }
                buffer.append(asciiQuote)
            }
            return legacy
        }
        if !legacy {
            separator = 0x2C
        }
        if !metric.labels.isEmpty || extra != nil {
            for label in metric.labels {
                buffer.append(separator)
                separator = 0x2C
                self.appendName(label.name, to: &buffer)
                buffer.append(0x3D)
                buffer.append(asciiQuote)
                self.appendEscaped(label.value, quotes: true, to: &buffer)
                buffer.append(asciiQuote)
            }
            if let extra {
                buffer.append(separator)
                extra.name.withUTF8Buffer { buffer.append(contentsOf: $0) }
                buffer.append(0x3D)
                buffer.append(asciiQuote)
                GoFloat.appendExposition(extra.value, to: &buffer)
                buffer.append(asciiQuote)
            }
            buffer.append(0x7D)
        } else if !legacy {
            buffer.append(0x7D)
        }
        buffer.append(0x20)
        GoFloat.appendExposition(value, to: &buffer)
        if let timestamp = metric.timestampMs {
            buffer.append(0x20)
            buffer.append(contentsOf: String(timestamp).utf8)
        }
        buffer.append(asciiNewline)
    }

    /// Appends a metric or label name, quoted and escaped when it is not a legacy name.
    @inline(__always)
    private static func appendName(_ name: String, to buffer: inout [UInt8]) {
        withUTF8Bytes(name) { bytes in
            if self.isLegacyName(bytes) {
                buffer.append(contentsOf: bytes)
            } else {
                buffer.append(asciiQuote)
                self.appendEscaped(bytes, quotes: true, to: &buffer)
                buffer.append(asciiQuote)
            }
        }
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`, upstream's IsValidLegacyMetricName (used for label names too).
    static func isLegacyName(_ name: String) -> Bool {
        withUTF8Bytes(name) { self.isLegacyName($0) }
    }

    @inline(__always)
    private static func isLegacyName(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, first < 0x30 || first > 0x39 else { return false }
        for byte in bytes {
            let lower = byte | 0x20
            guard (lower >= 0x61 && lower <= 0x7A) || byte == 0x5F || byte == 0x3A || (byte >= 0x30 && byte <= 0x39) else {
                return false
            }
        }
        return true
    }

    /// Escapes `\` and newline (and `"` with `quotes`), as upstream's escaper and quotedEscaper do.
    @inline(__always)
    private static func appendEscaped(_ text: String, quotes: Bool, to buffer: inout [UInt8]) {
        withUTF8Bytes(text) { self.appendEscaped($0, quotes: quotes, to: &buffer) }
    }

    @inline(__always)
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, quotes: Bool, to buffer: inout [UInt8]) {
        var clean = 0
        while clean < bytes.count {
            let byte = bytes[clean]
            if byte == asciiBackslash || byte == asciiNewline || (quotes && byte == asciiQuote) {
                break
            }
            clean += 1
        }
        if clean == bytes.count {
            buffer.append(contentsOf: bytes)
            return
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<clean]))
        for byte in bytes[clean...] {
            switch byte {
            case asciiBackslash:
                buffer.append(asciiBackslash)
                buffer.append(asciiBackslash)
            case asciiNewline:
                buffer.append(asciiBackslash)
                buffer.append(asciiLowerN)
            case asciiQuote where quotes:
                buffer.append(asciiBackslash)
                buffer.append(asciiQuote)
            default:
                buffer.append(byte)
            }
        }
    }
}
