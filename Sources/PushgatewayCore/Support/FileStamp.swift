#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What tells a file's versions apart without reading it: inode, size and modification time.
package struct FileStamp: Hashable, Sendable {
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int64
    var modifiedNanoseconds: Int64

    /// The stamp of the file at `path` (following links), or nil when it cannot be read.
    package init?(path: String) {
        // Read here, in a module without NIO, for the same reason as `Timestamp.now()`: `stat` must come from
        // the C library's module.
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.inode = UInt64(info.st_ino)
        self.size = Int64(info.st_size)
        #if canImport(Darwin)
            self.modifiedSeconds = Int64(info.st_mtimespec.tv_sec)
            self.modifiedNanoseconds = Int64(info.st_mtimespec.tv_nsec)
        #else
            self.modifiedSeconds = Int64(info.st_mtim.tv_sec)
            self.modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
        #endif
    }
}
