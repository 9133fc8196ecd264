/// Why a `multipart/form-data` upload was rejected.
///
/// Every case maps to a client error (the request is wrong, not the server), and ``description``
/// is written to be shown to the person uploading, so a route can put it straight into a 400/413
/// response. After any of these is thrown the ``MultipartStreamParser`` that threw it is spent.
public enum MultipartError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The request's `Content-Type` is absent or is not `multipart/form-data` (RFC 7578 §4).
    case notMultipart
    /// `multipart/form-data` without the `boundary` parameter that RFC 2046 §5.1.1 makes mandatory.
    case missingBoundary
    /// The `boundary` parameter is empty, longer than 70 characters, uses characters outside the
    /// RFC 2046 §5.1.1 `bchars` set, ends in a space, or the parameter list around it is broken.
    case invalidBoundary
    /// The body does not follow the RFC 2046 / RFC 7578 grammar; the payload says where.
    case malformed(String)
    /// More parts than ``MultipartLimits/maximumParts``.
    case tooManyParts
    /// A part's header section exceeds ``MultipartLimits/maximumHeaderBytesPerPart`` bytes or
    /// ``MultipartLimits/maximumHeadersPerPart`` header lines.
    case headersTooLarge
    /// The body ended before the closing delimiter (`--boundary--`): the client disconnected or
    /// the body was cut. Without this check a cut upload would look like a complete, shorter file.
    case truncated

    public var description: String {
        switch self {
        case .notMultipart:
            "The upload must be sent as multipart/form-data."
        case .missingBoundary:
            "The multipart/form-data Content-Type header has no boundary parameter."
        case .invalidBoundary:
            "The multipart boundary is invalid: it must be 1 to 70 characters allowed by RFC 2046."
        case .malformed(let reason):
            "The multipart body is malformed: \(reason)."
        case .tooManyParts:
            "The upload contains too many parts."
        case .headersTooLarge:
            "The headers of an uploaded part are too large."
        case .truncated:
            "The upload ended before the multipart body was complete."
        }
    }
}
