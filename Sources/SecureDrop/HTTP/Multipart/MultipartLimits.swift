/// Bounds on the parts of a `multipart/form-data` body that a client controls.
///
/// Body bytes are streamed, so their size is bounded by the route's request-size limit, not here.
/// Everything the parser has to hold in memory, or repeat work for, is bounded here instead:
/// neither RFC 2046 nor RFC 7578 caps the number of parts or the size of a part's header section,
/// and multipart-kit's `MultipartParser` buffers a header line until its CRLF arrives.
public struct MultipartLimits: Sendable, Equatable {
    /// Parts per body, counting non-file fields too. Each part costs an event and, for files,
    /// a file on disk.
    public var maximumParts: Int
    /// Bytes in one part's header section, counting line endings and the blank line that ends it.
    public var maximumHeaderBytesPerPart: Int
    /// Header lines in one part. Browsers send two (`Content-Disposition`, `Content-Type`).
    public var maximumHeadersPerPart: Int

    public init(
        maximumParts: Int = 100,
        maximumHeaderBytesPerPart: Int = 16 * 1024,
        maximumHeadersPerPart: Int = 16
    ) {
        self.maximumParts = maximumParts
        self.maximumHeaderBytesPerPart = maximumHeaderBytesPerPart
        self.maximumHeadersPerPart = maximumHeadersPerPart
    }
}
