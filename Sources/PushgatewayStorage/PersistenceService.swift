public import Logging
public import ServiceLifecycle

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

    /// Creates the service.
    /// - Parameters:
    ///   - store: the store to persist.
    ///   - path: the file; written atomically (temporary file, fsync, rename).
    ///   - interval: the minimum time between two writes.
    ///   - logger: where successes (info) and failures (error) are reported.
    public init(store: MetricStore, path: String, interval: Duration, logger: Logger) {
        self.store = store
        self.path = path
        self.interval = interval
        self.logger = logger
        self.initialGeneration = store.generation
    }

    /// Restores the store from `path` before serving.
    /// - Throws: ``PersistenceError`` for a file that exists but cannot be read in full: the gateway must
    ///   not start on partial data and later overwrite the file the operator still needs.
    public static func restore(into store: MetricStore, from path: String, logger: Logger) throws(PersistenceError) {
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
                if self.persist() {
                    persisted = generation
                }
            }
        }
        // Always write on shutdown, as upstream does: the file then reflects exactly what was served last.
        self.persist()
    }

    /// Writes the store now; false (and an error log) when the file could not be written.
    @discardableResult
    public func persist() -> Bool {
        let bytes = self.store.persistenceImage()
        do {
            try PersistenceFile.write(bytes, to: self.path)
            self.logger.info("metrics persisted", metadata: ["file": "\(self.path)", "bytes": "\(bytes.count)"])
            return true
        } catch {
            self.logger.error("error persisting metrics", metadata: ["file": "\(self.path)", "error": "\(error)"])
            return false
        }
    }
}
