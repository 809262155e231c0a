import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file operations persistence uses, and nothing else, so that a test can stand in for the disk and
/// lose what a power cut loses (``SimulatedFileSystem``).
///
/// Durability follows POSIX: a file's bytes are on stable storage once ``PersistenceFile/sync()`` returned, a
/// created, renamed or removed name once its directory was synced with ``syncDirectory(_:)``.
package protocol PersistenceFileSystem: Sendable {
    /// The whole file, or nil when it does not exist.
    func read(_ path: String) throws(PersistenceError) -> [UInt8]?
    /// The names in `directory` (without `.` and `..`).
    func list(_ directory: String) throws(PersistenceError) -> [String]
    /// Creates (or empties) `path` for appending.
    func create(_ path: String) throws(PersistenceError) -> any AppendOnlyFile
    /// Renames `from` to `to`, replacing `to` if it exists.
    func rename(_ from: String, to: String) throws(PersistenceError)
    /// Removes `path`; a missing file is not an error.
    func remove(_ path: String) throws(PersistenceError)
    /// Makes the names created, renamed or removed in `directory` durable.
    func syncDirectory(_ directory: String) throws(PersistenceError)
}

/// A file being written from its start, one append after another.
package protocol AppendOnlyFile: Sendable {
    /// Appends all of `bytes`.
    func append(_ bytes: [UInt8]) throws(PersistenceError)
    /// Puts everything appended so far on stable storage (`fdatasync`).
    func sync() throws(PersistenceError)
    /// Cuts the file back to `length` bytes.
    func truncate(to length: Int) throws(PersistenceError)
    /// Closes the file; later calls fail.
    func close()
}

extension PersistenceFileSystem {
    /// Writes `bytes` to `path` so that a crash leaves either the old file or the new one: a temporary file in
    /// the same directory, synced, renamed over `path`, and the directory synced.
    package func writeAtomically(_ bytes: [UInt8], to path: String) throws(PersistenceError) {
        let temporary = "\(path).in_progress"
        let file = try self.create(temporary)
        do {
            try file.append(bytes)
            try file.sync()
            file.close()
            try self.rename(temporary, to: path)
        } catch {
            file.close()
            try? self.remove(temporary)
            throw error
        }
        try self.syncDirectory(Self.directory(of: path))
    }

    /// The directory holding `path` (`.` for a bare name).
    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of `path`.
    package static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// The real file system, through POSIX calls.
package struct POSIXFileSystem: PersistenceFileSystem {
    package init() {}

    package func read(_ path: String) throws(PersistenceError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw Self.error("cannot open \(path)")
        }
        defer { _ = systemClose(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.error("cannot read \(path)", offset: bytes.count)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    package func list(_ directory: String) throws(PersistenceError) -> [String] {
        guard let stream = opendir(directory) else {
            // A directory that does not exist yet holds nothing; writing into it fails later, with its own error.
            if errno == ENOENT { return [] }
            throw Self.error("cannot list \(directory)")
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." {
                names.append(name)
            }
        }
        return names
    }

    package func create(_ path: String) throws(PersistenceError) -> any AppendOnlyFile {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Self.error("cannot create \(path)")
        }
        return POSIXFile(descriptor: descriptor, path: path)
    }

    package func rename(_ from: String, to: String) throws(PersistenceError) {
        guard systemRename(from, to) == 0 else {
            throw Self.error("cannot rename \(from) to \(to)")
        }
    }

    package func remove(_ path: String) throws(PersistenceError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw Self.error("cannot remove \(path)")
        }
    }

    package func syncDirectory(_ directory: String) throws(PersistenceError) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw Self.error("cannot open directory \(directory)")
        }
        defer { _ = systemClose(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw Self.error("cannot sync directory \(directory)")
        }
    }

    /// An I/O error with `errno`'s text, read at once (before anything else can change it).
    static func error(_ what: String, offset: Int = 0) -> PersistenceError {
        PersistenceError(.io, offset: offset, "\(what): \(String(cString: strerror(errno)))")
    }
}

/// A descriptor opened for appending. Used by one thread at a time (the log's writer), so it holds no lock.
private final class POSIXFile: AppendOnlyFile {
    private let descriptor: Int32
    private let path: String
    private let closed = Atomic<Bool>(false)

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        self.close()
    }

    func append(_ bytes: [UInt8]) throws(PersistenceError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                systemWrite(self.descriptor, raw.baseAddress.map { $0 + written }, raw.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw POSIXFileSystem.error("cannot write \(self.path)", offset: written)
            }
            written += result
        }
    }

    func sync() throws(PersistenceError) {
        while fdatasync(self.descriptor) != 0 {
            if errno == EINTR { continue }
            throw POSIXFileSystem.error("cannot sync \(self.path)")
        }
    }

    func truncate(to length: Int) throws(PersistenceError) {
        guard ftruncate(self.descriptor, off_t(length)) == 0 else {
            throw POSIXFileSystem.error("cannot truncate \(self.path)")
        }
    }

    func close() {
        if !self.closed.exchange(true, ordering: .relaxed) {
            _ = systemClose(self.descriptor)
        }
    }
}

// The C calls whose names the types above use for their own methods.
#if canImport(Glibc)
    private func systemClose(_ descriptor: Int32) -> Int32 { Glibc.close(descriptor) }
    private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        Glibc.read(descriptor, buffer, count)
    }
    private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
        Glibc.write(descriptor, buffer, count)
    }
    private func systemRename(_ from: String, _ to: String) -> Int32 { Glibc.rename(from, to) }
#elseif canImport(Musl)
    private func systemClose(_ descriptor: Int32) -> Int32 { Musl.close(descriptor) }
    private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        Musl.read(descriptor, buffer, count)
    }
    private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
        Musl.write(descriptor, buffer, count)
    }
    private func systemRename(_ from: String, _ to: String) -> Int32 { Musl.rename(from, to) }
#elseif canImport(Darwin)
    private func systemClose(_ descriptor: Int32) -> Int32 { Darwin.close(descriptor) }
    private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        Darwin.read(descriptor, buffer, count)
    }
    private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
        Darwin.write(descriptor, buffer, count)
    }
    private func systemRename(_ from: String, _ to: String) -> Int32 { Darwin.rename(from, to) }
#endif
