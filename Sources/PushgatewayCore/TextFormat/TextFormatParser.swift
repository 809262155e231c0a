// The grammar half of the text parser: a state machine over TextFormatScanner that follows Go's expfmt
// TextParser state by state (startOfLine, startComment, readingMetricName, startLabelName,
// startLabelValue, readingValue, startTimestamp), so that what upstream accepts, what it rejects and the
// message it rejects with are the same here.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

private let asciiNewline: UInt8 = 0x0A
private let asciiHash: UInt8 = 0x23
private let asciiComma: UInt8 = 0x2C
private let asciiEquals: UInt8 = 0x3D
private let asciiQuote: UInt8 = 0x22
private let asciiOpenBrace: UInt8 = 0x7B
private let asciiCloseBrace: UInt8 = 0x7D

/// Parses the Prometheus text exposition format 0.0.4 into ``MetricFamily`` values, with the exact
/// strictness of upstream's Go parser (prometheus/common expfmt).
public struct TextFormatParser: Sendable {
    /// Parser options.
    public struct Options: Hashable, Sendable {
        /// Accepts UTF-8 metric and label names in the quoted syntax (`{"my.metric","a.b"="v"} 1`);
        /// otherwise names must match the legacy `[a-zA-Z_:][a-zA-Z0-9_:]*` (labels without `:`).
        public var allowUTF8Names: Bool
        /// What one push may hold; going beyond is a ``TextFormatError`` with code
        /// ``TextFormatError/Code/limitExceeded`` naming the limit.
        public var limits: PushLimits

        /// Creates options; the defaults are upstream's (legacy names) and the gateway's limits.
        public init(allowUTF8Names: Bool = false, limits: PushLimits = .default) {
            self.allowUTF8Names = allowUTF8Names
            self.limits = limits
        }
    }

    /// The options in force.
    public var options: Options

    /// Creates a parser.
    public init(options: Options = Options()) {
        self.options = options
    }

    /// Parses a whole exposition.
    ///
    /// - Returns: the families in order of first appearance; families without samples (declared by `# HELP`
    ///   or `# TYPE` only) are dropped, as upstream drops them.
    /// - Throws: ``TextFormatError`` with upstream's message for the first offending line.
    public func parse(_ bytes: some Collection<UInt8>) throws(TextFormatError) -> [MetricFamily] {
        let result: Result<[MetricFamily], TextFormatError>? = bytes.withContiguousStorageIfAvailable { buffer in
            self.parse(UnsafeRawBufferPointer(buffer))
        }
        if let result {
            return try result.get()
        }
        return try Array(bytes).withUnsafeBytes { self.parse($0) }.get()
    }

    /// Upstream's parseFloat: Go's ParseFloat, minus anything with `p`, `P` or `_` (no hex floats, no
    /// digit separators).
    static func parseFloat(_ bytes: UnsafeRawBufferPointer) -> Double? {
        for byte in bytes where byte == 0x70 || byte == 0x50 || byte == 0x5F {
            return nil
        }
        return GoFloat.parse(bytes)
    }

    private func parse(_ buffer: UnsafeRawBufferPointer) -> Result<[MetricFamily], TextFormatError> {
        var decoder = TextFormatDecoder(buffer, options: self.options)
        do throws(TextFormatError) {
            try decoder.run()
            return .success(decoder.finish())
        } catch {
            return .failure(error)
        }
    }
}

/// A family being assembled.
private struct FamilyBuilder {
    var name: String
    var nameBytes: [UInt8]
    var help: String?
    var type: MetricType?
    var metrics: [Metric] = []
    // Summaries and histograms gather several lines into one metric, keyed by its labels sorted by name
    // (upstream's LabelsToSignature over the labels without quantile/le).
    var index: [[LabelPair]: Int] = [:]
    var summaries: [Summary] = []
    var histograms: [HistogramBuilder] = []
}

/// A text histogram being assembled; counts stay doubles until the end decides integer or float fields.
private struct HistogramBuilder {
    var sampleCount: Double?
    var sampleSum: Double?
    var bounds: [Double] = []
    var counts: [Double] = []

    func build() -> Histogram {
        // Integral counts go to the integer fields; one non-integral count turns the whole histogram into
        // a float histogram (the *_float fields), as upstream's parser does.
        let isFloat = self.counts.contains { !Self.isIntegral($0) } || self.sampleCount.map { !Self.isIntegral($0) } ?? false
        // Upstream sets sample_count and sample_sum only from `_count` and `_sum` lines.
        var histogram = Histogram(
            sampleSum: self.sampleSum ?? 0,
            hasSampleCount: self.sampleCount != nil,
            hasSampleSum: self.sampleSum != nil
        )
        histogram.buckets.reserveCapacity(self.bounds.count)
        for (bound, count) in zip(self.bounds, self.counts) {
            if isFloat {
                histogram.buckets.append(Bucket(cumulativeCountFloat: count, upperBound: bound))
            } else {
                histogram.buckets.append(Bucket(cumulativeCount: UInt64(count), upperBound: bound))
            }
        }
        if let sampleCount = self.sampleCount {
            if isFloat {
                histogram.sampleCountFloat = sampleCount
            } else {
                histogram.sampleCount = UInt64(sampleCount)
            }
        }
        return histogram
    }

    static func isIntegral(_ value: Double) -> Bool {
        value >= 0 && value < 18_446_744_073_709_551_616 && value.rounded(.towardZero) == value
    }
}

/// The decoder proper: one run over one input.
private struct TextFormatDecoder {
    private var scanner: TextFormatScanner
    private let options: TextFormatParser.Options

    private var families: [FamilyBuilder] = []
    private var familyIndex: [String: Int] = [:]
    /// Series (metrics) created so far, across families, for ``PushLimits/maxSeriesPerPush``.
    private var seriesCount = 0

    // The family of the line being read, and whether its name was `x_count`/`x_sum` of summary or
    // histogram `x` (Go's currentIsSummaryCount & co.).
    private var family: Int? {
        didSet { self.refreshFamilyType() }
    }
    /// The current family's type, kept at hand: it decides how every label and value is read.
    private var familyType: MetricType?
    private var isCount = false
    private var isSum = false

    // A one-entry cache from the last sample line's name bytes to its resolution; cleared whenever a
    // family is created or typed, since either can change how a name resolves.
    private var cachedName: [UInt8] = []
    private var cachedResolution: (family: Int, isCount: Bool, isSum: Bool)?

    // The sample line being read, and the previous one's labels: consecutive lines mostly repeat label
    // names and many values, so a byte comparison usually replaces creating a String.
    private var labels: [LabelPair] = []
    private var previousLabels: [LabelPair] = []
    private var namesRepeatPrevious = false
    private var lastComplexMetric: (family: Int, labels: [LabelPair], index: Int)?
    private var quantile: Double = .nan
    private var bucket: Double = .nan
    // The value of the last label read when it was a special one (`quantile`, `le`), which `labels` does
    // not keep; otherwise the last label read is the last of `labels`.
    private var lastSpecialLabelValue: String?
    // The names of `labels[..<indexedLabels]`, for the duplicate check of lines with many labels; a line
    // with few labels is scanned instead (cheaper than hashing).
    private var labelNames: Set<String> = []
    private var indexedLabels = 0
    private var inBraces = false
    private var nameInBraces = false

    init(_ bytes: UnsafeRawBufferPointer, options: TextFormatParser.Options) {
        self.scanner = TextFormatScanner(bytes)
        self.options = options
    }

    // MARK: Errors

    private func error(_ code: TextFormatError.Code, _ message: String) -> TextFormatError {
        TextFormatError(code, line: self.scanner.line, message: message)
    }

    private var endOfInput: TextFormatError {
        self.error(.unexpectedEndOfInput, "unexpected end of input stream")
    }

    /// Throws when the token (a name or value, `what`) is longer than the limit allows.
    @inline(__always)
    private func checkTokenLength(_ what: @autoclosure () -> String) throws(TextFormatError) {
        let limit = self.options.limits.maxNameOrValueBytes
        if self.scanner.tokenCount > limit {
            throw self.error(.limitExceeded, "\(what()) is longer than \(limit) bytes, the gateway's limit for a name or label value")
        }
    }

    /// Counts one more series, throwing when the push would hold more than the limit allows.
    @inline(__always)
    private mutating func countSeries() throws(TextFormatError) {
        self.seriesCount += 1
        let limit = self.options.limits.maxSeriesPerPush
        if self.seriesCount > limit {
            throw self.error(.limitExceeded, "more than \(limit) series in one push, the gateway's limit")
        }
    }

    private var familyName: String {
        self.family.map { self.families[$0].name } ?? ""
    }

    // MARK: Lines

    mutating func run() throws(TextFormatError) {
        while true {
            self.scanner.line += 1
            self.inBraces = false
            self.nameInBraces = false
            // The end of input is only legitimate here, at the start of a line (possibly after blanks).
            guard self.scanner.skipBlankTab() else { return }
            switch self.scanner.current {
            case asciiHash:
                try self.readComment()
            case asciiNewline:
                continue
            case asciiOpenBrace:
                self.inBraces = true
                self.family = nil
                self.beginSample()
                try self.readLabels()
            default:
                try self.readSample()
            }
        }
    }

    private mutating func readComment() throws(TextFormatError) {
        guard self.scanner.skipBlankTab() else { throw self.endOfInput }
        if self.scanner.current == asciiNewline { return }
        guard self.scanner.readTokenUntilWhitespace() else { throw self.endOfInput }
        if self.scanner.current == asciiNewline { return }
        let keyword = self.scanner.tokenBytes
        let isHelp = keyword == Array("HELP".utf8)
        let isType = keyword == Array("TYPE".utf8)
        guard isHelp || isType else {
            // Any other comment is ignored.
            guard self.scanner.skipToNewline() else { throw self.endOfInput }
            return
        }
        guard self.scanner.skipBlankTab() else { throw self.endOfInput }
        guard try self.scanner.readMetricName() else { throw self.endOfInput }
        if self.scanner.current == asciiNewline { return }
        try self.checkTokenLength("metric name in comment")
        guard TextFormatScanner.isBlankOrTab(self.scanner.current),
            let name = self.scanner.tokenString(), self.isValidMetricName(name)
        else {
            throw self.error(.invalidMetricName, "invalid metric name in comment")
        }
        self.resolveFamily(name: name, bytes: self.scanner.tokenBytes)
        guard self.scanner.skipBlankTab() else { throw self.endOfInput }
        if self.scanner.current == asciiNewline { return }
        // resolveFamily always sets a family.
        let index = self.family ?? 0
        if isHelp {
            if self.families[index].help != nil {
                throw self.error(.duplicateHelp, "second HELP line for metric name \(GoQuote.string(self.families[index].name))")
            }
            guard try self.scanner.readTokenUntilNewline(escapes: true) else { throw self.endOfInput }
            self.families[index].help = self.scanner.tokenStringRepairingUTF8()
        } else {
            if self.families[index].type != nil {
                throw self.error(
                    .duplicateType,
                    "second TYPE line for metric name \(GoQuote.string(self.families[index].name)), or TYPE reported after samples"
                )
            }
            guard try self.scanner.readTokenUntilNewline(escapes: false) else { throw self.endOfInput }
            guard let type = Self.metricType(self.scanner.tokenBytes) else {
                throw self.error(.unknownType, "unknown metric type \(GoQuote.string(self.scanner.tokenBytes))")
            }
            self.families[index].type = type
            self.refreshFamilyType()
            self.cachedResolution = nil
        }
    }

    /// Upstream looks the upper-cased word up in the protobuf enum's names; `gaugehistogram` is the
    /// OpenMetrics spelling it also accepts.
    private static func metricType(_ word: [UInt8]) -> MetricType? {
        let upper = String(decoding: word.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
        switch upper {
        case "COUNTER": return .counter
        case "GAUGE": return .gauge
        case "SUMMARY": return .summary
        case "UNTYPED": return .untyped
        case "HISTOGRAM": return .histogram
        case "GAUGE_HISTOGRAM", "GAUGEHISTOGRAM": return .gaugeHistogram
        default: return nil
        }
    }

    private mutating func readSample() throws(TextFormatError) {
        let known =
            self.cachedResolution != nil
            && self.cachedName.withUnsafeBufferPointer { self.scanner.readKnownName($0, isMetricName: true) }
        if !known {
            guard try self.scanner.readMetricName() else { throw self.endOfInput }
        }
        if self.scanner.tokenIsEmpty {
            throw self.error(.invalidMetricName, "invalid metric name")
        }
        try self.setSampleFamily()
        self.beginSample()
        guard self.scanner.skipBlankTabIfCurrentBlankTab() else { throw self.endOfInput }
        if self.scanner.current == asciiOpenBrace {
            try self.readLabels()
        } else {
            try self.readValue()
        }
    }

    /// Resolves the token as the sample's metric name and makes its family current (untyped if new).
    private mutating func setSampleFamily() throws(TextFormatError) {
        let resolved = try self.scanner.withToken { bytes throws(TextFormatError) -> Bool in
            guard let cached = self.cachedResolution, self.cachedName.count == bytes.count,
                self.cachedName.withUnsafeBytes({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 })
            else { return false }
            self.family = cached.family
            self.isCount = cached.isCount
            self.isSum = cached.isSum
            return true
        }
        if !resolved {
            try self.checkTokenLength("metric name")
            guard let name = self.scanner.tokenString(), !self.scanner.nameWasQuoted || self.isValidMetricName(name) else {
                throw self.error(.invalidMetricName, "invalid metric name \(GoQuote.string(self.scanner.tokenBytes))")
            }
            let bytes = self.scanner.tokenBytes
            self.resolveFamily(name: name, bytes: bytes)
            let index = self.family ?? 0
            if self.families[index].type == nil {
                self.families[index].type = .untyped
                self.refreshFamilyType()
            }
            self.cachedName = bytes
            self.cachedResolution = (index, self.isCount, self.isSum)
        }
    }

    /// Go's setOrCreateCurrentMF: the exact name, else summary `x` for `x_count`/`x_sum`, else histogram `x`
    /// for `x_count`/`x_sum`/`x_bucket`, else a new family.
    private mutating func resolveFamily(name: String, bytes: [UInt8]) {
        self.isCount = false
        self.isSum = false
        if let index = self.familyIndex[name] {
            self.family = index
            return
        }
        let count = Self.hasSuffix(bytes, "_count")
        let sum = Self.hasSuffix(bytes, "_sum")
        let bucket = Self.hasSuffix(bytes, "_bucket")
        if count || sum {
            let base = Self.drop(bytes, suffixLength: count ? 6 : 4)
            if let index = self.familyIndex[base], self.families[index].type == .summary {
                self.family = index
                self.isCount = count
                self.isSum = sum
                return
            }
        }
        if count || sum || bucket {
            let base = Self.drop(bytes, suffixLength: count ? 6 : sum ? 4 : 7)
            if let index = self.familyIndex[base], self.families[index].type == .histogram {
                self.family = index
                self.isCount = count
                self.isSum = sum
                return
            }
        }
        self.families.append(FamilyBuilder(name: name, nameBytes: bytes))
        let index = self.families.count - 1
        self.familyIndex[name] = index
        self.family = index
        self.cachedResolution = nil
    }

    private static func hasSuffix(_ bytes: [UInt8], _ suffix: StaticString) -> Bool {
        let length = suffix.utf8CodeUnitCount
        guard bytes.count > length else { return false }
        return suffix.withUTF8Buffer { suffixBytes in
            bytes[(bytes.count - length)...].elementsEqual(suffixBytes)
        }
    }

    private static func drop(_ bytes: [UInt8], suffixLength: Int) -> String {
        String(decoding: bytes[..<(bytes.count - suffixLength)], as: UTF8.self)
    }

    // MARK: Names

    // Quoted UTF-8 names may hold any character but NUL, which a protobuf push may not hold in a name either.
    private func isValidMetricName(_ name: String) -> Bool {
        self.options.allowUTF8Names ? Self.isValidUTF8Name(name) : LegacyName.isValidMetricName(name)
    }

    private func isValidLabelName(_ name: String) -> Bool {
        self.options.allowUTF8Names ? Self.isValidUTF8Name(name) : LegacyName.isValidLabelName(name)
    }

    private static func isValidUTF8Name(_ name: String) -> Bool {
        !name.isEmpty && !name.utf8.contains(0)
    }

    // MARK: Samples

    private mutating func beginSample() {
        if !self.labels.isEmpty {
            swap(&self.labels, &self.previousLabels)
        }
        self.removeAllLabels()
        // Only a plain sample line (labels directly after the name) can lean on the previous line's checks;
        // special labels (quantile, le) are not in `labels`, so positions would not line up.
        self.namesRepeatPrevious = !self.inBraces && self.familyType != .summary && self.familyType != .histogram
        self.quantile = .nan
        self.bucket = .nan
    }

    private mutating func refreshFamilyType() {
        if let family = self.family {
            self.familyType = self.families[family].type
        } else {
            self.familyType = nil
        }
    }

    /// The label loop; ``TextFormatScanner/current`` is `{`.
    private mutating func readLabels() throws(TextFormatError) {
        while true {
            guard self.scanner.skipBlankTab() else { throw self.endOfInput }
            if self.scanner.current == asciiCloseBrace {
                guard self.family != nil else { throw self.error(.invalidMetricName, "invalid metric name") }
                guard self.scanner.skipBlankTab() else { throw self.endOfInput }
                return try self.readValue()
            }
            let position = self.labels.count
            let known =
                position < self.previousLabels.count
                && withUTF8Bytes(self.previousLabels[position].name) { self.scanner.readKnownName($0, isMetricName: false) }
            if !known {
                guard try self.scanner.readLabelName() else { throw self.endOfInput }
            }
            if self.scanner.tokenIsEmpty {
                throw self.error(.invalidLabelName, "invalid label name for metric \(GoQuote.string(self.familyName))")
            }
            guard self.scanner.skipBlankTabIfCurrentBlankTab() else { throw self.endOfInput }
            if self.scanner.current != asciiEquals {
                guard self.inBraces else {
                    throw self.error(.unexpectedCharacter, "expected '=' after label name, found \(GoQuote.byte(self.scanner.current))")
                }
                // Inside braces a bare (usually quoted) name is the metric name.
                if self.nameInBraces {
                    throw self.error(.invalidMetricName, "multiple metric names for metric \(GoQuote.string(self.familyName))")
                }
                switch self.scanner.current {
                case asciiComma:
                    try self.setNameInBraces()
                    continue
                case asciiCloseBrace:
                    try self.setNameInBraces()
                    guard self.scanner.skipBlankTab() else { throw self.endOfInput }
                    return try self.readValue()
                default:
                    throw self.error(.invalidMetricName, "unexpected end of metric name \(GoQuote.byte(self.scanner.current))")
                }
            }
            try self.readLabelPair()
            guard self.scanner.skipBlankTab() else { throw self.endOfInput }
            switch self.scanner.current {
            case asciiComma:
                continue
            case asciiCloseBrace:
                guard self.family != nil else { throw self.error(.invalidMetricName, "invalid metric name") }
                guard self.scanner.skipBlankTab() else { throw self.endOfInput }
                return try self.readValue()
            default:
                throw self.error(
                    .unexpectedCharacter,
                    "unexpected end of label value \(GoQuote.string(self.lastSpecialLabelValue ?? self.labels.last?.value ?? ""))"
                )
            }
        }
    }

    /// A bare name inside braces names the metric; labels read before it are sorted out now that the
    /// family (and so whether `quantile`/`le` are special) is known.
    private mutating func setNameInBraces() throws(TextFormatError) {
        self.nameInBraces = true
        try self.setSampleFamily()
        let earlier = self.labels
        self.removeAllLabels()
        for pair in earlier {
            try self.addLabel(pair)
        }
    }

    /// Reads `name="value"`; the name is the token and ``TextFormatScanner/current`` is `=`.
    /// The token as a String, reusing the previous line's string at the same position when the bytes match.
    @inline(__always)
    private mutating func tokenString(reusingValue: Bool) -> (string: String?, reused: Bool) {
        let position = self.labels.count
        if position < self.previousLabels.count {
            let candidate = reusingValue ? self.previousLabels[position].value : self.previousLabels[position].name
            if self.scanner.tokenEquals(candidate) {
                return (candidate, true)
            }
        }
        return (self.scanner.tokenString(), false)
    }

    private mutating func readLabelPair() throws(TextFormatError) {
        try self.checkTokenLength("label name of metric \(GoQuote.string(self.familyName))")
        let (token, reused) = self.tokenString(reusingValue: false)
        // An unquoted name is a legacy name by construction; only quoted ones need validating.
        guard let name = token, !self.scanner.nameWasQuoted || self.isValidLabelName(name) else {
            throw self.error(.invalidLabelName, "invalid label name \(GoQuote.string(self.scanner.tokenBytes))")
        }
        // While every name so far repeats the previous line's at the same position, the previous line's
        // checks (not reserved, no duplicates) already cover them.
        let repeatsPrevious = reused && self.namesRepeatPrevious
        self.namesRepeatPrevious = repeatsPrevious
        if !repeatsPrevious && Self.isName(name, "__name__") {
            throw self.error(.reservedLabelName, "label name \"__name__\" is reserved")
        }
        let type = self.familyType
        let special = (type == .summary && Self.isName(name, "quantile")) || (type == .histogram && Self.isName(name, "le"))
        if !special && !repeatsPrevious && self.hasLabel(named: name) {
            throw self.error(.duplicateLabelName, "duplicate label names for metric \(GoQuote.string(self.familyName))")
        }
        guard self.scanner.skipBlankTab() else { throw self.endOfInput }
        guard self.scanner.current == asciiQuote else {
            throw self.error(.unexpectedCharacter, "expected '\"' at start of label value, found \(GoQuote.byte(self.scanner.current))")
        }
        guard try self.scanner.readLabelValue() else { throw self.endOfInput }
        try self.checkTokenLength("value of label \(GoQuote.string(name)) of metric \(GoQuote.string(self.familyName))")
        guard let value = self.tokenString(reusingValue: true).string else {
            throw self.error(.invalidLabelValue, "invalid label value \(GoQuote.string(self.scanner.tokenBytes))")
        }
        try self.addLabel(LabelPair(name: name, value: value))
    }

    /// `name == special` for an ASCII `special` that no other byte sequence is Unicode-equivalent to (no
    /// `K`, `;` or `` ` ``), so comparing bytes gives the same answer as comparing Strings; names of another
    /// length are told apart inline.
    @inline(__always)
    private static func isName(_ name: String, _ special: StaticString) -> Bool {
        name.utf8.count == special.utf8CodeUnitCount && self.hasBytes(name, special)
    }

    // Out of line, so that the callers stay small enough for the scanner's helpers to be inlined into them.
    @inline(never)
    private static func hasBytes(_ name: String, _ special: StaticString) -> Bool {
        withUTF8Bytes(name) { bytes in
            guard let base = bytes.baseAddress else { return special.utf8CodeUnitCount == 0 }
            return bytes.count == special.utf8CodeUnitCount && bytesEqual(base, special.utf8Start, count: bytes.count)
        }
    }

    private mutating func addLabel(_ pair: LabelPair) throws(TextFormatError) {
        let type = self.familyType
        if type == .summary && Self.isName(pair.name, "quantile") {
            guard let quantile = Self.parseFloat(pair.value) else {
                throw self.error(.invalidValue, "expected float as value for 'quantile' label, got \(GoQuote.string(pair.value))")
            }
            self.quantile = quantile
            self.lastSpecialLabelValue = pair.value
        } else if type == .histogram && Self.isName(pair.name, "le") {
            guard let bound = Self.parseFloat(pair.value) else {
                throw self.error(.invalidValue, "expected float as value for 'le' label, got \(GoQuote.string(pair.value))")
            }
            self.bucket = bound
            self.lastSpecialLabelValue = pair.value
        } else {
            if self.nameInBraces && self.hasLabel(named: pair.name) {
                throw self.error(.duplicateLabelName, "duplicate label names for metric \(GoQuote.string(self.familyName))")
            }
            let limit = self.options.limits.maxLabelsPerSeries
            if self.labels.count >= limit {
                throw self.error(
                    .limitExceeded,
                    "more than \(limit) labels in one series of metric \(GoQuote.string(self.familyName)), the gateway's limit"
                )
            }
            self.labels.append(pair)
            if self.lastSpecialLabelValue != nil {
                self.lastSpecialLabelValue = nil
            }
        }
    }

    /// Whether the line's labels so far hold `name`: a scan while they are few, a set lookup beyond, so that
    /// a line of n labels costs O(n) rather than O(n²).
    private mutating func hasLabel(named name: String) -> Bool {
        if self.labels.count <= Self.labelScanLimit {
            return self.labels.contains { $0.name == name }
        }
        while self.indexedLabels < self.labels.count {
            self.labelNames.insert(self.labels[self.indexedLabels].name)
            self.indexedLabels += 1
        }
        return self.labelNames.contains(name)
    }

    private static let labelScanLimit = 16

    /// Empties `labels` (and the set of their names).
    private mutating func removeAllLabels() {
        self.labels.removeAll(keepingCapacity: true)
        if self.indexedLabels > 0 {
            self.labelNames.removeAll(keepingCapacity: true)
            self.indexedLabels = 0
        }
    }

    private static func parseFloat(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { TextFormatParser.parseFloat(UnsafeRawBufferPointer($0)) }
    }

    /// Reads the value (and timestamp); ``TextFormatScanner/current`` is the value's first byte.
    private mutating func readValue() throws(TextFormatError) {
        guard let familyIndex = self.family else { throw self.error(.invalidMetricName, "invalid metric name") }
        guard self.scanner.readTokenUntilWhitespace() else { throw self.endOfInput }
        guard let value = try self.scanner.withToken({ bytes throws(TextFormatError) in TextFormatParser.parseFloat(bytes) }) else {
            throw self.error(.invalidValue, "expected float as value, got \(GoQuote.string(self.scanner.tokenBytes))")
        }
        let metricIndex = try self.store(value, in: familyIndex)
        if self.scanner.current == asciiNewline {
            return
        }
        guard self.scanner.skipBlankTab() else { throw self.endOfInput }
        guard self.scanner.readTokenUntilWhitespace() else { throw self.endOfInput }
        guard let timestamp = try self.scanner.withToken({ bytes throws(TextFormatError) in GoFloat.parseInt64(bytes) }) else {
            throw self.error(.invalidTimestamp, "expected integer as timestamp, got \(GoQuote.string(self.scanner.tokenBytes))")
        }
        self.families[familyIndex].metrics[metricIndex].timestampMs = timestamp
        guard try self.scanner.readTokenUntilNewline(escapes: false) else { throw self.endOfInput }
        if !self.scanner.tokenIsEmpty {
            throw self.error(.invalidTimestamp, "spurious string after timestamp: \(GoQuote.string(self.scanner.tokenBytes))")
        }
    }

    /// Adds the sample to its family and returns the index of the metric it went to.
    private mutating func store(_ value: Double, in familyIndex: Int) throws(TextFormatError) -> Int {
        let type = self.families[familyIndex].type ?? .untyped
        if type == .counter || type == .gauge || type == .untyped {
            try self.countSeries()
        }
        switch type {
        case .counter:
            self.families[familyIndex].metrics.append(Metric(labels: self.labels, value: .counter(Counter(value: value))))
        case .gauge:
            self.families[familyIndex].metrics.append(Metric(labels: self.labels, value: .gauge(value)))
        case .untyped:
            self.families[familyIndex].metrics.append(Metric(labels: self.labels, value: .untyped(value)))
        case .summary:
            let index = try self.complexMetric(in: familyIndex)
            if self.isCount {
                self.families[familyIndex].summaries[index].sampleCount = Self.goUInt64(value)
                self.families[familyIndex].summaries[index].hasSampleCount = true
            } else if self.isSum {
                self.families[familyIndex].summaries[index].sampleSum = value
                self.families[familyIndex].summaries[index].hasSampleSum = true
            } else if !self.quantile.isNaN {
                self.families[familyIndex].summaries[index].quantiles.append(Quantile(quantile: self.quantile, value: value))
            }
            return index
        case .histogram:
            let index = try self.complexMetric(in: familyIndex)
            if self.isCount {
                if value < 0 {
                    throw self.error(.negativeCount, "negative count for histogram \(GoQuote.string(self.families[familyIndex].name))")
                }
                self.families[familyIndex].histograms[index].sampleCount = value
            } else if self.isSum {
                self.families[familyIndex].histograms[index].sampleSum = value
            } else if !self.bucket.isNaN {
                if value < 0 {
                    throw self.error(
                        .negativeCount,
                        "negative bucket population for histogram \(GoQuote.string(self.families[familyIndex].name))"
                    )
                }
                self.families[familyIndex].histograms[index].bounds.append(self.bucket)
                self.families[familyIndex].histograms[index].counts.append(value)
            }
            return index
        case .gaugeHistogram:
            // Upstream's parser has no branch for gauge histograms and returns a bare error (no line).
            throw TextFormatError(
                .unsupportedType,
                line: 0,
                message: "unexpected type for metric name \(GoQuote.string(self.families[familyIndex].name))"
            )
        }
        return self.families[familyIndex].metrics.count - 1
    }

    /// The summary or histogram metric with the current labels, created on first sight.
    private mutating func complexMetric(in familyIndex: Int) throws(TextFormatError) -> Int {
        // Lines of one summary or histogram come together: try the last one before sorting and hashing.
        if let last = self.lastComplexMetric, last.family == familyIndex, last.labels == self.labels {
            return last.index
        }
        let index = try self.lookUpComplexMetric(in: familyIndex)
        self.lastComplexMetric = (familyIndex, self.labels, index)
        return index
    }

    private mutating func lookUpComplexMetric(in familyIndex: Int) throws(TextFormatError) -> Int {
        let key = self.labels.count > 1 ? self.labels.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) } : self.labels
        // One hash for both the lookup and the insertion: the default (the next index) is stored if absent.
        let index = self.families[familyIndex].metrics.count
        var found = index
        Self.read(&self.families[familyIndex].index[key, default: index], into: &found)
        if found != index {
            return found
        }
        try self.countSeries()
        self.families[familyIndex].metrics.append(Metric(labels: self.labels, value: .none))
        if self.families[familyIndex].type == .summary {
            // Upstream sets sample_count and sample_sum only from `_count` and `_sum` lines.
            self.families[familyIndex].summaries.append(Summary(hasSampleCount: false, hasSampleSum: false))
        } else {
            self.families[familyIndex].histograms.append(HistogramBuilder())
        }
        return index
    }

    @inline(__always)
    private static func read(_ value: inout Int, into result: inout Int) {
        result = value
    }

    /// Go's `uint64(f)` on amd64: truncation, negative values wrap, out-of-range values give 2^63.
    static func goUInt64(_ value: Double) -> UInt64 {
        if value.isNaN || value.isInfinite || value >= 18_446_744_073_709_551_616 || value < -9_223_372_036_854_775_808.0 {
            return 1 << 63
        }
        if value < 0 {
            return UInt64(bitPattern: Int64(value))
        }
        return UInt64(value)
    }

    // MARK: Result

    consuming func finish() -> [MetricFamily] {
        var result: [MetricFamily] = []
        result.reserveCapacity(self.families.count)
        for builder in self.families where !builder.metrics.isEmpty {
            var metrics = builder.metrics
            switch builder.type {
            case .summary:
                for index in metrics.indices {
                    metrics[index].value = .summary(builder.summaries[index])
                }
            case .histogram:
                for index in metrics.indices {
                    metrics[index].value = .histogram(builder.histograms[index].build())
                }
            default:
                break
            }
            result.append(
                MetricFamily(name: builder.name, help: builder.help, type: builder.type ?? .untyped, metrics: metrics)
            )
        }
        return result
    }
}
