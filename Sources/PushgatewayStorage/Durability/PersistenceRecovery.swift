package import Logging
package import PushgatewayCore

/// What the persistence files hold at start: the newest snapshot that could be read and the log records after
/// it, with every problem met on the way (each is logged as it is found).
package struct RecoveredStore: Sendable {
    /// The snapshot's groups.
    package var groups: [MetricGroupSnapshot] = []
    /// The number of the last log record the snapshot holds.
    package var snapshotSequence: UInt64 = 0
    /// The log records after the snapshot, in order.
    package var records: [JournalRecord] = []
    /// The number the next record gets.
    package var nextSequence: UInt64 = 1
    /// Log segments that were damaged: moved aside (`.damaged`) once a new snapshot holds what was read of them.
    package var damagedSegments: [String] = []
    /// Whether something was lost or skipped, so that a fresh snapshot should be written at once.
    package var needsSnapshot = false
}

/// Reads the snapshot and the write-ahead log back at start.
///
/// Damage costs at most the damaged records: a snapshot that cannot be read is kept as `<file>.corrupt-<time>`
/// and the previous one (`<file>.1`, kept until its successor is durable) is used with the log records after
/// it; a damaged log segment is read up to the damage and on from the next intact record.
package enum PersistenceRecovery {
    /// Loads what `basePath` and its log segments hold.
    /// - Throws: ``PersistenceError`` for a file that is not this gateway's (another program's, or a newer
    ///   format): the gateway must not start on it and later overwrite it.
    package static func load(
        basePath: String,
        fileSystem: any PersistenceFileSystem,
        logger: Logger,
        now: Timestamp = Timestamp.now()
    ) throws(PersistenceError) -> RecoveredStore {
        var recovered = RecoveredStore()
        let directory = POSIXFileSystem.directory(of: basePath)
        // The Go Pushgateway's file, on the first start after swapping binaries: kept as `<file>.go-backup` and
        // rewritten in this gateway's format, which is then read as usual.
        if fileSystem is POSIXFileSystem {
            let options = MetricStore.Options()
            _ = try GoPersistenceTakeover.importIfGoFile(into: MetricStore(options: options), at: basePath, logger: logger)
        }
        // A snapshot that was being written when the process stopped; never renamed, so never used.
        try? fileSystem.remove("\(basePath).in_progress")

        if try fileSystem.read(basePath) == nil, try fileSystem.read("\(basePath).1") == nil {
            logger.info("no persistence file yet, starting empty", metadata: ["file": "\(basePath)"])
        }
        for candidate in [basePath, "\(basePath).1"] {
            guard let bytes = try fileSystem.read(candidate) else { continue }
            do {
                let (groups, sequence) = try PersistenceFile.decodeSnapshot(bytes)
                recovered.groups = groups
                recovered.snapshotSequence = sequence
                if candidate != basePath {
                    logger.warning("restored the previous snapshot", metadata: ["file": "\(candidate)", "sequence": "\(sequence)"])
                    recovered.needsSnapshot = true
                }
                break
            } catch  where error.code == .truncated || error.code == .corrupt {
                let aside = "\(candidate).corrupt-\(now.seconds)"
                logger.error(
                    "persistence file is damaged; kept aside, trying the previous snapshot",
                    metadata: ["file": "\(candidate)", "kept_as": "\(aside)", "err": "\(error)"]
                )
                try fileSystem.rename(candidate, to: aside)
                try? fileSystem.syncDirectory(directory)
                recovered.needsSnapshot = true
            }
        }

        var segments: [(first: UInt64, name: String)] = []
        for name in try fileSystem.list(directory) {
            if let first = WriteAheadLog.firstSequence(ofSegmentNamed: name, basePath: basePath) {
                segments.append((first, name))
            }
        }
        segments.sort { $0.first < $1.first }
        var last = recovered.snapshotSequence
        var maximum = recovered.snapshotSequence
        for segment in segments {
            let path = directory == "." ? segment.name : "\(directory == "/" ? "" : directory)/\(segment.name)"
            maximum = max(maximum, segment.first > 0 ? segment.first - 1 : 0)
            guard let bytes = try fileSystem.read(path) else { continue }
            let read: JournalFormat.Segment
            do {
                read = try JournalFormat.readSegment(bytes)
            } catch {
                logger.error("write-ahead log segment cannot be read", metadata: ["file": "\(path)", "err": "\(error)"])
                recovered.damagedSegments.append(path)
                recovered.needsSnapshot = true
                continue
            }
            for damage in read.damage {
                logger.error(
                    "write-ahead log is damaged; the records in the damaged bytes are lost",
                    metadata: [
                        "file": "\(path)", "offset": "\(damage.offset)", "bytes": "\(damage.length)", "err": "\(damage.reason)",
                    ]
                )
            }
            if !read.damage.isEmpty {
                recovered.damagedSegments.append(path)
                recovered.needsSnapshot = true
            }
            for (sequence, _, record) in read.records {
                maximum = max(maximum, sequence)
                // Records the snapshot holds, and any a torn rewrite left twice, are skipped.
                guard sequence > last else { continue }
                if sequence != last + 1 {
                    logger.error(
                        "write-ahead log has a gap; the missing records are lost",
                        metadata: ["file": "\(path)", "from": "\(last + 1)", "to": "\(sequence - 1)"]
                    )
                    recovered.needsSnapshot = true
                }
                recovered.records.append(record)
                last = sequence
            }
        }
        recovered.nextSequence = maximum + 1
        return recovered
    }
}
