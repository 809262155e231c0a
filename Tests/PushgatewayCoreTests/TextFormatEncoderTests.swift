import Testing

@testable import PushgatewayCore

private func encode(_ families: [MetricFamily]) -> String {
    String(decoding: TextFormatEncoder.encode(families), as: UTF8.self)
}

struct TextFormatEncoderTests {
    @Test func worstCaseLinesFitTheReservedSize() {
        // Escapes everywhere, quoted names, extra labels, the longest floats and timestamps: debug builds
        // assert that every write stays inside the reserved bound.
        let escaped = "a\"b\\c\nd\"\"\\\n\n"
        let labels = [LabelPair(name: escaped, value: escaped + escaped), LabelPair(name: "le", value: "\n")]
        let longest = -1.2345678901234567e-308
        let histogram = Histogram(sampleCount: .max, sampleSum: longest, buckets: [Bucket(cumulativeCount: .max, upperBound: longest)])
        let summary = Summary(sampleCount: .max, sampleSum: longest, quantiles: [Quantile(quantile: longest, value: -.nan)])
        let families = [
            MetricFamily(
                name: escaped,
                help: escaped,
                type: .histogram,
                metrics: [Metric(labels: labels, value: .histogram(histogram), timestampMs: .min)]
            ),
            MetricFamily(name: escaped, type: .summary, metrics: [Metric(labels: labels, value: .summary(summary), timestampMs: .min)]),
            MetricFamily(name: "x", type: .gauge, metrics: [Metric(labels: labels, value: .gauge(longest), timestampMs: .min)]),
        ]
        var appended: [UInt8] = []
        for family in families {
            TextFormatEncoder.append(family, to: &appended)
        }
        #expect(TextFormatEncoder.encode(families) == appended)
        var samples: [UInt8] = []
        TextFormatEncoder.appendSamples(of: families[0].metrics[0], familyName: escaped, to: &samples)
        #expect(!samples.isEmpty)
    }

    @Test func writesHelpOnlyWhenSetAndEscapesIt() {
        let families = [
            MetricFamily(name: "a", help: "Line\\one\ntwo \"q\"", type: .counter, metrics: [Metric(value: .counter(Counter(value: 1)))]),
            MetricFamily(name: "b", type: .gauge, metrics: [Metric(value: .gauge(2))]),
            MetricFamily(name: "c", help: "", type: .untyped, metrics: [Metric(value: .untyped(3))]),
        ]
        #expect(
            encode(families) == """
                # HELP a Line\\\\one\\ntwo "q"
                # TYPE a counter
                a 1
                # TYPE b gauge
                b 2
                # HELP c 
                # TYPE c untyped
                c 3

                """
        )
    }

    @Test func escapesLabelValuesAndKeepsLabelOrder() {
        let metric = Metric(
            labels: [LabelPair(name: "z", value: "a\"b\\c\nd"), LabelPair(name: "a", value: "Προμηθεύς")],
            value: .gauge(-1)
        )
        #expect(
            encode([MetricFamily(name: "g", type: .gauge, metrics: [metric])])
                == "# TYPE g gauge\ng{z=\"a\\\"b\\\\c\\nd\",a=\"Προμηθεύς\"} -1\n"
        )
    }

    @Test(
        arguments: [
            (1e6, "1e+06"), (123456, "123456"), (1234567, "1.234567e+06"), (0.0001, "0.0001"), (1e-5, "1e-05"),
            (.infinity, "+Inf"), (-.infinity, "-Inf"), (.nan, "NaN"), (-0.0, "0"), (2398.283, "2398.283"),
        ] as [(Double, String)]
    )
    func writesFloatsAsGo(value: Double, text: String) {
        #expect(
            encode([MetricFamily(name: "v", type: .untyped, metrics: [Metric(value: .untyped(value))])]) == "# TYPE v untyped\nv \(text)\n"
        )
    }

    @Test func writesSummaryWithQuantileLast() {
        let summary = Summary(
            sampleCount: 7,
            sampleSum: 1.5,
            quantiles: [Quantile(quantile: 0.5, value: 0.2), Quantile(quantile: 0.99, value: 1e6)]
        )
        let family = MetricFamily(
            name: "s",
            help: "S.",
            type: .summary,
            metrics: [Metric(labels: [LabelPair(name: "job", value: "x")], value: .summary(summary))]
        )
        #expect(
            encode([family]) == """
                # HELP s S.
                # TYPE s summary
                s{job="x",quantile="0.5"} 0.2
                s{job="x",quantile="0.99"} 1e+06
                s_sum{job="x"} 1.5
                s_count{job="x"} 7

                """
        )
    }

    @Test func synthesisesTheInfBucket() {
        let histogram = Histogram(
            sampleCount: 5,
            sampleSum: 12,
            buckets: [Bucket(cumulativeCount: 1, upperBound: 0.005), Bucket(cumulativeCount: 3, upperBound: 1e6)]
        )
        #expect(
            encode([MetricFamily(name: "h", type: .histogram, metrics: [Metric(value: .histogram(histogram))])]) == """
                # TYPE h histogram
                h_bucket{le="0.005"} 1
                h_bucket{le="1e+06"} 3
                h_bucket{le="+Inf"} 5
                h_sum 12
                h_count 5

                """
        )
    }

    @Test func doesNotRepeatAnExplicitInfBucket() {
        let histogram = Histogram(sampleCount: 2, sampleSum: 1, buckets: [Bucket(cumulativeCount: 2, upperBound: .infinity)])
        #expect(
            encode([MetricFamily(name: "h", type: .histogram, metrics: [Metric(value: .histogram(histogram))])])
                == "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n"
        )
    }

    @Test func reducesNativeOnlyHistogramsAsUpstream() {
        let native = Histogram(
            sampleCount: 20,
            sampleSum: 99.23,
            schema: 1,
            zeroThreshold: 0.001,
            zeroCount: 0,
            negativeSpans: [BucketSpan(offset: 0, length: 1)],
            negativeDeltas: [2],
            positiveSpans: [BucketSpan(offset: 1, length: 1)],
            positiveDeltas: [2]
        )
        let family = MetricFamily(
            name: "n",
            type: .gaugeHistogram,
            metrics: [Metric(labels: [LabelPair(name: "a", value: "b")], value: .histogram(native))]
        )
        #expect(encode([family]) == "# TYPE n histogram\nn_bucket{a=\"b\",le=\"+Inf\"} 20\nn_sum{a=\"b\"} 99.23\nn_count{a=\"b\"} 20\n")
    }

    @Test func writesFloatHistogramCounts() {
        let histogram = Histogram(sampleCountFloat: 2.5, sampleSum: 1, buckets: [Bucket(cumulativeCountFloat: 1.5, upperBound: 1)])
        #expect(
            encode([MetricFamily(name: "h", type: .histogram, metrics: [Metric(value: .histogram(histogram))])])
                == "# TYPE h histogram\nh_bucket{le=\"1\"} 1.5\nh_bucket{le=\"+Inf\"} 2.5\nh_sum 1\nh_count 2.5\n"
        )
    }

    @Test func quotesNamesThatAreNotLegacy() {
        let family = MetricFamily(
            name: "my.metric",
            help: "H.",
            type: .counter,
            metrics: [
                Metric(labels: [LabelPair(name: "a.b", value: "v")], value: .counter(Counter(value: 1))),
                Metric(value: .counter(Counter(value: 2))),
            ]
        )
        #expect(
            encode([family])
                == "# HELP \"my.metric\" H.\n# TYPE \"my.metric\" counter\n{\"my.metric\",\"a.b\"=\"v\"} 1\n{\"my.metric\"} 2\n"
        )
    }

    @Test func skipsFamiliesWithoutMetrics() {
        #expect(encode([MetricFamily(name: "empty", help: "x", type: .gauge)]) == "")
    }

    @Test func writesTimestamps() {
        #expect(
            encode([MetricFamily(name: "t", type: .gauge, metrics: [Metric(value: .gauge(1), timestampMs: -42)])])
                == "# TYPE t gauge\nt 1 -42\n"
        )
    }

    @Test(arguments: [
        "# HELP a Help \\\\ with \\n escapes.\n# TYPE a counter\na{b=\"c\\\"d\\\\e\\nf\"} 1\na{b=\"x\"} 1e+06\n",
        "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 2\ns_count 3\n",
        "# TYPE h histogram\nh_bucket{x=\"y\",le=\"1\"} 1\nh_bucket{x=\"y\",le=\"+Inf\"} 2\nh_sum{x=\"y\"} 0.5\nh_count{x=\"y\"} 2\n",
        "# TYPE u untyped\nu NaN\nu{a=\"\"} -Inf\n",
    ])
    func roundTripsTextThroughTheModel(text: String) throws {
        let families = try TextFormatParser().parse(Array(text.utf8))
        #expect(encode(families) == text)
    }
}
