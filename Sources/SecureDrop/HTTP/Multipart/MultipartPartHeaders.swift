/// What a route needs to know about one part of a `multipart/form-data` body.
///
/// Values are decoded only as far as the wire format requires (quotes, `%22`, `filename*`) and
/// otherwise kept raw: a file name like `../../etc/passwd` comes through unchanged, because
/// turning it into something safe to store is the storage layer's job, and doing half of it here
/// would hide attacks from the layer that must stop them. What is rejected outright is anything
/// no well-formed client sends and no later layer should have to think about: control characters
/// (NUL, CR, LF...) in a name, and ambiguous headers.
public struct MultipartPartHeaders: Sendable, Equatable {
    /// The `name` parameter of `Content-Disposition: form-data` (RFC 7578 §4.2). RFC 7578 makes it
    /// mandatory; it is optional here so a route can decide what a nameless part means.
    public var fieldName: String?
    /// The file name, if the part is a file (RFC 7578 §4.2). `filename*` (RFC 8187, formerly
    /// RFC 5987) wins over `filename`. Browsers send `filename=""` for a file input left empty.
    public var fileName: String?
    /// The part's `Content-Type` (RFC 7578 §4.4), trimmed but otherwise as sent.
    public var contentType: String?

    public init(fieldName: String? = nil, fileName: String? = nil, contentType: String? = nil) {
        self.fieldName = fieldName
        self.fileName = fileName
        self.contentType = contentType
    }

    /// Builds the headers from the `(name, value)` pairs of one part's header section.
    ///
    /// - Throws: ``MultipartError/malformed(_:)`` when `Content-Disposition` is missing, repeated
    ///   or not `form-data` (RFC 7578 §4.2), when `Content-Type` is repeated, or when a value
    ///   cannot be decoded or decodes to a control character.
    init(fields: [(name: String, value: String)]) throws(MultipartError) {
        var disposition: String?
        var contentType: String?
        for field in fields {
            switch field.name.lowercased() {
            case "content-disposition":
                // A second Content-Disposition is a classic request-smuggling shape: a WAF may
                // read the first and the application the second.
                guard disposition == nil else { throw .malformed("a part has two Content-Disposition headers") }
                disposition = field.value
            case "content-type":
                guard contentType == nil else { throw .malformed("a part has two Content-Type headers") }
                contentType = field.value
            default:
                continue  // RFC 7578 §4.8: other part headers are ignored.
            }
        }
        guard let disposition else { throw .malformed("a part has no Content-Disposition header") }
        guard let parsed = MultipartHeaderParameters(parsing: disposition, quoting: .literal),
            parsed.value.lowercased() == "form-data"
        else { throw .malformed("a part's Content-Disposition is not valid form-data") }

        self.fieldName = try Self.single("name", in: parsed).map(Self.decodingHTMLQuotes)
        let plainFileName = try Self.single("filename", in: parsed).map(Self.decodingHTMLQuotes)
        let extendedFileName = try Self.single("filename*", in: parsed).map(MultipartExtendedValue.decode)
        self.fileName = extendedFileName ?? plainFileName
        self.contentType = contentType.flatMap { $0.isEmpty ? nil : $0 }

        for name in [fieldName, fileName].compactMap({ $0 })
        where name.unicodeScalars.contains(where: { MultipartSyntax.isControl($0.value, allowingTab: false) }) {
            throw .malformed("a part's name contains control characters")
        }
    }

    /// The value of a parameter that must appear at most once; a repeat is ambiguous.
    private static func single(_ name: String, in header: MultipartHeaderParameters) throws(MultipartError) -> String? {
        let values = header.values(of: name)
        guard values.count <= 1 else { throw .malformed("a part's Content-Disposition repeats \(name)") }
        return values.first
    }

    /// Browsers send `"` in a field or file name as `%22` (WHATWG HTML, multipart/form-data
    /// encoding; RFC 7578 §4.2). They do not escape `%` itself, so `%22` is the only sequence
    /// decoded: anything more would change names that merely contain a percent sign.
    private static func decodingHTMLQuotes(_ value: String) -> String {
        value.replacing("%22", with: "\"")
    }
}

/// RFC 8187 §3.2 `ext-value` (`charset "'" [ language ] "'" value-chars`), as used by
/// `filename*=UTF-8''na%C3%AFve.txt`.
enum MultipartExtendedValue {
    static func decode(_ value: String) throws(MultipartError) -> String {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3 else { throw .malformed("a part's filename* is not charset''value") }
        guard let bytes = PercentEncoding.decodedBytes(pieces[2]) else {
            throw .malformed("a part's filename* has an invalid percent-encoding")
        }
        switch pieces[0].lowercased() {
        case "utf-8":
            guard let decoded = String(validating: bytes, as: UTF8.self) else { throw .malformed("a part's filename* is not valid UTF-8") }
            return decoded
        case "iso-8859-1":
            // RFC 8187 §3.2.1 lets recipients support ISO-8859-1, whose bytes are code points.
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default:
            throw .malformed("a part's filename* uses an unsupported charset")
        }
    }
}
