import Testing

@testable import PushgatewayCore

private func gauge(_ labels: [(String, String)], exemplarLabels: [(String, String)] = []) -> Metric {
    let pairs = labels.map { LabelPair(name: $0.0, value: $0.1) }
    if exemplarLabels.isEmpty {
        return Metric(labels: pairs, value: .gauge(1))
    }
    let exemplar = Exemplar(labels: exemplarLabels.map { LabelPair(name: $0.0, value: $0.1) }, value: 1)
    return Metric(labels: pairs, value: .counter(Counter(value: 1, exemplar: exemplar)))
}

struct NameEscapingTests {
    // MARK: One name (prometheus/common EscapeName)

    @Test(
        arguments: [
            // underscores: legacy names unchanged, every other invalid character becomes one `_`.
            ("my_metric", NameEscapingScheme.underscores, "my_metric"),
            ("a:b", .underscores, "a:b"),
            ("my.metric", .underscores, "my_metric"),
            ("my.dotted.metric-name", .underscores, "my_dotted_metric_name"),
            ("0abc", .underscores, "_abc"),
            ("a0", .underscores, "a0"),
            ("Προμηθεύς", .underscores, "_________"),
            ("日本語", .underscores, "___"),
            ("🔥x", .underscores, "_x"),
            ("", .underscores, ""),
            // dots: applied even to legacy names; `_` → `__`, `.` → `_dot_`, anything else invalid → `__`.
            ("my_metric", .dots, "my__metric"),
            ("my.metric", .dots, "my_dot_metric"),
            ("my.dotted_metric", .dots, "my_dot_dotted__metric"),
            ("a-b", .dots, "a__b"),
            ("0a", .dots, "__a"),
            ("a:b", .dots, "a:b"),
            ("é", .dots, "__"),
            ("", .dots, ""),
            // values: legacy names unchanged, else `U__`, `_` → `__`, invalid → `_<hex>_` (lower case, no padding).
            ("my_metric", .values, "my_metric"),
            ("my.metric", .values, "U__my_2e_metric"),
            ("my_metric.x", .values, "U__my__metric_2e_x"),
            ("0a", .values, "U___30_a"),
            ("a-b", .values, "U__a_2d_b"),
            ("Προ", .values, "U___3a0__3c1__3bf_"),
            ("🔥", .values, "U___1f525_"),
            ("", .values, ""),
            // allow-utf-8: unchanged.
            ("my.metric", .allowUTF8, "my.metric"),
            ("0abc", .allowUTF8, "0abc"),
        ] as [(String, NameEscapingScheme, String)]
    )
    func escapesNamesLikePrometheusCommon(name: String, scheme: NameEscapingScheme, expected: String) {
        #expect(scheme.escape(name) == expected)
    }

    @Test(arguments: ["my.metric", "a-b", "0a", "Προμηθεύς", "🔥", "a_b.c"])
    func valuesEscapingRoundTripsThroughPushPathUnescaping(name: String) {
        let escaped = NameEscapingScheme.values.escape(name)
        #expect(GroupingPath.unescapeValueEncoding(Array(escaped.utf8)[...]) == Array(name.utf8))
    }

    // MARK: Whole families (prometheus/common EscapeMetricFamily)

    @Test func escapesFamilyNameAndLabelNames() {
        let family = MetricFamily(
            name: "my.metric",
            help: "Help with.dots",
            type: .gauge,
            metrics: [gauge([("a.b", "v.1"), ("job", "x")]), gauge([("ok", "1")])]
        )
        let escaped = family.escaped(.underscores)
        #expect(escaped.name == "my_metric")
        #expect(escaped.help == "Help with.dots")
        #expect(escaped.metrics[0].labels == [LabelPair(name: "a_b", value: "v.1"), LabelPair(name: "job", value: "x")])
        #expect(escaped.metrics[1] == family.metrics[1])
    }

    @Test(
        arguments: [
            (NameEscapingScheme.underscores, "my_metric", "a_b"),
            (.dots, "my_dot_metric", "a_dot_b"),
            (.values, "U__my_2e_metric", "U__a_2e_b"),
            (.allowUTF8, "my.metric", "a.b"),
        ] as [(NameEscapingScheme, String, String)]
    )
    func escapesFamilyPerScheme(scheme: NameEscapingScheme, name: String, label: String) {
        let family = MetricFamily(name: "my.metric", type: .counter, metrics: [gauge([("a.b", "1"), ("c_d", "2")])])
        let escaped = family.escaped(scheme)
        #expect(escaped.name == name)
        #expect(escaped.metrics[0].labels.map(\.name) == [label, "c_d"])
    }

    @Test(arguments: [NameEscapingScheme.underscores, .dots, .values])
    func leavesLegacyNamesAloneEvenWithDots(scheme: NameEscapingScheme) {
        // EscapeMetricFamily only escapes names that are not legacy-valid, so `dots` does not double `_` here.
        let family = MetricFamily(name: "my_metric:total", type: .gauge, metrics: [gauge([("label_name", "a.b"), ("instance", "")])])
        #expect(!family.needsEscaping)
        #expect(family.escaped(scheme) == family)
    }

    @Test func escapesTheValueOfANameLabel() {
        let family = MetricFamily(name: "x", type: .untyped, metrics: [gauge([("__name__", "my.metric"), ("a", "b.c")])])
        #expect(family.needsEscaping)
        let escaped = family.escaped(.underscores)
        #expect(escaped.metrics[0].labels == [LabelPair(name: "__name__", value: "my_metric"), LabelPair(name: "a", value: "b.c")])
    }

    @Test func colonsCountAsLegacyInLabelNames() {
        let family = MetricFamily(name: "x", type: .gauge, metrics: [gauge([("a:b", "1")])])
        #expect(!family.needsEscaping)
        #expect(family.escaped(.values) == family)
    }

    @Test func keepsExemplarLabelsHelpUnitAndUnknownFields() {
        var family = MetricFamily(
            name: "requests.total",
            help: "h",
            type: .counter,
            unit: "requests",
            metrics: [gauge([("path.name", "/")], exemplarLabels: [("trace.id", "abc")])]
        )
        family.unknownFields = UnknownFields([.init(number: 99, wireType: 0, payload: [0x01])])
        family.metrics[0].unknownFields = UnknownFields([.init(number: 98, wireType: 0, payload: [0x02])])
        let escaped = family.escaped(.underscores)
        #expect(escaped.name == "requests_total")
        #expect(escaped.unit == "requests")
        #expect(escaped.help == "h")
        #expect(escaped.unknownFields == family.unknownFields)
        #expect(escaped.metrics[0].labels == [LabelPair(name: "path_name", value: "/")])
        #expect(escaped.metrics[0].value == family.metrics[0].value)
        #expect(escaped.metrics[0].unknownFields == family.metrics[0].unknownFields)
    }

    @Test func allowUTF8ReturnsTheFamilyUnchanged() {
        let family = MetricFamily(name: "my.metric", type: .gauge, metrics: [gauge([("a.b", "1")])])
        #expect(family.needsEscaping)
        #expect(family.escaped(.allowUTF8) == family)
    }

    @Test(
        arguments: [
            ("ok", [("a", "1")], false),
            ("o.k", [("a", "1")], true),
            ("ok", [("a.b", "1")], true),
            ("ok", [("1a", "1")], true),
            ("ok", [("__name__", "fine")], false),
            ("ok", [("__name__", "not.fine")], true),
            ("", [], true),
        ] as [(String, [(String, String)], Bool)]
    )
    func reportsWhetherEscapingIsNeeded(name: String, labels: [(String, String)], expected: Bool) {
        let family = MetricFamily(name: name, type: .gauge, metrics: [gauge(labels)])
        #expect(family.needsEscaping == expected)
    }
}
