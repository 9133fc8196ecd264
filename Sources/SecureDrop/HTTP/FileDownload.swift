import Foundation
import HTTPTypes
public import Hummingbird

/// Builds the response that sends a stored file: conditional requests, single ranges, `HEAD`,
/// and the headers that keep a browser from ever rendering an uploaded file as a page.
///
/// - `ETag` is the content's SHA-256 (strong), so `If-None-Match` gives `304` and a resumed
///   download (`If-Range`) can tell whether the file changed meanwhile.
/// - `Range` is parsed by ``ByteRange`` (suffix ranges included); an unsatisfiable one is `416`
///   with `Content-Range: bytes */size`.
/// - `Content-Security-Policy: sandbox` and `nosniff` on every file response, whatever the type.
/// - A body of at most ``inMemoryLimit`` bytes is read before the response starts, in one
///   storage round trip, and sent with the head in one write; larger ones are streamed.
public struct FileDownload: Sendable {
    /// Largest body read into memory instead of streamed: small files are most requests, and
    /// for them the stream's open, read and close round trips and its separate writes of head
    /// and body cost more than the copy. It also means a small file that vanished gives an
    /// error status instead of a `200` cut short.
    public static let inMemoryLimit: UInt64 = 64 * 1024

    /// How the browser is told to present the file.
    public enum Presentation: Sendable, Equatable {
        /// `Content-Disposition: attachment`, with the stored type.
        case attachment
        /// Shown in the browser when ``ContentTypePolicy`` says that is safe (`/open`).
        case safeInline
        /// The bytes as `text/plain; charset=utf-8`, inline (`/raw`).
        case plainText
    }

    let files: FileService

    public init(files: FileService) {
        self.files = files
    }

    public func response(
        for record: FileRecord, request: Request, context: SecureDropRequestContext, presentation: Presentation = .attachment
    ) async throws -> Response {
        var headers = HTTPFields()
        let etag = "\"\(record.sha256)\""
        headers[.eTag] = etag
        headers[.lastModified] = HTTPDate.format(record.uploadedAt)
        headers[.acceptRanges] = "bytes"
        // Private (never in a shared cache), but revalidated with the ETag each time.
        headers[.cacheControl] = "private, no-cache"
        for (name, value) in ContentTypePolicy.fileResponseSecurityHeaders {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        switch presentation {
        case .attachment:
            headers[.contentType] = record.contentType
            headers[.contentDisposition] = ContentDisposition.attachment(fileName: record.name)
        case .plainText:
            headers[.contentType] = ContentTypePolicy.plainTextContentType
            headers[.contentDisposition] = ContentDisposition.inline(fileName: record.name)
        case .safeInline:
            let open = ContentTypePolicy.openPresentation(forFileName: record.name)
            headers[.contentType] = open.contentType(forFileName: record.name)
            headers[.contentDisposition] = open.contentDisposition(forFileName: record.name)
        }

        if let candidates = request.headers[.ifNoneMatch], Self.matches(candidates, etag: etag) {
            headers[.contentType] = nil
            headers[.contentDisposition] = nil
            return Response(status: .notModified, headers: headers)
        }

        var range = ByteRangeRequest.full
        // If-Range: a resumed download continues only if the file is still the same one.
        if request.headers[.ifRange].map({ $0 == etag }) ?? true {
            range = ByteRange.resolve(request.headers[.range], size: record.size)
        }
        let status: HTTPResponse.Status
        let bytes: ClosedRange<UInt64>?
        switch range {
        case .full:
            status = .ok
            bytes = nil
        case .partial(let requested):
            status = .partialContent
            bytes = requested
            headers[.contentRange] = ByteRange.contentRange(requested, size: record.size)
        case .unsatisfiable:
            headers[.contentRange] = ByteRange.unsatisfiedContentRange(size: record.size)
            headers[.contentType] = nil
            headers[.contentDisposition] = nil
            headers[.contentLength] = "0"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        }
        let length = bytes.map { $0.upperBound - $0.lowerBound + 1 } ?? record.size
        headers[.contentLength] = String(length)
        if request.method == .head {
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        // A zero-byte file is a complete response with no body.
        if length == 0 {
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        if length <= Self.inMemoryLimit {
            let contents = try await files.contents(of: record, range: bytes)
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: contents))
        }
        let files = self.files
        let eventLoop = context.eventLoop
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: Int(length)) { writer in
            var pacer = WritePacer(eventLoop: eventLoop)
            try await files.read(record, range: bytes) { chunk in
                try await writer.write(chunk)
                try await pacer.pace()
            }
            try await writer.finish(nil)
        })
    }

    /// `If-None-Match`: `*`, or a list of entity tags compared weakly (RFC 9110 §13.1.2).
    static func matches(_ header: String, etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == etag
        }
    }
}
