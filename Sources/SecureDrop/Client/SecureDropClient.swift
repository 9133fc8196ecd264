import Foundation
public import NIOCore
import NIOHTTP1

/// The SecureDrop API for programs: log in, list, upload, download (with resume), delete.
///
/// Every call opens one verified HTTPS connection (``HTTPSConnection``, the project's own
/// OpenSSL client) and closes it when done; there is no "insecure" trust mode, only a CA
/// file, the system trust store, or a public key pin. Files stream between disk and socket
/// in 256 KiB pieces, so their size never matters to memory. Every failure is a
/// ``SecureDropClientError`` that carries the server's own message when there is one.
///
/// ```swift
/// let anonymous = try SecureDropClient(endpoint: ServerEndpoint(url: "https://files.example:8443"),
///                                      trust: .publicKeyPin(PublicKeyPin(parsing: "sha256:...")))
/// let session = try await anonymous.login(username: "alice", password: "...")
/// let client = anonymous.authenticated(with: session.token)
/// let stored = try await client.upload(file: "report.pdf")   // stored.name may be report-1.pdf
/// ```
public struct SecureDropClient: Sendable {
    public let endpoint: ServerEndpoint
    public let trust: TLSContext.ClientTrust
    /// The bearer token sent with every call but `login`.
    public let token: String?
    private let tls: TLSContext
    private let serverName: String?

    /// - Parameter serverName: the name to verify in the certificate and send as SNI, when it
    ///   differs from the host connected to (tests reaching `localhost` over 127.0.0.1).
    public init(
        endpoint: ServerEndpoint,
        trust: TLSContext.ClientTrust,
        token: String? = nil,
        serverName: String? = nil
    ) throws(SecureDropClientError) {
        do {
            tls = try TLSContext.client(trust: trust)
        } catch {
            throw .trustConfiguration("\(error)")
        }
        self.endpoint = endpoint
        self.trust = trust
        self.token = token
        self.serverName = serverName
    }

    private init(copying client: SecureDropClient, token: String?) {
        endpoint = client.endpoint
        trust = client.trust
        tls = client.tls
        serverName = client.serverName
        self.token = token
    }

    /// The same client, sending `token` from now on.
    public func authenticated(with token: String) -> SecureDropClient {
        SecureDropClient(copying: self, token: token)
    }

    // MARK: Session

    /// `GET /healthz` and the TLS session it went over; needs no login.
    public func health() async throws(SecureDropClientError) -> HealthReport {
        try await exchange { connection in
            let response = try await connection.request(.GET, "/healthz")
            return HealthReport(
                status: Int(response.status.code), body: response.bodyText,
                protocolVersion: connection.handshake.protocolVersion, cipherSuite: connection.handshake.cipherSuite
            )
        }
    }


    /// Exchanges a username and password for a token (`POST /api/login`).
    public func login(username: String, password: String) async throws(SecureDropClientError) -> LoginSession {
        let credentials: Data
        do {
            credentials = try JSONEncoder().encode(["username": username, "password": password])
        } catch {
            throw .unexpectedResponse("cannot encode the credentials: \(error)")
        }
        let response = try await exchange { connection in
            try await connection.request(
                .POST, "/api/login", headers: ["Content-Type": "application/json"], body: ByteBuffer(bytes: credentials)
            )
        }
        try Self.requireStatus(.ok, response, authenticated: false)
        return try Self.decode(LoginSession.self, from: response.body)
    }

    /// Revokes this client's token on the server (`GET /api/logout`).
    public func logout() async throws(SecureDropClientError) {
        let response = try await authenticatedRequest(.GET, "/api/logout")
        try Self.requireStatus(.ok, response, authenticated: true)
    }

    /// Who the token belongs to and when it expires (`GET /api/me`).
    public func me() async throws(SecureDropClientError) -> Account {
        let response = try await authenticatedRequest(.GET, "/api/me")
        try Self.requireStatus(.ok, response, authenticated: true)
        return try Self.decode(Account.self, from: response.body)
    }

    // MARK: Files

    /// The stored files (`GET /api/files`). Without an `order`, dates list newest first and
    /// names alphabetically, as the server does.
    public func list(sort: FileSort = .date, order: ListOrder? = nil, limit: Int? = nil) async throws(SecureDropClientError) -> [RemoteFile] {
        var query = ["sort=\(sort.rawValue)"]
        if let order { query.append("order=\(order.rawValue)") }
        if let limit { query.append("limit=\(limit)") }
        let response = try await authenticatedRequest(.GET, "/api/files?" + query.joined(separator: "&"))
        try Self.requireStatus(.ok, response, authenticated: true)
        struct Listing: Decodable { var files: [RemoteFile] }
        return try Self.decode(Listing.self, from: response.body).files
    }

    /// Deletes a file (`DELETE /api/files/<name>`).
    public func delete(name: String) async throws(SecureDropClientError) {
        let response = try await authenticatedRequest(.DELETE, Self.filePath(name))
        try Self.requireStatus(.noContent, response, authenticated: true)
    }

    /// Uploads a local file (`PUT /api/files/<name>`), read in chunks as it is sent.
    ///
    /// The size is announced up front as `Content-Length`. If the file grows or shrinks
    /// while it is read, the upload is abandoned before its last byte, so the server sees a
    /// short body and stores nothing, and ``SecureDropClientError/sourceChanged(path:detail:)``
    /// is thrown.
    ///
    /// - Parameters:
    ///   - name: the name to store under; defaults to the file's own name. The server may
    ///     store it under another (`report-1.pdf` when `report.pdf` exists): read the result.
    ///   - overwrite: replace a same-named file instead.
    /// - Returns: the stored file, whose SHA-256 has been checked against what was sent.
    public func upload(
        file path: String,
        name: String? = nil,
        overwrite: Bool = false,
        progress: ((TransferProgress) -> Void)? = nil
    ) async throws(SecureDropClientError) -> RemoteFile {
        let file = try LocalFile.openForReading(path)
        let size = try file.currentSize()
        try file.seek(to: 0)
        let storedName = name ?? URL(fileURLWithPath: path).lastPathComponent
        let hasher = SHA256Hasher()
        return try await sendUpload(name: storedName, overwrite: overwrite, length: size, hasher: hasher) { writer in
            try await Self.sendReadingAhead(from: path, announced: size, hasher: hasher, to: writer, progress: progress) {
                try file.read()
            }
        }
    }

    /// Uploads a stream of chunks (`PUT /api/files/<name>`).
    ///
    /// - Parameter size: the stream's length when known: sent as `Content-Length`, and the
    ///   upload is abandoned (nothing stored) if the stream turns out longer or shorter.
    ///   Without it the body goes chunked.
    public func upload<Chunks: AsyncSequence>(
        stream: Chunks,
        name: String,
        size: Int64? = nil,
        overwrite: Bool = false,
        progress: ((TransferProgress) -> Void)? = nil
    ) async throws(SecureDropClientError) -> RemoteFile where Chunks.Element == ByteBuffer {
        let hasher = SHA256Hasher()
        return try await sendUpload(name: name, overwrite: overwrite, length: size, hasher: hasher) { writer in
            var chunks = stream.makeAsyncIterator()
            try await Self.sendReadingAhead(from: name, announced: size, hasher: hasher, to: writer, progress: progress) {
                try await Self.nextNonEmpty(&chunks)
            }
        }
    }

    /// Downloads a file to `path` (`GET /api/files/<name>`), streaming it to disk.
    ///
    /// With `resume`, a shorter file already at `path` is taken as the start of this one: only
    /// the rest is asked for, with `Range: bytes=<size>-` and `If-Range: <ETag>`, so a file
    /// that changed on the server since is sent whole instead. Either way the complete local
    /// file's SHA-256 must equal the server's ETag, or
    /// ``SecureDropClientError/integrityMismatch(name:expected:actual:)`` is thrown.
    /// Without `resume`, or when the local file is not shorter, `path` is overwritten, but
    /// only once the server has answered with the file.
    public func download(
        name: String,
        to path: String,
        resume: Bool = false,
        progress: ((TransferProgress) -> Void)? = nil
    ) async throws(SecureDropClientError) -> DownloadResult {
        var headers = try authorizationHeaders()
        let uri = Self.filePath(name)
        let existing = resume ? (try LocalFile.size(of: path) ?? 0) : 0
        return try await exchange { connection throws -> DownloadResult in
            var offset: Int64 = 0
            if existing > 0 {
                let head = try await connection.send(.HEAD, uri, headers: headers)
                try await Self.requireSuccess(head, connection, authenticated: true)
                _ = try await connection.collectBody(limit: 0)  // a HEAD answer's end
                let etag = try Self.entityTag(head)
                let total = try Self.contentLength(head)
                if existing == total, try Self.sha256(ofFileAt: path, length: existing) == etag {
                    progress?(TransferProgress(startOffset: existing, completed: existing, total: total))
                    return DownloadResult(sha256: etag, size: existing, resumedFrom: existing)
                }
                if existing < total {
                    offset = existing
                    headers.add(name: "Range", value: "bytes=\(existing)-")
                    headers.add(name: "If-Range", value: "\"\(etag)\"")
                }
            }
            let head = try await connection.send(.GET, uri, headers: headers)
            try await Self.requireSuccess(head, connection, authenticated: true)
            let etag = try Self.entityTag(head)
            let start: Int64 = head.status == .partialContent ? try Self.rangeStart(head, expected: offset) : 0
            let hasher = SHA256Hasher()
            if start > 0 { try LocalFile.hash(path, firstBytes: start, into: hasher) }
            let file = try LocalFile.openForWriting(path, at: start)
            let size = try await Self.receiveBody(
                connection, into: file, hasher: hasher, startOffset: start, total: try Self.contentLength(head) + start, progress: progress
            )
            let digest = hasher.finishHex()
            guard digest == etag else { throw SecureDropClientError.integrityMismatch(name: name, expected: etag, actual: digest) }
            return DownloadResult(sha256: digest, size: size, resumedFrom: start)
        }
    }

    /// Downloads the newest `n` files as one ZIP archive to `path`
    /// (`GET /api/last/<n>/download`). Returns the archive's size.
    public func downloadLast(
        n: Int,
        to path: String,
        progress: ((TransferProgress) -> Void)? = nil
    ) async throws(SecureDropClientError) -> Int64 {
        let headers = try authorizationHeaders()
        let archiveName = Self.percentEncoded(URL(fileURLWithPath: path).lastPathComponent)
        return try await exchange { connection in
            let head = try await connection.send(.GET, "/api/last/\(n)/download?filename=\(archiveName)", headers: headers)
            try await Self.requireSuccess(head, connection, authenticated: true)
            let file = try LocalFile.openForWriting(path, at: 0)
            return try await Self.receiveBody(
                connection, into: file, hasher: nil, startOffset: 0, total: try? Self.contentLength(head), progress: progress
            )
        }
    }

    // MARK: Plumbing

    /// Sends the chunks `next` yields, one read ahead: a source that grew or shrank against its
    /// announced size is noticed before its last announced byte leaves, while the server can
    /// still tell the body is short and stores nothing.
    private static func sendReadingAhead(
        from source: String,
        announced: Int64?,
        hasher: SHA256Hasher,
        to writer: HTTPSBodyWriter,
        progress: ((TransferProgress) -> Void)?,
        next: () async throws -> ByteBuffer?
    ) async throws {
        var meter = UploadMeter(source: source, announced: announced)
        var current = try await next()
        while let chunk = current {
            let following = try await next()
            try meter.check(chunk, isLast: following == nil)
            hasher.update(chunk)
            try await writer.write(chunk)
            let sent = meter.sent(chunk)
            progress?(sent)
            current = following
        }
        try meter.checkFinished()
    }

    private static func nextNonEmpty<Chunks: AsyncIteratorProtocol>(_ chunks: inout Chunks) async throws -> ByteBuffer?
    where Chunks.Element == ByteBuffer {
        while let chunk = try await chunks.next() {
            if chunk.readableBytes > 0 { return chunk }
        }
        return nil
    }

    /// Runs `body` on a fresh connection. Errors of ours pass through; anything else (refused
    /// connection, failed handshake, pin mismatch, dropped connection) becomes `.connection`.
    private func exchange<Result>(_ body: (HTTPSConnection) async throws -> Result) async throws(SecureDropClientError) -> Result {
        do {
            return try await HTTPSConnection.withConnection(host: endpoint.host, port: endpoint.port, tls: tls, serverName: serverName, body)
        } catch let error as SecureDropClientError {
            throw error
        } catch {
            throw .connection(server: endpoint.description, reason: "\(error)")
        }
    }

    private func authorizationHeaders() throws(SecureDropClientError) -> HTTPHeaders {
        guard let token else { throw .notLoggedIn }
        return ["Authorization": "Bearer \(token)"]
    }

    private func authenticatedRequest(_ method: HTTPMethod, _ uri: String) async throws(SecureDropClientError) -> HTTPSResponse {
        let headers = try authorizationHeaders()
        return try await exchange { connection in try await connection.request(method, uri, headers: headers) }
    }

    private func sendUpload(
        name: String,
        overwrite: Bool,
        length: Int64?,
        hasher: SHA256Hasher,
        writeBody: @escaping (HTTPSBodyWriter) async throws -> Void
    ) async throws(SecureDropClientError) -> RemoteFile {
        var headers = try authorizationHeaders()
        headers.add(name: "Content-Type", value: "application/octet-stream")
        if let length {
            headers.add(name: "Content-Length", value: String(length))
        } else {
            headers.add(name: "Transfer-Encoding", value: "chunked")
        }
        let uri = Self.filePath(name) + (overwrite ? "?overwrite=true" : "")
        let response = try await exchange { connection in
            let head: HTTPResponseHead
            do {
                head = try await connection.send(.PUT, uri, headers: headers, writeBody: writeBody)
            } catch let error as SecureDropClientError {
                throw error
            } catch {
                guard let early = try? await connection.receiveEarlyResponseHead() else { throw error }
                head = early
            }
            return HTTPSResponse(head: head, body: try await connection.collectBody(limit: Self.answerLimit))
        }
        try Self.requireStatus(.created, response, authenticated: true)
        let stored = try Self.decode(RemoteFile.self, from: response.body)
        let sent = hasher.finishHex()
        guard stored.sha256 == sent else { throw .integrityMismatch(name: stored.name, expected: sent, actual: stored.sha256) }
        return stored
    }

    /// Streams the current response body into `file`; returns the file's final size.
    private static func receiveBody(
        _ connection: HTTPSConnection,
        into file: LocalFile,
        hasher: SHA256Hasher?,
        startOffset: Int64,
        total: Int64?,
        progress: ((TransferProgress) -> Void)?
    ) async throws -> Int64 {
        var completed = startOffset
        progress?(TransferProgress(startOffset: startOffset, completed: completed, total: total))
        while let chunk = try await connection.nextBodyChunk() {
            try file.write(chunk)
            hasher?.update(chunk)
            completed += Int64(chunk.readableBytes)
            progress?(TransferProgress(startOffset: startOffset, completed: completed, total: total))
        }
        try file.synchronize()
        if let total, completed != total {
            throw SecureDropClientError.unexpectedResponse("the download ended after \(completed) of \(total) bytes")
        }
        return completed
    }

    /// Answers (JSON, errors) are small; file bodies never go through this limit.
    static let answerLimit = 4 * 1024 * 1024

    private static func requireStatus(_ expected: HTTPResponseStatus, _ response: HTTPSResponse, authenticated: Bool) throws(SecureDropClientError) {
        guard response.status != expected else { return }
        throw SecureDropClientError.response(status: Int(response.status.code), body: response.body.readableBytesView, authenticated: authenticated)
    }

    /// For streamed responses: on a non-2xx head, reads the (small) error body and throws.
    private static func requireSuccess(_ head: HTTPResponseHead, _ connection: HTTPSConnection, authenticated: Bool) async throws {
        guard !(200..<300).contains(head.status.code) else { return }
        let body = try await connection.collectBody(limit: answerLimit)
        throw SecureDropClientError.response(status: Int(head.status.code), body: body.readableBytesView, authenticated: authenticated)
    }

    private static func decode<Value: Decodable>(_ type: Value.Type, from body: ByteBuffer) throws(SecureDropClientError) -> Value {
        do {
            return try ClientJSON.decoder().decode(type, from: Data(body.readableBytesView))
        } catch {
            throw .unexpectedResponse("cannot read the answer as \(type): \(error)")
        }
    }

    /// The server's strong ETag, which is the file's SHA-256 in hex.
    private static func entityTag(_ head: HTTPResponseHead) throws(SecureDropClientError) -> String {
        guard var tag = head.headers.first(name: "ETag") else { throw .unexpectedResponse("the download has no ETag") }
        if tag.hasPrefix("W/") { tag.removeFirst(2) }
        return tag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    private static func contentLength(_ head: HTTPResponseHead) throws(SecureDropClientError) -> Int64 {
        guard let text = head.headers.first(name: "Content-Length"), let length = Int64(text), length >= 0 else {
            throw .unexpectedResponse("the download has no Content-Length")
        }
        return length
    }

    /// The first byte of a `206`'s `Content-Range: bytes <first>-<last>/<size>`, which must be
    /// where the local file ends.
    private static func rangeStart(_ head: HTTPResponseHead, expected: Int64) throws(SecureDropClientError) -> Int64 {
        let text = head.headers.first(name: "Content-Range") ?? ""
        guard text.hasPrefix("bytes "), let dash = text.firstIndex(of: "-"),
              let first = Int64(text[text.index(text.startIndex, offsetBy: 6)..<dash]), first == expected
        else { throw .unexpectedResponse("a partial download starts elsewhere than asked (\(text))") }
        return first
    }

    private static func sha256(ofFileAt path: String, length: Int64) throws(SecureDropClientError) -> String {
        let hasher = SHA256Hasher()
        try LocalFile.hash(path, firstBytes: length, into: hasher)
        return hasher.finishHex()
    }

    static func filePath(_ name: String) -> String {
        "/api/files/" + percentEncoded(name)
    }

    /// Everything but RFC 3986's unreserved characters percent-encoded, so a name can never
    /// add a path segment or a query.
    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

/// Counts an upload's bytes against the length announced in `Content-Length`, and stops it
/// (before the last byte) when the source turns out longer or shorter.
private struct UploadMeter {
    let source: String
    let announced: Int64?
    private(set) var count: Int64 = 0

    init(source: String, announced: Int64?) {
        self.source = source
        self.announced = announced
    }

    /// Throws before `chunk` is sent if sending it would break the announced length.
    func check(_ chunk: ByteBuffer, isLast: Bool) throws(SecureDropClientError) {
        guard let announced else { return }
        let after = count + Int64(chunk.readableBytes)
        if after > announced || (after == announced && !isLast) {
            throw .sourceChanged(path: source, detail: "it grew beyond the \(announced) bytes announced")
        }
        if isLast && after < announced {
            throw .sourceChanged(path: source, detail: "it ended after \(after) of the \(announced) bytes announced")
        }
    }

    /// Counts `chunk` as sent. (Not to be called inside `progress?(…)`: optional chaining
    /// would skip the count when there is no progress handler.)
    mutating func sent(_ chunk: ByteBuffer) -> TransferProgress {
        count += Int64(chunk.readableBytes)
        return TransferProgress(completed: count, total: announced)
    }

    func checkFinished() throws(SecureDropClientError) {
        if let announced, count != announced {
            throw .sourceChanged(path: source, detail: "it ended after \(count) of the \(announced) bytes announced")
        }
    }
}
