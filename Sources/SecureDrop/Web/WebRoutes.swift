import Foundation
import HTTPTypes
public import Hummingbird
import Logging

/// The browser interface (SPEC §5, §6): server-rendered pages over the same services as the
/// API. Uploads go through ``UploadReceiver`` and ``FileService``, downloads through
/// ``FileDownload``; this type only adds pages, redirects, cookies and CSRF checks.
///
/// | route | |
/// |---|---|
/// | `GET /login`, `POST /login` | form login; redirect to `next` (same-site paths only) |
/// | `GET /` | the file list (`?sort=&order=`) |
/// | `POST /upload` | multipart, several `file` fields; JSON for `fetch`, else back to `/` |
/// | `GET /uploads/<name>`, `/open/<name>`, `/raw/<name>` | download, safe inline, plain text |
/// | `POST /delete/<name>` | delete (uploader or admin) |
/// | `GET\|POST /logout` | end the session, back to `/login` |
/// | `GET /static/<file>` | CSS, JavaScript, icon |
///
/// Without a session, pages redirect to `/login?next=<the page>`; requests made by the
/// page's script (`Accept: application/json`) get a JSON 401 instead, and the script sends
/// the browser to the login page itself.
public struct WebRoutes: Sendable {
    let sessions: SessionService
    let files: FileService
    let resources: WebResources
    let csrf: CSRFProtection
    let receiver: UploadReceiver
    let download: FileDownload

    /// The largest form body (login, delete, logout) read into memory.
    static let maximumFormBytes = 16 * 1024

    public init(sessions: SessionService, files: FileService, resources: WebResources, csrf: CSRFProtection) {
        self.sessions = sessions
        self.files = files
        self.resources = resources
        self.csrf = csrf
        self.receiver = UploadReceiver(files: files)
        self.download = FileDownload(files: files)
    }

    public func register(on router: Router<SecureDropRequestContext>) {
        router.get("/login") { request, context in try loginPage(request, context) }
        router.post("/login") { request, context in try await login(request, context) }
        router.get("/") { request, context in try await listPage(request, context) }
        router.post("/upload") { request, context in try await upload(request, context) }
        router.get("/uploads/:name") { request, context in try await file(request, context, .attachment) }
        router.get("/open/:name") { request, context in try await file(request, context, .safeInline) }
        router.get("/raw/:name") { request, context in try await file(request, context, .plainText) }
        router.post("/delete/:name") { request, context in try await delete(request, context) }
        router.get("/logout") { request, context in try await logout(request, context, checkCSRF: false) }
        router.post("/logout") { request, context in try await logout(request, context, checkCSRF: true) }
        // Browsers ask for it on pages without an icon link (JSON errors, file views).
        router.get("/favicon.ico") { request, _ in try resources.assets.response(named: "icon.svg", request: request) }
        router.get("/static/:file") { request, context in
            try resources.assets.response(named: context.parameters.get("file") ?? "", request: request)
        }
    }

    // MARK: Login and logout

    func loginPage(_ request: Request, _ context: SecureDropRequestContext) throws -> Response {
        let query = request.uri.queryParameters
        let next = RedirectTarget.sanitize(query["next"].map(String.init))
        if context.user != nil {
            return Self.redirect(to: next)
        }
        let notice = query["expired"] != nil ? "Your session has expired. Log in again to continue." : nil
        return try loginForm(next: next, notice: notice)
    }

    /// The login page with a fresh double-submit token in its cookie.
    func loginForm(next: String, username: String = "", error: String? = nil, notice: String? = nil,
                   status: HTTPResponse.Status = .ok, extraHeaders: HTTPFields = [:]) throws -> Response {
        let token = try CSRFProtection.newLoginToken()
        var headers = extraHeaders
        headers.append(HTTPField(name: .setCookie, value: CSRFProtection.loginCookie(token)))
        let model = LoginPage(assets: resources.assets, csrfToken: token, next: next, username: username, error: error, notice: notice)
        return resources.page("login", model, status: status, headers: headers)
    }

    func login(_ request: Request, _ context: SecureDropRequestContext) async throws -> Response {
        let form = try await Self.readForm(request)
        do {
            try CSRFProtection.verifyLogin(field: form[CSRFProtection.formField], cookie: request.cookies[CSRFProtection.loginCookieName]?.value)
        } catch {
            throw error.apiError
        }
        let next = RedirectTarget.sanitize(form["next"])
        let username = form["username"] ?? ""
        let password = form["password"] ?? ""
        guard !username.isEmpty, !password.isEmpty else {
            return try loginForm(next: next, username: username, error: "Enter your username and password.", status: .badRequest)
        }
        do {
            let issued = try await sessions.login(username: username, password: password, clientAddress: context.clientAddress)
            context.logger.info("Login", metadata: ["user": .string(issued.user.name), "peer": .string(context.clientAddress)])
            var headers = HTTPFields()
            headers.append(HTTPField(name: .setCookie, value: AuthRoutes.sessionCookie(issued.token, maxAge: Int(issued.expiresAt.timeIntervalSinceNow.rounded(.up)))))
            headers.append(HTTPField(name: .setCookie, value: CSRFProtection.loginCookie("", maxAge: 0)))
            return Self.redirect(to: next, headers: headers)
        } catch LoginError.invalidCredentials {
            context.logger.notice("Failed login", metadata: ["peer": .string(context.clientAddress)])
            // One message for an unknown user and a wrong password: no account enumeration.
            return try loginForm(next: next, username: username, error: "Invalid username or password.", status: .unauthorized)
        } catch LoginError.throttled(let wait) {
            let seconds = max(1, Int(wait.timeInterval.rounded(.up)))
            return try loginForm(
                next: next, username: username,
                error: "Too many failed logins. Try again in \(Self.waitText(seconds)).",
                status: .tooManyRequests, extraHeaders: [.retryAfter: String(seconds)]
            )
        }
    }

    func logout(_ request: Request, _ context: SecureDropRequestContext, checkCSRF: Bool) async throws -> Response {
        if let user = context.user {
            if checkCSRF {
                try await verifyCSRF(request, user: user, form: try await Self.readForm(request))
            }
            try await sessions.logout(user)
            context.logger.info("Logout", metadata: ["user": .string(user.name)])
        }
        var headers = HTTPFields()
        headers.append(HTTPField(name: .setCookie, value: AuthRoutes.sessionCookie("", maxAge: 0)))
        return Self.redirect(to: "/login", headers: headers)
    }

    // MARK: Pages

    func listPage(_ request: Request, _ context: SecureDropRequestContext) async throws -> Response {
        guard let user = context.user else { return Self.loginRedirect(request) }
        let query = request.uri.queryParameters
        let sort = FileListSort(sort: query["sort"].map(String.init), order: query["order"].map(String.init))
        let records = try await files.list(order: .newestFirst)
        let notice = FlashNotice.from(request)
        let model = FileListPage(
            records: records, sort: sort, user: user, csrfToken: csrf.token(for: user), notice: notice,
            assets: resources.assets, maxUploadBytes: files.maximumUploadBytes
        )
        var headers = HTTPFields()
        if notice != nil { headers[.setCookie] = FlashNotice.clearingCookie }
        return resources.page("index", model, headers: headers)
    }

    // MARK: Files

    /// `/uploads`, `/open` and `/raw`: the API's download response with another presentation.
    func file(_ request: Request, _ context: SecureDropRequestContext, _ presentation: FileDownload.Presentation) async throws -> Response {
        guard context.user != nil else { return Self.loginRedirect(request) }
        let name = try FileRoutes.nameParameter(context)
        return try await APIError.mappingFileErrors {
            let record = try await files.file(named: name)
            return try await download.response(for: record, request: request, context: context, presentation: presentation)
        }
    }

    /// Answers the page's script in JSON; a plain form post is redirected back to the list.
    func upload(_ request: Request, _ context: SecureDropRequestContext) async throws -> Response {
        let wantsJSON = Self.wantsJSON(request)
        guard let user = context.user else {
            if wantsJSON { throw APIError.unauthorized() }
            return Self.loginRedirect(request, next: "/")
        }
        let headerToken = request.headers[CSRFProtection.headerName]
        if let headerToken {
            try verify(headerToken, user: user)
        }
        let stored: [(requested: String, record: FileRecord)]
        do {
            let uploads = try await receiver.receiveMultipart(request, uploader: user, authorizeFields: { fields in
                // The hidden field precedes the file inputs, so this runs before any file byte is stored.
                if headerToken == nil {
                    try verify(fields[CSRFProtection.formField], user: user)
                }
            })
            let records = try await files.commit(uploads, overwrite: false)
            stored = Array(zip(uploads.map(\.requestedName), records))
        } catch let error as FileServiceError {
            if wantsJSON { throw APIError(error) }
            return Self.redirect(to: "/", headers: [.setCookie: FlashNotice(kind: .error, text: error.description).cookie])
        }
        let message = Self.uploadMessage(stored)
        if wantsJSON {
            let answer = UploadAnswer(message: message, files: stored.map {
                .init(name: $0.record.name, requested_name: $0.requested, size: $0.record.size, renamed: $0.record.name != $0.requested)
            })
            return try Response.json(answer)
        }
        return Self.redirect(to: "/", headers: [.setCookie: FlashNotice(kind: .success, text: message).cookie])
    }

    struct UploadAnswer: Encodable {
        struct File: Encodable {
            var name: String
            var requested_name: String
            var size: UInt64
            var renamed: Bool
        }
        var message: String
        var files: [File]
    }

    /// "Uploaded a.txt, b-1.txt (b.txt was taken)": the final names, and why one differs.
    static func uploadMessage(_ stored: [(requested: String, record: FileRecord)]) -> String {
        let names = stored.map { item in
            item.record.name == item.requested ? item.record.name : "\(item.record.name) (\(item.requested) was taken)"
        }
        return "Uploaded " + names.joined(separator: ", ") + "."
    }

    func delete(_ request: Request, _ context: SecureDropRequestContext) async throws -> Response {
        let wantsJSON = Self.wantsJSON(request)
        guard let user = context.user else {
            if wantsJSON { throw APIError.unauthorized() }
            return Self.loginRedirect(request, next: "/")
        }
        try await verifyCSRF(request, user: user, form: try await Self.readForm(request))
        let name = try FileRoutes.nameParameter(context)
        let deleted = try await APIError.mappingFileErrors { try await files.delete(named: name, by: user) }
        let message = "Deleted \(deleted.name)."
        if wantsJSON { return try Response.json(FileRoutes.Message(message: message)) }
        return Self.redirect(to: "/", headers: [.setCookie: FlashNotice(kind: .success, text: message).cookie])
    }

    // MARK: Helpers

    /// The token from the `X-CSRF-Token` header, else from the form.
    func verifyCSRF(_ request: Request, user: AuthenticatedUser, form: [String: String]) async throws {
        try verify(request.headers[CSRFProtection.headerName] ?? form[CSRFProtection.formField], user: user)
    }

    func verify(_ token: String?, user: AuthenticatedUser) throws {
        do { try csrf.verify(token, for: user) } catch { throw error.apiError }
    }

    /// A small url-encoded form body; anything bigger is a 413.
    static func readForm(_ request: Request) async throws -> [String: String] {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maximumFormBytes)
        } catch {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "A form is at most 16 KiB.")
        }
        return URLEncodedForm.parse(String(buffer: body))
    }

    /// `303 See Other`: after a POST the browser follows with a GET.
    static func redirect(to location: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// To the login page, coming back to this request's page afterwards. A session cookie
    /// that no longer works means the session expired (or was revoked): the page says so.
    static func loginRedirect(_ request: Request, next: String? = nil) -> Response {
        var target = next ?? request.uri.path
        if next == nil, let query = request.uri.query, !query.isEmpty { target += "?" + query }
        let expired = request.cookies[SessionMiddleware.cookieName].map { !$0.value.isEmpty } ?? false
        return redirect(to: RedirectTarget.loginURL(next: RedirectTarget.sanitize(target), expired: expired))
    }

    static func wantsJSON(_ request: Request) -> Bool {
        request.headers[.accept]?.contains("application/json") ?? false
    }

    /// "42 seconds", "3 minutes".
    static func waitText(_ seconds: Int) -> String {
        if seconds < 90 { return seconds == 1 ? "1 second" : "\(seconds) seconds" }
        let minutes = (seconds + 59) / 60
        return "\(minutes) minutes"
    }
}
