import Foundation

/// A stored file as `GET /api/files` and `PUT /api/files/<name>` describe it.
public struct RemoteFile: Codable, Sendable, Equatable {
    public var name: String
    public var size: Int64
    /// Lower-case hex; also the file's `ETag`.
    public var sha256: String
    public var contentType: String
    public var uploadedAt: Date
    public var uploader: String

    enum CodingKeys: String, CodingKey {
        case name, size, sha256, uploader
        case contentType = "content_type"
        case uploadedAt = "uploaded_at"
    }
}

/// The account behind a token, as `GET /api/me` reports it.
public struct Account: Codable, Sendable, Equatable {
    public var username: String
    public var role: String
    public var expiresAt: Date

    enum CodingKeys: String, CodingKey {
        case username, role
        case expiresAt = "expires_at"
    }
}

/// What a successful login hands back: the bearer token and when it stops working.
public struct LoginSession: Codable, Sendable, Equatable {
    public var token: String
    public var expiresAt: Date

    enum CodingKeys: String, CodingKey {
        case token
        case expiresAt = "expires_at"
    }
}

/// How `list` orders files.
public enum FileSort: String, Sendable, CaseIterable {
    case date, name
}

public enum ListOrder: String, Sendable, CaseIterable {
    case ascending = "asc"
    case descending = "desc"
}

/// How far a transfer has got; reported after every chunk.
public struct TransferProgress: Sendable, Equatable {
    /// Bytes that were already in place before this transfer began: non-zero only when a
    /// download resumes a partial file.
    public var startOffset: Int64
    /// Bytes in place so far, `startOffset` included.
    public var completed: Int64
    /// The full size, when known (a streamed upload of unknown length has none).
    public var total: Int64?

    public init(startOffset: Int64 = 0, completed: Int64, total: Int64?) {
        self.startOffset = startOffset
        self.completed = completed
        self.total = total
    }
}

/// What ``SecureDropClient/download(_:to:resume:progress:)`` did.
public struct DownloadResult: Sendable, Equatable {
    /// The verified SHA-256 of the complete local file.
    public var sha256: String
    public var size: Int64
    /// Bytes kept from the partial file (0 for a fresh download).
    public var resumedFrom: Int64
}

/// JSON coding as the server does it: ISO 8601 dates, sorted keys.
public enum ClientJSON {
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// What ``SecureDropClient/health()`` saw.
public struct HealthReport: Sendable, Equatable {
    public var status: Int
    public var body: String
    /// `TLSv1.3` or `TLSv1.2`.
    public var protocolVersion: String
    public var cipherSuite: String
}
