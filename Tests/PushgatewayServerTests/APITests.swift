import Hummingbird
import HummingbirdTesting
import Testing

@testable import PushgatewayServer

struct APITests {
    @Test func statusListsBuildInformationAndFlags() async throws {
        let app = try makeApplication { $0.routePrefix = "/pg/" }
        try await app.test(.router) { client in
            let response = try await client.send(.get, "/pg/api/v1/status")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            #expect(response.headers[.cacheControl] == "no-cache, no-store, must-revalidate")
            let body = response.text
            #expect(body.hasPrefix(#"{"status":"success","data":{"build_information":{"branch":"unknown","buildDate":"unknown""#))
            #expect(body.contains(#""version":"\#(BuildInformation.version)"}"#))
            #expect(
                body.contains(
                    #""flags":{"log.format":"logfmt","log.level":"info","persistence.file":"","persistence.interval":"5m0s","push.disable-consistency-check":"false","push.enable-utf8-names":"false","push.max-body-size":"268435456","web.config.file":"","web.enable-admin-api":"false","web.enable-lifecycle":"false","web.external-url":"","web.idle-timeout":"5m0s","web.listen-address":"127.0.0.1:0","web.max-connections":"4096","web.read-body-timeout":"2m0s","web.read-header-timeout":"1m0s","web.route-prefix":"/pg","web.systemd-socket":"false","web.telemetry-path":"/metrics"}"#
                )
            )
            #expect(body.contains(#","start_time":""#))
            #expect(body.hasSuffix(#"Z"}}"#))
        }
    }

    @Test func metricsListsTheGroups() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let empty = try await client.send(.get, "/api/v1/metrics")
            #expect(empty.text == #"{"status":"success","data":[]}"#)
            #expect(empty.headers[.accessControlAllowMethods] == "GET, POST, DELETE, OPTIONS")

            _ = try await client.send(
                .put,
                "/metrics/job/batch",
                body: "# HELP my_job_duration_seconds Duration.\n# TYPE my_job_duration_seconds gauge\nmy_job_duration_seconds 0.25\n"
            )
            let body = try await client.send(.get, "/api/v1/metrics").text
            #expect(
                body.hasPrefix(
                    #"{"status":"success","data":[{"labels":{"job":"batch"},"last_push_successful":true,"my_job_duration_seconds":{"time_stamp":""#
                )
            )
            #expect(
                body.contains(#""type":"GAUGE","help":"Duration.","metrics":[{"labels":{"instance":"","job":"batch"},"value":"0.25"}]}"#)
            )
        }
    }

    @Test func wipeNeedsTheAdminAPI() async throws {
        let disabled = try makeApplication()
        try await disabled.test(.router) { client in
            _ = try await client.send(.put, "/metrics/job/a", body: "foo 1\n")
            let response = try await client.send(.put, "/api/v1/admin/wipe")
            #expect(response.status == .notFound)
            #expect(response.text == "404 page not found\n")
            #expect(samples(of: "foo", in: try await client.scrape()).count == 1)
        }
        let enabled = try makeApplication { $0.enableAdminAPI = true }
        try await enabled.test(.router) { client in
            _ = try await client.send(.put, "/metrics/job/a", body: "foo 1\n")
            _ = try await client.send(.put, "/metrics/job/b/instance/i", body: "bar 1\n")
            let response = try await client.send(.put, "/api/v1/admin/wipe")
            #expect(response.status == .accepted)
            #expect(response.body.readableBytes == 0)
            #expect(response.headers[.accessControlAllowOrigin] == nil)
            #expect(try await client.send(.get, "/api/v1/metrics").text == #"{"status":"success","data":[]}"#)

            let get = try await client.send(.get, "/api/v1/admin/wipe")
            #expect(get.status == .methodNotAllowed)
            #expect(get.headers[.allow] == "OPTIONS, PUT")
        }
    }
}
