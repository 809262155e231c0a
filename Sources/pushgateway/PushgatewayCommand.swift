public import ArgumentParser
import PushgatewayServer

/// The `pushgateway` command: upstream's flags under the same names, defaults and meanings (spec §3), then
/// ``buildApplication(_:)`` and run until SIGTERM, SIGINT or `/-/quit` (exit code 0 after a graceful shutdown).
@main
struct PushgatewayCommand: AsyncParsableCommand, PushgatewayArguments {
    static func main() async {
        adoptEventLoopsAsConcurrencyExecutor()
        let arguments = GoFlagArguments.normalized(Array(CommandLine.arguments.dropFirst()))
        // kingpin's extra help flags: --help-long is --help for a command without subcommands.
        if arguments.contains("--help-man") {
            let help = Self.helpMessage(columns: 200)
            print(ManPage.render(name: "pushgateway", version: BuildInformation.version, help: help), terminator: "")
            Self.exit()
        }
        if arguments.contains(where: { ["--help", "-h", "--help-long"].contains($0) }) {
            print(Self.helpMessage())
            Self.exit()
        }
        let command: any ParsableCommand
        do {
            command = try Self.parseAsRoot(arguments)
        } catch {
            guard Self.exitCode(for: error) == .success else {
                Self.fail(Self.message(for: error), hint: true)
            }
            Self.exit(withError: error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
        } catch {
            Self.fail("\(error)", hint: false)
        }
    }

    /// Ends the process as kingpin does for a usage error: one line `pushgateway: error: <message>, try --help`
    /// on standard error and exit code 1 (ArgumentParser would print the whole usage and exit 64). Flags the
    /// gateway cannot start with get the same line without the hint.
    private static func fail(_ message: String, hint: Bool) -> Never {
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: "; ")
        let lowered = oneLine.prefix(1).lowercased() + oneLine.dropFirst()
        GatewayLogHandler.writeToStandardError("pushgateway: error: \(lowered)\(hint ? ", try --help" : "")\n")
        Self.exit(withError: ExitCode.failure)
    }

    static let configuration = CommandConfiguration(
        commandName: "pushgateway",
        abstract: "The Pushgateway",
        version: BuildInformation.versionText
    )

    @Option(
        name: .customLong("web.listen-address"),
        help: "Addresses on which to expose metrics and web interface. Repeatable for multiple addresses."
    )
    var listenAddresses: [String] = [":9091"]

    @Flag(
        name: .customLong("web.systemd-socket"),
        inversion: .prefixedNo,
        help: "Use systemd socket activation listeners instead of port listeners (Linux only)."
    )
    var systemdSocket = false

    @Option(
        name: .customLong("web.config.file"),
        help: "Path to configuration file that can enable TLS or authentication."
    )
    var webConfigFile = ""

    @Option(name: .customLong("web.telemetry-path"), help: "Path under which to expose metrics.")
    var telemetryPath = "/metrics"

    @Option(name: .customLong("web.external-url"), help: "The URL under which the Pushgateway is externally reachable.")
    var externalURL = ""

    @Option(
        name: .customLong("web.route-prefix"),
        help: "Prefix for the internal routes of web endpoints. Defaults to the path of --web.external-url."
    )
    var routePrefix = ""

    @Flag(name: .customLong("web.enable-lifecycle"), inversion: .prefixedNo, help: "Enable shutdown via HTTP request.")
    var enableLifecycle = false

    @Flag(name: .customLong("web.enable-admin-api"), inversion: .prefixedNo, help: "Enable API endpoints for admin control actions.")
    var enableAdminAPI = false

    @Option(name: .customLong("persistence.file"), help: "File to persist metrics. If empty, metrics are only kept in memory.")
    var persistenceFile = ""

    @Option(
        name: .customLong("persistence.interval"),
        help: "The minimum interval at which to write out the persistence file, as a Go duration (5m, 1h30m, 10s). (default: 5m)",
        transform: { try GoDuration(parsing: $0) }
    )
    var persistenceInterval = PushgatewaySettings.defaultPersistenceInterval

    @Option(
        name: .customLong("persistence.sync"),
        help: """
            When a change reaches the persistence file's write-ahead log: 'always' syncs it before the push is \
            answered; 'interval' keeps upstream's behaviour (only the snapshot every --persistence.interval, so a \
            crash loses up to one interval). (default: always)
            """
    )
    var persistenceSync = PersistenceSync.always

    @Flag(
        name: .customLong("push.disable-consistency-check"),
        inversion: .prefixedNo,
        help: "Do not check consistency of pushed metrics. DANGEROUS."
    )
    var disableConsistencyCheck = false

    @Flag(
        name: .customLong("push.enable-utf8-names"),
        inversion: .prefixedNo,
        help: "Allow UTF-8 characters in metric and label names."
    )
    var enableUTF8Names = false

    @Option(
        name: .customLong("push.max-body-size"),
        help: "The largest push body in bytes, compressed or decompressed; larger pushes are answered 413."
    )
    var maxBodySize = PushgatewaySettings.defaultMaxBodySize

    @Option(
        name: .customLong("web.max-connections"),
        help: "The most connections open at once per listen address; further clients wait until one closes. 0 for no limit."
    )
    var maxConnections = PushgatewaySettings.defaultMaxConnections

    @Option(
        name: .customLong("web.read-header-timeout"),
        help: "How long a new connection may take to send its first request head, as a Go duration; 0 waits forever. (default: 1m)",
        transform: { try GoDuration(parsing: $0) }
    )
    var readHeaderTimeout = PushgatewaySettings.defaultReadHeaderTimeout

    @Option(
        name: .customLong("web.idle-timeout"),
        help: "How long a keep-alive connection may wait for its next request, as a Go duration; 0 waits forever. (default: 5m)",
        transform: { try GoDuration(parsing: $0) }
    )
    var idleTimeout = PushgatewaySettings.defaultIdleTimeout

    @Option(
        name: .customLong("web.read-body-timeout"),
        help: "The longest pause while a request body is sent (not the whole upload), as a Go duration; 0 waits forever. (default: 2m)",
        transform: { try GoDuration(parsing: $0) }
    )
    var readBodyTimeout = PushgatewaySettings.defaultReadBodyTimeout

    @Option(
        name: .customLong("log.level"),
        help: "Only log messages with the given severity or above."
    )
    var logLevel = LogLevel.info

    @Option(name: .customLong("log.format"), help: "Output format of log messages.")
    var logFormat = LogFormat.logfmt

    func run() async throws {
        let application = try buildApplication(self)
        try await application.runUntilShutdown()
    }
}

extension LogLevel: ExpressibleByArgument {}

extension LogFormat: ExpressibleByArgument {}
extension PersistenceSync: ExpressibleByArgument {}
