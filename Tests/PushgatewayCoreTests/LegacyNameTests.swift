import Testing

@testable import PushgatewayCore

/// Upstream's legacy name rules, in their one home.
struct LegacyNameTests {
    @Test(arguments: [
        ("a", true, true),
        ("_", true, true),
        ("Abc_09", true, true),
        ("a:b", true, false),
        (":a", true, false),
        ("0a", false, false),
        ("", false, false),
        ("a-b", false, false),
        ("a.b", false, false),
        ("é", false, false),
        ("a\u{0}", false, false),
        ("a b", false, false),
    ])
    func appliesUpstreamsRules(name: String, isMetricName: Bool, isLabelName: Bool) {
        #expect(LegacyName.isValidMetricName(name) == isMetricName)
        #expect(LegacyName.isValidLabelName(name) == isLabelName)
        #expect(LegacyName.isValidMetricName(Array(name.utf8)) == isMetricName)
        #expect(LegacyName.isValidLabelName(Array(name.utf8)[...]) == isLabelName)
    }

    @Test func theTextFormatAppliesTheSameRules() throws {
        // The parser accepts a quoted legacy name without the UTF-8 option and the writer leaves it unquoted.
        let families = try TextFormatParser().parse(Array("{\"a:b\",\"c_1\"=\"v\"} 1\n".utf8))
        #expect(families.first?.name == "a:b")
        #expect(throws: TextFormatError.self) { try TextFormatParser().parse(Array("{\"a:b\",\"c:1\"=\"v\"} 1\n".utf8)) }
        #expect(String(decoding: TextFormatEncoder.encode(families), as: UTF8.self) == "# TYPE a:b untyped\na:b{c_1=\"v\"} 1\n")
    }
}
