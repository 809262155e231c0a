import Foundation
import PushgatewayCore
import Testing

/// Debian's Go gateway (1.5.1) writes its persistence file; ours starts on that file and shows what Go showed.
@Suite(.interop)
struct GoPersistenceTakeoverTests {
    /// Text body with every classic type, UTF-8 label values, escapes in HELP, `+Inf`, `NaN` and a tiny value.
    static let typedBody = """
        # HELP fixture_requests_total Requests handled, with "quotes", a \\\\ backslash and a\\nnewline.
        # TYPE fixture_requests_total counter
        fixture_requests_total{code="200",path="/api"} 1027
        fixture_requests_total{code="500",path="/api"} 3
        fixture_requests_total{path="Προμηθεύς ✓"} 1.5e+06
        # TYPE fixture_temperature_celsius gauge
        fixture_temperature_celsius{room="küche"} -3.25
        fixture_temperature_celsius{room="attic"} 12
        # TYPE fixture_untyped untyped
        fixture_untyped{kind="inf"} +Inf
        fixture_untyped{kind="tiny"} 1e-300
        fixture_untyped{kind="nan"} NaN
        # HELP fixture_rpc_seconds A summary.
        # TYPE fixture_rpc_seconds summary
        fixture_rpc_seconds{quantile="0.5"} 0.05
        fixture_rpc_seconds{quantile="0.99"} 1.25
        fixture_rpc_seconds_sum 17.5
        fixture_rpc_seconds_count 120
        # HELP fixture_size_bytes A classic histogram.
        # TYPE fixture_size_bytes histogram
        fixture_size_bytes_bucket{le="100"} 3
        fixture_size_bytes_bucket{le="1000"} 7
        fixture_size_bytes_bucket{le="+Inf"} 9
        fixture_size_bytes_sum 12345
        fixture_size_bytes_count 9

        """

    /// What `/api/v1/metrics` shows, with the one difference of Debian's 1.5.1 taken out: it predates native
    /// histograms in the JSON API (upstream 1.8.0, #611) and lists the classic buckets of a histogram that has
    /// both, where the spec (§6, current upstream) and ours list the native ones. Those `buckets` are masked;
    /// the test checks separately that ours lists them natively.
    static func comparableGroups(_ groups: [JSON]) -> [JSON] {
        groups.map { group in
            guard case .object(var members) = group, case .object(var family)? = members["interop_go_duration_seconds"],
                group["labels"] == .labels(["job": "go/batch", "instance": "host/a1"])
            else { return group }
            family["metrics"] = .array(
                family["metrics"].map(\.elements)?.map { metric in
                    guard case .object(var fields) = metric else { return metric }
                    fields["buckets"] = .string("<native in the spec, classic in 1.5.1>")
                    return .object(fields)
                } ?? []
            )
            members["interop_go_duration_seconds"] = .object(family)
            return .object(members)
        }
        .sorted { $0.description < $1.description }
    }

    /// Pushes the variety of the Core fixture (Tests/PushgatewayCoreTests/Fixtures/GoPersistence/make-fixtures.sh)
    /// to `gateway`.
    static func pushVariety(to gateway: RunningGateway) async throws {
        try await goPusher(gateway, .push, job: "go/batch", grouping: [("instance", "host/a1")])
        try await goPusher(gateway, .push, job: "go-text", grouping: [("instance", "")], format: "text")
        try await pythonPusher(gateway, .push, job: "py/batch", grouping: [("instance", "py host/01")], compression: "gzip")
        let typed = try temporaryFile(Self.typedBody, named: "typed.txt")
        let other = try temporaryFile("some_other_metric 1\n", named: "other.txt")
        let answers = [
            try await curl(["--data-binary", "@\(typed)", "\(gateway.url)/metrics/job/some_job/instance/some_instance"]),
            try await curl([
                "-X", "PUT", "--data-binary", "@\(other)", "\(gateway.url)/metrics/job@base64/YmFja3VwL2Ri/first_label@base64/=",
            ]),
            // region "Zürich/Ost"
            try await curl(["-X", "PUT", "--data-binary", "@\(other)", "\(gateway.url)/metrics/job/utf8/region@base64/WsO8cmljaC9Pc3Q"]),
        ]
        #expect(answers.map(\.status) == [200, 200, 200])
        // One delimited MetricFamily {name: "fixture_empty", type: GAUGE} without metrics.
        let empty = try TemporaryDirectory.shared.file(named: "\(UUID().uuidString.prefix(8))-empty.pb")
        try Data([0x11, 0x0A, 0x0D] + Array("fixture_empty".utf8) + [0x18, 0x01]).write(to: URL(fileURLWithPath: empty))
        let protobuf = "Content-Type: application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
        let emptyAnswer = try await curl(["-H", protobuf, "--data-binary", "@\(empty)", "\(gateway.url)/metrics/job/empty_family"])
        #expect(emptyAnswer.status == 200)
        try await Task.sleep(for: .milliseconds(50))
        // A later POST: one family of the group gets a newer time than the others.
        let update = try temporaryFile(
            "# TYPE fixture_temperature_celsius gauge\nfixture_temperature_celsius{room=\"küche\"} 21.5\n",
            named: "update.txt"
        )
        let updated = try await curl(["--data-binary", "@\(update)", "\(gateway.url)/metrics/job/some_job/instance/some_instance"])
        #expect(updated.status == 200)
        // Rejected: a type clash to a new group, and a timestamp to an existing one.
        let clash = try temporaryFile("fixture_requests_total 3.14\n", named: "clash.txt")
        let timestamped = try temporaryFile("fixture_untyped{kind=\"late\"} 1 1700000000000\n", named: "timestamped.txt")
        let rejected = [
            try await curl(["--data-binary", "@\(clash)", "\(gateway.url)/metrics/job/clash"]),
            try await curl(["--data-binary", "@\(timestamped)", "\(gateway.url)/metrics/job/some_job/instance/some_instance"]),
        ]
        #expect(rejected.map(\.status) == [400, 400])
    }

    @Test func ourGatewayTakesOverTheGoGatewaysPersistenceFile() async throws {
        let file = try TemporaryDirectory.shared.file(named: "go-takeover-\(UUID().uuidString.prefix(8)).db")

        // TZ=UTC: Go's JSON API writes push times in its local zone, ours in UTC.
        let port = try freePort()
        let process = try ChildProcess(
            Peers.goGateway,
            ["--web.listen-address=127.0.0.1:\(port)", "--persistence.file=\(file)", "--persistence.interval=1s"],
            environment: ["TZ": "UTC"]
        )
        let go = try await RunningGateway.ready(.go, port: port, process: process)
        let before: RestartTests.State
        do {
            try await Self.pushVariety(to: go)
            before = try await RestartTests.State(of: go)
        } catch {
            await go.stop()
            throw error
        }
        let goStatus = await go.stop()
        #expect(goStatus == 0, "the Go gateway exited with \(goStatus):\n\(go.process.log)")
        let goFile = try #require(FileManager.default.contents(atPath: file), "the Go gateway wrote no persistence file")
        #expect(GoPersistenceFile.isGoPersistenceFile(Array(goFile)))
        #expect(before.groups.count == 8)

        let flags = ["--persistence.file=\(file)"]
        let ours = try await RunningGateway.start(.ours, flags: flags)
        let after: RestartTests.State
        do {
            after = try await RestartTests.State(of: ours)
        } catch {
            await ours.stop()
            throw error
        }
        let ourStatus = await ours.stop()
        #expect(ourStatus == 0, "our gateway exited with \(ourStatus):\n\(ours.process.log)")

        #expect(Self.comparableGroups(after.groups) == Self.comparableGroups(before.groups))
        #expect(after.text == before.text)
        // Compared as encodings: the untyped NaN equals itself only bit for bit.
        let codec = ProtobufCodec()
        #expect(codec.encodeDelimited(after.families) == codec.encodeDelimited(before.families))
        let native = after.groups.first { $0["labels"] == .labels(["job": "go/batch", "instance": "host/a1"]) }
        #expect(native?["interop_go_duration_seconds"]?["metrics"]?[0]?["buckets"]?.elements.isEmpty == false)

        #expect(ours.process.log.contains("imported 8 groups from a Go Pushgateway persistence file"), "\(ours.process.log)")
        #expect(FileManager.default.contents(atPath: file + ".go-backup") == goFile)
        let rewritten = try #require(FileManager.default.contents(atPath: file))
        #expect(rewritten.starts(with: Array("PGWSTORE".utf8)))

        // A second start reads its own format: the same views, and no second import.
        try await withGateway(.ours, flags: flags) { again in
            let state = try await RestartTests.State(of: again)
            #expect(state.groups == after.groups)
            #expect(state.text == after.text)
            #expect(codec.encodeDelimited(state.families) == codec.encodeDelimited(after.families))
            #expect(!again.process.log.contains("imported"))
        }
        #expect(!FileManager.default.fileExists(atPath: file + ".go-backup.1"))
    }
}
