import PushgatewayCore
import Synchronization
import Testing

@testable import PushgatewayStorage

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current = Mutex(Timestamp(seconds: 1_700_000_000, nanos: 500_000_000))

    var now: Timestamp { self.current.withLock { $0 } }

    func advance(seconds: Int64) {
        self.current.withLock { $0.seconds += seconds }
    }
}

private func families(_ text: String) throws -> [MetricFamily] {
    try TextFormatParser().parse(Array(text.utf8))
}

private func key(_ pairs: (String, String)...) -> GroupingKey {
    GroupingKey(pairs.map { LabelPair(name: $0.0, value: $0.1) })
}

private func makeStore(checked: Bool = true, own: [OwnFamily] = []) -> (MetricStore, TestClock) {
    let clock = TestClock()
    let store = MetricStore(options: .init(checkConsistency: checked, ownFamilies: own), now: { clock.now })
    return (store, clock)
}

private func textExposition(_ store: MetricStore, own: [MetricFamily] = []) throws -> String {
    String(decoding: try store.exposition(.text, own: own).get().bytes, as: UTF8.self)
}

private func gauge(_ name: String, labels: [(String, String)] = []) -> MetricFamily {
    MetricFamily(name: name, type: .gauge, metrics: [Metric(labels: labels.map { LabelPair(name: $0.0, value: $0.1) }, value: .gauge(1))])
}

private func pushError(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as PushError {
        return error.description
    } catch {
        return "unexpected error: \(error)"
    }
}

struct MetricStoreTests {
    @Test func pushAddsGroupingLabelsInstanceAndPushTimeGauges() throws {
        let (store, _) = makeStore()
        try store.push(
            PushRequest(
                key: key(("job", "some_job")),
                families: families("# TYPE some_metric counter\nsome_metric{label=\"val1\"} 42\n"),
                replace: true
            )
        )
        #expect(
            try textExposition(store) == """
                # HELP push_failure_time_seconds Last Unix time when changing this group in the Pushgateway failed.
                # TYPE push_failure_time_seconds gauge
                push_failure_time_seconds{instance="",job="some_job"} 0
                # HELP push_time_seconds Last Unix time when changing this group in the Pushgateway succeeded.
                # TYPE push_time_seconds gauge
                push_time_seconds{instance="",job="some_job"} 1.7000000005e+09
                # TYPE some_metric counter
                some_metric{instance="",job="some_job",label="val1"} 42

                """
        )
    }

    @Test func groupingLabelsOverwriteBodyLabels() throws {
        let (store, _) = makeStore()
        try store.push(
            PushRequest(
                key: key(("job", "a"), ("instance", "i")),
                families: families("m{job=\"body\",instance=\"body\",z=\"1\"} 1\n"),
                replace: true
            )
        )
        let metric = try #require(store.snapshot().first?.families.first { $0.family.name == "m" }?.family.metrics.first)
        #expect(
            metric.labels == [
                LabelPair(name: "instance", value: "i"), LabelPair(name: "job", value: "a"), LabelPair(name: "z", value: "1"),
            ]
        )
    }

    @Test func putReplacesEveryFamilyPostOnlyThePushedOnes() throws {
        let (store, _) = makeStore()
        let group = key(("job", "a"))
        try store.push(PushRequest(key: group, families: families("x 1\ny 2\n"), replace: true))
        try store.push(PushRequest(key: group, families: families("x 3\n"), replace: false))
        #expect(store.snapshot().first?.families.map(\.family.name) == ["push_failure_time_seconds", "push_time_seconds", "x", "y"])
        try store.push(PushRequest(key: group, families: families("y 4\n"), replace: true))
        #expect(store.snapshot().first?.families.map(\.family.name) == ["push_failure_time_seconds", "push_time_seconds", "y"])
    }

    @Test func emptyPutEmptiesTheGroupButBumpsPushTime() throws {
        let (store, clock) = makeStore()
        let group = key(("job", "a"))
        try store.push(PushRequest(key: group, families: families("x 1\n"), replace: true))
        clock.advance(seconds: 10)
        try store.push(PushRequest(key: group, families: [], replace: true))
        let snapshot = try #require(store.snapshot().first)
        #expect(snapshot.families.map(\.family.name) == ["push_failure_time_seconds", "push_time_seconds"])
        #expect(snapshot.families[1].family.metrics.first?.value == .gauge(1_700_000_010.5))
    }

    @Test func rejectsPushWithTimestampsAndRecordsTheFailure() throws {
        let (store, _) = makeStore()
        let error = pushError { try store.push(PushRequest(key: key(("job", "new")), families: families("x 1 1000\n"), replace: true)) }
        #expect(error == "pushed metrics are invalid or inconsistent with existing metrics: pushed metrics must not have timestamps")
        let snapshot = try #require(store.snapshot().first)
        #expect(snapshot.families.map(\.family.name) == ["push_failure_time_seconds", "push_time_seconds"])
        #expect(snapshot.families[0].family.metrics.first?.value == .gauge(1_700_000_000.5))
        #expect(snapshot.families[1].family.metrics.first?.value == .gauge(0))
        #expect(!snapshot.lastPushSuccessful)
    }

    @Test func failurePreservesEarlierSuccessAndSuccessPreservesFailureTime() throws {
        let (store, clock) = makeStore()
        let group = key(("job", "a"))
        try store.push(PushRequest(key: group, families: families("x 1\n"), replace: true))
        clock.advance(seconds: 5)
        _ = pushError { try store.push(PushRequest(key: group, families: families("x 1 5\n"), replace: true)) }
        clock.advance(seconds: 5)
        try store.push(PushRequest(key: group, families: families("x 2\n"), replace: true))
        let snapshot = try #require(store.snapshot().first)
        let values = snapshot.families.filter { $0.family.name.hasPrefix("push_") }.map { $0.family.metrics.first?.value }
        #expect(values == [.gauge(1_700_000_005.5), .gauge(1_700_000_010.5)])
        #expect(snapshot.lastPushSuccessful)
    }

    @Test func rejectsTypeConflictAcrossGroups() throws {
        let (store, _) = makeStore()
        try store.push(PushRequest(key: key(("job", "a")), families: families("# TYPE x counter\nx 1\n"), replace: true))
        let error = pushError {
            try store.push(PushRequest(key: key(("job", "b")), families: families("# TYPE x gauge\nx 1\n"), replace: true))
        }
        #expect(
            error
                == #"pushed metrics are invalid or inconsistent with existing metrics: collected metric "x" { label:{name:"instance" value:""} label:{name:"job" value:"b"} gauge:{value:1}} is not a COUNTER"#
        )
        // The rejected group exists with its failure time only.
        #expect(store.snapshot().map(\.key) == [key(("job", "a")), key(("job", "b"))])
    }

    @Test func aGroupMayChangeItsOwnFamilyType() throws {
        let (store, _) = makeStore()
        let group = key(("job", "a"))
        try store.push(PushRequest(key: group, families: families("# TYPE x counter\nx 1\n"), replace: true))
        try store.push(PushRequest(key: group, families: families("# TYPE x gauge\nx 1\n"), replace: false))
        #expect(store.snapshot().first?.families.first { $0.family.name == "x" }?.family.type == .gauge)
    }

    @Test(
        arguments: [
            // A label from the URL and the same label in the body of another group.
            ([(("job", "a"), ("x", "1"))], "foo{x=\"1\"} 1\n", key(("job", "a"))),
            // {job=x} and {job=x,instance=""} expose the same push_time_seconds series.
            ([(("job", "x"), ("instance", ""))], "", key(("job", "x"))),
        ] as [([((String, String), (String, String))], String, GroupingKey)]
    )
    func rejectsDuplicateSeriesAcrossGroups(first: [((String, String), (String, String))], body: String, second: GroupingKey) throws {
        let (store, _) = makeStore()
        for pair in first {
            try store.push(PushRequest(key: key(pair.0, pair.1), families: families(body), replace: true))
        }
        let error = try #require(pushError { try store.push(PushRequest(key: second, families: families(body), replace: true)) })
        #expect(error.hasSuffix("was collected before with the same name and label values"))
    }

    @Test func rejectsDuplicatesWithinOnePush() throws {
        let (store, _) = makeStore()
        let error = pushError {
            try store.push(PushRequest(key: key(("job", "a")), families: families("foo{job=\"b\"} 1\nfoo{job=\"c\"} 2\n"), replace: true))
        }
        #expect(
            error
                == #"pushed metrics are invalid or inconsistent with existing metrics: collected metric "foo" { label:{name:"instance" value:""} label:{name:"job" value:"a"} untyped:{value:2}} was collected before with the same name and label values"#
        )
    }

    @Test func repushingTheSameGroupIsNotADuplicate() throws {
        let (store, _) = makeStore()
        for replace in [true, false, true] {
            #expect(
                pushError { try store.push(PushRequest(key: key(("job", "a")), families: families("foo{x=\"1\"} 1\n"), replace: replace)) }
                    == nil
            )
        }
        #expect(try textExposition(store).contains("# TYPE foo untyped\nfoo{instance=\"\",job=\"a\",x=\"1\"} 1\n# HELP"))
        #expect(store.snapshot().first?.lastPushSuccessful == true)
    }

    @Test(arguments: [
        (
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n", "h_count 1\n",
            #"collected metric named "h_count" collides with previously collected histogram named "h""#
        ),
        (
            "# TYPE s summary\ns_count 1\ns_sum 1\n", "s_sum 1\n",
            #"collected metric named "s_sum" collides with previously collected summary named "s""#
        ),
        (
            "y_count 1\n", "# TYPE y summary\ny_count 1\ny_sum 1\n",
            #"collected histogram or summary named "y" collides with previously collected metric named "y_count""#
        ),
        (
            "z_bucket 1\n", "# TYPE z histogram\nz_count 1\nz_sum 1\n",
            #"collected histogram named "z" collides with previously collected metric named "z_bucket""#
        ),
    ])
    func rejectsSuffixCollisions(existing: String, pushed: String, message: String) throws {
        let (store, _) = makeStore()
        try store.push(PushRequest(key: key(("job", "a")), families: families(existing), replace: true))
        #expect(
            pushError { try store.push(PushRequest(key: key(("job", "b")), families: families(pushed), replace: true)) }
                == "pushed metrics are invalid or inconsistent with existing metrics: \(message)"
        )
    }

    @Test func summaryBucketSuffixIsAllowed() throws {
        let (store, _) = makeStore()
        try store.push(PushRequest(key: key(("job", "a")), families: families("# TYPE s summary\ns_count 1\ns_sum 1\n"), replace: true))
        #expect(pushError { try store.push(PushRequest(key: key(("job", "b")), families: families("s_bucket 1\n"), replace: true)) } == nil)
        #expect(try textExposition(store).contains("# TYPE s_bucket untyped\ns_bucket{instance=\"\",job=\"b\"} 1\n"))
    }

    @Test func rejectsExplicitQuantileAndReservedLabelNames() throws {
        let (store, _) = makeStore()
        let summary = MetricFamily(
            name: "s",
            type: .summary,
            metrics: [Metric(labels: [LabelPair(name: "quantile", value: "0.5")], value: .summary(Summary(sampleCount: 1, sampleSum: 1)))]
        )
        let quantileError = try #require(
            pushError { try store.push(PushRequest(key: key(("job", "a")), families: [summary], replace: true)) }
        )
        #expect(quantileError.hasSuffix(#"must not have an explicit "quantile" label"#))
        let reserved = try #require(
            pushError { try store.push(PushRequest(key: key(("job", "a")), families: families("x{__y=\"1\"} 1\n"), replace: true)) }
        )
        #expect(reserved.hasSuffix("has a label with an invalid name: __y"))
    }

    // MARK: Names as they are exposed

    @Test(arguments: [
        // Each scheme the gateway serves (escaping=underscores, dots, values) can map two names to one.
        ("a-b", "a_b", "collected metric named \"a_b\" collides with previously collected metric named \"a-b\" after escaping=underscores"),
        ("a_b", "a-b", "collected metric named \"a-b\" collides with previously collected metric named \"a_b\" after escaping=underscores"),
        ("a/b", "a-b", "collected metric named \"a-b\" collides with previously collected metric named \"a/b\" after escaping=underscores"),
        ("a__b", "a-b", "collected metric named \"a-b\" collides with previously collected metric named \"a__b\" after escaping=dots"),
        (
            "U__a_2d_b", "a-b",
            "collected metric named \"a-b\" collides with previously collected metric named \"U__a_2d_b\" after escaping=values"
        ),
    ])
    func rejectsFamiliesThatCollideOnceEscaped(existing: String, pushed: String, message: String) throws {
        let (store, clock) = makeStore()
        try store.push(PushRequest(key: key(("job", "a")), families: [gauge(existing)], replace: true))
        clock.advance(seconds: 5)
        let error = pushError { try store.push(PushRequest(key: key(("job", "b")), families: [gauge(pushed)], replace: true)) }
        #expect(error == "pushed metrics are invalid or inconsistent with existing metrics: \(message)")
        // Recorded like any other failed check, and the scrape still has the first family, in every scheme.
        let failed = try #require(store.snapshot().first { $0.key == key(("job", "b")) })
        #expect(failed.families.map(\.family.name) == ["push_failure_time_seconds", "push_time_seconds"])
        #expect(failed.families[0].family.metrics.first?.value == .gauge(1_700_000_005.5))
        for scheme in NameEscapingScheme.allCases {
            let text = String(decoding: try store.exposition(.text, escaping: scheme).get().bytes, as: UTF8.self)
            #expect(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.count == 3, "\(scheme): \(text)")
        }
    }

    @Test func rejectsFamiliesThatCollideOnceEscapedWithinOnePush() throws {
        let (store, _) = makeStore()
        let error = try #require(
            pushError { try store.push(PushRequest(key: key(("job", "a")), families: [gauge("a_b"), gauge("a-b")], replace: true)) }
        )
        #expect(error.hasSuffix("after escaping=underscores"))
        #expect(store.snapshot().first?.families.map(\.family.name) == ["push_failure_time_seconds", "push_time_seconds"])
    }

    @Test func aFamilyReplacedInTheSameGroupDoesNotCollide() throws {
        let (store, _) = makeStore()
        try store.push(PushRequest(key: key(("job", "a")), families: [gauge("a_b")], replace: true))
        // PUT removes a_b from the group, so a-b takes its place.
        try store.push(PushRequest(key: key(("job", "a")), families: [gauge("a-b")], replace: true))
        #expect(store.snapshot().first?.families.map(\.family.name) == ["a-b", "push_failure_time_seconds", "push_time_seconds"])
        // POST keeps a-b, so a_b would collide with it.
        #expect(pushError { try store.push(PushRequest(key: key(("job", "a")), families: [gauge("a_b")], replace: false)) } != nil)
    }

    @Test func rejectsAFamilyCollidingWithAnOwnFamilyOnceEscaped() throws {
        let (store, _) = makeStore(own: [OwnFamily(name: "go_goroutines", type: .gauge, help: "Goroutines.")])
        let error = pushError { try store.push(PushRequest(key: key(("job", "a")), families: [gauge("go-goroutines")], replace: true)) }
        #expect(
            error
                == "pushed metrics are invalid or inconsistent with existing metrics: collected metric named \"go-goroutines\" collides with previously collected metric named \"go_goroutines\" after escaping=underscores"
        )
    }

    @Test func rejectsLabelNamesThatCollideOnceEscaped() throws {
        let (store, _) = makeStore()
        let family = gauge("m", labels: [("a-b", "1"), ("a_b", "2")])
        let error = try #require(pushError { try store.push(PushRequest(key: key(("job", "a")), families: [family], replace: true)) })
        #expect(error.hasSuffix("has two or more labels with the same name after escaping=underscores: a_b"))
    }

    @Test(arguments: [
        // Any UTF-8 name that is not reserved, nor reserved once escaped with underscores (as upstream's
        // 1.11.2 and later validate protobuf label names, with or without --push.enable-utf8-names).
        ("1-bad", false), ("äö", false), ("__x", false), ("", false), ("a:b", false), ("ä:b", false), ("a-b", true), ("a.b", true),
        ("ä", true), ("_x", true), ("a_b", true), ("1x", true), ("-x", true),
    ])
    func validatesLabelNames(name: String, valid: Bool) throws {
        let (store, _) = makeStore()
        let family = gauge("m", labels: [(name, "v")])
        let error = pushError { try store.push(PushRequest(key: key(("job", "a")), families: [family], replace: true)) }
        if valid {
            #expect(error == nil)
        } else {
            #expect(error?.hasSuffix("} has a label with an invalid name: \(name)") == true, "\(String(describing: error))")
        }
    }

    @Test(arguments: [
        // Across groups, within one push, with the escaped series first or second.
        ([("a-b", "1")], [("a_b", "1")], true),
        ([("a_b", "1")], [("a-b", "1")], true),
        ([("a-b", "1")], [("a/b", "1")], true),
        ([("a.b", "1")], [("a__dot__b", "1")], false),
    ])
    func rejectsSeriesThatAreTheSameOnceEscaped(first: [(String, String)], second: [(String, String)], collides: Bool) throws {
        // Grouping labels that differ only in such names make two groups expose the same series.
        let (store, _) = makeStore()
        let one = GroupingKey([LabelPair(name: "job", value: "j")] + first.map { LabelPair(name: $0.0, value: $0.1) })
        let two = GroupingKey([LabelPair(name: "job", value: "j")] + second.map { LabelPair(name: $0.0, value: $0.1) })
        try store.push(PushRequest(key: one, families: [gauge("m")], replace: true))
        let error = pushError { try store.push(PushRequest(key: two, families: [gauge("m")], replace: true)) }
        if collides {
            #expect(error?.hasSuffix("was collected before with the same name and label values after escaping=underscores") == true)
        } else {
            #expect(error == nil)
        }
        let (single, _) = makeStore()
        let both = MetricFamily(
            name: "m",
            type: .gauge,
            metrics: [first, second].map { Metric(labels: $0.map { LabelPair(name: $0.0, value: $0.1) }, value: .gauge(1)) }
        )
        let within = pushError { try single.push(PushRequest(key: key(("job", "j")), families: [both], replace: true)) }
        #expect((within != nil) == collides, "\(String(describing: within))")
    }

    @Test func aSeriesTheSameOnceEscapedMayReplaceItselfInItsGroup() throws {
        let (store, _) = makeStore()
        for _ in 0..<2 {
            #expect(
                pushError {
                    try store.push(PushRequest(key: key(("job", "j")), families: [gauge("m", labels: [("a-b", "1")])], replace: true))
                } == nil
            )
        }
        #expect(
            pushError { try store.push(PushRequest(key: key(("job", "j")), families: [gauge("m", labels: [("a_b", "1")])], replace: true)) }
                == nil
        )
        #expect(
            pushError {
                try store.push(PushRequest(key: key(("job", "j")), families: [gauge("m", labels: [("a-b", "1")])], replace: false))
            } == nil
        )
    }

    @Test(arguments: [true, false])
    func rejectsAFamilyWithAnEmptyName(checked: Bool) throws {
        let (store, _) = makeStore(checked: checked)
        let error = pushError { try store.push(PushRequest(key: key(("job", "a")), families: [gauge("")], replace: true)) }
        #expect(error == "pushed metrics are invalid or inconsistent with existing metrics: collected metric family has an empty name")
        let text = try textExposition(store)
        #expect(text.contains("# TYPE push_time_seconds gauge\n") && !text.contains("# TYPE \"\""))
    }

    @Test func aRestoredFamilyWithAnEmptyNameIsNeverExposed() throws {
        let (store, _) = makeStore()
        store.restore([MetricGroupSnapshot(key: key(("job", "a")), families: [.init(family: gauge(""), time: Timestamp(seconds: 1))])])
        #expect(throws: ExpositionError(message: "collected metric family has an empty name")) { try store.exposition(.text).get() }
    }

    @Test func rejectsValueNotMatchingTheFamilyType() throws {
        let (store, _) = makeStore()
        let family = MetricFamily(name: "c", type: .counter, metrics: [Metric(value: .gauge(1))])
        let error = try #require(pushError { try store.push(PushRequest(key: key(("job", "a")), families: [family], replace: true)) })
        #expect(error.hasSuffix("is not a COUNTER"))
    }

    @Test func rejectsTypeConflictWithOwnFamilies() throws {
        let (store, _) = makeStore(own: [OwnFamily(name: "pushgateway_build_info", type: .gauge, help: "Build.")])
        let error = pushError {
            try store.push(
                PushRequest(
                    key: key(("job", "a")),
                    families: families("# TYPE pushgateway_build_info counter\npushgateway_build_info 1\n"),
                    replace: true
                )
            )
        }
        #expect(
            error
                == "pushed metrics are invalid or inconsistent with existing metrics: gathered metric family pushgateway_build_info has type COUNTER but should have GAUGE"
        )
    }

    @Test func reportsSeveralErrorsAsUpstreamsMultiError() throws {
        let (store, _) = makeStore()
        let body = "# TYPE a counter\na{__x=\"1\"} 1\n# TYPE b counter\nb{__y=\"1\"} 1\n"
        let error = try #require(pushError { try store.push(PushRequest(key: key(("job", "j")), families: families(body), replace: true)) })
        #expect(
            error.hasPrefix(
                "pushed metrics are invalid or inconsistent with existing metrics: 2 error(s) occurred:\n* collected metric \"a\""
            )
        )
    }

    @Test func deleteRemovesExactlyThatGroup() throws {
        let (store, _) = makeStore()
        try store.push(PushRequest(key: key(("job", "a")), families: families("x 1\n"), replace: true))
        try store.push(PushRequest(key: key(("job", "a"), ("instance", "b")), families: families("y 1\n"), replace: true))
        try store.delete(key(("job", "a")))
        try store.delete(key(("job", "unknown")))
        #expect(store.snapshot().map(\.key) == [key(("job", "a"), ("instance", "b"))])
        try store.wipe()
        #expect(store.snapshot().isEmpty)
        #expect(try textExposition(store).isEmpty)
    }

    @Test func exposesFamiliesSortedAndSeriesInUpstreamOrder() throws {
        let (store, _) = makeStore()
        try store.push(
            PushRequest(key: key(("job", "b")), families: families("# HELP m From b.\nm{x=\"2\"} 2\nm{x=\"10\"} 3\n"), replace: true)
        )
        try store.push(PushRequest(key: key(("job", "a")), families: families("# HELP m From a.\nm{x=\"1\"} 1\n"), replace: true))
        let text = try textExposition(store)
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("m") || $0.hasPrefix("# HELP m") }
        // Help from the group with the smallest grouping key; series by label values in name order.
        #expect(
            lines == [
                "# HELP m From a.", #"m{instance="",job="a",x="1"} 1"#, #"m{instance="",job="b",x="10"} 3"#,
                #"m{instance="",job="b",x="2"} 2"#,
            ]
        )
    }

    @Test func mergesOwnFamiliesAndTheirHelpWins() throws {
        let own = [OwnFamily(name: "process_open_fds", type: .gauge, help: "Number of open file descriptors.")]
        let (store, _) = makeStore(own: own)
        try store.push(
            PushRequest(
                key: key(("job", "a")),
                families: families("# HELP process_open_fds Mine.\n# TYPE process_open_fds gauge\nprocess_open_fds 7\n"),
                replace: true
            )
        )
        let current = [
            MetricFamily(
                name: "process_open_fds",
                help: "Number of open file descriptors.",
                type: .gauge,
                metrics: [Metric(value: .gauge(12))]
            )
        ]
        let text = try textExposition(store, own: current)
        #expect(
            text.contains(
                "# HELP process_open_fds Number of open file descriptors.\n# TYPE process_open_fds gauge\nprocess_open_fds 12\nprocess_open_fds{instance=\"\",job=\"a\"} 7\n"
            )
        )
    }

    @Test(arguments: [ExpositionFormat.text, .protobufDelimited], [1, 7, 100, 4096])
    func chunksConcatenateToTheWholeExposition(format: ExpositionFormat, chunkSize: Int) throws {
        let (store, _) = makeStore()
        for group in 0..<3 {
            let body =
                "# HELP a_total A.\n# TYPE a_total counter\n" + (0..<20).map { "a_total{s=\"\($0)\"} \($0)\n" }.joined()
                + "# TYPE u gauge\nu 1\n"
            try store.push(PushRequest(key: key(("job", "j\(group)")), families: families(body), replace: true))
        }
        let exposition = try store.exposition(format).get()
        var chunks = exposition.chunks(of: chunkSize)
        var joined: [UInt8] = []
        var count = 0
        while let chunk = chunks.next() {
            // A chunk stops at the first series that reaches the size, so it is never far beyond it.
            #expect(!chunk.isEmpty)
            joined.append(contentsOf: chunk)
            count += 1
        }
        #expect(joined == exposition.bytes)
        #expect(count > (chunkSize < 100 ? 60 : 0))
        if format == .protobufDelimited {
            #expect(
                try ProtobufCodec().decodeDelimited(joined).map(\.name) == [
                    "a_total", "push_failure_time_seconds", "push_time_seconds", "u",
                ]
            )
        }
    }

    @Test func aViewMergedOutsideTheLockIsDroppedIfItsFamilyChangedMeanwhile() throws {
        // Scrapes merge changed families on a copy of the state; a push that lands in between must not
        // have its family's fresh state hidden by the stale view.
        var state = StoreState(own: [])
        let codec = ProtobufCodec()
        func write(_ text: String, to group: String) throws {
            for family in try families(text) {
                let family = MetricStore.sanitized(family, key: key(("job", group)))
                state.write(
                    family,
                    entries: StoreState.entries(for: family, codec: codec),
                    time: Timestamp(seconds: 1),
                    to: key(("job", group))
                )
            }
        }
        try write("a 1\nb 1\n", to: "x")
        var copy = state
        _ = copy.mergedFamilies()
        try write("a 2\n", to: "y")
        state.adoptMerged(from: copy)
        #expect(state.index["a"]?.merged == nil)
        #expect(state.index["b"]?.merged != nil)
        let a = try #require(state.mergedFamilies().first { $0.name == "a" })
        #expect(a.entries.count == 2)
    }

    @Test func protobufExpositionCarriesWhatWasPushed() throws {
        let (store, _) = makeStore()
        let native = MetricFamily(
            name: "sizes",
            help: "Sizes.",
            type: .histogram,
            unit: "bytes",
            metrics: [
                Metric(
                    value: .histogram(
                        Histogram(
                            sampleCount: 2,
                            sampleSum: 3,
                            schema: 3,
                            zeroThreshold: 1e-128,
                            zeroCount: 0,
                            positiveSpans: [BucketSpan(offset: 1, length: 1)],
                            positiveDeltas: [2],
                            exemplars: [Exemplar(labels: [LabelPair(name: "trace_id", value: "t")], value: 1.5)]
                        )
                    )
                )
            ]
        )
        try store.push(PushRequest(key: key(("job", "a")), families: [native], replace: true))
        let decoded = try ProtobufCodec().decodeDelimited(try store.exposition(.protobufDelimited).get().bytes)
        let sizes = try #require(decoded.first { $0.name == "sizes" })
        var expected = native
        expected.metrics[0].labels = [LabelPair(name: "instance", value: ""), LabelPair(name: "job", value: "a")]
        #expect(sizes == expected)
        #expect(decoded.map(\.name) == ["push_failure_time_seconds", "push_time_seconds", "sizes"])
    }

    @Test func uncheckedPushesAreAcceptedAndAnInconsistentStoreFailsTheScrape() throws {
        let (store, _) = makeStore(checked: false)
        try store.push(PushRequest(key: key(("job", "a")), families: families("# TYPE x counter\nx 1\n"), replace: true))
        try store.push(PushRequest(key: key(("job", "b")), families: families("# TYPE x gauge\nx 1\n"), replace: true))
        guard case .failure(let error) = store.exposition(.text) else {
            Issue.record("an inconsistent store was exposed")
            return
        }
        #expect(error.message.hasSuffix("is not a COUNTER"))
        try store.delete(key(("job", "b")))
        #expect(try textExposition(store).contains("x{instance=\"\",job=\"a\"} 1"))
    }

    @Test func aKnownInconsistencySurvivesUnrelatedWrites() throws {
        // Restored data is not checked; once a scrape has found it inconsistent, a push or delete elsewhere
        // must not hide that.
        let (store, _) = makeStore()
        let counter = try families("# TYPE x counter\nx 1\n")
        let gauge = try families("# TYPE x gauge\nx 1\n")
        let time = Timestamp(seconds: 1)
        store.restore([
            MetricGroupSnapshot(
                key: key(("job", "a")),
                families: counter.map { .init(family: MetricStore.sanitized($0, key: key(("job", "a"))), time: time) }
            ),
            MetricGroupSnapshot(
                key: key(("job", "b")),
                families: gauge.map { .init(family: MetricStore.sanitized($0, key: key(("job", "b"))), time: time) }
            ),
        ])
        guard case .failure = store.exposition(.text) else {
            Issue.record("an inconsistent restore was exposed")
            return
        }
        try store.push(PushRequest(key: key(("job", "c")), families: families("y 1\n"), replace: true))
        guard case .failure = store.exposition(.text) else {
            Issue.record("an unrelated push hid the inconsistency")
            return
        }
        try store.delete(key(("job", "unknown")))
        guard case .failure = store.exposition(.text) else {
            Issue.record("an unrelated delete hid the inconsistency")
            return
        }
        try store.delete(key(("job", "b")))
        #expect(try textExposition(store).contains("x{instance=\"\",job=\"a\"} 1"))
    }

    @Test func repushingTheSameSeriesIntoAnInconsistentStoreIsStillChecked() throws {
        // A consistent store skips the duplicate lookups when a group re-pushes the series it already has;
        // a restored duplicate across groups must still reject that re-push, before and after a scrape.
        let (store, _) = makeStore()
        let time = Timestamp(seconds: 1)
        let a = key(("job", "a"))
        let ab = key(("job", "a"), ("instance", "i"))
        let body = "x{instance=\"i\"} 1\n"
        store.restore([
            MetricGroupSnapshot(key: a, families: try families(body).map { .init(family: MetricStore.sanitized($0, key: a), time: time) }),
            MetricGroupSnapshot(
                key: ab,
                families: try families(body).map { .init(family: MetricStore.sanitized($0, key: ab), time: time) }
            ),
        ])
        #expect(
            pushError { try store.push(PushRequest(key: a, families: families(body), replace: true)) }?.contains("collected before") == true
        )
        guard case .failure = store.exposition(.text) else {
            Issue.record("the restored duplicate was exposed")
            return
        }
        #expect(
            pushError { try store.push(PushRequest(key: a, families: families(body), replace: true)) }?.contains("collected before") == true
        )
        try store.delete(ab)
        try store.push(PushRequest(key: a, families: families(body), replace: true))
        #expect(try textExposition(store).contains("x{instance=\"i\",job=\"a\"} 1"))
    }

    @Test func aPushedFailureGaugeReplacesAnExistingOne() throws {
        // Upstream quirk: the zero failure gauge is only added to groups without one, so a pushed family
        // of that name survives on an existing group but is overwritten with 0 on a new one.
        let (store, _) = makeStore()
        let group = key(("job", "a"))
        let pushed = try families("# TYPE push_failure_time_seconds gauge\npush_failure_time_seconds 42\n")
        try store.push(PushRequest(key: group, families: pushed, replace: true))
        #expect(store.snapshot().first?.families.first?.family.metrics.first?.value == .gauge(0))
        try store.push(PushRequest(key: group, families: pushed, replace: true))
        #expect(store.snapshot().first?.families.first?.family.metrics.first?.value == .gauge(42))
    }

    @Test func pushCostDoesNotGrowWithTheStore() throws {
        // The same 100-series push to a store of 10 groups and of 1000 groups, all sharing the family
        // names, must visit exactly as many series and family parts.
        func workForOnePush(groups: Int) throws -> Int {
            let (store, _) = makeStore()
            let body = (0..<100).map { "m\($0 % 10){series=\"\($0)\"} \($0)\n" }.joined()
            let pushed = try families(body)
            for index in 0..<groups {
                try store.push(PushRequest(key: key(("job", "j\(index)")), families: pushed, replace: true))
            }
            _ = store.takeWork()
            try store.push(PushRequest(key: key(("job", "j0")), families: pushed, replace: true))
            return store.takeWork()
        }
        let small = try workForOnePush(groups: 10)
        let large = try workForOnePush(groups: 1000)
        #expect(small == large)
        #expect(small < 1000)
    }
}

struct ExpositionEscapingTests {
    @Test func escapesUTF8NamesUnlessAllowed() throws {
        let store = MetricStore(options: .init(), now: { Timestamp(seconds: 1) })
        let family = MetricFamily(
            name: "my.metric",
            type: .gauge,
            metrics: [Metric(labels: [LabelPair(name: "a.b", value: "v")], value: .gauge(1))]
        )
        try store.push(PushRequest(key: GroupingKey([LabelPair(name: "job", value: "j")]), families: [family], replace: true))
        let underscores = String(decoding: try store.exposition(.text, escaping: .underscores).get().bytes, as: UTF8.self)
        #expect(underscores.contains("# TYPE my_metric gauge\nmy_metric{a_b=\"v\",instance=\"\",job=\"j\"} 1\n"))
        let utf8 = String(decoding: try store.exposition(.text, escaping: .allowUTF8).get().bytes, as: UTF8.self)
        #expect(utf8.contains("# TYPE \"my.metric\" gauge\n{\"my.metric\",\"a.b\"=\"v\",instance=\"\",job=\"j\"} 1\n"))
    }
}
