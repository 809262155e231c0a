import Testing

@testable import PushgatewayCore

private func parse(_ text: String, limits: PushLimits = .default) throws(TextFormatError) -> [MetricFamily] {
    try TextFormatParser(options: .init(limits: limits)).parse(Array(text.utf8))
}

private func parseError(_ text: String, limits: PushLimits = .default) -> TextFormatError? {
    do {
        _ = try parse(text, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// `name{l0="v",l1="v",…} 1` with `count` labels, the last one `last` if given.
private func line(_ name: String = "a", labels count: Int, last: String? = nil) -> String {
    var names = (0..<count).map { "l\($0)" }
    if let last, !names.isEmpty { names[names.count - 1] = last }
    return "\(name){" + names.map { "\($0)=\"v\"" }.joined(separator: ",") + "} 1\n"
}

/// The text parser against ``PushLimits`` and on lines with very many labels.
struct TextFormatParserLimitsTests {
    private static let small = PushLimits(maxLabelsPerSeries: 3, maxNameOrValueBytes: 8, maxSeriesPerPush: 4)

    @Test(arguments: [
        (
            line(labels: 4),
            #"text format parsing error in line 1: more than 3 labels in one series of metric "a", the gateway's limit"#
        ),
        (
            "# TYPE s summary\ns_count 1\n" + line("s", labels: 4),
            #"text format parsing error in line 3: more than 3 labels in one series of metric "s", the gateway's limit"#
        ),
        (
            "abcdefghi 1\n",
            "text format parsing error in line 1: metric name is longer than 8 bytes, the gateway's limit for a name or label value"
        ),
        (
            "# HELP abcdefghi x\n",
            "text format parsing error in line 1: metric name in comment is longer than 8 bytes, the gateway's limit for a name or label value"
        ),
        (
            "{\"abcdefghi\"} 1\n",
            "text format parsing error in line 1: metric name is longer than 8 bytes, the gateway's limit for a name or label value"
        ),
        (
            "a{abcdefghi=\"v\"} 1\n",
            #"text format parsing error in line 1: label name of metric "a" is longer than 8 bytes, the gateway's limit for a name or label value"#
        ),
        (
            "a{b=\"123456789\"} 1\n",
            #"text format parsing error in line 1: value of label "b" of metric "a" is longer than 8 bytes, the gateway's limit for a name or label value"#
        ),
        (
            "a 1\nb 1\na 2\nc{x=\"1\"} 1\nc{x=\"2\"} 1\n",
            "text format parsing error in line 5: more than 4 series in one push, the gateway's limit"
        ),
        (
            "# TYPE s summary\ns_count{x=\"1\"} 1\ns_sum{x=\"1\"} 1\ns{x=\"2\"} 1\ns{x=\"3\"} 1\ns{x=\"4\"} 1\ns{x=\"5\"} 1\n",
            "text format parsing error in line 7: more than 4 series in one push, the gateway's limit"
        ),
    ])
    func refusesPushBeyondALimitNamingIt(input: String, message: String) {
        let error = parseError(input, limits: Self.small)
        #expect(error?.description == message)
        #expect(error?.code == .limitExceeded)
    }

    @Test(arguments: [
        line(labels: 3),
        "abcdefgh 1\n",
        "a{b=\"12345678\"} 1\n",
        "a{b=\"" + String(repeating: "\\\\", count: 8) + "\"} 1\n",
        "# TYPE s summary\ns{l0=\"v\",l1=\"v\",l2=\"v\",quantile=\"0.5\"} 1\n",
        "# TYPE h histogram\nh_bucket{l0=\"v\",l1=\"v\",l2=\"v\",le=\"1\"} 1\n",
        "# TYPE s summary\ns{x=\"1\",quantile=\"0.5\"} 1\ns{x=\"1\",quantile=\"0.9\"} 1\ns_sum{x=\"1\"} 1\ns_count{x=\"1\"} 1\n",
        "a 1\nb 1\nc 1\nd 1\n",
    ])
    func acceptsPushAtTheLimits(input: String) throws {
        // Escaped bytes count once decoded; the special quantile and le labels and the lines merged into one
        // summary or histogram series do not count.
        #expect(throws: Never.self) { try parse(input, limits: Self.small) }
    }

    @Test func defaultLimitsAreTheGatewaysAndEnforced() throws {
        #expect(TextFormatParser.Options().limits == .default)
        _ = try parse(line(labels: PushLimits.default.maxLabelsPerSeries))
        let error = parseError(line(labels: PushLimits.default.maxLabelsPerSeries + 1))
        #expect(error?.code == .limitExceeded)
        let value = String(repeating: "x", count: PushLimits.default.maxNameOrValueBytes + 1)
        #expect(parseError("a{b=\"\(value)\"} 1\n")?.code == .limitExceeded)
    }

    // A line of many labels must be checked for duplicates in linear time (issue 8: 100k labels took 25 s);
    // these check that the set used beyond a few labels gives the same answers as the scan.
    @Test(arguments: [20, 5000])
    func findsADuplicateAmongManyLabels(count: Int) {
        let error = parseError(line(labels: count, last: "l3"), limits: .unlimited)
        #expect(error?.description == #"text format parsing error in line 1: duplicate label names for metric "a""#)
        let quoted = parseError("{\"a\"," + line("", labels: count, last: "l0").dropFirst(), limits: .unlimited)
        #expect(quoted?.description == #"text format parsing error in line 1: duplicate label names for metric "a""#)
    }

    @Test(arguments: [20, 5000])
    func acceptsManyDistinctLabels(count: Int) throws {
        let families = try parse(line(labels: count) + line(labels: count), limits: .unlimited)
        #expect(families.first?.metrics.map(\.labels.count) == [count, count])
        // Labels before a quoted metric name inside braces are checked again once the name is known.
        let quoted = try parse("{" + line("", labels: count).dropFirst().dropLast(4) + ",\"a\"} 1\n", limits: .unlimited)
        #expect(quoted.first?.metrics.first?.labels.count == count)
    }
}
