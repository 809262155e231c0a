// The JSON API bodies byte for byte as upstream writes them with Go's encoding/json (prometheus/pushgateway
// api/v1/api.go, histogram/prometheus_model.go): a Go map becomes an object with its keys sorted by byte order
// (a later assignment to the same key replaces the earlier one), a struct keeps its field order, and every
// number of a metric is a string in fmt.Sprint form. Native histogram buckets carry the bounds Prometheus
// computes (Model/NativeHistogramBuckets.swift); times are RFC 3339 (Support/RFC3339Nano.swift).
//
// Plain Array appends, no size bounds: the store keeps each group's object until the group changes
// (MetricStore.metricsJSON), so a group is written once per change, not once per request.

private let asciiQuote: UInt8 = 0x22
private let asciiAmpersand: UInt8 = 0x26
private let asciiComma: UInt8 = 0x2C
private let asciiColon: UInt8 = 0x3A
private let asciiLessThan: UInt8 = 0x3C
private let asciiGreaterThan: UInt8 = 0x3E
private let asciiBackslash: UInt8 = 0x5C
private let asciiOpenBracket: UInt8 = 0x5B
private let asciiCloseBracket: UInt8 = 0x5D
private let asciiOpenBrace: UInt8 = 0x7B
private let asciiCloseBrace: UInt8 = 0x7D

/// Writes the bodies of the JSON API: `/api/v1/metrics` and `/api/v1/status`.
public enum JSONAPIEncoder {
    /// The `/api/v1/metrics` body: `{"status":"success","data":[…]}` with one object per group, no trailing
    /// newline; `"data":[]` when there are no groups.
    ///
    /// Groups are written in the order given (upstream's order is Go map iteration order, that is random).
    /// A group object has the keys `labels` (the grouping labels), `last_push_successful` and one key per
    /// family, sorted by byte order.
    /// - Parameter groups: The groups of the store, families already sanitised and sorted by name.
    /// - Returns: The UTF-8 JSON body.
    public static func metrics(_ groups: [MetricGroupSnapshot]) -> [UInt8] {
        self.metrics(groupObjects: groups.map(self.group))
    }

    /// The `/api/v1/metrics` body from group objects ``group(_:)`` wrote, in the order given.
    /// - Parameter groupObjects: One JSON object per group.
    /// - Returns: The UTF-8 JSON body.
    public static func metrics(groupObjects: [[UInt8]]) -> [UInt8] {
        let prefix = #"{"status":"success","data":["#.utf8
        var buffer: [UInt8] = []
        buffer.reserveCapacity(groupObjects.reduce(prefix.count + 2) { $0 + $1.count + 1 })
        buffer.append(contentsOf: prefix)
        for (number, object) in groupObjects.enumerated() {
            if number > 0 {
                buffer.append(asciiComma)
            }
            buffer.append(contentsOf: object)
        }
        buffer.append(contentsOf: "]}".utf8)
        return buffer
    }

    /// One group's object of the `/api/v1/metrics` body (see ``metrics(_:)``).
    /// - Parameter group: The group, families already sanitised and sorted by name.
    /// - Returns: The UTF-8 JSON object.
    public static func group(_ group: MetricGroupSnapshot) -> [UInt8] {
        var buffer: [UInt8] = []
        self.appendGroup(group, to: &buffer)
        return buffer
    }

    /// The error body of the API (upstream's `response` struct with `data` omitted):
    /// `{"status":"error","errorType":"…","error":"…"}`, no trailing newline.
    /// - Parameters:
    ///   - type: Upstream's error type, e.g. `bad_data`.
    ///   - message: What went wrong.
    /// - Returns: The UTF-8 JSON body.
    public static func error(type: String, message: String) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.append(contentsOf: #"{"status":"error","errorType":"#.utf8)
        self.appendString(type, to: &buffer)
        buffer.append(contentsOf: #","error":"#.utf8)
        self.appendString(message, to: &buffer)
        buffer.append(asciiCloseBrace)
        return buffer
    }

    /// The `/api/v1/status` body: `{"status":"success","data":{"build_information":{…},"flags":{…},"start_time":"…"}}`,
    /// map keys sorted by byte order, no trailing newline.
    /// - Parameters:
    ///   - buildInformation: `branch`, `buildDate`, `buildUser`, `goVersion`, `revision`, `version` and their values.
    ///   - flags: Every flag name (without dashes) and its value as the command line parser prints it.
    ///   - startTime: When the API was created, written in RFC 3339 with nanoseconds, in UTC.
    /// - Returns: The UTF-8 JSON body.
    public static func status(buildInformation: [String: String], flags: [String: String], startTime: Timestamp) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.append(contentsOf: #"{"status":"success","data":{"build_information":"#.utf8)
        self.appendStringMap(buildInformation.map { ($0.key, $0.value) }, to: &buffer)
        buffer.append(contentsOf: #","flags":"#.utf8)
        self.appendStringMap(flags.map { ($0.key, $0.value) }, to: &buffer)
        buffer.append(contentsOf: #","start_time":""#.utf8)
        RFC3339Nano.append(startTime, to: &buffer)
        buffer.append(contentsOf: #""}}"#.utf8)
        return buffer
    }

    // MARK: Groups and families

    private enum GroupEntry {
        case labels
        case lastPushSuccessful
        case family(Int)
    }

    private static func appendGroup(_ group: MetricGroupSnapshot, to buffer: inout [UInt8]) {
        // Upstream fills one map: "labels" and "last_push_successful" first, then one key per family. A family
        // named like either fixed key is assigned later and so replaces it.
        var entries: [[UInt8]: GroupEntry] = [Array("labels".utf8): .labels, Array("last_push_successful".utf8): .lastPushSuccessful]
        for (position, timestamped) in group.families.enumerated() {
            entries[Array(timestamped.family.name.utf8)] = .family(position)
        }
        buffer.append(asciiOpenBrace)
        for (number, (key, entry)) in entries.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }).enumerated() {
            if number > 0 {
                buffer.append(asciiComma)
            }
            self.appendString(key, to: &buffer)
            buffer.append(asciiColon)
            switch entry {
            case .labels:
                self.appendStringMap(group.key.labels.map { ($0.name, $0.value) }, to: &buffer)
            case .lastPushSuccessful:
                buffer.append(contentsOf: (group.lastPushSuccessful ? "true" : "false").utf8)
            case .family(let position):
                self.appendFamily(group.families[position], to: &buffer)
            }
        }
        buffer.append(asciiCloseBrace)
    }

    /// Appends a family as upstream's `metrics` struct: `time_stamp`, `type`, `help` (omitted when empty), `metrics`.
    private static func appendFamily(_ timestamped: MetricGroupSnapshot.TimestampedFamily, to buffer: inout [UInt8]) {
        let family = timestamped.family
        buffer.append(contentsOf: #"{"time_stamp":""#.utf8)
        RFC3339Nano.append(timestamped.time, to: &buffer)
        buffer.append(contentsOf: #"","type":""#.utf8)
        buffer.append(contentsOf: family.type.protobufName.utf8)
        buffer.append(asciiQuote)
        if let help = family.help, !help.isEmpty {
            buffer.append(contentsOf: #","help":"#.utf8)
            self.appendString(help, to: &buffer)
        }
        buffer.append(contentsOf: #","metrics":["#.utf8)
        for (number, metric) in family.metrics.enumerated() {
            if number > 0 {
                buffer.append(asciiComma)
            }
            self.appendMetric(metric, type: family.type, to: &buffer)
        }
        buffer.append(contentsOf: "]}".utf8)
    }

    // MARK: Metrics

    /// Appends one metric as upstream's `encodableMetric` map (keys sorted). Upstream switches on the family
    /// type, not on the value: a value of another kind reads as Go's zero value.
    private static func appendMetric(_ metric: Metric, type: MetricType, to buffer: inout [UInt8]) {
        switch type {
        case .summary:
            let summary: Summary
            if case .summary(let value) = metric.value {
                summary = value
            } else {
                summary = Summary()
            }
            buffer.append(contentsOf: #"{"count":""#.utf8)
            self.appendUInt(summary.sampleCount, to: &buffer)
            buffer.append(contentsOf: #"","labels":"#.utf8)
            self.appendLabels(metric.labels, to: &buffer)
            buffer.append(contentsOf: #","quantiles":"#.utf8)
            self.appendStringMap(summary.quantiles.map { (GoFloat.format($0.quantile), GoFloat.format($0.value)) }, to: &buffer)
            buffer.append(contentsOf: #","sum":""#.utf8)
            GoFloat.append(summary.sampleSum, to: &buffer)
            buffer.append(contentsOf: #""}"#.utf8)
        case .histogram:
            let histogram: Histogram
            if case .histogram(let value) = metric.value {
                histogram = value
            } else {
                histogram = Histogram()
            }
            buffer.append(contentsOf: #"{"buckets":"#.utf8)
            if histogram.isNative {
                self.appendNativeBuckets(histogram.nativeBuckets, to: &buffer)
                buffer.append(contentsOf: #","count":""#.utf8)
                if histogram.isFloat {
                    GoFloat.append(histogram.sampleCountFloat ?? 0, to: &buffer)
                } else {
                    self.appendUInt(histogram.sampleCount, to: &buffer)
                }
            } else {
                self.appendStringMap(
                    histogram.buckets.map { bucket in
                        let population =
                            if let float = bucket.cumulativeCountFloat, float > 0 {
                                GoFloat.format(float)
                            } else {
                                String(bucket.cumulativeCount)
                            }
                        return (GoFloat.format(bucket.upperBound), population)
                    },
                    to: &buffer
                )
                buffer.append(contentsOf: #","count":""#.utf8)
                if let float = histogram.sampleCountFloat, float > 0 {
                    GoFloat.append(float, to: &buffer)
                } else {
                    self.appendUInt(histogram.sampleCount, to: &buffer)
                }
            }
            buffer.append(contentsOf: #"","labels":"#.utf8)
            self.appendLabels(metric.labels, to: &buffer)
            buffer.append(contentsOf: #","sum":""#.utf8)
            GoFloat.append(histogram.sampleSum, to: &buffer)
            buffer.append(contentsOf: #""}"#.utf8)
        case .counter, .gauge, .untyped, .gaugeHistogram:
            // Upstream's default branch reads a gauge, counter or untyped value and 0 for anything else, so a
            // gauge histogram shows "value":"0".
            let value: Double
            switch metric.value {
            case .gauge(let gauge), .untyped(let gauge): value = gauge
            case .counter(let counter): value = counter.value
            case .summary, .histogram, .none: value = 0
            }
            buffer.append(contentsOf: #"{"labels":"#.utf8)
            self.appendLabels(metric.labels, to: &buffer)
            buffer.append(contentsOf: #","value":""#.utf8)
            GoFloat.append(value, to: &buffer)
            buffer.append(contentsOf: #""}"#.utf8)
        }
    }

    /// Appends native buckets as upstream's `BucketsAsJSON`: `[boundaries,"lower","upper","count"]` each.
    private static func appendNativeBuckets(_ buckets: [NativeBucket], to buffer: inout [UInt8]) {
        buffer.append(asciiOpenBracket)
        for (number, bucket) in buckets.enumerated() {
            if number > 0 {
                buffer.append(asciiComma)
            }
            buffer.append(asciiOpenBracket)
            buffer.append(0x30 + bucket.boundaries)
            buffer.append(contentsOf: #",""#.utf8)
            GoFloat.append(bucket.lower, to: &buffer)
            buffer.append(contentsOf: #"",""#.utf8)
            GoFloat.append(bucket.upper, to: &buffer)
            buffer.append(contentsOf: #"",""#.utf8)
            switch bucket.count {
            case .integer(let count): self.appendUInt(count, to: &buffer)
            case .float(let count): GoFloat.append(count, to: &buffer)
            }
            buffer.append(contentsOf: #""]"#.utf8)
        }
        buffer.append(asciiCloseBracket)
    }

    // MARK: Maps and strings

    private static func appendLabels(_ labels: [LabelPair], to buffer: inout [UInt8]) {
        self.appendStringMap(labels.map { ($0.name, $0.value) }, to: &buffer)
    }

    /// Appends a Go `map[string]string` built by assigning `entries` in order: keys sorted by byte order, the
    /// last value of a repeated key wins.
    private static func appendStringMap(_ entries: [(key: String, value: String)], to buffer: inout [UInt8]) {
        buffer.append(asciiOpenBrace)
        // Labels arrive sorted and unique, so the common case needs no map.
        if zip(entries, entries.dropFirst()).allSatisfy({ $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            for (number, entry) in entries.enumerated() {
                if number > 0 {
                    buffer.append(asciiComma)
                }
                self.appendString(entry.key, to: &buffer)
                buffer.append(asciiColon)
                self.appendString(entry.value, to: &buffer)
            }
        } else {
            // Keyed by bytes: Swift string equality is canonical equivalence, Go's is byte equality.
            var values: [[UInt8]: String] = [:]
            for entry in entries {
                values[Array(entry.key.utf8)] = entry.value
            }
            for (number, (key, value)) in values.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }).enumerated() {
                if number > 0 {
                    buffer.append(asciiComma)
                }
                self.appendString(key, to: &buffer)
                buffer.append(asciiColon)
                self.appendString(value, to: &buffer)
            }
        }
        buffer.append(asciiCloseBrace)
    }

    private static func appendString(_ string: String, to buffer: inout [UInt8]) {
        withUTF8Bytes(string) { self.appendString($0, to: &buffer) }
    }

    private static func appendString(_ bytes: [UInt8], to buffer: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { self.appendString($0, to: &buffer) }
    }

    /// Appends a JSON string as Go's encoding/json writes it with HTML escaping (the json.Marshal default):
    /// `"` and `\` backslashed; `\b`, `\f`, `\n`, `\r`, `\t` (`\b` and `\f` since Go 1.22); other bytes
    /// below 0x20 and `<`, `>`, `&` as `\u00XX`; U+2028 and U+2029 as `\u2028`, `\u2029`. Go also replaces
    /// invalid UTF-8 with `\ufffd`; a Swift string is always valid UTF-8.
    private static func appendString(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        buffer.append(asciiQuote)
        var start = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x80 {
                // U+2028 and U+2029 (E2 80 A8, E2 80 A9) end a line in JavaScript, so Go escapes them.
                if byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80, bytes[index + 2] & 0xFE == 0xA8 {
                    buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                    buffer.append(contentsOf: (bytes[index + 2] == 0xA8 ? #"\u2028"# : #"\u2029"#).utf8)
                    index += 3
                    start = index
                } else {
                    index += 1
                }
                continue
            }
            if byte >= 0x20, byte != asciiQuote, byte != asciiBackslash, byte != asciiLessThan, byte != asciiGreaterThan,
                byte != asciiAmpersand
            {
                index += 1
                continue
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
            self.appendEscaped(byte, to: &buffer)
            index += 1
            start = index
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        buffer.append(asciiQuote)
    }

    /// Appends the escape of an ASCII byte that may not appear as is.
    private static func appendEscaped(_ byte: UInt8, to buffer: inout [UInt8]) {
        switch byte {
        case asciiQuote, asciiBackslash:
            buffer.append(asciiBackslash)
            buffer.append(byte)
        case 0x08: buffer.append(contentsOf: #"\b"#.utf8)
        case 0x0C: buffer.append(contentsOf: #"\f"#.utf8)
        case 0x0A: buffer.append(contentsOf: #"\n"#.utf8)
        case 0x0D: buffer.append(contentsOf: #"\r"#.utf8)
        case 0x09: buffer.append(contentsOf: #"\t"#.utf8)
        default:
            buffer.append(contentsOf: #"\u00"#.utf8)
            HexDigits.append(byte, uppercase: false, to: &buffer)
        }
    }

    private static func appendUInt(_ value: UInt64, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: String(value).utf8)
    }
}
