import Hummingbird
import NIOCore
import Testing

@testable import PushgatewayServer

struct GoDurationTests {
    @Test(arguments: [
        ("5m", Int64(300_000_000_000)),
        ("1h30m", 5_400_000_000_000),
        ("10s", 10_000_000_000),
        ("500ms", 500_000_000),
        ("0", 0),
        ("1.5h", 5_400_000_000_000),
        ("-1.5s", -1_500_000_000),
        ("+2m", 120_000_000_000),
        ("1us", 1_000),
        ("1µs", 1_000),
        ("3ns", 3),
        (".5s", 500_000_000),
        ("1h2m3s4ms5us6ns", 3_723_004_005_006),
    ])
    func parsesGoDurations(text: String, nanoseconds: Int64) throws {
        #expect(try GoDuration(parsing: text).nanoseconds == nanoseconds)
    }

    @Test(arguments: [
        ("", #"time: invalid duration """#),
        ("5", #"time: missing unit in duration "5""#),
        ("5x", #"time: unknown unit "x" in duration "5x""#),
        ("1d", #"time: unknown unit "d" in duration "1d""#),
        ("abc", #"time: invalid duration "abc""#),
        ("-", #"time: invalid duration "-""#),
        (".s", #"time: invalid duration ".s""#),
        ("9999999999h", #"time: invalid duration "9999999999h""#),
        ("5m ", #"time: unknown unit "m " in duration "5m ""#),
    ])
    func rejectsWhatGoRejects(text: String, message: String) {
        #expect(throws: GoDurationError(message: message)) {
            _ = try GoDuration(parsing: text)
        }
    }

    @Test(arguments: [
        (Int64(300_000_000_000), "5m0s"),
        (5_400_000_000_000, "1h30m0s"),
        (10_000_000_000, "10s"),
        (500_000_000, "500ms"),
        (0, "0s"),
        (1_500, "1.5µs"),
        (7, "7ns"),
        (1_500_000_000, "1.5s"),
        (-90_000_000_000, "-1m30s"),
        (3_723_004_005_006, "1h2m3.004005006s"),
    ])
    func printsAsGo(nanoseconds: Int64, text: String) {
        #expect(GoDuration(nanoseconds: nanoseconds).description == text)
    }
}

struct ListenAddressTests {
    @Test(arguments: [
        (":9091", "", 9091),
        ("127.0.0.1:0", "127.0.0.1", 0),
        ("[::1]:9091", "::1", 9091),
        ("localhost:80", "localhost", 80),
    ])
    func parsesHostAndPort(text: String, host: String, port: Int) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
    }

    @Test(arguments: ["9091", "::1:9091", "host:", "host:http", "host:70000", "vsock://:9091", "[::1:9091"])
    func rejectsUnusableAddresses(text: String) {
        #expect(throws: ListenAddressError.self) {
            _ = try ListenAddress(parsing: text)
        }
    }
}

struct ConfigurationTests {
    @Test(arguments: [
        ("", "", ""),
        ("/", "http://example.com/ext", ""),
        ("", "http://example.com/ext/", "/ext"),
        ("", "http://example.com", ""),
        ("pg", "", "/pg"),
        ("/pg/", "", "/pg"),
        ("/pg//", "", "/pg/"),
        ("", "/relative/", "/relative"),
        ("", "http://example.com/a%20b/", "/a b"),
    ])
    func routePrefixIsComputedAsUpstream(prefix: String, externalURL: String, expected: String) throws {
        var settings = PushgatewaySettings()
        settings.routePrefix = prefix
        settings.externalURL = externalURL
        #expect(try GatewayConfiguration(settings).routePrefix == expected)
    }

    @Test func listenAddressesAreRequiredAndChecked() {
        var noAddress = PushgatewaySettings()
        noAddress.listenAddresses = []
        #expect(throws: ConfigurationError.self) {
            _ = try GatewayConfiguration(noAddress)
        }
        var badAddress = PushgatewaySettings()
        badAddress.listenAddresses = [":9091", "nope"]
        #expect(throws: ConfigurationError(message: "--web.listen-address: listen tcp: address nope: missing port in address")) {
            _ = try GatewayConfiguration(badAddress)
        }
        var badLimit = PushgatewaySettings()
        badLimit.maxBodySize = 0
        #expect(throws: ConfigurationError.self) {
            _ = try GatewayConfiguration(badLimit)
        }
    }

    @Test func flagsMapShowsValuesAsUpstreamPrintsThem() throws {
        var settings = PushgatewaySettings()
        settings.listenAddresses = [":9091", "127.0.0.1:9092"]
        settings.persistenceInterval = try GoDuration(parsing: "1h30m")
        settings.routePrefix = "pg/"
        settings.logLevel = .debug
        let flags = try GatewayConfiguration(settings).flags
        #expect(flags["web.listen-address"] == ":9091,127.0.0.1:9092")
        #expect(flags["persistence.interval"] == "1h30m0s")
        #expect(flags["web.route-prefix"] == "/pg")
        #expect(flags["log.level"] == "debug")
        #expect(flags["push.disable-consistency-check"] == "false")
        #expect(flags["web.read-header-timeout"] == "1m0s")
        #expect(flags["persistence.sync"] == "always")
        #expect(flags.count == 20)
    }

    @Test func defaultsAreUpstreams() {
        let settings = PushgatewaySettings()
        #expect(settings.listenAddresses == [":9091"])
        #expect(settings.telemetryPath == "/metrics")
        #expect(settings.persistenceInterval.description == "5m0s")
        #expect(settings.maxBodySize == 268_435_456)
        #expect(settings.logLevel == .info)
        #expect(settings.logFormat == .logfmt)
        #expect(!settings.enableLifecycle && !settings.enableAdminAPI && !settings.disableConsistencyCheck)
    }

    @Test func connectionFlagsBecomeLimitsAndTimeouts() throws {
        var settings = PushgatewaySettings()
        let defaults = try GatewayConfiguration(settings)
        #expect(defaults.maxConnections == 4096)
        #expect(defaults.timeouts == ConnectionTimeouts(header: .minutes(1), idle: .minutes(5), body: .minutes(2)))
        settings.maxConnections = 0
        settings.idleTimeout = GoDuration(nanoseconds: 0)
        settings.readBodyTimeout = try GoDuration(parsing: "1s")
        let changed = try GatewayConfiguration(settings)
        #expect(changed.maxConnections == nil)
        #expect(changed.timeouts == ConnectionTimeouts(header: .minutes(1), idle: nil, body: .seconds(1)))
        settings.readHeaderTimeout = GoDuration(nanoseconds: -1)
        #expect(throws: ConfigurationError.self) { _ = try GatewayConfiguration(settings) }
    }

    @Test(
        arguments: [
            // requested, listeners, descriptor limit, expected
            (4096, 1, 1024, 896), (4096, 2, 1024, 448), (100, 1, 1024, 100), (4096, 1, nil, 4096), (nil, 1, 1024, 896),
            (nil, 1, nil, nil), (4096, 1, 10, 1),
        ] as [(Int?, Int, Int?, Int?)]
    )
    func connectionLimitStaysUnderTheDescriptorLimit(requested: Int?, listeners: Int, descriptors: Int?, expected: Int?) {
        #expect(DescriptorLimit.connectionLimit(requested: requested, listeners: listeners, descriptorLimit: descriptors) == expected)
    }

    @Test func emptyHostBindsEveryInterface() {
        let address = PushgatewayApplication.bindAddress(ListenAddress(host: "", port: 9091))
        #expect(address == .hostname("::", port: 9091) || address == .hostname("0.0.0.0", port: 9091))
        #expect(PushgatewayApplication.bindAddress(ListenAddress(host: "127.0.0.1", port: 1)) == .hostname("127.0.0.1", port: 1))
    }
}

struct GoFlagArgumentsTests {
    @Test(arguments: [
        (["--persistence.file="], ["--persistence.file", ""]),
        (["--persistence.file=x", "--web.listen-address=:9091"], ["--persistence.file=x", "--web.listen-address=:9091"]),
        (["--persistence.file", ""], ["--persistence.file", ""]),
        (["--log.level=debug", "--web.external-url="], ["--log.level=debug", "--web.external-url", ""]),
        (["--a=b="], ["--a=b="]),
        (["-h"], ["-h"]),
    ])
    func rewritesExplicitlyEmptyValues(arguments: [String], expected: [String]) {
        #expect(GoFlagArguments.normalized(arguments) == expected)
    }
}
