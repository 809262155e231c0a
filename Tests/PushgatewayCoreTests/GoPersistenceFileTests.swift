import Testing

@testable import PushgatewayCore

/// The persistence file of Debian's Go Pushgateway 1.5.1 and what it served before it stopped
/// (Fixtures/GoPersistence, made by make-fixtures.sh there), plus hand-made gob streams for the error paths.
struct GoPersistenceFileTests {
    static let gob = Fixtures.bytes("GoPersistence/go-pushgateway.gob")
    let codec = ProtobufCodec()

    /// Families the Go gateway exposes about itself; they are not in the file.
    static func isOwn(_ name: String) -> Bool {
        ["go_", "process_", "pushgateway_"].contains { name.hasPrefix($0) }
    }

    // MARK: The real file

    @Test func importsEveryGroupOfAGoPersistenceFile() throws {
        let groups = try GoPersistenceFile.decode(Self.gob)
        #expect(
            groups.map(\.key.description) == [
                #"{first_label="",job="backup/db"}"#,
                #"{instance="host/a1",job="go/batch"}"#,
                #"{instance="py host/01",job="py/batch"}"#,
                #"{instance="some_instance",job="some_job"}"#,
                #"{instance="",job="go-text"}"#,
                #"{job="clash"}"#,
                #"{job="empty_family"}"#,
                #"{job="utf8",region="Zürich/Ost"}"#,
            ]
        )
        for group in groups {
            let names = group.families.map(\.family.name)
            #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, "\(group.key)")
            #expect(names.contains("push_time_seconds") && names.contains("push_failure_time_seconds"), "\(group.key)")
        }
    }

    /// Every group, family, value and push time, as Go's `/api/v1/metrics` showed them: each imported group
    /// written by our JSON encoder is one of the group objects Go served, and together they are all of it.
    @Test func importedGroupsServeTheJSONGoServed() throws {
        let groups = try GoPersistenceFile.decode(Self.gob)
        let served = String(decoding: Fixtures.bytes("GoPersistence/api-v1-metrics.json"), as: UTF8.self)
        var length = #"{"status":"success","data":[]}"#.utf8.count + groups.count - 1
        for group in groups {
            let object = String(decoding: JSONAPIEncoder.group(Self.asGo151ShowsIt(group)), as: UTF8.self)
            let found = served.contains(object)
            #expect(found, "Go did not serve \(object)")
            length += object.utf8.count
        }
        #expect(served.utf8.count == length)
    }

    /// The families Go scraped in protobuf (merged across groups) hold exactly the imported metrics,
    /// `push_time_seconds` and `push_failure_time_seconds` included.
    @Test func importedFamiliesAreTheFamiliesGoScraped() throws {
        let groups = try GoPersistenceFile.decode(Self.gob)
        let scraped = try self.codec.decodeDelimited(Fixtures.bytes("GoPersistence/scrape.pb")).filter { !Self.isOwn($0.name) }
        let imported = groups.flatMap(\.families).map(\.family)
        // Go's exposition drops families without metrics (the empty protobuf family pushed to job empty_family).
        #expect(scraped.map(\.name) == Set(imported.filter { !$0.metrics.isEmpty }.map(\.name)).sorted())
        #expect(imported.contains { $0.name == "fixture_empty" && $0.metrics.isEmpty })
        for family in scraped {
            let parts = imported.filter { $0.name == family.name }
            #expect(parts.allSatisfy { $0.type == family.type && $0.help == family.help }, "\(family.name)")
            // Compared as encodings: NaN values compare equal only bit for bit.
            let expected = family.metrics.map(self.codec.encodeMetric).sorted { $0.lexicographicallyPrecedes($1) }
            let actual = parts.flatMap(\.metrics).map(self.codec.encodeMetric).sorted { $0.lexicographicallyPrecedes($1) }
            #expect(actual == expected, "\(family.name)")
        }
    }

    @Test func keepsEachFamilysPushTimeAndTheFailedPushes() throws {
        let groups = try GoPersistenceFile.decode(Self.gob)
        let some = try #require(groups.first { $0.key.description == #"{instance="some_instance",job="some_job"}"# })
        let time = { (name: String) in some.families.first { $0.family.name == name }?.time }
        // A later POST replaced only fixture_temperature_celsius; a rejected push with timestamps came last.
        let requests = try #require(time("fixture_requests_total"))
        let temperature = try #require(time("fixture_temperature_celsius"))
        let failure = try #require(time("push_failure_time_seconds"))
        #expect((requests.seconds, requests.nanos) < (temperature.seconds, temperature.nanos))
        #expect(time("push_time_seconds") == temperature)
        #expect((temperature.seconds, temperature.nanos) < (failure.seconds, failure.nanos))
        #expect(!some.lastPushSuccessful)
        // Go's value: float64(t.UnixNano()) / 1e9.
        #expect(Self.gauge("push_time_seconds", in: some) == Double(temperature.seconds * 1_000_000_000 + Int64(temperature.nanos)) / 1e9)

        // A rejected push to a new group leaves it with a zero success time.
        let clash = try #require(groups.first { $0.key.job == "clash" })
        #expect(Self.gauge("push_time_seconds", in: clash) == 0)
        #expect(!clash.lastPushSuccessful)
        #expect(groups.filter(\.lastPushSuccessful).count == 6)
    }

    @Test func tellsAGoFileFromOursAndFromOtherBytes() {
        #expect(GoPersistenceFile.isGoPersistenceFile(Self.gob))
        #expect(GoPersistenceFile.isGoPersistenceFile(Gob.pushgatewayTypes() + Gob.pushgatewayValue([])))
        #expect(!GoPersistenceFile.isGoPersistenceFile(Array("PGWSTORE\u{1}".utf8) + [0, 0x50, 0x47, 0x57, 0x45, 0x4E, 0x44, 0]))
        #expect(!GoPersistenceFile.isGoPersistenceFile([]))
        #expect(!GoPersistenceFile.isGoPersistenceFile(Array("some_metric 3.14\n".utf8)))
        #expect(!GoPersistenceFile.isGoPersistenceFile([0x03, 0xFF, 0x81]))
    }

    // MARK: Hand-made streams

    @Test func readsAStreamOfTheSchemaWrittenByHand() throws {
        let family = self.codec.encodeMessage(MetricFamily(name: "a", type: .gauge, metrics: [Metric(value: .gauge(1))]))
        let stream =
            Gob.pushgatewayTypes()
            + Gob.pushgatewayValue([
                Gob.Group(
                    labels: [("job", "j"), ("x", "/")],
                    families: [Gob.Family(key: "a", time: Gob.time(unix: 1_700_000_000, nanos: 5), message: family)]
                ),
                Gob.Group(labels: [], families: [Gob.Family(key: "a", time: nil, message: family)]),
            ])
        let groups = try GoPersistenceFile.decode(stream)
        #expect(groups.map(\.key.description) == [#"{}"#, #"{job="j",x="/"}"#])
        #expect(groups[1].families.map(\.time) == [Timestamp(seconds: 1_700_000_000, nanos: 5)])
        // A zero time.Time is left out by gob: January 1 of year 1.
        #expect(groups[0].families.map(\.time) == [Timestamp(seconds: -62_135_596_800)])
        #expect(groups[0].families.map(\.family.name) == ["a"])
    }

    @Test(arguments: [
        (Gob.time(unix: 1_700_000_000, nanos: 999_999_999), Timestamp(seconds: 1_700_000_000, nanos: 999_999_999)),
        (Gob.time(unix: 1_700_000_000, zoneMinutes: 60), Timestamp(seconds: 1_700_000_000)),
        (Gob.time(unix: -1, zoneMinutes: -300), Timestamp(seconds: -1)),
        (Gob.time(unix: 1_700_000_000, nanos: 7, zoneMinutes: 53, zoneSeconds: 28), Timestamp(seconds: 1_700_000_000, nanos: 7)),
    ])
    func readsGoTimesInEveryZoneAndVersion(bytes: [UInt8], expected: Timestamp) throws {
        #expect(try GoPersistenceFile.goTime(bytes[...], offset: 0) == expected)
    }

    @Test(
        arguments: [
            ([], "a push time holds no bytes"),
            ([3] + Array(repeating: 0, count: 14), "a push time has encoding version 3; Go writes 1 or 2"),
            (Array(Gob.time(unix: 0).dropLast()), "a push time of version 1 is 14 bytes long; Go writes 15"),
            (Gob.time(unix: 0, nanos: 1_000_000_000), "a push time has 1000000000 nanoseconds, more than a second"),
        ] as [([UInt8], String)]
    )
    func rejectsTimesGoDoesNotWrite(bytes: [UInt8], message: String) {
        #expect(throws: GoPersistenceError(.invalidTime, offset: 7, message)) {
            try GoPersistenceFile.goTime(bytes[...], offset: 7)
        }
    }

    /// Every prefix of the real file is reported as truncated, never decoded in part and never a trap.
    @Test func everyTruncationIsReported() {
        for length in 0..<Self.gob.count {
            do {
                let groups = try GoPersistenceFile.decode(Array(Self.gob[..<length]))
                Issue.record("a prefix of \(length) bytes decoded to \(groups.count) groups")
            } catch {
                #expect(error.code == .truncated, "at \(length): \(error)")
                #expect(error.offset <= length, "at \(length): \(error)")
            }
        }
    }

    /// A flipped byte is either refused or still a file of the schema; it never traps. Every byte of the type
    /// definitions (the first 2,500 bytes), then every 11th byte of the value (whose families protobuf-c reads).
    @Test func survivesAFlippedByteAnywhere() {
        for position in Self.gob.indices where position < 2_500 || position % 11 == 0 {
            var damaged = Self.gob
            damaged[position] ^= 0xA5
            _ = try? GoPersistenceFile.decode(damaged)
        }
    }

    @Test func refusesDataAfterTheValue() {
        #expect(
            throws: GoPersistenceError(
                .malformed,
                offset: Self.gob.count,
                "2 bytes follow the value; the Go Pushgateway writes one value only"
            )
        ) {
            try GoPersistenceFile.decode(Self.gob + [0x01, 0x00])
        }
    }

    /// The example of Go's gob documentation: a `Point{X, Y int}`.
    @Test func refusesAGobStreamOfAnotherType() throws {
        let point: [UInt8] = [
            0x1f, 0xff, 0x81, 0x03, 0x01, 0x01, 0x05, 0x50, 0x6f, 0x69, 0x6e, 0x74, 0x01, 0xff, 0x82, 0x00, 0x01, 0x02, 0x01, 0x01, 0x58,
            0x01, 0x04, 0x00, 0x01, 0x01, 0x59, 0x01, 0x04, 0x00, 0x00, 0x00, 0x07, 0xff, 0x82, 0x01, 0x2c, 0x01, 0x42, 0x00,
        ]
        #expect(GoPersistenceFile.isGoPersistenceFile(point))
        #expect(
            throws: GoPersistenceError(
                .unexpectedSchema,
                offset: 32,
                "the file holds a value of type struct Point; a Go Pushgateway persistence file holds one map[string]MetricGroup"
            )
        ) { try GoPersistenceFile.decode(point) }

        let ints =
            Gob.defineMap(65, key: Gob.stringID, element: 2) + Gob.message(Gob.signed(65) + [0, 1] + Gob.string("a") + Gob.signed(1))
        #expect(throws: GoPersistenceError.self) { try GoPersistenceFile.decode(ints) }
        #expect(Self.code(ints) == .unexpectedSchema)
    }

    @Test(
        arguments: [
            (
                [("Labels", 67), ("Metrics", 68), ("Owner", Gob.stringID)],
                "MetricGroup has a field \"Owner\" of type string; the Go Pushgateway's has only Labels and Metrics"
            ),
            ([("Labels", 67)], "MetricGroup has no field Metrics"),
            (
                [("Labels", 68), ("Metrics", 68)],
                "MetricGroup.Labels is a map[string]struct TimestampedMetricFamily, not a map[string]string"
            ),
            ([("Labels", 67), ("Metrics", 67)], "the TimestampedMetricFamily values are of type string, not a struct"),
        ] as [([(String, Int64)], String)]
    )
    func refusesAPushgatewayStreamWithOtherFields(fields: [(String, Int64)], message: String) {
        let stream = Gob.pushgatewayTypes(groupFields: fields) + Gob.pushgatewayValue([])
        #expect(throws: GoPersistenceError.self) { try GoPersistenceFile.decode(stream) }
        #expect(Self.message(stream) == message)
        #expect(Self.code(stream) == .unexpectedSchema)
    }

    @Test func refusesBadTypeIDs() {
        let value = Gob.pushgatewayValue([])
        // An id below 64 is reserved for gob's own types.
        let reserved = Gob.defineMap(10, key: Gob.stringID, element: Gob.stringID) + value
        #expect(Self.code(reserved) == .invalidTypeDefinition)
        #expect(Self.message(reserved) == "a type definition for id 10, which is reserved (streams define ids from 64 up)")
        // Each id is defined once.
        let twice = Gob.pushgatewayTypes() + Gob.defineMap(67, key: Gob.stringID, element: Gob.stringID) + value
        #expect(Self.message(twice) == "type id 67 is defined a second time")
        // The value's type must have been defined.
        let undefined = Gob.pushgatewayTypes() + Gob.pushgatewayValue([], typeID: 99)
        #expect(Self.code(undefined) == .invalidTypeDefinition)
        #expect(Self.message(undefined) == "type id 99 is used but the stream never defines it")
        // So must every type it reaches.
        let dangling = Gob.pushgatewayTypes(groupFields: [("Labels", 67), ("Metrics", 80)]) + value
        #expect(Self.message(dangling) == "type id 80 is used but the stream never defines it")
        // A wireType field beyond the seven kinds.
        let unknownKind = Gob.message(Gob.signed(-65) + [8, 0]) + value
        #expect(Self.code(unknownKind) == .malformed)
        let empty = Gob.message(Gob.signed(-65) + [0]) + value
        #expect(Self.message(empty) == "the wireType defining type 65 describes no type")
    }

    @Test func refusesMalformedNumbersAndLengths() {
        let types = Gob.pushgatewayTypes()
        // An unsigned integer of nine bytes.
        #expect(Self.code(types + [0xF7] + Array(repeating: 1, count: 9)) == .malformed)
        // A group count beyond the message.
        #expect(Self.code(types + Gob.message(Gob.signed(65) + [0, 5])) == .malformed)
        // A value that does not start with the singleton mark.
        #expect(
            Self.message(types + Gob.message(Gob.signed(65) + [1, 0])) == "the value does not start with gob's singleton field mark (0)"
        )
        // A message with bytes left over.
        #expect(Self.code(types + Gob.message(Gob.signed(65) + [0, 0, 0])) == .malformed)
    }

    @Test func refusesValuesThatContradictEachOther() {
        let family = self.codec.encodeMessage(MetricFamily(name: "a", type: .gauge, metrics: [Metric(value: .gauge(1))]))
        let time = Gob.time(unix: 1)
        let decode = { (groups: [Gob.Group]) in Self.message(Gob.pushgatewayTypes() + Gob.pushgatewayValue(groups)) }
        #expect(
            decode([Gob.Group(key: Array("job".utf8) + [0xFF] + Array("x".utf8), labels: [("job", "y")], families: [])])
                == #"group {job="y"} is stored under the grouping key "job\xffx", which its labels do not make"#
        )
        #expect(
            decode([Gob.Group(labels: [("job", "y")], families: []), Gob.Group(labels: [("job", "y")], families: [])])
                == #"group {job="y"} appears twice"#
        )
        #expect(
            decode([Gob.Group(labels: [("job", "y")], families: [Gob.Family(key: "b", time: time, message: family)])])
                == #"family "b" of group {job="y"} holds a family named "a""#
        )
        #expect(
            decode([Gob.Group(labels: [("job", "y")], families: [Gob.Family(key: "a", time: time, message: nil)])])
                == #"family "a" of group {job="y"} has no MetricFamily (a nil pointer in Go)"#
        )
        let garbage =
            Gob.pushgatewayTypes()
            + Gob.pushgatewayValue([Gob.Group(labels: [("job", "y")], families: [Gob.Family(key: "a", time: time, message: [0xFF, 0xFF])])])
        #expect(Self.code(garbage) == .invalidFamily)
        var invalidUTF8 = Gob.pushgatewayTypes()
        invalidUTF8 += Gob.message(Gob.signed(65) + [0, 1] + Gob.bytes([0xFF]) + [1, 1] + Gob.bytes([0xFF]) + Gob.string("v") + [0])
        #expect(Self.code(invalidUTF8) == .invalidUTF8)
    }

    // MARK: Helpers

    static func code(_ bytes: [UInt8]) -> GoPersistenceError.Code? {
        do {
            _ = try GoPersistenceFile.decode(bytes)
            return nil
        } catch {
            return error.code
        }
    }

    static func message(_ bytes: [UInt8]) -> String? {
        do {
            _ = try GoPersistenceFile.decode(bytes)
            return nil
        } catch {
            return error.message
        }
    }

    static func gauge(_ name: String, in group: MetricGroupSnapshot) -> Double? {
        guard case .gauge(let value)? = group.families.first(where: { $0.family.name == name })?.family.metrics.first?.value else {
            return nil
        }
        return value
    }

    /// Go 1.5.1's API predates native histograms in the JSON (upstream 1.8.0, #611) and writes only the
    /// classic buckets; the spec follows current upstream, so the native part is dropped before comparing.
    static func asGo151ShowsIt(_ group: MetricGroupSnapshot) -> MetricGroupSnapshot {
        var group = group
        for index in group.families.indices {
            group.families[index].family.metrics = group.families[index].family.metrics.map { metric in
                guard case .histogram(var histogram) = metric.value, histogram.isNative else { return metric }
                histogram.positiveSpans = []
                histogram.negativeSpans = []
                var metric = metric
                metric.value = .histogram(histogram)
                return metric
            }
        }
        return group
    }
}
