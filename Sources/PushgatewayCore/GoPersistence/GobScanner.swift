// The byte-level half of the gob reader: a cursor over a Go `encoding/gob` stream with the reading verbs of its
// wire format (Go's src/encoding/gob/doc.go, "Encoding Details"):
//
// - an unsigned integer below 128 is one byte; otherwise one byte holding the negated byte count (1...8)
//   followed by the value big-endian, high byte first;
// - a signed integer is an unsigned one whose bit 0 says "complement the rest";
// - strings and byte slices are an unsigned count and that many bytes;
// - a struct is a sequence of (unsigned field-number delta, value) pairs ended by a delta of 0;
// - the stream is a sequence of messages, each an unsigned byte count and that many bytes.
//
// Every read is checked against the end of the current message. A message count beyond the end of the file
// is a truncated file; running off the end of a message the file holds in full is a malformed one.

/// A cursor over a gob stream, confined to the message being read.
struct GobScanner {
    private let bytes: [UInt8]
    /// The index of the next byte to read (equal to the byte offset in the file).
    private(set) var position: Int
    /// The end of the message being read; the end of the file between messages.
    private var limit: Int
    /// Whether a message is being read (rather than the count that starts one).
    private var inMessage = false

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
        self.limit = bytes.count
    }

    /// Whether every byte of the file has been read.
    var isAtEndOfFile: Bool { self.position == self.bytes.count }

    /// Bytes left in the message being read.
    var remainingInMessage: Int { self.limit - self.position }

    // MARK: Messages

    /// Reads a message's byte count and confines every following read to that message.
    /// - Returns: the offset of the message's first byte after the count.
    mutating func beginMessage() throws(GoPersistenceError) -> Int {
        let start = self.position
        let count = try self.nextUnsigned()
        guard count <= UInt64(self.bytes.count - self.position) else {
            throw GoPersistenceError(
                .truncated,
                offset: start,
                "the file ends inside a message of \(count) bytes that starts at byte \(start) (truncated)"
            )
        }
        self.limit = self.position + Int(count)
        self.inMessage = true
        return self.position
    }

    /// Requires that the message was read to its last byte and lifts the confinement.
    /// - Parameter what: what the message held, for the error.
    mutating func endMessage(_ what: @autoclosure () -> String) throws(GoPersistenceError) {
        guard self.position == self.limit else {
            throw GoPersistenceError(
                .malformed,
                offset: self.position,
                "\(self.limit - self.position) bytes left over at the end of the message holding \(what())"
            )
        }
        self.limit = self.bytes.count
        self.inMessage = false
    }

    // MARK: Numbers

    /// Reads one of gob's unsigned integers.
    mutating func nextUnsigned() throws(GoPersistenceError) -> UInt64 {
        let start = self.position
        let first = try self.nextByte()
        if first < 0x80 {
            return UInt64(first)
        }
        let count = -Int(Int8(bitPattern: first))
        guard count <= 8 else {
            throw GoPersistenceError(.malformed, offset: start, "an unsigned integer claims \(count) bytes; gob allows at most 8")
        }
        var value: UInt64 = 0
        for _ in 0..<count {
            value = value << 8 | UInt64(try self.nextByte())
        }
        return value
    }

    /// Reads one of gob's signed integers.
    mutating func nextSigned() throws(GoPersistenceError) -> Int64 {
        let value = try self.nextUnsigned()
        // Bit 0 set: the remaining bits are the complement of the value (so Int64.min needs no special case).
        return value & 1 == 1 ? ~Int64(bitPattern: value >> 1) : Int64(bitPattern: value >> 1)
    }

    /// Reads the element count of a map, slice or array. Every element takes at least one byte, so a count
    /// beyond what the message holds is refused before anything is allocated for it.
    /// - Parameter what: what is counted, for the error.
    mutating func nextCount(of what: @autoclosure () -> String) throws(GoPersistenceError) -> Int {
        let start = self.position
        let count = try self.nextUnsigned()
        guard count <= UInt64(self.remainingInMessage) else {
            throw self.overrun(start, "\(what()) claims \(count) elements but its message holds \(self.remainingInMessage) more bytes")
        }
        return Int(count)
    }

    /// Reads the next field number of a struct (field numbers are sent as deltas from the previous one, which
    /// starts at -1); nil at the struct's end mark.
    /// - Parameters:
    ///   - previous: the field number read last, -1 at the start of the struct.
    ///   - fieldCount: how many fields the struct has; a larger number is refused.
    ///   - what: the struct, for the error.
    mutating func nextField(
        after previous: Int,
        of fieldCount: Int,
        in what: @autoclosure () -> String
    ) throws(GoPersistenceError) -> Int? {
        let start = self.position
        let delta = try self.nextUnsigned()
        if delta == 0 {
            return nil
        }
        guard delta <= UInt64(fieldCount), previous + Int(delta) < fieldCount else {
            throw GoPersistenceError(
                .malformed,
                offset: start,
                "field delta \(delta) after field \(previous) of \(what()) is beyond its \(fieldCount) fields"
            )
        }
        return previous + Int(delta)
    }

    // MARK: Strings and byte slices

    /// Reads a byte slice (or a GobEncoder's bytes): a count and that many bytes.
    /// - Returns: the range of the bytes in the file.
    mutating func nextByteRange(of what: @autoclosure () -> String) throws(GoPersistenceError) -> Range<Int> {
        let start = self.position
        let count = try self.nextUnsigned()
        guard count <= UInt64(self.remainingInMessage) else {
            throw self.overrun(start, "\(what()) claims \(count) bytes but its message holds \(self.remainingInMessage) more")
        }
        let range = self.position..<(self.position + Int(count))
        self.position = range.upperBound
        return range
    }

    /// Reads a string's bytes without interpreting them.
    mutating func nextStringBytes(of what: @autoclosure () -> String) throws(GoPersistenceError) -> ArraySlice<UInt8> {
        self.bytes[try self.nextByteRange(of: what())]
    }

    /// Reads a string that must be valid UTF-8.
    mutating func nextString(of what: @autoclosure () -> String) throws(GoPersistenceError) -> String {
        let start = self.position
        let bytes = try self.nextStringBytes(of: what())
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw GoPersistenceError(.invalidUTF8, offset: start, "\(what()) is not valid UTF-8: \(GoQuote.string(Array(bytes)))")
        }
        return string
    }

    /// The bytes at `range` (from ``nextByteRange(of:)``).
    subscript(range: Range<Int>) -> ArraySlice<UInt8> {
        self.bytes[range]
    }

    // MARK: Bytes

    private mutating func nextByte() throws(GoPersistenceError) -> UInt8 {
        guard self.position < self.limit else {
            throw self.overrun(self.position, "a number runs past the end of its message")
        }
        defer { self.position += 1 }
        return self.bytes[self.position]
    }

    /// Running past the end: inside a message (whose count the file holds in full) the message is malformed;
    /// in a message count the file was cut short.
    private func overrun(_ offset: Int, _ message: String) -> GoPersistenceError {
        self.inMessage
            ? GoPersistenceError(.malformed, offset: offset, message)
            : GoPersistenceError(.truncated, offset: offset, "the file ends inside a message count (truncated)")
    }
}
