public import Logging
public import NIOPosix
public import PushgatewayCore
public import ServiceLifecycle
import Synchronization

/// How persistence is doing, for the status page.
public struct PersistenceStatus: Sendable, Hashable {
    /// The persistence file (`--persistence.file`).
    public var file: String
    /// When the file was last written successfully (nil: not yet in this process).
    public var lastSuccess: Timestamp?
    /// Why the last write failed; nil once a later write succeeds.
    public var lastError: String?

    /// Creates a status.
    public init(file: String, lastSuccess: Timestamp? = nil, lastError: String? = nil) {
        self.file = file
        self.lastSuccess = lastSuccess
        self.lastError = lastError
    }
}

/// Writes the store to `--persistence.file`: at most once per `--persistence.interval` after a change,
/// and always once more on graceful shutdown (listed before the HTTP server in the service group, it stops
/// after it, so the final write sees every accepted push).
public struct PersistenceService: Service {
    private let store: MetricStore
    private let path: String
    private let interval: Duration
    private let logger: Logger
    /// The store's generation when the service was made (after restoring): what the file already holds.
    private let initialGeneration: UInt64
    // Swift concurrency runs on NIO's event loops in this gateway, so assembling the image (a copy of every
    // series), writing it and the fsyncs would stall requests on that loop for as long as the disk takes. A
    // thread pool takes the whole job: NIO's, since the server already runs on NIO and its singleton pool
    // needs no lifecycle of its own; an injected pool lets a caller (or the durability work) choose another.
    private let threadPool: NIOThreadPool
    /// Writes the image to the file; tests replace it to see where it runs.
    let writeFile: @Sendable ([UInt8], String) throws -> Void
    /// Shared by every copy of the service (it is a struct), so the server reads what `run()` records.
    private let recorder: StatusRecorder
    private let now: @Sendable () -> Timestamp
    private let snapshotSequence: UInt64

    /// The file, the last successful write and the last write's error; safe to read from any thread.
    public var status: PersistenceStatus {
        self.recorder.status.withLock { $0 }
    }

    /// Creates the service.
    /// - Parameters:
    ///   - store: the store to persist.
    ///   - path: the file; written atomically (temporary file, fsync, rename).
    ///   - interval: the minimum time between two writes.
    ///   - logger: where successes (debug) and failures (error) are reported.
    ///   - threadPool: where the image is assembled and written, away from the event loops.
    ///   - snapshotSequence: the number of the last write-ahead log record the store holds (written into the
    ///     snapshot, so that log segments left by `--persistence.sync=always` are not replayed over it).
    public init(
        store: MetricStore,
        path: String,
        interval: Duration,
        logger: Logger,
        threadPool: NIOThreadPool = .singleton,
        snapshotSequence: UInt64 = 0
    ) {
        self.init(store: store, path: path, interval: interval, logger: logger, threadPool: threadPool, snapshotSequence: snapshotSequence)
        {
            bytes,
            path in
            try PersistenceFile.write(bytes, to: path)
        }
    }

    init(
        store: MetricStore,
        path: String,
        interval: Duration,
        logger: Logger,
        threadPool: NIOThreadPool = .singleton,
        snapshotSequence: UInt64 = 0,
        now: @escaping @Sendable () -> Timestamp = MetricStore.systemTime,
        writeFile: @escaping @Sendable ([UInt8], String) throws -> Void
    ) {
        self.snapshotSequence = snapshotSequence
        self.store = store
        self.path = path
        self.interval = interval
        self.logger = logger
        self.initialGeneration = store.generation
        self.threadPool = threadPool
        self.writeFile = writeFile
        self.recorder = StatusRecorder(PersistenceStatus(file: path))
        self.now = now
    }

    /// Restores the store from `path` before serving.
    ///
    /// A file the Go Pushgateway wrote is imported once: kept as `<path>.go-backup` (or `.go-backup.N` if that
    /// exists) and replaced by this gateway's format (see ``GoPersistenceTakeover``).
    /// - Throws: ``PersistenceError`` for a file that exists but cannot be read in full: the gateway must
    ///   not start on partial data and later overwrite the file the operator still needs.
    public static func restore(into store: MetricStore, from path: String, logger: Logger) throws(PersistenceError) {
        if try GoPersistenceTakeover.importIfGoFile(into: store, at: path, logger: logger) {
            return
        }
        guard let groups = try PersistenceFile.read(path: path) else {
            logger.info("no persistence file yet, starting empty", metadata: ["file": "\(path)"])
            return
        }
        store.restore(groups)
        logger.info("metrics restored", metadata: ["file": "\(path)", "groups": "\(groups.count)"])
    }

    public func run() async throws {
        var persisted = self.initialGeneration
        let clock = ContinuousClock()
        var lastWrite = clock.now
        // Poll the store's generation: cheap, and it keeps the "at most once per interval" rule simple.
        let tick = min(self.interval, .seconds(1))
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: tick)
            }
            let generation = self.store.generation
            if generation != persisted && clock.now - lastWrite >= self.interval {
                lastWrite = clock.now
                if await self.persist() {
                    persisted = generation
                }
            }
        }
        // Always write on shutdown, as upstream does: the file then reflects exactly what was served last.
        await self.persist()
    }

    /// Writes the store now, on the thread pool; false (and an error log) when the file could not be written.
    @discardableResult
    public func persist() async -> Bool {
        let (store, path, writeFile, sequence) = (self.store, self.path, self.writeFile, self.snapshotSequence)
        do {
            let count = try await self.threadPool.runIfActive {
                let bytes = store.persistenceImage(sequence: sequence)
                try writeFile(bytes, path)
                return bytes.count
            }
            let time = self.now()
            self.recorder.status.withLock {
                $0.lastSuccess = time
                $0.lastError = nil
            }
            // Debug, not info: upstream logs every interval's write at info, which floods operators' logs.
            self.logger.debug("metrics persisted", metadata: ["file": "\(self.path)", "bytes": "\(count)"])
            return true
        } catch {
            self.recorder.status.withLock { $0.lastError = "\(error)" }
            self.logger.error("error persisting metrics", metadata: ["file": "\(self.path)", "error": "\(error)"])
            return false
        }
    }
}

/// The status of one persistence service, behind a mutex.
private final class StatusRecorder: Sendable {
    let status: Mutex<PersistenceStatus>

    init(_ status: PersistenceStatus) {
        self.status = Mutex(status)
    }
}
