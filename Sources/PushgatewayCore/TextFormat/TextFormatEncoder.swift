// The text writer: what upstream's /metrics emits for a family (prometheus/common expfmt
// MetricFamilyToText), byte for byte. Escaping rules, the synthesised +Inf bucket and Go's float
// spelling are the parts clients and scrapers notice.
//
// Each family is written in one go: an upper bound of its size (every escapable byte counted twice) is
// reserved, then everything is written through a ByteWriter without per-append checks.

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
        buffer.appendWithWriter(upperBound: self.upperBound(of: family)) { writer in
            self.write(family, to: &writer)
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
        let families = Array(families)
        // One allocation of the summed bounds, written in place: no copies and page faults of a buffer
        // growing step by step, no zero-filling ahead of the writer (untouched capacity costs no memory).
        var bound = 0
        for family in families where !family.metrics.isEmpty {
            bound += self.upperBound(of: family)
        }
        return [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            guard let base = buffer.baseAddress else { return }
            var writer = ByteWriter(base, capacity: bound)
            for family in families where !family.metrics.isEmpty {
                self.write(family, to: &writer)
            }
            count = writer.cursor - base
        }
    }

    /// Appends the `# HELP` (only when `help` is set) and `# TYPE` lines of a family.
    public static func appendHeader(name: String, help: String?, type: MetricType, to buffer: inout [UInt8]) {
        let bound = 7 + (name.utf8.count * 2 + 2) * 2 + (help?.utf8.count ?? 0) * 2 + 32
        buffer.appendWithWriter(upperBound: bound) { writer in
            self.writeHeader(name: name, help: help, type: type, to: &writer)
        }
    }

    /// Appends the sample lines of one metric of the family `familyName` (one line for counters, gauges
    /// and untyped; quantiles, `_sum`, `_count` for summaries; buckets, `_sum`, `_count` for histograms).
    public static func appendSamples(of metric: Metric, familyName: String, to buffer: inout [UInt8]) {
        let family = MetricFamily(name: familyName, type: .untyped, metrics: [metric])
        buffer.appendWithWriter(upperBound: self.upperBound(of: family)) { writer in
            withUTF8Bytes(familyName) { name in
                self.writeSamples(of: metric, name: name, legacy: LegacyName.isValid(name, allowColon: true), to: &writer)
            }
        }
    }

    // MARK: Size bound

    /// The most bytes ``write(_:to:)`` can write for `family`.
    ///
    /// Strings are counted doubled (every byte escaped) only when they hold a byte that needs escaping, and
    /// the extra label and the timestamp only on lines that have them, so the bound stays close to the
    /// size written (it is what gets reserved).
    private static func upperBound(of family: MetricFamily) -> Int {
        let name = family.name.utf8.count * 2 + 2
        var bound = 7 + name + 1 + (family.help?.utf8.count ?? 0) * 2 + 1 + 7 + name + 12
        // One sample line: name and suffix (maybe quoted inside braces), braces, value, separators; then
        // its labels, the extra label (`quantile`, `le`) and the timestamp.
        let fixedLine = self.escapedBound(family.name) + 2 + 2 + 7 + 1 + GoFloat.maxLength + 1
        let extraLabel = 1 + 8 + 3 + GoFloat.maxLength
        let timestamp = 1 + 21
        for metric in family.metrics {
            var line = fixedLine + (metric.timestampMs == nil ? 0 : timestamp)
            metric.labels.withUnsafeBufferPointer { labels in
                for index in labels.indices {
                    line += self.escapedBound(labels[index].name) + self.escapedBound(labels[index].value) + 6
                }
            }
            switch metric.value {
            case .counter, .gauge, .untyped:
                bound += line
            case .summary(let summary):
                bound += summary.quantiles.count * (line + extraLabel) + 2 * line
            case .histogram(let histogram):
                bound += (histogram.buckets.count + 1) * (line + extraLabel) + 2 * line
            case .none:
                break
            }
        }
        return bound
    }

    /// The most bytes ``writeEscaped(_:quotes:to:)`` writes for `string`: its length, doubled when it has
    /// a byte to escape.
    @inline(__always)
    private static func escapedBound(_ string: String) -> Int {
        // Without contiguous UTF-8 (never for native strings), every byte counts as escaped.
        string.utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            return containsAny(of: asciiBackslash, asciiNewline, asciiQuote, in: base, count: bytes.count) ? bytes.count * 2 : bytes.count
        } ?? string.utf8.count * 2
    }

    // MARK: Writing

    private static func write(_ family: MetricFamily, to writer: inout ByteWriter) {
        self.writeHeader(name: family.name, help: family.help, type: family.type, to: &writer)
        withUTF8Bytes(family.name) { name in
            let legacy = LegacyName.isValid(name, allowColon: true)
            for metric in family.metrics {
                self.writeSamples(of: metric, name: name, legacy: legacy, to: &writer)
            }
        }
    }

    private static func writeHeader(name: String, help: String?, type: MetricType, to writer: inout ByteWriter) {
        if let help {
            writer.write("# HELP ")
            self.writeName(name, to: &writer)
            writer.write(0x20)
            withUTF8Bytes(help) { self.writeEscaped($0, quotes: false, to: &writer) }
            writer.write(asciiNewline)
        }
        writer.write("# TYPE ")
        self.writeName(name, to: &writer)
        switch type {
        case .counter: writer.write(" counter\n")
        case .gauge: writer.write(" gauge\n")
        case .summary: writer.write(" summary\n")
        case .untyped: writer.write(" untyped\n")
        // The 0.0.4 format has no gauge histogram; upstream writes it as a histogram.
        case .histogram, .gaugeHistogram: writer.write(" histogram\n")
        }
    }

    private static func writeSamples(of metric: Metric, name: UnsafeBufferPointer<UInt8>, legacy: Bool, to writer: inout ByteWriter) {
        switch metric.value {
        case .counter(let counter):
            self.writeSample(name, legacy: legacy, suffix: "", metric, extra: nil, value: counter.value, to: &writer)
        case .gauge(let value), .untyped(let value):
            self.writeSample(name, legacy: legacy, suffix: "", metric, extra: nil, value: value, to: &writer)
        case .summary(let summary):
            for quantile in summary.quantiles {
                self.writeSample(
                    name,
                    legacy: legacy,
                    suffix: "",
                    metric,
                    extra: ("quantile", quantile.quantile),
                    value: quantile.value,
                    to: &writer
                )
            }
            self.writeSample(name, legacy: legacy, suffix: "_sum", metric, extra: nil, value: summary.sampleSum, to: &writer)
            self.writeSample(name, legacy: legacy, suffix: "_count", metric, extra: nil, value: Double(summary.sampleCount), to: &writer)
        case .histogram(let histogram):
            // A *_float field replaces its integer twin only when positive, as upstream reads it.
            let count = histogram.sampleCountFloat.flatMap { $0 > 0 ? $0 : nil } ?? Double(histogram.sampleCount)
            var sawInfinity = false
            for bucket in histogram.buckets {
                let population = bucket.cumulativeCountFloat.flatMap { $0 > 0 ? $0 : nil } ?? Double(bucket.cumulativeCount)
                self.writeSample(
                    name,
                    legacy: legacy,
                    suffix: "_bucket",
                    metric,
                    extra: ("le", bucket.upperBound),
                    value: population,
                    to: &writer
                )
                if bucket.upperBound == .infinity {
                    sawInfinity = true
                }
            }
            if !sawInfinity {
                self.writeSample(name, legacy: legacy, suffix: "_bucket", metric, extra: ("le", .infinity), value: count, to: &writer)
            }
            self.writeSample(name, legacy: legacy, suffix: "_sum", metric, extra: nil, value: histogram.sampleSum, to: &writer)
            self.writeSample(name, legacy: legacy, suffix: "_count", metric, extra: nil, value: count, to: &writer)
        case .none:
            break
        }
    }

    @inline(__always)
    private static func writeSample(
        _ name: UnsafeBufferPointer<UInt8>,
        legacy: Bool,
        suffix: StaticString,
        _ metric: Metric,
        extra: (name: StaticString, value: Double)?,
        value: Double,
        to writer: inout ByteWriter
    ) {
        var separator: UInt8 = 0x7B  // {
        if legacy {
            writer.write(name)
            writer.write(suffix)
        } else {
            // A name that is not a legacy name goes inside the braces, quoted (suffix included).
            writer.write(separator)
            separator = 0x2C
            writer.write(asciiQuote)
            self.writeEscaped(name, quotes: true, to: &writer)
            writer.write(suffix)
            writer.write(asciiQuote)
        }
        if !metric.labels.isEmpty || extra != nil {
            // Through the buffer, so reading each label does not retain and release its strings.
            metric.labels.withUnsafeBufferPointer { labels in
                for index in labels.indices {
                    writer.write(separator)
                    separator = 0x2C
                    self.writeName(labels[index].name, to: &writer)
                    writer.write(0x3D)
                    writer.write(asciiQuote)
                    withUTF8Bytes(labels[index].value) { self.writeEscaped($0, quotes: true, to: &writer) }
                    writer.write(asciiQuote)
                }
            }
            if let extra {
                writer.write(separator)
                writer.write(extra.name)
                writer.write(0x3D)
                writer.write(asciiQuote)
                GoFloat.writeExposition(extra.value, to: &writer)
                writer.write(asciiQuote)
            }
            writer.write(0x7D)
        } else if !legacy {
            writer.write(0x7D)
        }
        writer.write(0x20)
        GoFloat.writeExposition(value, to: &writer)
        if let timestamp = metric.timestampMs {
            writer.write(0x20)
            if timestamp < 0 {
                writer.write(0x2D)
            }
            GoFloat.writeInteger(timestamp.magnitude, plain: true, to: &writer)
        }
        writer.write(asciiNewline)
    }

    /// Writes a metric or label name, quoted and escaped when it is not a legacy name.
    @inline(__always)
    private static func writeName(_ name: String, to writer: inout ByteWriter) {
        withUTF8Bytes(name) { bytes in
            if LegacyName.isValid(bytes, allowColon: true) {
                writer.write(bytes)
            } else {
                writer.write(asciiQuote)
                self.writeEscaped(bytes, quotes: true, to: &writer)
                writer.write(asciiQuote)
            }
        }
    }

    /// Escapes `\` and newline (and `"` with `quotes`), as upstream's escaper and quotedEscaper do.
    @inline(__always)
    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, quotes: Bool, to writer: inout ByteWriter) {
        var clean = 0
        while clean < bytes.count {
            let byte = bytes[clean]
            if byte == asciiBackslash || byte == asciiNewline || (quotes && byte == asciiQuote) {
                break
            }
            clean += 1
        }
        if clean == bytes.count {
            writer.write(bytes)
            return
        }
        writer.write(UnsafeBufferPointer(rebasing: bytes[..<clean]))
        for byte in bytes[clean...] {
            switch byte {
            case asciiBackslash:
                writer.write(asciiBackslash)
                writer.write(asciiBackslash)
            case asciiNewline:
                writer.write(asciiBackslash)
                writer.write(asciiLowerN)
            case asciiQuote where quotes:
                writer.write(asciiBackslash)
                writer.write(asciiQuote)
            default:
                writer.write(byte)
            }
        }
    }
}
