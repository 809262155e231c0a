import Foundation
import PushgatewayCore
import Testing

/// Our gateway stopped with SIGTERM and started again on the same persistence file.
@Suite(.interop)
struct RestartTests {
    /// What the gateway shows of its pushed groups, without its own (legitimately changing) metrics.
    struct State: Equatable {
        /// `/api/v1/metrics` groups, in a canonical order.
        var groups: [JSON]
        /// The text scrape without `pushgateway_*`, `process_*` and `go_*` families.
        var text: String
        /// The protobuf scrape without those families.
        var families: [MetricFamily]

        /// Reads the state of `gateway`.
        init(of gateway: RunningGateway) async throws {
            self.groups = try await gateway.apiGroups().sorted { $0.description < $1.description }
            self.text = Exposition.dropping(prefixes: ["pushgateway_", "process_", "go_"], from: try await gateway.scrapeText())
            self.families = try await gateway.scrapeProtobuf().filter(\.isPushed)
        }
    }

    /// After SIGTERM and a restart on the same persistence file, every group, value and push time is back.
    @Test func gatewayRestartRestoresEveryPushedGroupExactly() async throws {
        let file = try TemporaryDirectory.shared.file(named: "restart-\(UUID().uuidString.prefix(8)).db")
        let flags = ["--persistence.file=\(file)"]

        let first = try await RunningGateway.start(.ours, flags: flags)
        let before: State
        do {
            try await goPusher(first, .push, job: "go/batch", grouping: [("instance", "host/a1")])
            try await goPusher(first, .push, job: "go-text", grouping: [("instance", "")], format: "text")
            try await pythonPusher(first, .push, job: "py/batch", grouping: [("instance", "py host/01")], compression: "gzip")
            let body = try temporaryFile(CurlReadmeTests.typedBody, named: "typed.txt")
            let typed = try await curl(["--data-binary", "@\(body)", "\(first.url)/metrics/job/some_job/instance/some_instance"])
            #expect(typed.status == 200)
            let empty = try await curl([
                "-X", "PUT", "--data-binary", "@\(body)", "\(first.url)/metrics/job@base64/YmFja3VwL2Ri/first_label@base64/=",
            ])
            #expect(empty.status == 200)
            // A rejected push (some_metric is a counter in the README group) leaves a group whose last push failed.
            let simple = try temporaryFile(CurlReadmeTests.simpleBody, named: "simple.txt")
            let clash = try await curl(["--data-binary", "@\(simple)", "\(first.url)/metrics/job/some_job"])
            #expect(clash.status == 400)
            before = try await State(of: first)
        } catch {
            await first.stop()
            throw error
        }
        let status = await first.stop()
        #expect(status == 0, "first gateway exited with \(status):\n\(first.process.log)")
        #expect(before.groups.count == 6)
        #expect(before.groups.contains { $0["labels"] == .labels(["job": "some_job"]) && $0["last_push_successful"] == .bool(false) })
        #expect(FileManager.default.fileExists(atPath: file), "no persistence file after SIGTERM")

        try await withGateway(.ours, flags: flags) { second in
            let after = try await State(of: second)
            #expect(after.groups == before.groups)
            #expect(after.text == before.text)
            #expect(after.families == before.families)
        }
    }
}
