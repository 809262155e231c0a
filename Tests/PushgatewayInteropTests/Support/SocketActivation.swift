import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP socket listening on a free loopback port, as systemd opens it for a `.socket` unit.
final class ListeningSocket: Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PeerError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 128) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(fd)
            throw PeerError("bind() or listen() on loopback failed")
        }
        self.descriptor = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Closes this process's copy of the socket (the child keeps its own).
    func close() {
        Glibc.close(self.descriptor)
    }

    /// Connects to `port` on loopback, throwing when nothing listens there.
    static func connect(port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PeerError("socket() failed") }
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw PeerError("nothing listens on 127.0.0.1:\(port)") }
    }
}

/// A program started the way systemd starts a socket-activated service: `socket` as descriptor 3,
/// `LISTEN_FDS=1`, and `LISTEN_PID` set to the program's own pid (by a `sh` that sets it and then `exec`s the
/// program, so the pid stays the same). Output goes to a log file.
final class SocketActivatedProcess: Sendable {
    let pid: pid_t
    let logPath: String
    private let exitStatus = Mutex<Int32?>(nil)

    init(_ executable: String, _ arguments: [String], socket: Int32) throws {
        let logPath = try TemporaryDirectory.shared.file(named: "socket-activated-\(UUID().uuidString.prefix(8)).log")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_adddup2(&actions, socket, 3)
        let argv = ["/bin/sh", "-c", "LISTEN_PID=$$ exec \"$0\" \"$@\"", executable] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LISTEN_FDS"] = "1"
        environment["LISTEN_PID"] = nil
        let envp = environment.map { "\($0.key)=\($0.value)" }
        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnvp = envp.map { strdup($0) } + [nil]
        defer {
            for pointer in cArgv + cEnvp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/sh", &actions, nil, cArgv, cEnvp)
        guard result == 0 else { throw PeerError("posix_spawn failed: \(result)") }
        self.pid = pid
        self.logPath = logPath
    }

    /// Whether the program still runs (reaps it once it has ended).
    var isRunning: Bool {
        self.exitStatus.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            guard waitpid(self.pid, &raw, WNOHANG) == self.pid else { return true }
            status = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
            return false
        }
    }

    /// What it printed so far.
    var log: String { (try? String(contentsOfFile: self.logPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM, waits up to ten seconds (then SIGKILL), and returns the exit status.
    func stop() async -> Int32 {
        if self.isRunning { kill(self.pid, SIGTERM) }
        let deadline = ContinuousClock.now + .seconds(10)
        while self.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if self.isRunning {
            kill(self.pid, SIGKILL)
            while self.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
        return self.exitStatus.withLock { $0 } ?? -1
    }
}
