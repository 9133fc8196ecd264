import HTTPTypes

extension APIError {
    /// The HTTP answer to a file operation's failure.
    public init(_ error: FileServiceError, seedShape: Bool = false) {
        let (status, code): (HTTPResponse.Status, String) = switch error {
        case .invalidName: (.badRequest, "invalid_name")
        case .notFound: (.notFound, "not_found")
        case .forbidden: (.forbidden, "forbidden")
        case .noFileProvided: (.badRequest, "no_file")
        case .tooLarge: (.contentTooLarge, "payload_too_large")
        case .insufficientStorage: (.init(code: 507, reasonPhrase: "Insufficient Storage"), "insufficient_storage")
        case .malformedUpload: (.badRequest, "malformed_upload")
        case .noFreeName: (.conflict, "name_taken")
        case .storageFailure: (.internalServerError, "storage_failure")
        case .accountGone: (.unauthorized, "unauthorized")
        }
        self.init(status, code: code, message: error.description, seedShape: seedShape)
        if status == .contentTooLarge {
            // The rest of an oversized body is not worth reading: see UnfinishedRequestCloser.
            headers[.connection] = "close"
        }
    }

    /// Runs `body`, answering a ``FileServiceError`` as an ``APIError``.
    static func mappingFileErrors<T>(seedShape: Bool = false, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as FileServiceError {
            throw APIError(error, seedShape: seedShape)
        }
    }
}
