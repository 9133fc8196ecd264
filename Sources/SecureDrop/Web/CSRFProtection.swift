import COpenSSL
import Hummingbird
import HTTPTypes

/// Why a state-changing web request was refused as a possible cross-site request forgery.
public enum CSRFError: Error, Equatable, Sendable {
    case missing
    case mismatch

    /// Always a 403: the request may be forged, so nothing it asked for happens.
    var apiError: APIError {
        APIError(.forbidden, code: "csrf", message: "This form has expired or did not come from this site. Reload the page and try again.")
    }
}

/// CSRF tokens for the web UI (SPEC §3), a second line behind `SameSite=Strict` cookies and
/// ``SameOriginMiddleware``'s `Origin` check.
///
/// - Signed-in pages get `HMAC-SHA-256(server key, "csrf:" + session jti)`: bound to the
///   session, so a token seen by one user is worth nothing in another session, and nothing
///   needs storing. The key is random per server start: a page left open across a restart
///   must be reloaded before its forms work again.
/// - The login form (no session yet) uses a double-submit token: a random value in a
///   `__Host-` cookie that must match the form field. Another site cannot read or set that
///   cookie, so it cannot log a victim into the attacker's account (login CSRF).
public struct CSRFProtection: Sendable {
    /// The hidden form field carrying the token.
    static let formField = "csrf_token"
    /// The header `fetch`/XHR requests carry the token in.
    static let headerName = HTTPField.Name("X-CSRF-Token")!
    /// The login form's double-submit cookie.
    static let loginCookieName = "__Host-securedrop-csrf"

    private let key: [UInt8]

    public init() throws {
        key = try Random.bytes(32)
    }

    /// The token for `user`'s current session.
    func token(for user: AuthenticatedUser) -> String {
        Base64URL.encode(JSONWebToken.hmacSHA256(key: key, message: Array("csrf:\(user.tokenID)".utf8)))
    }

    /// Checks the token a signed-in request presented.
    func verify(_ presented: String?, for user: AuthenticatedUser) throws(CSRFError) {
        guard let presented, !presented.isEmpty else { throw .missing }
        guard Self.constantTimeEqual(presented, token(for: user)) else { throw .mismatch }
    }

    /// A fresh random value for the login form and its cookie.
    static func newLoginToken() throws -> String {
        try Random.token(bytes: 32)
    }

    /// Checks the login form's field against its cookie.
    static func verifyLogin(field: String?, cookie: String?) throws(CSRFError) {
        guard let field, let cookie, !field.isEmpty, !cookie.isEmpty else { throw .missing }
        guard constantTimeEqual(field, cookie) else { throw .mismatch }
    }

    /// The login token cookie: `__Host-` so only this origin, over HTTPS, can set it; one hour
    /// is plenty to type a password.
    static func loginCookie(_ token: String, maxAge: Int = 3600) -> String {
        "\(loginCookieName)=\(token); Path=/; Max-Age=\(maxAge); Secure; HttpOnly; SameSite=Strict"
    }

    /// Compares without leaking where the first difference is.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return CRYPTO_memcmp(left, right, left.count) == 0
    }
}
