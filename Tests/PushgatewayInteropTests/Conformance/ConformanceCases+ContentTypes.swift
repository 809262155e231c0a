import PushgatewayCore

extension Divergence {
    /// The Content-Type of text (`text`) and protobuf (`protobuf`) scrape steps carries `; escaping=underscores`.
    ///
    /// prometheus/common ≥ 0.60 appends the escaping scheme to every exposition Content-Type (spec §2, upstream
    /// 1.11); Debian's 1.5.1 predates it. Everything else about those answers is still compared.
    static func escapingParameter(text: [Int], protobuf: [Int] = []) -> Divergence {
        let textType = "text/plain; version=0.0.4; charset=utf-8"
        let protobufType = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
        return Divergence(
            "newer upstream: `; escaping=underscores` on exposition Content-Types; Debian ships 1.5.1",
            aspects: (text + protobuf).sorted().map { .header($0, "Content-Type") },
            ours: text.map { .header(step: $0, "Content-Type", textType + "; escaping=underscores") }
                + protobuf.map { .header(step: $0, "Content-Type", protobufType + "; escaping=underscores") },
            go: text.map { .header(step: $0, "Content-Type", textType) } + protobuf.map { .header(step: $0, "Content-Type", protobufType) }
        )
    }
}

extension ConformanceCase {
    /// Spec §1.1 (request decoding), §1.3.2, §2, §8.8, §8.10: Content-Type detection, gzip bodies, scrape negotiation.
    static let contentTypeCases: [ConformanceCase] = [
        ConformanceCase(
            "protobuf is recognised whatever the parameter order, quoting and case of names",
            [
                .request(
                    "PUT",
                    "/metrics/job/ct1",
                    headers: [
                        Header(
                            "Content-Type",
                            "application/vnd.google.protobuf; encoding=delimited; proto=\"io.prometheus.client.MetricFamily\""
                        )
                    ],
                    body: ProtobufCodec().encodeDelimited([family("m", .gauge, [Metric(value: .gauge(1))])])
                ),
                .request(
                    "PUT",
                    "/metrics/job/ct2",
                    headers: [
                        Header("Content-Type", "Application/Vnd.Google.Protobuf;PROTO=io.prometheus.client.MetricFamily;Encoding=delimited")
                    ],
                    body: ProtobufCodec().encodeDelimited([family("m", .gauge, [Metric(value: .gauge(2))])])
                ),
            ]
        ),
        ConformanceCase(
            "anything but delimited protobuf is parsed as text 0.0.4, OpenMetrics included",
            [
                .request(
                    "PUT",
                    "/metrics/job/ct",
                    headers: [
                        Header("Content-Type", "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text")
                    ],
                    body: bytes("m 1\n")
                ),
                .request(
                    "PUT",
                    "/metrics/job/ct",
                    headers: [
                        Header(
                            "Content-Type",
                            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=Delimited"
                        )
                    ],
                    body: ProtobufCodec().encodeDelimited([family("m", .gauge, [Metric(value: .gauge(1))])])
                ).comparingBody(.ignored),
                .request(
                    "POST",
                    "/metrics/job/ct",
                    headers: [Header("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8")],
                    body: bytes("# TYPE om gauge\n# UNIT om seconds\nom 2\n# EOF\n")
                ),
                .request("POST", "/metrics/job/ct", headers: [Header("Content-Type", "garbage;;;")], body: bytes("g 3\n")),
                .request("POST", "/metrics/job/ct", body: bytes("n 4\n")),
                .request(
                    "POST",
                    "/metrics/job/ct",
                    headers: [Header("Content-Type", "application/openmetrics-text")],
                    body: bytes("# TYPE i info\ni_info 1\n# EOF\n")
                ),
            ]
        ),
        ConformanceCase(
            "gzip request bodies are decompressed, text and protobuf",
            [
                .request("PUT", "/metrics/job/gz", headers: [Header("Content-Encoding", "gzip")], body: gzipStored(bytes("zipped 1\n"))),
                .request(
                    "POST",
                    "/metrics/job/gz",
                    headers: [
                        Header("Content-Encoding", "gzip"), Header("Content-Type", ConformanceStep.protobufContentType),
                    ],
                    body: gzipStored(ProtobufCodec().encodeDelimited([family("zipped_pb", .gauge, [Metric(value: .gauge(2))])]))
                ),
            ]
        ),
        ConformanceCase(
            "Content-Encoding is matched case-insensitively",
            [.request("PUT", "/metrics/job/gz", headers: [Header("Content-Encoding", "GZIP")], body: gzipStored(bytes("zipped 1\n")))],
            divergences: [
                // Upstream lower-cases the header since snappy support (1.6.0, spec §1.1); Debian's 1.5.1 compares
                // it as is, so `GZIP` bodies reach the text parser compressed.
                Divergence(
                    "newer upstream: Content-Encoding lower-cased before matching (1.6.0); Debian ships 1.5.1",
                    aspects: [.answer(0), .state(.json), .state(.text), .state(.protobuf)],
                    ours: [.status(step: 0, 200), .state(.text, contains: "zipped{instance=\"\",job=\"gz\"} 1")],
                    go: [.status(step: 0, 400)]
                )
            ]
        ),
        ConformanceCase(
            "a gzip body with a bad or short header is 400; other encodings pass through untouched",
            [
                .request(
                    "PUT",
                    "/metrics/job/gz",
                    headers: [Header("Content-Encoding", "gzip")],
                    body: bytes("plain 1\nplain 2 and more\n")
                ),
                .request("PUT", "/metrics/job/gz", headers: [Header("Content-Encoding", "gzip")], body: bytes("a 1\n")),
                .request("PUT", "/metrics/job/gz", headers: [Header("Content-Encoding", "gzip")], body: []),
                .request("PUT", "/metrics/job/gz", headers: [Header("Content-Encoding", "deflate")], body: bytes("deflated 1\n")),
                .request("POST", "/metrics/job/gz", headers: [Header("Content-Encoding", "x-gzip")], body: bytes("xgzip 1\n")),
                .request("POST", "/metrics/job/gz", headers: [Header("Content-Encoding", "gzip, identity")], body: bytes("both 1\n")),
            ]
        ),
        ConformanceCase(
            "a framed snappy request body is decompressed",
            [
                .request(
                    "PUT",
                    "/metrics/job/snappy",
                    headers: [Header("Content-Encoding", "snappy")],
                    body: snappyFramed(bytes("snappy 1\n"))
                )
            ],
            divergences: [
                // Snappy request bodies arrived upstream in 1.6.0 (#518, spec §1.1); Debian's 1.5.1 hands the framed
                // bytes to the text parser.
                Divergence(
                    "newer upstream: framed snappy request bodies (1.6.0); Debian ships 1.5.1",
                    aspects: [.answer(0), .state(.json), .state(.text), .state(.protobuf)],
                    ours: [.status(step: 0, 200), .state(.text, contains: "snappy{instance=\"\",job=\"snappy\"} 1")],
                    go: [.status(step: 0, 400)]
                )
            ]
        ),
        ConformanceCase(
            "a GET of /metrics that claims a gzip body is 400 `EOF`",
            [.request("GET", "/metrics", headers: [Header("Content-Encoding", "gzip")])]
        ),
        ConformanceCase(
            "scrapes: text by default and for text/plain, protobuf on request, never OpenMetrics; gzip on request",
            [
                .put("/metrics/job/neg", "m 1\n"),
                .scrape(),
                .scrape(accept: "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
                .scrape(accept: ConformanceRunner.protobufAccept),
                .scrape(accept: "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75"),
                .scrape(accept: "text/plain", headers: [Header("Accept-Encoding", "gzip")]),
                .scrape(accept: "text/plain", headers: [Header("Accept-Encoding", "identity;q=0.5, gzip;q=1")]),
                .scrape(accept: "text/plain", headers: [Header("Accept-Encoding", "br")]),
            ],
            // Only the escaping parameter differs (see Divergence.escapingParameter).
            divergences: [.escapingParameter(text: [1, 2, 4, 5, 6, 7], protobuf: [3])]
        ),
        ConformanceCase(
            "a Prometheus 3 Accept header gets text 0.0.4 with the sticky escaping=allow-utf-8, names quoted",
            [
                .push(
                    "PUT",
                    "/metrics/job/utf8",
                    protobuf: [family("my.metric", .gauge, [Metric(labels: labels(["a.b": "1"]), value: .gauge(1))])]
                ),
                .scrape(
                    accept: "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;"
                        + "version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
                ),
            ],
            // Debian's 1.5.1 rejects the non-legacy label name, so the scrape is compared but not the push.
            views: [],
            divergences: [
                // Escaping negotiation arrived with UTF-8 names (upstream 1.11, prometheus/common ≥ 0.60, spec §2):
                // an `escaping=` in any Accept clause sticks, so the 0.0.4 answer carries `escaping=allow-utf-8` and
                // quotes names that are not legacy-valid. Debian's 1.5.1 has neither.
                Divergence(
                    "newer upstream: UTF-8 names and sticky escaping negotiation (1.11); Debian ships 1.5.1",
                    aspects: [.answer(0), .header(1, "Content-Type")],
                    ours: [
                        .status(step: 0, 200),
                        .header(step: 1, "Content-Type", "text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8"),
                        .bodyContains(step: 1, "{\"my.metric\",\"a.b\"=\"1\",instance=\"\",job=\"utf8\"} 1\n"),
                    ],
                    go: [.status(step: 0, 400), .header(step: 1, "Content-Type", "text/plain; version=0.0.4; charset=utf-8")]
                )
            ]
        ),
        ConformanceCase(
            "protobuf text and compact-text scrape encodings are honoured",
            [
                .put("/metrics/job/pt", "m 1\n"),
                .scrape(accept: "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text"),
                .scrape(accept: "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=compact-text"),
            ],
            divergences: [
                // The escaping parameter is newer than Debian's 1.5.1 (see the scrape case above). The bodies
                // differ too: 1.5.1's golang/protobuf writes messages in `< >`, newer upstream's prototext in
                // `{ }` (with random extra spaces we leave out).
                Divergence(
                    "newer upstream: `; escaping=underscores` on exposition Content-Types; Debian ships 1.5.1",
                    aspects: [.header(1, "Content-Type"), .header(2, "Content-Type")],
                    ours: [
                        .header(
                            step: 1,
                            "Content-Type",
                            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text; escaping=underscores"
                        ),
                        .bodyContains(step: 1, "name: \"m\""),
                        .header(
                            step: 2,
                            "Content-Type",
                            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=compact-text; "
                                + "escaping=underscores"
                        ),
                    ],
                    go: [
                        .header(
                            step: 1,
                            "Content-Type",
                            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text"
                        ),
                        .bodyContains(step: 1, "name: \"m\""),
                    ]
                )
            ]
        ),
    ]
}
