extension ConformanceCase {
    /// Spec §1.1, §1.2, §6, §8.13, §8.14: routing, 404/405 answers, redirects, the JSON API basics.
    static let routingCases: [ConformanceCase] = [
        ConformanceCase(
            "HEAD is never routed: 405 with the path's methods in Allow",
            [
                .request("HEAD", "/metrics"),
                .request("HEAD", "/-/healthy"),
                .request("HEAD", "/metrics/job/x"),
                .request("HEAD", "/api/v1/metrics"),
            ]
        ),
        ConformanceCase(
            "GET on a push path is 405 with the push methods in Allow, and stores nothing",
            [
                .get("/metrics/job/x"),
                .get("/metrics/job@base64/eA/a/b"),
                .request("PATCH", "/metrics/job/x", body: bytes("m 1\n")),
            ]
        ),
        ConformanceCase(
            "unknown paths are 404 `404 page not found`",
            [
                .get("/nope"),
                .put("/metrics/jobs/x", "m 1\n"),
                .put("/metrics/job", "m 1\n"),
                .get("/api/v1/nope"),
                .get("/-/nope"),
                .get("/api"),
            ]
        ),
        ConformanceCase(
            "with the lifecycle API off, PUT and POST /-/quit are 403 and GET is 405",
            [
                .request("PUT", "/-/quit"),
                .request("POST", "/-/quit"),
                .get("/-/quit"),
            ]
        ),
        ConformanceCase(
            "the admin wipe route only takes PUT",
            [
                .get("/api/v1/admin/wipe"),
                .request("POST", "/api/v1/admin/wipe"),
            ]
        ),
        ConformanceCase(
            "OPTIONS is 200 with Allow on push paths and with CORS headers on the API",
            [
                .request("OPTIONS", "/metrics/job/x"),
                .request("OPTIONS", "/metrics").comparingHeaders(ConformanceStep.corsHeaders),
                .request("OPTIONS", "/api/v1/metrics").comparingHeaders(ConformanceStep.corsHeaders),
                .request("OPTIONS", "/api/v1/anything/at/all").comparingHeaders(ConformanceStep.corsHeaders),
            ]
        ),
        ConformanceCase(
            "a trailing slash or wrong case redirects: 301 for GET, 307 for other methods",
            [
                .get("/metrics/"),
                .get("/STATUS"),
                .get("/-/healthy/"),
                .get("/api/v1"),
                .put("/Metrics/job/x", "m 1\n"),
                .put("/metrics/job/", "m 1\n"),
                .request("DELETE", "/METRICS/job/x"),
            ]
        ),
        ConformanceCase(
            "scrapes are not counted in pushgateway_http_requests_total and there are no promhttp_* metrics",
            [
                .put("/metrics/job/own", "m 1\n"),
                .scrape(),
                .scrape(),
                .scrape(),
            ],
            divergences: [.escapingParameter(text: [1, 2, 3])],
            expectations: [
                .bodyContains(step: 3, "pushgateway_http_requests_total{code=\"200\",handler=\"push\",method=\"put\"}"),
                .bodyLacks(step: 3, "handler=\"metrics\""),
                .bodyLacks(step: 3, "promhttp_"),
            ]
        ),
        ConformanceCase(
            "health and readiness answer 200 `OK`",
            [.get("/-/healthy"), .get("/-/ready")]
        ),
        ConformanceCase(
            "/api/v1/metrics of an empty store is an empty list with CORS headers",
            [.get("/api/v1/metrics").comparingHeaders(ConformanceStep.corsHeaders)]
        ),
        ConformanceCase(
            "/api/v1/status has the build information, flags and start time, with CORS headers",
            [
                .get("/api/v1/status").comparingBody(.statusJSON).comparingHeaders(ConformanceStep.corsHeaders),
                .get("/api/v1/status").comparingBody(.statusJSONWithoutFlags),
            ],
            divergences: [
                // Debian's 1.5.1 has `web.local-assets` (dropped upstream in 1.6) and lacks
                // `push.enable-utf8-names` (1.11); ours has upstream's current flags plus `push.max-body-size`
                // (README). Step 1 compares everything but the flags.
                Divergence(
                    "newer upstream: the flag set of 1.11 (and our push.max-body-size); Debian ships 1.5.1",
                    aspects: [.body(0)],
                    ours: [
                        .bodyContains(step: 0, "\"push.enable-utf8-names\":\"false\""),
                        .bodyContains(step: 0, "\"web.enable-admin-api\":\"true\""),
                        .bodyContains(step: 0, "\"persistence.interval\":\"5m0s\""),
                        .bodyContains(step: 0, "\"web.telemetry-path\":\"/metrics\""),
                        .bodyContains(step: 0, "\"build_information\":{\"branch\":"),
                        .bodyContains(step: 0, "\"start_time\":\""),
                    ],
                    go: [.bodyContains(step: 0, "\"web.local-assets\":")]
                )
            ]
        ),
    ]
}
