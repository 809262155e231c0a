package import Logging
import NIOPosix
import PushgatewayCore
public import ServiceLifecycle
import Synchronization

/// `--persistence.sync=always`: every change is in the write-ahead log before it is acknowledged, and a
/// snapshot is written every `--persistence.interval` (and on shutdown), after which the log segments it makes
/// unnecessary are removed.
///
/// A snapshot goes to `<file>.in_progress`, is synced and renamed over `<file>`; the snapshot it replaces is
/// kept as `<file>.1`, with the log segments needed to roll forward from it, so a snapshot damaged on disk
/// costs nothing.
public struct WriteAheadPersistence: Service, PersistenceReporting {
    private let store: MetricStore
    private let journal: WriteAheadLog
    private let path: String
    private let interval: Duration
    private let logger: Logger
    private let fileSystem: any PersistenceFileSystem
    // Snapshots are encoded and written here, never on an event loop, and apart from the pool that decodes
    // heavy pushes, so a snapshot never queues behind them.
    private let threadPool: NIOThreadPool
    private let shared: Shared

    /// What the copies of this struct share: the status, the previous snapshot's sequence number, the damaged
    /// segments to move aside, and the lock that keeps two snapshot writes apart.
    private final class Shared: Sendable {
        let status: Mutex<PersistenceStatus>
        let files = Mutex<(previousSnapshot: UInt64, damaged: [String], needsSnapshot: Bool)>((0, [], false))

        init(_ status: PersistenceStatus) {
            self.status = Mutex(status)
        }
    }

    /// The file, the last successful snapshot and the last error.
    public var status: PersistenceStatus {
        var status = self.shared.status.withLock { $0 }
        if let refusal = self.journal.refusal {
            status.lastError = refusal
        }
        return status
    }

    /// Creates the service and starts the log's writer thread (before any request can write).
    package init(
        store: MetricStore,
        journal: WriteAheadLog,
        path: String,
        interval: Duration,
        recovered: RecoveredStore,
        fileSystem: any PersistenceFileSystem = POSIXFileSystem(),
        logger: Logger
    ) {
        self.store = store
        self.journal = journal
        self.path = path
        self.interval = interval
        self.logger = logger
        self.fileSystem = fileSystem
        self.threadPool = NIOThreadPool(numberOfThreads: 1)
        self.threadPool.start()
        self.shared = Shared(PersistenceStatus(file: path))
        self.shared.files.withLock {
            $0 = (recovered.snapshotSequence, recovered.damagedSegments, recovered.needsSnapshot)
        }
        let (shared, fileSystemCopy) = (self.shared, fileSystem)
        journal.start(
            hooks: .init(
                durable: { [weak store] sequence in store?.forgetUndo(through: sequence) },
                failed: { [weak store] reason in store?.rollBack(because: reason) },
                recover: { [weak store] in
                    guard let store else { return false }
                    return Self.writeRecoverySnapshot(store: store, path: path, fileSystem: fileSystemCopy, shared: shared, logger: logger)
                }
            )
        )
    }

    public func run() async throws {
        if self.shared.files.withLock({ $0.needsSnapshot }) {
            await self.snapshot()
        }
        var written = self.store.generation
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: self.interval)
            }
            let generation = self.store.generation
            if generation != written && !Task.isShuttingDownGracefully {
                if await self.snapshot() {
                    written = generation
                }
            }
        }
        // The HTTP servers have stopped (they are listed after this service): the last snapshot holds every
        // acknowledged change, and the log is closed.
        if self.store.generation != written || self.journal.lastSequence != self.shared.files.withLock({ $0.previousSnapshot }) {
            await self.snapshot()
        }
        await self.close()
    }

    /// Writes what the log still holds, stops its writer thread and this service's snapshot thread.
    package func close() async {
        await self.journal.shutdown()
        try? await self.threadPool.shutdownGracefully()
    }

    /// Writes a snapshot of the store now and removes the log segments it makes unnecessary; false (and an
    /// error log) when it could not be written.
    @discardableResult
    public func snapshot() async -> Bool {
        let (store, path, fileSystem, shared, logger) = (self.store, self.path, self.fileSystem, self.shared, self.logger)
        let (state, sequence) = store.compactionPoint()
        do {
            // Only what is durable goes into a snapshot: a change the log then fails to write is taken back, and
            // must not survive in the snapshot.
            try await store.waitUntilDurable(WriteReceipt(sequence: sequence == 0 ? nil : sequence))
            let bytes = try await self.threadPool.runIfActive {
                let bytes = PersistenceFile.encode(encoded: state.encodedGroups(), sequence: sequence)
                try Self.install(
                    bytes,
                    sequence: sequence,
                    path: path,
                    fileSystem: fileSystem,
                    shared: shared,
                    removeAllSegments: false,
                    logger: logger
                )
                return bytes.count
            }
            shared.status.withLock {
                $0.lastSuccess = Timestamp.now()
                $0.lastError = nil
            }
            logger.debug("metrics persisted", metadata: ["file": "\(path)", "bytes": "\(bytes)", "sequence": "\(sequence)"])
            return true
        } catch {
            shared.status.withLock { $0.lastError = "\(error)" }
            logger.error("error persisting metrics", metadata: ["file": "\(path)", "err": "\(error)"])
            return false
        }
    }

    /// The snapshot written while the log refuses records (nothing changes meanwhile): it covers every record
    /// number handed out, so the log can start afresh.
    private static func writeRecoverySnapshot(
        store: MetricStore,
        path: String,
        fileSystem: any PersistenceFileSystem,
        shared: Shared,
        logger: Logger
    ) -> Bool {
        let bytes = store.recoveryImage()
        do {
            try Self.install(
                bytes,
                sequence: store.journal?.lastSequence ?? 0,
                path: path,
                fileSystem: fileSystem,
                shared: shared,
                removeAllSegments: true,
                logger: logger
            )
            shared.status.withLock {
                $0.lastSuccess = Timestamp.now()
                $0.lastError = nil
            }
            return true
        } catch {
            logger.debug("persistence still failing", metadata: ["file": "\(path)", "err": "\(error)"])
            return false
        }
    }

    /// Puts a snapshot in place and removes what it makes unnecessary, one snapshot at a time.
    private static func install(
        _ bytes: [UInt8],
        sequence: UInt64,
        path: String,
        fileSystem: any PersistenceFileSystem,
        shared: Shared,
        removeAllSegments: Bool,
        logger: Logger
    ) throws(PersistenceError) {
        try shared.files.withLock { files throws(PersistenceError) in
            let directory = POSIXFileSystem.directory(of: path)
            let temporary = "\(path).in_progress"
            let file = try fileSystem.create(temporary)
            do throws(PersistenceError) {
                try file.append(bytes)
                try file.sync()
                file.close()
            } catch {
                file.close()
                try? fileSystem.remove(temporary)
                throw error
            }
            if try fileSystem.read(path) != nil {
                try fileSystem.rename(path, to: "\(path).1")
            }
            try fileSystem.rename(temporary, to: path)
            try fileSystem.syncDirectory(directory)
            // The previous snapshot, now `<file>.1`, needs the segments after its own number; older ones go.
            let keepAfter = removeAllSegments ? sequence : files.previousSnapshot
            for damaged in files.damaged {
                try? fileSystem.rename(damaged, to: "\(damaged).damaged")
            }
            files.damaged = []
            var segments: [(first: UInt64, name: String)] = []
            for name in (try? fileSystem.list(directory)) ?? [] {
                if let first = WriteAheadLog.firstSequence(ofSegmentNamed: name, basePath: path) {
                    segments.append((first, name))
                }
            }
            segments.sort { $0.first < $1.first }
            for (index, segment) in segments.enumerated() {
                // A segment's records end where the next one's begin; the newest may still be written to.
                guard index + 1 < segments.count || removeAllSegments else { break }
                let lastInSegment = index + 1 < segments.count ? segments[index + 1].first - 1 : UInt64.max
                if lastInSegment <= keepAfter || removeAllSegments {
                    let segmentPath = directory == "." ? segment.name : "\(directory == "/" ? "" : directory)/\(segment.name)"
                    try? fileSystem.remove(segmentPath)
                }
            }
            try? fileSystem.syncDirectory(directory)
            files.previousSnapshot = sequence
            logger.debug("snapshot installed", metadata: ["file": "\(path)", "sequence": "\(sequence)", "kept_after": "\(keepAfter)"])
        }
    }
}

/// A persistence service's report for the status page.
public protocol PersistenceReporting: Sendable {
    /// The file, the last successful write and the last error.
    var status: PersistenceStatus { get }
}

extension PersistenceService: PersistenceReporting {}
