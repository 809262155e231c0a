import Foundation
import Synchronization
import Testing

/// Abuse and careless clients against the built binary: descriptor exhaustion, idle connections, bombs that
/// take long to decode, and HTTP/1 details clients rely on.
@Suite(.interop, .serialized)
struct HardeningTests {
    // MARK: Descriptors and idle connections

    @Test func keepsDescriptorsInReserveWhenClientsHoldMoreConnectionsThanItMayOpen() async throws {
        let file = try TemporaryDirectory.shared.file(named: "descriptors-\(UUID().uuidString).bin")
        let gateway = try await RunningGateway.startOurs(
            flags: ["--persistence.file=\(file)", "--persistence.interval=1s"],
            nofile: 1024
        )
        do {
            // A connection the gateway surely accepted, before the others arrive.
            let keeper = try RawConnection(port: gateway.port, timeout: .seconds(10))
            try keeper.send("GET /-/healthy HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(keeper.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 200"))

            // More connections than the gateway may open descriptors. The old binary accepted until none was
            // left (1,024 of 1,024); then it could not open its persistence file, and libdispatch's
            // once-a-second worker monitor, which opens /proc/<tid>/stat, killed it with SIGILL in some runs.
            let held = try await holdIdleConnections(port: gateway.port, count: 1200)
            try await Task.sleep(for: .seconds(2))
            let open = openDescriptorCount(pid: gateway.process.pid)
            #expect(open <= 1024 - 64, "the gateway holds \(open) of its 1,024 descriptors")

            // It still serves the connections it holds, and still saves what they push.
            let body = "held_metric 1\n"
            try keeper.send("PUT /metrics/job/held HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            #expect(keeper.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 200"))
            var persisted = false
            for _ in 0..<50 where !persisted {
                try await Task.sleep(for: .milliseconds(100))
                let bytes = FileManager.default.contents(atPath: file).map(Array.init) ?? []
                persisted = String(decoding: bytes, as: UTF8.self).contains("held_metric")
            }
            #expect(persisted, "the push was not persisted while the connections were held:\n\(gateway.process.log)")

            await held.stop()
            try await Task.sleep(for: .milliseconds(500))
            #expect(gateway.process.isRunning, "the gateway died:\n\(gateway.process.log)")
            let health = try await eventually { try await send("GET", "/-/healthy", port: gateway.port) }
            #expect(health.status == 200)
        } catch {
            await gateway.stop()
            throw error
        }
        await gateway.stop()
    }

    @Test func survivesRepeatedConnectionStorms() async throws {
        let gateway = try await RunningGateway.startOurs(nofile: 1024)
        do {
            for round in 0..<3 {
                let holder = try await holdIdleConnections(port: gateway.port, count: 1200)
                // Held for more than one tick of libdispatch's worker monitor.
                try await Task.sleep(for: .seconds(2))
                await holder.stop()
                try await Task.sleep(for: .milliseconds(500))
                #expect(gateway.process.isRunning, "round \(round): the gateway died:\n\(gateway.process.log)")
                let health = try await eventually { try await send("GET", "/-/healthy", port: gateway.port) }
                #expect(health.status == 200)
                let push = try await send("PUT", "/metrics/job/fd/round/\(round)", port: gateway.port, text: "fd_metric 1\n")
                #expect(push.status == 200)
            }
        } catch {
            await gateway.stop()
            throw error
        }
        #expect(gateway.process.isRunning, "the gateway died:\n\(gateway.process.log)")
        await gateway.stop()
    }

    @Test func closesConnectionsThatSendNothing() async throws {
        try await withGateway(.ours, flags: ["--web.read-header-timeout=1s", "--web.idle-timeout=2s"]) { gateway in
            // A new connection that never sends a request.
            let silent = try RawConnection(port: gateway.port, timeout: .seconds(10))
            let start = ContinuousClock.now
            #expect(silent.readUntilClosed().closed)
            #expect(ContinuousClock.now - start < .seconds(5))

            // A keep-alive connection after one answer.
            let idle = try RawConnection(port: gateway.port, timeout: .seconds(10))
            try idle.send("GET /-/healthy HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let answer = idle.readUntilClosed()
            #expect(answer.closed)
            #expect(String(decoding: answer.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200"))

            // A head that never ends.
            let slowHead = try RawConnection(port: gateway.port, timeout: .seconds(10))
            try slowHead.send("GET /-/healthy HTTP/1.1\r\nHost: localhost\r\n")
            #expect(slowHead.readUntilClosed().closed)
        }
    }

    @Test func closesConnectionsWhoseBodyStallsButNotSlowUploads() async throws {
        try await withGateway(.ours, flags: ["--web.read-body-timeout=1s"]) { gateway in
            let stalled = try RawConnection(port: gateway.port, timeout: .seconds(10))
            try stalled.send("PUT /metrics/job/stall HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nstall 1\n")
            let start = ContinuousClock.now
            #expect(stalled.readUntilClosed().closed)
            #expect(ContinuousClock.now - start < .seconds(5))

            // Three seconds of upload in pieces every 400 ms: longer than the timeout, never paused as long.
            let slow = try RawConnection(port: gateway.port, timeout: .seconds(10))
            let lines = (0..<8).map { "slow_metric{i=\"\($0)\"} 1\n" }
            let body = lines.joined()
            try slow.send("PUT /metrics/job/slow HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            for line in lines {
                try await Task.sleep(for: .milliseconds(400))
                try slow.send(line)
            }
            #expect(slow.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 200"))
        }
    }

    /// On ports it binds and on a socket systemd passed (`--web.systemd-socket`) alike.
    @Test(arguments: [false, true])
    func connectionsAboveTheLimitWaitForOneToClose(systemdSocket: Bool) async throws {
        guard systemdSocket else {
            try await withGateway(.ours, flags: ["--web.max-connections=2"]) { gateway in
                try await Self.expectConnectionLimitOfTwo(port: gateway.port)
            }
            return
        }
        let listener = try ListeningSocket()
        let child = try SocketActivatedProcess(
            Peers.ourGateway,
            ["--web.systemd-socket", "--web.max-connections=2", "--persistence.file="],
            socket: listener.descriptor
        )
        listener.close()
        do {
            let deadline = ContinuousClock.now + .seconds(30)
            while try await send("GET", "/-/ready", port: listener.port).status != 200 {
                guard child.isRunning, ContinuousClock.now < deadline else { throw PeerError("not ready:\n\(child.log)") }
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Self.expectConnectionLimitOfTwo(port: listener.port)
        } catch {
            _ = await child.stop()
            throw error
        }
        _ = await child.stop()
    }

    /// Two connections are served, a third waits until one of them closes.
    private static func expectConnectionLimitOfTwo(port: Int) async throws {
        // The readiness probe's connection may still be closing; give it a moment.
        try await Task.sleep(for: .milliseconds(300))
        // One at a time, each served before the next arrives: NIO accepts a burst of waiting connections
        // in one go before the limit is checked again (a few over the limit; the descriptor reserve covers
        // that).
        var held: [RawConnection] = []
        for _ in 0..<2 {
            let connection = try RawConnection(port: port)
            try connection.send("GET /-/healthy HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(connection.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 200"))
            held.append(connection)
        }
        let waiting = try RawConnection(port: port, timeout: .seconds(1))
        try waiting.send("GET /-/healthy HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(waiting.read(until: "\r\n\r\n").isEmpty, "a third connection was served")
        held.removeLast()
        let answer = try await eventually { () throws -> String in
            let text = waiting.read(until: "\r\n\r\n")
            guard !text.isEmpty else { throw PeerError("not answered yet") }
            return text
        }
        #expect(answer.hasPrefix("HTTP/1.1 200"))
        _ = held
    }

    // MARK: HTTP/1 as clients expect it

    @Test(arguments: [RunningGateway.Kind.ours, .go])
    func http10ConnectionIsClosedAfterTheAnswer(_ kind: RunningGateway.Kind) async throws {
        try await withGateway(kind) { gateway in
            _ = try await send("PUT", "/metrics/job/old", port: gateway.port, text: "old_metric 1\n")
            for path in ["/-/healthy", "/metrics"] {
                let connection = try RawConnection(port: gateway.port, timeout: .seconds(5))
                try connection.send("GET \(path) HTTP/1.0\r\n\r\n")
                let answer = connection.readUntilClosed()
                let text = String(decoding: answer.bytes, as: UTF8.self)
                #expect(answer.closed, "\(path): connection left open")
                #expect(text.hasPrefix("HTTP/1.0 200"), "\(path): \(text.prefix(200))")
                #expect(!text.lowercased().contains("transfer-encoding: chunked"))
                if path == "/metrics" {
                    #expect(text.contains("old_metric{instance=\"\",job=\"old\"} 1"))
                }
            }
        }
    }

    @Test(arguments: [RunningGateway.Kind.ours, .go])
    func expectContinueIsAnswered(_ kind: RunningGateway.Kind) async throws {
        try await withGateway(kind) { gateway in
            let body = "expect_metric 1\n"
            let connection = try RawConnection(port: gateway.port, timeout: .milliseconds(800))
            try connection.send(
                "PUT /metrics/job/expect HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
            )
            #expect(connection.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 100 Continue\r\n"))
            try connection.send(body)
            #expect(connection.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 200"))
        }
    }

    // Ours only: Debian's Go gateway (1.5.1) answers this one 200, its text parser apparently taking the read
    // error for the end of the body.
    @Test func malformedChunkedBodyIsABadRequest() async throws {
        try await withGateway(.ours) { gateway in
            let connection = try RawConnection(port: gateway.port, timeout: .seconds(5))
            try connection.send(
                "PUT /metrics/job/chunked HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nchunked 1\n\r\n0\r\n\r\n"
            )
            let text = String(decoding: connection.readUntilClosed().bytes, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 400"), "\(text.prefix(200))")
        }
    }

    @Test(arguments: [RunningGateway.Kind.ours, .go])
    func requestWithoutHostIsABadRequest(_ kind: RunningGateway.Kind) async throws {
        try await withGateway(kind) { gateway in
            let connection = try RawConnection(port: gateway.port, timeout: .seconds(5))
            try connection.send("GET /-/healthy HTTP/1.1\r\n\r\n")
            let answer = connection.readUntilClosed()
            let text = String(decoding: answer.bytes, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 400"), "\(text.prefix(200))")
            #expect(text.hasSuffix("400 Bad Request: missing required Host header"))
            #expect(answer.closed)
        }
    }

    // MARK: Heavy pushes never stall health checks

    @Test func healthIsAnsweredWhileASnappyBombDecodes() async throws {
        try await withGateway(.ours) { gateway in
            let bomb = snappyBomb(chunks: 1024)  // 64 MiB of zeros in about 3 MB
            let (status, worst) = try await whileProbingHealth(port: gateway.port) {
                try rawPut("/metrics/job/bomb", port: gateway.port, headers: ["Content-Encoding: snappy"], body: bomb)
            }
            #expect(status == 400)
            #expect(worst < .seconds(1), "/-/healthy took \(worst) during the bomb")
        }
    }

    @Test func healthIsAnsweredWhileALargePushIsProcessed() async throws {
        try await withGateway(.ours) { gateway in
            var body = "# TYPE large_metric gauge\n"
            for index in 0..<200_000 {
                body += "large_metric{series=\"\(index)\",instance_name=\"host-\(index % 1000)\"} \(index)\n"
            }
            let bytes = Array(body.utf8)
            let (status, worst) = try await whileProbingHealth(port: gateway.port) {
                try rawPut("/metrics/job/large", port: gateway.port, body: bytes)
            }
            #expect(status == 200)
            #expect(worst < .seconds(1), "/-/healthy took \(worst) during the push")
        }
    }

    @Test func healthIsAnsweredWhileALabelBombIsPushed() async throws {
        try await withGateway(.ours) { gateway in
            let labels = (0..<100_000).map { "l\($0)=\"v\"" }.joined(separator: ",")
            let body = Array("label_bomb{\(labels)} 1\n".utf8)
            let (status, worst) = try await whileProbingHealth(port: gateway.port) {
                try rawPut("/metrics/job/labels", port: gateway.port, body: body)
            }
            #expect(worst < .seconds(1), "/-/healthy took \(worst) during the push")
            // PushLimits: at most 1,024 labels per series.
            #expect(status == 400)
        }
    }
}

/// A framed snappy stream of `chunks` compressed chunks, each decoding to 64 KiB of zeros.
private func snappyBomb(chunks: Int) -> [UInt8] {
    // One literal zero, then copies of 64 bytes (and one of 63) at distance 1: 65,536 bytes.
    var block: [UInt8] = [0x80, 0x80, 0x04, 0x00, 0x00]
    for _ in 0..<1023 {
        block += [(64 - 1) << 2 | 2, 1, 0]
    }
    block += [(63 - 1) << 2 | 2, 1, 0]
    let checksum = crc32c([UInt8](repeating: 0, count: 65_536))
    let masked = ((checksum >> 15) | (checksum << 17)) &+ 0xA282_EAD8
    let length = block.count + 4
    let chunk: [UInt8] =
        [0x00, UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16)]
        + (0..<4).map { UInt8(truncatingIfNeeded: masked >> (8 * $0)) } + block
    var stream: [UInt8] = [0xFF, 0x06, 0x00, 0x00] + Array("sNaPpY".utf8)
    stream.reserveCapacity(stream.count + chunks * chunk.count)
    for _ in 0..<chunks {
        stream += chunk
    }
    return stream
}

/// A PUT on a raw connection that waits up to five minutes for the answer (a debug build parses a 200k-series
/// push in about a minute on a busy machine); returns its status.
private func rawPut(_ path: String, port: Int, headers: [String] = [], body: [UInt8]) throws -> Int {
    let connection = try RawConnection(port: port, timeout: .seconds(300))
    var head = "PUT \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(body.count)\r\n"
    for header in headers {
        head += header + "\r\n"
    }
    try connection.send(head + "\r\n")
    try connection.send(body)
    let answer = connection.read(until: "\r\n\r\n")
    guard answer.hasPrefix("HTTP/1.1 "), let status = Int(answer.dropFirst(9).prefix(3)) else {
        throw PeerError("no answer: \(answer.prefix(200))")
    }
    return status
}

/// Runs `work` on another thread while probing `/-/healthy` every 100 ms (at least once); returns its result
/// and the slowest health answer.
private func whileProbingHealth<T: Sendable>(
    port: Int,
    _ work: @escaping @Sendable () throws -> T
) async throws -> (T, Duration) {
    let done = Atomic(false)
    let task = Task.detached {
        defer { done.store(true, ordering: .sequentiallyConsistent) }
        return try work()
    }
    // Let the upload start first.
    try await Task.sleep(for: .milliseconds(200))
    var worst = Duration.zero
    // At least one probe, also when the work is refused before the first one (a label bomb is refused in a
    // fraction of a second).
    repeat {
        let start = ContinuousClock.now
        let health = try await send("GET", "/-/healthy", port: port)
        let elapsed = ContinuousClock.now - start
        #expect(health.status == 200)
        worst = max(worst, elapsed)
        try await Task.sleep(for: .milliseconds(100))
    } while !done.load(ordering: .sequentiallyConsistent)
    let value = try await task.value
    return (value, worst)
}

/// Retries `body` for up to ten seconds until it succeeds.
private func eventually<T>(_ body: () async throws -> T) async throws -> T {
    let deadline = ContinuousClock.now + .seconds(10)
    while true {
        do {
            return try await body()
        } catch {
            if ContinuousClock.now > deadline { throw error }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
