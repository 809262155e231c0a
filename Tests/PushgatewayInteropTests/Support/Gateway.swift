import Foundation

/// A gateway process on a loopback port: ours or Debian's Go one.
struct RunningGateway: Sendable {
    /// Which implementation.
    enum Kind: String, Sendable {
        case ours
        case go
    }

    let kind: Kind
    let port: Int
    let process: ChildProcess

    /// `http://127.0.0.1:<port>`.
    var url: String { "http://127.0.0.1:\(self.port)" }

    /// Starts a gateway with `flags` (plus `--web.listen-address` and, unless given, an empty persistence file
    /// flag, because Debian's build defaults it to /var/lib) and waits until `/-/ready` answers 200.
    static func start(_ kind: Kind, flags: [String] = []) async throws -> RunningGateway {
        let port = try freePort()
        var arguments = ["--web.listen-address=127.0.0.1:\(port)"]
        if !flags.contains(where: { $0.hasPrefix("--persistence.file") }) {
            arguments.append("--persistence.file=")
        }
        arguments += flags
        let executable = kind == .ours ? Peers.ourGateway : Peers.goGateway
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw PeerError("\(executable) is missing (make test builds and installs it)")
        }
        let process = try ChildProcess(executable, arguments)
        return try await Self.ready(kind, port: port, process: process)
    }

    /// The gateway `process` started on `port`, once `/-/ready` answers; stopped if it never does.
    static func ready(_ kind: Kind, port: Int, process: ChildProcess) async throws -> RunningGateway {
        let gateway = RunningGateway(kind: kind, port: port, process: process)
        do {
            try await gateway.waitUntilReady()
        } catch {
            await gateway.stop()
            throw error
        }
        return gateway
    }

    /// Polls `/-/ready` for up to 30 seconds.
    func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if !self.process.isRunning {
                throw PeerError("\(self.process.commandLine) exited at start:\n\(self.process.log)")
            }
            if let answer = try? await send("GET", "/-/ready", port: self.port), answer.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PeerError("\(self.process.commandLine) never became ready:\n\(self.process.log)")
    }

    /// Stops the gateway (SIGTERM, so ours persists) and returns its exit status.
    @discardableResult
    func stop() async -> Int32 {
        await self.process.stop()
    }
}

/// Runs `body` with a started gateway and stops it afterwards, whether `body` threw or not.
func withGateway<T>(
    _ kind: RunningGateway.Kind,
    flags: [String] = [],
    _ body: (RunningGateway) async throws -> T
) async throws -> T {
    let gateway = try await RunningGateway.start(kind, flags: flags)
    do {
        let value = try await body(gateway)
        await gateway.stop()
        return value
    } catch {
        await gateway.stop()
        throw error
    }
}
