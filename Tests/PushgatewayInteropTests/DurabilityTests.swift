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
}
