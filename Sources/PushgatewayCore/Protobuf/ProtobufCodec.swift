// The only file that sees protobuf-c. Decoding unpacks one frame at a time into an arena, copies every
// string and array into Swift values at once, then resets the arena; encoding builds the C structs in an
// arena, packs them and resets it. No C pointer outlives the call that created it.

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

        /// Creates options.
        public init(maxMessageSize: Int = 0x7FFF_FFFF) {
            self.maxMessageSize = maxMessageSize
        }
    }

    /// The options in force.
    public var options: Options

    /// Creates a codec.
    public init(options: Options = Options()) {
        self.options = options
    }

    // MARK: Decoding

    /// Decodes a whole delimited stream.
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

    /// Decodes one message that is not length-prefixed.
    public func decodeMessage(_ bytes: some Collection<UInt8>) throws(ProtobufCodecError) -> MetricFamily {
        let decode: (UnsafeRawBufferPointer) -> Result<MetricFamily, ProtobufCodecError> = { buffer in
            Self.withArena { arena in
                Result { () throws(ProtobufCodecError) in
                    let frame = DelimitedFrameReader.Frame(message: buffer, offset: 0, index: 0)
                    return try Self.decodeFrame(frame, arena: arena)
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
                while let frame = try reader.next() {
                    families.append(try Self.decodeFrame(frame, arena: arena))
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

    private static func decodeFrame(_ frame: DelimitedFrameReader.Frame, arena: OpaquePointer) throws(ProtobufCodecError) -> MetricFamily {
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
        var converter = CConverter(frame: frame)
        return try converter.family(family.pointee)
    }

    // MARK: Encoding

    /// Appends each family as one length-prefixed message.
    public func appendDelimited(_ families: some Sequence<MetricFamily>, to buffer: inout [UInt8]) {
        Self.withArena { arena in
            for family in families {
                var builder = CBuilder(arena: arena)
                let message = builder.family(family)
                let size = CProtobuf_packedSizeOfMetricFamily(message)
                DelimitedFrameReader.appendVarint(UInt64(size), to: &buffer)
                Self.pack(message, size: size, to: &buffer)
                CProtobuf_arenaReset(arena)
            }
        }
    }

    /// Encodes families as a delimited stream.
    public func encodeDelimited(_ families: some Sequence<MetricFamily>) -> [UInt8] {
        var buffer: [UInt8] = []
        self.appendDelimited(families, to: &buffer)
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
            metrics.map { metric in
                defer { CProtobuf_arenaReset(arena) }
                let builder = CBuilder(arena: arena)
                let message = builder.metricMessage(metric)
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

// MARK: - C to Swift

/// Copies one unpacked family into Swift values.
private struct CConverter {
    let frame: DelimitedFrameReader.Frame
    // The previous metric's labels: series of one family mostly repeat label names and many values, so
    // comparing bytes usually replaces creating a String.
    private var previousLabels: [LabelPair] = []

    init(frame: DelimitedFrameReader.Frame) {
        self.frame = frame
    }

    /// `string(pointer)` unless the bytes equal `candidate`, which is then returned as it is.
    @inline(__always)
    private func string(
        _ pointer: UnsafeMutablePointer<CChar>?,
        reusing candidate: String?,
        field: @autoclosure () -> String
    ) throws(ProtobufCodecError) -> String {
        if let pointer, let candidate {
            let length = strlen(pointer)
            let same = withUTF8Bytes(candidate) { utf8 in
                utf8.count == length && (length == 0 || memcmp(utf8.baseAddress!, pointer, length) == 0)
            }
            if same {
                return candidate
            }
        }
        return try self.string(pointer, field: field())
    }

    private func error(_ code: ProtobufCodecError.Code, _ message: String) -> ProtobufCodecError {
        ProtobufCodecError(code, messageIndex: self.frame.index, offset: self.frame.offset, message: message)
    }

    /// A string that must be valid UTF-8 (names and label values; upstream checks label values later).
    private func string(_ pointer: UnsafeMutablePointer<CChar>?, field: @autoclosure () -> String) throws(ProtobufCodecError) -> String {
        guard let pointer else { return "" }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))
        guard let string = makeValidatedString(bytes) else {
            throw self.error(.invalidUTF8, "\(field()) is not valid UTF-8: \(GoQuote.string(bytes))")
        }
        return string
    }

    /// A string upstream never validates (help, unit); invalid UTF-8 is repaired.
    private func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
    }

    mutating func family(_ family: Io__Prometheus__Client__MetricFamily) throws(ProtobufCodecError) -> MetricFamily {
        let name = try self.string(family.name, field: "metric name")
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
            help: self.text(family.help),
            type: type,
            unit: self.text(family.unit),
            metrics: metrics,
            unknownFields: Self.unknownFields(family.base)
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
            unknownFields: Self.unknownFields(metric.base)
        )
    }

    private func labels(
        _ pairs: UnsafeMutablePointer<UnsafeMutablePointer<Io__Prometheus__Client__LabelPair>?>?,
        count: Int,
        owner: String
    ) throws(ProtobufCodecError) -> [LabelPair] {
        guard let pairs, count > 0 else { return [] }
        var labels: [LabelPair] = []
        labels.reserveCapacity(count)
        for index in 0..<count {
            guard let pair = pairs[index]?.pointee else { continue }
            let previous = index < self.previousLabels.count ? self.previousLabels[index] : nil
            let name = try self.string(pair.name, reusing: previous?.name, field: "label name of metric \(GoQuote.string(owner))")
            let value = try self.string(
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
            labels.append(LabelPair(name: self.text(pair.name) ?? "", value: self.text(pair.value) ?? ""))
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
            createdTimestamp: self.timestamp(summary.created_timestamp)
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
            unknownFields: Self.unknownFields(histogram.base)
        )
    }

    private static func array<Element>(_ pointer: UnsafeMutablePointer<Element>?, count: Int) -> [Element] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    static func unknownFields(_ base: ProtobufCMessage) -> UnknownFields {
        guard base.n_unknown_fields > 0, let fields = base.unknown_fields else { return UnknownFields() }
        var result: [UnknownFields.Field] = []
        result.reserveCapacity(Int(base.n_unknown_fields))
        for index in 0..<Int(base.n_unknown_fields) {
            let field = fields[index]
            let payload = field.len > 0 && field.data != nil ? Array(UnsafeBufferPointer(start: field.data, count: field.len)) : []
            result.append(UnknownFields.Field(number: field.tag, wireType: field.wire_type.rawValue, payload: payload))
        }
        return UnknownFields(result)
    }
}

// MARK: - Swift to C

/// Builds the C structs for one family in an arena.
private struct CBuilder {
    let arena: OpaquePointer

    private func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        guard let raw = CProtobuf_arenaAllocate(self.arena, MemoryLayout<T>.stride * max(count, 1)) else {
            fatalError("out of memory encoding protobuf")
        }
        return raw.bindMemory(to: T.self, capacity: max(count, 1))
    }

    private func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
        var string = string
        return string.withUTF8 { utf8 in
            let pointer = self.allocate(CChar.self, count: utf8.count + 1)
            if let base = utf8.baseAddress {
                memcpy(pointer, base, utf8.count)
            }
            pointer[utf8.count] = 0
            return pointer
        }
    }

    private func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T>? {
        guard !array.isEmpty else { return nil }
        let pointer = self.allocate(T.self, count: array.count)
        pointer.initialize(from: array, count: array.count)
        return pointer
    }

    mutating func family(_ family: MetricFamily) -> UnsafeMutablePointer<Io__Prometheus__Client__MetricFamily> {
        let message = self.allocate(Io__Prometheus__Client__MetricFamily.self)
        io__prometheus__client__metric_family__init(message)
        message.pointee.name = self.cString(family.name)
        message.pointee.help = family.help.map { self.cString($0) }
        message.pointee.has_type = 1
        message.pointee.type = Io__Prometheus__Client__MetricType(rawValue: UInt32(bitPattern: family.type.rawValue))
        message.pointee.unit = family.unit.map { self.cString($0) }
        if !family.metrics.isEmpty {
            let metrics = self.allocate(UnsafeMutablePointer<Io__Prometheus__Client__Metric>?.self, count: family.metrics.count)
            for (index, metric) in family.metrics.enumerated() {
                metrics[index] = self.metric(metric)
            }
            message.pointee.n_metric = family.metrics.count
            message.pointee.metric = metrics
        }
        self.setUnknownFields(family.unknownFields, on: &message.pointee.base)
        return message
    }

    func metricMessage(_ metric: Metric) -> UnsafeMutablePointer<Io__Prometheus__Client__Metric> {
        self.metric(metric)
    }

    private func metric(_ metric: Metric) -> UnsafeMutablePointer<Io__Prometheus__Client__Metric> {
        let message = self.allocate(Io__Prometheus__Client__Metric.self)
        io__prometheus__client__metric__init(message)
        (message.pointee.n_label, message.pointee.label) = self.labels(metric.labels)
        switch metric.value {
        case .counter(let counter):
            message.pointee.counter = self.counter(counter)
        case .gauge(let value):
            let gauge = self.allocate(Io__Prometheus__Client__Gauge.self)
            io__prometheus__client__gauge__init(gauge)
            gauge.pointee.has_value = 1
            gauge.pointee.value = value
            message.pointee.gauge = gauge
        case .untyped(let value):
            let untyped = self.allocate(Io__Prometheus__Client__Untyped.self)
            io__prometheus__client__untyped__init(untyped)
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

    private func labels(_ labels: [LabelPair]) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<Io__Prometheus__Client__LabelPair>?>?) {
        guard !labels.isEmpty else { return (0, nil) }
        let pointers = self.allocate(UnsafeMutablePointer<Io__Prometheus__Client__LabelPair>?.self, count: labels.count)
        let pairs = self.allocate(Io__Prometheus__Client__LabelPair.self, count: labels.count)
        for (index, label) in labels.enumerated() {
            let pair = pairs + index
            io__prometheus__client__label_pair__init(pair)
            pair.pointee.name = self.cString(label.name)
            pair.pointee.value = self.cString(label.value)
            pointers[index] = pair
        }
        return (labels.count, pointers)
    }

    private func timestamp(_ timestamp: Timestamp?) -> UnsafeMutablePointer<Google__Protobuf__Timestamp>? {
        guard let timestamp else { return nil }
        let message = self.allocate(Google__Protobuf__Timestamp.self)
        google__protobuf__timestamp__init(message)
        message.pointee.seconds = timestamp.seconds
        message.pointee.nanos = timestamp.nanos
        return message
    }

    private func exemplar(_ exemplar: Exemplar?) -> UnsafeMutablePointer<Io__Prometheus__Client__Exemplar>? {
        guard let exemplar else { return nil }
        let message = self.allocate(Io__Prometheus__Client__Exemplar.self)
        io__prometheus__client__exemplar__init(message)
        (message.pointee.n_label, message.pointee.label) = self.labels(exemplar.labels)
        message.pointee.has_value = 1
        message.pointee.value = exemplar.value
        message.pointee.timestamp = self.timestamp(exemplar.timestamp)
        return message
    }

    private func counter(_ counter: Counter) -> UnsafeMutablePointer<Io__Prometheus__Client__Counter> {
        let message = self.allocate(Io__Prometheus__Client__Counter.self)
        io__prometheus__client__counter__init(message)
        message.pointee.has_value = 1
        message.pointee.value = counter.value
        message.pointee.exemplar = self.exemplar(counter.exemplar)
        message.pointee.created_timestamp = self.timestamp(counter.createdTimestamp)
        return message
    }

    private func summary(_ summary: Summary) -> UnsafeMutablePointer<Io__Prometheus__Client__Summary> {
        let message = self.allocate(Io__Prometheus__Client__Summary.self)
        io__prometheus__client__summary__init(message)
        message.pointee.has_sample_count = 1
        message.pointee.sample_count = summary.sampleCount
        message.pointee.has_sample_sum = 1
        message.pointee.sample_sum = summary.sampleSum
        if !summary.quantiles.isEmpty {
            let pointers = self.allocate(UnsafeMutablePointer<Io__Prometheus__Client__Quantile>?.self, count: summary.quantiles.count)
            let quantiles = self.allocate(Io__Prometheus__Client__Quantile.self, count: summary.quantiles.count)
            for (index, quantile) in summary.quantiles.enumerated() {
                let element = quantiles + index
                io__prometheus__client__quantile__init(element)
                element.pointee.has_quantile = 1
                element.pointee.quantile = quantile.quantile
                element.pointee.has_value = 1
                element.pointee.value = quantile.value
                pointers[index] = element
            }
            message.pointee.n_quantile = summary.quantiles.count
            message.pointee.quantile = pointers
        }
        message.pointee.created_timestamp = self.timestamp(summary.createdTimestamp)
        return message
    }

    private func spans(_ spans: [BucketSpan]) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<Io__Prometheus__Client__BucketSpan>?>?) {
        guard !spans.isEmpty else { return (0, nil) }
        let pointers = self.allocate(UnsafeMutablePointer<Io__Prometheus__Client__BucketSpan>?.self, count: spans.count)
        let elements = self.allocate(Io__Prometheus__Client__BucketSpan.self, count: spans.count)
        for (index, span) in spans.enumerated() {
            let element = elements + index
            io__prometheus__client__bucket_span__init(element)
            element.pointee.has_offset = 1
            element.pointee.offset = span.offset
            element.pointee.has_length = 1
            element.pointee.length = span.length
            pointers[index] = element
        }
        return (spans.count, pointers)
    }

    private func histogram(_ histogram: Histogram) -> UnsafeMutablePointer<Io__Prometheus__Client__Histogram> {
        let message = self.allocate(Io__Prometheus__Client__Histogram.self)
        io__prometheus__client__histogram__init(message)
        message.pointee.has_sample_count = 1
        message.pointee.sample_count = histogram.sampleCount
        if let value = histogram.sampleCountFloat {
            message.pointee.has_sample_count_float = 1
            message.pointee.sample_count_float = value
        }
        message.pointee.has_sample_sum = 1
        message.pointee.sample_sum = histogram.sampleSum
        if !histogram.buckets.isEmpty {
            let pointers = self.allocate(UnsafeMutablePointer<Io__Prometheus__Client__Bucket>?.self, count: histogram.buckets.count)
            let buckets = self.allocate(Io__Prometheus__Client__Bucket.self, count: histogram.buckets.count)
            for (index, bucket) in histogram.buckets.enumerated() {
                let element = buckets + index
                io__prometheus__client__bucket__init(element)
                element.pointee.has_cumulative_count = 1
                element.pointee.cumulative_count = bucket.cumulativeCount
                if let value = bucket.cumulativeCountFloat {
                    element.pointee.has_cumulative_count_float = 1
                    element.pointee.cumulative_count_float = value
                }
                element.pointee.has_upper_bound = 1
                element.pointee.upper_bound = bucket.upperBound
                element.pointee.exemplar = self.exemplar(bucket.exemplar)
                pointers[index] = element
            }
            message.pointee.n_bucket = histogram.buckets.count
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
                pointers[index] = self.exemplar(exemplar)
            }
            message.pointee.n_exemplars = histogram.exemplars.count
            message.pointee.exemplars = pointers
        }
        self.setUnknownFields(histogram.unknownFields, on: &message.pointee.base)
        return message
    }

    private func setUnknownFields(_ unknown: UnknownFields, on base: inout ProtobufCMessage) {
        guard !unknown.isEmpty else { return }
        let fields = self.allocate(ProtobufCMessageUnknownField.self, count: unknown.fields.count)
        for (index, field) in unknown.fields.enumerated() {
            let data = self.copy(field.payload)
            fields[index] = ProtobufCMessageUnknownField(
                tag: field.number,
                wire_type: ProtobufCWireType(rawValue: field.wireType),
                len: field.payload.count,
                data: data
            )
        }
        base.n_unknown_fields = UInt32(unknown.fields.count)
        base.unknown_fields = fields
    }
}
