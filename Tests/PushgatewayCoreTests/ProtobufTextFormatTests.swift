import Testing

@testable import PushgatewayCore

/// The protobuf text format of scrapes negotiated with `encoding=text` and `encoding=compact-text`.
struct ProtobufTextFormatTests {
    private let counter = MetricFamily(
        name: "requests_total",
        help: "Requests \"served\".\nSecond line.",
        type: .counter,
        unit: "requests",
        metrics: [
            Metric(
                labels: [LabelPair(name: "path", value: "/a\"b\\c")],
                value: .counter(
                    Counter(
                        value: 1.5,
                        exemplar: Exemplar(
                            labels: [LabelPair(name: "trace_id", value: "t")],
                            value: 2,
                            timestamp: Timestamp(seconds: 1, nanos: 5)
                        )
                    )
                )
            )
        ]
    )

    private let native = MetricFamily(
        name: "latency_seconds",
        type: .histogram,
        metrics: [
            Metric(
                value: .histogram(
                    Histogram(
                        sampleCount: 2,
                        sampleSum: .nan,
                        schema: -1,
                        zeroThreshold: 1e-128,
                        zeroCount: 0,
                        positiveSpans: [BucketSpan(offset: -2, length: 1)],
                        positiveDeltas: [-3]
                    )
                )
            )
        ]
    )

    private func text(_ family: MetricFamily, multiline: Bool) -> String {
        var buffer: [UInt8] = []
        ProtobufTextFormat.appendFamily(ProtobufCodec().encodeMessage(family), multiline: multiline, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test func writesPrototextFormatsLayout() {
        #expect(
            self.text(self.counter, multiline: true) == #"""
                name: "requests_total"
                help: "Requests \"served\".\nSecond line."
                type: COUNTER
                metric: {
                  label: {
                    name: "path"
                    value: "/a\"b\\c"
                  }
                  counter: {
                    value: 1.5
                    exemplar: {
                      label: {
                        name: "trace_id"
                        value: "t"
                      }
                      value: 2
                      timestamp: {
                        seconds: 1
                        nanos: 5
                      }
                    }
                  }
                }
                unit: "requests"

                """#
        )
    }

    @Test func writesTheCompactFormOnOneLine() {
        #expect(
            self.text(self.counter, multiline: false)
                == #"name:"requests_total" help:"Requests \"served\".\nSecond line." type:COUNTER metric:{label:{name:"path" value:"/a\"b\\c"} counter:{value:1.5 exemplar:{label:{name:"trace_id" value:"t"} value:2 timestamp:{seconds:1 nanos:5}}}} unit:"requests""#
        )
    }

    @Test func writesNativeHistogramsWithSignedFieldsAndSpecialFloats() {
        let compact = self.text(self.native, multiline: false)
        #expect(compact.hasPrefix(#"name:"latency_seconds" type:HISTOGRAM metric:{histogram:{sample_count:2 sample_sum:nan "#))
        #expect(compact.contains("schema:-1 zero_threshold:1e-128"))
        #expect(compact.contains("positive_span:{offset:-2 length:1} positive_delta:-3"))
    }

    @Test func printsEveryFieldOfEveryShapeItKnows() {
        // Round trip through the codec's own fixture: no field of the schema is printed as "?" (a wire type
        // the table does not expect) and every family starts with its name.
        let families = [self.counter, self.native]
        for family in families {
            let text = self.text(family, multiline: true)
            #expect(!text.contains("?"))
            #expect(text.hasPrefix("name: \"\(family.name)\"\n"))
        }
    }
}
