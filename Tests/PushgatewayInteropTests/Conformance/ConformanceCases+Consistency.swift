import PushgatewayCore

/// The prefix of every consistency-check rejection.
let rejected = "pushed metrics are invalid or inconsistent with existing metrics: "

/// Which of two colliding series or families Go reports depends on Go's map order (the store is merged group by
/// group in map order, spec §1.5), so its text varies from run to run; ours deterministically reports the pushed one.
func orderDependentReport(step: Int, ours body: String) -> Divergence {
    Divergence(
        "nondeterministic upstream: Go reports whichever colliding series its map order yields; ours reports the pushed one",
        aspects: [.body(step)],
        ours: [.status(step: step, 400), .bodyContains(step: step, rejected + body)],
        go: [.status(step: step, 400), .bodyContains(step: step, rejected)]
    )
}

extension ConformanceCase {
    /// Spec §1.6, §8.5: the consistency check of a checked push (400 plus a recorded failure).
    static let consistencyCases: [ConformanceCase] = [
        ConformanceCase(
            "a type conflict across groups is 400 and records the failure in the pushing group",
            [
                .put("/metrics/job/a", "# TYPE m counter\nm 1\n"),
                .put("/metrics/job/b", "# TYPE m gauge\nm 2\n").comparingBody(.gatherError),
            ],
            divergences: [
                // Go merges the groups in map order, so it reports either metric against the other's type.
                Divergence(
                    "deliberate: type conflicts are reported against the stored type (README); Go's report depends on map order",
                    aspects: [.body(1)],
                    ours: [
                        .body(
                            step: 1,
                            "\(rejected)collected metric \"m\" { label:{name:\"instance\" value:\"\"} label:{name:\"job\" value:\"b\"} "
                                + "gauge:{value:2}} is not a COUNTER\n"
                        )
                    ],
                    go: [.bodyContains(step: 1, "} is not a ")]
                )
            ]
        ),
        ConformanceCase(
            "the same series twice in one push is 400",
            [.put("/metrics/job/d", "m 1\nm 2\n").comparingBody(.gatherError)]
        ),
        ConformanceCase(
            "body series that become equal once the grouping labels are forced are duplicates",
            [.put("/metrics/job/a", "foo{job=\"b\"} 1\nfoo{job=\"c\"} 2\n").comparingBody(.gatherError)]
        ),
        ConformanceCase(
            "the same series from two groups is a duplicate",
            [
                .put("/metrics/job/a/x/1", "foo 1\n"),
                .put("/metrics/job/a", "foo{x=\"1\"} 2\n").comparingBody(.gatherError),
            ],
            divergences: [
                orderDependentReport(
                    step: 1,
                    ours: "collected metric \"foo\" { label:{name:\"instance\" value:\"\"} label:{name:\"job\" value:\"a\"} "
                        + "label:{name:\"x\" value:\"1\"} untyped:{value:2}} was collected before with the same name and label values\n"
                )
            ]
        ),
        ConformanceCase(
            "an empty base64 instance makes another group with the same series: 400, and its failure group breaks every scrape",
            [
                .put("/metrics/job/x", "m 1\n"),
                .put("/metrics/job/x/instance@base64/=", "m 2\n").comparingBody(.gatherError),
                .scrape(),
            ],
            divergences: [
                orderDependentReport(
                    step: 1,
                    ours:
                        "3 error(s) occurred:\n* collected metric \"m\" { label:{name:\"instance\" value:\"\"} "
                        + "label:{name:\"job\" value:\"x\"} untyped:{value:2}} was collected before with the same name and label values\n"
                )
            ]
        ),
        ConformanceCase(
            "a summary's _count and _sum collide with metrics of those names in other groups, either order",
            [
                .put("/metrics/job/a", "# TYPE s summary\ns_sum 1\ns_count 2\n"),
                .put("/metrics/job/b", "s_count 3\n"),
                .put("/metrics/job/c", "t_sum 3\n"),
                .put("/metrics/job/d", "# TYPE t summary\nt{quantile=\"0.5\"} 1\nt_sum 1\nt_count 1\n"),
            ],
            divergences: [
                orderDependentReport(
                    step: 1,
                    ours: "collected metric named \"s_count\" collides with previously collected summary named \"s\"\n"
                ),
                orderDependentReport(
                    step: 3,
                    ours: "collected histogram or summary named \"t\" collides with previously collected metric named \"t_sum\"\n"
                ),
            ]
        ),
        ConformanceCase(
            "a histogram's _bucket, _count and _sum collide with metrics of those names",
            [
                .put("/metrics/job/a", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n"),
                .put("/metrics/job/b", "h_bucket{le=\"1\"} 5\n"),
                .put("/metrics/job/c", "h_count 5\n"),
                .put("/metrics/job/d", "# TYPE k histogram\nk_bucket{le=\"+Inf\"} 1\nk_sum 1\nk_count 1\nk_bucket 2\n"),
            ],
            divergences: [
                orderDependentReport(
                    step: 1,
                    ours: "collected metric named \"h_bucket\" collides with previously collected histogram named \"h\"\n"
                ),
                orderDependentReport(
                    step: 2,
                    ours: "collected metric named \"h_count\" collides with previously collected histogram named \"h\"\n"
                ),
            ]
        ),
        ConformanceCase(
            "a body label name with a __ prefix passes the parser and fails the check; __name__ fails the parser",
            [
                .put("/metrics/job/r", "m{__x=\"1\"} 1\n").comparingBody(.gatherError),
                .put("/metrics/job/r", "m{__name__=\"x\"} 1\n"),
            ]
        ),
        ConformanceCase(
            "an explicit quantile label on a summary pushed as protobuf is rejected",
            [
                .push(
                    "PUT",
                    "/metrics/job/q",
                    protobuf: [
                        family(
                            "s",
                            .summary,
                            [Metric(labels: labels(["quantile": "0.5"]), value: .summary(Summary(sampleCount: 1, sampleSum: 2)))]
                        )
                    ]
                ).comparingBody(.gatherError)
            ]
        ),
        ConformanceCase(
            "a protobuf label name with a __ prefix is rejected by the check",
            [
                .push("PUT", "/metrics/job/l", protobuf: [family("m", .gauge, [Metric(labels: labels(["__x": "1"]), value: .gauge(1))])])
                    .comparingBody(.gatherError)
            ]
        ),
        ConformanceCase(
            "a protobuf label name that is valid UTF-8 but not a legacy name is accepted and escaped in scrapes",
            [.push("PUT", "/metrics/job/l", protobuf: [family("m", .gauge, [Metric(labels: labels(["a-b": "1"]), value: .gauge(1))])])],
            divergences: [
                // Since 1.11.2 the check validates protobuf label names as UTF-8 (spec §1.6, §5) and scrapes escape
                // them (`escaping=underscores` by default); Debian's 1.5.1 applies the legacy charset and rejects.
                Divergence(
                    "newer upstream: UTF-8 label names from protobuf pushes (1.11.2), escaped in scrapes; Debian ships 1.5.1",
                    aspects: [.answer(0), .state(.json), .state(.text), .state(.protobuf)],
                    ours: [
                        .status(step: 0, 200),
                        .state(.json, contains: "\"labels\":{\"a-b\":\"1\",\"instance\":\"\",\"job\":\"l\"}"),
                        .state(.text, contains: "m{a_b=\"1\",instance=\"\",job=\"l\"} 1"),
                        .state(.protobuf, contains: "{a_b=\"1\",instance=\"\",job=\"l\"} gauge(1.0)"),
                    ],
                    go: [.status(step: 0, 400), .bodyContains(step: 0, "has a label with an invalid name: a-b")]
                )
            ]
        ),
        ConformanceCase(
            "a pushed family that clashes with the gateway's own process metrics is rejected",
            [
                .put("/metrics/job/own", "# TYPE process_start_time_seconds counter\nprocess_start_time_seconds 1\n").comparingBody(
                    .gatherError
                )
            ]
        ),
        ConformanceCase(
            "label-name sets may differ within a family across groups and within a push",
            [
                .put("/metrics/job/a/x/1", "m 1\nm{y=\"2\"} 2\n"),
                .put("/metrics/job/b", "m{z=\"3\"} 3\n"),
            ]
        ),
    ]
}
