extension ConformanceCase {
    /// Spec §1.3–§1.5, §8.1–§8.4, §8.12: PUT, POST, DELETE, label sanitising, timestamps, push-time gauges.
    static let pushSemanticsCases: [ConformanceCase] = [
        ConformanceCase(
            "PUT replaces every family of the group",
            [
                .put("/metrics/job/r", "a 1\nb 2\n"),
                .put("/metrics/job/r", "c 3\n"),
            ]
        ),
        ConformanceCase(
            "POST replaces only the families it names, all series of them",
            [
                .put("/metrics/job/r", "a 1\nb{x=\"1\"} 2\nb{x=\"2\"} 2\n"),
                .post("/metrics/job/r", "b{x=\"3\"} 4\nc 5\n"),
            ]
        ),
        ConformanceCase(
            "an empty PUT empties the group but keeps it with its push times",
            [
                .put("/metrics/job/e", "a 1\n"),
                .put("/metrics/job/e", ""),
            ]
        ),
        ConformanceCase(
            "an empty POST keeps every family",
            [
                .put("/metrics/job/e", "a 1\n"),
                .post("/metrics/job/e", ""),
            ]
        ),
        ConformanceCase(
            "an empty PUT or POST to a new group creates it with only its push times",
            [
                .put("/metrics/job/new1", ""),
                .post("/metrics/job/new2/instance/i", ""),
            ]
        ),
        ConformanceCase(
            "DELETE is 202 with an empty body, also for groups that never existed",
            [
                .delete("/metrics/job/nothing"),
                .delete("/metrics/job/nothing/a/b"),
                .delete("/metrics/job@base64/bm90aGluZw"),
            ]
        ),
        ConformanceCase(
            "DELETE removes exactly one group: not the groups whose key extends it, not other jobs",
            [
                .put("/metrics/job/a", "m 1\n"),
                .put("/metrics/job/a/instance/b", "m 2\n"),
                .put("/metrics/job/c", "m 3\n"),
                .delete("/metrics/job/a"),
            ]
        ),
        ConformanceCase(
            "a wipe removes every group and answers 202 with an empty body",
            [
                .put("/metrics/job/w1", "m 1\n"),
                .put("/metrics/job/w2/x/y", "n 2\n"),
                .request("PUT", "/api/v1/admin/wipe"),
            ]
        ),
        ConformanceCase(
            "grouping labels overwrite body labels, instance=\"\" is added, and labels sort by name",
            [.put("/metrics/job/j/zone/eu", "m{job=\"other\",zone=\"us\",b=\"1\",a=\"2\"} 1\nn{instance=\"i1\"} 2\n")]
        ),
        ConformanceCase(
            "an instance in the URL is part of the key and wins over the body's",
            [.put("/metrics/job/j/instance/url", "m{instance=\"body\"} 1\nn 2\n")]
        ),
        ConformanceCase(
            "families and series sort the Go way: by name, then label count, then label values",
            [
                .put("/metrics/job/s", "z 1\na{b=\"2\"} 1\na{b=\"10\"} 1\na 1\na{b=\"1\",c=\"1\"} 1\n_x 1\nA 1\n"),
                .put("/metrics/job/s/instance/i", "a 2\n"),
            ]
        ),
        ConformanceCase(
            "a timestamp rejects the push with 400 and records a failure in a new group",
            [.put("/metrics/job/t", "m 1 1700000000000\n")]
        ),
        ConformanceCase(
            "a rejected push keeps the group's data and marks the last push unsuccessful",
            [
                .put("/metrics/job/t", "m 1\n"),
                .put("/metrics/job/t", "m 2 1000\n"),
            ]
        ),
        ConformanceCase(
            "a successful push after a failure keeps the failure time and marks the last push successful",
            [
                .put("/metrics/job/t", "m 1\n"),
                .post("/metrics/job/t", "m 2 -5\nn 3\n"),
                .post("/metrics/job/t", "n 4\n"),
            ]
        ),
        ConformanceCase(
            "pushed families named like the push-time gauges are overridden",
            [
                .put("/metrics/job/p", "push_time_seconds 5\nother 1\n"),
                .post("/metrics/job/p", "# HELP push_failure_time_seconds mine\npush_failure_time_seconds 7\n"),
            ]
        ),
        ConformanceCase(
            "a DELETE removes the push-time gauges of its group; a new push starts them again",
            [
                .put("/metrics/job/g", "m 1\n"),
                .put("/metrics/job/g", "m 1 5\n"),
                .delete("/metrics/job/g"),
                .post("/metrics/job/g", "n 1\n"),
            ]
        ),
        ConformanceCase(
            "different help texts for one family across groups: ours exposes the smallest grouping key's help",
            [
                .put("/metrics/job/b", "# HELP h from b\nh 1\n"),
                .put("/metrics/job/a", "# HELP h from a\nh 2\n"),
                .put("/metrics/job/c", "# HELP h from c\nh 3\n"),
            ],
            divergences: [
                // Upstream merges groups in Go map order, so the help shown varies from scrape to scrape; ours
                // picks the group whose key is smallest (README "Deterministic help"). The JSON API shows each
                // group's own help and is still compared.
                Divergence(
                    "deliberate: deterministic help across groups (README); Go picks the first group in map order",
                    aspects: [.state(.text), .state(.protobuf)],
                    ours: [
                        .state(.text, contains: "# HELP h from a\n# TYPE h untyped\nh{instance=\"\",job=\"a\"} 2\n"),
                        .state(.protobuf, contains: "family h type=UNTYPED help=\"from a\""),
                    ]
                )
            ]
        ),
    ]
}
