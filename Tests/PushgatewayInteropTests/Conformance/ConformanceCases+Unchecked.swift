extension ConformanceCase {
    /// Spec §1.3 step 5, §8.1, §8.4: with `--push.disable-consistency-check`, run against a pair of their own.
    static let uncheckedCases: [ConformanceCase] = [
        ConformanceCase(
            "unchecked: a push is answered 202 with an empty body and applied",
            [
                .put("/metrics/job/u", "m 1\n"),
                .post("/metrics/job/u", "n 2\n"),
            ]
        ),
        ConformanceCase(
            "unchecked: a timestamped push is answered 202 and only records the failure",
            [
                .put("/metrics/job/u", "m 1\n"),
                .put("/metrics/job/u", "m 2 1000\n"),
                .put("/metrics/job/new", "m 3 1000\n"),
            ]
        ),
        ConformanceCase(
            "unchecked: an inconsistent push is answered 202, stored, and breaks every scrape with 500",
            [
                .put("/metrics/job/a", "# TYPE m counter\nm 1\n"),
                .put("/metrics/job/b", "# TYPE m gauge\nm 2\n"),
            ],
            // Which group's metric is reported against the other's type follows Go's map order; the JSON view
            // (both groups as pushed) is compared, the 500 scrapes are checked below.
            views: [.json],
            expectations: [
                .status(step: 1, 202)
            ]
        ),
        ConformanceCase(
            "unchecked: parse and URL errors are still 400, DELETE is still 202",
            [
                .put("/metrics/job/u", "m 1"),
                .put("/metrics/job/u/a", "m 1\n"),
                .put("/metrics/job/u", "m 1\n"),
                .delete("/metrics/job/u"),
            ]
        ),
    ]
}
