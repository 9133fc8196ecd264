import Foundation
import NIOCore
import NIOHTTP1
@testable import SecureDrop

/// A tiny browser for page tests: one TLS connection, a cookie jar, form posts.
///
/// It sends `Origin` on POSTs as browsers do, so ``SameOriginMiddleware`` lets the requests
/// through and the CSRF checks are what the tests exercise.
final class WebClient {
    let connection: HTTPSConnection
    let origin: String
    let authority: String
    var cookies: [String: String] = [:]

    init(_ connection: HTTPSConnection, port: Int) {
        self.connection = connection
        self.authority = "localhost:\(port)"
        self.origin = "https://localhost:\(port)"
    }

    static func with<Result>(_ server: TestServer, _ body: (WebClient) async throws -> Result) async throws -> Result {
        try await server.withConnection { connection in
            try await body(WebClient(connection, port: server.port))
        }
    }

    var cookieHeader: String {
        cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    func headers(_ extra: [(String, String)] = []) -> HTTPHeaders {
        var headers = HTTPHeaders([("Host", authority)])
        if !cookies.isEmpty { headers.add(name: "Cookie", value: cookieHeader) }
        for (name, value) in extra { headers.add(name: name, value: value) }
        return headers
    }

    /// Applies `Set-Cookie` answers to the jar (Max-Age=0 deletes).
    func remember(_ response: HTTPSResponse) {
        for line in response.head.headers["Set-Cookie"] {
            let pair = line.split(separator: ";", maxSplits: 1)[0]
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            if line.contains("Max-Age=0") || parts[1].isEmpty {
                cookies[String(parts[0])] = nil
            } else {
                cookies[String(parts[0])] = String(parts[1])
            }
        }
    }

    @discardableResult
    func get(_ path: String, headers extra: [(String, String)] = []) async throws -> HTTPSResponse {
        let response = try await connection.request(.GET, path, headers: headers(extra))
        remember(response)
        return response
    }

    /// Posts a url-encoded form.
    @discardableResult
    func post(_ path: String, form: [(String, String)], headers extra: [(String, String)] = []) async throws -> HTTPSResponse {
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let response = try await connection.request(
            .POST, path,
            headers: headers([("Origin", origin), ("Content-Type", "application/x-www-form-urlencoded")] + extra),
            body: ByteBuffer(string: body)
        )
        remember(response)
        return response
    }

    /// Posts a multipart body.
    @discardableResult
    func postMultipart(_ path: String, parts: [Multipart.Part], headers extra: [(String, String)] = []) async throws -> HTTPSResponse {
        let response = try await connection.request(
            .POST, path,
            headers: headers([("Origin", origin), ("Content-Type", Multipart.contentType)] + extra),
            body: Multipart.body(parts)
        )
        remember(response)
        return response
    }

    /// Opens the login page, then posts the form with its CSRF token.
    @discardableResult
    func logIn(_ user: String, _ password: String, next: String? = nil) async throws -> HTTPSResponse {
        let page = try await get("/login")
        let token = Self.csrfToken(in: page.bodyText) ?? ""
        var form = [("csrf_token", token), ("username", user), ("password", password)]
        if let next { form.append(("next", next)) }
        return try await post("/login", form: form)
    }

    /// The CSRF token of the list page.
    func pageToken() async throws -> String {
        Self.csrfToken(in: try await get("/").bodyText) ?? ""
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf_token" value=""#) else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

extension HTTPSResponse {
    var location: String? { head.headers["Location"].first }
    var contentType: String? { head.headers["Content-Type"].first }
}
