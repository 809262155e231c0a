import PushgatewayCore
import Testing

@testable import PushgatewayStorage

private func families(_ text: String) throws -> [MetricFamily] {
    try TextFormatParser().parse(Array(text.utf8))
}

private func key(_ pairs: (String, String)...) -> GroupingKey {
    GroupingKey(pairs.map { LabelPair(name: $0.0, value: $0.1) })
}

private func makeStore() -> (MetricStore, TestClock) {
    let clock = TestClock()
    return (MetricStore(now: { clock.now }), clock)
}

/// A gauge, a counter, a histogram and a summary, as a group of the JSON API would show them.
private let mixedBody = """
    # HELP jobs_total Jobs run.
    # TYPE jobs_total counter
    jobs_total{kind="a"} 3
    jobs_total{kind="b"} 1e+06
    # TYPE queue_length gauge
    queue_length 0.25
    # TYPE duration_seconds histogram
    duration_seconds_bucket{le="0.1"} 1
    duration_seconds_bucket{le="1"} 4
    duration_seconds_bucket{le="+Inf"} 5
    duration_seconds_sum 3.5
    duration_seconds_count 5
    # TYPE size_bytes summary
    size_bytes{quantile="0.5"} 120
    size_bytes{quantile="0.9"} 300
    size_bytes_sum 1400
    size_bytes_count 9

    """

struct StoreViewsTests {
    @Test func metricsJSONIsTheEncodedSnapshotAcrossChanges() throws {
        let (store, clock) = makeStore()
        #expect(store.metricsJSON() == JSONAPIEncoder.metrics(store.snapshot()))
        try store.push(PushRequest(key: key(("job", "b")), families: families(mixedBody), replace: true))
        try store.push(PushRequest(key: key(("job", "a"), ("instance", "x")), families: families("x 1\n"), replace: true))
        #expect(store.metricsJSON() == JSONAPIEncoder.metrics(store.snapshot()))
        // A second call answers from the cached objects: still the same bytes.
        #expect(store.metricsJSON() == JSONAPIEncoder.metrics(store.snapshot()))

        clock.advance(seconds: 7)
        try store.push(PushRequest(key: key(("job", "b")), families: families("queue_length 3\n"), replace: false))
        let changed = store.metricsJSON()
        #expect(changed == JSONAPIEncoder.metrics(store.snapshot()))
        #expect(String(decoding: changed, as: UTF8.self).contains(#""value":"3"}"#))

        _ = try? store.push(PushRequest(key: key(("job", "a"), ("instance", "x")), families: families("x 1 5\n"), replace: true))
        #expect(String(decoding: store.metricsJSON(), as: UTF8.self).contains(#""last_push_successful":false"#))
        #expect(store.metricsJSON() == JSONAPIEncoder.metrics(store.snapshot()))

        try store.delete(key(("job", "b")))
        #expect(store.metricsJSON() == JSONAPIEncoder.metrics(store.snapshot()))
        try store.wipe()
        #expect(store.metricsJSON() == Array(#"{"status":"success","data":[]}"#.utf8))
    }

    @Test func aRecreatedGroupIsNotAnsweredFromItsOldObject() throws {
        let (store, _) = makeStore()
        let group = key(("job", "a"))
        try store.push(PushRequest(key: group, families: families("x 1\n"), replace: true))
        _ = store.metricsJSON()
        try store.delete(group)
        try store.push(PushRequest(key: group, families: families("y 2\n"), replace: true))
        #expect(store.groupJSON(group) == JSONAPIEncoder.group(try #require(store.snapshot().first)))
        #expect(store.metricsJSON() == JSONAPIEncoder.metrics(store.snapshot()))
    }

    @Test func groupJSONIsTheGroupsElementOfMetricsJSON() throws {
        let (store, clock) = makeStore()
        try store.push(PushRequest(key: key(("job", "a")), families: families(mixedBody), replace: true))
        try store.push(PushRequest(key: key(("job", "b"), ("zone", "<eu>")), families: families("x 1\n"), replace: true))
        let snapshot = store.snapshot()
        #expect(store.groupJSON(key(("job", "b"), ("zone", "<eu>"))) == JSONAPIEncoder.group(snapshot[1]))
        #expect(store.groupJSON(key(("job", "a"))) == JSONAPIEncoder.group(snapshot[0]))
        #expect(store.groupJSON(key(("job", "c"))) == nil)

        clock.advance(seconds: 1)
        try store.push(PushRequest(key: key(("job", "a")), families: families("queue_length 2\n"), replace: false))
        #expect(store.groupJSON(key(("job", "a"))) == JSONAPIEncoder.group(try #require(store.snapshot().first)))
    }

    @Test func summariesListGroupsInAPIOrderWithNamesCountsAndPushState() throws {
        let (store, clock) = makeStore()
        try store.push(PushRequest(key: key(("job", "b")), families: families(mixedBody), replace: true))
        try store.push(PushRequest(key: key(("job", "a"), ("instance", "x")), families: families("x 1\ny 2\n"), replace: true))
        clock.advance(seconds: 3)
        _ = try? store.push(PushRequest(key: key(("job", "c")), families: families("x 1 5\n"), replace: true))

        let summaries = store.groupSummaries()
        #expect(summaries.map(\.key) == store.snapshot().map(\.key))
        let a = try #require(summaries.first { $0.key == key(("job", "a"), ("instance", "x")) })
        #expect(a.familyNames == ["push_failure_time_seconds", "push_time_seconds", "x", "y"])
        #expect(a.seriesCount == 4)
        #expect(a.lastPushSuccessful)
        #expect(a.lastPushTime == Timestamp(seconds: 1_700_000_000, nanos: 500_000_000))

        let b = try #require(summaries.first { $0.key == key(("job", "b")) })
        #expect(
            b.familyNames == [
                "duration_seconds", "jobs_total", "push_failure_time_seconds", "push_time_seconds", "queue_length", "size_bytes",
            ]
        )
        #expect(b.seriesCount == 7)

        // Created by a rejected push: failure time set, success time zero.
        let c = try #require(summaries.first { $0.key == key(("job", "c")) })
        #expect(!c.lastPushSuccessful)
        #expect(c.lastPushTime == Timestamp(seconds: 0))
        #expect(summaries.map(\.lastPushSuccessful) == store.snapshot().map(\.lastPushSuccessful))
    }

    @Test func groupReturnsTheDecodedGroupOrNil() throws {
        let (store, _) = makeStore()
        try store.push(PushRequest(key: key(("job", "a")), families: families(mixedBody), replace: true))
        try store.push(PushRequest(key: key(("job", "b")), families: families("x 1\n"), replace: true))
        #expect(store.group(key(("job", "b"))) == store.snapshot()[1])
        #expect(store.group(key(("job", "a"))) == store.snapshot()[0])
        #expect(store.group(key(("job", "nope"))) == nil)
    }

    @Test func statisticsCountGroupsSeriesAndBytesThroughWrites() throws {
        let (store, _) = makeStore()
        #expect(store.statistics() == StoreStatistics(groups: 0, series: 0, bytes: 0))
        try store.push(PushRequest(key: key(("job", "a")), families: families(mixedBody), replace: true))
        let one = store.statistics()
        #expect(one.groups == 1)
        #expect(one.series == 7)
        #expect(one.bytes > 0)

        try store.push(PushRequest(key: key(("job", "b")), families: families(mixedBody), replace: true))
        #expect(store.statistics().groups == 2)
        #expect(store.statistics().series == 14)
        #expect(store.statistics().bytes == 2 * one.bytes)

        // Re-pushing the same series, replacing with fewer, deleting: the counts follow.
        try store.push(PushRequest(key: key(("job", "b")), families: families(mixedBody), replace: true))
        #expect(store.statistics().series == 14)
        try store.push(PushRequest(key: key(("job", "b")), families: families("x 1\n"), replace: true))
        #expect(store.statistics().series == 10)
        #expect(store.groupSummaries().map(\.seriesCount) == [7, 3])
        try store.delete(key(("job", "a")))
        #expect(store.statistics().groups == 1)
        #expect(store.statistics().series == 3)
        #expect(store.groupSummaries().map(\.seriesCount) == [3])
        try store.wipe()
        #expect(store.statistics() == StoreStatistics(groups: 0, series: 0, bytes: 0))
    }
}
