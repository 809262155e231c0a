public import PushgatewayCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// The persistence file format (ours; upstream's Go gob file is only read, once, by GoPersistenceTakeover):
//
//   magic "PGWSTORE", format version (1 byte, currently 2)
//   version 2 only: the sequence number of the last write-ahead log record the snapshot holds (8 bytes, LE)
//   per group: varint length, the group record, CRC-32 (IEEE, LE) of the record
//     varint label count, per label: varint length + name, varint length + value
//     varint family count, per family: int64 seconds (LE), int32 nanos (LE), varint length + MetricFamily
//   trailer: varint 0 (an empty record cannot be a group), magic "PGWEND", varint group count
//
// The trailer makes a truncated file detectable, the checksums a damaged one; every length is checked
// against what remains.

/// Reads and writes the store's persistence file.
public enum PersistenceFile {
    static let magic = Array("PGWSTORE".utf8)
    static let trailerMagic = Array("PGWEND".utf8)
    /// The format version this build writes (it reads 1 and 2).
    public static let version: UInt8 = 2

    /// One group as the file stores it: its key and each family as a `MetricFamily` message with its
    /// write time, in name order.
    struct EncodedGroup: Sendable {
        var key: GroupingKey
        var families: [(time: Timestamp, message: [UInt8])]
    }

    /// Encodes groups into the file format.
    public static func encode(_ groups: [MetricGroupSnapshot]) -> [UInt8] {
        let codec = ProtobufCodec()
        return Self.encode(
            encoded: groups.map { group in
                EncodedGroup(key: group.key, families: group.families.map { ($0.time, codec.encodeMessage($0.family)) })
            }
        )
    }

    /// Encodes groups whose families are already `MetricFamily` messages (the store's own encodings), as the
    /// state after log record `sequence`.
    static func encode(encoded groups: [EncodedGroup], sequence: UInt64 = 0) -> [UInt8] {
        var output = Self.magic
        output.append(Self.version)
        appendLittleEndian(sequence, bytes: 8, to: &output)
        var record: [UInt8] = []
        for group in groups {
            record.removeAll(keepingCapacity: true)
            WireWriter.appendVarint(UInt64(group.key.labels.count), to: &record)
            for label in group.key.labels {
                Self.appendString(label.name, to: &record)
                Self.appendString(label.value, to: &record)
            }
            WireWriter.appendVarint(UInt64(group.families.count), to: &record)
            for family in group.families {
                Self.appendInteger(UInt64(bitPattern: family.time.seconds), bytes: 8, to: &record)
                Self.appendInteger(UInt64(UInt32(bitPattern: family.time.nanos)), bytes: 4, to: &record)
                WireWriter.appendVarint(UInt64(family.message.count), to: &record)
                record.append(contentsOf: family.message)
            }
            WireWriter.appendVarint(UInt64(record.count), to: &output)
            output.append(contentsOf: record)
            Self.appendInteger(UInt64(CRC32.ieee.checksum(record)), bytes: 4, to: &output)
        }
        output.append(0)
        output.append(contentsOf: Self.trailerMagic)
        WireWriter.appendVarint(UInt64(groups.count), to: &output)
        return output
    }

    /// Decodes a whole file.
    /// - Throws: ``PersistenceError`` saying what is wrong and at which byte offset.
    public static func decode(_ bytes: [UInt8]) throws(PersistenceError) -> [MetricGroupSnapshot] {
        try Self.decodeSnapshot(bytes).groups
    }

    /// Decodes a whole file with the number of the last log record it holds (0 for format 1).
    /// - Throws: ``PersistenceError`` saying what is wrong and at which byte offset.
    static func decodeSnapshot(_ bytes: [UInt8]) throws(PersistenceError) -> (groups: [MetricGroupSnapshot], sequence: UInt64) {
        var reader = Reader(bytes: bytes)
        guard try reader.take(Self.magic.count) == Self.magic else {
            throw PersistenceError(.notAPersistenceFile, offset: 0, "not a persistence file of this gateway (bad magic)")
        }
        let version = try reader.take(1)[0]
        guard version == 1 || version == 2 else {
            throw PersistenceError(
                .unsupportedVersion,
                offset: Self.magic.count,
                "unsupported format version \(version) (this build reads 1 and 2)"
            )
        }
        let sequence = version == 2 ? try reader.integer(bytes: 8) : 0
        let codec = ProtobufCodec()
        var groups: [MetricGroupSnapshot] = []
        while true {
            let recordStart = reader.offset
            let length = try reader.varint()
            if length == 0 {
                break
            }
            let recordBytes = try reader.take(length)
            let checksum = UInt32(try reader.integer(bytes: 4))
            guard checksum == CRC32.ieee.checksum(recordBytes) else {
                throw PersistenceError(.corrupt, offset: recordStart, "group record at offset \(recordStart) fails its checksum")
            }
            var record = Reader(bytes: recordBytes, base: reader.offset - length - 4)
            var labels: [LabelPair] = []
            for _ in 0..<(try record.varint()) {
                labels.append(LabelPair(name: try record.string(), value: try record.string()))
            }
            var families: [MetricGroupSnapshot.TimestampedFamily] = []
            for _ in 0..<(try record.varint()) {
                let seconds = Int64(bitPattern: try record.integer(bytes: 8))
                let nanos = Int32(bitPattern: UInt32(try record.integer(bytes: 4)))
                let messageOffset = record.offset
                let message = try record.take(try record.varint())
                do {
                    let family = try codec.decodeMessage(message)
                    families.append(.init(family: family, time: Timestamp(seconds: seconds, nanos: nanos)))
                } catch {
                    throw PersistenceError(.corrupt, offset: messageOffset, "metric family does not decode: \(error.message)")
                }
            }
            guard record.isAtEnd else {
                throw PersistenceError(.corrupt, offset: record.offset, "group record at offset \(recordStart) has trailing bytes")
            }
            groups.append(MetricGroupSnapshot(key: GroupingKey(labels), families: families))
        }
        guard try reader.take(Self.trailerMagic.count) == Self.trailerMagic else {
            throw PersistenceError(.corrupt, offset: reader.offset, "missing end marker")
        }
        let count = try reader.varint()
        guard count == groups.count, reader.isAtEnd else {
            throw PersistenceError(.corrupt, offset: reader.offset, "end marker says \(count) groups, the file holds \(groups.count)")
        }
        return (groups, sequence)
    }

    private static func appendString(_ string: String, to buffer: inout [UInt8]) {
        WireWriter.appendVarint(UInt64(string.utf8.count), to: &buffer)
        buffer.append(contentsOf: string.utf8)
    }

    private static func appendInteger(_ value: UInt64, bytes: Int, to buffer: inout [UInt8]) {
        for index in 0..<bytes {
            buffer.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))))
        }
    }

    /// A bounds-checked cursor; running out of bytes is a truncated file.
    private struct Reader {
        let bytes: ArraySlice<UInt8>
        let base: Int
        private(set) var position: Int

        init(bytes: some Collection<UInt8>, base: Int = 0) {
            self.bytes = ArraySlice(bytes)
            self.base = base
            self.position = self.bytes.startIndex
        }

        var offset: Int { self.base + self.position - self.bytes.startIndex }
        var isAtEnd: Bool { self.position == self.bytes.endIndex }

        mutating func take(_ count: Int) throws(PersistenceError) -> [UInt8] {
            guard count >= 0, self.bytes.endIndex - self.position >= count else {
                throw PersistenceError(.truncated, offset: self.offset, "file ends inside a record (truncated)")
            }
            defer { self.position += count }
            return Array(self.bytes[self.position..<(self.position + count)])
        }

        mutating func varint() throws(PersistenceError) -> Int {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard self.position < self.bytes.endIndex else {
                    throw PersistenceError(.truncated, offset: self.offset, "file ends inside a length (truncated)")
                }
                let byte = self.bytes[self.position]
                self.position += 1
                guard shift < 63 else {
                    throw PersistenceError(.corrupt, offset: self.offset, "malformed length")
                }
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            guard value <= UInt64(Int32.max) else {
                throw PersistenceError(.corrupt, offset: self.offset, "length \(value) is implausible")
            }
            return Int(value)
        }

        mutating func integer(bytes count: Int) throws(PersistenceError) -> UInt64 {
            let bytes = try self.take(count)
            var value: UInt64 = 0
            for (index, byte) in bytes.enumerated() {
                value |= UInt64(byte) << (8 * UInt64(index))
            }
            return value
        }

        mutating func string() throws(PersistenceError) -> String {
            let start = self.offset
            let bytes = try self.take(try self.varint())
            guard let string = String(validating: bytes, as: UTF8.self) else {
                throw PersistenceError(.corrupt, offset: start, "a grouping label is not valid UTF-8")
            }
            return string
        }
    }

    // MARK: Files

    /// Reads and decodes the file at `path`; `nil` when it does not exist.
    public static func read(path: String) throws(PersistenceError) -> [MetricGroupSnapshot]? {
        guard let file = fopen(path, "rb") else {
            if errno == ENOENT {
                return nil
            }
            throw PersistenceError(.io, offset: 0, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count > 0 {
                bytes.append(contentsOf: chunk[..<count])
            }
            if count < chunk.count {
                if ferror(file) != 0 {
                    throw PersistenceError(.io, offset: bytes.count, "cannot read \(path): \(String(cString: strerror(errno)))")
                }
                break
            }
        }
        return try Self.decode(bytes)
    }

    /// Writes `bytes` to `path` atomically: a temporary file in the same directory, fsync, rename, fsync of
    /// the directory. A crash leaves either the old file or the new one (and maybe a temporary file).
    public static func write(_ bytes: [UInt8], to path: String) throws(PersistenceError) {
        let temporary = "\(path).in_progress.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw PersistenceError(.io, offset: 0, "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(temporary)
                throw PersistenceError(.io, offset: written, "cannot write \(temporary): \(reason)")
            }
            written += result
        }
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw PersistenceError(.io, offset: written, "cannot flush \(temporary): \(reason)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw PersistenceError(.io, offset: 0, "cannot rename \(temporary) to \(path): \(reason)")
        }
        let directory = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) : "."
        let directoryDescriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}

/// A persistence file that cannot be read or written.
public struct PersistenceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A broad classification.
    public struct Code: Hashable, Sendable {
        private enum Wrapped: Hashable, Sendable {
            case notAPersistenceFile, unsupportedVersion, truncated, corrupt, io
        }

        private var wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The file does not start with this gateway's magic bytes.
        public static var notAPersistenceFile: Self { Self(.notAPersistenceFile) }
        /// The file was written by a newer format version.
        public static var unsupportedVersion: Self { Self(.unsupportedVersion) }
        /// The file ends early.
        public static var truncated: Self { Self(.truncated) }
        /// The content is inconsistent.
        public static var corrupt: Self { Self(.corrupt) }
        /// The file system refused.
        public static var io: Self { Self(.io) }
    }

    /// What went wrong, broadly.
    public var code: Code
    /// The byte offset in the file where reading failed.
    public var offset: Int
    /// A human-readable explanation.
    public var message: String

    package init(_ code: Code, offset: Int, _ message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    public var description: String {
        "persistence file error at byte \(self.offset): \(self.message)"
    }
}

// `write(2)`, named apart from ``PersistenceFile/write(_:to:)``, which hides it inside the type.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
    #elseif canImport(Musl)
        Musl.write(descriptor, bytes, count)
    #elseif canImport(Darwin)
        Darwin.write(descriptor, bytes, count)
    #endif
}
