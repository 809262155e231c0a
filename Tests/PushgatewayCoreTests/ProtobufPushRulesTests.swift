import Testing

@testable import PushgatewayCore

/// A length-delimited field (payloads under 128 bytes).
private func field(_ number: UInt8, _ payload: [UInt8]) -> [UInt8] {
    precondition(payload.count < 128 && number < 16)
    return [number << 3 | 2, UInt8(payload.count)] + payload
}

/// A gauge metric with the given labels (name, value bytes).
private func gaugeMetric(_ labels: [([UInt8], [UInt8])]) -> [UInt8] {
    var metric: [UInt8] = []
    for (name, value) in labels {
        metric += field(1, field(1, name) + field(2, value))
    }
    return metric + field(2, [0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
}

/// A delimited stream of one GAUGE family.
private func gaugeFamily(name: [UInt8]?, help: [UInt8]? = nil, metrics: [[UInt8]]) -> [UInt8] {
    var family: [UInt8] = name.map { field(1, $0) } ?? []
    family += help.map { field(2, $0) } ?? []
    family += [0x18, 0x01]
    for metric in metrics {
        family += field(4, metric)
    }
    precondition(family.count < 128)
    return [UInt8(family.count)] + family
}

/// What a push must not hold, and what must survive it byte for byte.
struct ProtobufPushRulesTests {
    let codec = ProtobufCodec()

    @Test func rejectsFieldNumberZeroInAnOverlongTag() throws {
        // `81 00` is field 0, wire type 1, in a two-byte tag: protobuf-c keeps it as an unknown field, but the
        // stored message would carry it as `01`, which it refuses, so the push must be refused (as Go does).
        var family = field(1, Array("m".utf8)) + [0x81, 0x00, 1, 2, 3, 4, 5, 6, 7, 8] + [0x18, 0x01]
        family += field(4, gaugeMetric([]))
        let error = #expect(throws: ProtobufCodecError.self) { try codec.decodeDelimited([UInt8(family.count)] + family) }
        #expect(error?.goText == "proto: cannot parse invalid wire-format data")
    }

    @Test(
        arguments: [
            (gaugeFamily(name: Array("a\0b".utf8), metrics: [gaugeMetric([])]), #"metric name holds a NUL byte: "a\x00b""#),
            (
                gaugeFamily(name: Array("m".utf8), metrics: [gaugeMetric([(Array("l\0x".utf8), Array("v".utf8))])]),
                #"label name of metric "m" holds a NUL byte: "l\x00x""#
            ),
        ] as [([UInt8], String)]
    )
    func rejectsNULInNames(bytes: [UInt8], message: String) throws {
        // protobuf-c's C strings used to cut these at the NUL: "a\0b" was stored as "a".
        let error = try #require(throws: ProtobufCodecError.self) { try self.codec.decodeDelimited(bytes) }
        #expect(error.code == .invalidName)
        #expect(error.message == message)
    }

    @Test func keepsNULInLabelValuesAndHelpByteForByte() throws {
        let bytes = gaugeFamily(
            name: Array("m".utf8),
            help: Array("x\0y".utf8),
            metrics: [gaugeMetric([(Array("l".utf8), Array("v\0a".utf8))]), gaugeMetric([(Array("l".utf8), Array("v\0b".utf8))])]
        )
        let families = try self.codec.decodeDelimited(bytes)
        #expect(families.count == 1)
        #expect(families.first?.help == "x\0y")
        // Two distinct series, not two copies of `l="v"`.
        #expect(
            families.first?.metrics.map { $0.labels } == [[LabelPair(name: "l", value: "v\0a")], [LabelPair(name: "l", value: "v\0b")]]
        )
        #expect(self.codec.encodeDelimited(families) == bytes)
    }

    @Test(
        arguments: [
            [0],
            gaugeFamily(name: nil, metrics: [gaugeMetric([])]),
            gaugeFamily(name: [], metrics: [gaugeMetric([])]),
        ] as [[UInt8]]
    )
    func rejectsAFamilyWithoutAName(bytes: [UInt8]) throws {
        // It would be written as `# TYPE "" gauge`, which no text scraper reads.
        let error = try #require(throws: ProtobufCodecError.self) { try self.codec.decodeDelimited(bytes) }
        #expect(error.code == .invalidName)
        #expect(error.message.contains("without a name"))
        #expect(error.goText == nil)
    }

    @Test func storedMessagesMayLeaveTheirNameOut() throws {
        // The store assembles families from cached metric encodings only; those must still decode.
        let family = try self.codec.decodeMessage(Array(gaugeFamily(name: nil, metrics: [gaugeMetric([])]).dropFirst()))
        #expect(family.name.isEmpty && family.metrics.count == 1)
    }

    @Test func theDefaultLimitsAreTheGateways() throws {
        #expect(ProtobufCodec.Options().limits == .default)
        let labels = (0...PushLimits.default.maxLabelsPerSeries).map { LabelPair(name: "l\($0)", value: "v") }
        let bytes = self.codec.encodeDelimited([MetricFamily(name: "m", type: .gauge, metrics: [Metric(labels: labels, value: .gauge(1))])])
        let error = try #require(throws: ProtobufCodecError.self) { try self.codec.decodeDelimited(bytes) }
        #expect(error.code == .limitExceeded)
        #expect(error.message == #"a series of metric "m" has 1025 labels; the limit is 1024 labels per series"#)
    }

    private static let small = ProtobufCodec(
        options: .init(limits: PushLimits(maxLabelsPerSeries: 2, maxNameOrValueBytes: 4, maxSeriesPerPush: 3))
    )

    @Test(
        arguments: [
            (
                MetricFamily(
                    name: "m",
                    type: .gauge,
                    metrics: [
                        Metric(
                            labels: [.init(name: "a", value: "1"), .init(name: "b", value: "2"), .init(name: "c", value: "3")],
                            value: .gauge(1)
                        )
                    ]
                ),
                #"a series of metric "m" has 3 labels; the limit is 2 labels per series"#
            ),
            (
                MetricFamily(name: "m", type: .gauge, metrics: [Metric(labels: [.init(name: "a", value: "12345")], value: .gauge(1))]),
                #"value of label "a" of metric "m" is 5 bytes long; the limit is 4 bytes per name or label value"#
            ),
            (
                MetricFamily(name: "m", type: .gauge, metrics: [Metric(labels: [.init(name: "abcde", value: "1")], value: .gauge(1))]),
                #"label name of metric "m" is 5 bytes long; the limit is 4 bytes per name or label value"#
            ),
            (
                MetricFamily(name: "metric", type: .gauge, metrics: [Metric(value: .gauge(1))]),
                "metric name is 6 bytes long; the limit is 4 bytes per name or label value"
            ),
        ] as [(MetricFamily, String)]
    )
    func refusesASeriesOverTheLimits(family: MetricFamily, message: String) throws {
        let error = try #require(throws: ProtobufCodecError.self) { try Self.small.decodeDelimited(Self.small.encodeDelimited([family])) }
        #expect(error.code == .limitExceeded)
        #expect(error.message == message)
    }

    @Test func refusesAPushOverTheSeriesLimitAcrossFamilies() throws {
        let two = (0..<2).map { Metric(labels: [.init(name: "i", value: "\($0)")], value: .gauge(1)) }
        let atLimit = [MetricFamily(name: "a", type: .gauge, metrics: two), MetricFamily(name: "b", type: .gauge, metrics: [two[0]])]
        #expect(try Self.small.decodeDelimited(Self.small.encodeDelimited(atLimit)) == atLimit)
        let over = [MetricFamily(name: "a", type: .gauge, metrics: two), MetricFamily(name: "b", type: .gauge, metrics: two)]
        let error = try #require(throws: ProtobufCodecError.self) { try Self.small.decodeDelimited(Self.small.encodeDelimited(over)) }
        #expect(error.code == .limitExceeded)
        #expect(error.messageIndex == 1)
        #expect(error.message == "the push holds more than 3 series; the limit is 3 series per push")
    }

    @Test func limitsAreInclusive() throws {
        let family = MetricFamily(
            name: "abcd",
            type: .gauge,
            metrics: [Metric(labels: [.init(name: "a", value: "1234"), .init(name: "bcde", value: "")], value: .gauge(1))]
        )
        #expect(try Self.small.decodeDelimited(Self.small.encodeDelimited([family])) == [family])
    }
}
