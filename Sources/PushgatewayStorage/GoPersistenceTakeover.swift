import Logging
import PushgatewayCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// Taking over the Go Pushgateway's --persistence.file on the first start, so an operator can swap binaries on
// an existing volume. The order keeps a complete store at <file> at every moment of a crash:
//
//   1. decode the whole gob file (a file that does not decode stops the start; nothing is touched);
//   2. keep it: a hard link <file>.go-backup (or .go-backup.1, .2, … when an earlier takeover left one; an
//      existing backup is never replaced), falling back to a copy where the file system has no hard links;
//      fsync of the directory;
//   3. restore the store and write it in this gateway's format over <file> (temporary file, fsync, rename,
//      fsync of the directory).
//
// A crash before 3 leaves the gob file at <file>, which the next start imports again (into a new backup name).

/// Imports a persistence file written by the Go Pushgateway.
enum GoPersistenceTakeover {
    /// How many `.go-backup.N` names are tried before giving up.
    static let maxBackups = 100

    /// If `path` holds a Go Pushgateway persistence file: restores `store` from it, keeps it as
    /// `<path>.go-backup` and writes this gateway's format at `path`.
    /// - Returns: false (nothing done) when the file is missing or not a gob stream.
    /// - Throws: ``PersistenceError`` when the Go file cannot be decoded (with the decoder's message and byte
    ///   offset), kept, or replaced.
    static func importIfGoFile(into store: MetricStore, at path: String, logger: Logger) throws(PersistenceError) -> Bool {
        guard let head = try Self.contents(of: path, upTo: 64), GoPersistenceFile.isGoPersistenceFile(head) else {
            return false
        }
        guard let bytes = try Self.contents(of: path) else {
            return false
        }
        let groups: [MetricGroupSnapshot]
        do {
            groups = try GoPersistenceFile.decode(bytes)
        } catch {
            throw PersistenceError(
                error.code == .truncated ? .truncated : .corrupt,
                offset: error.offset,
                "a Go Pushgateway persistence file that cannot be imported: \(error.message)"
            )
        }
        let backup = try Self.keep(path, bytes: bytes)
        store.restore(groups)
        try PersistenceFile.write(store.persistenceImage(), to: path)
        logger.info(
            "imported \(groups.count) groups from a Go Pushgateway persistence file",
            metadata: ["file": "\(path)", "backup": "\(backup)"]
        )
        return true
    }

    /// Keeps the file at `path` under the first free backup name and returns that name.
    private static func keep(_ path: String, bytes: [UInt8]) throws(PersistenceError) -> String {
        for number in 0..<Self.maxBackups {
            let backup = number == 0 ? "\(path).go-backup" : "\(path).go-backup.\(number)"
            if link(path, backup) == 0 {
                Self.syncDirectory(of: path)
                return backup
            }
            let linkError = errno
            if linkError == EEXIST {
                continue
            }
            // No hard links here (EPERM, EXDEV, ENOTSUP, …): a copy, created exclusively so nothing is replaced.
            let descriptor = open(backup, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if descriptor < 0 && errno == EEXIST {
                continue
            }
            guard descriptor >= 0 else {
                throw PersistenceError(
                    .io,
                    offset: 0,
                    "cannot keep the Go Pushgateway persistence file as \(backup): \(String(cString: strerror(linkError)))"
                )
            }
            var written = 0
            while written < bytes.count {
                let result = bytes.withUnsafeBytes { buffer in
                    writeBytes(descriptor, buffer.baseAddress.map { $0 + written }, bytes.count - written)
                }
                if result < 0 && errno == EINTR {
                    continue
                }
                guard result > 0 else {
                    let reason = String(cString: strerror(errno))
                    close(descriptor)
                    unlink(backup)
                    throw PersistenceError(.io, offset: written, "cannot write \(backup): \(reason)")
                }
                written += result
            }
            guard fsync(descriptor) == 0, close(descriptor) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(backup)
                throw PersistenceError(.io, offset: written, "cannot flush \(backup): \(reason)")
            }
            Self.syncDirectory(of: path)
            return backup
        }
        throw PersistenceError(
            .io,
            offset: 0,
            "cannot keep the Go Pushgateway persistence file: \(path).go-backup and .go-backup.1 to .\(Self.maxBackups - 1) exist"
        )
    }

    private static func syncDirectory(of path: String) {
        let directory = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) : "."
        let descriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
    }

    /// The file's bytes (at most `limit`); nil when it does not exist.
    private static func contents(of path: String, upTo limit: Int = .max) throws(PersistenceError) -> [UInt8]? {
        guard let file = fopen(path, "rb") else {
            if errno == ENOENT {
                return nil
            }
            throw PersistenceError(.io, offset: 0, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(limit, 1 << 16))
        while bytes.count < limit {
            let count = fread(&chunk, 1, min(chunk.count, limit - bytes.count), file)
            bytes.append(contentsOf: chunk[..<count])
            if count == 0 {
                guard ferror(file) == 0 else {
                    throw PersistenceError(.io, offset: bytes.count, "cannot read \(path): \(String(cString: strerror(errno)))")
                }
                break
            }
        }
        return bytes
    }
}

// `write(2)`, named apart from ``PersistenceFile/write(_:to:)``.
private func writeBytes(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
    #elseif canImport(Musl)
        Musl.write(descriptor, bytes, count)
    #elseif canImport(Darwin)
        Darwin.write(descriptor, bytes, count)
    #endif
}
