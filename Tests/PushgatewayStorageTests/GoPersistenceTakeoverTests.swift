import Logging
import PushgatewayCore
import Synchronization
import Testing

@testable import PushgatewayStorage

#if canImport(Glibc)
    import Glibc
#endif

/// The first start on a file of Debian's Go Pushgateway 1.5.1 (Tests/PushgatewayCoreTests/Fixtures/GoPersistence).
struct GoPersistenceTakeoverTests {
    static func fixture(_ name: String, filePath: String = #filePath) -> [UInt8] {
        let tests = filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(2).joined(separator: "/")
        return Self.read(tests + "/PushgatewayCoreTests/Fixtures/GoPersistence/" + name) ?? []
    }

    static let gob = Self.fixture("go-pushgateway.gob")

    static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return bytes
    }

    /// A fresh directory with `bytes` as its `pushgateway.db`; returns the file's path.
    static func persistenceFile(_ bytes: [UInt8], test: String = #function) throws -> String {
        let directory = "/tmp/pushgateway-go-takeover-\(getpid())-\(test.prefix { $0 != "(" })"
        _ = system("rm -rf '\(directory)'")
        try #require(mkdir(directory, 0o700) == 0)
        let path = directory + "/pushgateway.db"
        try PersistenceFile.write(bytes, to: path)
        return path
    }

    /// The lines of a text exposition without the Go gateway's own families.
    static func pushedLines(_ text: [UInt8]) -> [Substring] {
        String(decoding: text, as: UTF8.self).split(separator: "\n").filter { line in
            let name = line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") ? line.dropFirst(7) : line
            return !["go_", "process_", "pushgateway_"].contains { name.hasPrefix($0) }
        }
    }

    @Test func importsAGoFileKeepsItAsBackupAndWritesOurFormat() throws {
        let path = try Self.persistenceFile(Self.gob)
        let log = RecordingLogHandler.Records()
        let store = MetricStore()
        try PersistenceService.restore(into: store, from: path, logger: Logger(label: "test") { _ in RecordingLogHandler(log) })

        // Compared as encodings: the fixture holds a NaN, which equals itself only bit for bit.
        let imported = PersistenceFile.encode(store.snapshot())
        #expect(imported == PersistenceFile.encode(try GoPersistenceFile.decode(Self.gob)))
        #expect(store.snapshot().count == 8)
        #expect(Self.read(path + ".go-backup") == Self.gob)
        #expect(Self.read(path)?.starts(with: Array("PGWSTORE".utf8)) == true)
        #expect(
            log.entries.withLock { $0 }.contains {
                $0.level == .info && $0.message == "imported 8 groups from a Go Pushgateway persistence file"
                    && $0.metadata["file"] == "\(path)"
            }
        )

        // The next start reads its own format and finds the same groups; the backup stays as it is.
        let again = MetricStore()
        try PersistenceService.restore(into: again, from: path, logger: Logger(label: "test"))
        #expect(PersistenceFile.encode(again.snapshot()) == imported)
        #expect(Self.read(path + ".go-backup.1") == nil)
    }

    /// After the import the store scrapes, in text and protobuf, exactly what the Go gateway scraped.
    @Test func importedStoreScrapesWhatGoScraped() throws {
        let path = try Self.persistenceFile(Self.gob)
        let store = MetricStore()
        try PersistenceService.restore(into: store, from: path, logger: Logger(label: "test"))

        let text = try store.exposition(.text).get().bytes
        #expect(Self.pushedLines(text).count > 100)
        #expect(Self.pushedLines(text) == Self.pushedLines(Self.fixture("scrape.txt")))

        let codec = ProtobufCodec()
        let scraped = try codec.decodeDelimited(Self.fixture("scrape.pb")).filter { family in
            !["go_", "process_", "pushgateway_"].contains { family.name.hasPrefix($0) }
        }
        #expect(try store.exposition(.protobufDelimited).get().bytes == codec.encodeDelimited(scraped))
    }

    @Test func neverReplacesAnEarlierBackup() throws {
        let path = try Self.persistenceFile(Self.gob)
        try PersistenceFile.write(Array("an earlier backup".utf8), to: path + ".go-backup")
        try PersistenceService.restore(into: MetricStore(), from: path, logger: Logger(label: "test"))
        #expect(Self.read(path + ".go-backup") == Array("an earlier backup".utf8))
        #expect(Self.read(path + ".go-backup.1") == Self.gob)
    }

    @Test func aGoFileThatDoesNotDecodeStopsTheRestoreUntouched() throws {
        let truncated = Array(Self.gob.dropLast(100))
        let path = try Self.persistenceFile(truncated)
        let store = MetricStore()
        do {
            try PersistenceService.restore(into: store, from: path, logger: Logger(label: "test"))
            Issue.record("a truncated Go file was restored")
        } catch {
            #expect(error.code == .truncated)
            #expect(error.message.hasPrefix("a Go Pushgateway persistence file that cannot be imported: the file ends inside a message"))
        }
        #expect(Self.read(path) == truncated)
        #expect(Self.read(path + ".go-backup") == nil)
        #expect(store.snapshot().isEmpty)
    }
}

/// Keeps every log entry, for checking what was logged.
struct RecordingLogHandler: LogHandler {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    final class Records: Sendable {
        let entries = Mutex<[Entry]>([])
    }

    let records: Records
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(_ records: Records) {
        self.records = records
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let entry = Entry(level: event.level, message: "\(event.message)", metadata: self.metadata.merging(event.metadata ?? [:]) { $1 })
        self.records.entries.withLock { $0.append(entry) }
    }
}
