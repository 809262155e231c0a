import Hummingbird
import HummingbirdTesting
import PushgatewayCore
import PushgatewayStorage
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
            #expect(
                body.hasPrefix(
                    #"{"status":"success","data":{"build_information":{"branch":"\#(BuildInformation.branch)","buildDate":"\#(BuildInformation.buildDate)""#
                )
            )
            #expect(body.contains(#""version":"\#(BuildInformation.version)"}"#))
            #expect(
                body.contains(
                    #""flags":{"log.format":"logfmt","log.level":"info","persistence.file":"","persistence.interval":"5m0s","persistence.sync":"always","push.disable-consistency-check":"false","push.enable-utf8-names":"false","push.max-body-size":"268435456","web.config.file":"","web.enable-admin-api":"false","web.enable-lifecycle":"false","web.external-url":"","web.idle-timeout":"5m0s","web.listen-address":"127.0.0.1:0","web.max-connections":"4096","web.read-body-timeout":"2m0s","web.read-header-timeout":"1m0s","web.route-prefix":"/pg","web.systemd-socket":"false","web.telemetry-path":"/metrics"}"#
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

    @Test func groupAnswersTheGroupsElementOfMetrics() async throws {
        let app = try makeApplication { $0.routePrefix = "/pg" }
        let store = app.responder.gateway.store
        try await app.test(.router) { client in
            _ = try await client.send(.put, "/pg/metrics/job/batch/instance/x", body: "# TYPE a counter\na 1\n")
            _ = try await client.send(.put, "/pg/metrics/job/other", body: "b{x=\"<&>\"} 2\n")
            let batch = GroupingKey([LabelPair(name: "job", value: "batch"), LabelPair(name: "instance", value: "x")])
            let object = try #require(store.groupJSON(batch))
            let all = try await client.send(.get, "/pg/api/v1/metrics").bytes
            // Byte-identical to the group's element of the full answer.
            #expect(all.starts(with: Array(#"{"status":"success","data":["#.utf8) + object + [0x2C]))

            let response = try await client.send(.get, "/pg/api/v1/metrics/job/batch/instance/x")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            #expect(response.bytes == Array(#"{"status":"success","data":["#.utf8) + object + Array("]}".utf8))
            #expect(response.text.contains(#""last_push_successful":true"#))
        }
    }

    @Test(arguments: [
        // The same group as push URLs spell it: base64 job and label values, with or without `=` padding.
        "/api/v1/metrics/job@base64/YS9i/zone@base64/ZXU=",
        "/api/v1/metrics/job@base64/YS9i/zone/eu",
        "/api/v1/metrics/job@base64/YS9i/zone@base64/ZXU",
    ])
    func groupPathsAreDecodedAsInPushURLs(_ path: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            _ = try await client.send(.put, "/metrics/job@base64/YS9i/zone/eu", body: "a 1\n")
            let response = try await client.send(.get, path)
            #expect(response.status == .ok)
            #expect(response.text.hasPrefix(#"{"status":"success","data":[{"a":{"#))
            #expect(response.text.contains(#""labels":{"job":"a/b","zone":"eu"}"#))
        }
    }

    @Test func anUnknownGroupHasNoData() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            _ = try await client.send(.put, "/metrics/job/a", body: "a 1\n")
            for path in ["/api/v1/metrics/job/b", "/api/v1/metrics/job/a/instance/x"] {
                let response = try await client.send(.get, path)
                #expect(response.status == .ok)
                #expect(response.text == #"{"status":"success","data":[]}"#)
            }
        }
    }

    @Test(arguments: [
        ("/api/v1/metrics/job/a/__x/1", #"improper label name \"__x\""#),
        ("/api/v1/metrics/job/a/instance", #"odd number of components in label string \"/instance\""#),
        ("/api/v1/metrics/job@base64/!!", "invalid base64 encoding in job name"),
    ])
    func aMalformedGroupPathIsABadRequestInTheAPIErrorShape(_ path: String, _ message: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.get, path)
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            #expect(response.text.hasPrefix(#"{"status":"error","errorType":"bad_data","error":""#))
            #expect(response.text.contains(message))
            #expect(response.text.hasSuffix(#""}"#))
        }
    }

    @Test func groupRequestsAreCountedAsAPIMetrics() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            _ = try await client.send(.get, "/api/v1/metrics/job/a")
            _ = try await client.send(.get, "/api/v1/metrics/job/a/__x/1")
            _ = try await client.send(.get, "/api/v1/metrics")
            #expect(
                samples(of: "pushgateway_http_requests_total", in: try await client.scrape()) == [
                    #"pushgateway_http_requests_total{code="200",handler="api/v1/metrics",method="get"} 2"#,
                    #"pushgateway_http_requests_total{code="400",handler="api/v1/metrics",method="get"} 1"#,
                ]
            )
        }
    }

    @Test func aLargeStoreIsAnsweredTheSameOffTheEventLoop() async throws {
        let app = try makeApplication()
        let store = app.responder.gateway.store
        // Five groups in bodies small enough to be stored inline: only the API answers use the thread pool.
        let body = (0..<(PushgatewayResponder.apiOffloadSeries / 5)).map { "big{n=\"\($0)\"} \($0)\n" }.joined()
        try await app.test(.router) { client in
            for part in 0..<5 {
                #expect(try await client.send(.put, "/metrics/job/big/part/\(part)", body: body).status == .ok)
            }
            #expect(store.statistics().series > PushgatewayResponder.apiOffloadSeries)
            let all = try await client.send(.get, "/api/v1/metrics")
            #expect(all.bytes == JSONAPIEncoder.metrics(store.snapshot()))
            let group = try await client.send(.get, "/api/v1/metrics/job/big/part/3")
            let key = GroupingKey([LabelPair(name: "job", value: "big"), LabelPair(name: "part", value: "3")])
            #expect(group.bytes == JSONAPIEncoder.metrics([try #require(store.group(key))]))
        }
    }

    @Test func theGatewayReportsPersistenceOnlyWhenItIsOn() throws {
        #expect(try makeApplication().responder.gateway.persistenceStatus == nil)
        let path = "/tmp/pushgateway-status-\(UInt64.random(in: 0...UInt64.max)).db"
        let app = try makeApplication { $0.persistenceFile = path }
        #expect(app.responder.gateway.persistenceStatus == PersistenceStatus(file: path))
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
