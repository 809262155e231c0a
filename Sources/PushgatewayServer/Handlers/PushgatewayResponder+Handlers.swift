import CompressNIO
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import PushgatewayCore
import PushgatewayStorage

// Upstream's handlers (PG handler/*.go, api/v1/api.go, main.go), each counted in
// pushgateway_http_requests_total under upstream's handler name, except the scrape, pprof and the lifecycle
// endpoints, which upstream does not instrument either.

/// The CORS headers upstream sets on every API route except the admin wipe (PG api/v1/api.go).
private let corsHeaders: HTTPFields = [
    .accessControlAllowHeaders: "Accept, Authorization, Content-Type, Origin",
    .accessControlAllowMethods: "GET, POST, DELETE, OPTIONS",
    .accessControlAllowOrigin: "*",
    .accessControlExposeHeaders: "Date",
    .cacheControl: "no-cache, no-store, must-revalidate",
]

/// The store refused a push (kept apart from decoding errors, which are always answered 400).
private struct StoreRejection: Error {
    var error: PushError
}

extension PushgatewayResponder {
    /// Runs the handler of `endpoint`.
    func handle(
        _ endpoint: Endpoint,
        request: Request,
        context: Context,
        parameters: [(name: String, value: [UInt8])],
        body: RequestBodyReader
    ) async -> Response {
        switch endpoint {
        case .scrape:
            return self.scrape(request, context: context)
        case .healthy:
            return self.counted("healthy", request, GoResponses.text("OK"))
        case .ready:
            // Not ready while persistence refuses writes (the disk is full or failing); /-/healthy stays up,
            // since a restart would not free any disk.
            if let refusal = self.gateway.store.persistenceRefusal {
                return self.counted("ready", request, GoResponses.text("persistence failing: \(refusal)", status: .serviceUnavailable))
            }
            return self.counted("ready", request, GoResponses.text("OK"))
        case .push(let replace, let jobBase64):
            var body = body
            return await self.push(request, context: context, parameters: parameters, jobBase64: jobBase64, replace: replace, body: &body)
        case .delete(let jobBase64):
            return self.counted("delete", request, await self.delete(context: context, parameters: parameters, jobBase64: jobBase64))
        case .staticFiles:
            return self.counted("static", request, self.staticFile(parameters))
        case .status:
            return self.counted("status", request, await self.uiPage(context: context))
        case .uiGroup(let jobBase64):
            // Counted as the page it belongs to.
            return self.counted("status", request, await self.uiGroup(context: context, parameters: parameters, jobBase64: jobBase64))
        case .pprof:
            // Go's profiler has no counterpart here.
            return GoResponses.notFound()
        case .quit:
            return self.quit(context: context)
        case .quitHelp:
            return GoResponses.text("Only POST or PUT requests allowed.", status: .methodNotAllowed)
        case .apiOptions:
            return self.counted("api/v1/options", request, GoResponses.empty(.ok, headers: corsHeaders))
        case .apiStatus:
            let body = JSONAPIEncoder.status(
                buildInformation: BuildInformation.statusMap,
                flags: self.gateway.configuration.flags,
                startTime: self.gateway.startTime
            )
            return self.counted("api/v1/status", request, Self.json(body))
        case .apiMetrics:
            return self.counted("api/v1/metrics", request, await self.apiMetrics(context: context))
        case .apiGroup(let jobBase64):
            let response = await self.apiGroup(context: context, parameters: parameters, jobBase64: jobBase64)
            return self.counted("api/v1/metrics", request, response)
        case .wipe:
            do {
                try await self.gateway.store.waitUntilDurable(try self.gateway.store.wipe())
            } catch {
                context.logger.error("wipe not done: persistence failing", metadata: ["err": "\(error.message)"])
                return self.counted("wipe", request, HTTPErrors.response(for: error))
            }
            context.logger.info("wiped all metric groups")
            return self.counted("wipe", request, GoResponses.empty(.accepted))
        }
    }

    /// Counts an answered request in `pushgateway_http_requests_total` and returns it.
    private func counted(_ handler: String, _ request: Request, _ response: Response) -> Response {
        self.gateway.ownMetrics.http.countRequest(handler: handler, code: response.status.code, method: request.method.rawValue)
        return response
    }

    // MARK: Push and delete

    /// Bodies from this size on, and every compressed body, are decoded, parsed and stored on
    /// `NIOThreadPool.singleton` rather than on the event loop that read them: Swift concurrency runs on the
    /// event loops here, so a large push handled inline would hold up every connection of that loop (health
    /// checks and scrapes included) for as long as it takes.
    static let offloadThreshold = 64 * 1024

    /// PUT and POST (PG handler/push.go): grouping key, body, store; 200 checked, 202 unchecked, 400 otherwise.
    private func push(
        _ request: Request,
        context: Context,
        parameters: [(name: String, value: [UInt8])],
        jobBase64: Bool,
        replace: Bool,
        body: inout RequestBodyReader
    ) async -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            let key = try self.groupingKey(parameters, jobBase64: jobBase64)
            let collected = try await body.collect()
            let format = ContentNegotiation.pushBodyFormat(contentType: request.headers[values: .contentType].first)
            let work: @Sendable () throws -> WriteReceipt = { [self] in
                let families = try self.parseBody(try collected.decoded(), format: format)
                do {
                    return try self.gateway.store.push(PushRequest(key: key, families: families, replace: replace))
                } catch let error as PushError {
                    throw StoreRejection(error: error)
                }
            }
            let receipt =
                collected.isHeavy(threshold: Self.offloadThreshold)
                ? try await NIOThreadPool.singleton.runIfActive(work) : try work()
            // Acknowledged only once the write-ahead log holds it (`--persistence.sync=always`).
            try await self.gateway.store.waitUntilDurable(receipt)
            response = GoResponses.empty(self.gateway.configuration.checkConsistency ? .ok : .accepted)
        } catch let rejection as StoreRejection where rejection.error.code == .unavailable {
            context.logger.error(
                "push not stored: persistence failing",
                metadata: ["method": "\(request.method)", "source": "\(context.source)", "err": "\(rejection.error.message)"]
            )
            response = HTTPErrors.response(for: rejection.error)
        } catch let error as DurabilityError {
            context.logger.error(
                "push not stored: persistence failing",
                metadata: ["method": "\(request.method)", "source": "\(context.source)", "err": "\(error.message)"]
            )
            response = HTTPErrors.response(for: error)
        } catch let rejection as StoreRejection {
            context.logger.error(
                "pushed metrics are invalid or inconsistent with existing metrics",
                metadata: ["method": "\(request.method)", "source": "\(context.source)", "err": "\(rejection.error.message)"]
            )
            // Unchecked, upstream has answered 202 before the store looks at the push (only a timestamp
            // rejection is possible then, and it only shows in push_failure_time_seconds).
            response =
                self.gateway.configuration.checkConsistency ? HTTPErrors.response(for: rejection.error) : GoResponses.empty(.accepted)
        } catch {
            // Upstream logs its parse failures at debug with the client's address ("failed to parse text"); every
            // rejected push carries `source` here, since that is how operators find the client.
            let metadata: Logger.Metadata = ["method": "\(request.method)", "source": "\(context.source)", "err": "\(error)"]
            if HTTPErrors.isClientError(error) {
                context.logger.debug("failed to parse push", metadata: metadata)
            } else {
                context.logger.error("push failed", metadata: metadata)
            }
            response = HTTPErrors.response(for: error)
        }
        let end = ContinuousClock.now
        self.gateway.ownMetrics.http.observePush(
            method: request.method.rawValue,
            size: Self.approximateRequestSize(request),
            duration: end - start,
            at: end
        )
        return self.counted("push", request, response)
    }

    /// DELETE (PG handler/delete.go): the body is ignored; 202 whether or not the group existed.
    private func delete(context: Context, parameters: [(name: String, value: [UInt8])], jobBase64: Bool) async -> Response {
        do {
            let key = try self.groupingKey(parameters, jobBase64: jobBase64)
            try await self.gateway.store.waitUntilDurable(try self.gateway.store.delete(key))
            return GoResponses.empty(.accepted)
        } catch let error as DurabilityError {
            context.logger.error("delete not done: persistence failing", metadata: ["err": "\(error.message)"])
            return HTTPErrors.response(for: error)
        } catch {
            context.logger.debug("failed to parse URL", metadata: ["err": "\(error)"])
            return HTTPErrors.response(for: error)
        }
    }

    /// The grouping key from the route's `job` and `labels` parameters.
    func groupingKey(_ parameters: [(name: String, value: [UInt8])], jobBase64: Bool) throws(GroupingPathError) -> GroupingKey {
        var remainder: [UInt8] = []
        for name in ["job", "labels"] {
            if let value = parameters.first(where: { $0.name == name })?.value {
                remainder.append(contentsOf: value)
            }
        }
        // The router matched on the decoded path, so its parameters are the decoded bytes GroupingPath expects.
        return try GroupingPath.parse(remainder, jobIsBase64: jobBase64, utf8Names: self.gateway.configuration.enableUTF8Names)
    }

    /// The pushed families: protobuf exactly when the Content-Type says delimited MetricFamily, else text.
    /// Both codecs enforce ``PushLimits/default`` unless told otherwise.
    private func parseBody(_ bytes: [UInt8], format: PushBodyFormat) throws -> [MetricFamily] {
        switch format {
        case .protobufDelimited:
            return try ProtobufCodec().decodeDelimited(bytes)
        case .text:
            return try TextFormatParser(options: .init(allowUTF8Names: self.gateway.configuration.enableUTF8Names)).parse(bytes)
        }
    }

    /// client_golang's `computeApproximateRequestSize`: URL, method, protocol, header names and values,
    /// host, and the declared Content-Length.
    static func approximateRequestSize(_ request: Request) -> Int {
        var size = (request.head.path ?? "").utf8.count
        size += request.method.rawValue.utf8.count
        size += "HTTP/1.1".utf8.count
        for field in request.headers where field.name != .transferEncoding {
            size += field.name.rawName.utf8.count + field.value.utf8.count
        }
        size += (request.head.authority ?? "").utf8.count
        size += request.headers[.contentLength].flatMap { Int($0) } ?? 0
        return size
    }

    // MARK: Scrape

    /// Writes the exposition chunk by chunk, through one gzip stream if asked.
    private static func stream(_ exposition: Exposition, gzip: Bool, to writer: inout any ResponseBodyWriter) async throws {
        var chunks = exposition.chunks()
        if gzip {
            // Fastest zlib level: a scrape is compressed anew every time, and level 1 costs a fraction of the
            // default level's time for a slightly larger body.
            let compressor = try ZlibCompressor(algorithm: .gzip, configuration: .init(compressionLevel: 1))
            var window = ByteBufferAllocator().buffer(capacity: 1 << 16)
            while let chunk = chunks.next() {
                var input = ByteBuffer(bytes: chunk)
                try await input.compressStream(with: compressor, window: &window, flush: .no) { try await writer.write($0) }
            }
            var end = ByteBuffer()
            try await end.compressStream(with: compressor, window: &window, flush: .finish) { try await writer.write($0) }
        } else {
            while let chunk = chunks.next() {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
        }
        try await writer.finish(nil)
    }

    /// GET on the telemetry path: negotiated format, own families merged in, gzip if asked.
    private func scrape(_ request: Request, context: Context) -> Response {
        let (format, escaping) = ContentNegotiation.expositionFormat(accept: request.headers[values: .accept].first)
        switch self.gateway.store.exposition(format, escaping: escaping, own: self.gateway.ownMetrics.families()) {
        case .failure(let error):
            context.logger.error("error gathering metrics", metadata: ["err": "\(error.message)"])
            return HTTPErrors.response(for: error)
        case .success(let exposition):
            var headers: HTTPFields = [.contentType: format.contentType(escaping: escaping)]
            let gzip = ContentNegotiation.shouldGzip(acceptEncoding: request.headers[values: .acceptEncoding])
            if gzip {
                headers[.contentEncoding] = "gzip"
            }
            // Streamed in chunks (chunked transfer encoding, as Go's promhttp for large bodies): the whole
            // body never sits in memory, and the first bytes leave before the last are written.
            return Response(
                status: .ok,
                headers: headers,
                body: ResponseBody { writer in
                    try await Self.stream(exposition, gzip: gzip, to: &writer)
                }
            )
        }
    }

    // MARK: Lifecycle, API

    /// PUT/POST `/-/quit`.
    private func quit(context: Context) -> Response {
        guard self.gateway.configuration.enableLifecycle else {
            return GoResponses.text("Lifecycle API is not enabled.", status: .forbidden)
        }
        context.logger.warning("received termination request via web service, exiting gracefully...")
        self.gateway.quit.fire()
        return GoResponses.text("Requesting termination... Goodbye!")
    }

    /// From this many stored series on, JSON API answers are built on `NIOThreadPool.singleton`: an answer is
    /// mostly copied from the store's cache, but groups changed since the last call are decoded and written
    /// anew, which for a large store would hold up the event loop (and its health checks) for seconds.
    static let apiOffloadSeries = 10_000

    /// GET `/api/v1/metrics`: every group.
    private func apiMetrics(context: Context) async -> Response {
        let store = self.gateway.store
        do {
            return Self.json(try await self.runForAPI { store.metricsJSON() })
        } catch {
            context.logger.error("cannot answer api/v1/metrics", metadata: ["err": "\(error)"])
            return HTTPErrors.response(for: error)
        }
    }

    /// GET `/api/v1/metrics/job/<job>{/<label>/<value>}` (and the `@base64` forms, decoded as in push URLs):
    /// `data` holds the group's object of `/api/v1/metrics`, or nothing for a group the store does not hold.
    private func apiGroup(context: Context, parameters: [(name: String, value: [UInt8])], jobBase64: Bool) async -> Response {
        let store = self.gateway.store
        do {
            let key = try self.groupingKey(parameters, jobBase64: jobBase64)
            let object = try await self.runForAPI { store.groupJSON(key) }
            return Self.json(JSONAPIEncoder.metrics(groupObjects: object.map { [$0] } ?? []))
        } catch let error as GroupingPathError {
            context.logger.debug("failed to parse URL", metadata: ["err": "\(error)"])
            let answer = HTTPErrors.jsonAPIError(for: error)
            return Self.json(answer.body, status: answer.status)
        } catch {
            context.logger.error("cannot answer api/v1/metrics", metadata: ["err": "\(error)"])
            return HTTPErrors.response(for: error)
        }
    }

    /// Runs `work` inline for a small store, on the thread pool for a large one (``apiOffloadSeries``).
    private func runForAPI<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async throws -> Result {
        guard self.gateway.store.statistics().series >= Self.apiOffloadSeries else {
            return work()
        }
        return try await NIOThreadPool.singleton.runIfActive(work)
    }

    /// A JSON API answer: `application/json` with the CORS headers.
    private static func json(_ body: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        var headers = corsHeaders
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
