extension ConformanceCase {
    /// Spec §1.3, §1.3.1, §8.6, §8.7: the grouping key in the URL.
    static let groupingKeyCases: [ConformanceCase] = [
        ConformanceCase(
            "a plain grouping key: the job and every label pair become the group's labels",
            [.put("/metrics/job/batch/instance/host1/zone/eu", "m 1\n")]
        ),
        ConformanceCase(
            "base64 label values decode with, without and with surplus padding to one group",
            [
                .put("/metrics/job/b64/path@base64/L3Zhci90bXA", "m 1\n"),
                .put("/metrics/job/b64/path@base64/L3Zhci90bXA=", "m 2\n"),
                .post("/metrics/job/b64/path@base64/L3Zhci90bXA===", "n 3\n"),
            ]
        ),
        ConformanceCase(
            "a base64 value of `=` or `==` is the empty label value",
            [
                .put("/metrics/job/empty/first@base64/=/second/foobar", "m 1\n"),
                .post("/metrics/job/empty/first@base64/==/second/foobar", "n 2\n"),
            ]
        ),
        ConformanceCase(
            "the job@base64 route decodes the job, and base64 values may hold any UTF-8",
            [
                .put("/metrics/job@base64/L3Zhci90bXA/name@base64/zqDPgc6_zrzOt864zrXPjc-C", "m 1\n"),
                .put("/metrics/job@base64/YWJj/b@base64/YQ==", "m 2\n"),
            ]
        ),
        ConformanceCase(
            "an empty job is rejected: 400 for job@base64 of `=`, a redirect for a plain empty segment",
            [
                .put("/metrics/job@base64/=", "m 1\n"),
                .delete("/metrics/job@base64/=="),
                .put("/metrics/job/", "m 1\n"),
                .put("/metrics/job@base64/", "m 1\n"),
            ]
        ),
        ConformanceCase(
            "`//` anywhere in the path is answered 301 to the cleaned path and nothing is stored",
            [
                .put("/metrics/job/x//y", "m 1\n"),
                .put("/metrics/job/x/a//b", "m 1\n"),
                .delete("/metrics/job/x/a//b"),
                .get("//metrics"),
                .put("/metrics/job/x/./a/b", "m 1\n"),
            ]
        ),
        ConformanceCase(
            "%2F in a job or label value is a separator",
            [
                .put("/metrics/job/a%2Fb%2Fc", "m 1\n"),
                .put("/metrics/job/x/a/b%2Fc", "m 2\n"),
            ]
        ),
        ConformanceCase(
            "an odd number of label components is 400 with the raw label string",
            [
                .put("/metrics/job/x/a", "m 1\n"),
                .post("/metrics/job/x/a/1/b", "m 1\n"),
                .delete("/metrics/job/x/a/1/b@base64"),
            ]
        ),
        ConformanceCase(
            "duplicate label names in the path: the last wins; a job label yields to the job segment",
            [.put("/metrics/job/j/a/1/a/2/job/other", "m 1\n")]
        ),
        ConformanceCase(
            "improper label names in the path are 400: non-legacy characters, a leading digit, a __ prefix",
            [
                .put("/metrics/job/x/a-b/1", "m 1\n"),
                .put("/metrics/job/x/1a/1", "m 1\n"),
                .put("/metrics/job/x/__a/1", "m 1\n"),
                .put("/metrics/job/x/__a@base64/MQ", "m 1\n"),
                .put("/metrics/job/x/a.b/1", "m 1\n"),
                .delete("/metrics/job/x/a-b/1"),
            ]
        ),
        ConformanceCase(
            "invalid base64 in a label value is 400 with Go's decoder error",
            [
                .put("/metrics/job/x/a@base64/+++", "m 1\n"),
                .put("/metrics/job/x/a@base64/YW/J", "m 1\n"),
                .put("/metrics/job/x/a@base64/YQ=x", "m 1\n"),
                .delete("/metrics/job/x/a@base64/YWJ*"),
            ]
        ),
        ConformanceCase(
            "invalid base64 in the job is 400 naming the partially decoded job",
            [
                .put("/metrics/job@base64/!!", "m 1\n").onlyToOurs(),
                .post("/metrics/job@base64/YWJj*/a/b", "m 1\n").onlyToOurs(),
                .delete("/metrics/job@base64/YWJjZA$").onlyToOurs(),
            ],
            divergences: [
                // Debian's 1.5.1 returns from the job@base64 handlers without unlocking their mutex on this error
                // (handler/push.go, delete.go), so every later request to that route and method hangs forever;
                // the requests go to ours only. Upstream 1.11.3 answers 400 (spec §1.3 step 1), as ours does.
                Divergence(
                    "Debian 1.5.1 bug: an invalid base64 job leaves the job@base64 handler's mutex locked (later requests hang)",
                    aspects: [.answer(0), .answer(1), .answer(2)],
                    ours: [
                        .status(step: 0, 400),
                        .body(step: 0, "invalid base64 encoding in job name \"\": illegal base64 data at input byte 0\n"),
                        .status(step: 1, 400),
                        .body(step: 1, "invalid base64 encoding in job name \"abc\": illegal base64 data at input byte 4\n"),
                        .status(step: 2, 400),
                        .body(step: 2, "invalid base64 encoding in job name \"abc\": illegal base64 data at input byte 6\n"),
                    ]
                )
            ]
        ),
        ConformanceCase(
            "percent escapes are decoded and a literal plus sign stays a plus sign",
            [
                .put("/metrics/job/q/v/a+b%20c", "m 1\n"),
                .put("/metrics/job/q%C3%A9/v/%E2%82%AC", "m 2\n"),
            ]
        ),
        ConformanceCase(
            "a trailing slash after a job adds nothing; after a label name it adds that label with an empty value",
            [
                .put("/metrics/job/x/", "m 1\n"),
                .put("/metrics/job/x/a/", "m 2\n"),
            ]
        ),
        ConformanceCase(
            "DELETE parses the grouping key like a push and deletes a base64-addressed group",
            [
                .put("/metrics/job/d/path/tmp", "m 1\n"),
                .delete("/metrics/job/d/path@base64/dG1w"),
                .delete("/metrics/job/d/a"),
                .delete("/metrics/job/d/__a/1"),
                .put("/metrics/job@base64/ZA/x/1", "m 2\n"),
                .delete("/metrics/job/d/x@base64/MQ=="),
            ]
        ),
    ]
}
