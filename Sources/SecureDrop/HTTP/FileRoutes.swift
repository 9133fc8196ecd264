import Foundation
public import Hummingbird

/// The file API: the seed's routes with their exact shapes, and the REST surface beside them.
///
/// | route | |
/// |---|---|
/// | `GET /api?n=&order=` | seed list: `{"files": [["name", "YYYY-MM-DD HH:MM:SS"], ...]}` |
/// | `POST /api/upload` | seed multipart upload: `{"message": "File uploaded: <name>"}` |
/// | `GET /api/uploads/<name>` | seed download |
/// | `GET /api/last/<n>/download[?filename=]` | the newest n files as one streamed ZIP |
/// | `GET /api/files` | list as objects |
/// | `PUT /api/files/<name>` | raw-body upload (`curl -T`) |
/// | `GET / HEAD / DELETE /api/files/<name>` | download, metadata, delete |
///
/// Both surfaces call the same ``FileService``; only the shapes differ.
public struct FileRoutes: Sendable {
    let files: FileService
    let receiver: UploadReceiver
    let download: FileDownload

    /// The most files one ZIP may hold.
    static let maximumArchiveCount = 1000

    public init(files: FileService) {
        self.files = files
        self.receiver = UploadReceiver(files: files)
        self.download = FileDownload(files: files)
    }

    public func register(on router: Router<SecureDropRequestContext>) {
        // Seed-compatible.
        router.get("/api") { request, context in try await seedList(request, context) }
        router.post("/api/upload") { request, context in try await seedUpload(request, context) }
        router.get("/api/uploads/:name") { request, context in try await get(request, context, seedShape: true) }
        router.get("/api/last/:count/download") { request, context in try await lastFilesArchive(request, context) }
        // REST.
        router.get("/api/files") { request, context in try await list(request, context) }
        router.put("/api/files/:name") { request, context in try await put(request, context) }
        router.get("/api/files/:name") { request, context in try await get(request, context, seedShape: false) }
        router.head("/api/files/:name") { request, context in try await get(request, context, seedShape: false) }
        router.delete("/api/files/:name") { request, context in try await delete(request, context) }
        router.get("/api/openapi.yaml") { _, _ in OpenAPIDocument.response() }
    }

    // MARK: Seed routes

    struct SeedList: Encodable {
        var files: [[String]]
    }

    struct Message: Encodable {
        var message: String
    }

    func seedList(_ request: Request, _ context: SecureDropRequestContext) async throws -> Response {
        _ = try context.requireUser(seedShape: true)
        let query = request.uri.queryParameters
        let limit = try Self.positiveInteger(query["n"].map(String.init), name: "n", seedShape: true)
        let order: FileOrder
        switch query["order"].map(String.init) {
        case nil, "asc": order = .oldestFirst
        case "desc": order = .newestFirst
        default: throw APIError(.badRequest, code: "bad_request", message: "order must be asc or desc", seedShape: true)
        }
        let records = try await files.list(order: order, limit: limit)
        return try Response.json(SeedList(files: records.map { [$0.name, HTTPDate.seedFormat($0.uploadedAt)] }))
    }

    func seedUpload(_ request: Request, _ context: SecureDropRequestContext) async throws -> Response {
        let user = try context.requireUser(seedShape: true)
        let overwrite = try Self.overwriteFlag(request)
        let stored = try await APIError.mappingFileErrors(seedShape: true) {
            let uploads = try await receiver.receiveMultipart(request, uploader: user)
            return try await files.commit(uploads, overwrite: overwrite)
        }
        return try Response.json(Message(message: "File uploaded: " + stored.map(\.name).joined(separator: ", ")))
    }

    func lastFilesArchive(_ request: Request, _ context: SecureDropRequestContext) async throws -> Response {
        _ = try context.requireUser(seedShape: true)
        guard let count = try Self.positiveInteger(context.parameters.get("count"), name: "n", seedShape: true),
              count <= Self.maximumArchiveCount
        else {
            throw APIError(.badRequest, code: "bad_request", message: "n must be between 1 and \(Self.maximumArchiveCount)", seedShape: true)
        }
        let archiveName = try Self.archiveName(request.uri.queryParameters["filename"].map(String.init), count: count)
        let records = try await files.list(order: .newestFirst, limit: count)
        guard !records.isEmpty else {
            throw APIError(.notFound, code: "not_found", message: "There are no files yet.", seedShape: true)
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/zip"
        headers[.contentDisposition] = ContentDisposition.attachment(fileName: archiveName)
        headers[.cacheControl] = "no-store"
        let size = FileArchive.size(of: records)
        headers[.contentLength] = String(size)
        let files = self.files
        let eventLoop = context.eventLoop
        return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: Int(size)) { writer in
            var pacer = WritePacer(eventLoop: eventLoop)
            try await FileArchive.stream(records, from: files) { chunk in
                try await writer.write(chunk)
                try await pacer.pace()
            }
            try await writer.finish(nil)
        })
    }

    // MARK: REST routes

    struct FileList: Encodable {
        var files: [FileSummary]
    }

    func list(_ request: Request, _ context: SecureDropRequestContext) async throws -> Response {
        _ = try context.requireUser()
        let query = request.uri.queryParameters
        let limit = try Self.positiveInteger(query["limit"].map(String.init), name: "limit", seedShape: false)
        let sort = query["sort"].map(String.init) ?? "date"
        let descending: Bool
        switch query["order"].map(String.init) {
        case nil: descending = sort == "date"
        case "asc": descending = false
        case "desc": descending = true
        default: throw APIError.badRequest("order must be asc or desc")
        }
        let order: FileOrder
        switch sort {
        case "date": order = descending ? .newestFirst : .oldestFirst
        case "name": order = descending ? .nameDescending : .nameAscending
        default: throw APIError.badRequest("sort must be date or name")
        }
        let records = try await files.list(order: order, limit: limit)
        return try Response.json(FileList(files: records.map(FileSummary.init)))
    }

    func put(_ request: Request, _ context: SecureDropRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let overwrite = try Self.overwriteFlag(request)
        let name = try Self.nameParameter(context)
        let stored = try await APIError.mappingFileErrors {
            let upload = try await receiver.receiveRaw(request, originalName: name, uploader: user)
            return try await files.commit([upload], overwrite: overwrite)
        }
        guard let record = stored.first else { throw FileServiceError.storageFailure }
        var headers = HTTPFields()
        headers[.location] = "/api/files/" + record.name
        return try Response.json(FileSummary(record), status: .created, headers: headers)
    }

    func get(_ request: Request, _ context: SecureDropRequestContext, seedShape: Bool) async throws -> Response {
        _ = try context.requireUser(seedShape: seedShape)
        let name = try Self.nameParameter(context, seedShape: seedShape)
        return try await APIError.mappingFileErrors(seedShape: seedShape) {
            let record = try await files.file(named: name)
            return try await download.response(for: record, request: request, context: context)
        }
    }

    func delete(_ request: Request, _ context: SecureDropRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let name = try Self.nameParameter(context)
        _ = try await APIError.mappingFileErrors { try await files.delete(named: name, by: user) }
        return Response(status: .noContent)
    }

    // MARK: Parameters

    /// The `:name` path segment, percent-decoded (Hummingbird hands it over raw).
    static func nameParameter(_ context: SecureDropRequestContext, seedShape: Bool = false) throws -> String {
        guard let raw = context.parameters.get("name"), let name = PercentEncoding.decode(raw), !name.isEmpty else {
            throw APIError(.badRequest, code: "bad_request", message: "The file name in the URL is not valid percent-encoding.", seedShape: seedShape)
        }
        return name
    }

    /// `nil` when absent; a 400 unless it is a whole number from 1 to 100 000.
    static func positiveInteger(_ text: String?, name: String, seedShape: Bool) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), (1...100_000).contains(value) else {
            throw APIError(.badRequest, code: "bad_request", message: "\(name) must be a whole number from 1 to 100000", seedShape: seedShape)
        }
        return value
    }

    /// `?overwrite=true` replaces a same-named file instead of renaming the upload.
    static func overwriteFlag(_ request: Request) throws -> Bool {
        switch request.uri.queryParameters["overwrite"].map(String.init) {
        case nil, "false", "0": false
        case "true", "1": true
        default: throw APIError.badRequest("overwrite must be true or false")
        }
    }

    /// The ZIP's download name: the client's choice slugified, always ending in `.zip`.
    static func archiveName(_ requested: String?, count: Int) throws -> String {
        guard let requested else { return "last-\(count)-files.zip" }
        guard var name = try? FileName.slugify(requested) else {
            throw APIError(.badRequest, code: "bad_request", message: "filename is not a usable file name", seedShape: true)
        }
        if !name.lowercased().hasSuffix(".zip") { name += ".zip" }
        return name
    }
}
