import Foundation

/// A file as the REST API, `securedrop-admin files list --json` and the CLI show it: one JSON
/// shape everywhere (`name`, `size`, `sha256`, `content_type`, `uploaded_at`, `uploader`).
/// The blob identifier is internal and never shown.
public struct FileSummary: Codable, Sendable, Equatable {
    public var name: String
    public var size: UInt64
    public var sha256: String
    public var contentType: String
    public var uploadedAt: Date
    public var uploader: String

    enum CodingKeys: String, CodingKey {
        case name, size, sha256
        case contentType = "content_type"
        case uploadedAt = "uploaded_at"
        case uploader
    }

    public init(_ record: FileRecord) {
        name = record.name
        size = record.size
        sha256 = record.sha256
        contentType = record.contentType
        uploadedAt = record.uploadedAt
        uploader = record.uploaderName
    }
}
