/// The boundary of a `multipart/form-data` request, taken from its `Content-Type` header.
///
/// RFC 7578 §4.1 defers to RFC 2046 §5.1.1, which fixes the syntax:
///
///     boundary      := 0*69<bchars> bcharsnospace
///     bchars        := bcharsnospace / " "
///     bcharsnospace := DIGIT / ALPHA / "'" / "(" / ")" / "+" / "_" / "," / "-" / "." / "/" / ":" / "=" / "?"
///
/// Enforcing it matters beyond pedantry: the body parser searches for `CRLF "--" boundary` and
/// relies on the boundary containing no CR or LF (a match can then only restart at a CR), and a
/// bounded length bounds the bytes it must hold back while a delimiter is half-matched.
struct MultipartBoundary: Equatable {
    /// Longest boundary RFC 2046 §5.1.1 allows.
    static let maximumLength = 70

    /// The boundary as sent (without quotes); never empty.
    let value: String

    /// - Throws: ``MultipartError/notMultipart`` unless the media type is `multipart/form-data`
    ///   (matched case-insensitively, RFC 2045 §5.1); ``MultipartError/missingBoundary`` when there
    ///   is no `boundary` parameter; ``MultipartError/invalidBoundary`` when it is malformed,
    ///   repeated, or the parameter list cannot be parsed.
    init(contentType: String?) throws(MultipartError) {
        guard let contentType else { throw .notMultipart }
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first
            .map { MultipartSyntax.trimmingWhitespace($0).lowercased() }
        guard mediaType == "multipart/form-data" else { throw .notMultipart }
        guard let header = MultipartHeaderParameters(parsing: contentType, quoting: .quotedPair) else {
            throw .invalidBoundary
        }
        let boundaries = header.values(of: "boundary")
        guard let boundary = boundaries.first else { throw .missingBoundary }
        // Two boundaries make the body ambiguous: different parsers could pick different ones.
        guard boundaries.count == 1, Self.isValid(boundary) else { throw .invalidBoundary }
        value = boundary
    }

    /// RFC 2046 §5.1.1: 1–70 `bchars`, not ending in a space.
    static func isValid(_ boundary: String) -> Bool {
        let bytes = Array(boundary.utf8)
        guard (1...maximumLength).contains(bytes.count), bytes.last != UInt8(ascii: " ") else { return false }
        return bytes.allSatisfy(MultipartSyntax.isBoundaryCharacter)
    }
}
