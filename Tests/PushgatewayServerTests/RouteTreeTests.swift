import Hummingbird
import HummingbirdTesting
import Testing

@testable import PushgatewayServer

/// httprouter's tree, checked against cases from its own test suite (tree_test.go, router_test.go).
struct RouteTreeTests {
    private static func tree(_ routes: [String]) throws -> RouteTree<String> {
        var tree = RouteTree<String>()
        for route in routes {
            try tree.add(route, route)
        }
        return tree
    }

    private static let routes = [
        "/hi", "/contact", "/co", "/c", "/a", "/ab", "/doc/", "/doc/go_faq.html", "/doc/go1.html", "/α", "/β",
        "/src/*filepath", "/search/", "/search/:query", "/user_:name", "/user_:name/about", "/files/:dir/*filepath",
        "/info/:user/public", "/info/:user/project/:project",
    ]

    @Test(arguments: [
        ("/a", "/a", [] as [String]),
        ("/hi", "/hi", []),
        ("/contact", "/contact", []),
        ("/co", "/co", []),
        ("/ab", "/ab", []),
        ("/α", "/α", []),
        ("/src/", "/src/*filepath", ["filepath=/"]),
        ("/src/some/file.png", "/src/*filepath", ["filepath=/some/file.png"]),
        ("/search/someth!ng+in+ünìcodé", "/search/:query", ["query=someth!ng+in+ünìcodé"]),
        ("/user_gopher", "/user_:name", ["name=gopher"]),
        ("/user_gopher/about", "/user_:name/about", ["name=gopher"]),
        ("/files/js/inc/framework.js", "/files/:dir/*filepath", ["dir=js", "filepath=/inc/framework.js"]),
        ("/info/gordon/project/go", "/info/:user/project/:project", ["user=gordon", "project=go"]),
    ])
    func findsRoutesAndParameters(path: String, route: String, parameters: [String]) throws {
        let match = try Self.tree(Self.routes).lookup(Array(path.utf8))
        #expect(match.value == route)
        #expect(match.parameters.map { "\($0.name)=\(String(decoding: $0.value, as: UTF8.self))" } == parameters)
    }

    @Test(arguments: [
        ("/hi/", true), ("/contact/", true), ("/co/", true), ("/doc", true), ("/src", true), ("/search", true),
        ("/user_gopher/", true), ("/info/gordon/public/", true), ("/c/", true), ("/nope", false), ("/a/b", false),
    ])
    func recommendsTrailingSlashRedirects(path: String, recommended: Bool) throws {
        let match = try Self.tree(Self.routes).lookup(Array(path.utf8))
        #expect(match.value == nil)
        #expect(match.trailingSlashRecommended == recommended)
    }

    @Test(arguments: [
        ("/HI", "/hi" as String?),
        ("/CONTACT/", "/contact"),
        ("/DOC", "/doc/"),
        ("/SRC/some/File.png", "/src/some/File.png"),
        ("/USER_Gopher/ABOUT", "/user_Gopher/about"),
        // httprouter's rune buffer still holds the `f` that led to `files/` when the parameter is left, so the
        // catch-all behind it is not reached: no correction (as upstream).
        ("/Files/JS/inc/Framework.js", nil),
    ])
    func correctsTheCase(path: String, corrected: String?) throws {
        let fixed = try Self.tree(Self.routes).caseInsensitivePath(Array(path.utf8), fixTrailingSlash: true)
        #expect(fixed.map { String(decoding: $0, as: UTF8.self) } == corrected)
    }

    @Test func refusesConflictingRoutes() throws {
        var tree = try Self.tree(["/cmd/:tool/:sub", "/src/*filepath"])
        #expect(throws: RouteTreeError.self) { try tree.add("/cmd/:badvar/", "x") }
        #expect(throws: RouteTreeError.self) { try tree.add("/src/*other", "x") }
        #expect(throws: RouteTreeError.self) { try tree.add("/cmd/:tool/:sub", "x") }
        #expect(throws: RouteTreeError.self) { try tree.add("/:", "x") }
        #expect(throws: RouteTreeError.self) { try tree.add("relative", "x") }
    }
}

struct MethodRouterTests {
    @Test func answersMissesAsHTTPRouter() throws {
        var router = MethodRouter<String>()
        try router.add(.get, "/metrics", "scrape")
        try router.add(.put, "/metrics/job/:job", "push")
        try router.add(.post, "/metrics/job/:job", "push")
        try router.add(.delete, "/metrics/job/:job", "delete")

        guard case .matched(let value, let parameters) = router.route(method: .put, path: Array("/metrics/job/a".utf8)) else {
            Issue.record("no match")
            return
        }
        #expect(value == "push")
        #expect(parameters.first?.value == Array("a".utf8))

        guard case .methodNotAllowed(let allow) = router.route(method: .get, path: Array("/metrics/job/a".utf8)) else {
            Issue.record("not a 405")
            return
        }
        #expect(allow == "DELETE, OPTIONS, POST, PUT")

        guard case .options(let options) = router.route(method: .options, path: Array("/metrics".utf8)) else {
            Issue.record("not an OPTIONS answer")
            return
        }
        #expect(options == "GET, OPTIONS")

        guard case .redirect(let path, let status) = router.route(method: .post, path: Array("/Metrics/job/a".utf8)) else {
            Issue.record("not a redirect")
            return
        }
        #expect(path == Array("/metrics/job/a".utf8))
        #expect(status == .temporaryRedirect)

        guard case .notFound = router.route(method: .get, path: Array("/".utf8)) else {
            Issue.record("not a 404")
            return
        }
    }
}
