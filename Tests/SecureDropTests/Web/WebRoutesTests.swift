import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import SecureDrop

/// The web pages over real TLS: login, redirects, CSRF, escaping, safe file views, logout.
@Suite("Web UI over HTTPS", .serialized)
struct WebRoutesTests {
    static let password = "alice-password-1"

    @Test("Unauthenticated pages redirect to the login page, keeping the page asked for")
    func unauthenticatedRedirects() async throws {
        try await TestServer.with { server in
            try await WebClient.with(server) { web in
                let root = try await web.get("/")
                #expect(root.status == .seeOther)
                #expect(root.location == "/login?next=/")
                let file = try await web.get("/uploads/report.pdf")
                #expect(file.location == "/login?next=/uploads/report.pdf")
                let sorted = try await web.get("/?sort=name&order=asc")
                #expect(sorted.location == "/login?next=/%3Fsort%3Dname%26order%3Dasc")
                for path in ["/open/a.txt", "/raw/a.txt"] {
                    #expect(try await web.get(path).status == .seeOther)
                }
                // Posts without a session: a form goes to the login page, the script gets a 401.
                let upload = try await web.postMultipart("/upload", parts: [.init(fileName: "a.txt", data: Array("x".utf8))])
                #expect(upload.status == .seeOther)
                #expect(upload.location?.hasPrefix("/login") == true)
                let scripted = try await web.postMultipart("/upload", parts: [.init(fileName: "a.txt", data: Array("x".utf8))],
                                                           headers: [("Accept", "application/json")])
                #expect(scripted.status == .unauthorized)
                let delete = try await web.post("/delete/a.txt", form: [])
                #expect(delete.status == .seeOther)
                // A stale session cookie: the login page says the session expired.
                web.cookies[SessionMiddleware.cookieName] = "stale.token.value"
                let stale = try await web.get("/")
                #expect(stale.location == "/login?next=/&expired=1")
                let page = try await web.get(try #require(stale.location))
                #expect(page.bodyText.contains("Your session has expired"))
            }
        }
    }

    @Test("The login form signs in, sets the SPEC §3 cookie and returns to the page first asked for")
    func loginSuccess() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: Self.password)
            try await WebClient.with(server) { web in
                let page = try await web.get("/login?next=/%3Fsort%3Dname")
                #expect(page.status == .ok)
                #expect(page.contentType == "text/html; charset=utf-8")
                #expect(page.bodyText.contains(#"<form class="card login-card" method="post" action="/login">"#))
                #expect(page.bodyText.contains(#"name="next" value="/?sort=name""#))
                let csrfCookie = try #require(page.head.headers["Set-Cookie"].first { $0.hasPrefix("__Host-securedrop-csrf=") })
                for flag in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] { #expect(csrfCookie.contains(flag)) }

                let login = try await web.logIn("alice", Self.password, next: "/?sort=name")
                #expect(login.status == .seeOther)
                #expect(login.location == "/?sort=name")
                let cookie = try #require(login.head.headers["Set-Cookie"].first { $0.hasPrefix("__Host-securedrop=") })
                for flag in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict", "Max-Age="] { #expect(cookie.contains(flag)) }
                #expect(!cookie.contains("Domain="))

                let list = try await web.get("/")
                #expect(list.status == .ok)
                #expect(list.bodyText.contains(#"<strong id="user-name">alice</strong>"#))
                #expect(list.bodyText.contains("No files yet."))
                // Logged in, the login page sends the user on.
                let again = try await web.get("/login?next=/open/x.txt")
                #expect(again.status == .seeOther)
                #expect(again.location == "/open/x.txt")
            }
        }
    }

    @Test("Wrong credentials get one generic message; repeated failures show the wait time")
    func loginFailureAndThrottle() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: Self.password)
            try await WebClient.with(server) { web in
                let wrong = try await web.logIn("alice", "not-the-password")
                #expect(wrong.status == .unauthorized)
                #expect(wrong.bodyText.contains("Invalid username or password."))
                #expect(web.cookies[SessionMiddleware.cookieName] == nil)
                let unknown = try await web.logIn("nobody", "whatever-password")
                #expect(unknown.status == .unauthorized)
                #expect(unknown.bodyText.contains("Invalid username or password."))
                // The username is kept in the form, escaped; the password never is.
                #expect(wrong.bodyText.contains(#"value="alice""#))
                #expect(!wrong.bodyText.contains("not-the-password"))

                var last: HTTPSResponse?
                for _ in 0..<8 {
                    last = try await web.logIn("alice", "still-wrong-password")
                    if last?.status == .tooManyRequests { break }
                }
                let throttled = try #require(last)
                #expect(throttled.status == .tooManyRequests)
                #expect(throttled.bodyText.contains("Too many failed logins. Try again in"))
                #expect(throttled.head.headers["Retry-After"].first.flatMap(Int.init) ?? 0 >= 1)
            }
        }
    }

    @Test("next accepts only same-site paths", arguments: [
        "//evil.example/", "/\\evil.example", "\\\\evil.example", "https://evil.example/", "http:/evil.example",
        "javascript:alert(1)", "evil.example", "/\u{09}/evil.example", " /x", "/x\r\nSet-Cookie: a=b", "",
    ])
    func openRedirectRefused(next: String) async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: Self.password)
            try await WebClient.with(server) { web in
                let login = try await web.logIn("alice", Self.password, next: next)
                #expect(login.status == .seeOther)
                #expect(login.location == "/", "next=\(next.debugDescription) led to \(login.location ?? "nil")")
                let again = try await web.get("/login?next=" + WebClient.encode(next))
                #expect(again.location == "/")
            }
        }
    }

    @Test("Unit: the redirect check")
    func redirectTargetRules() {
        #expect(RedirectTarget.sanitize("/") == "/")
        #expect(RedirectTarget.sanitize("/uploads/a.txt") == "/uploads/a.txt")
        #expect(RedirectTarget.sanitize("/?sort=name&order=asc") == "/?sort=name&order=asc")
        #expect(RedirectTarget.sanitize("//evil") == "/")
        #expect(RedirectTarget.sanitize("/\\evil") == "/")
        #expect(RedirectTarget.sanitize("/a\\b") == "/")
        #expect(RedirectTarget.sanitize("https://evil") == "/")
        #expect(RedirectTarget.sanitize(nil) == "/")
        #expect(RedirectTarget.sanitize("/" + String(repeating: "a", count: 3000)) == "/")
    }

    @Test("CSRF: login without or with a mismatched token is refused")
    func loginCSRF() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: Self.password)
            try await WebClient.with(server) { web in
                let none = try await web.post("/login", form: [("username", "alice"), ("password", Self.password)])
                #expect(none.status == .forbidden)
                #expect(web.cookies[SessionMiddleware.cookieName] == nil)
                _ = try await web.get("/login")
                let wrong = try await web.post("/login", form: [("csrf_token", "forged"), ("username", "alice"), ("password", Self.password)])
                #expect(wrong.status == .forbidden)
                // A field without its cookie (an attacker's page cannot set our cookie).
                web.cookies["__Host-securedrop-csrf"] = nil
                let noCookie = try await web.post("/login", form: [("csrf_token", "forged"), ("username", "alice"), ("password", Self.password)])
                #expect(noCookie.status == .forbidden)
                #expect(web.cookies[SessionMiddleware.cookieName] == nil)
            }
        }
    }

    @Test("CSRF: upload, delete and logout need this session's token; forged ones change nothing")
    func stateChangingRoutesNeedToken() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: Self.password)
            try await server.addUser("bob", password: "bob-password-1")
            // Bob's token, valid for his session only.
            let bobToken = try await WebClient.with(server) { bob in
                try await bob.logIn("bob", "bob-password-1")
                return try await bob.pageToken()
            }
            try await WebClient.with(server) { web in
                try await web.logIn("alice", Self.password)
                let token = try await web.pageToken()
                #expect(token.count == 43)
                let file = Multipart.Part(fileName: "kept.txt", data: Array("kept".utf8))
                for forged in [nil, "", "forged-token", bobToken] {
                    var parts = [file]
                    if let forged { parts.insert(.init(field: "csrf_token", fileName: nil, contentType: nil, data: Array(forged.utf8)), at: 0) }
                    let upload = try await web.postMultipart("/upload", parts: parts)
                    #expect(upload.status == .forbidden, "upload with token \(forged ?? "none")")
                    let header = try await web.postMultipart("/upload", parts: [file], headers: [("X-CSRF-Token", forged ?? "")])
                    #expect(header.status == .forbidden)
                }
                #expect(server.storedFiles().isEmpty, "a refused upload stored \(server.storedFiles())")
                #expect(try await server.server.files.list().isEmpty)

                // With the token (form field first, as the page sends it) the upload works.
                let good = try await web.postMultipart("/upload", parts: [
                    .init(field: "csrf_token", fileName: nil, contentType: nil, data: Array(token.utf8)), file,
                ])
                #expect(good.status == .seeOther)
                #expect(try await server.server.files.list().map(\.name) == ["kept.txt"])

                for forged in [nil, "forged-token", bobToken] {
                    let form = forged.map { [("csrf_token", $0)] } ?? []
                    #expect(try await web.post("/delete/kept.txt", form: form).status == .forbidden)
                    #expect(try await web.post("/logout", form: form).status == .forbidden)
                }
                #expect(try await server.server.files.list().map(\.name) == ["kept.txt"])
                #expect(try await web.get("/").status == .ok, "a forged logout ended the session")

                let delete = try await web.post("/delete/kept.txt", form: [("csrf_token", token)])
                #expect(delete.status == .seeOther)
                #expect(try await server.server.files.list().isEmpty)
                let logout = try await web.post("/logout", form: [("csrf_token", token)])
                #expect(logout.location == "/login")
            }
        }
    }

    @Test("A cross-origin POST is refused before any route runs")
    func crossOrigin() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: Self.password)
            try await WebClient.with(server) { web in
                try await web.logIn("alice", Self.password)
                let token = try await web.pageToken()
                let response = try await web.connection.request(.POST, "/logout", headers: web.headers([
                    ("Origin", "https://evil.example"), ("Content-Type", "application/x-www-form-urlencoded"),
                ]), body: ByteBuffer(string: "csrf_token=\(token)"))
                #expect(response.status == .forbidden)
                #expect(try await web.get("/").status == .ok)
            }
        }
    }

    @Test("Uploads from the form come back to the list with a notice naming the final names")
    func formUploadAndNotice() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: Self.password)
            try await WebClient.with(server) { web in
                try await web.logIn("alice", Self.password)
                let token = try await web.pageToken()
                let tokenPart = Multipart.Part(field: "csrf_token", fileName: nil, contentType: nil, data: Array(token.utf8))
                let first = try await web.postMultipart("/upload", parts: [
                    tokenPart, .init(fileName: "My Report.txt", data: Array("one".utf8)), .init(fileName: "b.txt", data: Array("two".utf8)),
                ])
                #expect(first.status == .seeOther)
                #expect(first.location == "/")
                let page = try await web.get("/")
                #expect(page.bodyText.contains("Uploaded my-report.txt, b.txt."))
                #expect(page.bodyText.contains("2 files"))
                // The notice is shown once.
                #expect(!(try await web.get("/").bodyText.contains("Uploaded my-report.txt")))

                // A name collision from the script: JSON says so.
                let json = try await web.postMultipart("/upload", parts: [.init(fileName: "b.txt", data: Array("three".utf8))],
                                                       headers: [("X-CSRF-Token", token), ("Accept", "application/json")])
                #expect(json.status == .ok)
                let files = try #require(json.json["files"] as? [[String: Any]])
                #expect(files.first?["name"] as? String == "b-1.txt")
                #expect(files.first?["requested_name"] as? String == "b.txt")
                #expect(files.first?["renamed"] as? Bool == true)
                #expect((json.json["message"] as? String)?.contains("b-1.txt (b.txt was taken)") == true)
            }
        }
    }

    @Test("The list sorts on the server by every column, shows human sizes and hides Delete when not allowed")
    func listPage() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: Self.password)
            let bob = try await server.authorization("bob")
            try await server.withConnection { connection in
                _ = try await connection.request(.PUT, "/api/files/big.bin", headers: bob, body: ByteBuffer(bytes: [UInt8](repeating: 1, count: 3 * 1024 * 1024 / 2)))
                _ = try await connection.request(.PUT, "/api/files/a-small.txt", headers: bob, body: ByteBuffer(string: "hi"))
            }
            try await WebClient.with(server) { web in
                try await web.logIn("alice", Self.password)
                let byName = try await web.get("/?sort=name&order=asc").bodyText
                let a = try #require(byName.range(of: "data-name=\"a-small.txt\""))
                let b = try #require(byName.range(of: "data-name=\"big.bin\""))
                #expect(a.lowerBound < b.lowerBound)
                let bySize = try await web.get("/?sort=size&order=desc").bodyText
                #expect(try #require(bySize.range(of: "data-name=\"big.bin\"")).lowerBound < (try #require(bySize.range(of: "data-name=\"a-small.txt\""))).lowerBound)
                #expect(bySize.contains(#"aria-sort="descending""#))
                #expect(bySize.contains("1.5 MiB"))
                #expect(bySize.contains("2 bytes"))
                #expect(bySize.contains("bob"))
                // Alice did not upload these and is no admin: no Delete button, and the route refuses.
                #expect(!bySize.contains(#"action="/delete/"#))
                let token = try await web.pageToken()
                #expect(try await web.post("/delete/big.bin", form: [("csrf_token", token)]).status == .forbidden)
                // Nonsense sort parameters fall back to the default.
                #expect(try await web.get("/?sort=%3Cscript%3E&order=sideways").status == .ok)
            }
        }
    }

    @Test("Stored XSS: hostile file names are slugified and the templates escape what remains")
    func storedXSS() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: Self.password)
            let auth = try await server.authorization("mallory")
            try await server.withConnection { connection in
                let hostile = "<img src=x onerror=alert(1)>.txt"
                let put = try await connection.request(
                    .PUT, "/api/files/" + (hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""),
                    headers: auth, body: ByteBuffer(string: "x"))
                #expect(put.status == .created || put.status == .badRequest)
                let upload = try await connection.request(.POST, "/api/upload", headers: auth + [("Content-Type", Multipart.contentType)],
                                                          body: Multipart.body([.init(fileName: "\"><svg onload=alert(1)>.txt", data: [1])]))
                #expect(upload.status == .ok || upload.status == .badRequest)
            }
            try await WebClient.with(server) { web in
                try await web.logIn("alice", Self.password)
                let html = try await web.get("/").bodyText
                #expect(!html.contains("<img src=x"))
                #expect(!html.contains("<svg onload"))
                #expect(!html.contains("onerror=alert"))
            }
        }

        // The template itself escapes, whatever a name holds.
        let resources = try WebResources.load()
        let user = AuthenticatedUser(id: 1, name: "alice", role: .user, tokenID: "jti", expiresAt: Date())
        let record = FileRecord(name: "<script>alert(1)</script>\"'&.txt", size: 1, sha256: "", crc32: 0, contentType: "text/plain",
                                uploadedAt: Date(), uploaderID: 1, uploaderName: "<b>bob</b>", blob: try BlobID.random())
        let model = FileListPage(records: [record], sort: FileListSort(), user: user, csrfToken: "t", notice: FlashNotice(kind: .success, text: "<i>hi</i>"),
                                 assets: resources.assets, maxUploadBytes: 1024)
        let html = resources.render("index", model)
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;.txt") || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;"))
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<b>bob</b>"))
        #expect(!html.contains("<i>hi</i>"))
        let login = resources.render("login", LoginPage(assets: resources.assets, csrfToken: "t", next: "/\"><script>", username: "\"><script>x"))
        #expect(!login.contains("\"><script>"))
    }

    @Test("/open and /raw never serve HTML or SVG as a renderable type", arguments: ["page.html", "image.svg", "data.xml", "page.htm", "x.xhtml"])
    func safeViews(name: String) async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: Self.password)
            let auth = try await server.authorization("bob")
            try await server.withConnection { connection in
                let body = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(1)</script></svg>"
                let put = try await connection.request(.PUT, "/api/files/\(name)", headers: auth, body: ByteBuffer(string: body))
                #expect(put.status == .created)
            }
            try await WebClient.with(server) { web in
                try await web.logIn("alice", Self.password)
                for route in ["/open/", "/raw/"] {
                    let response = try await web.get(route + name)
                    #expect(response.status == .ok)
                    let type = response.contentType ?? ""
                    for renderable in ["html", "svg", "xml"] {
                        #expect(!type.contains(renderable), "\(route)\(name) served as \(type)")
                    }
                    #expect(response.head.headers["X-Content-Type-Options"].first == "nosniff")
                    #expect(response.head.headers["Content-Security-Policy"].first?.hasPrefix("sandbox") == true)
                }
                #expect(try await web.get("/raw/" + name).contentType == "text/plain; charset=utf-8")
                // A download keeps the stored type but is an attachment in a sandbox: never shown.
                let download = try await web.get("/uploads/" + name)
                #expect(download.head.headers["Content-Disposition"].first?.hasPrefix("attachment") == true)
                #expect(download.head.headers["Content-Security-Policy"].first?.hasPrefix("sandbox") == true)
            }
        }
    }

    @Test("Logout by GET or POST ends the session, clears the cookie and returns to the login page")
    func logout() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: Self.password)
            try await WebClient.with(server) { web in
                try await web.logIn("alice", Self.password)
                let stolen = try #require(web.cookies[SessionMiddleware.cookieName])
                let logout = try await web.get("/logout")
                #expect(logout.status == .seeOther)
                #expect(logout.location == "/login")
                #expect(logout.head.headers["Set-Cookie"].contains { $0.hasPrefix("__Host-securedrop=;") && $0.contains("Max-Age=0") })
                #expect(web.cookies[SessionMiddleware.cookieName] == nil)
                #expect(try await web.get("/").location == "/login?next=/")
                // The token itself is revoked, not only forgotten by the browser.
                web.cookies[SessionMiddleware.cookieName] = stolen
                #expect(try await web.get("/").location == "/login?next=/&expired=1")
            }
        }
    }

    @Test("Pages load only self-hosted assets, with no inline script or style, under the strict CSP")
    func pagesAndAssets() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: Self.password)
            try await WebClient.with(server) { web in
                let login = try await web.get("/login")
                try await web.logIn("alice", Self.password)
                let list = try await web.get("/")
                for page in [login, list] {
                    let csp = page.head.headers["Content-Security-Policy"].first ?? ""
                    #expect(csp.hasPrefix("default-src 'self'"))
                    #expect(!csp.contains("unsafe-inline"))
                    let html = page.bodyText
                    #expect(!html.contains("<script>"), "inline script")
                    #expect(!html.contains("style="), "inline style")
                    #expect(!html.contains("<style"), "inline style")
                    #expect(html.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil, "inline event handler")
                    #expect(!html.contains("http://") || html.contains("http://www.w3.org"))
                    #expect(page.head.headers["Cache-Control"].first == "no-store")
                    // Not no-referrer: that makes browsers send `Origin: null` on the page's own form posts.
                    #expect(page.head.headers["Referrer-Policy"].first == "same-origin")
                }
                let html = list.bodyText
                let cssPath = try #require(html.range(of: #"/static/app.css?v="#).map { range in
                    String(html[range.lowerBound...].prefix { $0 != "\"" })
                })
                let css = try await web.get(cssPath)
                #expect(css.status == .ok)
                #expect(css.contentType == "text/css; charset=utf-8")
                #expect(css.head.headers["Cache-Control"].first == "public, max-age=31536000, immutable")
                let etag = try #require(css.head.headers["ETag"].first)
                #expect(cssPath.hasSuffix(etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))))
                #expect(try await web.get(cssPath, headers: [("If-None-Match", etag)]).status == .notModified)
                #expect(try await web.get("/static/app.js").contentType == "text/javascript; charset=utf-8")
                #expect(try await web.get("/static/../Package.swift").status == .notFound)
                #expect(try await web.get("/static/nothing.js").status == .notFound)
            }
        }
    }
}
