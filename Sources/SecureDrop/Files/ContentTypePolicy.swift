/// How `/open/<name>` may present a file.
public enum OpenPresentation: Equatable, Sendable {
    /// Shown as itself, with this `Content-Type` and `Content-Disposition: inline`: raster images
    /// (not SVG), PDF, audio and video, which a browser renders without running page script.
    case inline(String)
    /// Shown as source, with ``ContentTypePolicy/plainTextContentType`` and
    /// `Content-Disposition: inline`: text, and markup (HTML, SVG, XML) that must never be rendered.
    case inlineText
    /// Downloaded, with ``ContentTypePolicy/contentType(forFileName:)`` and
    /// `Content-Disposition: attachment`: archives, documents, unknown types.
    case attachment

    /// The `Content-Type` for `/open/<name>`; for ``attachment`` it is the download type.
    public func contentType(forFileName name: String) -> String {
        switch self {
        case .inline(let type): type
        case .inlineText: ContentTypePolicy.plainTextContentType
        case .attachment: ContentTypePolicy.contentType(forFileName: name)
        }
    }

    /// The matching `Content-Disposition` field value.
    public func contentDisposition(forFileName name: String) -> String {
        switch self {
        case .inline, .inlineText: ContentDisposition.inline(fileName: name)
        case .attachment: ContentDisposition.attachment(fileName: name)
        }
    }
}

/// Content types of stored files, decided by the server from the name's extension.
///
/// The type an uploader sends (the multipart part's `Content-Type`) is never used: it is
/// attacker-controlled, and `text/html` on a "photo" is a stored-XSS vector. The extension is
/// attacker-controlled too, but it is the same on upload and download, it is what the recipient's
/// operating system will go by once the file is saved, and the table below maps it to a fixed,
/// reviewed set of types. Anything not in the table is `application/octet-stream`.
///
/// SPEC: `/open/<name>` renders only what cannot run script in our origin (raster images, PDF,
/// audio, video); HTML, SVG, XML and other text is shown as `text/plain; charset=utf-8` source;
/// everything else is an attachment. Every file response additionally carries
/// ``fileResponseSecurityHeaders`` so that even a mislabelled file cannot be sniffed into HTML
/// (`nosniff`) and any document it turns into runs in an opaque origin without script or
/// sub-resources (`sandbox; default-src 'none'`, CSP Level 3 §6.3.2.3 and §6.1.1).
public enum ContentTypePolicy {
    /// How the browser may treat a type on `/open`.
    enum Handling: Sendable {
        /// Rendered as itself (cannot script).
        case media
        /// Shown as plain-text source.
        case text
        /// Only ever downloaded.
        case download
    }

    /// `Content-Type` for text shown on `/open` whatever its real type.
    public static let plainTextContentType = "text/plain; charset=utf-8"

    /// Type for anything the table does not know (RFC 2046 §4.5.1).
    public static let defaultContentType = "application/octet-stream"

    /// Headers every file response carries, download and `/open` alike (SPEC §5): no MIME
    /// sniffing (Fetch §"X-Content-Type-Options"), and a sandboxed document with no sources
    /// allowed. `SecurityHeadersMiddleware` keeps a route's own `Content-Security-Policy`.
    public static let fileResponseSecurityHeaders: [(String, String)] = [
        ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", "sandbox; default-src 'none'"),
    ]

    /// The MIME type to record at upload and send on download: looked up from the extension
    /// (case-insensitive), else `application/octet-stream`. Never the client-sent type.
    public static func contentType(forFileName name: String) -> String {
        entry(forFileName: name)?.type ?? defaultContentType
    }

    /// How `/open/<name>` may present the file.
    public static func openPresentation(forFileName name: String) -> OpenPresentation {
        guard let entry = entry(forFileName: name) else { return .attachment }
        switch entry.handling {
        case .media: return .inline(entry.type)
        case .text: return .inlineText
        case .download: return .attachment
        }
    }

    /// The lower-cased text after the last `.` of the last path component, if any.
    static func fileExtension(of name: String) -> String? {
        let component = name.split(separator: "/", omittingEmptySubsequences: false).last?
            .split(separator: "\\", omittingEmptySubsequences: false).last ?? Substring(name)
        guard let dot = component.lastIndex(of: ".") else { return nil }
        let ext = component[component.index(after: dot)...]
        return ext.isEmpty ? nil : ext.lowercased()
    }

    static func entry(forFileName name: String) -> (type: String, handling: Handling)? {
        fileExtension(of: name).flatMap { table[$0] }
    }

    /// Extension → (type, handling). Types follow the IANA media-type registry where one exists.
    /// Only `media` entries are ever rendered: keep that set to formats browsers decode without a
    /// script engine. Text entries include markup on purpose: it is shown, never rendered.
    static let table: [String: (type: String, handling: Handling)] = {
        var table: [String: (type: String, handling: Handling)] = [:]
        func add(_ handling: Handling, _ type: String, _ extensions: String...) {
            for ext in extensions { table[ext] = (type, handling) }
        }
        // Raster images. SVG is not here: it is XML that can carry script.
        add(.media, "image/png", "png")
        add(.media, "image/apng", "apng")
        add(.media, "image/jpeg", "jpg", "jpeg", "jpe", "jfif")
        add(.media, "image/gif", "gif")
        add(.media, "image/webp", "webp")
        add(.media, "image/avif", "avif")
        add(.media, "image/bmp", "bmp")
        add(.media, "image/x-icon", "ico")
        // Recorded with their type, but most browsers cannot show them: downloaded.
        add(.download, "image/tiff", "tif", "tiff")
        add(.download, "image/heic", "heic")
        add(.download, "image/heif", "heif")
        // Compressed SVG: neither renderable safely nor readable as text.
        add(.download, "image/svg+xml", "svgz")
        // PDF: browsers' viewers run document script isolated from the page origin.
        add(.media, "application/pdf", "pdf")
        // Audio and video.
        add(.media, "audio/mpeg", "mp3")
        add(.media, "audio/ogg", "ogg", "oga", "opus")
        add(.media, "audio/wav", "wav")
        add(.media, "audio/flac", "flac")
        add(.media, "audio/mp4", "m4a")
        add(.media, "audio/aac", "aac")
        add(.media, "audio/webm", "weba")
        add(.media, "video/mp4", "mp4", "m4v")
        add(.media, "video/webm", "webm")
        add(.media, "video/ogg", "ogv")
        add(.media, "video/quicktime", "mov")
        // Text and markup: shown as source only.
        add(.text, "text/plain", "txt", "text", "log", "ini", "conf", "cfg")
        add(.text, "text/markdown", "md", "markdown")
        add(.text, "text/csv", "csv")
        add(.text, "text/tab-separated-values", "tsv")
        add(.text, "application/json", "json")
        add(.text, "application/xml", "xml", "xsl", "xsd")
        add(.text, "text/html", "html", "htm")
        add(.text, "application/xhtml+xml", "xhtml", "xht")
        add(.text, "image/svg+xml", "svg")
        add(.text, "text/css", "css")
        add(.text, "text/javascript", "js", "mjs")
        add(.text, "application/yaml", "yaml", "yml")
        add(.text, "application/toml", "toml")
        add(.text, "text/x-shellscript", "sh")
        add(.text, "text/x-python", "py")
        add(.text, "text/x-swift", "swift")
        add(.text, "text/x-c", "c", "h")
        add(.text, "text/x-c++", "cpp", "hpp", "cc")
        add(.text, "text/x-rust", "rs")
        add(.text, "text/x-go", "go")
        add(.text, "text/x-java", "java")
        add(.text, "application/sql", "sql")
        add(.text, "text/x-diff", "diff", "patch")
        add(.text, "text/calendar", "ics")
        add(.text, "text/vcard", "vcf")
        add(.text, "text/vtt", "vtt")
        // Archives and documents: downloaded.
        add(.download, "application/zip", "zip")
        add(.download, "application/gzip", "gz", "tgz")
        add(.download, "application/x-tar", "tar")
        add(.download, "application/x-7z-compressed", "7z")
        add(.download, "application/vnd.rar", "rar")
        add(.download, "application/x-bzip2", "bz2")
        add(.download, "application/x-xz", "xz")
        add(.download, "application/zstd", "zst")
        add(.download, "application/rtf", "rtf")
        add(.download, "application/epub+zip", "epub")
        add(.download, "application/msword", "doc")
        add(.download, "application/vnd.ms-excel", "xls")
        add(.download, "application/vnd.ms-powerpoint", "ppt")
        add(.download, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
        add(.download, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
        add(.download, "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx")
        add(.download, "application/vnd.oasis.opendocument.text", "odt")
        add(.download, "application/vnd.oasis.opendocument.spreadsheet", "ods")
        add(.download, "application/vnd.oasis.opendocument.presentation", "odp")
        return table
    }()
}
