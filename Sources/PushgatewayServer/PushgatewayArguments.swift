/// The gateway's configuration, one property per upstream flag (spec §3) plus `--push.max-body-size`.
///
/// The executable's command satisfies it with parsed flags and the tests with ``PushgatewaySettings``, so both
/// go through ``buildApplication(_:)``. Values are as the operator wrote them; ``buildApplication(_:)``
/// validates and normalises them (route prefix, listen addresses).
public protocol PushgatewayArguments {
    /// `--web.listen-address` (repeatable), default `[":9091"]`.
    var listenAddresses: [String] { get }
    /// `--web.systemd-socket`: serve on the sockets systemd passes (`LISTEN_FDS`) instead of the listen addresses.
    var systemdSocket: Bool { get }
    /// `--web.config.file`; not supported yet, so a non-empty value is rejected.
    var webConfigFile: String { get }
    /// `--web.telemetry-path`, default `/metrics`; joined with the route prefix.
    var telemetryPath: String { get }
    /// `--web.external-url`; its path is the default route prefix.
    var externalURL: String { get }
    /// `--web.route-prefix`.
    var routePrefix: String { get }
    /// `--web.enable-lifecycle`: `PUT`/`POST /-/quit` shut the gateway down.
    var enableLifecycle: Bool { get }
    /// `--web.enable-admin-api`: `PUT /api/v1/admin/wipe` deletes every group.
    var enableAdminAPI: Bool { get }
    /// `--persistence.file`; empty keeps the metrics in memory only.
    var persistenceFile: String { get }
    /// `--persistence.interval`, default `5m`.
    var persistenceInterval: GoDuration { get }
    /// `--persistence.sync` (own flag), default `always`.
    var persistenceSync: PersistenceSync { get }
    /// `--push.disable-consistency-check`: pushes are answered 202 without the consistency check.
    var disableConsistencyCheck: Bool { get }
    /// `--push.enable-utf8-names`: UTF-8 names in text pushes and `U__` label names in push URLs.
    var enableUTF8Names: Bool { get }
    /// `--push.max-body-size` in bytes (this gateway's own flag, upstream has no limit): a larger push body,
    /// compressed or decompressed, is answered 413.
    var maxBodySize: Int { get }
    /// `--web.max-connections` (this gateway's own flag): open connections per listen address; further clients
    /// wait in the listen backlog until one closes. Non-positive means no limit.
    var maxConnections: Int { get }
    /// `--web.read-header-timeout` (own flag): a new connection's first request head must arrive within it.
    /// Zero waits forever.
    var readHeaderTimeout: GoDuration { get }
    /// `--web.idle-timeout` (own flag): how long a keep-alive connection waits for its next request head.
    /// Zero waits forever.
    var idleTimeout: GoDuration { get }
    /// `--web.read-body-timeout` (own flag): the longest pause allowed while a request body is read (a pause,
    /// not the whole upload). Zero waits forever.
    var readBodyTimeout: GoDuration { get }
    /// `--log.level`.
    var logLevel: LogLevel { get }
    /// `--log.format`.
    var logFormat: LogFormat { get }
}

/// `--log.level`: the least severe level that is logged.
public enum LogLevel: String, Hashable, Sendable, CaseIterable {
    /// Everything.
    case debug
    /// The default.
    case info
    /// Warnings and errors.
    case warn
    /// Errors only.
    case error
}

/// `--persistence.sync` (own flag): when a change reaches the disk.
public enum PersistenceSync: String, Hashable, Sendable, CaseIterable {
    /// Every push, delete and wipe is in the write-ahead log, synced, before it is acknowledged; a snapshot is
    /// written every `--persistence.interval`.
    case always
    /// Upstream's behaviour: only the snapshot every `--persistence.interval` (and on shutdown), so a crash loses
    /// up to one interval of acknowledged changes.
    case interval
}

extension PushgatewayArguments {
    /// `--persistence.sync`: `always` unless a conformer says otherwise.
    public var persistenceSync: PersistenceSync { .always }
}

/// `--log.format`: how log lines are written to standard error.
public enum LogFormat: String, Hashable, Sendable, CaseIterable {
    /// `ts=… caller=… level=info msg="…" key=value`.
    case logfmt
    /// One JSON object per line with sorted keys.
    case json
}

/// Upstream's defaults for every flag, as a plain value to adjust (tests, embedding).
public struct PushgatewaySettings: PushgatewayArguments, Hashable, Sendable {
    /// The default of `--push.max-body-size`: 256 MiB.
    public static let defaultMaxBodySize = 268_435_456
    /// The default of `--web.max-connections`: 4096.
    public static let defaultMaxConnections = 4096
    /// The default of `--web.read-header-timeout`: one minute.
    public static let defaultReadHeaderTimeout = GoDuration(nanoseconds: 60_000_000_000)
    /// The default of `--web.idle-timeout`: five minutes.
    public static let defaultIdleTimeout = GoDuration(nanoseconds: 300_000_000_000)
    /// The default of `--web.read-body-timeout`: two minutes.
    public static let defaultReadBodyTimeout = GoDuration(nanoseconds: 120_000_000_000)
    /// The default of `--persistence.interval`: five minutes.
    public static let defaultPersistenceInterval = GoDuration(nanoseconds: 300_000_000_000)

    /// `--web.listen-address`: `:9091`.
    public var listenAddresses: [String] = [":9091"]
    /// `--web.systemd-socket`: off.
    public var systemdSocket = false
    /// `--web.config.file`: none.
    public var webConfigFile = ""
    /// `--web.telemetry-path`: `/metrics`.
    public var telemetryPath = "/metrics"
    /// `--web.external-url`: none.
    public var externalURL = ""
    /// `--web.route-prefix`: none.
    public var routePrefix = ""
    /// `--web.enable-lifecycle`: off.
    public var enableLifecycle = false
    /// `--web.enable-admin-api`: off.
    public var enableAdminAPI = false
    /// `--persistence.file`: none (memory only).
    public var persistenceFile = ""
    /// `--persistence.interval`: `5m`.
    public var persistenceInterval = Self.defaultPersistenceInterval
    /// `--persistence.sync`: `always`.
    public var persistenceSync = PersistenceSync.always
    /// `--push.disable-consistency-check`: off.
    public var disableConsistencyCheck = false
    /// `--push.enable-utf8-names`: off.
    public var enableUTF8Names = false
    /// `--push.max-body-size`: 256 MiB.
    public var maxBodySize = Self.defaultMaxBodySize
    /// `--web.max-connections`: 4096.
    public var maxConnections = Self.defaultMaxConnections
    /// `--web.read-header-timeout`: `1m`.
    public var readHeaderTimeout = Self.defaultReadHeaderTimeout
    /// `--web.idle-timeout`: `5m`.
    public var idleTimeout = Self.defaultIdleTimeout
    /// `--web.read-body-timeout`: `2m`.
    public var readBodyTimeout = Self.defaultReadBodyTimeout
    /// `--log.level`: `info`.
    public var logLevel = LogLevel.info
    /// `--log.format`: `logfmt`.
    public var logFormat = LogFormat.logfmt

    /// Creates settings with upstream's defaults.
    public init() {}
}
