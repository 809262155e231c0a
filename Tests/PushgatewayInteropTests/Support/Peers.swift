import Foundation
import Testing

/// Where the real programs of the interop suite live, and whether the suite runs at all.
///
/// `make test` installs every peer and sets `PUSHGATEWAY_INTEROP=1`; a bare `swift test` skips the suite rather
/// than failing on a machine without them. Once enabled, a missing peer is a failure, never a skip.
enum Peers {
    /// True when `make test` (or a developer) asked for the interop suite.
    static let enabled = ProcessInfo.processInfo.environment["PUSHGATEWAY_INTEROP"] == "1"

    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // PushgatewayInteropTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// Our `pushgateway` executable: `PUSHGATEWAY_BINARY`, or the debug build.
    static var ourGateway: String {
        environment("PUSHGATEWAY_BINARY") ?? packageRoot.appendingPathComponent(".build/debug/pushgateway").path
    }

    /// Debian's `prometheus-pushgateway` (Go, 1.5.1).
    static var goGateway: String { environment("INTEROP_GO_GATEWAY") ?? "/usr/bin/prometheus-pushgateway" }

    /// Debian's `prometheus` (2.42).
    static var prometheus: String { environment("INTEROP_PROMETHEUS") ?? "/usr/bin/prometheus" }

    /// Debian's `promtool`.
    static var promtool: String { environment("INTEROP_PROMTOOL") ?? "/usr/bin/promtool" }

    /// The client_golang pusher built from `Tests/Peers/gopusher` (by `make test`, into `.build/interop`).
    static var goPusher: String {
        environment("INTEROP_GO_PUSHER") ?? packageRoot.appendingPathComponent(".build/interop/gopusher").path
    }

    /// A Python 3 with `prometheus_client` installed.
    static var python: String { environment("INTEROP_PYTHON") ?? "python3" }

    /// A file under `Tests/Peers`.
    static func peerFile(_ name: String) -> String {
        packageRoot.appendingPathComponent("Tests/Peers").appendingPathComponent(name).path
    }

    private static func environment(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs a suite only when the interop peers were asked for (`PUSHGATEWAY_INTEROP=1`, set by `make test`).
    static var interop: Self {
        .enabled(if: Peers.enabled, "set PUSHGATEWAY_INTEROP=1 (make test does) to run against real peers")
    }
}
