import Testing
@testable import SecureDrop

@Suite("ContentTypePolicy")
struct ContentTypePolicyTests {
    @Test("download types come from the extension", arguments: [
        ("photo.png", "image/png"),
        ("photo.JPG", "image/jpeg"),
        ("photo.jpeg", "image/jpeg"),
        ("my-report.PDF", "application/pdf"),
        ("song.mp3", "audio/mpeg"),
        ("clip.webm", "video/webm"),
        ("notes.txt", "text/plain"),
        ("readme.md", "text/markdown"),
        ("data.csv", "text/csv"),
        ("page.html", "text/html"),
        ("drawing.svg", "image/svg+xml"),
        ("feed.xml", "application/xml"),
        ("app.js", "text/javascript"),
        ("archive-tar.gz", "application/gzip"),
        ("bundle.zip", "application/zip"),
        ("x.7z", "application/x-7z-compressed"),
        ("readme", "application/octet-stream"),
        ("program.exe", "application/octet-stream"),
        ("strange.qwertyuiop", "application/octet-stream"),
        ("trailing.", "application/octet-stream"),
        ("png", "application/octet-stream"),
        ("dir.png/file", "application/octet-stream"),
    ])
    func contentType(name: String, expected: String) {
        #expect(ContentTypePolicy.contentType(forFileName: name) == expected)
    }

    @Test("safe media is shown inline with its real type", arguments: [
        ("photo.png", "image/png"),
        ("photo.JPG", "image/jpeg"),
        ("anim.gif", "image/gif"),
        ("pic.webp", "image/webp"),
        ("pic.avif", "image/avif"),
        ("report.pdf", "application/pdf"),
        ("song.mp3", "audio/mpeg"),
        ("voice.ogg", "audio/ogg"),
        ("movie.mp4", "video/mp4"),
        ("movie.MOV", "video/quicktime"),
    ])
    func inlineMedia(name: String, type: String) {
        #expect(ContentTypePolicy.openPresentation(forFileName: name) == .inline(type))
    }

    @Test("text and markup are shown as plain text", arguments: [
        "notes.txt", "readme.md", "data.csv", "server.log", "data.json", "app.js", "style.css",
        "page.html", "page.HTM", "page.xhtml", "drawing.svg", "drawing.SVG", "feed.xml", "main.swift",
    ])
    func inlineText(name: String) {
        let presentation = ContentTypePolicy.openPresentation(forFileName: name)
        #expect(presentation == .inlineText)
        #expect(presentation.contentType(forFileName: name) == "text/plain; charset=utf-8")
        #expect(presentation.contentDisposition(forFileName: name).hasPrefix("inline;"))
    }

    @Test("unknown and binary types are attachments", arguments: [
        "readme", "program.exe", "bundle.zip", "archive-tar.gz", "doc.docx", "image.tiff",
        "drawing.svgz", "strange.qwertyuiop", "file.",
    ])
    func attachment(name: String) {
        let presentation = ContentTypePolicy.openPresentation(forFileName: name)
        #expect(presentation == .attachment)
        #expect(presentation.contentType(forFileName: name) == ContentTypePolicy.contentType(forFileName: name))
        #expect(presentation.contentDisposition(forFileName: name).hasPrefix("attachment;"))
    }

    @Test("markup is never rendered with its real type", arguments: [
        "a.svg", "a.SVG", "a.Svg", "a.svgz", "a.html", "a.htm", "a.HTML", "a.xhtml", "a.xht",
        "a.xml", "a.xsl", "a.js", "a.mjs", "a.css",
    ])
    func markupNeverRendered(name: String) {
        let presentation = ContentTypePolicy.openPresentation(forFileName: name)
        #expect(presentation == .inlineText || presentation == .attachment)
        if presentation == .inlineText {
            #expect(presentation.contentType(forFileName: name) == "text/plain; charset=utf-8")
        }
    }

    @Test("every inline type is a raster image, PDF, audio or video")
    func inlineTypesAreSafe() {
        for (ext, entry) in ContentTypePolicy.table where entry.handling == .media {
            let type = entry.type
            let isSafe = (type.hasPrefix("image/") && !type.contains("svg")) || type == "application/pdf"
                || type.hasPrefix("audio/") || type.hasPrefix("video/")
            #expect(isSafe, "\(ext) → \(type)")
        }
    }

    @Test("table extensions are lower-case ASCII alphanumerics, so FileName can produce them")
    func tableKeys() {
        for ext in ContentTypePolicy.table.keys {
            #expect(FileName.isExtension(ext.utf8) && ext == ext.lowercased(), "\(ext)")
        }
    }

    @Test("file responses carry nosniff and a sandboxing CSP")
    func securityHeaders() {
        let headers = Dictionary(uniqueKeysWithValues: ContentTypePolicy.fileResponseSecurityHeaders)
        #expect(headers["X-Content-Type-Options"] == "nosniff")
        #expect(headers["Content-Security-Policy"] == "sandbox; default-src 'none'")
        #expect(headers.count == 2)
    }
}
