public import Hummingbird
import Logging
import PushgatewayCore
import PushgatewayStorage

// Upstream's server is layered (PG main.go): Go's ServeMux first (301 to the cleaned path for `//`, `/./`,
// `/../`; 301 from `P/api/v1` to `P/api/v1/`), then either the API router under `P/api/v1/` (prefix stripped,
// no request decoding) or, for everything else, the request decoding wrapper and the main router. Both routers
// are httprouter. This responder reproduces the layers in that order.

private let asciiSlash: UInt8 = 0x2F

/// What a route leads to; names follow upstream's handlers.
enum Endpoint: Hashable, Sendable {
    case scrape
    case healthy
    case ready
    case push(replace: Bool, jobBase64: Bool)
    case delete(jobBase64: Bool)
    case staticFiles
    case status
    /// The web UI's fragment of one group's families (not upstream's): `P/ui/group/<grouping path>`.
    case uiGroup(jobBase64: Bool)
    case pprof
    case quit
    /// Upstream's unprefixed `GET /-/quit` helper that answers 405 with its own text.
    case quitHelp
    case apiOptions
    case apiStatus
    case apiMetrics
    /// One group of `/api/v1/metrics`, by a grouping path as in push URLs (not in upstream).
    case apiGroup(jobBase64: Bool)
    case wipe
}

/// What every handler shares: configuration, the store, the gateway's own metrics, the quit trigger.
final class Gateway: Sendable {
    let configuration: GatewayConfiguration
    let store: MetricStore
    let ownMetrics: OwnMetrics
    let quit: QuitTrigger
    /// `--web.config.file`, loaded at start; nil without one.
    let web: WebConfiguration?
    /// The web configuration as every request sees it (read again when the file changes); nil without one.
    let webSource: WebLayerSource?
    /// When the gateway was built (`start_time` of `/api/v1/status`).
    let startTime: Timestamp
    private let persistence: (any PersistenceReporting)?

    init(
        configuration: GatewayConfiguration,
        store: MetricStore,
        ownMetrics: OwnMetrics,
        quit: QuitTrigger,
        persistence: (any PersistenceReporting)? = nil,
        web: WebConfiguration? = nil,
        logger: Logger = Logger(label: "pushgateway")
    ) {
        self.configuration = configuration
        self.web = web
        let file = configuration.webConfigFile
        self.webSource = web.map { WebLayerSource(path: file.isEmpty ? nil : file, configuration: $0, logger: logger) }
        self.store = store
        self.ownMetrics = ownMetrics
        self.quit = quit
        self.persistence = persistence
        self.startTime = MetricStore.systemTime()
    }

    /// The persistence file, its last successful write and the last write's error; nil when persistence is
    /// off (no `--persistence.file`).
    var persistenceStatus: PersistenceStatus? {
        self.persistence?.status
    }
}

/// The gateway's single HTTP responder: upstream's routing layers and handlers.
public struct PushgatewayResponder: HTTPResponder {
    /// Hummingbird's core context and the client's address.
    public typealias Context = GatewayRequestContext

    let gateway: Gateway
    private let mainRouter: MethodRouter<Endpoint>
    private let apiRouter: MethodRouter<Endpoint>
    /// `P/api/v1`, the prefix Go's `http.StripPrefix` removes.
    private let apiPrefix: [UInt8]
    /// Its segments, decoded, as Go's ServeMux matches them.
    private let apiSegments: [[UInt8]]
    /// The web configuration's rate limit, headers and basic auth; nil without `--web.config.file`.
    private let web: WebLayerSource?

    init(gateway: Gateway) throws(ConfigurationError) {
        self.gateway = gateway
        self.web = gateway.webSource
        let prefix = gateway.configuration.routePrefix
        do {
            self.mainRouter = try Self.mainRoutes(gateway.configuration)
            self.apiRouter = try Self.apiRoutes(gateway.configuration)
        } catch {
            throw ConfigurationError(message: "conflicting routes: \(error.message)")
        }
        self.apiPrefix = Array((prefix + "/api/v1").utf8)
        self.apiSegments = self.apiPrefix.split(separator: asciiSlash, omittingEmptySubsequences: false).dropFirst().map {
            GoURL.percentDecoded($0) ?? Array($0)
        }
    }

    /// Upstream's main router (PG main.go), registered in the same order.
    private static func mainRoutes(_ configuration: GatewayConfiguration) throws(RouteTreeError) -> MethodRouter<Endpoint> {
        let prefix = configuration.routePrefix
        var router = MethodRouter<Endpoint>()
        try router.add(.get, prefix + "/-/healthy", .healthy)
        try router.add(.get, prefix + "/-/ready", .ready)
        try router.add(.get, configuration.telemetryPath, .scrape)
        for suffix in ["", "@base64"] {
            let base64 = !suffix.isEmpty
            let job = prefix + "/metrics/job" + suffix + "/:job"
            try router.add(.put, job + "/*labels", .push(replace: true, jobBase64: base64))
            try router.add(.post, job + "/*labels", .push(replace: false, jobBase64: base64))
            try router.add(.delete, job + "/*labels", .delete(jobBase64: base64))
            try router.add(.put, job, .push(replace: true, jobBase64: base64))
            try router.add(.post, job, .push(replace: false, jobBase64: base64))
            try router.add(.delete, job, .delete(jobBase64: base64))
        }
        try router.add(.get, prefix + "/static/*filepath", .staticFiles)
        try router.add(.get, prefix + "/status", .status)
        try router.add(.get, prefix + "/", .status)
        for suffix in ["", "@base64"] {
            let job = prefix + "/ui/group/job" + suffix + "/:job"
            try router.add(.get, job, .uiGroup(jobBase64: !suffix.isEmpty))
            try router.add(.get, job + "/*labels", .uiGroup(jobBase64: !suffix.isEmpty))
        }
        try router.add(.get, prefix + "/debug/pprof/*pprof", .pprof)
        try router.add(.put, prefix + "/-/quit", .quit)
        try router.add(.post, prefix + "/-/quit", .quit)
        // Upstream registers this one without the prefix.
        try router.add(.get, "/-/quit", .quitHelp)
        return router
    }

    /// Upstream's API router (PG api/v1/api.go), paths relative to `P/api/v1`.
    private static func apiRoutes(_ configuration: GatewayConfiguration) throws(RouteTreeError) -> MethodRouter<Endpoint> {
        var router = MethodRouter<Endpoint>()
        try router.add(.options, "/*path", .apiOptions)
        try router.add(.get, "/status", .apiStatus)
        try router.add(.get, "/metrics", .apiMetrics)
        for suffix in ["", "@base64"] {
            let job = "/metrics/job" + suffix + "/:job"
            try router.add(.get, job, .apiGroup(jobBase64: !suffix.isEmpty))
            try router.add(.get, job + "/*labels", .apiGroup(jobBase64: !suffix.isEmpty))
        }
        if configuration.enableAdminAPI {
            try router.add(.put, "/admin/wipe", .wipe)
        }
        return router
    }

    /// Answers a request as upstream's ServeMux, request decoding, routers and handlers do, in that order.
    public func respond(to request: Request, context: Context) async throws -> Response {
        let method = request.method
        let target = request.head.path ?? "/"
        if target == "*" {
            // Go's server answers `OPTIONS *` itself; its mux refuses `*` for other methods.
            return method == .options ? GoResponses.empty(.ok) : GoResponses.empty(.badRequest, headers: [.connection: "close"])
        }
        let (rawPath, rawQuery) = Self.splitTarget(target)
        let raw = Array(rawPath.utf8)
        guard ServeMuxPath.isAcceptedByGo(rawPath), let decoded = GoURL.percentDecoded(raw) else {
            return GoResponses.badRequestLine()
        }
        let layer: WebLayer
        switch self.web?.current() {
        case .none, .success(.none):
            return try await self.respond(to: request, context: context, rawQuery: rawQuery, raw: raw, decoded: decoded)
        case .success(.some(let current)):
            layer = current
        case .failure:
            // exporter-toolkit answers every request with a 500 while its file cannot be used (logged once, by
            // the source, when the file changed).
            return GoResponses.error("Internal Server Error", status: .internalServerError)
        }
        let web = layer
        // exporter-toolkit's handler wraps the whole mux: the rate limit first, then headers on every answer and
        // basic auth before any route.
        if let limiter = web.limiter, !limiter.allow() {
            return GoResponses.error("Too Many Requests", status: .tooManyRequests)
        }
        var response: Response
        if let authenticator = web.authenticator,
            await authenticator.check(authorization: request.headers[.authorization]) == .denied
        {
            response = GoResponses.error("Unauthorized", status: .unauthorized, headers: [.wwwAuthenticate: "Basic"])
        } else {
            response = try await self.respond(to: request, context: context, rawQuery: rawQuery, raw: raw, decoded: decoded)
        }
        for header in web.headers where response.headers[header.name] == nil {
            response.headers.append(header)
        }
        return response
    }

    /// Go's ServeMux, the request decoding and the routers, behind the web configuration's layer.
    private func respond(
        to request: Request,
        context: Context,
        rawQuery: Substring?,
        raw: [UInt8],
        decoded: [UInt8]
    ) async throws -> Response {
        let method = request.method
        // Go's ServeMux: it works on the escaped path.
        let escaped = GoURL.escapedPath(decoded, raw: raw)
        let cleaned = GoPath.cleanKeepingTrailingSlash(escaped)
        if method != .connect && cleaned.last != asciiSlash && self.isAPIRoot(cleaned) {
            let location = GoResponses.urlString(path: GoPath.cleanKeepingTrailingSlash(decoded) + [asciiSlash], query: rawQuery)
            return GoResponses.redirect(to: location, status: .movedPermanently, method: method, requestPath: decoded)
        }
        if method != .connect && cleaned != escaped {
            // Go builds the Location from the cleaned *escaped* path and escapes it again (`%` becomes `%25`).
            let location = GoResponses.urlString(path: cleaned, query: rawQuery)
            return GoResponses.redirect(to: location, status: .movedPermanently, method: method, requestPath: decoded)
        }

        if self.isUnderAPI(cleaned) {
            return await self.respondToAPI(request, context: context, decoded: decoded, raw: raw, query: rawQuery)
        }

        let body: RequestBodyReader
        do {
            body = try await RequestBodyReader.decoding(request, limit: self.gateway.configuration.maxBodySize)
        } catch {
            return HTTPErrors.response(for: error)
        }
        switch self.mainRouter.route(method: method, path: decoded) {
        case .matched(let endpoint, let parameters):
            return await self.handle(endpoint, request: request, context: context, parameters: parameters, body: body)
        case .redirect(let path, let status):
            // The new path never decodes from the sent one, so Go escapes it afresh.
            let location = GoResponses.urlString(path: path, query: rawQuery)
            return GoResponses.redirect(to: location, status: status, method: method, requestPath: decoded)
        case .options(let allow):
            return GoResponses.empty(.ok, headers: [.allow: allow])
        case .methodNotAllowed(let allow):
            return GoResponses.error("Method Not Allowed", status: .methodNotAllowed, headers: [.allow: allow])
        case .notFound:
            return GoResponses.notFound()
        }
    }

    /// The API layer: `http.StripPrefix("P/api/v1", apiRouter)`.
    private func respondToAPI(
        _ request: Request,
        context: Context,
        decoded: [UInt8],
        raw: [UInt8],
        query: Substring?
    ) async -> Response {
        // Go keeps URL.RawPath only when the sent path is not the default escaping of the decoded one, and
        // StripPrefix must be able to strip both.
        let rawPath: [UInt8]? = GoURL.escapedPath(decoded) == raw ? nil : raw
        guard decoded.starts(with: self.apiPrefix), rawPath.map({ $0.starts(with: self.apiPrefix) }) ?? true else {
            return GoResponses.notFound()
        }
        let path = Array(decoded.dropFirst(self.apiPrefix.count))
        switch self.apiRouter.route(method: request.method, path: path) {
        case .matched(let endpoint, let parameters):
            let body = RequestBodyReader.undecoded(request, limit: self.gateway.configuration.maxBodySize)
            return await self.handle(endpoint, request: request, context: context, parameters: parameters, body: body)
        case .redirect(let newPath, let status):
            // The router only sees the stripped path, so upstream's Location lacks `P/api/v1`.
            let location = GoResponses.urlString(path: newPath, query: query)
            return GoResponses.redirect(to: location, status: status, method: request.method, requestPath: path)
        case .options(let allow):
            return GoResponses.empty(.ok, headers: [.allow: allow])
        case .methodNotAllowed(let allow):
            return GoResponses.error("Method Not Allowed", status: .methodNotAllowed, headers: [.allow: allow])
        case .notFound:
            return GoResponses.notFound()
        }
    }

    // MARK: Path helpers

    /// Splits a request target into the path and the raw query (without `?`).
    static func splitTarget(_ target: String) -> (path: Substring, query: Substring?) {
        var target = Substring(target)
        // An absolute-form target (`http://host/path`): Go routes on its path.
        if !target.hasPrefix("/"), let scheme = target.firstRange(of: "://") {
            let authority = target[scheme.upperBound...]
            target = authority.firstIndex(of: "/").map { authority[$0...] } ?? "/"
        }
        guard let questionMark = target.firstIndex(of: "?") else {
            return (target, nil)
        }
        return (target[..<questionMark], target[target.index(after: questionMark)...])
    }

    /// The segments of an escaped path as Go 1.22's ServeMux compares them: each one percent-decoded.
    private func segments(_ escapedPath: [UInt8]) -> [[UInt8]] {
        escapedPath.split(separator: asciiSlash, omittingEmptySubsequences: false).dropFirst().map {
            GoURL.percentDecoded($0) ?? Array($0)
        }
    }

    /// Whether the mux pattern `P/api/v1/` matches: the prefix segments followed by at least a `/`.
    private func isUnderAPI(_ cleaned: [UInt8]) -> Bool {
        guard cleaned.contains(0x25) || self.apiPrefix.contains(0x25) else {
            // Without escapes the segments are the bytes themselves.
            return cleaned.count > self.apiPrefix.count && cleaned.starts(with: self.apiPrefix)
                && cleaned[self.apiPrefix.count] == asciiSlash
        }
        let segments = self.segments(cleaned)
        return segments.count > self.apiSegments.count && Array(segments.prefix(self.apiSegments.count)) == self.apiSegments
    }

    /// Whether the path is `P/api/v1` exactly, which Go's mux redirects to `P/api/v1/`.
    private func isAPIRoot(_ cleaned: [UInt8]) -> Bool {
        guard cleaned.contains(0x25) || self.apiPrefix.contains(0x25) else {
            return cleaned == self.apiPrefix
        }
        return self.segments(cleaned) == self.apiSegments
    }
}
