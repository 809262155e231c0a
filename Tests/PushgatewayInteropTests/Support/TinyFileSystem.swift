import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `body` with a tmpfs of `megabytes` MiB mounted on a new directory, unmounted afterwards; cancels the test
/// (with the reason) where mounting is not permitted.
func withTinyFileSystem<T>(megabytes: Int, _ body: (String) async throws -> T) async throws -> T {
    let directory = try TemporaryDirectory.shared.file(named: "tmpfs-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let mount = try await ChildProcess.run("mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", directory])
    guard mount.status == 0 else {
        try Test.cancel(
            "mount -t tmpfs is not permitted here (\(mount.output.trimmingCharacters(in: .whitespacesAndNewlines))); the disk-full test needs root (CAP_SYS_ADMIN)"
        )
    }
    func unmount() async {
        if (try? await ChildProcess.run("umount", [directory]))?.status != 0 {
            _ = try? await ChildProcess.run("umount", ["-l", directory])
        }
    }
    do {
        let value = try await body(directory)
        await unmount()
        return value
    } catch {
        await unmount()
        throw error
    }
}

/// Writes zeros to a new file at `path` until the file system refuses (ENOSPC), and returns how many bytes fit.
func fillFileSystem(with path: String) throws -> Int {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw PeerError("cannot create \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let chunk = [UInt8](repeating: 0, count: 1 << 20)
    var total = 0
    // Bounded: no test file system is anywhere near 64 GiB.
    for _ in 0..<65_536 {
        let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written > 0 else { break }
        total += written
    }
    return total
}
