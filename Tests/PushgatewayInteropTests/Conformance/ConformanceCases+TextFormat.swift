import PushgatewayCore

extension ConformanceCase {
    /// Spec §7.1, §7.2, §8.9, §8.11: the text format 0.0.4 parser's strictness and error texts, and the writer.
    static let textFormatCases: [ConformanceCase] = [
        ConformanceCase(
            "a body without a final newline is 400 `unexpected end of input stream`",
            [
                .put("/metrics/job/p", "a 1"),
                .put("/metrics/job/p", "# HELP a x\na 1\n# TYPE b gauge"),
            ]
        ),
        ConformanceCase(
            "CRLF line ends and a blank after the value are 400",
            [
                .put("/metrics/job/p", "a 1\r\n"),
                .put("/metrics/job/p", "a 1 \n"),
                .put("/metrics/job/p", "a 1 5 \n"),
                .put("/metrics/job/p", "a{b=\"c\"}\t1\n"),
            ]
        ),
        ConformanceCase(
            "a TYPE after the family's samples and a second TYPE or HELP are 400",
            [
                .put("/metrics/job/p", "a 1\n# TYPE a gauge\n"),
                .put("/metrics/job/p", "# TYPE a gauge\n# TYPE a counter\na 1\n"),
                .put("/metrics/job/p", "# TYPE s summary\ns_count 1\n# TYPE s_count counter\n"),
                .put("/metrics/job/p", "# HELP a x\n# HELP a y\na 1\n"),
            ]
        ),
        ConformanceCase(
            "hex, underscore and out-of-range floats are 400",
            [
                .put("/metrics/job/p", "a 0x1p3\n"),
                .put("/metrics/job/p", "a 1_000\n"),
                .put("/metrics/job/p", "a 1e400\n"),
                .put("/metrics/job/p", "a one\n"),
            ]
        ),
        ConformanceCase(
            "unknown types, bad escapes, bad names and bad label syntax are 400 with Go's messages",
            [
                .put("/metrics/job/p", "# TYPE a counter \na 1\n"),
                .put("/metrics/job/p", "# TYPE a enum\na 1\n"),
                .put("/metrics/job/p", "# HELP a bad \\x escape\na 1\n"),
                .put("/metrics/job/p", "a{b=\"\\t\"} 1\n"),
                .put("/metrics/job/p", "foo.bar 1\n"),
                .put("/metrics/job/p", "blablabla\n"),
                .put("/metrics/job/p", "a{b=\"1\",b=\"2\"} 1\n"),
                .put("/metrics/job/p", "a{b-c=\"1\"} 1\n"),
                .put("/metrics/job/p", "a{b=1} 1\n"),
                .put("/metrics/job/p", "a{b=\"1\" 1\n"),
                .put("/metrics/job/p", "a{b=\"1\"}} 1\n"),
                .put("/metrics/job/p", "# TYPE s summary\ns{quantile=\"x\"} 1\n"),
                .put("/metrics/job/p", "# TYPE h histogram\nh_bucket{le=\"x\"} 1\n"),
                .request("PUT", "/metrics/job/p", body: [0x61, 0x7B, 0x62, 0x3D, 0x22, 0xFF, 0x22, 0x7D, 0x20, 0x31, 0x0A]),
            ]
        ),
        ConformanceCase(
            "a parse error leaves the store and the failure time alone",
            [
                .put("/metrics/job/p", "a 1\n"),
                .put("/metrics/job/p", "a 2\nb x\n"),
                .post("/metrics/job/p", "b{\n"),
            ]
        ),
        ConformanceCase(
            "special float spellings are accepted and every value prints the Go way",
            [
                .put(
                    "/metrics/job/f",
                    """
                    a{v="1"} NaN
                    a{v="2"} +Inf
                    a{v="3"} -Inf
                    a{v="4"} Nan
                    a{v="5"} inf
                    a{v="6"} Infinity
                    a{v="7"} -infinity
                    b{v="01"} 1e3
                    b{v="02"} .5
                    b{v="03"} +1
                    b{v="04"} 123456
                    b{v="05"} 1234567
                    b{v="06"} 0.0001
                    b{v="07"} 0.00001
                    b{v="08"} -0
                    b{v="09"} 1.5e300
                    b{v="10"} 5e-324
                    b{v="11"} 0.1
                    b{v="12"} 100000000000000000000
                    b{v="13"} 1.7976931348623157e308
                    b{v="14"} 3.14159265358979323846

                    """
                )
            ]
        ),
        ConformanceCase(
            "escapes in label values and HELP round-trip; comments, blank lines and leading blanks are ignored",
            [
                .put(
                    "/metrics/job/esc",
                    "# A comment\n\n   # HELP e A \\\\ back\\nslash  \n#TYPE e gauge\n"
                        + "e{q=\"a \\\"quoted\\\" \\\\ \\n value\",u=\"Προμηθεύς ✓\"} 1\n  \te{q=\"\"} 2\n# TYPE\n# HELP\n"
                )
            ]
        ),
        ConformanceCase(
            "an escaped double quote in HELP is accepted and written unescaped",
            [.put("/metrics/job/esc", "# HELP e say \\\"hi\\\"\ne 1\n")],
            divergences: [
                // prometheus/common's parser now accepts `\"` in HELP (spec §7.1); the one in Debian's 1.5.1
                // answers `invalid escape sequence '\"'`.
                Divergence(
                    "newer upstream: `\\\"` accepted in HELP by prometheus/common; Debian ships 1.5.1",
                    aspects: [.answer(0), .state(.json), .state(.text), .state(.protobuf)],
                    ours: [
                        .status(step: 0, 200),
                        .state(.json, contains: "\"e\":{\"help\":\"say \\\"hi\\\"\""),
                        .state(.text, contains: "# HELP e say \"hi\"\n# TYPE e untyped\ne{instance=\"\",job=\"esc\"} 1"),
                    ],
                    go: [.body(step: 0, "text format parsing error in line 1: invalid escape sequence '\\\"'\n")]
                )
            ]
        ),
        ConformanceCase(
            "a summary in text: quantiles, _sum and _count merge by label set",
            [
                .put(
                    "/metrics/job/sum",
                    "# HELP s A summary.\n# TYPE s summary\ns{a=\"1\",quantile=\"0.5\"} 1.5\ns{a=\"1\",quantile=\"0.99\"} 3\n"
                        + "s_sum{a=\"1\"} 10\ns_count{a=\"1\"} 4.9\ns_count{a=\"2\"} 1\ns{a=\"3\",quantile=\"1e-05\"} NaN\n"
                )
            ]
        ),
        ConformanceCase(
            "a histogram in text: the +Inf bucket is synthesized, bounds print the Go way",
            [
                .put(
                    "/metrics/job/hist",
                    "# TYPE h histogram\nh_bucket{le=\"0.005\"} 1\nh_bucket{le=\"1000000\"} 3\nh_sum 7.5\nh_count 4\n"
                        + "h_bucket{x=\"1\",le=\"1\"} 0\nh_bucket{x=\"1\",le=\"+Inf\"} 2\nh_count{x=\"1\"} 2\nh_sum{x=\"1\"} 1\n"
                )
            ]
        ),
        ConformanceCase(
            "a histogram with fractional counts in text becomes a float histogram",
            [.put("/metrics/job/fh", "# TYPE h histogram\nh_bucket{le=\"1\"} 1.5\nh_bucket{le=\"+Inf\"} 2.5\nh_sum 3\nh_count 2.5\n")],
            divergences: [
                // Float histograms in the text parser and writer (prometheus/common) and in the JSON API (upstream
                // 1.10.0, #668) are newer than Debian's 1.5.1, which truncates the counts to integers.
                Divergence(
                    "newer upstream: float histograms (prometheus/common parser and writer, JSON API 1.10.0); Debian ships 1.5.1",
                    aspects: [.state(.json), .state(.text), .state(.protobuf)],
                    ours: [
                        .state(.json, contains: "\"buckets\":{\"+Inf\":\"2.5\",\"1\":\"1.5\"},\"count\":\"2.5\""),
                        .state(.text, contains: "h_bucket{instance=\"\",job=\"fh\",le=\"1\"} 1.5\n"),
                        .state(.text, contains: "h_count{instance=\"\",job=\"fh\"} 2.5"),
                        .state(.protobuf, contains: "sampleCountFloat: Optional(2.5)"),
                    ],
                    go: [.state(.text, contains: "h_count{instance=\"\",job=\"fh\"} 2")]
                )
            ]
        ),
        ConformanceCase(
            "a gaugehistogram TYPE is accepted, but its _bucket, _sum and _count samples stay untyped families",
            [.put("/metrics/job/gh", "# TYPE g gaugehistogram\ng_bucket{le=\"1\"} 1\ng_bucket{le=\"+Inf\"} 2\ng_sum 3\ng_count 2\n")],
            divergences: [
                // prometheus/common's parser now knows `gaugehistogram`, but only folds _bucket/_sum/_count
                // into HISTOGRAM families (spec §7.1), so the samples become untyped families and `g` stays
                // empty. Debian's 1.5.1 parser rejects the type.
                Divergence(
                    "newer upstream: TYPE gaugehistogram accepted by prometheus/common; Debian ships 1.5.1",
                    aspects: [.answer(0), .state(.json), .state(.text), .state(.protobuf)],
                    ours: [
                        .status(step: 0, 200),
                        .state(.text, contains: "# TYPE g_bucket untyped\ng_bucket{instance=\"\",job=\"gh\",le=\"+Inf\"} 2\n"),
                        .stateLacks(.text, "# TYPE g "),
                        .state(
                            .json,
                            contains: "\"g_count\":{\"metrics\":[{\"labels\":{\"instance\":\"\",\"job\":\"gh\"},\"value\":\"2\"}]"
                        ),
                    ],
                    go: [.body(step: 0, "text format parsing error in line 1: unknown metric type \"gaugehistogram\"\n")]
                )
            ]
        ),
        ConformanceCase(
            "histograms from bare and partial text lines: only _count and _sum lines set sample_count and sample_sum",
            [
                .put(
                    "/metrics/job/h",
                    """
                    # TYPE h histogram
                    h{x="bare"} 1
                    h_count{x="count"} 2
                    h_sum{x="sum"} 3
                    h_bucket{x="nole"} 4
                    h_bucket{x="le",le="1"} 5
                    h_count{x="le"} 5
                    h{x="le-on-bare",le="2"} 6
                    h_count{x="le-on-count",le="3"} 7
                    h_sum{x="le-on-sum",le="4"} 8

                    """
                ),
                .put("/metrics/job/h-count", "# TYPE h histogram\nh_count 3\n"),
                .put("/metrics/job/h-sum", "# TYPE h histogram\nh_sum 1.5\n"),
                .put("/metrics/job/h-bare", "# TYPE h histogram\nh 1\n"),
            ]
        ),
        ConformanceCase(
            "summaries from bare and partial text lines: only _count and _sum lines set sample_count and sample_sum",
            [
                .put(
                    "/metrics/job/s",
                    """
                    # TYPE s summary
                    s{x="bare"} 1
                    s_count{x="count"} 2
                    s_sum{x="sum"} 3
                    s{x="q",quantile="0.5"} 4
                    s_count{x="q-on-count",quantile="0.9"} 5
                    s_sum{x="q-on-sum",quantile="0.9"} 6
                    s{x="nan-q",quantile="NaN"} 7

                    """
                ),
                .put("/metrics/job/s-count", "# TYPE s summary\ns_count 3\n"),
                .put("/metrics/job/s-sum", "# TYPE s summary\ns_sum 1.5\n"),
                .put("/metrics/job/s-bare", "# TYPE s summary\ns 1\n"),
            ]
        ),
        ConformanceCase(
            "partial summary and histogram series of different label sets are exposed in Go's order",
            [
                .put(
                    "/metrics/job/o",
                    """
                    # TYPE s summary
                    s_count{b="2"} 1
                    s_count 2
                    s_sum{a="",b="1"} 3
                    s{b="10",quantile="0.5"} 4
                    s_sum{a="x"} 5
                    # TYPE h histogram
                    h_bucket{b="2",le="1"} 1
                    h_count 2
                    h_sum{a="",b="1"} 3
                    h{b="10"} 4
                    h_count{a="x"} 5

                    """
                ),
                .put("/metrics/job/o/instance/i", "# TYPE s summary\ns_count{b=\"0\"} 1\n# TYPE h histogram\nh_sum 1\n"),
            ]
        ),
        ConformanceCase(
            "a consistency error prints a partial summary and histogram with only the fields that are set",
            [
                // Go's message prints whichever of the two duplicates its map order met second, so both
                // sides of each duplicate are built to print alike.
                .put(
                    "/metrics/job/c",
                    "# TYPE s summary\ns_count{x=\"1\"} 1\n# TYPE h histogram\nh_sum{x=\"1\"} 2\n# TYPE g histogram\ng{x=\"1\"} 1\n"
                ),
                .put("/metrics/job/c/x/1", "# TYPE s summary\ns_count 1\n").comparingBody(.gatherError),
                .put("/metrics/job/c/x/1", "# TYPE h histogram\nh_sum 2\n").comparingBody(.gatherError),
                .put("/metrics/job/c/x/1", "# TYPE g histogram\ng 2\n").comparingBody(.gatherError),
            ]
        ),
        ConformanceCase(
            "a protobuf push of summaries and histograms without sample_count or sample_sum keeps them unset",
            [
                .push(
                    "PUT",
                    "/metrics/job/pb-partial",
                    protobuf: [
                        family(
                            "s",
                            .summary,
                            [
                                Metric(labels: labels(["x": "none"]), value: .summary(Summary(hasSampleCount: false, hasSampleSum: false))),
                                Metric(labels: labels(["x": "count"]), value: .summary(Summary(sampleCount: 3, hasSampleSum: false))),
                                Metric(labels: labels(["x": "sum"]), value: .summary(Summary(sampleSum: 1.5, hasSampleCount: false))),
                            ]
                        ),
                        family(
                            "h",
                            .histogram,
                            [
                                Metric(
                                    labels: labels(["x": "none"]),
                                    value: .histogram(Histogram(hasSampleCount: false, hasSampleSum: false))
                                ),
                                Metric(
                                    labels: labels(["x": "bucket"]),
                                    value: .histogram(
                                        Histogram(
                                            buckets: [Bucket(cumulativeCount: 2, upperBound: 1)],
                                            hasSampleCount: false,
                                            hasSampleSum: false
                                        )
                                    )
                                ),
                            ]
                        ),
                    ]
                )
            ]
        ),
        ConformanceCase(
            "a family name that only differs by a _count suffix from an untyped family stays untyped",
            [.put("/metrics/job/u", "x_count 1\nx_sum 2\n# TYPE y counter\ny_total 1\n# EOF\n")]
        ),
    ]
}
