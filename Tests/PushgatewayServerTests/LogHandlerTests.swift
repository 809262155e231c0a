import Logging
import Synchronization
import Testing

@testable import PushgatewayServer

struct LogHandlerTests {
    private static func capture(_ format: LogFormat, level: Logger.Level = .info, _ body: (Logger) -> Void) -> [String] {
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "test") { _ in
            GatewayLogHandler(format: format, level: level) { line in lines.withLock { $0.append(line) } }
        }
        body(logger)
        return lines.withLock { $0 }
    }

    @Test func writesLogfmtWithGoKitKeys() throws {
        let lines = Self.capture(.logfmt) { logger in
            logger.warning("pushed metrics are invalid", metadata: ["method": "PUT", "err": "a=b \"quoted\"\nnext", "empty": ""])
        }
        let line = try #require(lines.first)
        #expect(line.hasPrefix("ts=20"))
        #expect(line.hasSuffix("\n"))
        let fields = line.split(separator: " ", maxSplits: 2)
        #expect(fields.count == 3)
        #expect(fields[1].hasPrefix("caller=LogHandlerTests.swift:"))
        #expect(
            fields.last == "level=warn msg=\"pushed metrics are invalid\" empty= err=\"a=b \\\"quoted\\\"\\nnext\" method=PUT\n"
        )
    }

    @Test func writesJSONWithSortedKeys() throws {
        let lines = Self.capture(.json) { logger in
            logger.error("boom", metadata: ["zeta": "1", "alpha": "x\ty"])
        }
        let line = try #require(lines.first)
        #expect(line.hasPrefix(#"{"alpha":"x\ty","caller":"LogHandlerTests.swift:"#))
        #expect(line.contains(#","level":"error","msg":"boom","ts":"20"#))
        #expect(line.hasSuffix("Z\",\"zeta\":\"1\"}\n"))
    }

    @Test func filtersByLevel() {
        let lines = Self.capture(.logfmt, level: GatewayLogHandler.level(.warn)) { logger in
            logger.debug("no")
            logger.info("no")
            logger.warning("yes")
            logger.error("yes")
        }
        #expect(lines.count == 2)
        #expect(GatewayLogHandler.levelName(.notice) == "info")
        #expect(GatewayLogHandler.levelName(.critical) == "error")
        #expect(GatewayLogHandler.levelName(.trace) == "debug")
    }

    @Test func dropsLibraryStartAndStopLinesEvenAtDebug() {
        let lines = Self.capture(.logfmt, level: .debug) { logger in
            logger.info("Server started and listening on 127.0.0.1:9091", source: "HummingbirdCore")
            logger.debug("Starting service", source: "ServiceLifecycle")
            logger.warning("connection limit reached", source: "HummingbirdCore")
            logger.debug("failed to parse push", source: "PushgatewayServer")
        }
        #expect(lines.count == 2)
        #expect(lines[0].contains("level=warn msg=\"connection limit reached\""))
        #expect(lines[1].contains("msg=\"failed to parse push\""))
    }
}
