import Testing

@testable import PushgatewayCore

/// A family of every shape the schema carries.
let everyShape: [MetricFamily] = {
    let exemplar = Exemplar(
        labels: [LabelPair(name: "trace_id", value: "abc")],
        value: 0.7,
        timestamp: Timestamp(seconds: 1_700_000_000, nanos: 5)
    )
    let native = Histogram(
        sampleCount: 20,
        sampleSum: 99.23,
        buckets: [Bucket(cumulativeCount: 3, upperBound: 1, exemplar: exemplar), Bucket(cumulativeCount: 20, upperBound: .infinity)],
        createdTimestamp: Timestamp(seconds: 1_600_000_000, nanos: 0),
        schema: 1,
        zeroThreshold: 2.938735877055719e-39,
        zeroCount: 1,
        negativeSpans: [BucketSpan(offset: -1, length: 2)],
        negativeDeltas: [2, -1],
        positiveSpans: [BucketSpan(offset: 0, length: 1), BucketSpan(offset: 2, length: 1)],
        positiveDeltas: [5, -3],
        exemplars: [exemplar]
    )
    let floatNative = Histogram(
        sampleCountFloat: 10.5,
        sampleSum: -3,
        schema: -4,
        zeroThreshold: 0,
        zeroCountFloat: 0.5,
        positiveSpans: [BucketSpan(offset: 0, length: 0)],
        positiveCounts: [1.5, 2.5]
    )
    return [
        MetricFamily(
            name: "requests_total",
            help: "Requests.",
            type: .counter,
            unit: "requests",
            metrics: [
                Metric(
                    labels: [LabelPair(name: "path", value: "/a\"b\\c\nd"), LabelPair(name: "name", value: "Προμηθεύς")],
                    value: .counter(Counter(value: 3, exemplar: exemplar, createdTimestamp: Timestamp(seconds: 1, nanos: 2)))
                ),
                Metric(value: .counter(Counter(value: .infinity))),
            ]
        ),
        MetricFamily(name: "temperature", help: "", type: .gauge, metrics: [Metric(value: .gauge(-21.5), timestampMs: 1_700_000_000_123)]),
        MetricFamily(name: "anything", type: .untyped, metrics: [Metric(labels: [LabelPair(name: "a", value: "")], value: .untyped(0))]),
        MetricFamily(
            name: "latency",
            type: .summary,
            metrics: [
                Metric(
                    value: .summary(
                        Summary(
                            sampleCount: 3,
                            sampleSum: 0.6,
                            quantiles: [Quantile(quantile: 0.5, value: 0.2)],
                            createdTimestamp: Timestamp(seconds: 9, nanos: 9)
                        )
                    )
                )
            ]
        ),
        MetricFamily(
            name: "sizes",
            help: "Sizes.",
            type: .histogram,
            metrics: [Metric(value: .histogram(native)), Metric(value: .histogram(floatNative))]
        ),
        MetricFamily(name: "queue", type: .gaugeHistogram, metrics: [Metric(value: .histogram(Histogram(sampleCount: 1, sampleSum: 1)))]),
        MetricFamily(name: "no_metrics", type: .counter),
        MetricFamily(name: "valueless", type: .gauge, metrics: [Metric(value: .none)]),
    ]
}()

struct ProtobufCodecTests {
    let codec = ProtobufCodec()

    @Test func roundTripsEveryShape() throws {
        let bytes = self.codec.encodeDelimited(everyShape)
        let decoded = try self.codec.decodeDelimited(bytes)
        #expect(decoded == everyShape)
        #expect(self.codec.encodeDelimited(decoded) == bytes)
    }

    @Test func widestValuesFitTheReservedSize() throws {
        // Every varint at its widest (negative deltas, timestamps, int32s) and many unpacked repeated
        // scalars: the stream must still be packed in place (debug builds assert the bound held).
        var histogram = Histogram(sampleCount: .max, sampleSum: -.greatestFiniteMagnitude, schema: .min, zeroCount: .max)
        histogram.negativeSpans = [BucketSpan(offset: .min, length: .max)]
        histogram.negativeDeltas = Array(repeating: .min, count: 500)
        histogram.positiveDeltas = Array(repeating: .max, count: 500)
        histogram.negativeCounts = Array(repeating: -1.5, count: 300)
        histogram.positiveCounts = Array(repeating: 2.5, count: 300)
        histogram.createdTimestamp = Timestamp(seconds: .min, nanos: .min)
        let family = MetricFamily(
            name: "widest",
            type: .histogram,
            metrics: [Metric(labels: [LabelPair(name: "a", value: "b")], value: .histogram(histogram), timestampMs: .min)]
        )
        let bytes = self.codec.encodeDelimited([family])
        #expect(try self.codec.decodeDelimited(bytes) == [family])
        let message = self.codec.encodeMessage(family)
        #expect(bytes.count > message.count && bytes.suffix(message.count) == message[...])
    }

    @Test func roundTripsASingleMessage() throws {
        for family in everyShape {
            #expect(try self.codec.decodeMessage(self.codec.encodeMessage(family)) == family)
        }
    }

    @Test func emptyInputHasNoFamilies() throws {
        #expect(try self.codec.decodeDelimited([UInt8]()).isEmpty)
    }

    @Test func zeroLengthFrameIsAnEmptyCounterFamilyAsAStoredMessage() throws {
        // As a push it is refused for its missing name (ProtobufPushRulesTests).
        #expect(try self.codec.decodeMessage([UInt8]()) == MetricFamily(name: "", type: .counter))
    }

    @Test func everyTruncationEndsOnABoundaryOrThrowsTruncated() throws {
        let bytes = self.codec.encodeDelimited(everyShape)
        var boundaries: [Int: Int] = [0: 0]
        var offset = 0
        for (index, family) in everyShape.enumerated() {
            var frame: [UInt8] = []
            self.codec.appendDelimited([family], to: &frame)
            offset += frame.count
            boundaries[offset] = index + 1
        }
        for length in 0...bytes.count {
            let prefix = Array(bytes[..<length])
            if let complete = boundaries[length] {
                #expect(try self.codec.decodeDelimited(prefix) == Array(everyShape.prefix(complete)))
            } else {
                let error = try #require(throws: ProtobufCodecError.self) { try self.codec.decodeDelimited(prefix) }
                #expect(error.code == .truncated, "prefix of \(length) bytes: \(error)")
            }
        }
    }

    @Test func rejectsGarbage() throws {
        let error = try #require(throws: ProtobufCodecError.self) { try self.codec.decodeDelimited([4, 0xFF, 0xFF, 0xFF, 0xFF]) }
        #expect(error.code == .malformedMessage)
        #expect(error.messageIndex == 0)
        #expect(error.offset == 0)
    }

    @Test(
        arguments: [
            // Length prefix cut short, frame cut short, a tag or length running past the frame: Go's reader says EOF.
            ([0x80], "unexpected EOF"),
            ([5, 0x0A, 0x01], "unexpected EOF"),
            ([3, 0xFF, 0xFF, 0xFF], "unexpected EOF"),
            ([4, 0x0A, 0x0A, 0x61, 0x62], "unexpected EOF"),
            // Complete fields that protobuf-c still rejects (an end-group wire type): invalid wire format.
            ([2, 0x0C, 0x00], "proto: cannot parse invalid wire-format data"),
            ([UInt8](repeating: 0x80, count: 11) + [0x00], "binary: varint overflows a 64-bit integer"),
        ] as [([UInt8], String)]
    )
    func carriesGoDecoderErrorTexts(bytes: [UInt8], goText: String) throws {
        let error = try #require(throws: ProtobufCodecError.self) { try self.codec.decodeDelimited(bytes) }
        #expect(error.goText == goText)
    }

    @Test func rejectsWrongWireTypeAndNamesTheMessage() throws {
        var bytes = self.codec.encodeDelimited([everyShape[1]])
        let secondOffset = bytes.count
        // Field 1 (name) as a varint instead of a length-delimited string.
        bytes += [2, 0x08, 0x01]
        let error = try #require(throws: ProtobufCodecError.self) { try self.codec.decodeDelimited(bytes) }
        #expect(error.code == .malformedMessage)
        #expect(error.messageIndex == 1)
        #expect(error.offset == secondOffset)
        #expect(error.description.hasPrefix("protobuf parsing error in MetricFamily message 1 at byte offset \(secondOffset): "))
    }

    @Test func rejectsAnInnerLengthBeyondTheFrame() throws {
        // name: length 10 but only 2 bytes follow inside the frame.
        let error = try #require(throws: ProtobufCodecError.self) { try self.codec.decodeDelimited([4, 0x0A, 0x0A, 0x61, 0x62]) }
        #expect(error.code == .malformedMessage)
    }

    @Test func rejectsOversizedLengthPrefix() throws {
        let small = ProtobufCodec(options: .init(maxMessageSize: 8))
        let bytes = small.encodeDelimited([everyShape[0]])
        let error = try #require(throws: ProtobufCodecError.self) { try small.decodeDelimited(bytes) }
        #expect(error.code == .messageTooLarge)
        // A length prefix near 2^64 must not trap either.
        let huge: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        #expect(try #require(throws: ProtobufCodecError.self) { try self.codec.decodeDelimited(huge) }.code == .messageTooLarge)
    }

    @Test func rejectsOverlongVarint() throws {
        let bytes = [UInt8](repeating: 0x80, count: 11) + [0x00]
        #expect(try #require(throws: ProtobufCodecError.self) { try self.codec.decodeDelimited(bytes) }.code == .malformedLength)
    }

    @Test func rejectsInvalidUTF8LabelValues() throws {
        // MetricFamily{name:"a", metric:[{label:[{name:"b", value:"\xff"}], gauge:{value:0}}]}
        let metric: [UInt8] = [0x0A, 0x06, 0x0A, 0x01, 0x62, 0x12, 0x01, 0xFF, 0x12, 0x00]
        let family: [UInt8] = [0x0A, 0x01, 0x61, 0x18, 0x01, 0x22, UInt8(metric.count)] + metric
        let error = try #require(throws: ProtobufCodecError.self) { try self.codec.decodeDelimited([UInt8(family.count)] + family) }
        #expect(error.code == .invalidUTF8)
        #expect(error.message == #"value of label "b" of metric "a" is not valid UTF-8: "\xff""#)
    }

    @Test func rejectsUnknownMetricType() throws {
        let family: [UInt8] = [0x0A, 0x01, 0x61, 0x18, 0x09]
        #expect(
            try #require(throws: ProtobufCodecError.self) { try self.codec.decodeDelimited([UInt8(family.count)] + family) }.code
                == .invalidEnumValue
        )
    }

    @Test func missingTypeReadsAsCounter() throws {
        #expect(try self.codec.decodeDelimited([3, 0x0A, 0x01, 0x61]) == [MetricFamily(name: "a", type: .counter)])
    }

    @Test func preservesUnknownFieldsByteForByte() throws {
        // MetricFamily{name:"a", type:GAUGE, metric:[{gauge:{value:1}, field 99: varint 7}], field 42: "zz"}
        let gauge: [UInt8] = [0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F]
        let metric: [UInt8] = [0x12, UInt8(gauge.count)] + gauge + [0x98, 0x06, 0x07]
        let family: [UInt8] = [0x0A, 0x01, 0x61, 0x18, 0x01, 0x22, UInt8(metric.count)] + metric + [0xD2, 0x02, 0x02, 0x7A, 0x7A]
        let bytes = [UInt8(family.count)] + family
        let decoded = try self.codec.decodeDelimited(bytes)
        #expect(decoded.first?.unknownFields == UnknownFields([.init(number: 42, wireType: 2, payload: [0x02, 0x7A, 0x7A])]))
        #expect(decoded.first?.metrics.first?.unknownFields == UnknownFields([.init(number: 99, wireType: 0, payload: [0x07])]))
        #expect(self.codec.encodeDelimited(decoded) == bytes)
    }

    @Test func keepsDuplicateFamiliesInStreamOrder() throws {
        let first = MetricFamily(name: "d", type: .gauge, metrics: [Metric(value: .gauge(1))])
        let second = MetricFamily(name: "d", type: .gauge, metrics: [Metric(value: .gauge(2))])
        #expect(try self.codec.decodeDelimited(self.codec.encodeDelimited([first, second])) == [first, second])
    }

    @Test func prefersTheValueMatchingTheFamilyType() throws {
        // Metric with both gauge (field 2) and counter (field 3) in a COUNTER family.
        let metric: [UInt8] = [0x12, 0x09, 0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x1A, 0x09, 0x09, 0, 0, 0, 0, 0, 0, 0, 0x40]
        let family: [UInt8] = [0x0A, 0x01, 0x63, 0x18, 0x00, 0x22, UInt8(metric.count)] + metric
        let decoded = try self.codec.decodeDelimited([UInt8(family.count)] + family)
        #expect(decoded.first?.metrics.first?.value == .counter(Counter(value: 2)))
    }

    @Test func textToModelToProtobufToModelIsEqual() throws {
        let text = """
            # HELP a Help.
            # TYPE a counter
            a{b="c"} 1
            # TYPE s summary
            s{quantile="0.5"} 1
            s_sum 2
            s_count 3
            # TYPE h histogram
            h_bucket{le="1"} 1
            h_bucket{le="+Inf"} 2
            h_sum 0.5
            h_count 2
            u{x="Προμηθεύς"} -Inf

            """
        let families = try TextFormatParser().parse(Array(text.utf8))
        #expect(try self.codec.decodeDelimited(self.codec.encodeDelimited(families)) == families)
    }
}
