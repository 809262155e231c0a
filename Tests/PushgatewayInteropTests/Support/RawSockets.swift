import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking TCP connection to a loopback port, for requests no HTTP client library would send as written
/// (no `Host`, HTTP/1.0, broken chunked framing) and for watching when the server closes.
final class RawConnection {
    private let descriptor: Int32

    /// Connects to `127.0.0.1:port`; reads give up after `timeout`.
    init(port: Int, timeout: Duration = .seconds(10)) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw PeerError("socket() failed: errno \(errno)") }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(descriptor)
            throw PeerError("connect() to port \(port) failed: errno \(errno)")
        }
        let seconds = timeout.components.seconds
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        self.descriptor = descriptor
    }

    deinit {
        close(self.descriptor)
    }

    /// Sends all of `bytes`.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(self.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw PeerError("send() failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Sends `text` as UTF-8.
    func send(_ text: String) throws {
        try self.send(Array(text.utf8))
    }

    /// Reads until the server closes the connection (or the read timeout passes); returns what arrived and
    /// whether the server closed.
    func readUntilClosed() -> (bytes: [UInt8], closed: Bool) {
        var received: [UInt8] = []
        while true {
            let chunk = self.readSome()
            switch chunk {
            case .some(let bytes) where bytes.isEmpty:
                return (received, true)
            case .some(let bytes):
                received += bytes
            case .none:
                return (received, false)
            }
        }
    }

    /// Reads until `received` contains `marker` (or the connection closes or times out).
    func read(until marker: String) -> String {
        var received: [UInt8] = []
        let needle = Array(marker.utf8)
        while !contains(received, needle) {
            guard let bytes = self.readSome(), !bytes.isEmpty else { break }
            received += bytes
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// One `recv`: the bytes, empty at end of stream, nil on timeout or error.
    private func readSome() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(self.descriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { return nil }
        return Array(buffer[..<count])
    }
}

/// Opens `count` idle connections to `127.0.0.1:port` from a child process (`Tests/Peers/hold_connections.py`,
/// paced so the server gets to accept them) and returns once they are all open; they stay open until the child
/// is stopped. A child, because Foundation's `Process.run()` crashes (a bad pointer in its memcpy) when this
/// process holds descriptors above 1024 while another suite starts a program.
func holdIdleConnections(port: Int, count: Int) async throws -> ChildProcess {
    let holder = try ChildProcess(Peers.python, [Peers.peerFile("hold_connections.py"), "\(port)", "\(count)", "600"])
    let deadline = ContinuousClock.now + .seconds(60)
    while !holder.log.contains("held") {
        guard holder.isRunning, ContinuousClock.now < deadline else {
            await holder.stop()
            throw PeerError("hold_connections.py did not open its connections:\n\(holder.log)")
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    return holder
}

/// How many descriptors process `pid` has open (the entries of `/proc/<pid>/fd`).
func openDescriptorCount(pid: Int32) -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
}

private func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return address
}

private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= haystack.count else { return false }
    return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
}

extension RunningGateway {
    /// Starts our gateway under `prlimit --nofile=<nofile>` (util-linux), so it runs out of descriptors early.
    static func startOurs(flags: [String] = [], nofile: Int) async throws -> RunningGateway {
        let port = try freePort()
        let arguments =
            ["--nofile=\(nofile):\(nofile)", "--", Peers.ourGateway, "--web.listen-address=127.0.0.1:\(port)", "--persistence.file="]
            + flags
        return try await Self.ready(.ours, port: port, process: try ChildProcess("prlimit", arguments))
    }
}
