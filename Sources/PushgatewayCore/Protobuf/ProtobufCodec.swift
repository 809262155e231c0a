// The only file that sees protobuf-c. Decoding unpacks one frame at a time into an arena, copies every
// string and array into Swift values at once, then resets the arena; encoding builds the C structs in an
// arena, packs them and resets it. No C pointer outlives the call that created it.
//
// Names, label values, help and unit cross the C boundary as `bytes` (pointer and length, see
// Proto/metrics.proto), never as C strings: a NUL byte inside one must not cut it short.

private import CProtobuf

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads and writes varint-delimited `io.prometheus.client.MetricFamily` streams
/// (`application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited`).
public struct ProtobufCodec: Sendable {
    /// Codec options.
    public struct Options: Hashable, Sendable {
        /// The largest message (frame) accepted, in bytes. Upstream sets no limit; the default here is
        /// the largest length protobuf itself allows.
        public var maxMessageSize: Int

        /// What one push may hold (labels per series, bytes per name or label value, series per push),
        /// enforced by ``decodeDelimited(_:)``.
        public var limits: PushLimits

        /// Creates options.
        public init(maxMessageSize: Int = 0x7FFF_FFFF, limits: PushLimits = .default) {
            self.maxMessageSize = maxMessageSize
            self.limits = limits
        }
    }

    /// The options in force.
    public var options: Options

    /// Creates a codec.
    public init(options: Options = Options()) {
        self.options = options
    }

    // MARK: Decoding

    /// Decodes a whole delimited stream, as a push carries it.
    ///
    /// Beyond the wire format this refuses what a push must not hold: a family without a name, a metric or
    /// label name holding a NUL byte, and anything over ``Options/limits``.
    ///
    /// - Returns: the families in stream order (duplicates are kept; the gateway lets the last one win).
    /// - Throws: ``ProtobufCodecError`` naming the failing message and the offset of its frame.
    public func decodeDelimited(_ bytes: some Collection<UInt8>) throws(ProtobufCodecError) -> [MetricFamily] {
        let result: Result<[MetricFamily], ProtobufCodecError>? = bytes.withContiguousStorageIfAvailable { buffer in
            self.decodeDelimited(UnsafeRawBufferPointer(buffer))
        }
        if let result {
            return try result.get()
        }
        return try Array(bytes).withUnsafeBytes { self.decodeDelimited($0) }.get()
    }

    /// Decodes one message that is not length-prefixed: the gateway's own encodings (stored families,
    /// whose name may be left out, and the persistence file), so no push rules beyond the wire format,
    /// UTF-8 and NUL-free names apply.
    public func decodeMessage(_ bytes: some Collection<UInt8>) throws(ProtobufCodecError) -> MetricFamily {
        let decode: (UnsafeRawBufferPointer) -> Result<MetricFamily, ProtobufCodecError> = { buffer in
            Self.withArena { arena in
                Result { () throws(ProtobufCodecError) in
                    let frame = DelimitedFrameReader.Frame(message: buffer, offset: 0, index: 0)
                    var rules = PushRules.ownEncodings
                    return try Self.decodeFrame(frame, arena: arena, rules: &rules)
                }
            }
        }
        if let result = bytes.withContiguousStorageIfAvailable({ decode(UnsafeRawBufferPointer($0)) }) {
            return try result.get()
        }
        return try Array(bytes).withUnsafeBytes(decode).get()
    }

    private func decodeDelimited(_ buffer: UnsafeRawBufferPointer) -> Result<[MetricFamily], ProtobufCodecError> {
        Self.withArena { arena in
            Result { () throws(ProtobufCodecError) in
                var reader = DelimitedFrameReader(buffer, maxMessageSize: self.options.maxMessageSize)
                var families: [MetricFamily] = []
                var rules = PushRules(limits: self.options.limits, requiresNames: true)
                while let frame = try reader.next() {
                    families.append(try Self.decodeFrame(frame, arena: arena, rules: &rules))
                    CProtobuf_arenaReset(arena)
                }
                return families
            }
        }
    }

    private static func withArena<Result>(_ body: (OpaquePointer) -> Result) -> Result {
        guard let arena = CProtobuf_arenaCreate() else {
            // Out of memory before any input was looked at: nothing sensible is left to do.
            fatalError("out of memory creating a protobuf arena")
        }
        defer { CProtobuf_arenaDestroy(arena) }
        return body(arena)
    }

    private static func decodeFrame(
        _ frame: DelimitedFrameReader.Frame,
        arena: OpaquePointer,
        rules: inout PushRules
    ) throws(ProtobufCodecError) -> MetricFamily {
        guard let family = CProtobuf_unpackMetricFamily(arena, frame.message.baseAddress, frame.message.count) else {
            throw ProtobufCodecError(
                .malformedMessage,
                messageIndex: frame.index,
                offset: frame.offset,
                message: "invalid MetricFamily message of \(frame.message.count) bytes (bad field, wire type or length)",
                // Go's decoder reports a field running past the end as a truncation and anything else as
                // invalid wire format; protobuf-c does not say which, so the message's top level is scanned.
                goText: DelimitedFrameReader.topLevelFieldsAreTruncated(frame.message)
                    ? "unexpected EOF" : "proto: cannot parse invalid wire-format data"
            )
        }
        var converter = CConverter(frame: frame, limits: rules.limits, requiresName: rules.requiresNames)
        // Counted before anything is copied: a push over the limit costs no Swift values.
        let seriesLimit = rules.limits.maxSeriesPerPush
        guard family.pointee.n_metric <= seriesLimit - rules.series else {
            throw converter.error(
                .limitExceeded,
                "the push holds more than \(seriesLimit) series; the limit is \(seriesLimit) series per push"
            )
        }
        rules.series += family.pointee.n_metric
        return try converter.family(family.pointee)
    }

    // MARK: Encoding

    /// Appends each family as one length-prefixed message.
    public func appendDelimited(_ families: some Sequence<MetricFamily>, to buffer: inout [UInt8]) {
        Self.withArena { arena in
            var builder = CBuilder(arena: arena)
            for family in families {
                let message = builder.family(family)
                let size = CProtobuf_packedSizeOfMetricFamily(message)
                WireWriter.appendVarint(UInt64(size), to: &buffer)
                Self.pack(message, size: size, to: &buffer)
                builder.reset()
            }
        }
    }

    /// Encodes families as a delimited stream.
    public func encodeDelimited(_ families: some Sequence<MetricFamily>) -> [UInt8] {
        let families = Array(families)
        // One allocation of a bound of the whole stream, each frame packed straight into it: no copies and
        // page faults of a buffer grown family by family, no zero-filling ahead of protobuf-c (capacity
        // never written costs no memory).
        var bound = 0
        for family in families {
            bound += 10 + EncodedSizeBound.family(family)
        }
        var packed = 0
        var buffer = Self.withArena { arena in
            [UInt8](unsafeUninitializedCapacity: bound) { output, count in
                count = 0
                guard let base = output.baseAddress else { return }
                var builder = CBuilder(arena: arena)
                for family in families {
                    let message = builder.family(family)
                    let size = CProtobuf_packedSizeOfMetricFamily(message)
                    // Never past the reservation, even if the bound were wrong: the rest is appended below.
                    guard size <= bound - count - 10 else { break }
                    count += WireWriter.writeVarint(UInt64(size), to: UnsafeMutableBufferPointer(rebasing: output[count...]))
                    count += CProtobuf_packMetricFamily(message, base + count)
                    builder.reset()
                    packed += 1
                }
            }
        }
        if packed < families.count {
            assertionFailure("the size bound of a stream fell short")
            self.appendDelimited(families[packed...], to: &buffer)
        }
        return buffer
    }

    /// Encodes one family as a message without a length prefix.
    public func encodeMessage(_ family: MetricFamily) -> [UInt8] {
        Self.withArena { arena in
            var builder = CBuilder(arena: arena)
            let message = builder.family(family)
            var buffer: [UInt8] = []
            Self.pack(message, size: CProtobuf_packedSizeOfMetricFamily(message), to: &buffer)
            return buffer
        }
    }

    /// Encodes one `Metric` message (no length prefix), as it appears inside a family's field 4.
    ///
    /// The store caches these per series and assembles families from them without re-encoding.
    public func encodeMetric(_ metric: Metric) -> [UInt8] {
        self.encodeMetrics([metric])[0]
    }

    /// Encodes each metric as ``encodeMetric(_:)`` does, sharing one arena.
    public func encodeMetrics(_ metrics: [Metric]) -> [[UInt8]] {
        Self.withArena { arena in
            var builder = CBuilder(arena: arena)
            return metrics.map { metric in
                defer { builder.reset() }
                let message = builder.metric(metric)
                let size = CProtobuf_packedSizeOfMetric(message)
                return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                    count = size > 0 ? CProtobuf_packMetric(message, buffer.baseAddress!) : 0
                }
            }
        }
    }

    private static func pack(_ message: UnsafePointer<Io__Prometheus__Client__MetricFamily>, size: Int, to buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: size))
        buffer.withUnsafeMutableBytes { bytes in
            _ = CProtobuf_packMetricFamily(message, bytes.baseAddress! + start)
        }
    }
}

/// What a decode must enforce beyond the wire format, and the series counted so far.
private struct PushRules {
    let limits: PushLimits
    /// Whether a family must have a non-empty name (pushes); stored families leave their name out.
    let requiresNames: Bool
    var series = 0

    /// For the gateway's own encodings: no limits, no name required.
    static var ownEncodings: PushRules { PushRules(limits: .unlimited, requiresNames: false) }
}

// MARK: - C to Swift

/// Copies one unpacked family into Swift values.
private struct CConverter {
    let frame: DelimitedFrameReader.Frame
    let limits: PushLimits
    let requiresName: Bool
    // The previous metric's labels: series of one family mostly repeat label names and many values, so
    // comparing bytes usually replaces creating a String.
    private var previousLabels: [LabelPair] = []

    init(frame: DelimitedFrameReader.Frame, limits: PushLimits, requiresName: Bool) {
        self.frame = frame
        self.limits = limits
        self.requiresName = requiresName
    }

    func error(_ code: ProtobufCodecError.Code, _ message: String) -> ProtobufCodecError {
        ProtobufCodecError(code, messageIndex: self.frame.index, offset: self.frame.offset, message: message)
    }

    /// The bytes of a `bytes` field (empty when absent).
    @inline(__always)
    private static func bytes(_ data: ProtobufCBinaryData) -> UnsafeRawBufferPointer {
        guard data.len > 0, let base = data.data else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base, count: data.len)
    }

    /// A metric or label name: valid UTF-8, no NUL byte, within the byte limit; `candidate` when the bytes
    /// equal it (then already checked).
    @inline(__always)
    private func name(
        _ data: ProtobufCBinaryData,
        reusing candidate: String? = nil,
        field: @autoclosure () -> String
    ) throws(ProtobufCodecError) -> String {
        let bytes = Self.bytes(data)
        if let candidate, Self.equal(candidate, bytes) {
            return candidate
        }
        let string = try self.string(bytes, field: field())
        if let base = bytes.baseAddress, memchr(base, 0, bytes.count) != nil {
            throw self.error(.invalidName, "\(field()) holds a NUL byte: \(GoQuote.string(bytes))")
        }
        return string
    }

    /// A label value: valid UTF-8 within the byte limit, every byte kept (NUL included); `candidate` when the
    /// bytes equal it.
    @inline(__always)
    private func value(
        _ data: ProtobufCBinaryData,
        reusing candidate: String?,
        field: @autoclosure () -> String
    ) throws(ProtobufCodecError) -> String {
        let bytes = Self.bytes(data)
        if let candidate, Self.equal(candidate, bytes) {
            return candidate
        }
        return try self.string(bytes, field: field())
    }

    @inline(__always)
    private static func equal(_ string: String, _ bytes: UnsafeRawBufferPointer) -> Bool {
        withUTF8Bytes(string) { utf8 in
            utf8.count == bytes.count && (bytes.count == 0 || memcmp(utf8.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        }
    }

    /// A string that must be valid UTF-8 and within the byte limit (names and label values; upstream checks
    /// label values later).
    private func string(_ bytes: UnsafeRawBufferPointer, field: @autoclosure () -> String) throws(ProtobufCodecError) -> String {
        guard bytes.count <= self.limits.maxNameOrValueBytes else {
            throw self.error(
                .limitExceeded,
                "\(field()) is \(bytes.count) bytes long; the limit is \(self.limits.maxNameOrValueBytes) bytes per name or label value"
            )
        }
        guard let string = makeValidatedString(bytes) else {
            throw self.error(.invalidUTF8, "\(field()) is not valid UTF-8: \(GoQuote.string(bytes))")
        }
        return string
    }

    /// A string upstream never validates (help, unit, exemplar labels): every byte kept, invalid UTF-8
    /// repaired.
    private func text(_ data: ProtobufCBinaryData) -> String {
        String(decoding: Self.bytes(data), as: UTF8.self)
    }

    /// ``text(_:)`` of an optional field; nil when absent.
    private func text(_ data: ProtobufCBinaryData, present: protobuf_c_boolean) -> String? {
        present != 0 ? self.text(data) : nil
    }

    mutating func family(_ family: Io__Prometheus__Client__MetricFamily) throws(ProtobufCodecError) -> MetricFamily {
        let name = try self.name(family.name, field: "metric name")
        if name.isEmpty && self.requiresName {
            // Written as `# TYPE "" gauge`, it would make the whole text exposition unreadable.
            throw self.error(.invalidName, "metric family without a name (every family needs a non-empty name)")
        }
        var type = MetricType.counter
        if family.has_type != 0 {
            guard let known = MetricType(rawValue: Int32(bitPattern: family.type.rawValue)) else {
                throw self.error(.invalidEnumValue, "unknown metric type \(family.type.rawValue) for metric \(GoQuote.string(name))")
            }
            type = known
        }
        var metrics: [Metric] = []
        metrics.reserveCapacity(family.n_metric)
        for index in 0..<family.n_metric {
            guard let metric = family.metric[index] else { continue }
            metrics.append(try self.metric(metric.pointee, type: type, family: name))
        }
        return MetricFamily(
            name: name,
            help: self.text(family.help, present: family.has_help),
            type: type,
            unit: self.text(family.unit, present: family.has_unit),
            metrics: metrics,
            unknownFields: try self.unknownFields(family.base)
        )
    }

    private mutating func metric(
        _ metric: Io__Prometheus__Client__Metric,
        type: MetricType,
        family: String
    ) throws(ProtobufCodecError) -> Metric {
        let labels = try self.labels(metric.label, count: metric.n_label, owner: family)
        self.previousLabels = labels
        // Prefer the value message that matches the family type; otherwise the first present.
        let value: MetricValue
        switch type {
        case .counter where metric.counter != nil: value = .counter(self.counter(metric.counter.pointee))
        case .gauge where metric.gauge != nil: value = .gauge(metric.gauge.pointee.value)
        case .untyped where metric.untyped != nil: value = .untyped(metric.untyped.pointee.value)
        case .summary where metric.summary != nil: value = .summary(try self.summary(metric.summary.pointee, family: family))
        case .histogram where metric.histogram != nil, .gaugeHistogram where metric.histogram != nil:
            value = .histogram(try self.histogram(metric.histogram.pointee, family: family))
        default:
            if let gauge = metric.gauge {
                value = .gauge(gauge.pointee.value)
            } else if let counter = metric.counter {
                value = .counter(self.counter(counter.pointee))
            } else if let summary = metric.summary {
                value = .summary(try self.summary(summary.pointee, family: family))
            } else if let untyped = metric.untyped {
                value = .untyped(untyped.pointee.value)
            } else if let histogram = metric.histogram {
                value = .histogram(try self.histogram(histogram.pointee, family: family))
            } else {
                value = .none
            }
        }
        return Metric(
            labels: labels,
            value: value,
            timestampMs: metric.has_timestamp_ms != 0 ? metric.timestamp_ms : nil,
            unknownFields: try self.unknownFields(metric.base)
        )
    }

    private func labels(
        _ pairs: UnsafeMutablePointer<UnsafeMutablePointer<Io__Prometheus__Client__LabelPair>?>?,
        count: Int,
        owner: String
    ) throws(ProtobufCodecError) -> [LabelPair] {
        guard let pairs, count > 0 else { return [] }
        guard count <= self.limits.maxLabelsPerSeries else {
            throw self.error(
                .limitExceeded,
                "a series of metric \(GoQuote.string(owner)) has \(count) labels; the limit is \(self.limits.maxLabelsPerSeries) labels per series"
            )
        }
        var labels: [LabelPair] = []
        labels.reserveCapacity(count)
        for index in 0..<count {
            guard let pair = pairs[index]?.pointee else { continue }
            let previous = index < self.previousLabels.count ? self.previousLabels[index] : nil
            let name = try self.name(pair.name, reusing: previous?.name, field: "label name of metric \(GoQuote.string(owner))")
            let value = try self.value(
                pair.value,
                reusing: previous?.value,
                field: "value of label \(GoQuote.string(name)) of metric \(GoQuote.string(owner))"
            )
            labels.append(LabelPair(name: name, value: value))
        }
        return labels
    }

    private func timestamp(_ pointer: UnsafeMutablePointer<Google__Protobuf__Timestamp>?) -> Timestamp? {
        guard let pointer else { return nil }
        return Timestamp(seconds: pointer.pointee.seconds, nanos: pointer.pointee.nanos)
    }

    private func exemplar(_ pointer: UnsafeMutablePointer<Io__Prometheus__Client__Exemplar>?) -> Exemplar? {
        guard let exemplar = pointer?.pointee else { return nil }
        // Exemplar labels are not series labels: repair rather than reject, as upstream never checks them.
        var labels: [LabelPair] = []
        labels.reserveCapacity(exemplar.n_label)
        for index in 0..<exemplar.n_label {
            guard let pair = exemplar.label[index]?.pointee else { continue }
            labels.append(
                LabelPair(name: self.text(pair.name), value: self.text(pair.value))
            )
        }
        return Exemplar(labels: labels, value: exemplar.value, timestamp: self.timestamp(exemplar.timestamp))
    }

    private func counter(_ counter: Io__Prometheus__Client__Counter) -> Counter {
        Counter(
            value: counter.value,
            exemplar: self.exemplar(counter.exemplar),
            createdTimestamp: self.timestamp(counter.created_timestamp)
        )
    }

    private func summary(_ summary: Io__Prometheus__Client__Summary, family: String) throws(ProtobufCodecError) -> Summary {
        var quantiles: [Quantile] = []
        quantiles.reserveCapacity(summary.n_quantile)
        for index in 0..<summary.n_quantile {
            guard let quantile = summary.quantile[index]?.pointee else { continue }
            quantiles.append(Quantile(quantile: quantile.quantile, value: quantile.value))
        }
        return Summary(
            sampleCount: summary.sample_count,
            sampleSum: summary.sample_sum,
            quantiles: quantiles,
            createdTimestamp: self.timestamp(summary.created_timestamp),
            hasSampleCount: summary.has_sample_count != 0,
            hasSampleSum: summary.has_sample_sum != 0
        )
    }

    private func spans(
        _ spans: UnsafeMutablePointer<UnsafeMutablePointer<Io__Prometheus__Client__BucketSpan>?>?,
        count: Int
    ) -> [BucketSpan] {
        guard let spans, count > 0 else { return [] }
        return (0..<count).compactMap { index in
            spans[index].map { BucketSpan(offset: $0.pointee.offset, length: $0.pointee.length) }
        }
    }

    private func histogram(_ histogram: Io__Prometheus__Client__Histogram, family: String) throws(ProtobufCodecError) -> Histogram {
        var buckets: [Bucket] = []
        buckets.reserveCapacity(histogram.n_bucket)
        for index in 0..<histogram.n_bucket {
            guard let bucket = histogram.bucket[index]?.pointee else { continue }
            buckets.append(
                Bucket(
                    cumulativeCount: bucket.cumulative_count,
                    cumulativeCountFloat: bucket.has_cumulative_count_float != 0 ? bucket.cumulative_count_float : nil,
                    upperBound: bucket.upper_bound,
                    exemplar: self.exemplar(bucket.exemplar)
                )
            )
        }
        var exemplars: [Exemplar] = []
        for index in 0..<histogram.n_exemplars {
            if let exemplar = self.exemplar(histogram.exemplars[index]) {
                exemplars.append(exemplar)
            }
        }
        return Histogram(
            sampleCount: histogram.sample_count,
            sampleCountFloat: histogram.has_sample_count_float != 0 ? histogram.sample_count_float : nil,
            sampleSum: histogram.sample_sum,
            buckets: buckets,
            createdTimestamp: self.timestamp(histogram.created_timestamp),
            schema: histogram.has_schema != 0 ? histogram.schema : nil,
            zeroThreshold: histogram.has_zero_threshold != 0 ? histogram.zero_threshold : nil,
            zeroCount: histogram.has_zero_count != 0 ? histogram.zero_count : nil,
            zeroCountFloat: histogram.has_zero_count_float != 0 ? histogram.zero_count_float : nil,
            negativeSpans: self.spans(histogram.negative_span, count: histogram.n_negative_span),
            negativeDeltas: Self.array(histogram.negative_delta, count: histogram.n_negative_delta),
            negativeCounts: Self.array(histogram.negative_count, count: histogram.n_negative_count),
            positiveSpans: self.spans(histogram.positive_span, count: histogram.n_positive_span),
            positiveDeltas: Self.array(histogram.positive_delta, count: histogram.n_positive_delta),
            positiveCounts: Self.array(histogram.positive_count, count: histogram.n_positive_count),
            exemplars: exemplars,
            unknownFields: try self.unknownFields(histogram.base),
            hasSampleCount: histogram.has_sample_count != 0,
            hasSampleSum: histogram.has_sample_sum != 0
        )
    }

    private static func array<Element>(_ pointer: UnsafeMutablePointer<Element>?, count: Int) -> [Element] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    func unknownFields(_ base: ProtobufCMessage) throws(ProtobufCodecError) -> UnknownFields {
        guard base.n_unknown_fields > 0, let fields = base.unknown_fields else { return UnknownFields() }
        var result: [UnknownFields.Field] = []
        result.reserveCapacity(Int(base.n_unknown_fields))
        for index in 0..<Int(base.n_unknown_fields) {
            let field = fields[index]
            // protobuf-c reads a field number 0 in an over-long tag (`81 00`) as an unknown field, but refuses
            // the same tag written short, as it would be stored; Go refuses field 0 outright.
            guard field.tag != 0 else {
                throw ProtobufCodecError(
                    .malformedMessage,
                    messageIndex: self.frame.index,
                    offset: self.frame.offset,
                    message: "field number 0 in a MetricFamily message",
                    goText: "proto: cannot parse invalid wire-format data"
                )
            }
            let payload = field.len > 0 && field.data != nil ? Array(UnsafeBufferPointer(start: field.data, count: field.len)) : []
            result.append(UnknownFields.Field(number: field.tag, wireType: field.wire_type.rawValue, payload: payload))
        }
        return UnknownFields(result)
    }
}

// MARK: - Size bound

/// An upper bound of the protobuf encoding of model values, computed from the model alone (for reserving
/// output space before protobuf-c sizes the real message). Every field is counted as present, with the
/// widest tag, length prefix and varint.
private enum EncodedSizeBound {
    private static let varint = 2 + 10
    private static let fixed64 = 2 + 8
    private static let header = 2 + 5

    static func family(_ family: MetricFamily) -> Int {
        var bound = self.header * 3 + family.name.utf8.count + (family.help?.utf8.count ?? 0) + (family.unit?.utf8.count ?? 0)
        bound += self.varint + self.unknownFields(family.unknownFields)
        family.metrics.withUnsafeBufferPointer { metrics in
            for index in metrics.indices {
                bound += self.header + self.metric(metrics[index])
            }
        }
        return bound
    }

    private static func metric(_ metric: Metric) -> Int {
        var bound = self.labels(metric.labels) + self.varint + self.unknownFields(metric.unknownFields)
        switch metric.value {
        case .counter(let counter):
            bound += self.header + self.fixed64 + self.exemplar(counter.exemplar) + self.timestamp
        case .gauge, .untyped:
            bound += self.header + self.fixed64
        case .summary(let summary):
            bound += self.header + self.varint + self.fixed64 + self.timestamp
            bound += summary.quantiles.count * (self.header + 2 * self.fixed64)
        case .histogram(let histogram):
            bound += self.histogram(histogram)
        case .none:
            break
        }
        return bound
    }

    private static func histogram(_ histogram: Histogram) -> Int {
        var bound = self.header + 3 * self.varint + 4 * self.fixed64 + self.timestamp
        bound += self.unknownFields(histogram.unknownFields)
        for bucket in histogram.buckets {
            bound += self.header + self.varint + 2 * self.fixed64 + self.exemplar(bucket.exemplar)
        }
        bound += (histogram.negativeSpans.count + histogram.positiveSpans.count) * (self.header + 2 * self.varint)
        // Repeated scalars are not packed in this proto2 schema: a tag per element.
        bound += (histogram.negativeDeltas.count + histogram.positiveDeltas.count) * self.varint
        bound += (histogram.negativeCounts.count + histogram.positiveCounts.count) * self.fixed64
        for exemplar in histogram.exemplars {
            bound += self.header + self.exemplar(exemplar)
        }
        return bound
    }

    private static let timestamp = header + 2 * varint

    private static func exemplar(_ exemplar: Exemplar?) -> Int {
        guard let exemplar else { return 0 }
        return self.header + self.labels(exemplar.labels) + self.fixed64 + self.timestamp
    }

    private static func labels(_ labels: [LabelPair]) -> Int {
        var bound = 0
        labels.withUnsafeBufferPointer { labels in
            for index in labels.indices {
                bound += 3 * self.header + labels[index].name.utf8.count + labels[index].value.utf8.count
            }
        }
        return bound
    }

    private static func unknownFields(_ unknown: UnknownFields) -> Int {
        var bound = 0
        for field in unknown.fields {
            bound += self.header + 5 + field.payload.count
        }
        return bound
    }
}

// MARK: - Swift to C

private typealias CLabelPair = Io__Prometheus__Client__LabelPair
private typealias CQuantile = Io__Prometheus__Client__Quantile
private typealias CBucket = Io__Prometheus__Client__Bucket
private typealias CBucketSpan = Io__Prometheus__Client__BucketSpan

/// Initialised messages (descriptor set, every field absent) to copy instead of calling the C init
/// functions once per message.
private struct CTemplates {
    var family = Io__Prometheus__Client__MetricFamily()
    var metric = Io__Prometheus__Client__Metric()
    var labelPair = CLabelPair()
    var gauge = Io__Prometheus__Client__Gauge()
    var untyped = Io__Prometheus__Client__Untyped()
    var counter = Io__Prometheus__Client__Counter()
    var summary = Io__Prometheus__Client__Summary()
    var quantile = CQuantile()
    var histogram = Io__Prometheus__Client__Histogram()
    var bucket = CBucket()
    var bucketSpan = CBucketSpan()
    var exemplar = Io__Prometheus__Client__Exemplar()
    var timestamp = Google__Protobuf__Timestamp()

    init() {
        io__prometheus__client__metric_family__init(&self.family)
        io__prometheus__client__metric__init(&self.metric)
        io__prometheus__client__label_pair__init(&self.labelPair)
        io__prometheus__client__gauge__init(&self.gauge)
        io__prometheus__client__untyped__init(&self.untyped)
        io__prometheus__client__counter__init(&self.counter)
        io__prometheus__client__summary__init(&self.summary)
        io__prometheus__client__quantile__init(&self.quantile)
        io__prometheus__client__histogram__init(&self.histogram)
        io__prometheus__client__bucket__init(&self.bucket)
        io__prometheus__client__bucket_span__init(&self.bucketSpan)
        io__prometheus__client__exemplar__init(&self.exemplar)
        google__protobuf__timestamp__init(&self.timestamp)
    }
}

/// Builds the C structs of one family at a time in an arena.
private struct CBuilder {
    let arena: OpaquePointer
    private let templates = CTemplates()
    // Structs, arrays and strings are bump-allocated here from large chunks of the arena, rather than by
    // one C call (and memset) each; every byte handed out is written before protobuf-c reads it.
    private var cursor: UnsafeMutableRawPointer?
    private var remaining = 0

    init(arena: OpaquePointer) {
        self.arena = arena
    }

    /// Forgets everything built so far (resetting the arena).
    mutating func reset() {
        CProtobuf_arenaReset(self.arena)
        self.cursor = nil
        self.remaining = 0
    }

    @inline(__always)
    private mutating func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        // Every C type here is at most 8-byte aligned; chunks start 16-byte aligned.
        let size = (MemoryLayout<T>.stride * max(count, 1) + 7) & ~7
        if size > self.remaining {
            self.refill(size)
        }
        guard let cursor = self.cursor else { fatalError("out of memory encoding protobuf") }
        self.cursor = cursor + size
        self.remaining -= size
        return cursor.bindMemory(to: T.self, capacity: count)
    }

    private mutating func refill(_ size: Int) {
        let chunk = max(size, 64 * 1024 - 64)
        guard let raw = CProtobuf_arenaAllocateUninitialized(self.arena, chunk) else {
            fatalError("out of memory encoding protobuf")
        }
        self.cursor = raw
        self.remaining = chunk
    }

    /// A copy of the bytes of `string` for a `bytes` field.
    @inline(__always)
    private mutating func binary(_ string: String) -> ProtobufCBinaryData {
        withUTF8Bytes(string) { utf8 in
            let pointer = self.allocate(UInt8.self, count: utf8.count)
            if let base = utf8.baseAddress {
                copyBytes(from: base, to: pointer, count: utf8.count)
            }
            return ProtobufCBinaryData(len: utf8.count, data: pointer)
        }
    }

    private mutating func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T>? {
        guard !array.isEmpty else { return nil }
        let pointer = self.allocate(T.self, count: array.count)
        pointer.initialize(from: array, count: array.count)
        return pointer
    }

    mutating func family(_ family: MetricFamily) -> UnsafeMutablePointer<Io__Prometheus__Client__MetricFamily> {
        let message = self.allocate(Io__Prometheus__Client__MetricFamily.self)
        message.initialize(to: self.templates.family)
        message.pointee.has_name = 1
        message.pointee.name = self.binary(family.name)
        if let help = family.help {
            message.pointee.has_help = 1
            message.pointee.help = self.binary(help)
        }
        message.pointee.has_type = 1
        message.pointee.type = Io__Prometheus__Client__MetricType(rawValue: UInt32(bitPattern: family.type.rawValue))
        if let unit = family.unit {
            message.pointee.has_unit = 1
            message.pointee.unit = self.binary(unit)
        }
        if !family.metrics.isEmpty {
            let count = family.metrics.count
            let metrics = self.allocate(UnsafeMutablePointer<Io__Prometheus__Client__Metric>?.self, count: count)
            // Through the buffer, so reading each metric does not retain and release its parts.
            family.metrics.withUnsafeBufferPointer { source in
                for index in 0..<count {
                    (metrics + index).initialize(to: self.metric(source[index]))
                }
            }
            message.pointee.n_metric = count
            message.pointee.metric = metrics
        }
        self.setUnknownFields(family.unknownFields, on: &message.pointee.base)
        return message
    }

    mutating func metric(_ metric: Metric) -> UnsafeMutablePointer<Io__Prometheus__Client__Metric> {
        let message = self.allocate(Io__Prometheus__Client__Metric.self)
        message.initialize(to: self.templates.metric)
        (message.pointee.n_label, message.pointee.label) = self.labels(metric.labels)
        switch metric.value {
        case .counter(let counter):
            message.pointee.counter = self.counter(counter)
        case .gauge(let value):
            let gauge = self.allocate(Io__Prometheus__Client__Gauge.self)
            gauge.initialize(to: self.templates.gauge)
            gauge.pointee.has_value = 1
            gauge.pointee.value = value
            message.pointee.gauge = gauge
        case .untyped(let value):
            let untyped = self.allocate(Io__Prometheus__Client__Untyped.self)
            untyped.initialize(to: self.templates.untyped)
            untyped.pointee.has_value = 1
            untyped.pointee.value = value
            message.pointee.untyped = untyped
        case .summary(let summary):
            message.pointee.summary = self.summary(summary)
        case .histogram(let histogram):
            message.pointee.histogram = self.histogram(histogram)
        case .none:
            break
        }
        if let timestamp = metric.timestampMs {
            message.pointee.has_timestamp_ms = 1
            message.pointee.timestamp_ms = timestamp
        }
        self.setUnknownFields(metric.unknownFields, on: &message.pointee.base)
        return message
    }

    private mutating func labels(_ labels: [LabelPair]) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<CLabelPair>?>?) {
        guard !labels.isEmpty else { return (0, nil) }
        let count = labels.count
        return labels.withUnsafeBufferPointer { labels in
            // All the memory first, then only copies: with no C call between reading a label and copying its
            // bytes, the strings need no retain and release around each copy.
            var stringBytes = 0
            for index in 0..<count {
                stringBytes += labels[index].name.utf8.count + labels[index].value.utf8.count
            }
            let pointers = self.allocate(UnsafeMutablePointer<CLabelPair>?.self, count: count)
            let pairs = self.allocate(CLabelPair.self, count: count)
            var strings = self.allocate(UInt8.self, count: stringBytes)
            for index in 0..<count {
                let pair = pairs + index
                pair.initialize(to: self.templates.labelPair)
                pair.pointee.has_name = 1
                pair.pointee.name = Self.copy(labels[index].name, to: &strings)
                pair.pointee.has_value = 1
                pair.pointee.value = Self.copy(labels[index].value, to: &strings)
                (pointers + index).initialize(to: pair)
            }
            return (count, pointers)
        }
    }

    /// Copies the bytes of `string` to `target` and advances it past them; returns them as a `bytes` field.
    @inline(__always)
    private static func copy(_ string: String, to target: inout UnsafeMutablePointer<UInt8>) -> ProtobufCBinaryData {
        let count =
            string.utf8.withContiguousStorageIfAvailable { utf8 in
                if let base = utf8.baseAddress {
                    copyBytes(from: base, to: target, count: utf8.count)
                }
                return utf8.count
            } ?? Self.copySlowly(string, to: target)
        defer { target += count }
        return ProtobufCBinaryData(len: count, data: target)
    }

    /// ``copy(_:to:)`` for strings without contiguous UTF-8.
    @inline(never)
    private static func copySlowly(_ string: String, to target: UnsafeMutablePointer<UInt8>) -> Int {
        var count = 0
        for byte in string.utf8 {
            target[count] = byte
            count += 1
        }
        return count
    }

    private mutating func timestamp(_ timestamp: Timestamp?) -> UnsafeMutablePointer<Google__Protobuf__Timestamp>? {
        guard let timestamp else { return nil }
        let message = self.allocate(Google__Protobuf__Timestamp.self)
        message.initialize(to: self.templates.timestamp)
        message.pointee.seconds = timestamp.seconds
        message.pointee.nanos = timestamp.nanos
        return message
    }

    private mutating func exemplar(_ exemplar: Exemplar?) -> UnsafeMutablePointer<Io__Prometheus__Client__Exemplar>? {
        guard let exemplar else { return nil }
        let message = self.allocate(Io__Prometheus__Client__Exemplar.self)
        message.initialize(to: self.templates.exemplar)
        (message.pointee.n_label, message.pointee.label) = self.labels(exemplar.labels)
        message.pointee.has_value = 1
        message.pointee.value = exemplar.value
        message.pointee.timestamp = self.timestamp(exemplar.timestamp)
        return message
    }

    private mutating func counter(_ counter: Counter) -> UnsafeMutablePointer<Io__Prometheus__Client__Counter> {
        let message = self.allocate(Io__Prometheus__Client__Counter.self)
        message.initialize(to: self.templates.counter)
        message.pointee.has_value = 1
        message.pointee.value = counter.value
        message.pointee.exemplar = self.exemplar(counter.exemplar)
        message.pointee.created_timestamp = self.timestamp(counter.createdTimestamp)
        return message
    }

    private mutating func summary(_ summary: Summary) -> UnsafeMutablePointer<Io__Prometheus__Client__Summary> {
        let message = self.allocate(Io__Prometheus__Client__Summary.self)
        message.initialize(to: self.templates.summary)
        message.pointee.has_sample_count = summary.hasSampleCount ? 1 : 0
        message.pointee.sample_count = summary.sampleCount
        message.pointee.has_sample_sum = summary.hasSampleSum ? 1 : 0
        message.pointee.sample_sum = summary.sampleSum
        if !summary.quantiles.isEmpty {
            let count = summary.quantiles.count
            let pointers = self.allocate(UnsafeMutablePointer<CQuantile>?.self, count: count)
            let quantiles = self.allocate(CQuantile.self, count: count)
            summary.quantiles.withUnsafeBufferPointer { source in
                for index in 0..<count {
                    let element = quantiles + index
                    element.initialize(to: self.templates.quantile)
                    element.pointee.has_quantile = 1
                    element.pointee.quantile = source[index].quantile
                    element.pointee.has_value = 1
                    element.pointee.value = source[index].value
                    (pointers + index).initialize(to: element)
                }
            }
            message.pointee.n_quantile = count
            message.pointee.quantile = pointers
        }
        message.pointee.created_timestamp = self.timestamp(summary.createdTimestamp)
        return message
    }

    private mutating func spans(_ spans: [BucketSpan]) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<CBucketSpan>?>?) {
        guard !spans.isEmpty else { return (0, nil) }
        let pointers = self.allocate(UnsafeMutablePointer<CBucketSpan>?.self, count: spans.count)
        let elements = self.allocate(CBucketSpan.self, count: spans.count)
        for (index, span) in spans.enumerated() {
            let element = elements + index
            element.initialize(to: self.templates.bucketSpan)
            element.pointee.has_offset = 1
            element.pointee.offset = span.offset
            element.pointee.has_length = 1
            element.pointee.length = span.length
            (pointers + index).initialize(to: element)
        }
        return (spans.count, pointers)
    }

    private mutating func histogram(_ histogram: Histogram) -> UnsafeMutablePointer<Io__Prometheus__Client__Histogram> {
        let message = self.allocate(Io__Prometheus__Client__Histogram.self)
        message.initialize(to: self.templates.histogram)
        message.pointee.has_sample_count = histogram.hasSampleCount ? 1 : 0
        message.pointee.sample_count = histogram.sampleCount
        if let value = histogram.sampleCountFloat {
            message.pointee.has_sample_count_float = 1
            message.pointee.sample_count_float = value
        }
        message.pointee.has_sample_sum = histogram.hasSampleSum ? 1 : 0
        message.pointee.sample_sum = histogram.sampleSum
        if !histogram.buckets.isEmpty {
            let count = histogram.buckets.count
            let pointers = self.allocate(UnsafeMutablePointer<CBucket>?.self, count: count)
            let buckets = self.allocate(CBucket.self, count: count)
            histogram.buckets.withUnsafeBufferPointer { source in
                for index in 0..<count {
                    let element = buckets + index
                    element.initialize(to: self.templates.bucket)
                    element.pointee.has_cumulative_count = 1
                    element.pointee.cumulative_count = source[index].cumulativeCount
                    if let value = source[index].cumulativeCountFloat {
                        element.pointee.has_cumulative_count_float = 1
                        element.pointee.cumulative_count_float = value
                    }
                    element.pointee.has_upper_bound = 1
                    element.pointee.upper_bound = source[index].upperBound
                    if source[index].exemplar != nil {
                        element.pointee.exemplar = self.exemplar(source[index].exemplar)
                    }
                    (pointers + index).initialize(to: element)
                }
            }
            message.pointee.n_bucket = count
            message.pointee.bucket = pointers
        }
        message.pointee.created_timestamp = self.timestamp(histogram.createdTimestamp)
        if let schema = histogram.schema {
            message.pointee.has_schema = 1
            message.pointee.schema = schema
        }
        if let threshold = histogram.zeroThreshold {
            message.pointee.has_zero_threshold = 1
            message.pointee.zero_threshold = threshold
        }
        if let count = histogram.zeroCount {
            message.pointee.has_zero_count = 1
            message.pointee.zero_count = count
        }
        if let count = histogram.zeroCountFloat {
            message.pointee.has_zero_count_float = 1
            message.pointee.zero_count_float = count
        }
        (message.pointee.n_negative_span, message.pointee.negative_span) = self.spans(histogram.negativeSpans)
        message.pointee.n_negative_delta = histogram.negativeDeltas.count
        message.pointee.negative_delta = self.copy(histogram.negativeDeltas)
        message.pointee.n_negative_count = histogram.negativeCounts.count
        message.pointee.negative_count = self.copy(histogram.negativeCounts)
        (message.pointee.n_positive_span, message.pointee.positive_span) = self.spans(histogram.positiveSpans)
        message.pointee.n_positive_delta = histogram.positiveDeltas.count
        message.pointee.positive_delta = self.copy(histogram.positiveDeltas)
        message.pointee.n_positive_count = histogram.positiveCounts.count
        message.pointee.positive_count = self.copy(histogram.positiveCounts)
        if !histogram.exemplars.isEmpty {
            let pointers = self.allocate(UnsafeMutablePointer<Io__Prometheus__Client__Exemplar>?.self, count: histogram.exemplars.count)
            for (index, exemplar) in histogram.exemplars.enumerated() {
                (pointers + index).initialize(to: self.exemplar(exemplar))
            }
            message.pointee.n_exemplars = histogram.exemplars.count
            message.pointee.exemplars = pointers
        }
        self.setUnknownFields(histogram.unknownFields, on: &message.pointee.base)
        return message
    }

    private mutating func setUnknownFields(_ unknown: UnknownFields, on base: inout ProtobufCMessage) {
        guard !unknown.isEmpty else { return }
        let fields = self.allocate(ProtobufCMessageUnknownField.self, count: unknown.fields.count)
        for (index, field) in unknown.fields.enumerated() {
            let data = self.copy(field.payload)
            (fields + index).initialize(
                to: ProtobufCMessageUnknownField(
                    tag: field.number,
                    wire_type: ProtobufCWireType(rawValue: field.wireType),
                    len: field.payload.count,
                    data: data
                )
            )
        }
        base.n_unknown_fields = UInt32(unknown.fields.count)
        base.unknown_fields = fields
    }
}
