public import Hummingbird
import HTTPTypes
import Logging
import Foundation

/// Resolves the client address and, when the request carries a session token (an
/// `Authorization: Bearer` header, or the `__Host-securedrop` cookie that browsers and
/// seed-era cookie clients send), the user behind it.
///
/// An invalid or expired token is not an error here: the request simply has no user, and
/// routes that need one answer 401. Whatever the token's claims say, the role and state
/// come from the database at this moment.
public struct SessionMiddleware: RouterMiddleware {
    public typealias Context = SecureDropRequestContext

    public static let cookieName = "__Host-securedrop"

    let sessions: SessionService
    let addresses: ClientAddressResolver

    public init(sessions: SessionService, addresses: ClientAddressResolver) {
        self.sessions = sessions
        self.addresses = addresses
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress = addresses.resolve(
            peer: context.remoteAddress?.ipAddress,
            forwardedFor: request.headers[.xForwardedFor]
        )
        if let (token, fromCookie) = Self.token(in: request) {
            do {
                context.user = try await sessions.authenticate(token)
                context.authenticatedByCookie = fromCookie
            } catch {
                context.logger.debug("Token refused", metadata: ["reason": "\(error)"])
            }
        }
        return try await next(request, context)
    }

    /// The bearer token, else the session cookie.
    static func token(in request: Request) -> (String, fromCookie: Bool)? {
        if let authorization = request.headers[.authorization], let token = bearerToken(in: authorization) {
            return (token, false)
        }
        if let cookie = request.cookies[cookieName]?.value, !cookie.isEmpty {
            return (cookie, true)
        }
        return nil
    }

    /// The credentials of `Bearer <token>` (RFC 6750 §2.1; the scheme is case-insensitive).
    ///
    /// Byte-wise on purpose: this runs on every request, and Foundation's
    /// `trimmingCharacters(in:)` goes through UTF-16 (profiled at a tenth of a small GET).
    static func bearerToken(in authorization: String) -> String? {
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].utf8.lazy.map({ $0 | 0x20 }).elementsEqual("bearer".utf8) else { return nil }
        let token = MultipartSyntax.trimmingWhitespace(parts[1])
        return token.isEmpty ? nil : token
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
