import Foundation
import Synchronization

/// A program the suite started: its output goes to a log file that failures quote.
final class ChildProcess: Sendable {
    /// What the program was started as, for messages.
    let commandLine: String
    /// Where stdout and stderr go.
    let logPath: String
    private let process: Mutex<Process>

    /// Starts `executable` with `arguments`; the caller must `stop()` it (a scope helper usually does).
    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ChildProcess.resolve(executable))
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let logPath = try TemporaryDirectory.shared.file(
            named: "\(URL(fileURLWithPath: executable).lastPathComponent)-\(UUID().uuidString.prefix(8)).log"
        )
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.commandLine = ([executable] + arguments).joined(separator: " ")
        self.logPath = logPath
        self.process = Mutex(process)
    }

    /// Whether the program still runs.
    var isRunning: Bool { self.process.withLock { $0.isRunning } }

    /// Its process id.
    var pid: Int32 { self.process.withLock { $0.processIdentifier } }

    /// What the program printed so far.
    var log: String { (try? String(contentsOfFile: self.logPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits up to `timeout` for the exit; kills it after that. Returns the exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(10)) async -> Int32 {
        let pid = self.pid
        if self.isRunning { kill(pid, signal) }
        let deadline = ContinuousClock.now + timeout
        while self.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if self.isRunning {
            kill(pid, SIGKILL)
            while self.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
        return self.process.withLock { $0.terminationStatus }
    }

    /// Runs a program to its end and returns its exit status and output (stdout and stderr together).
    static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        timeout: Duration = .seconds(120)
    ) async throws -> (status: Int32, output: String) {
        let child = try ChildProcess(executable, arguments, environment: environment)
        let deadline = ContinuousClock.now + timeout
        while child.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        if child.isRunning {
            await child.stop(signal: SIGKILL)
            throw PeerError("\(child.commandLine) did not finish within \(timeout)\n\(child.log)")
        }
        return (child.process.withLock { $0.terminationStatus }, child.log)
    }

    /// `executable` as an absolute path, looked up in `PATH` when it has no slash.
    private static func resolve(_ executable: String) throws -> String {
        if executable.contains("/") { return executable }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw PeerError("\(executable) is not on PATH")
    }
}

/// A failure of the test set-up (a peer missing, a port never opening), with what the peer printed.
struct PeerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One temporary directory per test process for logs, persistence files and configs.
final class TemporaryDirectory: Sendable {
    static let shared = TemporaryDirectory()
    let path: String

    private init() {
        let path = NSTemporaryDirectory() + "pushgateway-interop-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
    }

    /// A path inside the directory (the file is not created).
    func file(named name: String) throws -> String {
        "\(self.path)/\(name)"
    }
}

/// A loopback TCP port that was free a moment ago (bound to port 0, then closed).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw PeerError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw PeerError("bind() to an ephemeral port failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}
