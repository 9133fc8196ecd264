import Foundation
public import Hummingbird

/// Turns an upload request's body into ``PendingUpload``s, streaming: a multipart body
/// (`POST /api/upload`, the web form) or a raw one (`PUT /api/files/<name>`).
///
/// The size limit is enforced twice: from `Content-Length` before a byte is read, and on the
/// bytes actually received (a chunked body has no length). Whatever goes wrong, every
/// upload started so far is aborted before the error leaves, so nothing partial remains.
public struct UploadReceiver: Sendable {
    let files: FileService
    let multipartLimits: MultipartLimits

    /// The longest non-file field kept (a CSRF token is 43 bytes).
    static let maximumFieldBytes = 4096

    public init(files: FileService, multipartLimits: MultipartLimits = .init()) {
        self.files = files
        self.multipartLimits = multipartLimits
    }

    /// Every part with a file name becomes an upload; other fields are read (up to
    /// ``maximumFieldBytes`` each) and handed to `authorizeFields`.
    ///
    /// - Parameter authorizeFields: called once with the plain fields seen so far, before the
    ///   first file byte is stored (or at the end when there is no file): the web form's CSRF
    ///   token travels as a field ahead of its files, and a forged request must not get to
    ///   store anything. Throwing refuses the upload.
    /// - Throws: ``FileServiceError/noFileProvided`` when the body holds no file part.
    public func receiveMultipart(
        _ request: Request,
        uploader: AuthenticatedUser,
        authorizeFields: (@Sendable ([String: String]) throws -> Void)? = nil
    ) async throws -> [PendingUpload] {
        try checkDeclaredLength(request)
        var parser: MultipartStreamParser
        do {
            parser = try MultipartStreamParser(contentType: request.headers[.contentType], limits: multipartLimits)
        } catch .notMultipart {
            // A form without a file input (or no body at all): what the seed called "No file provided".
            throw FileServiceError.noFileProvided
        } catch {
            throw FileServiceError.malformedUpload(error.description)
        }
        var uploads: [PendingUpload] = []
        var current: PendingUpload?
        var fields: [String: String] = [:]
        var field: (name: String, bytes: [UInt8])?
        var authorized = authorizeFields == nil
        do {
            var received: Int64 = 0
            for try await chunk in request.body {
                received += Int64(chunk.readableBytes)
                guard received <= files.maximumUploadBytes else { throw FileServiceError.tooLarge(limit: files.maximumUploadBytes) }
                for event in try Self.feed(&parser, chunk) {
                    switch event {
                    case .partStarted(let headers):
                        // Browsers send `filename=""` for an empty file input: not a file.
                        field = nil
                        if let fileName = headers.fileName, !fileName.isEmpty {
                            if !authorized, let authorizeFields {
                                try authorizeFields(fields)
                                authorized = true
                            }
                            let upload = try await files.beginUpload(originalName: fileName, uploader: uploader)
                            uploads.append(upload)
                            current = upload
                        } else {
                            current = nil
                            if headers.fileName == nil, let name = headers.fieldName { field = (name, []) }
                        }
                    case .bodyChunk(let bytes):
                        if let current {
                            try await current.write(bytes)
                        } else if var open = field {
                            guard open.bytes.count + bytes.readableBytes <= Self.maximumFieldBytes else {
                                throw FileServiceError.malformedUpload("A form field is longer than \(Self.maximumFieldBytes) bytes.")
                            }
                            open.bytes += bytes.readableBytesView
                            field = open
                        }
                    case .partFinished:
                        try await current?.finish()
                        if let finished = field, fields[finished.name] == nil, fields.count < 32 {
                            fields[finished.name] = String(decoding: finished.bytes, as: UTF8.self)
                        }
                        field = nil
                        current = nil
                    }
                }
            }
            do {
                try parser.finish()
            } catch {
                throw FileServiceError.malformedUpload(error.description)
            }
            if !authorized, let authorizeFields { try authorizeFields(fields) }
            guard !uploads.isEmpty else { throw FileServiceError.noFileProvided }
            return uploads
        } catch {
            for upload in uploads { await upload.abort() }
            throw error
        }
    }

    /// The whole body is the file (`curl -T`).
    public func receiveRaw(_ request: Request, originalName: String, uploader: AuthenticatedUser) async throws -> PendingUpload {
        try checkDeclaredLength(request)
        let upload = try await files.beginUpload(originalName: originalName, uploader: uploader)
        do {
            var received: Int64 = 0
            for try await chunk in request.body {
                received += Int64(chunk.readableBytes)
                guard received <= files.maximumUploadBytes else { throw FileServiceError.tooLarge(limit: files.maximumUploadBytes) }
                try await upload.write(chunk)
            }
            // Defence in depth: a body that stopped short of its declared length is not the
            // file the client meant, whatever the layers below made of the early end.
            if let declared = request.headers[.contentLength].flatMap({ Int64($0) }), declared != received {
                throw FileServiceError.malformedUpload("The upload ended before its announced length.")
            }
            try await upload.finish()
            return upload
        } catch {
            await upload.abort()
            throw error
        }
    }

    /// Refuses before reading when the client announces more than the limit.
    func checkDeclaredLength(_ request: Request) throws {
        if let declared = request.headers[.contentLength].flatMap({ Int64($0) }), declared > files.maximumUploadBytes {
            throw FileServiceError.tooLarge(limit: files.maximumUploadBytes)
        }
    }

    private static func feed(_ parser: inout MultipartStreamParser, _ chunk: ByteBuffer) throws -> [MultipartEvent] {
        do {
            return try parser.feed(chunk)
        } catch {
            throw FileServiceError.malformedUpload(error.description)
        }
    }
}
