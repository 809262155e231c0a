import PushgatewayCore

extension ConformanceCase {
    /// Spec §1.3.2, §7.3, §8.8, §8.11, §8.13: protobuf pushes, classic and native histograms, JSON and scrapes.
    static let protobufCases: [ConformanceCase] = [
        ConformanceCase(
            "protobuf counters, gauges and untyped metrics with help are stored and scraped like text ones",
            [
                .push(
                    "PUT",
                    "/metrics/job/pb",
                    protobuf: [
                        family(
                            "c_total",
                            .counter,
                            help: "A counter.",
                            [Metric(labels: labels(["a": "1"]), value: .counter(Counter(value: 3)))]
                        ),
                        family(
                            "g",
                            .gauge,
                            help: "",
                            [Metric(value: .gauge(-2.5)), Metric(labels: labels(["b": "x"]), value: .gauge(.nan))]
                        ),
                        family("u", .untyped, [Metric(labels: labels(["job": "body", "instance": "i"]), value: .untyped(.infinity))]),
                    ]
                )
            ]
        ),
        ConformanceCase(
            "protobuf summaries and classic histograms: buckets, the synthesized +Inf bucket, bounds printed the Go way",
            [
                .push(
                    "PUT",
                    "/metrics/job/pbh",
                    protobuf: [
                        family(
                            "s",
                            .summary,
                            help: "A summary.",
                            [
                                Metric(
                                    value: .summary(
                                        Summary(
                                            sampleCount: 7,
                                            sampleSum: 12.5,
                                            quantiles: [Quantile(quantile: 0.5, value: 1), Quantile(quantile: 0.99, value: 4)]
                                        )
                                    )
                                )
                            ]
                        ),
                        family(
                            "h",
                            .histogram,
                            [
                                Metric(
                                    labels: labels(["k": "int"]),
                                    value: .histogram(
                                        Histogram(
                                            sampleCount: 5,
                                            sampleSum: 9,
                                            buckets: [
                                                Bucket(cumulativeCount: 1, upperBound: 0.25), Bucket(cumulativeCount: 4, upperBound: 1e6),
                                            ]
                                        )
                                    )
                                )
                            ]
                        ),
                    ]
                )
            ]
        ),
        ConformanceCase(
            "a classic float histogram pushed as protobuf",
            [
                .push(
                    "PUT",
                    "/metrics/job/pbh",
                    protobuf: [
                        family(
                            "h",
                            .histogram,
                            [
                                Metric(
                                    labels: labels(["k": "float"]),
                                    value: .histogram(
                                        Histogram(
                                            sampleCountFloat: 5.5,
                                            sampleSum: 9,
                                            buckets: [
                                                Bucket(cumulativeCountFloat: 1.5, upperBound: 1),
                                                Bucket(cumulativeCountFloat: 5.5, upperBound: .infinity),
                                            ]
                                        )
                                    )
                                )
                            ]
                        )
                    ]
                )
            ],
            divergences: [
                // The float fields reach Debian's 1.5.1 as unknown protobuf fields: kept for the protobuf scrape
                // (compared), ignored by its text writer and JSON API (counts 0). Newer upstream writes them.
                Divergence(
                    "newer upstream: float histograms in the text writer and the JSON API (1.10.0); Debian ships 1.5.1",
                    aspects: [.state(.json), .state(.text)],
                    ours: [
                        .state(.json, contains: "\"buckets\":{\"+Inf\":\"5.5\",\"1\":\"1.5\"},\"count\":\"5.5\""),
                        .state(.text, contains: "h_bucket{instance=\"\",job=\"pbh\",k=\"float\",le=\"1\"} 1.5\n"),
                        .state(.text, contains: "h_count{instance=\"\",job=\"pbh\",k=\"float\"} 5.5"),
                    ],
                    go: [.state(.text, contains: "h_count{instance=\"\",job=\"pbh\",k=\"float\"} 0")]
                )
            ]
        ),
        ConformanceCase(
            "a native histogram pushed as protobuf is scraped unchanged as protobuf and as text reduced to +Inf, _sum, _count",
            [.push("PUT", "/metrics/job/native", protobuf: [nativeHistogram])],
            divergences: [
                // Native histograms in the JSON API arrived in upstream 1.8.0 (#611); Debian's 1.5.1 prints them as
                // a classic histogram without buckets. Ours follows the spec (§6).
                Divergence(
                    "newer upstream: native histograms in /api/v1/metrics since 1.8.0; Debian ships 1.5.1",
                    aspects: [.state(.json)],
                    ours: [
                        .state(
                            .json,
                            contains: "\"metrics\":[{\"buckets\":[[1,\"-1.414213562373095\",\"-1\",\"2\"],"
                                + "[3,\"-0.001\",\"0.001\",\"16\"],[0,\"1\",\"1.414213562373095\",\"2\"]],\"count\":\"20\","
                                + "\"labels\":{\"instance\":\"\",\"job\":\"native\"},"
                                + "\"sum\":\"99.23\"}]"
                        )
                    ]
                )
            ]
        ),
        ConformanceCase(
            "a float native histogram with a zero bucket",
            [.push("PUT", "/metrics/job/native", protobuf: [floatNativeHistogram])],
            divergences: [
                // As above; float histograms in the JSON API arrived in upstream 1.10.0 (#668), and 1.5.1's text
                // writer ignores the float counts.
                Divergence(
                    "newer upstream: native and float histograms in /api/v1/metrics and float counts in text; Debian ships 1.5.1",
                    aspects: [.state(.json), .state(.text)],
                    ours: [
                        .state(
                            .json,
                            contains: "\"buckets\":[[3,\"-0.001\",\"0.001\",\"0.5\"],[0,\"0.5\",\"1\",\"1.5\"],[0,\"1\",\"2\",\"2.5\"]]"
                        ),
                        .state(.text, contains: "fnh_bucket{instance=\"\",job=\"native\",kind=\"float\",le=\"+Inf\"} 4.5\n"),
                        .state(.text, contains: "fnh_count{instance=\"\",job=\"native\",kind=\"float\"} 4.5"),
                    ],
                    go: [.state(.text, contains: "fnh_count{instance=\"\",job=\"native\",kind=\"float\"} 0")]
                )
            ]
        ),
        ConformanceCase(
            "a family repeated in one protobuf push: the later one wins",
            [
                .push(
                    "PUT",
                    "/metrics/job/dup",
                    protobuf: [
                        family("m", .gauge, help: "first", [Metric(value: .gauge(1))]),
                        family("m", .counter, help: "second", [Metric(labels: labels(["x": "y"]), value: .counter(Counter(value: 2)))]),
                    ]
                )
            ]
        ),
        ConformanceCase(
            "a protobuf family without metrics empties that family on POST",
            [
                .put("/metrics/job/empty", "a 1\nb 2\n"),
                .push("POST", "/metrics/job/empty", protobuf: [family("a", .untyped, [])]),
            ]
        ),
        ConformanceCase(
            "a protobuf family without a type field is a counter",
            // MetricFamily{name: "c", metric: [{counter: {value: 1}}]}, type field left out.
            [
                .request(
                    "PUT",
                    "/metrics/job/notype",
                    headers: [Header("Content-Type", ConformanceStep.protobufContentType)],
                    body: [0x10, 0x0A, 0x01, 0x63, 0x22, 0x0B, 0x1A, 0x09, 0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F]
                )
            ]
        ),
        ConformanceCase(
            "a truncated or garbled protobuf body is 400 and stores nothing",
            [
                .request(
                    "PUT",
                    "/metrics/job/trunc",
                    headers: [Header("Content-Type", ConformanceStep.protobufContentType)],
                    body: Array(ProtobufCodec().encodeDelimited([family("m", .gauge, [Metric(value: .gauge(1))])]).dropLast(3))
                ),
                .request(
                    "PUT",
                    "/metrics/job/trunc",
                    headers: [Header("Content-Type", ConformanceStep.protobufContentType)],
                    body: [0x03, 0xFF, 0xFF, 0xFF]
                ),
            ],
        ),
        ConformanceCase(
            "a protobuf timestamp rejects the push and records the failure",
            [.push("PUT", "/metrics/job/pbts", protobuf: [family("m", .gauge, [Metric(value: .gauge(1), timestampMs: 1_700_000_000_000)])])]
        ),
        ConformanceCase(
            "protobuf exemplars and created timestamps survive to the protobuf scrape",
            [
                .push(
                    "PUT",
                    "/metrics/job/ex",
                    protobuf: [
                        family(
                            "c_total",
                            .counter,
                            [
                                Metric(
                                    value: .counter(
                                        Counter(
                                            value: 5,
                                            exemplar: Exemplar(
                                                labels: labels(["trace_id": "abc"]),
                                                value: 1,
                                                timestamp: Timestamp(seconds: 1_700_000_000)
                                            ),
                                            createdTimestamp: Timestamp(seconds: 1_600_000_000, nanos: 5)
                                        )
                                    )
                                )
                            ]
                        )
                    ]
                )
            ]
        ),
        ConformanceCase(
            "protobuf metric names are not validated",
            [.push("PUT", "/metrics/job/names", protobuf: [family("my.metric", .gauge, [Metric(value: .gauge(1))])])],
            divergences: [
                // Upstream ≥ 1.11 negotiates a name-escaping scheme (default `underscores`), so the text scrape
                // shows `my_metric`; 1.5.1 writes the name unescaped, which a 0.0.4 parser cannot read back.
                Divergence(
                    "newer upstream: names escaped in scrapes (escaping=underscores default) since 1.11; Debian ships 1.5.1",
                    aspects: [.state(.text), .state(.protobuf)],
                    ours: [
                        .state(.text, contains: "# TYPE my_metric gauge\nmy_metric{instance=\"\",job=\"names\"} 1"),
                        .state(.protobuf, contains: "family my_metric type=GAUGE"),
                    ],
                    go: [.state(.text, contains: "my.metric{instance=\"\",job=\"names\"} 1")]
                )
            ]
        ),
    ]

    /// Upstream's api_test example (spec §6): schema 1, integer counts, a negative, a zero and a positive bucket.
    static let nativeHistogram = family(
        "nh",
        .histogram,
        help: "A native histogram.",
        [
            Metric(
                value: .histogram(
                    Histogram(
                        sampleCount: 20,
                        sampleSum: 99.23,
                        schema: 1,
                        zeroThreshold: 0.001,
                        zeroCount: 16,
                        negativeSpans: [BucketSpan(offset: 1, length: 1)],
                        negativeDeltas: [2],
                        positiveSpans: [BucketSpan(offset: 1, length: 1)],
                        positiveDeltas: [2]
                    )
                )
            )
        ]
    )

    /// A float native histogram: schema 0, zero bucket 0.5, positive buckets (0.5, 1] and (1, 2].
    static let floatNativeHistogram = family(
        "fnh",
        .histogram,
        [
            Metric(
                labels: labels(["kind": "float"]),
                value: .histogram(
                    Histogram(
                        sampleCountFloat: 4.5,
                        sampleSum: 3.25,
                        schema: 0,
                        zeroThreshold: 0.001,
                        zeroCountFloat: 0.5,
                        positiveSpans: [BucketSpan(offset: 0, length: 2)],
                        positiveCounts: [1.5, 2.5]
                    )
                )
            )
        ]
    )
}
