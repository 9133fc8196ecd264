import Foundation
import NIOHTTP1

/// Why a ``SecureDropClient`` call failed, with a message fit to show a user.
///
/// Server refusals carry the server's own `message`, whichever shape it came in: the REST
/// routes' `{"error": code, "message": text}` or the seed routes' `{"message": text}`.
public enum SecureDropClientError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The server address is not an `https://host[:port]` URL.
    case invalidServerURL(String)
    /// The trust settings could not be loaded (an unreadable CA file, a malformed pin).
    case trustConfiguration(String)
    /// A call that needs a session was made without a token.
    case notLoggedIn
    /// The server refused the token (401): it expired, was revoked, or its account changed.
    /// Distinct from other refusals because the remedy is always the same: log in again.
    case sessionExpired(message: String)
    /// The server refused the username or password at login.
    case invalidCredentials(message: String)
    /// Any other refusal: the HTTP status, the machine-readable code when the server sent
    /// one, and its human message.
    case server(status: Int, code: String?, message: String)
    /// No answer: the connection or the TLS handshake failed (a pin mismatch lands here,
    /// before any request byte was sent).
    case connection(server: String, reason: String)
    /// The server answered something this client cannot make sense of.
    case unexpectedResponse(String)
    /// A downloaded or uploaded file's SHA-256 is not the one the server vouches for.
    case integrityMismatch(name: String, expected: String, actual: String)
    /// A file being uploaded changed size while it was read; the upload was abandoned so the
    /// server stores nothing rather than a mix of two versions.
    case sourceChanged(path: String, detail: String)
    /// A local file could not be read or written.
    case localFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidServerURL(let text):
            "\"\(text)\" is not a server URL; expected https://HOST[:PORT]"
        case .trustConfiguration(let reason):
            "cannot set up TLS trust: \(reason)"
        case .notLoggedIn:
            "not logged in"
        case .sessionExpired(let message):
            "the server refused the session (\(message)): it expired or was revoked"
        case .invalidCredentials(let message):
            message
        case .server(let status, _, let message):
            "\(message) (HTTP \(status))"
        case .connection(let server, let reason):
            "cannot talk to \(server): \(reason)"
        case .unexpectedResponse(let detail):
            "unexpected answer from the server: \(detail)"
        case .integrityMismatch(let name, let expected, let actual):
            "\(name): SHA-256 \(actual) does not match the server's \(expected)"
        case .sourceChanged(let path, let detail):
            "\(path) changed while it was being uploaded (\(detail)); nothing was stored"
        case .localFile(let path, let reason):
            "\(path): \(reason)"
        }
    }

    /// The error for a non-success answer.
    ///
    /// - Parameters:
    ///   - status: the HTTP status code.
    ///   - body: the response body (JSON from this server; anything from a proxy in between).
    ///   - authenticated: whether the request carried a token, which decides what a 401
    ///     means: a dead session, or wrong credentials at login.
    public static func response(status: Int, body: some Collection<UInt8>, authenticated: Bool) -> SecureDropClientError {
        let decoded = try? JSONDecoder().decode(ErrorBody.self, from: Data(body))
        let message = decoded?.message.flatMap { $0.isEmpty ? nil : $0 } ?? Self.fallbackMessage(status: status, body: body)
        if status == 401 {
            return authenticated ? .sessionExpired(message: message) : .invalidCredentials(message: message)
        }
        return .server(status: status, code: decoded?.error, message: message)
    }

    /// Both error shapes the server uses; every field optional so either decodes.
    private struct ErrorBody: Decodable {
        var error: String?
        var message: String?
    }

    /// A short, single-line stand-in when the body is not one of ours (a proxy's HTML page).
    private static func fallbackMessage(status: Int, body: some Collection<UInt8>) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        let isPlainLine = !text.isEmpty && !text.contains("<") && text.unicodeScalars.allSatisfy { $0.value >= 0x20 || $0 == "\n" }
        if isPlainLine {
            return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        }
        return HTTPResponseStatus(statusCode: status).reasonPhrase
    }
}
