import PushgatewayStorage
import Synchronization

/// A file system in memory that loses, at a simulated power cut (``crash(keepingUnsynced:)``), everything a
/// real one may lose: file bytes appended after the file's last sync, and names created, renamed or removed after
/// their directory's last sync. It can also be made to fail (a full disk, an I/O error).
final class SimulatedFileSystem: PersistenceFileSystem {
    private struct Inode {
        var data: [UInt8] = []
        /// What a power cut leaves of the file.
        var synced: [UInt8] = []
    }

    private struct State {
        var inodes: [Int: Inode] = [:]
        var nextInode = 0
        /// The names as the running system sees them, and as they are on stable storage.
        var names: [String: Int] = [:]
        var durableNames: [String: Int] = [:]
        /// While set, every write, sync, create and rename fails with this error.
        var failure: String?
        var operations = 0
    }

    private let state: Mutex<State>

    init() {
        self.state = Mutex(State())
    }

    private init(_ state: State) {
        self.state = Mutex(state)
    }

    /// Makes writes fail (`"No space left on device"`, say) until called with nil.
    func failWrites(_ reason: String?) {
        self.state.withLock { $0.failure = reason }
    }

    /// Counts the operations that changed something (appends, syncs, renames...).
    var operations: Int {
        self.state.withLock { $0.operations }
    }

    /// What a machine that lost power now would find on its disk: every name as of its directory's last sync,
    /// every file as of its last sync, and with `keepingUnsynced` a prefix of what was written after it (the
    /// page cache may have flushed part of it: a torn write).
    func crash(keepingUnsynced: (_ unsyncedBytes: Int) -> Int = { _ in 0 }) -> SimulatedFileSystem {
        self.state.withLock { state in
            var after = State()
            after.nextInode = state.nextInode
            for (path, inode) in state.durableNames {
                guard var file = state.inodes[inode] else { continue }
                let extra =
                    file.data.count > file.synced.count && file.data.starts(with: file.synced) ? file.data.count - file.synced.count : 0
                let kept = min(extra, max(0, keepingUnsynced(extra)))
                file.data = file.synced + file.data[file.synced.count..<(file.synced.count + kept)]
                file.synced = file.data
                after.inodes[inode] = file
                after.names[path] = inode
                after.durableNames[path] = inode
            }
            return SimulatedFileSystem(after)
        }
    }

    /// The file's bytes as the running system sees them.
    func contents(_ path: String) -> [UInt8]? {
        self.state.withLock { state in state.names[path].flatMap { state.inodes[$0]?.data } }
    }

    /// Replaces a file's bytes, durably (for damage injected by tests).
    func overwrite(_ path: String, with bytes: [UInt8]) {
        self.state.withLock { state in
            guard let inode = state.names[path] else { return }
            state.inodes[inode] = Inode(data: bytes, synced: bytes)
        }
    }

    /// Every name, sorted.
    var paths: [String] {
        self.state.withLock { $0.names.keys.sorted() }
    }

    // MARK: PersistenceFileSystem

    func read(_ path: String) throws(PersistenceError) -> [UInt8]? {
        self.contents(path)
    }

    func list(_ directory: String) throws(PersistenceError) -> [String] {
        self.state.withLock { state in
            state.names.keys.filter { Self.directory(of: $0) == directory }.map { Self.name(of: $0) }
        }
    }

    func create(_ path: String) throws(PersistenceError) -> any AppendOnlyFile {
        let inode = try self.mutate { state throws(PersistenceError) -> Int in
            let inode = state.nextInode
            state.nextInode += 1
            state.inodes[inode] = Inode()
            state.names[path] = inode
            return inode
        }
        return SimulatedFile(system: self, inode: inode)
    }

    func rename(_ from: String, to: String) throws(PersistenceError) {
        try self.mutate { state throws(PersistenceError) in
            guard let inode = state.names.removeValue(forKey: from) else {
                throw PersistenceError(.io, offset: 0, "cannot rename \(from): No such file or directory")
            }
            state.names[to] = inode
        }
    }

    func remove(_ path: String) throws(PersistenceError) {
        try self.mutate { state throws(PersistenceError) in
            state.names.removeValue(forKey: path)
        }
    }

    func syncDirectory(_ directory: String) throws(PersistenceError) {
        try self.mutate { state throws(PersistenceError) in
            state.durableNames = state.durableNames.filter { Self.directory(of: $0.key) != directory }
            for (path, inode) in state.names where Self.directory(of: path) == directory {
                state.durableNames[path] = inode
            }
        }
    }

    fileprivate func append(_ bytes: [UInt8], to inode: Int) throws(PersistenceError) {
        try self.mutate { state throws(PersistenceError) in state.inodes[inode]?.data.append(contentsOf: bytes) }
    }

    fileprivate func sync(_ inode: Int) throws(PersistenceError) {
        try self.mutate { state throws(PersistenceError) in
            if let data = state.inodes[inode]?.data {
                state.inodes[inode]?.synced = data
            }
        }
    }

    fileprivate func truncate(_ inode: Int, to length: Int) throws(PersistenceError) {
        try self.mutate { state throws(PersistenceError) in
            if let data = state.inodes[inode]?.data, data.count > length {
                state.inodes[inode]?.data = Array(data[..<length])
            }
        }
    }

    private func mutate<Result>(_ body: (inout State) throws(PersistenceError) -> Result) throws(PersistenceError) -> Result {
        try self.state.withLock { state throws(PersistenceError) -> Result in
            if let failure = state.failure {
                throw PersistenceError(.io, offset: 0, failure)
            }
            state.operations += 1
            return try body(&state)
        }
    }
}

private final class SimulatedFile: AppendOnlyFile {
    let system: SimulatedFileSystem
    let inode: Int

    init(system: SimulatedFileSystem, inode: Int) {
        self.system = system
        self.inode = inode
    }

    func append(_ bytes: [UInt8]) throws(PersistenceError) { try self.system.append(bytes, to: self.inode) }
    func sync() throws(PersistenceError) { try self.system.sync(self.inode) }
    func truncate(to length: Int) throws(PersistenceError) { try self.system.truncate(self.inode, to: length) }
    func close() {}
}
