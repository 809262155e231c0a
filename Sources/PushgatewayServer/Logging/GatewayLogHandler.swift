public import Logging
import PushgatewayCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// Log lines as upstream's go-kit/promlog logger writes them, so existing log pipelines keep parsing them:
// logfmt `ts=2024-01-02T03:04:05.678Z caller=push.swift:42 level=info msg="…" key=value` or one JSON object per
// line with sorted keys. Levels are go-kit's: debug, info, warn, error.

/// A swift-log handler writing `--log.format` lines (logfmt or JSON) to standard error.
public struct GatewayLogHandler: LogHandler {
    /// Metadata added to every line.
    public var metadata: Logger.Metadata = [:]
    /// The least severe level written.
    public var logLevel: Logger.Level
    /// Contextual metadata added to every line.
    public var metadataProvider: Logger.MetadataProvider?

    private let format: LogFormat
    private let output: @Sendable (String) -> Void

    /// Creates a handler.
    /// - Parameters:
    ///   - format: logfmt or JSON.
    ///   - level: The least severe level written.
    ///   - output: Where finished lines (with their line feed) go; standard error by default.
    public init(
        format: LogFormat,
        level: Logger.Level,
        output: @escaping @Sendable (String) -> Void = GatewayLogHandler.writeToStandardError
    ) {
        self.format = format
        self.logLevel = level
        self.output = output
    }

    /// One metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    /// Writes one line: the fixed keys, then the metadata sorted by key. Debug and info lines of the libraries
    /// underneath (``isLibraryChatter(source:level:)``) are not written.
    public func log(event: LogEvent) {
        guard !Self.isLibraryChatter(source: event.source, level: event.level) else {
            return
        }
        var fields = self.metadata
        if let provided = self.metadataProvider?.get() {
            fields.merge(provided) { _, new in new }
        }
        if let metadata = event.metadata {
            fields.merge(metadata) { _, new in new }
        }
        if let error = event.error {
            fields["err"] = .string("\(error)")
        }
        let file = event.file.split(separator: "/").last.map(String.init) ?? event.file
        let fixed: [(String, String)] = [
            ("ts", Self.timestamp()),
            ("caller", "\(file):\(event.line)"),
            ("level", Self.levelName(event.level)),
            ("msg", event.message.description),
        ]
        let extra = fields.map { ($0.key, Self.text(of: $0.value)) }.sorted { $0.0 < $1.0 }
        switch self.format {
        case .logfmt:
            let line = (fixed + extra).map { "\(Self.logfmtKey($0.0))=\(Self.logfmtValue($0.1))" }.joined(separator: " ")
            self.output(line + "\n")
        case .json:
            var byKey: [String: String] = [:]
            for (key, value) in extra {
                byKey[key] = value
            }
            for (key, value) in fixed {
                byKey[key] = value
            }
            let members = byKey.sorted { $0.key < $1.key }.map { "\(Self.jsonString($0.key)):\(Self.jsonString($0.value))" }
            self.output("{" + members.joined(separator: ",") + "}\n")
        }
    }

    /// Writes a line to standard error in one `write` call, so concurrent lines do not interleave.
    @Sendable public static func writeToStandardError(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR {
                        continue
                    }
                    return
                }
                offset += written
            }
        }
    }

    /// Whether a line is a library's start/stop or per-connection step (Hummingbird's "Server started and
    /// listening on", ServiceLifecycle's "Starting service" and the like) rather than the gateway's own.
    ///
    /// Upstream writes none of these, and operators' tooling keys on the gateway's own lines (`Listening on`,
    /// `HTTP server stopped`), so only the libraries' warnings and errors are kept, even at `--log.level=debug`.
    static func isLibraryChatter(source: String, level: Logger.Level) -> Bool {
        guard level < .warning else { return false }
        return Self.libraryModulePrefixes.contains { source.hasPrefix($0) }
    }

    private static let libraryModulePrefixes = ["Hummingbird", "ServiceLifecycle", "UnixSignals", "NIO", "AsyncHTTPClient"]

    /// go-kit's level names.
    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error, .critical: "error"
        }
    }

    /// The swift-log level for a `--log.level` value.
    static func level(_ level: LogLevel) -> Logger.Level {
        switch level {
        case .debug: .debug
        case .info: .info
        case .warn: .warning
        case .error: .error
        }
    }

    /// promlog's timestamp: UTC, milliseconds, `2006-01-02T15:04:05.000Z`.
    private static func timestamp() -> String {
        RFC3339Nano.formatMilliseconds(Timestamp.now())
    }

    private static func text(of value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array, .dictionary: value.description
        }
    }

    /// go-logfmt keys: characters a key cannot hold (space, `=`, `"`, controls) become `_`.
    private static func logfmtKey(_ key: String) -> String {
        guard !key.isEmpty else { return "_" }
        return String(key.unicodeScalars.map { $0.value <= 0x20 || $0 == "=" || $0 == "\"" ? "_" : Character($0) })
    }

    /// go-logfmt values: bare unless they hold a space, `=`, `"` or a control character, then quoted with
    /// Go-style escapes.
    private static func logfmtValue(_ value: String) -> String {
        let needsQuotes = value.unicodeScalars.contains { $0.value <= 0x20 || $0 == "=" || $0 == "\"" || $0 == "\u{FFFD}" }
        guard needsQuotes else { return value }
        return self.jsonString(value)
    }

    /// A JSON string literal (also go-logfmt's quoting): `"` and `\` escaped, `\n \r \t`, other controls as `\u00XX`.
    private static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
