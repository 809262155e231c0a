package import Logging
import PushgatewayCore
import Synchronization

/// What a write left to wait for: the number of its record in the write-ahead log (nil without a log).
public struct WriteReceipt: Hashable, Sendable {
    /// The record's sequence number.
    public var sequence: UInt64?
}

/// What it takes to put the store back as it was before one change: the parts the change replaced or removed
/// (nil for a name the group did not have) and whether the group existed.
///
/// Parts are values sharing their series with the store, so keeping them costs references, not copies.
struct StoreUndo: Sendable {
    var groups: [(key: GroupingKey, existed: Bool, parts: [String: FamilyPart?])]
}

extension StoreState {
    /// The undo information for writing or removing `names` in the group `key`.
    func undoInformation(for key: GroupingKey, names: Set<String>) -> StoreUndo {
        var parts: [String: FamilyPart?] = [:]
        for name in names {
            parts[name] = .some(self.index[name]?.parts[key])
        }
        return StoreUndo(groups: [(key, self.groups[key] != nil, parts)])
    }

    /// The undo information for removing whole groups.
    func undoInformation(forGroups keys: [GroupingKey]) -> StoreUndo {
        StoreUndo(
            groups: keys.compactMap { key in
                guard let group = self.groups[key] else { return nil }
                var parts: [String: FamilyPart?] = [:]
                for name in group.families {
                    parts[name] = .some(self.index[name]?.parts[key])
                }
                return (key, true, parts)
            }
        )
    }

    /// Takes one change back.
    mutating func apply(_ undo: StoreUndo) {
        for group in undo.groups.reversed() {
            for (name, part) in group.parts {
                if let part {
                    self.write(part, named: name, to: group.key)
                } else {
                    self.remove(family: name, from: group.key)
                }
            }
            if !group.existed {
                self.removeGroup(group.key)
            }
        }
        // What was taken back had been checked against a state that no longer is; the next scrape checks again.
        self.needsFullValidation = true
        self.validationError = nil
    }
}

extension MetricStore {
    /// Appends a change just applied to the log, keeping its undo information until it is durable; when the log
    /// is closed the change is taken back at once and nil returned.
    func appendToJournal(_ record: JournalRecord, undo: StoreUndo, state: inout StoreState) -> UInt64? {
        guard let journal = self.journal, let sequence = journal.append(record) else {
            state.apply(undo)
            return nil
        }
        state.undo.append((sequence, undo))
        return sequence
    }

    /// Waits until the write of `receipt` is on stable storage (at once without a log).
    /// - Throws: ``DurabilityError`` when it never will be: the change has been taken back.
    public func waitUntilDurable(_ receipt: WriteReceipt) async throws(DurabilityError) {
        guard let sequence = receipt.sequence, let journal = self.journal else { return }
        try await journal.waitUntilDurable(sequence)
    }

    /// Why writes are refused (the log failed and has not recovered yet), or nil.
    public var persistenceRefusal: String? {
        self.journal?.refusal
    }

    /// Records up to `sequence` are durable: their changes can no longer be taken back.
    func forgetUndo(through sequence: UInt64) {
        self.state.withLock { state in
            if let firstKept = state.undo.firstIndex(where: { $0.sequence > sequence }) {
                state.undo.removeFirst(firstKept)
            } else {
                state.undo.removeAll()
            }
        }
    }

    /// The log failed: it refuses records from now on, and every change it had not made durable is taken back,
    /// newest first, so the store is exactly what the disk holds.
    func rollBack(because reason: String) {
        self.state.withLock { state in
            self.journal?.fail(reason)
            for (_, undo) in state.undo.reversed() {
                state.apply(undo)
            }
            state.undo.removeAll()
            state.generation &+= 1
        }
    }

    /// Applies a record read back from the log (at start, before serving; not journaled again).
    /// - Throws: ``PersistenceError`` when a family in it does not decode.
    package func replay(_ record: JournalRecord) throws(PersistenceError) {
        switch record {
        case .write(let key, let removing, let families):
            var decoded: [(MetricFamily, [SeriesEntry], [Int: [SeriesIdentity]], Timestamp)] = []
            for family in families {
                do {
                    let model = try self.codec.decodeMessage(family.message)
                    decoded.append(
                        (
                            model, StoreState.entries(for: model, codec: self.codec),
                            StoreState.escapedIdentities(for: model, codec: self.codec),
                            family.time
                        )
                    )
                } catch {
                    throw PersistenceError(.corrupt, offset: 0, "a logged metric family does not decode: \(error.message)")
                }
            }
            self.state.withLock { state in
                for name in removing {
                    state.remove(family: name, from: key)
                }
                for (family, entries, escaped, time) in decoded {
                    state.write(family, entries: entries, escaped: escaped, time: time, to: key)
                }
                state.needsFullValidation = true
            }
        case .delete(let key):
            self.state.withLock { state in
                state.removeGroup(key)
                state.generation &+= 1
                state.needsFullValidation = true
            }
        case .wipe:
            self.state.withLock { state in
                for key in Array(state.groups.keys) {
                    state.removeGroup(key)
                }
                state.generation &+= 1
                state.needsFullValidation = true
            }
        }
    }

    /// Fills the empty store with what the persistence files held at start: the snapshot, then the log records
    /// after it (a record that cannot be applied is logged and skipped).
    package func restore(_ recovered: RecoveredStore, path: String, logger: Logger) {
        self.restore(recovered.groups)
        for record in recovered.records {
            do {
                try self.replay(record)
            } catch {
                logger.error("a write-ahead log record cannot be applied; it is skipped", metadata: ["file": "\(path)", "err": "\(error)"])
            }
        }
        if !recovered.groups.isEmpty || !recovered.records.isEmpty {
            logger.info(
                "metrics restored",
                metadata: ["file": "\(path)", "groups": "\(self.statistics().groups)", "log_records": "\(recovered.records.count)"]
            )
        }
    }

    /// A snapshot of the store for compaction: the state as it is now, with the log rotated at the same moment,
    /// so the snapshot holds exactly the records up to the returned number and later ones are in newer segments.
    func compactionPoint() -> (state: StoreState, sequence: UInt64) {
        self.state.withLock { state in
            (state, self.journal?.rotate() ?? 0)
        }
    }

    /// The snapshot file's bytes for the state now, covering every record number handed out (used while the log
    /// refuses records, so nothing changes meanwhile).
    func recoveryImage() -> [UInt8] {
        let (state, sequence) = self.state.withLock { ($0, self.journal?.lastSequence ?? 0) }
        return PersistenceFile.encode(encoded: state.encodedGroups(), sequence: sequence)
    }
}

extension WriteAheadLog {
    /// Why a change is refused once the log has been shut down.
    static let closedMessage = "the write-ahead log is closed (the gateway is shutting down)"
}
