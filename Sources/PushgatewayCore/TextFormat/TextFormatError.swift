/// A text exposition (format 0.0.4) that could not be parsed.
///
/// ``description`` reads exactly as upstream's `text format parsing error in line N: …`, because clients and
/// operators grep for it and the gateway answers it verbatim with 400.
public struct TextFormatError: Error, Hashable, Sendable {
    /// A broad classification of what went wrong; codes may be added without breaking `switch`es elsewhere.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case unexpectedEndOfInput
            case invalidMetricName
            case invalidLabelName
            case invalidLabelValue
            case invalidEscapeSequence
            case reservedLabelName
            case duplicateLabelName
            case unexpectedCharacter
            case invalidValue
            case invalidTimestamp
            case duplicateHelp
            case duplicateType
            case unknownType
            case negativeCount
            case unsupportedType
            case limitExceeded
        }

        private var wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The input ended inside a line (the last line must end with a newline).
        public static var unexpectedEndOfInput: Self { Self(.unexpectedEndOfInput) }
        /// A metric name is missing, malformed, or not allowed by the name validation in force.
        public static var invalidMetricName: Self { Self(.invalidMetricName) }
        /// A label name is missing, malformed, or not allowed by the name validation in force.
        public static var invalidLabelName: Self { Self(.invalidLabelName) }
        /// A label value is not valid UTF-8 or contains a raw newline.
        public static var invalidLabelValue: Self { Self(.invalidLabelValue) }
        /// A backslash is followed by something other than `\`, `n` or `"`.
        public static var invalidEscapeSequence: Self { Self(.invalidEscapeSequence) }
        /// The label `__name__` was used.
        public static var reservedLabelName: Self { Self(.reservedLabelName) }
        /// The same label name appears twice in one sample.
        public static var duplicateLabelName: Self { Self(.duplicateLabelName) }
        /// A byte that the grammar does not allow here.
        public static var unexpectedCharacter: Self { Self(.unexpectedCharacter) }
        /// A sample value, `quantile` or `le` is not a float as Go parses it.
        public static var invalidValue: Self { Self(.invalidValue) }
        /// A timestamp is not a base-10 int64, or something follows it.
        public static var invalidTimestamp: Self { Self(.invalidTimestamp) }
        /// A second `# HELP` line for a family.
        public static var duplicateHelp: Self { Self(.duplicateHelp) }
        /// A second `# TYPE` line, or one after the family's samples.
        public static var duplicateType: Self { Self(.duplicateType) }
        /// A `# TYPE` line names no known type.
        public static var unknownType: Self { Self(.unknownType) }
        /// A histogram count or bucket population is negative.
        public static var negativeCount: Self { Self(.negativeCount) }
        /// Samples of a type the text format cannot carry (gauge histograms).
        public static var unsupportedType: Self { Self(.unsupportedType) }
        /// The push goes beyond one of the gateway's ``PushLimits`` (upstream has none).
        public static var limitExceeded: Self { Self(.limitExceeded) }

        public var description: String { String(describing: self.wrapped) }
    }

    /// What went wrong, broadly.
    public var code: Code
    /// The 1-based line of the input; 0 for the one error upstream reports without a line.
    public var line: Int
    /// Upstream's message for the error, without the line prefix.
    public var message: String

    package init(_ code: Code, line: Int, message: String) {
        self.code = code
        self.line = line
        self.message = message
    }
}

extension TextFormatError: CustomStringConvertible {
    public var description: String {
        // Go's parser returns a bare error (no ParseError, so no line) for samples of an unsupported type.
        if self.line == 0 {
            return self.message
        }
        return "text format parsing error in line \(self.line): \(self.message)"
    }
}
