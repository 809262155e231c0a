import Testing

@testable import PushgatewayCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Expected bodies were produced by Go's encoding/json (go1.19) from the same data shapes as upstream's
// api/v1/api.go, except for `\b` and `\f`, which Go writes in that form since 1.22 (\u0008, \u000c before).

private func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}

private func family(
    _ name: String,
    help: String? = nil,
    _ type: MetricType,
    _ metrics: [Metric],
    at time: Timestamp = Timestamp(seconds: 0)
)
    -> MetricGroupSnapshot.TimestampedFamily
{
    MetricGroupSnapshot.TimestampedFamily(family: MetricFamily(name: name, help: help, type: type, metrics: metrics), time: time)
}

private func labels(_ pairs: KeyValuePairs<String, String>) -> [LabelPair] {
    pairs.map { LabelPair(name: $0.key, value: $0.value) }
}

/// The `metrics` array written for one family `f` of `type` in a group `{job="j"}` without push-time families.
private func metricsJSON(_ type: MetricType, _ metrics: [Metric]) -> String {
    let group = MetricGroupSnapshot(key: GroupingKey(labels(["job": "j"])), families: [family("f", type, metrics)])
    let body = text(JSONAPIEncoder.metrics([group]))
    let prefix = #"{"status":"success","data":[{"f":{"time_stamp":"1970-01-01T00:00:00Z","type":""# + type.protobufName + #"","metrics":"#
    let suffix = #"},"labels":{"job":"j"},"last_push_successful":true}]}"#
    guard body.hasPrefix(prefix), body.hasSuffix(suffix) else {
        Issue.record("unexpected frame: \(body)")
        return body
    }
    return String(body.dropFirst(prefix.count).dropLast(suffix.count))
}

private func histogramJSON(_ histogram: Histogram) -> String {
    metricsJSON(.histogram, [Metric(value: .histogram(histogram))])
}

struct JSONAPIEncoderTests {
    // MARK: Envelope and groups

    @Test func writesAnEmptyStoreAsAnEmptyArray() {
        #expect(text(JSONAPIEncoder.metrics([])) == #"{"status":"success","data":[]}"#)
    }

    @Test func writesTheSpecExampleGroup() {
        // Spec §6's example with its time stamp (2026-01-02T03:04:05.123456789+01:00) in UTC.
        let time = Timestamp(seconds: 1_767_319_445, nanos: 123_456_789)
        let metricLabels = labels(["instance": "", "job": "batch"])
        let group = MetricGroupSnapshot(
            key: GroupingKey(labels(["job": "batch"])),
            families: [
                family(
                    "my_job_duration_seconds",
                    help: "Duration of my batch job in seconds",
                    .gauge,
                    [Metric(labels: metricLabels, value: .gauge(0.2721322309989773))],
                    at: time
                ),
                family(
                    "push_failure_time_seconds",
                    help: "Last Unix time when changing this group in the Pushgateway failed.",
                    .gauge,
                    [Metric(labels: metricLabels, value: .gauge(0))],
                    at: time
                ),
                family(
                    "push_time_seconds",
                    help: "Last Unix time when changing this group in the Pushgateway succeeded.",
                    .gauge,
                    [Metric(labels: metricLabels, value: .gauge(1.7673330451234567e9))],
                    at: time
                ),
            ]
        )
        #expect(
            text(JSONAPIEncoder.metrics([group]))
                == #"{"status":"success","data":[{"labels":{"job":"batch"},"last_push_successful":true,"#
                + #""my_job_duration_seconds":{"time_stamp":"2026-01-02T02:04:05.123456789Z","type":"GAUGE","#
                + #""help":"Duration of my batch job in seconds","#
                + #""metrics":[{"labels":{"instance":"","job":"batch"},"value":"0.2721322309989773"}]},"#
                + #""push_failure_time_seconds":{"time_stamp":"2026-01-02T02:04:05.123456789Z","type":"GAUGE","#
                + #""help":"Last Unix time when changing this group in the Pushgateway failed.","#
                + #""metrics":[{"labels":{"instance":"","job":"batch"},"value":"0"}]},"#
                + #""push_time_seconds":{"time_stamp":"2026-01-02T02:04:05.123456789Z","type":"GAUGE","#
                + #""help":"Last Unix time when changing this group in the Pushgateway succeeded.","#
                + #""metrics":[{"labels":{"instance":"","job":"batch"},"value":"1.7673330451234567e+09"}]}}]}"#
        )
    }

    @Test func writesUpstreamsMetricsAPITestGroup() {
        // prometheus/pushgateway api/v1/api_test.go TestMetricsAPI, its time stamp
        // (2020-03-10T00:54:08.025744841+05:30) in UTC.
        let time = Timestamp(seconds: 1_583_781_848, nanos: 25_744_841)
        let grouping = labels(["instance": #"inst'a"n\ce1"#, "job": "Björn"])
        func testing(_ value: String) -> [LabelPair] { grouping + [LabelPair(name: "testing", value: value)] }
        let spans = [BucketSpan(offset: 0, length: 2), BucketSpan(offset: 0, length: 2)]
        let histograms = [
            Metric(
                labels: testing("int classic histogram"),
                value: .histogram(
                    Histogram(
                        sampleCount: 20,
                        sampleSum: 99.23,
                        buckets: [Bucket(cumulativeCount: 3, upperBound: 250_000), Bucket(cumulativeCount: 17, upperBound: 500_000)]
                    )
                )
            ),
            Metric(
                labels: testing("float classic histogram"),
                value: .histogram(
                    Histogram(
                        sampleCountFloat: 20,
                        sampleSum: 99.23,
                        buckets: [
                            Bucket(cumulativeCountFloat: 3, upperBound: 250_000), Bucket(cumulativeCountFloat: 17, upperBound: 500_000),
                        ]
                    )
                )
            ),
            Metric(
                labels: testing("int native histogram"),
                value: .histogram(
                    Histogram(
                        sampleCount: 20,
                        sampleSum: 99.23,
                        schema: 1,
                        negativeSpans: spans,
                        negativeDeltas: [0, 2, -2, 0],
                        positiveSpans: spans,
                        positiveDeltas: [0, 2, -2, 0]
                    )
                )
            ),
            Metric(
                labels: testing("float native histogram"),
                value: .histogram(
                    Histogram(
                        sampleCountFloat: 20,
                        sampleSum: 99.23,
                        schema: 1,
                        negativeSpans: spans,
                        negativeCounts: [2, 2, -2, 0],
                        positiveSpans: spans,
                        positiveCounts: [2, 2, -2, 0]
                    )
                )
            ),
        ]
        let group = MetricGroupSnapshot(
            key: GroupingKey(grouping),
            families: [
                family("mf1", .summary, [Metric(labels: grouping, value: .summary(Summary()))], at: time),
                family("mfh", .histogram, histograms, at: time),
                family(
                    "push_failure_time_seconds",
                    help: "Last Unix time when changing this group in the Pushgateway failed.",
                    .gauge,
                    [Metric(labels: grouping, value: .gauge(0))],
                    at: time
                ),
                family(
                    "push_time_seconds",
                    help: "Last Unix time when changing this group in the Pushgateway succeeded.",
                    .gauge,
                    [Metric(labels: grouping, value: .gauge(1.583781848025745e9))],
                    at: time
                ),
            ]
        )
        let labelsJSON = #""labels":{"instance":"inst'a\"n\\ce1","job":"Björn""#
        #expect(
            text(JSONAPIEncoder.metrics([group]))
                == #"{"status":"success","data":[{"# + labelsJSON + #"},"last_push_successful":true,"#
                + #""mf1":{"time_stamp":"2020-03-09T19:24:08.025744841Z","type":"SUMMARY","#
                + #""metrics":[{"count":"0","# + labelsJSON + #"},"quantiles":{},"sum":"0"}]},"#
                + #""mfh":{"time_stamp":"2020-03-09T19:24:08.025744841Z","type":"HISTOGRAM","metrics":["#
                + #"{"buckets":{"250000":"3","500000":"17"},"count":"20","#
                + labelsJSON + #","testing":"int classic histogram"},"sum":"99.23"},"#
                + #"{"buckets":{"250000":"3","500000":"17"},"count":"20","#
                + labelsJSON + #","testing":"float classic histogram"},"sum":"99.23"},"#
                + #"{"buckets":[[1,"-1.414213562373095","-1","2"],[0,"1","1.414213562373095","2"]],"count":"20","#
                + labelsJSON + #","testing":"int native histogram"},"sum":"99.23"},"#
                + #"{"buckets":[[1,"-2","-1.414213562373095","-2"],[1,"-1.414213562373095","-1","2"],"#
                + #"[1,"-1","-0.7071067811865475","2"],[0,"0.7071067811865475","1","2"],"#
                + #"[0,"1","1.414213562373095","2"],[0,"1.414213562373095","2","-2"]],"count":"20","#
                + labelsJSON + #","testing":"float native histogram"},"sum":"99.23"}]},"#
                + #""push_failure_time_seconds":{"time_stamp":"2020-03-09T19:24:08.025744841Z","type":"GAUGE","#
                + #""help":"Last Unix time when changing this group in the Pushgateway failed.","#
                + #""metrics":[{"# + labelsJSON + #"},"value":"0"}]},"#
                + #""push_time_seconds":{"time_stamp":"2020-03-09T19:24:08.025744841Z","type":"GAUGE","#
                + #""help":"Last Unix time when changing this group in the Pushgateway succeeded.","#
                + #""metrics":[{"# + labelsJSON + #"},"value":"1.583781848025745e+09"}]}}]}"#
        )
    }

    @Test func writesGroupsInTheGivenOrderSeparatedByCommas() {
        let first = MetricGroupSnapshot(key: GroupingKey(labels(["job": "b"])), families: [])
        let second = MetricGroupSnapshot(key: GroupingKey(labels(["job": "a", "instance": "i"])), families: [])
        #expect(
            text(JSONAPIEncoder.metrics([first, second]))
                == #"{"status":"success","data":[{"labels":{"job":"b"},"last_push_successful":true},"#
                + #"{"labels":{"instance":"i","job":"a"},"last_push_successful":true}]}"#
        )
    }

    @Test func reportsAFailedLastPush() {
        let group = MetricGroupSnapshot(
            key: GroupingKey(labels(["job": "j"])),
            families: [
                family("push_failure_time_seconds", .gauge, [Metric(value: .gauge(2))]),
                family("push_time_seconds", .gauge, [Metric(value: .gauge(1))]),
            ]
        )
        #expect(text(JSONAPIEncoder.metrics([group])).contains(#""last_push_successful":false,"#))
    }

    @Test func sortsFamilyKeysByteWiseAmongTheFixedKeys() {
        let group = MetricGroupSnapshot(
            key: GroupingKey(labels(["job": "j"])),
            families: [
                family("Zeta", .untyped, []), family("a", .untyped, []), family("lz", .untyped, []), family("é", .untyped, []),
            ]
        )
        let empty = #"{"time_stamp":"1970-01-01T00:00:00Z","type":"UNTYPED","metrics":[]}"#
        #expect(
            text(JSONAPIEncoder.metrics([group]))
                == #"{"status":"success","data":[{"Zeta":"# + empty + #","a":"# + empty
                + #","labels":{"job":"j"},"last_push_successful":true,"lz":"# + empty + #","é":"# + empty + "}]}"
        )
    }

    @Test func letsFamiliesNamedLikeTheFixedKeysReplaceThem() {
        // Upstream assigns "labels" and "last_push_successful" first and the families after them into one Go map,
        // so a family with either name replaces the fixed entry; each key appears once.
        let group = MetricGroupSnapshot(
            key: GroupingKey(labels(["job": "j"])),
            families: [
                family("labels", .gauge, [Metric(value: .gauge(1))]),
                family("last_push_successful", .counter, [Metric(value: .counter(Counter(value: 2)))]),
            ]
        )
        #expect(
            text(JSONAPIEncoder.metrics([group]))
                == #"{"status":"success","data":[{"#
                + #""labels":{"time_stamp":"1970-01-01T00:00:00Z","type":"GAUGE","metrics":[{"labels":{},"value":"1"}]},"#
                + #""last_push_successful":{"time_stamp":"1970-01-01T00:00:00Z","type":"COUNTER","metrics":[{"labels":{},"value":"2"}]}}]}"#
        )
    }

    @Test func omitsHelpWhenAbsentOrEmpty() {
        let group = MetricGroupSnapshot(
            key: GroupingKey(labels(["job": "j"])),
            families: [family("a", help: "", .gauge, []), family("b", help: nil, .gauge, []), family("c", help: "x", .gauge, [])]
        )
        let body = text(JSONAPIEncoder.metrics([group]))
        #expect(body.contains(#""a":{"time_stamp":"1970-01-01T00:00:00Z","type":"GAUGE","metrics":[]}"#))
        #expect(body.contains(#""b":{"time_stamp":"1970-01-01T00:00:00Z","type":"GAUGE","metrics":[]}"#))
        #expect(body.contains(#""c":{"time_stamp":"1970-01-01T00:00:00Z","type":"GAUGE","help":"x","metrics":[]}"#))
    }

    // MARK: Metric values

    @Test(
        arguments: [
            (.nan, "NaN"), (.infinity, "+Inf"), (-.infinity, "-Inf"), (-0.0, "-0"), (1e6, "1e+06"), (123456, "123456"),
            (1e-5, "1e-05"), (0.1, "0.1"),
        ] as [(Double, String)]
    )
    func writesValuesAsGoSprintStrings(value: Double, expected: String) {
        #expect(metricsJSON(.gauge, [Metric(value: .gauge(value))]) == #"[{"labels":{},"value":""# + expected + #""}]"#)
    }

    @Test func writesCounterAndUntypedValues() {
        #expect(metricsJSON(.counter, [Metric(value: .counter(Counter(value: 3.5)))]) == #"[{"labels":{},"value":"3.5"}]"#)
        #expect(metricsJSON(.untyped, [Metric(value: .untyped(-2))]) == #"[{"labels":{},"value":"-2"}]"#)
    }

    @Test func writesGaugeHistogramsAndMismatchedValuesAsGoZeroValues() {
        // Upstream switches on the family type; the default branch reads gauge/counter/untyped, else 0.
        let histogram = Metric(value: .histogram(Histogram(sampleCount: 3, sampleSum: 4)))
        #expect(metricsJSON(.gaugeHistogram, [histogram]) == #"[{"labels":{},"value":"0"}]"#)
        #expect(metricsJSON(.gauge, [Metric(value: .none)]) == #"[{"labels":{},"value":"0"}]"#)
        #expect(metricsJSON(.gauge, [Metric(value: .counter(Counter(value: 7)))]) == #"[{"labels":{},"value":"7"}]"#)
        #expect(metricsJSON(.summary, [Metric(value: .gauge(1))]) == #"[{"count":"0","labels":{},"quantiles":{},"sum":"0"}]"#)
        #expect(metricsJSON(.histogram, [Metric(value: .gauge(1))]) == #"[{"buckets":{},"count":"0","labels":{},"sum":"0"}]"#)
    }

    @Test func sortsMetricLabelsAndKeepsTheLastOfARepeatedName() {
        let metric = Metric(labels: labels(["job": "j", "b": "1", "a": "2", "b": "3"]), value: .gauge(1))
        #expect(metricsJSON(.gauge, [metric]) == #"[{"labels":{"a":"2","b":"3","job":"j"},"value":"1"}]"#)
    }

    @Test func writesSummariesWithQuantilesSortedAsStrings() {
        let summary = Summary(
            sampleCount: 18_446_744_073_709_551_615,
            sampleSum: 1.5e-7,
            quantiles: [
                Quantile(quantile: 0.99, value: 3), Quantile(quantile: 0.5, value: .nan), Quantile(quantile: 0.05, value: 1e21),
                Quantile(quantile: 0.5, value: 2),
            ]
        )
        #expect(
            metricsJSON(.summary, [Metric(labels: labels(["q": "v"]), value: .summary(summary))])
                == #"[{"count":"18446744073709551615","labels":{"q":"v"},"quantiles":{"0.05":"1e+21","0.5":"2","0.99":"3"},"sum":"1.5e-07"}]"#
        )
    }

    @Test func writesClassicBucketsKeyedByUpperBoundWithoutSynthesisedInf() {
        let histogram = Histogram(
            sampleCount: 9,
            sampleSum: 12.5,
            buckets: [
                Bucket(cumulativeCount: 1, upperBound: 0.005), Bucket(cumulativeCount: 2, upperBound: 0.01),
                Bucket(cumulativeCount: 3, upperBound: 1), Bucket(cumulativeCount: 4, upperBound: 10),
                Bucket(cumulativeCount: 5, upperBound: 1e6), Bucket(cumulativeCount: 9, upperBound: .infinity),
            ]
        )
        #expect(
            histogramJSON(histogram)
                == #"[{"buckets":{"+Inf":"9","0.005":"1","0.01":"2","1":"3","10":"4","1e+06":"5"},"count":"9","labels":{},"sum":"12.5"}]"#
        )
    }

    @Test func writesClassicFloatCountsOnlyWhenPositive() {
        let histogram = Histogram(
            sampleCount: 4,
            sampleCountFloat: 0,
            sampleSum: 1,
            buckets: [
                Bucket(cumulativeCount: 1, cumulativeCountFloat: 1.5, upperBound: 1),
                Bucket(cumulativeCount: 2, cumulativeCountFloat: 0, upperBound: 2),
                Bucket(cumulativeCount: 3, cumulativeCountFloat: -1, upperBound: 3),
            ]
        )
        #expect(histogramJSON(histogram) == #"[{"buckets":{"1":"1.5","2":"2","3":"3"},"count":"4","labels":{},"sum":"1"}]"#)
        let float = Histogram(sampleCount: 4, sampleCountFloat: 4.25, sampleSum: 1)
        #expect(histogramJSON(float) == #"[{"buckets":{},"count":"4.25","labels":{},"sum":"1"}]"#)
    }

    @Test func keepsTheLastClassicBucketOfARepeatedUpperBound() {
        let histogram = Histogram(
            sampleCount: 2,
            buckets: [Bucket(cumulativeCount: 1, upperBound: 1), Bucket(cumulativeCount: 2, upperBound: 1.0)]
        )
        #expect(histogramJSON(histogram) == #"[{"buckets":{"1":"2"},"count":"2","labels":{},"sum":"0"}]"#)
    }

    // MARK: Native histograms

    @Test func writesTheSpecsNativeExample() {
        let histogram = Histogram(
            sampleCount: 20,
            sampleSum: 99.23,
            schema: 1,
            negativeSpans: [BucketSpan(offset: 1, length: 1)],
            negativeDeltas: [2],
            positiveSpans: [BucketSpan(offset: 1, length: 1)],
            positiveDeltas: [2]
        )
        #expect(
            histogramJSON(histogram)
                == #"[{"buckets":[[1,"-1.414213562373095","-1","2"],[0,"1","1.414213562373095","2"]],"count":"20","labels":{},"sum":"99.23"}]"#
        )
    }

    @Test func writesNegativeBucketsMostNegativeFirst() {
        let histogram = Histogram(sampleCount: 3, schema: 0, negativeSpans: [BucketSpan(offset: 0, length: 2)], negativeDeltas: [1, 1])
        #expect(
            histogramJSON(histogram) == #"[{"buckets":[[1,"-2","-1","2"],[1,"-1","-0.5","1"]],"count":"3","labels":{},"sum":"0"}]"#
        )
    }

    @Test func followsSpanOffsetsAsGapsAfterTheFirstSpan() {
        let histogram = Histogram(
            sampleCount: 4,
            schema: 0,
            positiveSpans: [BucketSpan(offset: -2, length: 1), BucketSpan(offset: 0, length: 0), BucketSpan(offset: 3, length: 2)],
            positiveDeltas: [1, 1, -1]
        )
        #expect(
            histogramJSON(histogram)
                == #"[{"buckets":[[0,"0.125","0.25","1"],[0,"2","4","2"],[0,"4","8","1"]],"count":"4","labels":{},"sum":"0"}]"#
        )
    }

    @Test func writesTheZeroBucketOnlyWhenPopulated() {
        // A no-op span marks an otherwise empty native histogram; -0 is Go's negation of a 0 threshold.
        let populated = Histogram(
            sampleCount: 5,
            schema: 3,
            zeroThreshold: 0,
            zeroCount: 5,
            positiveSpans: [BucketSpan(offset: 0, length: 0)]
        )
        #expect(histogramJSON(populated) == #"[{"buckets":[[3,"-0","0","5"]],"count":"5","labels":{},"sum":"0"}]"#)
        let empty = Histogram(schema: 3, zeroThreshold: 1e-128, zeroCount: 0, positiveSpans: [BucketSpan(offset: 0, length: 0)])
        #expect(histogramJSON(empty) == #"[{"buckets":[],"count":"0","labels":{},"sum":"0"}]"#)
    }

    @Test func writesFloatNativeHistogramsFromAbsoluteCounts() {
        let histogram = Histogram(
            sampleCount: 99,
            sampleCountFloat: 7.5,
            sampleSum: -3.25,
            schema: 0,
            zeroThreshold: 0.001,
            zeroCount: 99,
            zeroCountFloat: 2.5,
            negativeSpans: [BucketSpan(offset: 1, length: 1)],
            negativeDeltas: [42],
            negativeCounts: [.nan],
            positiveSpans: [BucketSpan(offset: 0, length: 2)],
            positiveDeltas: [42, 42],
            positiveCounts: [5, 0]
        )
        #expect(
            histogramJSON(histogram)
                == #"[{"buckets":[[1,"-2","-1","NaN"],[3,"-0.001","0.001","2.5"],[0,"0.5","1","5"]],"count":"7.5","labels":{},"sum":"-3.25"}]"#
        )
    }

    @Test func treatsAPositiveZeroCountFloatAsFloatHistogramEvenWithoutSampleCountFloat() {
        let histogram = Histogram(
            sampleCount: 6,
            zeroCountFloat: 1.5,
            positiveSpans: [BucketSpan(offset: 0, length: 1)],
            positiveCounts: [2]
        )
        #expect(
            histogramJSON(histogram) == #"[{"buckets":[[3,"-0","0","1.5"],[0,"0.5","1","2"]],"count":"0","labels":{},"sum":"0"}]"#
        )
    }

    @Test func wrapsNegativeIntegerPopulationsAsGoDoes() {
        let histogram = Histogram(sampleCount: 1, schema: 0, positiveSpans: [BucketSpan(offset: 0, length: 2)], positiveDeltas: [1, -3])
        #expect(
            histogramJSON(histogram)
                == #"[{"buckets":[[0,"0.5","1","1"],[0,"1","2","18446744073709551614"]],"count":"1","labels":{},"sum":"0"}]"#
        )
    }

    @Test func wrapsBucketIndicesAsGoInt32() {
        // Index Int32.max + 1 wraps to Int32.min, whose lower bound (index Int32.max) is +Inf: an open interval.
        let histogram = Histogram(
            sampleCount: 2,
            schema: 0,
            positiveSpans: [BucketSpan(offset: .max, length: 2)],
            positiveDeltas: [1, 0]
        )
        #expect(
            histogramJSON(histogram)
                == #"[{"buckets":[[0,"+Inf","+Inf","1"],[2,"+Inf","0","1"]],"count":"2","labels":{},"sum":"0"}]"#
        )
    }

    @Test func stopsWhereTheCountsEndInsteadOfTrapping() {
        // Upstream indexes past the end of the bucket slice and panics; we write the buckets there are.
        let histogram = Histogram(
            sampleCount: 1,
            schema: 0,
            positiveSpans: [BucketSpan(offset: 0, length: 4_000_000_000)],
            positiveDeltas: [1]
        )
        #expect(histogramJSON(histogram) == #"[{"buckets":[[0,"0.5","1","1"]],"count":"1","labels":{},"sum":"0"}]"#)
    }

    @Test func writesCustomBucketSchemaWithoutBoundsAsUpstreamDoesForIndexZero() {
        let histogram = Histogram(sampleCount: 1, schema: -53, positiveSpans: [BucketSpan(offset: 0, length: 1)], positiveDeltas: [1])
        #expect(histogramJSON(histogram) == #"[{"buckets":[[3,"-Inf","+Inf","1"]],"count":"1","labels":{},"sum":"0"}]"#)
    }

    @Test(
        arguments: [
            (1, 1, "1.414213562373095"), (1, 0, "1"), (1, -1, "0.7071067811865475"), (0, 1, "2"), (0, -1, "0.5"),
            (3, 1, "1.0905077326652577"), (8, 128, "1.414213562373095"), (2, 3, "1.6817928305074288"),
            (-4, 1, "65536"), (-4, -1, "1.52587890625e-05"), (-1, 512, "1.7976931348623157e+308"), (-1, 513, "+Inf"),
            (8, 262_144, "1.7976931348623157e+308"), (8, 262_145, "+Inf"), (0, 1024, "1.7976931348623157e+308"),
            (0, -1074, "5e-324"), (0, -1075, "0"), (8, -271_615, "4.0583e-320"), (-20, 1, "+Inf"), (-80, 5, "1"),
            (9, 512, "2"), (9, 0, "1"), (-53, 0, "+Inf"), (-53, -1, "-Inf"), (0, .max, "+Inf"), (0, .min, "0"),
            (8, .max, "+Inf"), (-4, .min, "0"),
        ] as [(Int32, Int32, String)]
    )
    func computesPrometheusBucketBounds(schema: Int32, index: Int32, expected: String) {
        #expect(GoFloat.format(NativeBucket.bound(index: index, schema: schema)) == expected)
    }

    @Test func usesPrometheusBoundTableWithinAFewUlpsOfTheExactValue() {
        // The table's entries sit up to 4 ulps below 2^(i/256) / 2; a mistyped digit would be far off.
        for index in 0..<256 {
            let bound = NativeBucket.bound(index: Int32(index) - 256, schema: 8)
            let exact = exp2(Double(index) / 256) / 2
            #expect(abs(bound - exact) <= 5 * exact.ulp, "entry \(index)")
        }
    }

    @Test func marksBoundInclusivityAsUpstream() {
        #expect(NativeBucket(index: 3, schema: 0, positive: true, count: .integer(1)).boundaries == 0)
        #expect(NativeBucket(index: 3, schema: 0, positive: false, count: .integer(1)).boundaries == 1)
        #expect(NativeBucket(index: 1, schema: -53, positive: true, count: .integer(1)).boundaries == 0)
    }

    // MARK: Strings

    @Test func escapesStringsAsGoEncodingJSON() {
        var value = ""
        for code in 0..<0x20 {
            value.unicodeScalars.append(Unicode.Scalar(UInt8(code)))
        }
        value += "\"\\<>&\u{7F}/'é€\u{2028}\u{2029}😀"
        let metric = Metric(labels: [LabelPair(name: "l", value: value)], value: .gauge(1))
        let expected =
            #"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f"#
            + #"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f"#
            + #"\"\\\u003c\u003e\u0026"# + "\u{7F}/'é€" + #"\u2028\u2029"# + "😀"
        #expect(metricsJSON(.gauge, [metric]) == #"[{"labels":{"l":""# + expected + #""},"value":"1"}]"#)
    }

    @Test func escapesKeysAndHelpToo() {
        let group = MetricGroupSnapshot(
            key: GroupingKey(labels(["job": "<j>"])),
            families: [family("a&b", help: "x < y\n", .gauge, [Metric(labels: labels(["k\t": "v"]), value: .gauge(1))])]
        )
        #expect(
            text(JSONAPIEncoder.metrics([group]))
                == #"{"status":"success","data":[{"a\u0026b":{"time_stamp":"1970-01-01T00:00:00Z","type":"GAUGE","help":"x \u003c y\n","#
                + #""metrics":[{"labels":{"k\t":"v"},"value":"1"}]},"labels":{"job":"\u003cj\u003e"},"last_push_successful":true}]}"#
        )
    }

    @Test func leavesALoneE2ByteSequenceThatIsNotALineSeparatorAlone() {
        // U+2026 (E2 80 A6) and U+20AC (E2 82 AC) share the lead byte with U+2028.
        let metric = Metric(labels: [LabelPair(name: "l", value: "…€\u{2029}")], value: .gauge(1))
        #expect(metricsJSON(.gauge, [metric]) == #"[{"labels":{"l":"…€\u2029"},"value":"1"}]"#)
    }

    // MARK: Status

    @Test func writesTheStatusBody() {
        let body = JSONAPIEncoder.status(
            buildInformation: ["version": "1.11.3", "branch": "HEAD", "goVersion": "swift6.3"],
            flags: ["web.listen-address": ":9091", "log.level": "info", "persistence.file": ""],
            startTime: Timestamp(seconds: 1_767_319_445, nanos: 123_456_789)
        )
        #expect(
            text(body)
                == #"{"status":"success","data":{"build_information":{"branch":"HEAD","goVersion":"swift6.3","version":"1.11.3"},"#
                + #""flags":{"log.level":"info","persistence.file":"","web.listen-address":":9091"},"#
                + #""start_time":"2026-01-02T02:04:05.123456789Z"}}"#
        )
    }

    @Test func writesAnEmptyStatus() {
        let body = JSONAPIEncoder.status(buildInformation: [:], flags: [:], startTime: Timestamp(seconds: 0))
        #expect(text(body) == #"{"status":"success","data":{"build_information":{},"flags":{},"start_time":"1970-01-01T00:00:00Z"}}"#)
    }

    // MARK: RFC 3339

    @Test(
        arguments: [
            (0, 0, "1970-01-01T00:00:00Z"), (0, 1, "1970-01-01T00:00:00.000000001Z"), (1, 500_000_000, "1970-01-01T00:00:01.5Z"),
            (951_782_400, 0, "2000-02-29T00:00:00Z"), (951_868_799, 999_999_999, "2000-02-29T23:59:59.999999999Z"),
            (1_709_164_800, 120_000_000, "2024-02-29T00:00:00.12Z"), (1_798_761_599, 100, "2026-12-31T23:59:59.0000001Z"),
            (1_767_225_600, 10, "2026-01-01T00:00:00.00000001Z"), (-1, 0, "1969-12-31T23:59:59Z"),
            (-62_135_596_800, 0, "0001-01-01T00:00:00Z"), (253_402_300_799, 999_999_999, "9999-12-31T23:59:59.999999999Z"),
            (4_107_542_400, 0, "2100-03-01T00:00:00Z"), (1, -1, "1970-01-01T00:00:00.999999999Z"),
            (0, 2_000_000_001, "1970-01-01T00:00:02.000000001Z"), (-62_167_219_200, 0, "0000-01-01T00:00:00Z"),
            (-62_167_219_201, 0, "-0001-12-31T23:59:59Z"), (253_402_300_800, 0, "10000-01-01T00:00:00Z"),
            (.max, 0, "292277026596-12-04T15:30:07Z"),
        ] as [(Int64, Int32, String)]
    )
    func formatsRFC3339NanoInUTC(seconds: Int64, nanos: Int32, expected: String) {
        #expect(RFC3339Nano.format(Timestamp(seconds: seconds, nanos: nanos)) == expected)
    }

    @Test func formatsTheEarliestTimestampWithoutTrapping() {
        // Go's own result there is an artefact of its internal representation; ours only must not trap.
        #expect(RFC3339Nano.format(Timestamp(seconds: .min)) == "-292277022657-01-27T08:29:52Z")
    }

    @Test func convertsEveryDayOfFourHundredYearsToAValidDate() {
        // Walks 1970-01-01 … 2369-12-31 day by day against an independent calendar.
        var (year, month, day): (Int64, Int64, Int64) = (1970, 1, 1)
        var firstMismatch: Int64?
        for days in Int64(0)..<146_097 {
            if firstMismatch == nil, RFC3339Nano.civilDate(daysSinceEpoch: days) != (year, month, day) {
                firstMismatch = days
            }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let length: Int64 = month == 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].contains(month) ? 30 : 31
            day += 1
            if day > length {
                day = 1
                month += 1
                if month > 12 {
                    month = 1
                    year += 1
                }
            }
        }
        #expect(firstMismatch == nil)
        #expect(RFC3339Nano.civilDate(daysSinceEpoch: -719_528) == (0, 1, 1))
    }
}
