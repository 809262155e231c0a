// The Go Pushgateway's --persistence.file (prometheus/pushgateway storage/diskmetricstore.go, persist and
// restore; storage/interface.go) is one gob-encoded value of
//
//   map[string]MetricGroup                      key: the grouping key (names sorted, 0xFF-separated)
//   MetricGroup{Labels map[string]string; Metrics map[string]TimestampedMetricFamily}
//   TimestampedMetricFamily{Timestamp time.Time; GobbableMetricFamily *GobbableMetricFamily}
//
// where GobbableMetricFamily is a GobEncoder writing proto.Marshal of the io.prometheus.client.MetricFamily and
// time.Time a GobEncoder writing its MarshalBinary form. push_time_seconds and push_failure_time_seconds are
// ordinary families of each group there, as they are here.
//
// Only the types the value reaches are held to that schema, matched by field name as Go's decoder matches
// them. The stream defines more: for a GobEncoder type Go's encoder also sends the types of the underlying
// struct's fields (the protobuf DTOs, XXX_ fields included), which nothing reads. A field the schema does not
// have is refused rather than skipped, so nothing in the file is silently dropped.

/// Reads the persistence file of the Go Pushgateway (Go `encoding/gob`), so an operator can swap binaries on
/// an existing volume.
public enum GoPersistenceFile {
    /// Whether `bytes` start like a gob stream: a first message defining a user type (gob sends the
    /// definition of the top-level map type first). Only the first few bytes are looked at, so a file's head
    /// (64 bytes) is enough. This gateway's own format (`PGWSTORE…`) never passes: its first bytes read as a
    /// reserved type id.
    public static func isGoPersistenceFile(_ bytes: some Collection<UInt8>) -> Bool {
        var scanner = GobScanner(Array(bytes.prefix(64)))
        guard let count = try? scanner.nextUnsigned(), count > 0, let id = try? scanner.nextSigned(), id < 0, id > Int64.min,
            -id >= GobType.firstUserID, let delta = try? scanner.nextUnsigned()
        else {
            return false
        }
        // The first field number of the wireType struct: which kind of type is being defined.
        return (1...7).contains(delta)
    }

    /// Decodes a whole file: every group with its grouping labels, and every family with the time of the push
    /// that last wrote it.
    ///
    /// - Returns: the groups sorted by grouping key, each group's families sorted by name (the shape the store
    ///   restores from, and that ``MetricGroupSnapshot`` promises). Families are as Go stored them (already
    ///   sanitised by Go on push), not validated again, as Go does not either.
    /// - Throws: ``GoPersistenceError`` with the byte offset of the first item that is not exactly this schema.
    public static func decode(_ bytes: [UInt8]) throws(GoPersistenceError) -> [MetricGroupSnapshot] {
        var scanner = GobScanner(bytes)
        var types = GobTypeTable()
        var definitions = 0
        while true {
            guard !scanner.isAtEndOfFile else {
                throw GoPersistenceError(
                    .truncated,
                    offset: bytes.count,
                    bytes.isEmpty
                        ? "the file is empty"
                        : "the file ends after \(definitions) type definitions, before the value they describe (truncated)"
                )
            }
            let messageStart = scanner.position
            _ = try scanner.beginMessage()
            let id = try scanner.nextSigned()
            guard id >= 0 else {
                guard id > Int64.min else {
                    throw GoPersistenceError(.invalidTypeDefinition, offset: messageStart, "type id \(id) is out of range")
                }
                try types.define(-id, offset: messageStart, from: &scanner)
                try scanner.endMessage("the definition of type \(-id)")
                definitions += 1
                continue
            }
            let schema = try Schema(resolving: id, in: types, valueOffset: messageStart)
            var decoder = ValueDecoder(schema: schema)
            let groups = try decoder.groups(from: &scanner)
            try scanner.endMessage("the value")
            guard scanner.isAtEndOfFile else {
                throw GoPersistenceError(
                    .malformed,
                    offset: scanner.position,
                    "\(bytes.count - scanner.position) bytes follow the value; the Go Pushgateway writes one value only"
                )
            }
            return groups
        }
    }

    /// The time `time.Time{}` stands for (January 1 of year 1, UTC), which gob leaves out as a zero value.
    static let goZeroTime = Timestamp(seconds: -secondsFromYearOneToUnixEpoch, nanos: 0)
    private static let secondsFromYearOneToUnixEpoch: Int64 = 62_135_596_800

    /// Reads Go's `time.Time.MarshalBinary` form: version 1 or 2, int64 seconds since January 1 of year 1
    /// (UTC), int32 nanoseconds, int16 zone offset in minutes (-1 for UTC), and in version 2 an int8 of
    /// offset seconds; all big-endian. The zone does not change the instant, so it is checked and dropped.
    /// - Parameter offset: where `bytes` start in the file, for errors.
    static func goTime(_ bytes: ArraySlice<UInt8>, offset: Int) throws(GoPersistenceError) -> Timestamp {
        let bytes = Array(bytes)
        guard let version = bytes.first else {
            throw GoPersistenceError(.invalidTime, offset: offset, "a push time holds no bytes")
        }
        guard version == 1 || version == 2 else {
            throw GoPersistenceError(.invalidTime, offset: offset, "a push time has encoding version \(version); Go writes 1 or 2")
        }
        let expected = version == 1 ? 15 : 16
        guard bytes.count == expected else {
            throw GoPersistenceError(
                .invalidTime,
                offset: offset,
                "a push time of version \(version) is \(bytes.count) bytes long; Go writes \(expected)"
            )
        }
        var seconds: UInt64 = 0
        for byte in bytes[1...8] {
            seconds = seconds << 8 | UInt64(byte)
        }
        var nanos: UInt32 = 0
        for byte in bytes[9...12] {
            nanos = nanos << 8 | UInt32(byte)
        }
        guard nanos < 1_000_000_000 else {
            throw GoPersistenceError(.invalidTime, offset: offset, "a push time has \(nanos) nanoseconds, more than a second")
        }
        let (unix, overflow) = Int64(bitPattern: seconds).subtractingReportingOverflow(Self.secondsFromYearOneToUnixEpoch)
        guard !overflow else {
            throw GoPersistenceError(.invalidTime, offset: offset, "a push time is out of range")
        }
        return Timestamp(seconds: unix, nanos: Int32(nanos))
    }
}

// MARK: - Schema

/// Where the fields of the two structs sit in this stream (gob numbers fields by their position in the
/// struct's definition, and Go matches them by name).
private struct Schema {
    enum GroupField { case labels, metrics }
    enum FamilyField { case timestamp, family }

    var groupFields: [GroupField]
    var familyFields: [FamilyField]

    /// Checks that type `id` is `map[string]MetricGroup` as the Go Pushgateway writes it.
    init(resolving id: GobTypeID, in types: GobTypeTable, valueOffset: Int) throws(GoPersistenceError) {
        let expected = "a Go Pushgateway persistence file holds one map[string]MetricGroup"
        guard case .map(_, let key, let element)? = types[id] else {
            throw Self.unexpected(types, id, valueOffset, "the file holds a value of type \(types.describe(id)); \(expected)")
        }
        try Self.requireString(key, "the key of the map of groups", types, id, valueOffset)
        let groupFields = try Self.fields(
            of: element,
            named: "MetricGroup",
            roles: ["Labels": GroupField.labels, "Metrics": .metrics],
            types,
            valueOffset
        )
        var familyStruct: GobTypeID?
        for (index, field) in groupFields.definitions.enumerated() {
            let offset = types.offset(of: element) ?? valueOffset
            switch groupFields.roles[index] {
            case .labels:
                guard case .map(_, let key, let value)? = types[field.type], key == GobType.stringID, value == GobType.stringID else {
                    throw Self.unexpected(
                        types,
                        field.type,
                        offset,
                        "MetricGroup.Labels is a \(types.describe(field.type)), not a map[string]string"
                    )
                }
            case .metrics:
                guard case .map(_, let key, let value)? = types[field.type] else {
                    throw Self.unexpected(
                        types,
                        field.type,
                        offset,
                        "MetricGroup.Metrics is a \(types.describe(field.type)), not a map[string]TimestampedMetricFamily"
                    )
                }
                try Self.requireString(key, "the key of MetricGroup.Metrics", types, field.type, offset)
                familyStruct = value
            }
        }
        guard let familyStruct else {
            throw GoPersistenceError(.unexpectedSchema, offset: valueOffset, "MetricGroup has no field Metrics")
        }
        let familyFields = try Self.fields(
            of: familyStruct,
            named: "TimestampedMetricFamily",
            roles: ["Timestamp": FamilyField.timestamp, "GobbableMetricFamily": .family],
            types,
            valueOffset
        )
        for (index, field) in familyFields.definitions.enumerated() {
            let offset = types.offset(of: familyStruct) ?? valueOffset
            guard case .encoded(_, let kind)? = types[field.type] else {
                throw Self.unexpected(
                    types,
                    field.type,
                    offset,
                    "TimestampedMetricFamily.\(field.name) is a \(types.describe(field.type)), not a type that encodes itself"
                )
            }
            // time.Time is a GobEncoder; a Go without its GobEncode would send it as a BinaryMarshaler with the
            // same bytes. GobbableMetricFamily implements GobEncoder only.
            let accepted = familyFields.roles[index] == .timestamp ? kind != .textMarshaler : kind == .gobEncoder
            guard accepted else {
                throw Self.unexpected(types, field.type, offset, "TimestampedMetricFamily.\(field.name) is encoded as a \(kind)")
            }
        }
        self.groupFields = groupFields.roles
        self.familyFields = familyFields.roles
    }

    /// The fields of struct `id`, each mapped to its role by name; every role must be present, nothing else.
    private static func fields<Role: Equatable>(
        of id: GobTypeID,
        named name: String,
        roles: [String: Role],
        _ types: GobTypeTable,
        _ valueOffset: Int
    ) throws(GoPersistenceError) -> (definitions: [GobType.Field], roles: [Role]) {
        let offset = types.offset(of: id) ?? valueOffset
        guard case .structure(_, let fields)? = types[id] else {
            throw Self.unexpected(types, id, offset, "the \(name) values are of type \(types.describe(id)), not a struct")
        }
        var found: [Role] = []
        for field in fields {
            guard let role = roles[field.name] else {
                throw GoPersistenceError(
                    .unexpectedSchema,
                    offset: offset,
                    "\(name) has a field \(GoQuote.string(field.name)) of type \(types.describe(field.type)); "
                        + "the Go Pushgateway's has only \(roles.keys.sorted().joined(separator: " and "))"
                )
            }
            guard !found.contains(role) else {
                throw GoPersistenceError(.invalidTypeDefinition, offset: offset, "\(name) has two fields named \(field.name)")
            }
            found.append(role)
        }
        for (fieldName, role) in roles.sorted(by: { $0.key < $1.key }) where !found.contains(role) {
            throw GoPersistenceError(.unexpectedSchema, offset: offset, "\(name) has no field \(fieldName)")
        }
        return (fields, found)
    }

    private static func requireString(
        _ id: GobTypeID,
        _ what: String,
        _ types: GobTypeTable,
        _ owner: GobTypeID,
        _ offset: Int
    ) throws(GoPersistenceError) {
        guard id == GobType.stringID else {
            throw Self.unexpected(types, id, types.offset(of: owner) ?? offset, "\(what) is a \(types.describe(id)), not a string")
        }
    }

    /// A schema mismatch, or a reference to a type the stream never defined.
    private static func unexpected(_ types: GobTypeTable, _ id: GobTypeID, _ offset: Int, _ message: String) -> GoPersistenceError {
        guard types[id] != nil else {
            return GoPersistenceError(.invalidTypeDefinition, offset: offset, "type id \(id) is used but the stream never defines it")
        }
        return GoPersistenceError(.unexpectedSchema, offset: offset, message)
    }
}

// MARK: - Values

/// The value half of the reader: walks the value message with the resolved schema.
private struct ValueDecoder {
    let schema: Schema
    let codec = ProtobufCodec()

    mutating func groups(from scanner: inout GobScanner) throws(GoPersistenceError) -> [MetricGroupSnapshot] {
        // A value that is not a struct is sent as a struct of one field: a delta of 0, then the value.
        let start = scanner.position
        guard try scanner.nextUnsigned() == 0 else {
            throw GoPersistenceError(.malformed, offset: start, "the value does not start with gob's singleton field mark (0)")
        }
        var groups: [MetricGroupSnapshot] = []
        var keys: Set<[UInt8]> = []
        for _ in 0..<(try scanner.nextCount(of: "the map of groups")) {
            let keyOffset = scanner.position
            let key = Array(try scanner.nextStringBytes(of: "a grouping key"))
            let group = try self.group(from: &scanner)
            guard group.key.key == key else {
                throw GoPersistenceError(
                    .inconsistent,
                    offset: keyOffset,
                    "group \(group.key) is stored under the grouping key \(GoQuote.string(key)), which its labels do not make"
                )
            }
            guard keys.insert(key).inserted else {
                throw GoPersistenceError(.inconsistent, offset: keyOffset, "group \(group.key) appears twice")
            }
            groups.append(group)
        }
        groups.sort { $0.key < $1.key }
        return groups
    }

    private func group(from scanner: inout GobScanner) throws(GoPersistenceError) -> MetricGroupSnapshot {
        var labels: [LabelPair] = []
        var families: [MetricGroupSnapshot.TimestampedFamily] = []
        var field = -1
        while let next = try scanner.nextField(after: field, of: self.schema.groupFields.count, in: "a MetricGroup") {
            field = next
            switch self.schema.groupFields[field] {
            case .labels: labels = try self.labels(from: &scanner)
            case .metrics: families = try self.families(from: &scanner, of: GroupingKey(labels))
            }
        }
        families.sort { $0.family.name.utf8.lexicographicallyPrecedes($1.family.name.utf8) }
        return MetricGroupSnapshot(key: GroupingKey(labels), families: families)
    }

    private func labels(from scanner: inout GobScanner) throws(GoPersistenceError) -> [LabelPair] {
        var labels: [LabelPair] = []
        for _ in 0..<(try scanner.nextCount(of: "the grouping labels")) {
            let offset = scanner.position
            let name = try scanner.nextString(of: "a grouping label name")
            let value = try scanner.nextString(of: "the value of grouping label \(GoQuote.string(name))")
            guard !labels.contains(where: { $0.name == name }) else {
                throw GoPersistenceError(.inconsistent, offset: offset, "grouping label \(GoQuote.string(name)) appears twice")
            }
            labels.append(LabelPair(name: name, value: value))
        }
        return labels
    }

    private func families(
        from scanner: inout GobScanner,
        of group: GroupingKey
    ) throws(GoPersistenceError) -> [MetricGroupSnapshot.TimestampedFamily] {
        var families: [MetricGroupSnapshot.TimestampedFamily] = []
        var names: Set<String> = []
        for _ in 0..<(try scanner.nextCount(of: "the families of group \(group)")) {
            let keyOffset = scanner.position
            let name = try scanner.nextString(of: "a family name in group \(group)")
            let what = "family \(GoQuote.string(name)) of group \(group)"
            var time = GoPersistenceFile.goZeroTime
            var message: Range<Int>?
            var field = -1
            while let next = try scanner.nextField(after: field, of: self.schema.familyFields.count, in: what) {
                field = next
                switch self.schema.familyFields[field] {
                case .timestamp:
                    let range = try scanner.nextByteRange(of: "the push time of \(what)")
                    time = try GoPersistenceFile.goTime(scanner[range], offset: range.lowerBound)
                case .family:
                    message = try scanner.nextByteRange(of: "the MetricFamily of \(what)")
                }
            }
            guard let message else {
                throw GoPersistenceError(.invalidFamily, offset: keyOffset, "\(what) has no MetricFamily (a nil pointer in Go)")
            }
            let family: MetricFamily
            do {
                family = try self.codec.decodeMessage(scanner[message])
            } catch {
                throw GoPersistenceError(
                    .invalidFamily,
                    offset: message.lowerBound,
                    "\(what) is not a valid protobuf MetricFamily: \(error.message)"
                )
            }
            guard family.name == name else {
                throw GoPersistenceError(.inconsistent, offset: keyOffset, "\(what) holds a family named \(GoQuote.string(family.name))")
            }
            guard names.insert(name).inserted else {
                throw GoPersistenceError(.inconsistent, offset: keyOffset, "\(what) appears twice")
            }
            families.append(MetricGroupSnapshot.TimestampedFamily(family: family, time: time))
        }
        return families
    }
}
