import Foundation
import Testing

/// What operators' tooling sees of our binary: its log lines at start, shutdown and on bad pushes, its usage
/// errors and help, its build stamp, and systemd socket activation.
@Suite(.interop)
struct OperatorSurfaceTests {
    /// The log lines of a gateway that was started with `flags`, driven by `body`, and stopped with SIGTERM.
    private static func log(
        flags: [String] = [],
        _ body: (RunningGateway) async throws -> Void = { _ in }
    ) async throws
        -> (port: Int, status: Int32, lines: [String])
    {
        let gateway = try await RunningGateway.start(.ours, flags: flags)
        do {
            try await body(gateway)
        } catch {
            await gateway.stop()
            throw error
        }
        let status = await gateway.stop()
        return (gateway.port, status, gateway.process.log.split(separator: "\n").map(String.init))
    }

    @Test func logsListeningAndTLSAtStartAndTheSignalAndServerStopOnSIGTERM() async throws {
        let (port, status, lines) = try await Self.log()
        #expect(status == 0)
        let listening = lines.firstIndex { $0.contains(#"level=info msg="Listening on" address=127.0.0.1:\#(port)"#) }
        let tls = lines.firstIndex { $0.contains(#"level=info msg="TLS is disabled." address=127.0.0.1:\#(port) http2=false"#) }
        let signal = lines.firstIndex { $0.contains(#"level=info msg="received SIGINT/SIGTERM; exiting gracefully...""#) }
        let stopped = lines.firstIndex { $0.contains(#"level=info msg="HTTP server stopped""#) }
        #expect(listening != nil && tls != nil && signal != nil && stopped != nil, "\(lines.joined(separator: "\n"))")
        if let listening, let tls, let signal, let stopped {
            #expect(listening < tls && tls < signal && signal < stopped)
        }
    }

    @Test func writesNoLibraryLinesAndPersistsAtDebugEvenWithDebugLogging() async throws {
        let file = try TemporaryDirectory.shared.file(named: "surface-\(UUID().uuidString.prefix(8)).db")
        let flags = ["--log.level=debug", "--persistence.file=\(file)"]
        let (_, _, lines) = try await Self.log(flags: flags) { (gateway: RunningGateway) async throws in
            #expect(try await send("PUT", "/metrics/job/a", port: gateway.port, text: "a 1\n").status == 200)
        }
        let all = lines.joined(separator: "\n")
        #expect(!all.contains("Server started"), "\(all)")
        #expect(!all.contains("service"), "\(all)")
        #expect(!all.contains("level=info msg=\"metrics persisted\""), "\(all)")
        #expect(all.contains("level=debug msg=\"metrics persisted\""), "\(all)")
    }

    @Test func logsTheClientAddressOfEveryRejectedPush() async throws {
        let (_, _, lines) = try await Self.log(flags: ["--log.level=debug"]) { (gateway: RunningGateway) async throws in
            #expect(try await send("PUT", "/metrics/job/a", port: gateway.port, text: "a{ 1\n").status == 400)
            #expect(try await send("PUT", "/metrics/job/a", port: gateway.port, text: "# TYPE b counter\nb 1\n").status == 200)
            #expect(try await send("PUT", "/metrics/job/c", port: gateway.port, text: "# TYPE b gauge\nb 1\n").status == 400)
            #expect(try await send("PUT", "/metrics/job/a/odd", port: gateway.port, text: "a 1\n").status == 400)
        }
        let rejections = lines.filter { $0.contains("push") && $0.contains("err=") }
        #expect(rejections.count == 3, "\(lines.joined(separator: "\n"))")
        #expect(rejections.allSatisfy { $0.contains("source=127.0.0.1:") }, "\(rejections.joined(separator: "\n"))")
    }

    @Test(arguments: [["--no-such-flag"], ["--web.listen-address"], ["--persistence.interval=soon"], ["extra"]])
    func usageErrorsExitOneWithOneLineAsKingpin(_ arguments: [String]) async throws {
        let (status, output) = try await ChildProcess.run(Peers.ourGateway, arguments)
        #expect(status == 1)
        #expect(output.hasPrefix("pushgateway: error: ") && output.hasSuffix(", try --help\n"), "\(output)")
        #expect(output.split(separator: "\n").count == 1, "\(output)")
    }

    @Test func answersHelpLongAndHelpMan() async throws {
        let long = try await ChildProcess.run(Peers.ourGateway, ["--help-long"])
        #expect(long.status == 0)
        #expect(long.output.contains("--web.systemd-socket") && long.output.contains("--persistence.file"))
        let man = try await ChildProcess.run(Peers.ourGateway, ["--help-man"])
        #expect(man.status == 0)
        #expect(man.output.hasPrefix(".TH pushgateway 1 "), "\(man.output.prefix(200))")
        #expect(man.output.contains(".SH \"OPTIONS\"") && man.output.contains("--web.listen-address"))
    }

    /// The revision `make` stamped into the build (CBuildStamp/build_stamp.h), or "unknown" without a stamp.
    private static var stampedRevision: String {
        let header = Peers.packageRoot.appendingPathComponent("CBuildStamp/build_stamp.h").path
        guard let text = try? String(contentsOfFile: header, encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.contains("PUSHGATEWAY_REVISION") })
        else {
            return "unknown"
        }
        return String(line.split(separator: "\"")[1])
    }

    @Test func versionAndBuildInfoCarryTheStampedRevision() async throws {
        let revision = Self.stampedRevision
        let version = try await ChildProcess.run(Peers.ourGateway, ["--version"])
        #expect(version.status == 0)
        #expect(version.output.contains("revision: \(revision))"), "\(version.output)")
        try await withGateway(.ours) { gateway in
            let scrape = try await send("GET", "/metrics", port: gateway.port)
            let info = scrape.text.split(separator: "\n").first { $0.hasPrefix("pushgateway_build_info{") } ?? ""
            #expect(info.contains("revision=\"\(revision)\""), "\(info)")
        }
    }

    @Test func servesOnASocketPassedAsSystemdDoesWithoutBindingItsOwn() async throws {
        let listener = try ListeningSocket()
        let unusedPort = try freePort()
        let child = try SocketActivatedProcess(
            Peers.ourGateway,
            ["--web.systemd-socket", "--web.listen-address=127.0.0.1:\(unusedPort)", "--persistence.file="],
            socket: listener.descriptor
        )
        listener.close()
        do {
            let deadline = ContinuousClock.now + .seconds(30)
            while try await send("GET", "/-/ready", port: listener.port).status != 200 {
                guard child.isRunning, ContinuousClock.now < deadline else { throw PeerError("not ready:\n\(child.log)") }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await send("PUT", "/metrics/job/s", port: listener.port, text: "s 1\n").status == 200)
            #expect(throws: (any Error).self) { try ListeningSocket.connect(port: unusedPort) }
        } catch {
            _ = await child.stop()
            throw error
        }
        let status = await child.stop()
        #expect(status == 0)
        let log = child.log
        #expect(log.contains("msg=\"Listening on systemd activated listeners instead of port listeners.\""), "\(log)")
        #expect(log.contains("msg=\"Listening on\" address=127.0.0.1:\(listener.port)"), "\(log)")
        #expect(log.contains("msg=\"HTTP server stopped\""), "\(log)")
    }

    @Test func refusesSystemdSocketModeWithoutPassedSockets() async throws {
        let (status, output) = try await ChildProcess.run(Peers.ourGateway, ["--web.systemd-socket", "--persistence.file="])
        #expect(status == 1)
        #expect(output.contains("no socket activation file descriptors found"), "\(output)")
    }
}
