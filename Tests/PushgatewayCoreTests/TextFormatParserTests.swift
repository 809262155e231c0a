import Testing

@testable import PushgatewayCore

private func parse(_ text: String, utf8Names: Bool = false) throws(TextFormatError) -> [MetricFamily] {
    try TextFormatParser(options: .init(allowUTF8Names: utf8Names)).parse(Array(text.utf8))
}

private func parseError(_ text: String, utf8Names: Bool = false) -> String? {
    do {
        _ = try parse(text, utf8Names: utf8Names)
        return nil
    } catch {
        return error.description
    }
}

struct TextFormatParserTests {
    // MARK: Rejections, with upstream's exact messages (spec §7.1 and prometheus/common expfmt).

    @Test(arguments: [
        ("a 1", "text format parsing error in line 1: unexpected end of input stream"),
        ("a 1\n# HELP b x", "text format parsing error in line 2: unexpected end of input stream"),
        ("#", "text format parsing error in line 1: unexpected end of input stream"),
        ("a{b=\"c\"}", "text format parsing error in line 1: unexpected end of input stream"),
        ("a 1\r\n", #"text format parsing error in line 1: expected float as value, got "1\r""#),
        ("a 1 \n", #"text format parsing error in line 1: expected integer as timestamp, got """#),
        ("a 1 2 \n", #"text format parsing error in line 1: spurious string after timestamp: " ""#),
        ("a 1 2 3\n", #"text format parsing error in line 1: spurious string after timestamp: " 3""#),
        ("a 1 1.5\n", #"text format parsing error in line 1: expected integer as timestamp, got "1.5""#),
        ("# HELP a x\n# HELP a y\na 1\n", #"text format parsing error in line 2: second HELP line for metric name "a""#),
        (
            "a 1\n# TYPE a counter\n",
            #"text format parsing error in line 2: second TYPE line for metric name "a", or TYPE reported after samples"#
        ),
        (
            "# TYPE a gauge\n# TYPE a gauge\n",
            #"text format parsing error in line 2: second TYPE line for metric name "a", or TYPE reported after samples"#
        ),
        (
            "# TYPE s summary\ns 1\n# TYPE s_count gauge\n",
            #"text format parsing error in line 3: second TYPE line for metric name "s", or TYPE reported after samples"#
        ),
        ("# TYPE a counter \n", #"text format parsing error in line 1: unknown metric type "counter ""#),
        ("# TYPE a info\n", #"text format parsing error in line 1: unknown metric type "info""#),
        ("# HELP a bad \\t escape\n", #"text format parsing error in line 1: invalid escape sequence '\t'"#),
        ("a{__name__=\"b\"} 1\n", #"text format parsing error in line 1: label name "__name__" is reserved"#),
        ("a{b=\"1\",b=\"2\"} 1\n", #"text format parsing error in line 1: duplicate label names for metric "a""#),
        ("a{b=\"1\",b=\"\\q\"} 1\n", #"text format parsing error in line 1: duplicate label names for metric "a""#),
        ("a{b=\"\\q\"} 1\n", #"text format parsing error in line 1: invalid escape sequence '\q'"#),
        ("a{b=c} 1\n", #"text format parsing error in line 1: expected '"' at start of label value, found 'c'"#),
        ("a{b=\"c\" d=\"e\"} 1\n", #"text format parsing error in line 1: unexpected end of label value "c""#),
        ("a{b} 1\n", #"text format parsing error in line 1: expected '=' after label name, found '}'"#),
        ("a{b=\"c\",,} 1\n", #"text format parsing error in line 1: invalid label name for metric "a""#),
        ("a{b=\"c\n", #"text format parsing error in line 1: label value "c" contains unescaped new-line"#),
        ("1a 1\n", "text format parsing error in line 1: invalid metric name"),
        ("{}\n", "text format parsing error in line 1: invalid metric name"),
        ("{b=\"c\"} 1\n", "text format parsing error in line 1: invalid metric name"),
        ("{\"x\",\"y\"} 1\n", #"text format parsing error in line 1: multiple metric names for metric "x""#),
        ("{\"x\" 1\n", #"text format parsing error in line 1: unexpected end of metric name '1'"#),
        ("foo.bar 1\n", #"text format parsing error in line 1: expected float as value, got ".bar""#),
        ("blablabla\n", #"text format parsing error in line 1: expected float as value, got """#),
        ("a{b=\"c\"}\n", #"text format parsing error in line 1: expected float as value, got """#),
        ("a 0x1p3\n", #"text format parsing error in line 1: expected float as value, got "0x1p3""#),
        ("a 0x10\n", #"text format parsing error in line 1: expected float as value, got "0x10""#),
        ("a 1_000\n", #"text format parsing error in line 1: expected float as value, got "1_000""#),
        ("a 1e400\n", #"text format parsing error in line 1: expected float as value, got "1e400""#),
        ("a +nan\n", #"text format parsing error in line 1: expected float as value, got "+nan""#),
        (
            "# TYPE h histogram\nh_bucket{le=\"x\"} 1\n",
            #"text format parsing error in line 2: expected float as value for 'le' label, got "x""#
        ),
        (
            "# TYPE s summary\ns{quantile=\"x\"} 1\n",
            #"text format parsing error in line 2: expected float as value for 'quantile' label, got "x""#
        ),
        ("# TYPE h histogram\nh_count -1\n", #"text format parsing error in line 2: negative count for histogram "h""#),
        (
            "# TYPE h histogram\nh_bucket{le=\"1\"} -2\n",
            #"text format parsing error in line 2: negative bucket population for histogram "h""#
        ),
        ("# TYPE g gauge_histogram\ng 1\n", #"unexpected type for metric name "g""#),
        ("# HELP 1a x\n", "text format parsing error in line 1: invalid metric name in comment"),
        ("# HELP a.b x\n", "text format parsing error in line 1: invalid metric name in comment"),
        ("a{\"b.c\"=\"d\"} 1\n", #"text format parsing error in line 1: invalid label name "b.c""#),
        ("{\"my.metric\"} 1\n", #"text format parsing error in line 1: invalid metric name "my.metric""#),
        ("\n\n  \nok 1\nbad\n", #"text format parsing error in line 5: expected float as value, got """#),
        ("# EOF\nx_total{a=\"b\"} 1 1.5\n", #"text format parsing error in line 2: expected integer as timestamp, got "1.5""#),
    ])
    func rejectsWithUpstreamMessage(input: String, message: String) {
        #expect(parseError(input) == message)
    }

    // The parser reuses the previous line's names and strings; these lines look alike on purpose.
    @Test(arguments: [
        ("a{x=\"1\",y=\"2\"} 1\na{x=\"1\",x=\"2\"} 1\n", #"text format parsing error in line 2: duplicate label names for metric "a""#),
        ("a{x=\"1\",y=\"2\"} 1\na{y=\"1\",y=\"2\"} 1\n", #"text format parsing error in line 2: duplicate label names for metric "a""#),
        ("a{x=\"1\"} 1\na{x=\"1\",__name__=\"b\"} 1\n", #"text format parsing error in line 2: label name "__name__" is reserved"#),
        ("abc 1\nabc.d 1\n", #"text format parsing error in line 2: expected float as value, got ".d""#),
        ("a{x=\"1\"} 1\na{x=\"1\n", #"text format parsing error in line 2: label value "1" contains unescaped new-line"#),
        ("a{x=\"1\"} 1\na{x", "text format parsing error in line 2: unexpected end of input stream"),
        ("a{x=\"1\"} 1\na", "text format parsing error in line 2: unexpected end of input stream"),
    ])
    func repeatedLinesAreCheckedLikeAnyOther(input: String, message: String) {
        #expect(parseError(input) == message)
    }

    @Test func repeatedNamesThatGrowOrChangeAreReadInFull() throws {
        let families = try parse("abc{x=\"1\"} 1\nabc_total{xy=\"1\"} 2\nabc{x=\"1\",x2=\"v\"} 3\nabc{x=\"\\\"q\"} 4\n")
        #expect(families.map(\.name) == ["abc", "abc_total"])
        #expect(
            families[0].metrics.map(\.labels) == [
                [LabelPair(name: "x", value: "1")],
                [LabelPair(name: "x", value: "1"), LabelPair(name: "x2", value: "v")],
                [LabelPair(name: "x", value: "\"q")],
            ]
        )
        #expect(families[1].metrics.first?.labels == [LabelPair(name: "xy", value: "1")])
    }

    @Test func rejectsInvalidUTF8LabelValue() {
        let input: [UInt8] = Array("a{b=\"".utf8) + [0xFF] + Array("\"} 1\n".utf8)
        #expect(throws: TextFormatError(.invalidLabelValue, line: 1, message: #"invalid label value "\xff""#)) {
            try TextFormatParser().parse(input)
        }
    }

    @Test func errorCarriesCodeAndLine() throws {
        let error = try #require(throws: TextFormatError.self) { try parse("a 1\nb{c=\"1\",c=\"2\"} 1\n") }
        #expect(error.code == .duplicateLabelName)
        #expect(error.line == 2)
    }

    // MARK: Acceptance

    @Test(arguments: [
        "a 1\n", "  \ta 1\n", "\n\na 1\n\n", "a{} 1\n", "a{b=\"c\",} 1\n", "a { b = \"c\" } 1\n", "a{b=\"c\"}1\n",
        "a\t1\n", "# just a comment\na 1\n", "#HELP a help\na 1\n", "# HELP a\na 1\n", "# TYPE a\na 1\n", "#\na 1\n",
        "a 1\n   ", "# UNIT a seconds\na 1\n", "a{b=\"\"} 1\n", "{a} 1\n", "{a,b=\"c\"} 1\n",
    ])
    func acceptsWhatUpstreamAccepts(input: String) throws {
        let families = try parse(input)
        #expect(families.count == 1)
        #expect(families.first?.name == "a")
    }

    @Test(
        arguments: [
            ("NaN", Double.nan), ("nan", .nan), ("Inf", .infinity), ("+Inf", .infinity), ("-Inf", -.infinity),
            ("infinity", .infinity), ("-Infinity", -.infinity), ("1e3", 1000), (".5", 0.5), ("+1", 1), ("5.", 5), ("1E-3", 0.001),
        ] as [(String, Double)]
    )
    func acceptsGoFloatSpellings(text: String, value: Double) throws {
        let families = try parse("a \(text)\n")
        guard case .untyped(let parsed) = families.first?.metrics.first?.value else {
            Issue.record("no untyped value")
            return
        }
        #expect(parsed.bitPattern == value.bitPattern || (parsed.isNaN && value.isNaN))
    }

    @Test func parsesUntypedSampleWithLabelsAndTimestamp() throws {
        let families = try parse("a{b=\"c\",d=\"e\"} 1.5 1700000000000\n")
        #expect(
            families == [
                MetricFamily(
                    name: "a",
                    type: .untyped,
                    metrics: [
                        Metric(
                            labels: [LabelPair(name: "b", value: "c"), LabelPair(name: "d", value: "e")],
                            value: .untyped(1.5),
                            timestampMs: 1_700_000_000_000
                        )
                    ]
                )
            ]
        )
    }

    @Test func parsesNegativeTimestamp() throws {
        #expect(try parse("a 1 -5\n").first?.metrics.first?.timestampMs == -5)
    }

    @Test func decodesHelpEscapesAndKeepsTrailingBlanks() throws {
        let families = try parse("# HELP a x\\ny\\\\z\\\"q  \na 1\n")
        #expect(families.first?.help == "x\ny\\z\"q  ")
    }

    @Test func decodesLabelValueEscapes() throws {
        let families = try parse("a{b=\"q\\\"u\\\\o\\nte\",c=\"Προμηθεύς\"} 1\n")
        #expect(
            families.first?.metrics.first?.labels == [LabelPair(name: "b", value: "q\"u\\o\nte"), LabelPair(name: "c", value: "Προμηθεύς")]
        )
    }

    @Test func typeIsCaseInsensitive() throws {
        #expect(try parse("# TYPE a COUNTER\na 1\n").first?.type == .counter)
        #expect(try parse("# TYPE a Gauge\na 1\n").first?.type == .gauge)
    }

    @Test func helpAndTypeFromComments() throws {
        let families = try parse("# TYPE a counter\n# HELP a The help.\na{x=\"1\"} 3\n")
        #expect(
            families == [
                MetricFamily(
                    name: "a",
                    help: "The help.",
                    type: .counter,
                    metrics: [Metric(labels: [LabelPair(name: "x", value: "1")], value: .counter(Counter(value: 3)))]
                )
            ]
        )
    }

    @Test func dropsFamiliesWithoutSamples() throws {
        let families = try parse("# HELP lonely x\n# TYPE alone gauge\na 1\n")
        #expect(families.map(\.name) == ["a"])
    }

    @Test func appendsNonContiguousSamplesAndKeepsDuplicates() throws {
        let families = try parse("a{x=\"1\"} 1\nb 2\na{x=\"1\"} 3\n")
        #expect(families.map(\.name) == ["a", "b"])
        #expect(families[0].metrics.count == 2)
        #expect(families[0].metrics.map(\.value) == [.untyped(1), .untyped(3)])
    }

    @Test func countAndSumOfUntypedAreTheirOwnFamilies() throws {
        let families = try parse("x_count 1\nx_sum 2\nx 3\n")
        #expect(families.map(\.name) == ["x_count", "x_sum", "x"])
    }

    @Test func assemblesSummaries() throws {
        let input = """
            # TYPE s summary
            s{l="a",quantile="0.5"} 1
            s{quantile="0.9",l="a"} 2
            s_sum{l="a"} 3
            s_count{l="a"} 4.7
            s{l="b",quantile="NaN"} 5
            s_count{l="b"} 1

            """
        let families = try parse(input)
        #expect(
            families == [
                MetricFamily(
                    name: "s",
                    type: .summary,
                    metrics: [
                        Metric(
                            labels: [LabelPair(name: "l", value: "a")],
                            value: .summary(
                                Summary(
                                    sampleCount: 4,
                                    sampleSum: 3,
                                    quantiles: [Quantile(quantile: 0.5, value: 1), Quantile(quantile: 0.9, value: 2)]
                                )
                            )
                        ),
                        Metric(
                            labels: [LabelPair(name: "l", value: "b")],
                            value: .summary(Summary(sampleCount: 1, hasSampleSum: false))
                        ),
                    ]
                )
            ]
        )
    }

    // Upstream's parser sets sample_count and sample_sum only from `_count` and `_sum` lines; a bare sample,
    // a quantile or a bucket line (with or without `le`) only creates the series.
    @Test func setsCountAndSumOnlyFromTheirOwnLines() throws {
        let input = """
            # TYPE h histogram
            h{x="bare"} 1
            h_count{x="count"} 2
            h_sum{x="sum"} 3
            h_bucket{x="nole"} 4
            h_bucket{x="le",le="1"} 5
            # TYPE s summary
            s{x="bare"} 1
            s_count{x="count"} 2
            s_sum{x="sum"} 3
            s{x="q",quantile="0.5"} 4

            """
        let families = try parse(input)
        let histograms = families[0].metrics.map(\.value)
        #expect(
            histograms == [
                .histogram(Histogram(hasSampleCount: false, hasSampleSum: false)),
                .histogram(Histogram(sampleCount: 2, hasSampleSum: false)),
                .histogram(Histogram(sampleSum: 3, hasSampleCount: false)),
                .histogram(Histogram(hasSampleCount: false, hasSampleSum: false)),
                .histogram(
                    Histogram(buckets: [Bucket(cumulativeCount: 5, upperBound: 1)], hasSampleCount: false, hasSampleSum: false)
                ),
            ]
        )
        let summaries = families[1].metrics.map(\.value)
        #expect(
            summaries == [
                .summary(Summary(hasSampleCount: false, hasSampleSum: false)),
                .summary(Summary(sampleCount: 2, hasSampleSum: false)),
                .summary(Summary(sampleSum: 3, hasSampleCount: false)),
                .summary(Summary(quantiles: [Quantile(quantile: 0.5, value: 4)], hasSampleCount: false, hasSampleSum: false)),
            ]
        )
        // The protobuf encoding keeps the absent fields absent, as the stored series and the scrape need.
        let codec = ProtobufCodec()
        #expect(try codec.decodeDelimited(codec.encodeDelimited(families)) == families)
    }

    @Test func assemblesClassicHistograms() throws {
        let input = """
            # HELP h Sizes.
            # TYPE h histogram
            h_bucket{le="1"} 1
            h_bucket{le="10"} 3
            h_bucket{le="+Inf"} 4
            h_sum 25.5
            h_count 4
            h{le="100"} 4

            """
        let families = try parse(input)
        let histogram = Histogram(
            sampleCount: 4,
            sampleSum: 25.5,
            buckets: [
                Bucket(cumulativeCount: 1, upperBound: 1), Bucket(cumulativeCount: 3, upperBound: 10),
                Bucket(cumulativeCount: 4, upperBound: .infinity), Bucket(cumulativeCount: 4, upperBound: 100),
            ]
        )
        #expect(families == [MetricFamily(name: "h", help: "Sizes.", type: .histogram, metrics: [Metric(value: .histogram(histogram))])])
    }

    @Test func nonIntegralHistogramCountsMakeAFloatHistogram() throws {
        let families = try parse("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2.5\nh_count 2.5\nh_sum 3\n")
        guard case .histogram(let histogram) = families.first?.metrics.first?.value else {
            Issue.record("no histogram")
            return
        }
        #expect(histogram.sampleCountFloat == 2.5)
        #expect(histogram.buckets.map(\.cumulativeCountFloat) == [1, 2.5])
        #expect(histogram.buckets.map(\.cumulativeCount) == [0, 0])
    }

    @Test func bucketAndQuantileLabelsAreOrdinaryElsewhere() throws {
        let families = try parse("# TYPE s summary\ns_count{le=\"1\"} 1\na{quantile=\"x\",le=\"y\"} 1\n")
        #expect(families[0].metrics[0].labels == [LabelPair(name: "le", value: "1")])
        #expect(families[1].metrics[0].labels == [LabelPair(name: "quantile", value: "x"), LabelPair(name: "le", value: "y")])
    }

    @Test func helpForSumNameGoesToTheSummary() throws {
        let families = try parse("# TYPE s summary\n# HELP s_sum The summary.\ns_sum 1\n")
        #expect(families.map(\.name) == ["s"])
        #expect(families.first?.help == "The summary.")
    }

    @Test(arguments: [
        ("{\"a\u{0}b\"} 1\n", #"text format parsing error in line 1: invalid metric name "a\x00b""#),
        ("{\"m\",\"l\u{0}x\"=\"v\"} 1\n", #"text format parsing error in line 1: invalid label name "l\x00x""#),
    ])
    func rejectsQuotedNamesHoldingNUL(input: String, message: String) {
        #expect(parseError(input, utf8Names: true) == message)
    }

    @Test func utf8QuotedNamesNeedTheOption() throws {
        let input = "{\"my.metric\",\"a.b\"=\"v\"} 1\n# HELP \"my.metric\" Help.\n"
        #expect(parseError(input) == #"text format parsing error in line 1: invalid metric name "my.metric""#)
        let families = try parse(input, utf8Names: true)
        #expect(
            families == [
                MetricFamily(
                    name: "my.metric",
                    help: "Help.",
                    type: .untyped,
                    metrics: [Metric(labels: [LabelPair(name: "a.b", value: "v")], value: .untyped(1))]
                )
            ]
        )
    }

    @Test func quotedLegacyNamesAreFineWithoutTheOption() throws {
        #expect(try parse("{\"a\",b=\"c\"} 1\n").first?.metrics.first?.labels == [LabelPair(name: "b", value: "c")])
    }

    @Test func emptyInputHasNoFamilies() throws {
        #expect(try parse("").isEmpty)
        #expect(try parse("\n\n# comment\n").isEmpty)
    }

    @Test func returnsFamiliesInOrderOfFirstAppearance() throws {
        #expect(try parse("c 1\na 1\nb 1\na 2\n").map(\.name) == ["c", "a", "b"])
    }
}

@Suite struct TextFormatParserQuotedNameTests {
    @Test func aQuotedLabelNameWithAnEscapedQuoteLeavesLaterLinesAlone() throws {
        let input = """
            a{"le=\\""="x"} 2
            # TYPE h histogram
            h_bucket{le="1"} 1
            h_bucket{le="+Inf"} 4

            """
        let families = try TextFormatParser(options: .init(allowUTF8Names: true)).parse(Array(input.utf8))
        #expect(families.map(\.name) == ["a", "h"])
        #expect(families.first?.metrics.first?.labels == [LabelPair(name: "le=\"", value: "x")])
    }
}
