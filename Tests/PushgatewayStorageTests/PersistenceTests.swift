import Logging
import PushgatewayCore
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import Testing

@testable import PushgatewayStorage

#if canImport(Glibc)
    import Glibc
#endif

private func temporaryPath(_ name: String) -> String {
    "/tmp/pushgateway-persistence-\(getpid())-\(name)"
}

private func readBytes(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { return [] }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var byte = fgetc(file)
    while byte != EOF {
        bytes.append(UInt8(byte))
        byte = fgetc(file)
    }
    return bytes
}

private func populatedStore() throws -> MetricStore {
    let store = MetricStore(now: { Timestamp(seconds: 1_700_000_000, nanos: 123_456_789) })
    let text = "# HELP a Help.\n# TYPE a counter\na{x=\"Προμηθεύς\"} 1\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"
    try store.push(
        PushRequest(
            key: GroupingKey([LabelPair(name: "job", value: "one")]),
            families: TextFormatParser().parse(Array(text.utf8)),
            replace: true
        )
    )
    let native = MetricFamily(
        name: "n",
        type: .histogram,
        unit: "seconds",
        metrics: [
            Metric(
                value: .histogram(
                    Histogram(
                        sampleCount: 1,
                        sampleSum: 2,
                        schema: 0,
                        zeroThreshold: 0,
                        positiveSpans: [BucketSpan(offset: 0, length: 1)],
                        positiveDeltas: [1]
                    )
                )
            )
        ]
    )
    try store.push(
        PushRequest(
            key: GroupingKey([LabelPair(name: "job", value: "two"), LabelPair(name: "path", value: "/a b")]),
            families: [native],
            replace: true
        )
    )
    return store
}

struct PersistenceTests {
    @Test func theStoresOwnImageDecodesToItsSnapshot() throws {
        // Persistence writes messages assembled from the cached encodings, not re-encoded models: the file
        // must still hold exactly what a snapshot shows, unknown fields included.
        let store = try populatedStore()
        let unknown = MetricFamily(
            name: "u",
            type: .gauge,
            metrics: [Metric(value: .gauge(1), unknownFields: UnknownFields([.init(number: 98, wireType: 0, payload: [7])]))],
            unknownFields: UnknownFields([.init(number: 99, wireType: 2, payload: [2, 0x61, 0x62])])
        )
        try store.push(PushRequest(key: GroupingKey([LabelPair(name: "job", value: "three")]), families: [unknown], replace: true))
        let decoded = try PersistenceFile.decode(store.persistenceImage())
        #expect(decoded == store.snapshot())
        #expect(decoded.flatMap(\.families).first { $0.family.name == "u" }?.family.unknownFields == unknown.unknownFields)
    }

    @Test func roundTripsEveryGroupFamilyAndTime() throws {
        let groups = try populatedStore().snapshot()
        #expect(try PersistenceFile.decode(PersistenceFile.encode(groups)) == groups)
        #expect(try PersistenceFile.decode(PersistenceFile.encode([])) == [])
    }

    @Test func everyTruncationIsReportedNeverPartial() throws {
        let bytes = PersistenceFile.encode(try populatedStore().snapshot())
        for length in 0..<bytes.count {
            #expect(throws: PersistenceError.self) { try PersistenceFile.decode(Array(bytes[..<length])) }
        }
    }

    @Test func rejectsForeignFilesAndNewerVersions() throws {
        let foreign = try #require(throws: PersistenceError.self) { try PersistenceFile.decode(Array("not ours at all".utf8)) }
        #expect(foreign.code == .notAPersistenceFile)
        var newer = PersistenceFile.encode([])
        newer[8] = 9
        #expect(try #require(throws: PersistenceError.self) { try PersistenceFile.decode(newer) }.code == .unsupportedVersion)
    }

    @Test func rejectsACorruptFamily() throws {
        var bytes = PersistenceFile.encode(try populatedStore().snapshot())
        // Flip a byte inside the first family message (after magic, version, record length and labels).
        bytes[40] ^= 0xFF
        #expect(throws: PersistenceError.self) { try PersistenceFile.decode(bytes) }
    }

    @Test func restoresFromAFileAndStartsEmptyWithoutOne() throws {
        let path = temporaryPath("restore")
        defer { unlink(path) }
        let original = try populatedStore()
        try PersistenceFile.write(PersistenceFile.encode(original.snapshot()), to: path)
        let restored = MetricStore()
        try PersistenceService.restore(into: restored, from: path, logger: Logger(label: "test"))
        #expect(restored.snapshot() == original.snapshot())
        #expect(try restored.exposition(.text).get().bytes == original.exposition(.text).get().bytes)

        let empty = MetricStore()
        try PersistenceService.restore(into: empty, from: temporaryPath("missing"), logger: Logger(label: "test"))
        #expect(empty.snapshot().isEmpty)
    }

    @Test func aTruncatedFileStopsTheRestoreAndStaysUntouched() throws {
        let path = temporaryPath("truncated")
        defer { unlink(path) }
        let bytes = PersistenceFile.encode(try populatedStore().snapshot())
        try PersistenceFile.write(Array(bytes.dropLast(3)), to: path)
        let store = MetricStore()
        let error = try #require(throws: PersistenceError.self) {
            try PersistenceService.restore(into: store, from: path, logger: Logger(label: "test"))
        }
        #expect(error.code == .truncated || error.code == .corrupt)
        #expect(store.snapshot().isEmpty)
        #expect(readBytes(path) == Array(bytes.dropLast(3)))
    }

    @Test func writesOnGracefulShutdown() async throws {
        let path = temporaryPath("shutdown")
        defer { unlink(path) }
        let store = try populatedStore()
        let service = PersistenceService(store: store, path: path, interval: .seconds(3600), logger: Logger(label: "test"))
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                try await Task.sleep(for: .milliseconds(50))
                // The interval has not passed: nothing is written before shutdown.
                #expect(readBytes(path).isEmpty)
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(try PersistenceFile.decode(readBytes(path)) == store.snapshot())
    }

    @Test func writesOffTheCallersThread() async throws {
        // Swift concurrency runs on the event loops in the gateway: a write on the caller's thread blocks one.
        final class Writer: Sendable {
            let thread = Mutex<pthread_t?>(nil)
        }
        let writer = Writer()
        let store = try populatedStore()
        let service = PersistenceService(store: store, path: "unused", interval: .seconds(1), logger: Logger(label: "test")) { bytes, _ in
            let decoded = try PersistenceFile.decode(bytes)
            #expect(decoded == store.snapshot())
            writer.thread.withLock { $0 = pthread_self() }
        }
        let caller = pthread_self()
        #expect(await service.persist())
        let thread = try #require(writer.thread.withLock { $0 })
        #expect(pthread_equal(thread, caller) == 0)
    }

    @Test func writesAfterAChangeOncePerInterval() async throws {
        let path = temporaryPath("interval")
        defer { unlink(path) }
        let store = MetricStore()
        let service = PersistenceService(store: store, path: path, interval: .milliseconds(100), logger: Logger(label: "test"))
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                try store.push(PushRequest(key: GroupingKey([LabelPair(name: "job", value: "j")]), families: [], replace: true))
                var waited = 0
                while readBytes(path).isEmpty && waited < 50 {
                    try await Task.sleep(for: .milliseconds(100))
                    waited += 1
                }
                #expect(try PersistenceFile.decode(readBytes(path)).count == 1)
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test func statusRecordsSuccessAndTheLastErrorUntilASuccess() async throws {
        final class Failing: Sendable {
            let fail = Mutex(false)
        }
        let failing = Failing()
        let clock = TestClock()
        let service = PersistenceService(
            store: MetricStore(),
            path: "/some/file",
            interval: .seconds(1),
            logger: Logger(label: "test"),
            now: { clock.now }
        ) { _, _ in
            if failing.fail.withLock({ $0 }) {
                throw DiskFull()
            }
        }
        #expect(service.status == PersistenceStatus(file: "/some/file"))

        #expect(await service.persist())
        let first = clock.now
        #expect(service.status == PersistenceStatus(file: "/some/file", lastSuccess: first))

        failing.fail.withLock { $0 = true }
        clock.advance(seconds: 10)
        #expect(!(await service.persist()))
        #expect(service.status.lastSuccess == first)
        #expect(service.status.lastError?.contains("disk full") == true)

        failing.fail.withLock { $0 = false }
        #expect(await service.persist())
        #expect(service.status == PersistenceStatus(file: "/some/file", lastSuccess: clock.now))
    }
}

struct CRC32Tests {
    @Test func matchesZlib() {
        // zlib.crc32(b"123456789") == 0xCBF43926, the standard check value.
        #expect(CRC32.ieee.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.ieee.checksum([]) == 0)
    }
}

private struct DiskFull: Error, CustomStringConvertible {
    var description: String { "disk full" }
}
