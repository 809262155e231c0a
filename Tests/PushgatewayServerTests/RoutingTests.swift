import Hummingbird
import HummingbirdTesting
import Testing

@testable import PushgatewayServer

struct RoutingTests {
    // MARK: Go ServeMux

    @Test(arguments: [
        ("/metrics//x", "/metrics/x"),
        ("/a/./b", "/a/b"),
        ("/a/../metrics", "/metrics"),
        ("/metrics/.", "/metrics"),
    ])
    func serveMuxRedirectsUncleanPaths(path: String, location: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.get, path)
            #expect(response.status == .movedPermanently)
            #expect(response.headers[.location] == location)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(response.text == "<a href=\"\(location)\">Moved Permanently</a>.\n\n")
        }
    }

    @Test func serveMuxRedirectKeepsQueryAndEscapesTheEscapedPathAgain() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.get, "/metrics/job/a%20b//c?x=1")
            #expect(response.status == .movedPermanently)
            #expect(response.headers[.location] == "/metrics/job/a%2520b/c?x=1")
        }
    }

    @Test func pushToUncleanPathIsRedirectedNotStored() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.put, "/metrics/job/a//b", body: "foo 1\n")
            #expect(response.status == .movedPermanently)
            #expect(response.headers[.location] == "/metrics/job/a/b")
            #expect(response.headers[.contentType] == nil)
            #expect(response.body.readableBytes == 0)
            #expect(try await client.send(.get, "/api/v1/metrics").text == #"{"status":"success","data":[]}"#)
        }
    }

    @Test func apiWithoutTrailingSlashIsRedirected() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.get, "/api/v1?a=b")
            #expect(response.status == .movedPermanently)
            #expect(response.headers[.location] == "/api/v1/?a=b")
        }
    }

    @Test func malformedEscapeIsABareBadRequest() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.get, "/metrics%zz")
            #expect(response.status == .badRequest)
            #expect(response.text == "400 Bad Request")
            #expect(response.headers[.connection] == "close")
        }
    }

    // MARK: httprouter

    @Test(arguments: [
        (HTTPRequest.Method.get, "/metrics/", HTTPResponse.Status.movedPermanently, "/metrics"),
        (.get, "/STATUS", .movedPermanently, "/status"),
        (.get, "/Metrics", .movedPermanently, "/metrics"),
        (.get, "/-/Healthy", .movedPermanently, "/-/healthy"),
        (.get, "/static", .movedPermanently, "/static/"),
        (.get, "/debug/pprof", .movedPermanently, "/debug/pprof/"),
        (.put, "/metrics/job/", .temporaryRedirect, "/metrics/job"),
        (.post, "/-/quit/", .temporaryRedirect, "/-/quit"),
        (.put, "/METRICS/job/x", .temporaryRedirect, "/metrics/job/x"),
        (.delete, "/Metrics/Job/X/a/B", .temporaryRedirect, "/metrics/job/X/a/B"),
    ])
    func routerRedirectsTrailingSlashAndCase(
        method: HTTPRequest.Method,
        path: String,
        status: HTTPResponse.Status,
        location: String
    ) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(method, path)
            #expect(response.status == status)
            #expect(response.headers[.location] == location)
            if method == .get {
                #expect(response.text == "<a href=\"\(location)\">Moved Permanently</a>.\n\n")
            } else {
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.contentType] == nil)
            }
        }
    }

    @Test(arguments: [
        (HTTPRequest.Method.get, "/metrics/job/x", "DELETE, OPTIONS, POST, PUT"),
        (.get, "/metrics/job@base64/eA/a/b", "DELETE, OPTIONS, POST, PUT"),
        (.head, "/metrics", "GET, OPTIONS"),
        (.head, "/-/healthy", "GET, OPTIONS"),
        (.post, "/metrics", "GET, OPTIONS"),
        (.delete, "/-/quit", "GET, OPTIONS, POST, PUT"),
        (.patch, "/metrics/job/x", "DELETE, OPTIONS, POST, PUT"),
    ])
    func methodNotAllowedListsTheOtherMethods(method: HTTPRequest.Method, path: String, allow: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(method, path)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == allow)
            #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
            if method != .head {
                #expect(response.text == "Method Not Allowed\n")
            }
        }
    }

    @Test(arguments: [
        ("/metrics", "GET, OPTIONS"),
        ("/metrics/job/x/a/b", "DELETE, OPTIONS, POST, PUT"),
        ("/-/quit", "GET, OPTIONS, POST, PUT"),
        ("/", "GET, OPTIONS"),
    ])
    func optionsAnswersWithAllow(path: String, allow: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.options, path)
            #expect(response.status == .ok)
            #expect(response.headers[.allow] == allow)
            #expect(response.body.readableBytes == 0)
        }
    }

    @Test(arguments: [
        (HTTPRequest.Method.get, "/nothing"),
        (.get, "/metrics/job"),
        (.options, "/nothing"),
        (.head, "/nothing"),
        (.put, "/metrics/job"),
        (.get, "/static/app.js"),
        (.get, "/debug/pprof/heap"),
    ])
    func unknownPathsAreNotFound(method: HTTPRequest.Method, path: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(method, path)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
            if method != .head {
                #expect(response.text == "404 page not found\n")
            }
        }
    }

    // MARK: API router

    @Test func apiRedirectLosesThePrefixAsUpstreamDoes() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.get, "/api/v1/status/")
            #expect(response.status == .movedPermanently)
            #expect(response.headers[.location] == "/status")
        }
    }

    @Test(arguments: [
        (HTTPRequest.Method.post, "/api/v1/status", HTTPResponse.Status.methodNotAllowed, "GET, OPTIONS" as String?),
        (.head, "/api/v1/metrics", .methodNotAllowed, "GET, OPTIONS"),
        (.get, "/api/v1/nothing", .notFound, nil),
        (.get, "/api/v1/", .notFound, nil),
        (.put, "/api/v1/admin/wipe", .notFound, nil),
    ])
    func apiRouterAnswersMissesAsHTTPRouter(
        method: HTTPRequest.Method,
        path: String,
        status: HTTPResponse.Status,
        allow: String?
    ) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(method, path)
            #expect(response.status == status)
            #expect(response.headers[.allow] == allow)
            #expect(response.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test(arguments: ["/api/v1/anything", "/api/v1/", "/api/v1/admin/wipe"])
    func apiOptionsAnswersWithCORS(path: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.options, path)
            #expect(response.status == .ok)
            #expect(response.body.readableBytes == 0)
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            #expect(response.headers[.accessControlAllowMethods] == "GET, POST, DELETE, OPTIONS")
            #expect(response.headers[.accessControlAllowHeaders] == "Accept, Authorization, Content-Type, Origin")
            #expect(response.headers[.accessControlExposeHeaders] == "Date")
            #expect(response.headers[.cacheControl] == "no-cache, no-store, must-revalidate")
        }
    }

    // MARK: Route prefix and external URL

    @Test func routePrefixMovesEveryRoute() async throws {
        let app = try makeApplication { $0.routePrefix = "pg/" }
        try await app.test(.router) { client in
            #expect(try await client.send(.get, "/pg/metrics").status == .ok)
            #expect(try await client.send(.get, "/pg/-/healthy").text == "OK")
            #expect(try await client.send(.get, "/pg/api/v1/status").status == .ok)
            #expect(try await client.send(.put, "/pg/metrics/job/a", body: "foo 1\n").status == .ok)
            #expect(try await client.send(.get, "/pg/").status == .ok)
            #expect(try await client.send(.get, "/pg/status").status == .ok)
            #expect(try await client.send(.get, "/metrics").status == .notFound)
            #expect(try await client.send(.get, "/").status == .notFound)
            #expect(try await client.send(.put, "/metrics/job/a", body: "foo 1\n").status == .notFound)
            #expect(try await client.send(.get, "/api/v1/status").status == .notFound)

            let bare = try await client.send(.get, "/pg")
            #expect(bare.status == .movedPermanently)
            #expect(bare.headers[.location] == "/pg/")

            let api = try await client.send(.get, "/pg/api/v1")
            #expect(api.status == .movedPermanently)
            #expect(api.headers[.location] == "/pg/api/v1/")
        }
    }

    @Test func quitHelperIsNeverPrefixed() async throws {
        let app = try makeApplication { $0.routePrefix = "/pg" }
        try await app.test(.router) { client in
            let unprefixed = try await client.send(.get, "/-/quit")
            #expect(unprefixed.status == .methodNotAllowed)
            #expect(unprefixed.text == "Only POST or PUT requests allowed.")
            #expect(unprefixed.headers[.allow] == nil)

            let prefixed = try await client.send(.get, "/pg/-/quit")
            #expect(prefixed.status == .methodNotAllowed)
            #expect(prefixed.headers[.allow] == "OPTIONS, POST, PUT")
            #expect(prefixed.text == "Method Not Allowed\n")

            #expect(try await client.send(.put, "/pg/-/quit").status == .forbidden)
            #expect(try await client.send(.put, "/-/quit").status == .methodNotAllowed)
        }
    }

    @Test func externalURLPathIsTheDefaultPrefix() async throws {
        let app = try makeApplication { $0.externalURL = "http://gateway.example.com:9091/ext/" }
        try await app.test(.router) { client async throws in
            #expect(try await client.send(.get, "/ext/metrics").status == .ok)
            #expect(try await client.send(.get, "/metrics").status == .notFound)
        }
        let overridden = try makeApplication {
            $0.externalURL = "http://gateway.example.com/ext/"
            $0.routePrefix = "/"
        }
        try await overridden.test(.router) { client async throws in
            #expect(try await client.send(.get, "/metrics").status == .ok)
        }
    }

    @Test func telemetryPathIsJoinedWithThePrefix() async throws {
        let app = try makeApplication {
            $0.routePrefix = "/pg"
            $0.telemetryPath = "/prom/metrics/"
        }
        try await app.test(.router) { client async throws in
            #expect(try await client.send(.get, "/pg/prom/metrics").status == .ok)
            #expect(try await client.send(.get, "/pg/metrics").status == .notFound)
            // The push API stays at P/metrics/job.
            #expect(try await client.send(.put, "/pg/metrics/job/a", body: "foo 1\n").status == .ok)
        }
    }

    @Test func conflictingTelemetryPathIsAConfigurationError() throws {
        #expect(throws: ConfigurationError.self) {
            _ = try makeApplication { $0.telemetryPath = "/-/healthy" }
        }
        #expect(throws: ConfigurationError.self) {
            _ = try makeApplication { $0.telemetryPath = "metrics" }
        }
    }
}
