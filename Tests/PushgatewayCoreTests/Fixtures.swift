import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Fixtures captured from real peers (see Fixtures/README.md), read by path next to this file.
enum Fixtures {
    static func bytes(_ name: String, filePath: String = #filePath) -> [UInt8] {
        let directory = filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let path = directory + "/Fixtures/" + name
        guard let file = fopen(path, "rb") else {
            Issue.record("fixture \(path) is missing")
            return []
        }
        defer { fclose(file) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            result.append(contentsOf: chunk[..<count])
        }
        return result
    }
}
