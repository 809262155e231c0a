import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Durability of `--persistence.file` (issue 11), judged from outside: flags, HTTP answers, and the persistence
/// directory as opaque files. A write answered 2xx must survive `kill -9`; a write the disk cannot take is
/// answered 503 and leaves no trace.
@Suite(.interop, .serialized)
struct DurabilityTests {
    // MARK: Crash harness

    /// Writers the harness runs at once.
    static let pushers = 4
    /// Groups each writer owns (PUT and DELETE).
    static let groupsPerPusher = 6

    /// Concurrent PUTs, POSTs and DELETEs, `SIGKILL` at a random moment, a restart on the same file, and a check
    /// that every acknowledged write is there and no PUT half-applied; `DURABILITY_CYCLES` kills (default 20),
    /// choices from `DURABILITY_SEED` (printed; random by default).
    @Test func acknowledgedWritesSurviveKillNineAtRandomMoments() async throws {
        let environment = ProcessInfo.processInfo.environment
        let cycles = environment["DURABILITY_CYCLES"].flatMap { Int($0) }.map { max(1, $0) } ?? 20
        let seed = environment["DURABILITY_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64(UInt32.max))
        Self.say("crash harness: seed \(seed) (DURABILITY_SEED=\(seed) repeats the choices), \(cycles) cycles, \(Self.pushers) pushers")
        var random = SeededGenerator(seed: seed)
        let directory = try TemporaryDirectory.shared.file(named: "crash-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // The default --persistence.interval (5m): only a write-ahead log can save what is pushed in a cycle.
        let flags = ["--persistence.file=\(directory)/pg.db"]

        var ledger = DurabilityLedger()
        var next = Array(repeating: 0, count: Self.pushers)
        var totals = (acknowledged: 0, checked: 0, inFlight: 0, applied: 0, lost: 0, halfApplied: 0, unexplained: 0)
        for cycle in 0...cycles {
            let gateway = try await RunningGateway.start(.ours, flags: flags)
            do {
                if cycle > 0 {
                    let observation = DurabilityObservation(try await gateway.apiGroups(), pushers: Self.pushers)
                    let outcome = ledger.check(observation.values)
                    totals.checked += outcome.checked
                    totals.applied += outcome.unacknowledgedApplied
                    totals.lost += outcome.lost.count
                    totals.halfApplied += observation.halfApplied.count
                    totals.unexplained += outcome.unexplained.count + observation.strangers.count
                    Self.say(
                        "  restart \(cycle): \(outcome.checked) acknowledged writes checked, lost: \(outcome.lost.count), "
                            + "half-applied: \(observation.halfApplied.count), unacknowledged found applied: \(outcome.unacknowledgedApplied)"
                    )
                    let problems =
                        outcome.lost.map { "lost: \($0)" } + observation.halfApplied.map { "half-applied PUT: \($0)" }
                        + outcome.unexplained.map { "unexplained: \($0)" } + observation.strangers.map { "unexplained: \($0)" }
                    if !problems.isEmpty {
                        let shown = problems.prefix(5).joined(separator: "\n  ")
                        Issue.record(
                            "after kill \(cycle) (seed \(seed)): \(problems.count) problems, the first:\n  \(shown)\ngateway log: \(gateway.process.logPath)"
                        )
                    }
                }
                guard cycle < cycles else {
                    await gateway.stop()
                    break
                }
                let delay = Duration.milliseconds(300 + Int(random.next(upperBound: UInt64(1201))))
                let seeds = (0..<Self.pushers).map { _ in random.next() }
                let killer = Task {
                    try? await Task.sleep(for: delay)
                    await gateway.process.stop(signal: SIGKILL)
                }
                let first = next
                let results = await withTaskGroup(of: (Int, [SentWrite]).self) { group in
                    for pusher in 0..<Self.pushers {
                        group.addTask {
                            (pusher, await Self.push(as: pusher, to: gateway.port, from: first[pusher], seed: seeds[pusher]))
                        }
                    }
                    return await group.reduce(into: [(Int, [SentWrite])]()) { $0.append($1) }
                }
                await killer.value
                var acknowledged = 0
                var inFlight = 0
                var refused: [String] = []
                for (pusher, writes) in results {
                    ledger.record(writes)
                    acknowledged += writes.count(where: \.acknowledged)
                    inFlight += writes.count(where: { !$0.acknowledged })
                    next[pusher] += writes.count
                    refused += writes.dropLast().filter { !$0.acknowledged }.map { "\($0.key): \($0.description)" }
                }
                totals.acknowledged += acknowledged
                totals.inFlight += inFlight
                Self.say("  kill \(cycle + 1) after \(delay): \(acknowledged) writes acknowledged, \(inFlight) not")
                // A pusher stops at its first failed request; a write answered but refused is no crash artefact.
                #expect(refused.isEmpty, "writes refused before the kill: \(refused.prefix(5))\n\(gateway.process.log.suffix(2000))")
            } catch {
                await gateway.process.stop(signal: SIGKILL)
                throw error
            }
        }
        Self.say(
            "crash harness: seed \(seed), \(cycles) cycles, \(totals.acknowledged) writes acknowledged, "
                + "\(totals.checked) acknowledged writes checked, lost: \(totals.lost), half-applied: \(totals.halfApplied), "
                + "unexplained: \(totals.unexplained), in flight at the kills: \(totals.inFlight) (found applied: \(totals.applied))"
        )
        #expect(totals.lost == 0 && totals.halfApplied == 0 && totals.unexplained == 0, "seed \(seed)")
        #expect(totals.checked > 0, "no acknowledged write was ever checked")
    }

    /// One pusher until its first failed request (the kill): PUTs of three families with the same `n` to its own
    /// groups, POSTs of its own family to the shared group, and now and then a DELETE of one of its groups; `n`
    /// counts up from `first + 1`. Returns every write sent, in order.
    static func push(as pusher: Int, to port: Int, from first: Int, seed: UInt64) async -> [SentWrite] {
        var random = SeededGenerator(seed: seed)
        var writes: [SentWrite] = []
        var n = first
        // Bounded in case the kill never comes.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            n += 1
            let roll = random.next(upperBound: UInt64(100))
            let slot = Int(random.next(upperBound: UInt64(Self.groupsPerPusher)))
            let write: SentWrite
            let path: String
            let body: String?
            if roll < 70 {
                write = SentWrite(
                    key: DurabilityKey(pusher: pusher, place: .group(slot)),
                    method: "PUT",
                    result: .value(n),
                    acknowledged: false
                )
                path = "/metrics/job/durability/pusher/p\(pusher)/slot/\(slot)"
                body = DurabilityObservation.groupFamilies.map { "\($0) \(n)\n" }.joined()
            } else if roll < 90 {
                write = SentWrite(
                    key: DurabilityKey(pusher: pusher, place: .shared),
                    method: "POST",
                    result: .value(n),
                    acknowledged: false
                )
                path = "/metrics/job/durability/group/shared"
                body = "durability_shared_p\(pusher) \(n)\n"
            } else {
                write = SentWrite(
                    key: DurabilityKey(pusher: pusher, place: .group(slot)),
                    method: "DELETE",
                    result: .absent,
                    acknowledged: false
                )
                path = "/metrics/job/durability/pusher/p\(pusher)/slot/\(slot)"
                body = nil
            }
            do {
                let answer = try await send(write.method, path, port: port, body: body.map { Array($0.utf8) })
                writes.append(
                    SentWrite(key: write.key, method: write.method, result: write.result, acknowledged: (200..<300).contains(answer.status))
                )
            } catch {
                writes.append(write)
                break
            }
        }
        return writes
    }

    /// Writes a progress line to standard output at once (print buffers when the output is no terminal, and Swift
    /// Testing's own lines would overtake it).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    // MARK: Disk full

    /// Rotating groups the disk-full test pushes to.
    static let diskSlots = 8

    /// A full disk: a push is answered 503 with the reason, the store keeps the old value, `/-/ready` fails while
    /// `/-/healthy` answers; with space again pushes succeed and the gateway is ready; after `kill -9` every push
    /// answered 2xx is there and none answered 503.
    @Test func fullDiskAnswers503KeepsTheStoreAndRecoversWhenSpaceReturns() async throws {
        let megabytes = 16
        try await withTinyFileSystem(megabytes: megabytes) { directory in
            let flags = ["--persistence.file=\(directory)/pg.db"]
            // About 52 kB a push, in 20 series with long label values: whatever a log stores of it is about as large
            // as the body, and a debug build parses it in tens of milliseconds.
            let padding = String(repeating: "x", count: 2600)
            func body(_ k: Int) -> [UInt8] {
                Array((0..<20).map { "disk_fill{series=\"\($0)\",padding=\"\(padding)\"} \(k)\n" }.joined().utf8)
            }
            var acknowledged: [Int: Int] = [:]
            var refused: [Int: Set<Int>] = [:]
            var k = 0
            // Returns the answer; records the push as acknowledged (2xx) or refused (anything else).
            func push(_ gateway: RunningGateway) async throws -> HTTPAnswer {
                k += 1
                let slot = k % Self.diskSlots
                let answer = try await send("PUT", "/metrics/job/diskfull/slot/\(slot)", port: gateway.port, body: body(k))
                if (200..<300).contains(answer.status) {
                    acknowledged[slot] = k
                } else {
                    refused[slot, default: []].insert(k)
                }
                return answer
            }

            var gateway = try await RunningGateway.start(.ours, flags: flags)
            do {
                #expect(try await push(gateway).status == 200)
                let filler = "\(directory)/filler"
                let filled = try fillFileSystem(with: filler)

                // Push until the first refusal: at most 1.25 times the file system's size, so even space the log
                // took in advance (preallocated) is used up.
                var refusal: HTTPAnswer?
                var pushedBytes = 0
                var acceptedOnFullDisk = 0
                while refusal == nil && pushedBytes < (megabytes << 20) * 5 / 4 {
                    let answer = try await push(gateway)
                    pushedBytes += body(k).count
                    if answer.status == 503 {
                        refusal = answer
                    } else if (200..<300).contains(answer.status) {
                        acceptedOnFullDisk += 1
                    } else {
                        Issue.record("a push on a full disk answered \(answer.status), not 503: \(answer.text)")
                        break
                    }
                }
                Self.say(
                    "disk full: \(filled) bytes of filler; \(acceptedOnFullDisk) pushes (about \(pushedBytes >> 10) KiB) acknowledged after it, "
                        + "then \(refusal.map { "\($0.status) \"\($0.text.trimmingCharacters(in: .whitespacesAndNewlines))\"" } ?? "never refused")"
                )
                if let refusal {
                    #expect(
                        !refusal.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                        "the 503 gives no reason"
                    )
                    // The store did not take the refused push: its group shows the last acknowledged value.
                    let slot = k % Self.diskSlots
                    #expect(
                        try await Self.diskValue(slot, in: gateway) == acknowledged[slot],
                        "the refused push (n=\(k)) changed the store"
                    )
                    let ready = try await send("GET", "/-/ready", port: gateway.port)
                    #expect(ready.status != 200, "/-/ready answers 200 while the disk refuses writes")
                    #expect(try await send("GET", "/-/healthy", port: gateway.port).status == 200)
                    // Still refused while the disk stays full.
                    #expect(try await push(gateway).status == 503)
                } else {
                    Issue.record(
                        "never answered 503: \(acceptedOnFullDisk) pushes acknowledged on a full \(megabytes) MiB file system"
                    )
                }

                // Space returns: pushes succeed again within seconds, and the gateway is ready.
                try FileManager.default.removeItem(atPath: filler)
                var recovered = false
                let deadline = ContinuousClock.now + .seconds(10)
                while !recovered && ContinuousClock.now < deadline {
                    recovered = (200..<300).contains(try await push(gateway).status)
                    if !recovered { try await Task.sleep(for: .milliseconds(200)) }
                }
                #expect(recovered, "pushes still refused 10 s after the disk had space again")
                var ready = false
                while !ready && ContinuousClock.now < deadline + .seconds(10) {
                    ready = try await send("GET", "/-/ready", port: gateway.port).status == 200
                    if !ready { try await Task.sleep(for: .milliseconds(200)) }
                }
                #expect(ready, "/-/ready is not 200 10 s after the disk had space again")
                #expect(try await push(gateway).status == 200)
                #expect(try await send("GET", "/-/healthy", port: gateway.port).status == 200)

                // kill -9: everything answered 2xx survives, nothing answered 503 appears.
                await gateway.process.stop(signal: SIGKILL)
                gateway = try await RunningGateway.start(.ours, flags: flags)
                var problems: [String] = []
                for slot in 0..<Self.diskSlots {
                    let found = try await Self.diskValue(slot, in: gateway)
                    if let found, refused[slot]?.contains(found) == true {
                        problems.append("slot \(slot): the refused push n=\(found) is there")
                    } else if found != acknowledged[slot] {
                        problems.append(
                            "slot \(slot): acknowledged n=\(acknowledged[slot].map(String.init) ?? "none") lost, found \(found.map(String.init) ?? "nothing")"
                        )
                    }
                }
                Self.say(
                    "disk full, after kill -9 and a restart: \(acknowledged.count) groups checked, "
                        + "\(acknowledged.values.count) acknowledged values, lost or wrong: \(problems.count)"
                )
                #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            } catch {
                await gateway.process.stop(signal: SIGKILL)
                throw error
            }
            await gateway.stop()
        }
    }

    /// The value of `disk_fill` in the disk-full test's group `slot` (nil: no such group), requiring every series
    /// of the group to carry it.
    static func diskValue(_ slot: Int, in gateway: RunningGateway) async throws -> Int? {
        guard let group = try await gateway.apiGroup(["job": "diskfull", "slot": "\(slot)"]) else { return nil }
        let values = Set((group["disk_fill"]?["metrics"]?.elements ?? []).compactMap { $0["value"]?.string })
        guard values.count == 1, let value = values.first.flatMap(Double.init).flatMap(Int.init(exactly:)) else {
            throw PeerError("group slot/\(slot) is half-written: values \(values.sorted().prefix(5))")
        }
        return value
    }

    // MARK: --persistence.sync

    @Test(arguments: ["always", "interval"])
    func persistenceSyncAcceptsAlwaysAndInterval(_ mode: String) async throws {
        let file = try TemporaryDirectory.shared.file(named: "sync-\(mode)-\(UUID().uuidString.prefix(8)).db")
        try await withGateway(.ours, flags: ["--persistence.file=\(file)", "--persistence.sync=\(mode)"]) { gateway in
            #expect(try await send("PUT", "/metrics/job/sync", port: gateway.port, text: "sync_mode 1\n").status == 200)
            let status = try JSON(parsing: try await send("GET", "/api/v1/status", port: gateway.port).body)
            #expect(status["data"]?["flags"]?["persistence.sync"] == .string(mode))
        }
    }

    @Test func persistenceSyncDefaultsToAlwaysAndIsDocumented() async throws {
        try await withGateway(.ours) { gateway in
            let status = try JSON(parsing: try await send("GET", "/api/v1/status", port: gateway.port).body)
            #expect(status["data"]?["flags"]?["persistence.sync"] == .string("always"))
        }
        let help = try await ChildProcess.run(Peers.ourGateway, ["--help-long"])
        #expect(help.status == 0)
        let listed = help.output.contains("--persistence.sync")
        #expect(listed, "--help-long does not list --persistence.sync")
    }

    @Test(arguments: ["sometimes", "ALWAYS", ""])
    func persistenceSyncRejectsOtherModesAsAUsageError(_ mode: String) async throws {
        let (status, output) = try await ChildProcess.run(Peers.ourGateway, ["--persistence.sync=\(mode)", "--persistence.file="])
        #expect(status == 1)
        #expect(output.hasPrefix("pushgateway: error: ") && output.hasSuffix(", try --help\n"), "\(output)")
        #expect(output.split(separator: "\n").count == 1, "\(output)")
        // The allowed modes, however the parser words it.
        #expect(output.contains("always") && output.contains("interval"), "\(output)")
    }
}
