public import Hummingbird
import HummingbirdCore
public import Logging
public import NIOCore
import NIOPosix
import PushgatewayCore
import PushgatewayStorage
public import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs Swift concurrency's jobs on NIO's event loops (the ones the server uses), so a request's handler
/// runs on the thread that read it instead of hopping to the global pool and back; call once, first thing
/// in `main`. Returns false where the runtime does not allow it (the gateway then works as before).
@discardableResult
public func adoptEventLoopsAsConcurrencyExecutor() -> Bool {
    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}

/// Builds the gateway from its arguments: validated configuration, store (restored from
/// `--persistence.file`), responder and services. The executable runs the result; tests drive it with
/// HummingbirdTesting.
/// - Throws: ``ConfigurationError`` for arguments the gateway cannot start with.
public func buildApplication(_ arguments: some PushgatewayArguments) throws -> some ApplicationProtocol {
    try PushgatewayApplication(arguments)
}

/// The gateway as a Hummingbird application: one HTTP server per `--web.listen-address`, persistence, and
/// the `/-/quit` trigger, in one service group.
public struct PushgatewayApplication: ApplicationProtocol {
    /// The gateway's single responder.
    public typealias Responder = PushgatewayResponder

    /// Upstream's routing and handlers.
    public let responder: PushgatewayResponder
    /// The server configuration of the first listen address (tests replace the address).
    public let configuration: ApplicationConfiguration
    /// The logger of `--log.level` and `--log.format`.
    public let logger: Logger
    /// The services that run beside the HTTP servers (persistence), listed before them so that they stop last.
    public let services: [any Service]

    private let listenAddresses: [ListenAddress]
    private let gatewayConfiguration: GatewayConfiguration
    /// Connections per listener: `--web.max-connections`, lowered to fit the descriptor limit.
    private let connectionLimit: Int?
    private let quit: QuitTrigger
    private let serverRunning: @Sendable (any Channel) async -> Void
    /// Why `--web.config.file` cannot be used; ``run()`` then logs it and returns, as upstream does.
    private(set) var startFailure: WebConfigurationError?
    /// The TLS context of `--web.config.file`; nil for plain HTTP.
    private var tls: TLSContextProvider?

    /// Builds the gateway.
    /// - Parameters:
    ///   - arguments: The flags.
    ///   - logHandlerOutput: Where log lines go (standard error by default).
    ///   - onServerRunning: Called with each listening channel once its server runs (tests read the port).
    /// - Throws: ``ConfigurationError``.
    public init(
        _ arguments: some PushgatewayArguments,
        logHandlerOutput: @escaping @Sendable (String) -> Void = GatewayLogHandler.writeToStandardError,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws {
        let configuration = try GatewayConfiguration(arguments)
        let logger = Logger(label: "pushgateway") { _ in
            GatewayLogHandler(
                format: configuration.logFormat,
                level: GatewayLogHandler.level(configuration.logLevel),
                output: logHandlerOutput
            )
        }
        let ownMetrics = OwnMetrics()
        // A file bigger than RLIMIT_FSIZE allows must fail its write (a 503 for the push), not kill the gateway.
        signal(SIGXFSZ, SIG_IGN)
        let (store, persistence) = try Self.storeAndPersistence(configuration: configuration, logger: logger)
        self.services = persistence.map { [$0] } ?? []
        let quit = QuitTrigger()
        var web: WebConfiguration?
        if !configuration.webConfigFile.isEmpty {
            do {
                let loaded = try WebConfiguration.load(path: configuration.webConfigFile)
                if loaded.tlsServer.isEnabled {
                    self.tls = try TLSContextProvider(loaded.tlsServer, http2: loaded.httpServer.http2)
                }
                web = loaded
                if loaded.rateLimit.interval.nanoseconds != 0 {
                    logger.info(
                        "Rate Limiter is enabled.",
                        metadata: ["burst": "\(loaded.rateLimit.burst)", "interval": "\(loaded.rateLimit.interval)"]
                    )
                }
            } catch {
                self.startFailure = error
            }
        }
        let gateway = Gateway(
            configuration: configuration,
            store: store,
            ownMetrics: ownMetrics,
            quit: quit,
            persistence: persistence,
            web: web,
            logger: logger
        )
        self.responder = try PushgatewayResponder(gateway: gateway)
        self.listenAddresses = configuration.listenAddresses
        self.gatewayConfiguration = configuration
        let descriptorLimit = DescriptorLimit.current
        self.connectionLimit = DescriptorLimit.connectionLimit(
            requested: configuration.maxConnections,
            listeners: configuration.listenAddresses.count,
            descriptorLimit: descriptorLimit
        )
        self.configuration = ApplicationConfiguration(address: Self.bindAddress(configuration.listenAddresses[0]))
        self.logger = logger
        self.quit = quit
        self.serverRunning = onServerRunning
        logger.info(
            "starting pushgateway",
            metadata: ["version": "\(BuildInformation.version)", "toolchain": "\(BuildInformation.toolchainVersion)"]
        )
        logger.debug("path prefix for internal routing", metadata: ["path": "\(configuration.routePrefix)"])
        if let limit = self.connectionLimit, limit != configuration.maxConnections {
            logger.info(
                "connection limit lowered to fit the file descriptor limit",
                metadata: [
                    "max_connections": "\(limit)", "web.max-connections": "\(configuration.maxConnections.map(String.init) ?? "0")",
                    "nofile": "\(descriptorLimit.map(String.init) ?? "unlimited")",
                ]
            )
        }
    }

    /// The store, restored from `--persistence.file` and its write-ahead log, and the persistence service.
    ///
    /// This is the single place persistence is wired in: restore before serving (a file that cannot be
    /// read as this gateway's stops the start rather than being overwritten later; a damaged one is kept aside
    /// and the previous snapshot used), then a service that writes snapshots every `--persistence.interval` and
    /// once more on shutdown (it is listed before the HTTP servers, so it stops after them). With
    /// `--persistence.sync=always` every change also goes through the write-ahead log before it is answered.
    /// - Throws: ``ConfigurationError`` when the file exists but is not this gateway's.
    private static func storeAndPersistence(
        configuration: GatewayConfiguration,
        logger: Logger
    ) throws -> (MetricStore, (any Service & PersistenceReporting)?) {
        let options = MetricStore.Options(checkConsistency: configuration.checkConsistency, ownFamilies: OwnMetrics.declarations)
        let path = configuration.persistenceFile
        guard !path.isEmpty else {
            return (MetricStore(options: options), nil)
        }
        let fileSystem = POSIXFileSystem()
        let recovered: RecoveredStore
        do {
            recovered = try PersistenceRecovery.load(basePath: path, fileSystem: fileSystem, logger: logger)
        } catch {
            throw ConfigurationError(message: "--persistence.file: cannot restore \(path) (\(error)); move the file away to start empty")
        }
        let journal =
            configuration.persistenceSync == .always
            ? WriteAheadLog(basePath: path, nextSequence: recovered.nextSequence, fileSystem: fileSystem, logger: logger) : nil
        let store = MetricStore(options: options, journal: journal)
        store.restore(recovered, path: path, logger: logger)
        let interval = configuration.persistenceInterval.duration
        guard let journal else {
            let service = PersistenceService(
                store: store,
                path: path,
                interval: interval,
                logger: logger,
                snapshotSequence: recovered.nextSequence - 1
            )
            return (store, service)
        }
        let service = WriteAheadPersistence(
            store: store,
            journal: journal,
            path: path,
            interval: interval,
            recovered: recovered,
            fileSystem: fileSystem,
            logger: logger
        )
        return (store, service)
    }

    /// Runs every server and service until a signal, `/-/quit` or a failure stops them.
    ///
    /// Shutdown runs in reverse order: the HTTP servers stop taking requests and finish the running ones, then
    /// persistence writes its last file.
    public func run() async throws {
        if let failure = self.startFailure {
            // Upstream's web.ListenAndServe returns the error, main logs it and ends normally (exit code 0).
            self.logger.error("HTTP server stopped", metadata: ["err": "\(failure.message)"])
            return
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: QuitService(trigger: self.quit), successTerminationBehavior: .gracefullyShutdownGroup)
        ]
        services += self.services.map { .init(service: $0) }
        var servers: [any Service] = []
        if self.gatewayConfiguration.systemdSocket {
            servers = try self.systemdServers()
        }
        for address in self.listenAddresses where !self.gatewayConfiguration.systemdSocket {
            var configuration = self.configuration.with(address: Self.bindAddress(address))
            if let maxConnections = self.connectionLimit {
                // Each server counts its own connections; at the limit it stops accepting (clients wait in the
                // listen backlog) until one closes.
                configuration.availableConnectionsDelegate = MaximumAvailableConnections(maxConnections, logger: self.logger)
            }
            let server = Application(
                responder: self.responder,
                server: .gateway(timeouts: self.gatewayConfiguration.timeouts, tls: self.tls),
                configuration: configuration,
                onServerRunning: { [logger, serverRunning, tls = self.tls] channel in
                    Self.logListening(on: channel, tls: tls, logger: logger)
                    await serverRunning(channel)
                },
                logger: self.logger
            )
            servers.append(server)
        }
        services.append(.init(service: HTTPServers(servers: servers, logger: self.logger)))
        let group = ServiceGroup(configuration: .init(services: services, logger: self.logger))
        try await group.run()
    }

    /// One server per socket systemd passed (`--web.systemd-socket`), as exporter-toolkit's `ListenAndServe`.
    /// - Throws: ``ConfigurationError`` when no socket was passed.
    private func systemdServers() throws(ConfigurationError) -> [any Service] {
        self.logger.info("Listening on systemd activated listeners instead of port listeners.")
        let descriptors = SystemdActivation.takeDescriptors()
        guard !descriptors.isEmpty else {
            throw ConfigurationError(message: "no socket activation file descriptors found")
        }
        return descriptors.map { descriptor in
            BoundSocketServer(
                descriptor: descriptor,
                responder: self.responder,
                timeouts: self.gatewayConfiguration.timeouts,
                tls: self.tls,
                connectionLimit: self.connectionLimit,
                logger: self.logger,
                onServerRunning: { [logger, serverRunning, tls = self.tls] channel in
                    Self.logListening(on: channel, tls: tls, logger: logger)
                    await serverRunning(channel)
                }
            )
        }
    }

    /// Logs a listener as exporter-toolkit's `web.Serve` does: `Listening on` and then whether TLS is on, each
    /// with the address in Go's form (`[::]:9091`, `127.0.0.1:9091`).
    static func logListening(on channel: any Channel, tls: TLSContextProvider?, logger: Logger) {
        let address = channel.localAddress.map(GatewayRequestContext.goAddress) ?? ""
        logger.info("Listening on", metadata: ["address": "\(address)"])
        // http2 as exporter-toolkit logs it: the configured value with TLS, false without (no h2c).
        logger.info(
            tls == nil ? "TLS is disabled." : "TLS is enabled.",
            metadata: ["http2": "\(tls?.offersHTTP2 ?? false)", "address": "\(address)"]
        )
    }

    /// Passes each listening channel to the `onServerRunning` closure given at creation.
    public func onServerRunning(_ channel: any Channel) async {
        await self.serverRunning(channel)
    }

    /// Where a listen address binds: an empty host means every interface, IPv6 and IPv4 (`::`) like Go, or
    /// IPv4 only on hosts without IPv6.
    static func bindAddress(_ address: ListenAddress) -> BindAddress {
        guard address.host.isEmpty else {
            return .hostname(address.host, port: address.port)
        }
        return .hostname(Self.hasIPv6 ? "::" : "0.0.0.0", port: address.port)
    }

    /// Whether an IPv6 socket can be created here.
    private static let hasIPv6: Bool = {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET6, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return false }
        close(descriptor)
        return true
    }()
}

extension PushgatewayApplication: CustomStringConvertible {
    /// A short name for logs.
    public var description: String { "PushgatewayApplication" }
}

extension ApplicationProtocol {
    /// Runs the application until SIGTERM or SIGINT, or until it ends by itself (`/-/quit`), shutting it down
    /// gracefully either way.
    ///
    /// Hummingbird's `runService()` treats an application that returns on its own as a failure; the gateway
    /// returns on its own after `/-/quit`, which is a normal end.
    public func runUntilShutdown() async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: self, successTerminationBehavior: .gracefullyShutdownGroup)],
                logger: self.logger
            )
        )
        // The signals are trapped here rather than by the service group, to log upstream's line for them; they
        // stay trapped until the end, so a second SIGTERM during the shutdown does not cut the final persist
        // short (Go ignores it too).
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        try await withThrowingTaskGroup { tasks in
            tasks.addTask {
                for await _ in signals {
                    self.logger.info("received SIGINT/SIGTERM; exiting gracefully...")
                    await group.triggerGracefulShutdown()
                    break
                }
            }
            try await group.run()
            tasks.cancelAll()
        }
    }
}
