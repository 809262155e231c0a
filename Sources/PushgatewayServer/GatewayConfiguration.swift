import NIOCore
import PushgatewayCore

/// A flag combination the gateway cannot start with; ``description`` says which flag and why.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    /// The message.
    public var description: String { self.message }
}

/// The arguments validated and normalised as upstream's main.go does before it builds its routes.
struct GatewayConfiguration: Sendable {
    var listenAddresses: [ListenAddress]
    /// `--web.systemd-socket`: serve on the sockets systemd passes instead of `listenAddresses`.
    var systemdSocket: Bool
    /// The route prefix P: `--web.route-prefix`, else the path of `--web.external-url`; `""` for `/`.
    var routePrefix: String
    /// The scrape path: `path.Join(P, --web.telemetry-path)`.
    var telemetryPath: String
    /// Where the web UI links its assets from: the external URL's path normalised as a prefix (upstream's
    /// `computeRoutePrefix("", externalURL)`), `""` without one.
    var externalPathPrefix: String
    var enableLifecycle: Bool
    var enableAdminAPI: Bool
    var checkConsistency: Bool
    var enableUTF8Names: Bool
    var maxBodySize: Int
    /// `--web.max-connections`; `nil` for no limit.
    var maxConnections: Int?
    /// The three client timeouts.
    var timeouts: ConnectionTimeouts
    var persistenceFile: String
    /// `--web.config.file`; empty for plain HTTP without authentication.
    var webConfigFile: String
    var persistenceInterval: GoDuration
    var persistenceSync: PersistenceSync
    var logLevel: LogLevel
    var logFormat: LogFormat
    /// The flags map of `/api/v1/status` (flag name without dashes to its value as kingpin prints it).
    var flags: [String: String]

    init(_ arguments: some PushgatewayArguments) throws(ConfigurationError) {
        self.systemdSocket = arguments.systemdSocket
        guard !arguments.listenAddresses.isEmpty else {
            throw ConfigurationError(message: "--web.listen-address: at least one address is needed")
        }
        do {
            self.listenAddresses = try arguments.listenAddresses.map { (text) throws(ListenAddressError) in try ListenAddress(parsing: text)
            }
        } catch {
            throw ConfigurationError(message: "--web.listen-address: \(error.message)")
        }
        guard arguments.maxBodySize > 0 else {
            throw ConfigurationError(message: "--push.max-body-size must be positive, got \(arguments.maxBodySize)")
        }
        let externalPath: String
        do {
            externalPath = try Self.urlPath(arguments.externalURL)
        } catch {
            throw ConfigurationError(message: "--web.external-url: \(error.message)")
        }
        self.routePrefix = Self.computeRoutePrefix(arguments.routePrefix, externalPath: externalPath)
        self.externalPathPrefix = Self.computeRoutePrefix("", externalPath: externalPath)
        self.telemetryPath = GoPath.join(self.routePrefix, arguments.telemetryPath)
        guard self.telemetryPath.hasPrefix("/") else {
            throw ConfigurationError(message: "--web.telemetry-path: path must begin with '/' in path '\(self.telemetryPath)'")
        }
        self.enableLifecycle = arguments.enableLifecycle
        self.enableAdminAPI = arguments.enableAdminAPI
        self.checkConsistency = !arguments.disableConsistencyCheck
        self.enableUTF8Names = arguments.enableUTF8Names
        self.maxBodySize = arguments.maxBodySize
        self.maxConnections = arguments.maxConnections > 0 ? arguments.maxConnections : nil
        for (flag, value) in [
            ("web.read-header-timeout", arguments.readHeaderTimeout), ("web.idle-timeout", arguments.idleTimeout),
            ("web.read-body-timeout", arguments.readBodyTimeout),
        ] where value.nanoseconds < 0 {
            throw ConfigurationError(message: "--\(flag) must not be negative, got \(value)")
        }
        self.timeouts = ConnectionTimeouts(
            header: Self.timeAmount(arguments.readHeaderTimeout),
            idle: Self.timeAmount(arguments.idleTimeout),
            body: Self.timeAmount(arguments.readBodyTimeout)
        )
        self.persistenceFile = arguments.persistenceFile
        self.webConfigFile = arguments.webConfigFile
        self.persistenceInterval = arguments.persistenceInterval
        self.persistenceSync = arguments.persistenceSync
        self.logLevel = arguments.logLevel
        self.logFormat = arguments.logFormat
        self.flags = [
            "log.format": arguments.logFormat.rawValue,
            "log.level": arguments.logLevel.rawValue,
            "persistence.file": arguments.persistenceFile,
            "persistence.interval": arguments.persistenceInterval.description,
            "persistence.sync": arguments.persistenceSync.rawValue,
            "push.disable-consistency-check": String(arguments.disableConsistencyCheck),
            "push.enable-utf8-names": String(arguments.enableUTF8Names),
            "push.max-body-size": String(arguments.maxBodySize),
            "web.idle-timeout": arguments.idleTimeout.description,
            "web.max-connections": String(arguments.maxConnections),
            "web.read-body-timeout": arguments.readBodyTimeout.description,
            "web.read-header-timeout": arguments.readHeaderTimeout.description,
            "web.config.file": arguments.webConfigFile,
            "web.enable-admin-api": String(arguments.enableAdminAPI),
            "web.enable-lifecycle": String(arguments.enableLifecycle),
            "web.external-url": arguments.externalURL,
            "web.listen-address": arguments.listenAddresses.joined(separator: ","),
            // Upstream shows the prefix after normalising it.
            "web.route-prefix": self.routePrefix,
            "web.systemd-socket": String(arguments.systemdSocket),
            "web.telemetry-path": arguments.telemetryPath,
        ]
    }

    /// A timeout flag as NIO's time amount; zero is no timeout.
    private static func timeAmount(_ duration: GoDuration) -> TimeAmount? {
        duration.nanoseconds > 0 ? .nanoseconds(duration.nanoseconds) : nil
    }

    /// Upstream's `computeRoutePrefix`: the prefix, or the external URL's path if it is empty; `/` becomes
    /// empty; otherwise a leading `/` is ensured and one trailing `/` removed.
    static func computeRoutePrefix(_ prefix: String, externalPath: String) -> String {
        var prefix = prefix.isEmpty ? externalPath : prefix
        if prefix == "/" {
            return ""
        }
        if !prefix.hasPrefix("/") {
            prefix = "/" + prefix
        }
        if prefix.hasSuffix("/") {
            prefix.removeLast()
        }
        return prefix
    }

    /// The decoded path of a URL as Go's `url.Parse` gives it (`URL.Path`); empty for an empty URL.
    static func urlPath(_ url: String) throws(ConfigurationError) -> String {
        var rest = Substring(url)
        if let fragment = rest.firstIndex(of: "#") {
            rest = rest[..<fragment]
        }
        if let query = rest.firstIndex(of: "?") {
            rest = rest[..<query]
        }
        if let schemeEnd = rest.firstRange(of: "://") {
            let afterAuthority = rest[schemeEnd.upperBound...]
            rest = afterAuthority.firstIndex(of: "/").map { afterAuthority[$0...] } ?? ""
        }
        guard let decoded = GoURL.percentDecoded(Array(rest.utf8)) else {
            throw ConfigurationError(message: "invalid URL escape in \(GoQuote.string(url))")
        }
        return String(decoding: decoded, as: UTF8.self)
    }
}
