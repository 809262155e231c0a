import Hummingbird
import NIOHTTP1
import PushgatewayCore
import PushgatewayStorage

// The one place where errors become HTTP answers. Every answer is Go's http.Error shape (plain text, nosniff,
// message + "\n") with upstream's status and message: 400 for what the push handler rejects (URL, body,
// store), 500 for a scrape of an inconsistent store. The limit upstream does not have answers 413 (body over
// --push.max-body-size).

/// An error with a fixed HTTP answer.
protocol HTTPMappedError: Error {
    /// The status to answer with.
    var httpStatus: HTTPResponse.Status { get }
    /// The message of the `http.Error` body (without the final line feed).
    var httpMessage: String { get }
    /// Headers to add to the answer.
    var httpHeaders: HTTPFields { get }
}

extension HTTPMappedError {
    var httpHeaders: HTTPFields { [:] }
}

extension TextFormatError: HTTPMappedError {
    var httpStatus: HTTPResponse.Status { .badRequest }
    var httpMessage: String { self.description }
}

extension ProtobufCodecError: HTTPMappedError {
    var httpStatus: HTTPResponse.Status { .badRequest }
    // Upstream answers with its decoder's error text; ours (message index, offset) only where Go has none.
    var httpMessage: String { self.goText ?? self.description }
}

extension GroupingPathError: HTTPMappedError {
    var httpStatus: HTTPResponse.Status {
        switch self.code {
        case .routeNotFound: .notFound
        default: .badRequest
        }
    }

    var httpMessage: String { self.message }
}

extension PushError: HTTPMappedError {
    var httpStatus: HTTPResponse.Status { self.code == .unavailable ? .serviceUnavailable : .badRequest }
    var httpMessage: String { self.description }
}

extension DurabilityError: HTTPMappedError {
    var httpStatus: HTTPResponse.Status { .serviceUnavailable }
    var httpMessage: String { self.description }
}

extension ExpositionError: HTTPMappedError {
    var httpStatus: HTTPResponse.Status { .internalServerError }
    // promhttp's HandlerFor error answer (and no Content-Encoding).
    var httpMessage: String { "An error has occurred while serving metrics:\n\n" + self.message }
}

extension GzipError: HTTPMappedError {
    var httpStatus: HTTPResponse.Status { .badRequest }
    var httpMessage: String { self.message }
}

extension BodyTooLargeError: HTTPMappedError {
    var httpStatus: HTTPResponse.Status { .contentTooLarge }
    var httpMessage: String { "request body too large: the limit is \(self.limit) bytes (--push.max-body-size)" }
    // The rest of an oversized body is not read, so the connection cannot carry another request.
    var httpHeaders: HTTPFields { [.connection: "close"] }
}

extension HTTPParserError: HTTPMappedError {
    // A request NIO's HTTP/1 parser gave up on midway, e.g. a malformed chunked body: Go answers 400, and the
    // rest of the stream cannot be trusted for another request.
    var httpStatus: HTTPResponse.Status { .badRequest }
    var httpMessage: String { "Bad Request" }
    var httpHeaders: HTTPFields { [.connection: "close"] }
}

extension SnappyError: HTTPMappedError {
    var httpStatus: HTTPResponse.Status { .badRequest }
    var httpMessage: String { self.message }
}

enum HTTPErrors {
    /// The answer for `error`: its mapped status and message, or 500 `Internal Server Error` for anything
    /// unexpected.
    static func response(for error: any Error) -> Response {
        guard let mapped = error as? any HTTPMappedError else {
            return GoResponses.error("Internal Server Error", status: .internalServerError)
        }
        return GoResponses.error(mapped.httpMessage, status: mapped.httpStatus, headers: mapped.httpHeaders)
    }

    /// The JSON API's answer for `error`: its mapped status with upstream's error envelope (`bad_data` for a
    /// client error, `internal` otherwise), or 500 for anything unexpected.
    static func jsonAPIError(for error: any Error) -> (status: HTTPResponse.Status, body: [UInt8]) {
        guard let mapped = error as? any HTTPMappedError else {
            return (.internalServerError, JSONAPIEncoder.error(type: "internal", message: "Internal Server Error"))
        }
        let type = mapped.httpStatus.code < 500 ? "bad_data" : "internal"
        return (mapped.httpStatus, JSONAPIEncoder.error(type: type, message: mapped.httpMessage))
    }

    /// Whether `error` is one of the expected client errors (as opposed to a fault worth an error log).
    static func isClientError(_ error: any Error) -> Bool {
        (error as? any HTTPMappedError).map { $0.httpStatus.code < 500 } ?? false
    }
}
