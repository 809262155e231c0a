package import PushgatewayCore

// The write-ahead log's format.
//
//   segment file: magic "PGWLOG01", the sequence number of its first record (8 bytes, LE), then records
//   record:       magic "PGWR", payload length (4 bytes, LE), sequence number (8 bytes, LE),
//                 CRC-32 (IEEE, LE) of the sequence number's 8 bytes and the payload, payload
//   payload:      kind (1 byte): 1 write, 2 delete, 3 wipe
//                 write:  grouping labels (varint count, then varint-length name and value each), the family
//                         names removed (varint count, varint-length names), the families written (varint
//                         count, then per family int64 seconds and int32 nanos (LE) of its write time and a
//                         varint-length MetricFamily message, exactly as a snapshot holds it)
//                 delete: grouping labels
//
// Every record carries its own magic, length and checksum, so a reader that meets a damaged one (a torn write
// at the end, a flipped bit, a zeroed page) can find the next intact record and go on.

/// One change of the store, as the write-ahead log holds it: replaying the records in sequence order on top
/// of the snapshot they follow rebuilds the store.
package enum JournalRecord: Hashable, Sendable {
    /// Families written to a group (a push, or the bookkeeping of a failed one), after the families
    /// `removing` were removed from it (a PUT's replaced families).
    case write(key: GroupingKey, removing: [String], families: [JournalFamily])
    /// A group deleted.
    case delete(GroupingKey)
    /// Every group deleted.
    case wipe
}

/// One family in a write record: the `MetricFamily` message as the store holds it, and when it was written.
package struct JournalFamily: Hashable, Sendable {
    package var time: Timestamp
    package var message: [UInt8]

    package init(time: Timestamp, message: [UInt8]) {
        self.time = time
        self.message = message
    }
}

/// Encodes and reads log segments.
package enum JournalFormat {
    package static let segmentMagic = Array("PGWLOG01".utf8)
    package static let recordMagic = Array("PGWR".utf8)
    /// Segment magic and first sequence number.
    package static let segmentHeaderSize = 16
    /// Record magic, length, sequence number and checksum.
    package static let recordHeaderSize = 20
    /// No record is larger (a push is limited to far less by `--push.max-body-size`'s default; a larger length is
    /// damage).
    package static let maximumPayload = 1 << 31 - 1

    /// A segment file's header.
    package static func segmentHeader(firstSequence: UInt64) -> [UInt8] {
        var header = Self.segmentMagic
        appendLittleEndian(firstSequence, bytes: 8, to: &header)
        return header
    }

    /// Appends a framed record to `buffer`.
    package static func appendRecord(_ record: JournalRecord, sequence: UInt64, to buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.append(contentsOf: Self.recordMagic)
        buffer.append(contentsOf: [0, 0, 0, 0])
        appendLittleEndian(sequence, bytes: 8, to: &buffer)
        buffer.append(contentsOf: [0, 0, 0, 0])
        let payloadStart = buffer.count
        Self.appendPayload(record, to: &buffer)
        let length = buffer.count - payloadStart
        for index in 0..<4 {
            buffer[start + 4 + index] = UInt8(truncatingIfNeeded: length >> (8 * index))
        }
        let checksum = buffer.withUnsafeBytes { raw in
            var crc = CRC32.ieee.checksum(UnsafeRawBufferPointer(rebasing: raw[(start + 8)..<(start + 16)]))
            crc = CRC32.ieee.checksum(UnsafeRawBufferPointer(rebasing: raw[payloadStart...]), continuing: crc)
            return crc
        }
        for index in 0..<4 {
            buffer[start + 16 + index] = UInt8(truncatingIfNeeded: checksum >> (8 * UInt32(index)))
        }
    }

    private static func appendPayload(_ record: JournalRecord, to buffer: inout [UInt8]) {
        switch record {
        case .write(let key, let removing, let families):
            buffer.append(1)
            Self.appendKey(key, to: &buffer)
            WireWriter.appendVarint(UInt64(removing.count), to: &buffer)
            for name in removing {
                Self.appendString(name, to: &buffer)
            }
            WireWriter.appendVarint(UInt64(families.count), to: &buffer)
            for family in families {
                appendLittleEndian(UInt64(bitPattern: family.time.seconds), bytes: 8, to: &buffer)
                appendLittleEndian(UInt64(UInt32(bitPattern: family.time.nanos)), bytes: 4, to: &buffer)
                WireWriter.appendVarint(UInt64(family.message.count), to: &buffer)
                buffer.append(contentsOf: family.message)
            }
        case .delete(let key):
            buffer.append(2)
            Self.appendKey(key, to: &buffer)
        case .wipe:
            buffer.append(3)
        }
    }

    private static func appendKey(_ key: GroupingKey, to buffer: inout [UInt8]) {
        WireWriter.appendVarint(UInt64(key.labels.count), to: &buffer)
        for label in key.labels {
            Self.appendString(label.name, to: &buffer)
            Self.appendString(label.value, to: &buffer)
        }
    }

    private static func appendString(_ string: String, to buffer: inout [UInt8]) {
        WireWriter.appendVarint(UInt64(string.utf8.count), to: &buffer)
        buffer.append(contentsOf: string.utf8)
    }

    // MARK: Reading

    /// A segment as read back: its intact records in file order and the byte ranges that were not.
    package struct Segment: Sendable {
        /// The sequence number the header announces.
        package var firstSequence: UInt64
        /// Intact records with their sequence numbers and byte offsets.
        package var records: [(sequence: UInt64, offset: Int, record: JournalRecord)]
        /// Damaged ranges: where each starts, how many bytes it spans and why it was rejected.
        package var damage: [(offset: Int, length: Int, reason: String)]
    }

    /// Reads a segment, skipping over damaged ranges to the next intact record.
    /// - Throws: ``PersistenceError`` when the header itself is not a segment's.
    package static func readSegment(_ bytes: [UInt8]) throws(PersistenceError) -> Segment {
        guard bytes.count >= Self.segmentHeaderSize, Array(bytes[0..<8]) == Self.segmentMagic else {
            throw PersistenceError(.notAPersistenceFile, offset: 0, "not a write-ahead log segment (bad magic)")
        }
        var segment = Segment(firstSequence: littleEndian(bytes, at: 8, bytes: 8), records: [], damage: [])
        var offset = Self.segmentHeaderSize
        while offset < bytes.count {
            switch Self.record(in: bytes, at: offset) {
            case .success(let (sequence, record, end)):
                segment.records.append((sequence, offset, record))
                offset = end
            case .failure(let error):
                // Look for the next offset where an intact record starts; everything before it is lost.
                var next = offset + 1
                while next < bytes.count {
                    if bytes[next] == Self.recordMagic[0], case .success = Self.record(in: bytes, at: next) {
                        break
                    }
                    next += 1
                }
                segment.damage.append((offset, next - offset, error.message))
                offset = next
            }
        }
        return segment
    }

    /// The record framed at `offset`, with the offset after it.
    private static func record(
        in bytes: [UInt8],
        at offset: Int
    ) -> Result<(UInt64, JournalRecord, Int), PersistenceError> {
        guard bytes.count - offset >= Self.recordHeaderSize else {
            return .failure(PersistenceError(.truncated, offset: offset, "the log ends inside a record header (a torn write)"))
        }
        guard bytes[offset..<(offset + 4)].elementsEqual(Self.recordMagic) else {
            return .failure(PersistenceError(.corrupt, offset: offset, "no record starts here"))
        }
        let length = Int(littleEndian(bytes, at: offset + 4, bytes: 4))
        let payloadStart = offset + Self.recordHeaderSize
        guard length <= bytes.count - payloadStart else {
            return .failure(PersistenceError(.truncated, offset: offset, "the log ends inside a record (a torn write)"))
        }
        let sequence = littleEndian(bytes, at: offset + 8, bytes: 8)
        let stored = UInt32(littleEndian(bytes, at: offset + 16, bytes: 4))
        let computed = bytes.withUnsafeBytes { raw in
            let crc = CRC32.ieee.checksum(UnsafeRawBufferPointer(rebasing: raw[(offset + 8)..<(offset + 16)]))
            return CRC32.ieee.checksum(UnsafeRawBufferPointer(rebasing: raw[payloadStart..<(payloadStart + length)]), continuing: crc)
        }
        guard stored == computed else {
            return .failure(PersistenceError(.corrupt, offset: offset, "record fails its checksum"))
        }
        var reader = ByteReader(bytes: bytes, start: payloadStart, end: payloadStart + length)
        let decoded = Result { () throws(PersistenceError) -> JournalRecord in try Self.payload(&reader) }
        guard case .success(let record) = decoded else { return decoded.map { (sequence, $0, 0) } }
        guard reader.isAtEnd else {
            return .failure(PersistenceError(.corrupt, offset: reader.position, "record has trailing bytes"))
        }
        return .success((sequence, record, payloadStart + length))
    }

    private static func payload(_ reader: inout ByteReader) throws(PersistenceError) -> JournalRecord {
        switch try reader.byte() {
        case 1:
            let key = try Self.key(&reader)
            var removing: [String] = []
            for _ in 0..<(try reader.varint()) {
                removing.append(try reader.string())
            }
            var families: [JournalFamily] = []
            for _ in 0..<(try reader.varint()) {
                let seconds = Int64(bitPattern: try reader.integer(bytes: 8))
                let nanos = Int32(bitPattern: UInt32(truncatingIfNeeded: try reader.integer(bytes: 4)))
                let message = try reader.take(try reader.varint())
                families.append(JournalFamily(time: Timestamp(seconds: seconds, nanos: nanos), message: message))
            }
            return .write(key: key, removing: removing, families: families)
        case 2:
            return .delete(try Self.key(&reader))
        case 3:
            return .wipe
        case let kind:
            throw PersistenceError(.corrupt, offset: reader.position - 1, "unknown record kind \(kind)")
        }
    }

    private static func key(_ reader: inout ByteReader) throws(PersistenceError) -> GroupingKey {
        var labels: [LabelPair] = []
        for _ in 0..<(try reader.varint()) {
            labels.append(LabelPair(name: try reader.string(), value: try reader.string()))
        }
        return GroupingKey(labels)
    }
}

/// Appends the `count` low bytes of `value`, least significant first.
func appendLittleEndian(_ value: UInt64, bytes count: Int, to buffer: inout [UInt8]) {
    for index in 0..<count {
        buffer.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))))
    }
}

/// The little-endian integer of `count` bytes at `offset` (the caller checked the bounds).
func littleEndian(_ bytes: [UInt8], at offset: Int, bytes count: Int) -> UInt64 {
    var value: UInt64 = 0
    for index in 0..<count {
        value |= UInt64(bytes[offset + index]) << (8 * UInt64(index))
    }
    return value
}

/// A bounds-checked cursor over part of a byte array; running out of bytes is damage.
struct ByteReader {
    let bytes: [UInt8]
    let end: Int
    private(set) var position: Int

    init(bytes: [UInt8], start: Int, end: Int) {
        self.bytes = bytes
        self.position = start
        self.end = end
    }

    var isAtEnd: Bool { self.position == self.end }

    mutating func byte() throws(PersistenceError) -> UInt8 {
        guard self.position < self.end else {
            throw PersistenceError(.corrupt, offset: self.position, "record ends early")
        }
        defer { self.position += 1 }
        return self.bytes[self.position]
    }

    mutating func take(_ count: Int) throws(PersistenceError) -> [UInt8] {
        guard count >= 0, self.end - self.position >= count else {
            throw PersistenceError(.corrupt, offset: self.position, "record ends early")
        }
        defer { self.position += count }
        return Array(self.bytes[self.position..<(self.position + count)])
    }

    mutating func varint() throws(PersistenceError) -> Int {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try self.byte()
            guard shift < 63 else {
                throw PersistenceError(.corrupt, offset: self.position, "malformed length")
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        guard value <= UInt64(Int32.max) else {
            throw PersistenceError(.corrupt, offset: self.position, "length \(value) is implausible")
        }
        return Int(value)
    }

    mutating func integer(bytes count: Int) throws(PersistenceError) -> UInt64 {
        guard self.end - self.position >= count else {
            throw PersistenceError(.corrupt, offset: self.position, "record ends early")
        }
        defer { self.position += count }
        return littleEndian(self.bytes, at: self.position, bytes: count)
    }

    mutating func string() throws(PersistenceError) -> String {
        let start = self.position
        let bytes = try self.take(try self.varint())
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw PersistenceError(.corrupt, offset: start, "a name or label is not valid UTF-8")
        }
        return string
    }
}
