import Hummingbird
import Logging
import NIOCore
import NIOPosix
import PushgatewayCore

// The web UI's three handlers: the page (`P/` and `P/status`), one group's families (`P/ui/group/<path>`)
// and the assets (`P/static/<file>`). The page and the fragment read the store and render on the thread
// pool: Swift concurrency runs on the event loops here, and a page of 10,000 groups takes a while.

extension PushgatewayResponder {
    /// The page.
    func uiPage(context: Context) async -> Response {
        let gateway = self.gateway
        let configuration = gateway.configuration
        do {
            let body = try await NIOThreadPool.singleton.runIfActive {
                let data = UIData(gateway: gateway)
                let (groups, statistics) = data.groupSummaries()
                let pageContext = UIPage.Context(
                    assetBase: configuration.externalPathPrefix.isEmpty ? "." : configuration.externalPathPrefix,
                    assetVersion: UIAssets.version,
                    enableAdminAPI: configuration.enableAdminAPI,
                    startTime: gateway.startTime,
                    buildInformation: Self.buildInformationRows,
                    flags: configuration.flags,
                    statistics: statistics,
                    persistence: data.persistenceStatus()
                )
                return UIPage.render(groups: groups, context: pageContext)
            }
            return Self.html(body)
        } catch {
            context.logger.error("rendering the web UI failed", metadata: ["err": "\(error)"])
            return GoResponses.error("Internal Server Error", status: .internalServerError)
        }
    }

    /// One group's families as an HTML fragment; a short note when the group does not exist (any more), 400
    /// with the reason for a path the push route would refuse.
    func uiGroup(context: Context, parameters: [(name: String, value: [UInt8])], jobBase64: Bool) async -> Response {
        let key: GroupingKey
        do {
            key = try self.groupingKey(parameters, jobBase64: jobBase64)
        } catch {
            context.logger.debug("failed to parse URL", metadata: ["err": "\(error)"])
            return HTTPErrors.response(for: error)
        }
        let gateway = self.gateway
        do {
            let body = try await NIOThreadPool.singleton.runIfActive {
                UIGroupFragment.render(UIData(gateway: gateway).group(key))
            }
            return Self.html(body)
        } catch {
            context.logger.error("rendering the web UI failed", metadata: ["err": "\(error)"])
            return GoResponses.error("Internal Server Error", status: .internalServerError)
        }
    }

    /// An embedded asset with its content type and a long cache lifetime; 404 for any other file.
    func staticFile(_ parameters: [(name: String, value: [UInt8])]) -> Response {
        guard let path = parameters.first(where: { $0.name == "filepath" })?.value, let asset = UIAssets.asset(at: path) else {
            return GoResponses.notFound()
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: asset.contentType,
                .cacheControl: UIAssets.cacheControl,
                .xContentTypeOptions: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes))
        )
    }

    /// The Build Information rows of the Status tab, upstream's keys in their order, the toolchain named.
    static var buildInformationRows: [(name: String, value: String)] {
        [
            ("version", BuildInformation.version),
            ("revision", BuildInformation.revision),
            ("branch", BuildInformation.branch),
            ("buildUser", BuildInformation.buildUser),
            ("buildDate", BuildInformation.buildDate),
            ("Swift toolchain", BuildInformation.toolchainVersion),
            ("platform", BuildInformation.operatingSystem + "/" + BuildInformation.architecture),
        ]
    }

    /// A page or fragment: HTML, never cached (it shows the store as it is now), scripts only from the
    /// gateway itself.
    private static func html(_ body: [UInt8]) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .cacheControl: "no-store",
                .xContentTypeOptions: "nosniff",
                .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
