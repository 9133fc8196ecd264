import Foundation
import Logging
public import Hummingbird
import HTTPTypes

/// `POST /api/login`, `GET|POST /api/logout`, `GET /api/me`.
///
/// Login and logout keep the seed's request and response shapes (`{"message": ...}`), adding
/// `token` and `expires_at` so token clients need no cookie jar; the session cookie is set as
/// well, so cookie clients written for the seed keep working.
public struct AuthRoutes: Sendable {
    let sessions: SessionService

    public init(sessions: SessionService) {
        self.sessions = sessions
    }

    struct Credentials: Decodable {
        var username: String
        var password: String
    }

    struct LoginAnswer: Encodable {
        var message = "Login successful"
        var token: String
        var expires_at: Date
    }

    struct Message: Encodable {
        var message: String
    }

    struct Me: Encodable {
        var username: String
        var role: String
        var expires_at: Date
    }

    public func register(on router: Router<SecureDropRequestContext>) {
        router.post("/api/login") { request, context in try await login(request, context) }
        router.get("/api/logout") { _, context in try await logout(context) }
        router.post("/api/logout") { _, context in try await logout(context) }
        router.get("/api/me") { _, context in
            let user = try context.requireUser()
            return try Response.json(Me(username: user.name, role: user.role.rawValue, expires_at: user.expiresAt))
        }
    }

    func login(_ request: Request, _ context: SecureDropRequestContext) async throws -> Response {
        let credentials = try await Self.decodeCredentials(request)
        do {
            let issued = try await sessions.login(
                username: credentials.username, password: credentials.password, clientAddress: context.clientAddress
            )
            var headers = HTTPFields()
            headers[.setCookie] = Self.sessionCookie(issued.token, maxAge: Int(issued.expiresAt.timeIntervalSinceNow.rounded(.up)))
            context.logger.info("Login", metadata: ["user": .string(issued.user.name), "peer": .string(context.clientAddress)])
            return try Response.json(LoginAnswer(token: issued.token, expires_at: issued.expiresAt), headers: headers)
        } catch LoginError.invalidCredentials {
            context.logger.notice("Failed login", metadata: ["peer": .string(context.clientAddress)])
            throw APIError(.unauthorized, code: "invalid_credentials", message: "Invalid credentials", seedShape: true)
        } catch LoginError.throttled(let wait) {
            let seconds = max(1, Int((wait.timeInterval).rounded(.up)))
            throw APIError(
                .tooManyRequests, code: "too_many_attempts",
                message: "Too many failed logins. Try again in \(seconds) seconds.",
                headers: [.retryAfter: String(seconds)], seedShape: true
            )
        }
    }

    func logout(_ context: SecureDropRequestContext) async throws -> Response {
        if let user = context.user {
            try await sessions.logout(user)
        }
        // Logging out twice, or with an expired token, still ends the browser's session.
        var headers = HTTPFields()
        headers[.setCookie] = Self.sessionCookie("", maxAge: 0)
        return try Response.json(Message(message: "Logged out"), headers: headers)
    }

    /// `{"username", "password"}` as JSON, at most 16 KiB; anything else is a 400.
    static func decodeCredentials(_ request: Request) async throws -> Credentials {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: 16 * 1024)
        } catch {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "A login request is a small JSON object.")
        }
        guard let credentials = try? JSONDecoder().decode(Credentials.self, from: Data(body.readableBytesView)),
              !credentials.username.isEmpty
        else {
            throw APIError(.badRequest, code: "bad_request", message: "Send JSON: {\"username\": \"...\", \"password\": \"...\"}", seedShape: true)
        }
        return credentials
    }

    /// The session cookie, per SPEC §3: `__Host-` prefix (so no Domain, Path=/ and Secure are
    /// enforced by browsers), HttpOnly, SameSite=Strict.
    static func sessionCookie(_ token: String, maxAge: Int) -> String {
        "\(SessionMiddleware.cookieName)=\(token); Path=/; Max-Age=\(max(0, maxAge)); Secure; HttpOnly; SameSite=Strict"
    }
}
