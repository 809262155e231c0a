import PushgatewayCore
import Testing

/// The label values `Tests/Peers/gopusher` and `Tests/Peers/python_pusher.py` give their path-labelled counter,
/// with the count each one gets, and how the text exposition escapes them.
let trickyPathValues: [(value: String, count: Int, escaped: String)] = [
    ("/api/v1/push", 1, "/api/v1/push"),
    ("say \"hi\"", 2, "say \\\"hi\\\""),
    ("line1\nline2", 3, "line1\\nline2"),
    ("C:\\temp", 4, "C:\\\\temp"),
    ("Προμηθεύς ✓", 5, "Προμηθεύς ✓"),
]

/// The text samples of a path-labelled counter as the gateway writes them: label values sorted byte-wise, and the
/// grouping labels merged in name order (`instance` < `job` < `path`).
func trickyPathSamples(_ name: String, instance: String, job: String) -> [String] {
    trickyPathValues.sorted { Array($0.value.utf8).lexicographicallyPrecedes($1.value.utf8) }.map {
        "\(name){instance=\"\(instance)\",job=\"\(job)\",path=\"\($0.escaped)\"} \($0.count)"
    }
}

/// client_golang 1.14 (Debian) pushing to our gateway through `prometheus/push`.
@Suite(.interop)
struct GoClientTests {
    /// A job with `/`, so client_golang switches it to unpadded `@base64`.
    static let job = "go/batch"
    /// A grouping value with `/` (7 bytes, so unpadded base64 differs from padded).
    static let instance = "host/a1"
    /// The grouping key of the pushed group.
    static let key = ["job": job, "instance": instance]

    /// A protobuf Push (PUT) to a base64 grouping key arrives whole: escaped label values, exemplars, classic and
    /// native buckets, in both the protobuf scrape and the JSON API.
    @Test func goClientPushesProtobufWithNativeHistogram() async throws {
        try await withGateway(.ours) { gateway in
            try await goPusher(gateway, .push, job: Self.job, grouping: [("instance", Self.instance)])

            let families = try await gateway.scrapeProtobuf()
            let requests = try #require(families.family("interop_go_requests_total"))
            #expect(requests.type == .counter)
            #expect(requests.help == "Requests by path, with \"quotes\" and a \\ backslash.")
            for (value, count, _) in trickyPathValues {
                let metric = try #require(requests.metric(where: "path", is: value), "no series for path \(value)")
                #expect(metric.labels.map(\.name) == ["instance", "job", "path"])
                #expect(metric.labelDictionary == Self.key.merging(["path": value]) { $1 })
                #expect(metric.value == .counter(Counter(value: Double(count))))
            }

            let exemplarCounter = try #require(families.family("interop_go_exemplar_total")?.metrics.first)
            guard case .counter(let counter) = exemplarCounter.value else {
                Issue.record("interop_go_exemplar_total is \(exemplarCounter.value)")
                return
            }
            #expect(counter.value == 7)
            #expect(counter.exemplar?.labels == [LabelPair(name: "trace_id", value: "4bf92f3577b34da6")])
            #expect(counter.exemplar?.value == 7)
            #expect(counter.exemplar?.timestamp != nil)

            #expect(families.family("interop_go_temperature_celsius")?.metrics.first?.value == .gauge(-12.5))
            let summary = Summary(
                sampleCount: 10,
                sampleSum: 55,
                quantiles: [Quantile(quantile: 0.5, value: 5), Quantile(quantile: 0.9, value: 9)]
            )
            #expect(families.family("interop_go_latency_seconds")?.metrics.first?.value == .summary(summary))

            let histogramMetric = try #require(families.family("interop_go_duration_seconds")?.metrics.first)
            #expect(histogramMetric.labelDictionary == Self.key)
            guard case .histogram(let histogram) = histogramMetric.value else {
                Issue.record("interop_go_duration_seconds is \(histogramMetric.value)")
                return
            }
            #expect(histogram.sampleCount == 6)
            #expect(histogram.sampleSum == 11.3125)
            #expect(histogram.buckets.map(\.upperBound) == [0.1, 0.5, 1, 5, .infinity])
            #expect(histogram.buckets.map(\.cumulativeCount) == [1, 3, 4, 5, 6])
            #expect(histogram.buckets[1].exemplar?.labels == [LabelPair(name: "trace_id", value: "bucket-0.5")])
            #expect(histogram.buckets[1].exemplar?.value == 0.25)
            #expect(histogram.buckets[4].exemplar?.labels == [LabelPair(name: "trace_id", value: "bucket-inf")])
            #expect(histogram.buckets[4].exemplar?.value == 8)
            // Factor 1.1 picks schema 3; observations 0.0625, 0.25 (twice), 0.75, 2, 8 fall in buckets
            // -32, -16, -3, 8 and 24, each far enough apart to get a span of its own.
            #expect(histogram.schema == 3)
            #expect(histogram.zeroThreshold == 2.938735877055719e-39)
            #expect(histogram.zeroCount == 0)
            #expect(
                histogram.positiveSpans == [
                    BucketSpan(offset: -32, length: 1), BucketSpan(offset: 15, length: 1), BucketSpan(offset: 12, length: 1),
                    BucketSpan(offset: 10, length: 1), BucketSpan(offset: 15, length: 1),
                ]
            )
            #expect(histogram.positiveDeltas == [1, 1, -1, 0, 0])
            #expect(histogram.negativeSpans.isEmpty)

            let group = try #require(try await gateway.apiGroup(Self.key), "no group \(Self.key)")
            #expect(group["last_push_successful"] == .bool(true))
            for (value, count, _) in trickyPathValues {
                let labels = Self.key.merging(["path": value]) { $1 }
                #expect(group.apiMetric("interop_go_requests_total", labels)?["value"] == .string("\(count)"))
            }
            #expect(group.apiMetric("interop_go_temperature_celsius", Self.key)?["value"] == .string("-12.5"))
            let duration = try #require(group.apiMetric("interop_go_duration_seconds", Self.key))
            #expect(group["interop_go_duration_seconds"]?["type"] == .string("HISTOGRAM"))
            #expect(duration["count"] == .string("6"))
            #expect(duration["sum"] == .string("11.3125"))
            // Native buckets are listed as [boundaries, lower, upper, count] with Prometheus' bound table.
            let nativeBuckets: [(String, String, String)] = [
                ("0.057312752700291944", "0.0625", "1"), ("0.22925101080116778", "0.25", "2"),
                ("0.7071067811865475", "0.7711054127039704", "1"), ("1.8340080864093422", "2", "1"), ("7.336032345637369", "8", "1"),
            ]
            #expect(duration["buckets"] == .array(nativeBuckets.map { .array([.number(0), .string($0.0), .string($0.1), .string($0.2)]) }))
        }
    }

    /// The text scrape of a protobuf push escapes label values and help and keeps the classic histogram parts.
    @Test func goClientPushesLabelValuesThatSurviveTextScrape() async throws {
        try await withGateway(.ours) { gateway in
            try await goPusher(gateway, .push, job: Self.job, grouping: [("instance", Self.instance)])
            let text = try await gateway.scrapeText()
            #expect(
                Exposition.lines(of: "interop_go_requests_total", in: text) == [
                    "# HELP interop_go_requests_total Requests by path, with \"quotes\" and a \\\\ backslash.",
                    "# TYPE interop_go_requests_total counter",
                ] + trickyPathSamples("interop_go_requests_total", instance: Self.instance, job: Self.job)
            )
            // The native part has no text form: the classic buckets and the exemplar-carrying +Inf bucket remain.
            #expect(
                Exposition.lines(of: "interop_go_duration_seconds", in: text) == [
                    "# HELP interop_go_duration_seconds A classic and native histogram.",
                    "# TYPE interop_go_duration_seconds histogram",
                    "interop_go_duration_seconds_bucket{instance=\"host/a1\",job=\"go/batch\",le=\"0.1\"} 1",
                    "interop_go_duration_seconds_bucket{instance=\"host/a1\",job=\"go/batch\",le=\"0.5\"} 3",
                    "interop_go_duration_seconds_bucket{instance=\"host/a1\",job=\"go/batch\",le=\"1\"} 4",
                    "interop_go_duration_seconds_bucket{instance=\"host/a1\",job=\"go/batch\",le=\"5\"} 5",
                    "interop_go_duration_seconds_bucket{instance=\"host/a1\",job=\"go/batch\",le=\"+Inf\"} 6",
                    "interop_go_duration_seconds_sum{instance=\"host/a1\",job=\"go/batch\"} 11.3125",
                    "interop_go_duration_seconds_count{instance=\"host/a1\",job=\"go/batch\"} 6",
                ]
            )
            #expect(
                Exposition.lines(of: "interop_go_latency_seconds", in: text) == [
                    "# HELP interop_go_latency_seconds A summary.",
                    "# TYPE interop_go_latency_seconds summary",
                    "interop_go_latency_seconds{instance=\"host/a1\",job=\"go/batch\",quantile=\"0.5\"} 5",
                    "interop_go_latency_seconds{instance=\"host/a1\",job=\"go/batch\",quantile=\"0.9\"} 9",
                    "interop_go_latency_seconds_sum{instance=\"host/a1\",job=\"go/batch\"} 55",
                    "interop_go_latency_seconds_count{instance=\"host/a1\",job=\"go/batch\"} 10",
                ]
            )
            #expect(
                Exposition.lines(of: "interop_go_temperature_celsius", in: text) == [
                    "# HELP interop_go_temperature_celsius A gauge.",
                    "# TYPE interop_go_temperature_celsius gauge",
                    "interop_go_temperature_celsius{instance=\"host/a1\",job=\"go/batch\"} -12.5",
                ]
            )
            #expect(
                Exposition.lines(of: "push_failure_time_seconds", in: text).last
                    == "push_failure_time_seconds{instance=\"host/a1\",job=\"go/batch\"} 0"
            )
        }
    }

    /// Add (POST) replaces only the families it pushes; Push (PUT) then replaces the whole group.
    @Test func goClientAddReplacesOnlyNamedFamilies() async throws {
        try await withGateway(.ours) { gateway in
            let key = ["job": "go-add", "instance": ""]
            try await goPusher(gateway, .push, job: "go-add", grouping: [("instance", "")])
            let before = try #require(try await gateway.apiGroup(key), "no group \(key)")

            try await goPusher(gateway, .add, job: "go-add", grouping: [("instance", "")], set: "update")
            let added = try #require(try await gateway.apiGroup(key), "no group \(key) after Add")
            #expect(added.apiMetric("interop_go_temperature_celsius", key)?["value"] == .string("21.25"))
            #expect(added.apiMetric("interop_go_updates_total", key)?["value"] == .string("1"))
            for family in [
                "interop_go_requests_total", "interop_go_exemplar_total", "interop_go_latency_seconds", "interop_go_duration_seconds",
            ] {
                #expect(added[family] == before[family], "Add changed \(family), which it did not name")
            }
            #expect(added["interop_go_temperature_celsius"]?["time_stamp"] != before["interop_go_temperature_celsius"]?["time_stamp"])
            #expect(added.apiMetric("push_time_seconds", key)?["value"] != before.apiMetric("push_time_seconds", key)?["value"])

            try await goPusher(gateway, .push, job: "go-add", grouping: [("instance", "")], set: "update")
            let replaced = try #require(try await gateway.apiGroup(key), "no group \(key) after Push")
            guard case .object(let members) = replaced else { return }
            #expect(
                Set(members.keys) == [
                    "labels", "last_push_successful", "interop_go_temperature_celsius", "interop_go_updates_total", "push_time_seconds",
                    "push_failure_time_seconds",
                ]
            )
        }
    }

    /// Delete answers 202 and removes exactly the group of its grouping key.
    @Test func goClientDeleteRemovesOnlyItsGroup() async throws {
        try await withGateway(.ours) { gateway in
            try await goPusher(gateway, .push, job: "go-delete", grouping: [("instance", Self.instance)])
            try await goPusher(gateway, .push, job: "go-delete", grouping: [("instance", "other")])
            try await goPusher(gateway, .push, job: "go-delete")
            #expect(try await gateway.groupingKeys().count == 3)

            // client_golang's Delete fails on anything but 202, so a zero exit is the status check.
            try await goPusher(gateway, .delete, job: "go-delete", grouping: [("instance", Self.instance)])
            #expect(try await gateway.groupingKeys() == [["job": "go-delete", "instance": "other"], ["job": "go-delete"]])
            #expect(!(try await gateway.scrapeText()).contains(Self.instance))

            try await goPusher(gateway, .delete, job: "go-delete")
            try await goPusher(gateway, .delete, job: "go-delete", grouping: [("instance", "other")])
            #expect(try await gateway.groupingKeys().isEmpty)
        }
    }

    /// A push with `Format(expfmt.FmtText)` stores the same values, without native buckets and exemplars.
    @Test func goClientPushesTextFormat() async throws {
        try await withGateway(.ours) { gateway in
            try await goPusher(gateway, .push, job: Self.job, grouping: [("instance", Self.instance)], format: "text")
            let families = try await gateway.scrapeProtobuf()
            let requests = try #require(families.family("interop_go_requests_total"))
            #expect(requests.help == "Requests by path, with \"quotes\" and a \\ backslash.")
            for (value, count, _) in trickyPathValues {
                #expect(requests.metric(where: "path", is: value)?.value == .counter(Counter(value: Double(count))), "path \(value)")
            }
            let histogramMetric = try #require(families.family("interop_go_duration_seconds")?.metrics.first)
            guard case .histogram(let histogram) = histogramMetric.value else {
                Issue.record("interop_go_duration_seconds is \(histogramMetric.value)")
                return
            }
            // Text 0.0.4 carries neither native buckets nor exemplars.
            #expect(!histogram.isNative)
            #expect(histogram.sampleCount == 6)
            #expect(histogram.sampleSum == 11.3125)
            #expect(histogram.buckets.map(\.cumulativeCount) == [1, 3, 4, 5, 6])
            #expect(histogram.buckets.allSatisfy { $0.exemplar == nil })

            let text = try await gateway.scrapeText()
            #expect(
                Array(Exposition.lines(of: "interop_go_requests_total", in: text).dropFirst(2))
                    == trickyPathSamples("interop_go_requests_total", instance: Self.instance, job: Self.job)
            )
        }
    }

    /// client_golang escapes a space in a grouping value as `+` (`url.QueryEscape`); upstream keeps the `+`.
    @Test func goClientSpaceInGroupingValueArrivesAsPlusLikeUpstream() async throws {
        try await withGateway(.ours) { gateway in
            try await goPusher(gateway, .push, job: "go-space", grouping: [("instance", "eu west")], set: "update")
            #expect(try await gateway.groupingKeys() == [["job": "go-space", "instance": "eu+west"]])
        }
    }
}

/// Python's prometheus_client (PyPI) pushing text 0.0.4 to our gateway.
@Suite(.interop)
struct PythonClientTests {
    /// A job with `/` (8 bytes: prometheus_client pads its base64 with one `=`).
    static let job = "py/batch"
    /// A grouping value with a space and `/` (10 bytes: padded with `==`).
    static let instance = "py host/01"
    /// The grouping key of the pushed group.
    static let key = ["job": job, "instance": instance]

    /// push_to_gateway (PUT), plain, gzip- or snappy-compressed (python-snappy's framed stream), to padded
    /// base64 job and grouping value.
    @Test(arguments: ["none", "gzip", "snappy"])
    func pythonClientPushesWithPaddedBase64GroupingKey(compression: String) async throws {
        try await withGateway(.ours) { gateway in
            try await pythonPusher(gateway, .push, job: Self.job, grouping: [("instance", Self.instance)], compression: compression)
            let group = try #require(try await gateway.apiGroup(Self.key), "no group \(Self.key)")
            #expect(group["last_push_successful"] == .bool(true))
            for (value, count, _) in trickyPathValues {
                let labels = Self.key.merging(["path": value]) { $1 }
                #expect(group.apiMetric("interop_py_jobs_total", labels)?["value"] == .string("\(count)"), "path \(value)")
            }
            #expect(group.apiMetric("interop_py_queue_depth", Self.key)?["value"] == .string("3.5"))
            #expect(group["interop_py_jobs_created"]?["type"] == .string("GAUGE"))

            let text = try await gateway.scrapeText()
            #expect(
                Exposition.lines(of: "interop_py_jobs_total", in: text) == [
                    "# HELP interop_py_jobs_total Jobs by path.", "# TYPE interop_py_jobs_total counter",
                ] + trickyPathSamples("interop_py_jobs_total", instance: Self.instance, job: Self.job)
            )
            #expect(
                Exposition.lines(of: "interop_py_batch_seconds", in: text) == [
                    "# HELP interop_py_batch_seconds A summary.",
                    "# TYPE interop_py_batch_seconds summary",
                    "interop_py_batch_seconds_sum{instance=\"py host/01\",job=\"py/batch\"} 4",
                    "interop_py_batch_seconds_count{instance=\"py host/01\",job=\"py/batch\"} 2",
                ]
            )
            #expect(
                Exposition.lines(of: "interop_py_size_bytes", in: text) == [
                    "# HELP interop_py_size_bytes A histogram.",
                    "# TYPE interop_py_size_bytes histogram",
                    "interop_py_size_bytes_bucket{instance=\"py host/01\",job=\"py/batch\",le=\"100\"} 1",
                    "interop_py_size_bytes_bucket{instance=\"py host/01\",job=\"py/batch\",le=\"1000\"} 2",
                    "interop_py_size_bytes_bucket{instance=\"py host/01\",job=\"py/batch\",le=\"+Inf\"} 3",
                    "interop_py_size_bytes_sum{instance=\"py host/01\",job=\"py/batch\"} 5550",
                    "interop_py_size_bytes_count{instance=\"py host/01\",job=\"py/batch\"} 3",
                ]
            )
            #expect(
                Exposition.lines(of: "interop_py_queue_depth", in: text).last
                    == "interop_py_queue_depth{instance=\"py host/01\",job=\"py/batch\"} 3.5"
            )
        }
    }

    /// pushadd_to_gateway (POST) replaces only the families it pushes; push_to_gateway the whole group.
    @Test func pythonClientPushAddReplacesOnlyNamedFamilies() async throws {
        try await withGateway(.ours) { gateway in
            try await pythonPusher(gateway, .push, job: Self.job, grouping: [("instance", Self.instance)])
            let before = try #require(try await gateway.apiGroup(Self.key), "no group \(Self.key)")

            try await pythonPusher(
                gateway,
                .pushadd,
                job: Self.job,
                grouping: [("instance", Self.instance)],
                set: "update",
                compression: "gzip"
            )
            let added = try #require(try await gateway.apiGroup(Self.key), "no group \(Self.key) after pushadd")
            #expect(added.apiMetric("interop_py_queue_depth", Self.key)?["value"] == .string("7.25"))
            for family in ["interop_py_jobs_total", "interop_py_jobs_created", "interop_py_batch_seconds", "interop_py_size_bytes"] {
                #expect(added[family] != nil && added[family] == before[family], "pushadd changed \(family), which it did not name")
            }

            try await pythonPusher(gateway, .push, job: Self.job, grouping: [("instance", Self.instance)], set: "update")
            let replaced = try #require(try await gateway.apiGroup(Self.key), "no group \(Self.key) after push")
            guard case .object(let members) = replaced else { return }
            #expect(
                Set(members.keys) == [
                    "labels", "last_push_successful", "interop_py_queue_depth", "push_time_seconds", "push_failure_time_seconds",
                ]
            )
        }
    }

    /// delete_from_gateway removes exactly its group.
    @Test func pythonClientDeleteRemovesGroup() async throws {
        try await withGateway(.ours) { gateway in
            try await pythonPusher(gateway, .push, job: Self.job, grouping: [("instance", Self.instance)])
            try await pythonPusher(gateway, .push, job: Self.job, grouping: [("instance", "other")], set: "update")
            try await pythonPusher(gateway, .delete, job: Self.job, grouping: [("instance", Self.instance)])
            #expect(try await gateway.groupingKeys() == [["job": Self.job, "instance": "other"]])
            #expect(!(try await gateway.scrapeText()).contains(Self.instance))
        }
    }
}

/// The curl examples of the upstream Pushgateway README against our gateway.
@Suite(.interop)
struct CurlReadmeTests {
    /// README: `echo "some_metric 3.14" | curl --data-binary @- …/metrics/job/some_job`.
    static let simpleBody = "some_metric 3.14\n"

    /// README: the heredoc pushed to `…/metrics/job/some_job/instance/some_instance`.
    static let typedBody = """
        # TYPE some_metric counter
        some_metric{label="val1"} 42
        # TYPE another_metric gauge
        # HELP another_metric Just an example.
        another_metric 2398.283

        """

    /// The README's push and delete examples, in the README's order.
    @Test func curlReadmePushesAndDeletes() async throws {
        try await withGateway(.ours) { gateway in
            let simple = try temporaryFile(Self.simpleBody, named: "simple.txt")
            let typed = try temporaryFile(Self.typedBody, named: "typed.txt")
            let pushed = try await curl(["--data-binary", "@\(simple)", "\(gateway.url)/metrics/job/some_job"])
            #expect(pushed.status == 200)
            #expect(pushed.body.isEmpty)
            let text = try await gateway.scrapeText()
            #expect(
                Exposition.lines(of: "some_metric", in: text) == [
                    "# TYPE some_metric untyped", "some_metric{instance=\"\",job=\"some_job\"} 3.14",
                ]
            )

            // Run in the README's order, the second example clashes with the first: some_metric is untyped in
            // {job="some_job"} but a counter here. Upstream rejects it and records the failure in a new group.
            let clash = try await curl(["--data-binary", "@\(typed)", "\(gateway.url)/metrics/job/some_job/instance/some_instance"])
            #expect(clash.status == 400)
            #expect(clash.body.hasPrefix("pushed metrics are invalid or inconsistent with existing metrics: "))
            let failed = try #require(try await gateway.apiGroup(["job": "some_job", "instance": "some_instance"]))
            #expect(failed["last_push_successful"] == .bool(false))

            // README: "delete all metrics in the group identified by {job="some_job"}"; the instance group stays.
            let deleteJob = try await curl(["-X", "DELETE", "\(gateway.url)/metrics/job/some_job"])
            #expect(deleteJob.status == 202)
            #expect(try await gateway.groupingKeys() == [["job": "some_job", "instance": "some_instance"]])

            let typedPush = try await curl(["--data-binary", "@\(typed)", "\(gateway.url)/metrics/job/some_job/instance/some_instance"])
            #expect(typedPush.status == 200)
            let typedText = try await gateway.scrapeText()
            #expect(
                Exposition.lines(of: "some_metric", in: typedText) == [
                    "# TYPE some_metric counter", "some_metric{instance=\"some_instance\",job=\"some_job\",label=\"val1\"} 42",
                ]
            )
            #expect(
                Exposition.lines(of: "another_metric", in: typedText) == [
                    "# HELP another_metric Just an example.", "# TYPE another_metric gauge",
                    "another_metric{instance=\"some_instance\",job=\"some_job\"} 2398.283",
                ]
            )
            let group = try #require(try await gateway.apiGroup(["job": "some_job", "instance": "some_instance"]))
            #expect(group["last_push_successful"] == .bool(true))

            // README: "delete all metrics in the group identified by {job="some_job",instance="some_instance"}".
            let deleteGroup = try await curl(["-X", "DELETE", "\(gateway.url)/metrics/job/some_job/instance/some_instance"])
            #expect(deleteGroup.status == 202)
            #expect(try await gateway.groupingKeys().isEmpty)
            #expect(!(try await gateway.scrapeText()).contains("some_job"))
        }
    }

    /// The README's `@base64` examples and the `=` empty value name the groups they say, for push and delete.
    @Test func curlBase64GroupingKeysAndEmptyLabelValue() async throws {
        try await withGateway(.ours) { gateway in
            let body = try temporaryFile(Self.simpleBody, named: "simple.txt")
            // (URL path, grouping key it names), from the README's URL section plus job@base64 with and without padding.
            let cases: [(String, [String: String])] = [
                ("/metrics/job/directory_cleaner/path@base64/L3Zhci90bXA", ["job": "directory_cleaner", "path": "/var/tmp"]),
                ("/metrics/job@base64/YmFja3VwL2Ri", ["job": "backup/db"]),
                ("/metrics/job@base64/YmFja3VwL2RiMQ==", ["job": "backup/db1"]),
                ("/metrics/job/example/name@base64/zqDPgc6_zrzOt864zrXPjc-C", ["job": "example", "name": "Προμηθεύς"]),
                (
                    "/metrics/job/example/first_label@base64/=/second_label/foobar",
                    ["job": "example", "first_label": "", "second_label": "foobar"]
                ),
            ]
            for (path, _) in cases {
                let pushed = try await curl(["-X", "PUT", "--data-binary", "@\(body)", gateway.url + path])
                #expect(pushed.status == 200, "PUT \(path): \(pushed.body)")
            }
            #expect(try await gateway.groupingKeys() == Set(cases.map(\.1)))
            let text = try await gateway.scrapeText()
            #expect(
                Exposition.lines(of: "some_metric", in: text) == [
                    "# TYPE some_metric untyped",
                    "some_metric{instance=\"\",job=\"backup/db\"} 3.14",
                    "some_metric{instance=\"\",job=\"backup/db1\"} 3.14",
                    "some_metric{instance=\"\",job=\"directory_cleaner\",path=\"/var/tmp\"} 3.14",
                    "some_metric{instance=\"\",job=\"example\",name=\"Προμηθεύς\"} 3.14",
                    "some_metric{first_label=\"\",instance=\"\",job=\"example\",second_label=\"foobar\"} 3.14",
                ]
            )
            for (path, _) in cases {
                let deleted = try await curl(["-X", "DELETE", gateway.url + path])
                #expect(deleted.status == 202, "DELETE \(path): \(deleted.body)")
            }
            #expect(try await gateway.groupingKeys().isEmpty)
        }
    }
}
