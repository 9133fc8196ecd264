import Foundation
import Hummingbird
import HTTPTypes
import Mustache

/// Why the web UI's bundled files could not be loaded: a broken build or install, reported
/// at start rather than at the first page view.
public enum WebResourceError: Error, CustomStringConvertible, Sendable, Equatable {
    case missing(String)
    case unreadable(String)
    case badTemplate(String)

    public var description: String {
        switch self {
        case .missing(let name): "The web UI resource \(name) is missing from the SecureDrop bundle."
        case .unreadable(let name): "The web UI resource \(name) cannot be read."
        case .badTemplate(let name): "The web UI template \(name) does not parse."
        }
    }
}

/// The templates and static files shipped as package resources (`Web/Resources`), read once
/// at start, so a page view never touches the disk and a missing file fails at start.
public struct WebResources: Sendable {
    /// The compiled Mustache templates by name (`login`, `index`, and the partials).
    let library: MustacheLibrary
    /// CSS, JavaScript and icons under `/static/`.
    let assets: StaticAssets

    static let templateNames = ["layout-head", "layout-foot", "login", "index"]

    /// Loads everything from the module bundle.
    public static func load() throws(WebResourceError) -> WebResources {
        guard let root = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw .missing("Resources")
        }
        var library = MustacheLibrary()
        for name in templateNames {
            let text = try read(root.appendingPathComponent("templates/\(name).mustache"), name: name)
            do {
                try library.register(text, named: name)
            } catch {
                throw .badTemplate(name)
            }
        }
        let assets = try StaticAssets(directory: root.appendingPathComponent("static"))
        return WebResources(library: library, assets: assets)
    }

    static func read(_ url: URL, name: String) throws(WebResourceError) -> String {
        guard FileManager.default.fileExists(atPath: url.path) else { throw .missing(name) }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw .unreadable(name) }
        return String(decoding: data, as: UTF8.self)
    }

    /// The HTML of `template` for `model`; every `{{value}}` is HTML-escaped.
    func render(_ template: String, _ model: Any) -> String {
        library.render(model, withTemplate: template) ?? ""
    }

    /// A rendered page, `text/html`, never cached (it shows a user's files and a CSRF token).
    func page(_ template: String, _ model: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let html = render(template, model)
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // Same-origin form posts must carry a real `Origin` (see SecurityHeadersMiddleware);
        // nothing is sent to other sites.
        headers[.referrerPolicy] = "same-origin"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

/// Self-hosted static files (CSP `default-src 'self'` allows nothing else).
///
/// Pages link them as `/static/<name>?v=<content hash>`, so a new release changes every URL
/// and the files may be cached for a year (`immutable`); the `ETag` serves clients that
/// revalidate anyway.
struct StaticAssets: Sendable {
    struct Asset: Sendable {
        let bytes: ByteBuffer
        let contentType: String
        /// The first 16 hex digits of the SHA-256 of the bytes.
        let version: String
    }

    let files: [String: Asset]

    static let contentTypes = [
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "svg": "image/svg+xml",
    ]

    init(directory: URL) throws(WebResourceError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .missing("static")
        }
        var files: [String: Asset] = [:]
        for name in names {
            guard let type = Self.contentTypes[(name as NSString).pathExtension] else { continue }
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
                throw .unreadable(name)
            }
            let hasher = SHA256Hasher()
            hasher.update(Array(data))
            files[name] = Asset(bytes: ByteBuffer(bytes: data), contentType: type, version: String(hasher.finishHex().prefix(16)))
        }
        self.files = files
    }

    /// `/static/<name>?v=<hash>`, the URL pages use.
    func url(_ name: String) -> String {
        "/static/\(name)?v=\(files[name]?.version ?? "0")"
    }

    func response(named name: String, request: Request) throws -> Response {
        guard let asset = files[name] else { throw APIError.notFound("No such static file.") }
        var headers = HTTPFields()
        let etag = "\"\(asset.version)\""
        headers[.eTag] = etag
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        if let candidates = request.headers[.ifNoneMatch], FileDownload.matches(candidates, etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        headers[.contentLength] = String(asset.bytes.readableBytes)
        if request.method == .head {
            return Response(status: .ok, headers: headers, body: ResponseBody())
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.bytes))
    }
}
