public import HTTPTypes
public import Hummingbird

/// An error answered to the client as `{"error": "<code>", "message": "<human text>"}`.
///
/// `code` is stable and machine-readable (`not_found`, `payload_too_large`); `message` is
/// for people and never contains secrets or internal paths.
public struct APIError: Error, HTTPResponseError, Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var headers: HTTPFields
    /// Seed-compatible routes answer `{"message": ...}` only, byte for byte as the seed did.
    public var seedShape: Bool

    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:], seedShape: Bool = false) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.seedShape = seedShape
    }

    public static func unauthorized(seedShape: Bool = false) -> APIError {
        APIError(.unauthorized, code: "unauthorized", message: "Unauthorized", seedShape: seedShape)
    }

    public static func forbidden(_ message: String) -> APIError {
        APIError(.forbidden, code: "forbidden", message: message)
    }

    public static func notFound(_ message: String = "Nothing here.") -> APIError {
        APIError(.notFound, code: "not_found", message: message)
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(.badRequest, code: "bad_request", message: message)
    }

    /// The code for a status when nothing more specific is known: "Payload Too Large" → `payload_too_large`.
    static func code(for status: HTTPResponse.Status) -> String {
        status.reasonPhrase.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.reduce(into: "") { $0.append($1) }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The JSON body: `{"error","message"}`, or the seed's `{"message"}`.
    var body: String {
        seedShape
            ? #"{"message":\#(JSONString(message))}"#
            : #"{"error":\#(JSONString(code)),"message":\#(JSONString(message))}"#
    }
}

/// A JSON string literal, escaped per RFC 8259 (quotes, backslash, control characters).
func JSONString(_ text: String) -> String {
    var escaped = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": escaped += "\\\""
        case "\\": escaped += "\\\\"
        case "\n": escaped += "\\n"
        case "\r": escaped += "\\r"
        case "\t": escaped += "\\t"
        case _ where scalar.value < 0x20:
            escaped += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
        default: escaped.unicodeScalars.append(scalar)
        }
    }
    return escaped + "\""
}
