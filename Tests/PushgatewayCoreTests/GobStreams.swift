// Hand-made gob streams for the reader's error paths, written from the wire format in Go's
// src/encoding/gob/doc.go. The fixture from the real Go Pushgateway covers the good path.

/// Gob's building blocks.
enum Gob {
    static func unsigned(_ value: UInt64) -> [UInt8] {
        if value < 0x80 {
            return [UInt8(value)]
        }
        var bytes: [UInt8] = []
        var rest = value
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return [UInt8(bitPattern: Int8(-bytes.count))] + bytes
    }

    static func signed(_ value: Int64) -> [UInt8] {
        self.unsigned(value < 0 ? (UInt64(bitPattern: ~value) << 1) | 1 : UInt64(value) << 1)
    }

    static func string(_ value: String) -> [UInt8] {
        self.bytes(Array(value.utf8))
    }

    static func bytes(_ value: [UInt8]) -> [UInt8] {
        self.unsigned(UInt64(value.count)) + value
    }

    /// A message: its byte count, then the bytes.
    static func message(_ body: [UInt8]) -> [UInt8] {
        self.unsigned(UInt64(body.count)) + body
    }

    /// A struct value from (field number, encoded value) pairs in increasing field order.
    static func structure(_ fields: [(Int, [UInt8])]) -> [UInt8] {
        var bytes: [UInt8] = []
        var previous = -1
        for (number, value) in fields {
            bytes += self.unsigned(UInt64(number - previous)) + value
            previous = number
        }
        return bytes + [0]
    }

    static func commonType(_ name: String, _ id: Int64) -> [UInt8] {
        self.structure((name.isEmpty ? [] : [(0, self.string(name))]) + [(1, self.signed(id))])
    }

    // MARK: Type definitions (whole messages)

    static func defineStruct(_ id: Int64, _ name: String, _ fields: [(String, Int64)]) -> [UInt8] {
        var list = self.unsigned(UInt64(fields.count))
        for (name, type) in fields {
            list += self.structure([(0, self.string(name)), (1, self.signed(type))])
        }
        let structType = self.structure([(0, self.commonType(name, id)), (1, list)])
        return self.message(self.signed(-id) + self.structure([(2, structType)]))
    }

    static func defineMap(_ id: Int64, key: Int64, element: Int64) -> [UInt8] {
        let mapType = self.structure([(0, self.commonType("", id)), (1, self.signed(key)), (2, self.signed(element))])
        return self.message(self.signed(-id) + self.structure([(3, mapType)]))
    }

    static func defineSlice(_ id: Int64, element: Int64) -> [UInt8] {
        let sliceType = self.structure([(0, self.commonType("", id)), (1, self.signed(element))])
        return self.message(self.signed(-id) + self.structure([(1, sliceType)]))
    }

    static func defineGobEncoder(_ id: Int64, _ name: String, field: Int = 4) -> [UInt8] {
        self.message(self.signed(-id) + self.structure([(field, self.structure([(0, self.commonType(name, id))]))]))
    }

    // MARK: The Pushgateway's schema

    static let stringID: Int64 = 6

    /// The type definitions the Go Pushgateway sends, with ids 65...71 (map of groups 65, MetricGroup 66,
    /// labels 67, families 68, TimestampedMetricFamily 69, time.Time 70, GobbableMetricFamily 71).
    static func pushgatewayTypes(groupFields: [(String, Int64)]? = nil) -> [UInt8] {
        self.defineMap(65, key: self.stringID, element: 66)
            + self.defineStruct(66, "MetricGroup", groupFields ?? [("Labels", 67), ("Metrics", 68)])
            + self.defineMap(67, key: self.stringID, element: self.stringID)
            + self.defineMap(68, key: self.stringID, element: 69)
            + self.defineStruct(69, "TimestampedMetricFamily", [("Timestamp", 70), ("GobbableMetricFamily", 71)])
            + self.defineGobEncoder(70, "Time")
            + self.defineGobEncoder(71, "")
    }

    /// One family of a group: its map key, time bytes and MetricFamily bytes (nil: left out, as gob leaves
    /// out zero values).
    struct Family {
        var key: String
        var time: [UInt8]?
        var message: [UInt8]?
    }

    /// One group: its map key, labels and families.
    struct Group {
        var key: [UInt8]
        var labels: [(String, String)]
        var families: [Family]

        init(key: [UInt8]? = nil, labels: [(String, String)], families: [Family]) {
            self.key = key ?? Gob.groupingKey(labels)
            self.labels = labels
            self.families = families
        }
    }

    /// The value message of a `map[string]MetricGroup` with type id 65.
    static func pushgatewayValue(_ groups: [Group], typeID: Int64 = 65) -> [UInt8] {
        var body = self.signed(typeID) + [0] + self.unsigned(UInt64(groups.count))
        for group in groups {
            var labels = self.unsigned(UInt64(group.labels.count))
            for (name, value) in group.labels {
                labels += self.string(name) + self.string(value)
            }
            var families = self.unsigned(UInt64(group.families.count))
            for family in group.families {
                var fields: [(Int, [UInt8])] = []
                if let time = family.time { fields.append((0, self.bytes(time))) }
                if let message = family.message { fields.append((1, self.bytes(message))) }
                families += self.string(family.key) + self.structure(fields)
            }
            body += self.bytes(group.key) + self.structure([(0, labels), (1, families)])
        }
        return self.message(body)
    }

    /// Upstream's grouping key: names sorted, `name 0xFF value`, pairs joined by 0xFF.
    static func groupingKey(_ labels: [(String, String)]) -> [UInt8] {
        var key: [UInt8] = []
        for (index, (name, value)) in labels.sorted(by: { $0.0 < $1.0 }).enumerated() {
            if index > 0 { key.append(0xFF) }
            key += Array(name.utf8) + [0xFF] + Array(value.utf8)
        }
        return key
    }

    /// Go's `time.Time.MarshalBinary`: version, seconds since year 1, nanoseconds, zone minutes (-1 = UTC),
    /// and for version 2 the zone's extra seconds.
    static func time(unix seconds: Int64, nanos: Int32 = 0, zoneMinutes: Int16 = -1, zoneSeconds: Int8? = nil) -> [UInt8] {
        let sinceYearOne = UInt64(bitPattern: seconds + 62_135_596_800)
        var bytes: [UInt8] = [zoneSeconds == nil ? 1 : 2]
        bytes += (0..<8).reversed().map { UInt8(truncatingIfNeeded: sinceYearOne >> (8 * UInt64($0))) }
        bytes += (0..<4).reversed().map { UInt8(truncatingIfNeeded: UInt32(bitPattern: nanos) >> (8 * UInt32($0))) }
        bytes += [
            UInt8(truncatingIfNeeded: UInt16(bitPattern: zoneMinutes) >> 8), UInt8(truncatingIfNeeded: UInt16(bitPattern: zoneMinutes)),
        ]
        if let zoneSeconds { bytes.append(UInt8(bitPattern: zoneSeconds)) }
        return bytes
    }
}
