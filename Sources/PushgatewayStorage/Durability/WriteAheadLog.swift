import Dispatch
package import Logging
import NIOPosix
import PushgatewayCore
import Synchronization

/// The write-ahead log: every change of the store, appended and synced before the request that made it is
/// answered.
///
/// The store appends a record under its own lock, so records are numbered in the order the changes were
/// applied, and the request then waits in ``waitUntilDurable(_:)``. One writer thread takes everything
/// appended since its last flush, writes it to the current segment and syncs it once (group commit): however
/// many requests arrive while a sync runs, the next sync covers them all.
///
/// When a write or sync fails, nothing it covered is acknowledged: the store takes back every change after the
/// last durable one (``Hooks/failed``), the log refuses new records until a snapshot of the store has been
/// written again (``Hooks/recover``, tried once a second), and every waiting request fails with the reason.
package final class WriteAheadLog: Sendable {
    /// What the log asks of its store, on the writer thread.
    package struct Hooks: Sendable {
        /// Records up to this sequence number are durable; their undo information can go.
        package var durable: @Sendable (UInt64) -> Void
        /// Writing failed with this reason: call ``fail(_:)`` under the store's lock and take back every change
        /// after the durable ones.
        package var failed: @Sendable (String) -> Void
        /// While failed: write a snapshot that covers every sequence number handed out and return whether it
        /// worked; the log then starts a new segment and accepts records again.
        package var recover: @Sendable () -> Bool

        package init(
            durable: @escaping @Sendable (UInt64) -> Void,
            failed: @escaping @Sendable (String) -> Void,
            recover: @escaping @Sendable () -> Bool
        ) {
            self.durable = durable
            self.failed = failed
            self.recover = recover
        }
    }

    private struct State: Sendable {
        /// The number the next record gets.
        var nextSequence: UInt64
        /// Every record up to this number is on stable storage.
        var durable: UInt64
        /// Framed records not yet taken by the writer, and the number of the last one.
        var pending: [UInt8] = []
        var pendingLast: UInt64 = 0
        /// Records to write to the current segment before a new one starts (see ``rotate()``).
        var beforeRotation: (bytes: [UInt8], last: UInt64)?
        var waiters: [(sequence: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        /// Why records are refused; nil while the log works.
        var failure: String?
        var writerSleeping = false
        var stopping = false
        var stopped = false
        var hooks: Hooks?
    }

    private let state: Mutex<State>
    private let wake = DispatchSemaphore(value: 0)
    private let stoppedSignal = DispatchSemaphore(value: 0)
    private let fileSystem: any PersistenceFileSystem
    /// `--persistence.file`: segments are named after it, `<file>.wal-<first sequence number in hex>`.
    private let basePath: String
    private let logger: Logger
    private let thread = NIOThreadPool(numberOfThreads: 1)

    /// Creates the log; records get numbers from `nextSequence` on. Nothing is written before ``start(hooks:)``.
    package init(basePath: String, nextSequence: UInt64, fileSystem: any PersistenceFileSystem, logger: Logger) {
        self.basePath = basePath
        self.fileSystem = fileSystem
        self.logger = logger
        self.state = Mutex(State(nextSequence: max(nextSequence, 1), durable: max(nextSequence, 1) - 1))
    }

    /// The segment file whose first record is `sequence`.
    package static func segmentPath(basePath: String, firstSequence: UInt64) -> String {
        let hex = String(firstSequence, radix: 16)
        return "\(basePath).wal-\(String(repeating: "0", count: max(0, 16 - hex.count)))\(hex)"
    }

    /// The first sequence number of a segment file named `name` next to `basePath`, or nil for other names.
    package static func firstSequence(ofSegmentNamed name: String, basePath: String) -> UInt64? {
        let prefix = POSIXFileSystem.name(of: basePath) + ".wal-"
        guard name.hasPrefix(prefix), name.utf8.count == prefix.utf8.count + 16 else { return nil }
        return UInt64(name.dropFirst(prefix.count), radix: 16)
    }

    /// Starts the writer thread.
    package func start(hooks: Hooks) {
        self.state.withLock { $0.hooks = hooks }
        self.thread.start()
        self.thread.submit { [self] _ in
            self.writerLoop()
        }
    }

    /// Why records are refused (the store answers 503 with it), or nil while the log works.
    package var refusal: String? {
        self.state.withLock { $0.failure }
    }

    /// The number of the last record handed out.
    package var lastSequence: UInt64 {
        self.state.withLock { $0.nextSequence - 1 }
    }

    /// Appends a record and returns its number, or nil when the log refuses records (see ``refusal``).
    ///
    /// Call it under the store's lock, right after applying the change, so that numbers follow the order of
    /// the changes.
    package func append(_ record: JournalRecord) -> UInt64? {
        self.state.withLock { state -> UInt64? in
            guard state.failure == nil, !state.stopped else { return nil }
            let sequence = state.nextSequence
            state.nextSequence += 1
            JournalFormat.appendRecord(record, sequence: sequence, to: &state.pending)
            state.pendingLast = sequence
            if state.writerSleeping {
                state.writerSleeping = false
                self.wake.signal()
            }
            return sequence
        }
    }

    /// Marks a point (under the store's lock, with the store's state copied at the same moment for a snapshot):
    /// the records up to the returned number stay in the current segment, later ones go to a new one, so once a
    /// snapshot of that state is durable the older segments can go.
    package func rotate() -> UInt64 {
        self.state.withLock { state in
            let last = state.nextSequence - 1
            if !state.pending.isEmpty {
                var bytes = state.beforeRotation?.bytes ?? []
                bytes.append(contentsOf: state.pending)
                state.beforeRotation = (bytes, state.pendingLast)
                state.pending = []
            } else if state.beforeRotation == nil {
                state.beforeRotation = ([], last)
            }
            if state.writerSleeping {
                state.writerSleeping = false
                self.wake.signal()
            }
            return last
        }
    }

    /// Waits until record `sequence` is on stable storage.
    /// - Throws: ``DurabilityError`` when it never will be (the log failed before it was synced).
    package func waitUntilDurable(_ sequence: UInt64) async throws(DurabilityError) {
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let failure: String?? = self.state.withLock { state in
                    if state.durable >= sequence { return .some(nil) }
                    if let failure = state.failure { return .some(failure) }
                    state.waiters.append((sequence, continuation))
                    return nil
                }
                switch failure {
                case .some(nil): continuation.resume()
                case .some(.some(let reason)): continuation.resume(throwing: DurabilityError(message: reason))
                case .none: break
                }
            }
        } catch let error as DurabilityError {
            throw error
        } catch {
            throw DurabilityError(message: "\(error)")
        }
    }

    /// Enters the failed state: pending records are dropped and their waiters fail. The store calls this under
    /// its lock from ``Hooks/failed`` and then takes back every change after ``durableSequence``.
    package func fail(_ reason: String) {
        let waiters = self.state.withLock { state in
            state.failure = reason
            state.pending = []
            state.beforeRotation = nil
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: DurabilityError(message: reason))
        }
    }

    /// The last record on stable storage.
    package var durableSequence: UInt64 {
        self.state.withLock { $0.durable }
    }

    /// Writes what is pending, stops the writer thread and returns once it has.
    package func shutdown() async {
        let running = self.state.withLock { state -> Bool in
            state.stopping = true
            if state.writerSleeping {
                state.writerSleeping = false
                self.wake.signal()
            }
            return state.hooks != nil
        }
        guard running else { return }
        let stopped = self.stoppedSignal
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                stopped.wait()
                continuation.resume()
            }
        }
        try? await self.thread.shutdownGracefully()
    }

    // MARK: The writer thread

    /// What the writer takes from the state in one go.
    private struct WriterWork {
        var rotation: (bytes: [UInt8], last: UInt64)?
        var bytes: [UInt8] = []
        var last: UInt64 = 0
        var hooks: Hooks?
        var failed = false
    }

    /// The segment being appended to, and its durable length.
    private struct Segment {
        var file: any AppendOnlyFile
        var syncedLength: Int
        var length: Int
    }

    private func writerLoop() {
        var segment: Segment?
        defer {
            segment?.file.close()
            self.state.withLock { $0.stopped = true }
            self.stoppedSignal.signal()
        }
        while true {
            let work = self.state.withLock { state -> WriterWork? in
                if state.failure != nil {
                    return WriterWork(hooks: state.hooks, failed: true)
                }
                if state.pending.isEmpty && state.beforeRotation == nil {
                    if state.stopping {
                        return nil
                    }
                    state.writerSleeping = true
                    return WriterWork(hooks: state.hooks)
                }
                defer {
                    state.pending = []
                    state.beforeRotation = nil
                }
                return WriterWork(rotation: state.beforeRotation, bytes: state.pending, last: state.pendingLast, hooks: state.hooks)
            }
            guard let work, let hooks = work.hooks else { return }
            if work.failed {
                if self.state.withLock({ $0.stopping }) { return }
                // Try again once a second: the disk may have room again, the volume may be writable again.
                _ = self.wake.wait(timeout: .now() + .seconds(1))
                if hooks.recover() {
                    segment?.file.close()
                    segment = nil
                    self.state.withLock { state in
                        state.failure = nil
                        state.durable = state.nextSequence - 1
                    }
                    self.logger.info("persistence works again; writes are accepted", metadata: ["file": "\(self.basePath)"])
                }
                continue
            }
            if work.rotation == nil && work.bytes.isEmpty {
                self.wake.wait()
                continue
            }
            do throws(PersistenceError) {
                if let rotation = work.rotation {
                    if !rotation.bytes.isEmpty {
                        try self.write(rotation.bytes, firstSequence: Self.firstSequence(in: rotation.bytes), to: &segment)
                        self.markDurable(rotation.last, hooks: hooks)
                    }
                    segment?.file.close()
                    segment = nil
                }
                if !work.bytes.isEmpty {
                    try self.write(work.bytes, firstSequence: Self.firstSequence(in: work.bytes), to: &segment)
                    self.markDurable(work.last, hooks: hooks)
                }
            } catch {
                self.logger.error(
                    "cannot write the write-ahead log; writes are refused until the disk recovers",
                    metadata: ["file": "\(self.basePath)", "err": "\(error.message)"]
                )
                if let current = segment {
                    // Cut what may have reached the disk of the failed batch; the next snapshot covers its
                    // sequence numbers anyway, so a leftover is skipped when the log is read.
                    try? current.file.truncate(to: current.syncedLength)
                    current.file.close()
                    segment = nil
                }
                hooks.failed(error.message)
            }
        }
    }

    /// Writes framed records to the segment (opening one named after their first number if there is none)
    /// and syncs it.
    private func write(_ bytes: [UInt8], firstSequence: UInt64, to segment: inout Segment?) throws(PersistenceError) {
        if segment == nil {
            let path = Self.segmentPath(basePath: self.basePath, firstSequence: firstSequence)
            let file = try self.fileSystem.create(path)
            do {
                try file.append(JournalFormat.segmentHeader(firstSequence: firstSequence))
                try file.sync()
                try self.fileSystem.syncDirectory(POSIXFileSystem.directory(of: path))
            } catch {
                file.close()
                try? self.fileSystem.remove(path)
                throw error
            }
            segment = Segment(file: file, syncedLength: JournalFormat.segmentHeaderSize, length: JournalFormat.segmentHeaderSize)
        }
        guard var current = segment else { return }
        current.length += bytes.count
        segment = current
        try current.file.append(bytes)
        try current.file.sync()
        current.syncedLength = current.length
        segment = current
    }

    private func markDurable(_ sequence: UInt64, hooks: Hooks) {
        hooks.durable(sequence)
        let ready = self.state.withLock { state in
            state.durable = max(state.durable, sequence)
            var ready: [CheckedContinuation<Void, any Error>] = []
            state.waiters.removeAll { waiter in
                guard waiter.sequence <= sequence else { return false }
                ready.append(waiter.continuation)
                return true
            }
            return ready
        }
        for continuation in ready {
            continuation.resume()
        }
    }

    /// The sequence number of the first framed record in `bytes`.
    private static func firstSequence(in bytes: [UInt8]) -> UInt64 {
        littleEndian(bytes, at: 8, bytes: 8)
    }
}

/// A change that could not be made durable, so it was not made: the answer is a 503 with the reason.
public struct DurabilityError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why the write-ahead log cannot take the change.
    public var message: String

    package init(message: String) {
        self.message = message
    }

    public var description: String {
        "cannot persist the change, nothing was stored: \(self.message)"
    }
}
