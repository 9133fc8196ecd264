/// `Content-Disposition` field values for file responses (RFC 6266 with RFC 8187 `filename*`).
///
/// The value always carries both parameters:
///
///     attachment; filename="report_.pdf"; filename*=UTF-8''report%C3%A9.pdf
///
/// `filename*` (RFC 8187 §3.2) carries the exact name, percent-encoded UTF-8, and is preferred by
/// every current user agent (RFC 6266 §4.3). `filename` is the ASCII fallback for the rest: a
/// quoted-string (RFC 9110 §5.6.4) in which `"`, `\` and `%` become `_` rather than being escaped,
/// because RFC 6266 Appendix D warns that user agents disagree on backslash escapes and some
/// percent-decode the plain parameter; `/` becomes `_` too, as no file name can hold one, and so
/// does each non-ASCII character. Control characters (CR, LF, NUL, …) and invisible format
/// characters (bidi overrides such as U+202E) are removed from *both* parameters, so the value is
/// one line, cannot inject a header, and cannot spoof an extension. A name left empty becomes
/// `download`.
public enum ContentDisposition {
    /// `attachment; …`: the browser saves the file instead of showing it.
    public static func attachment(fileName: String) -> String {
        value(disposition: "attachment", fileName: fileName)
    }

    /// `inline; …`: the browser may show the file; the name is used if it is saved.
    public static func inline(fileName: String) -> String {
        value(disposition: "inline", fileName: fileName)
    }

    static func value(disposition: String, fileName: String) -> String {
        // Stored names are slugs, printable ASCII: nothing to remove, and no need to consult
        // Unicode's tables for every download.
        var name = fileName.utf8.allSatisfy(isPrintableASCII) ? fileName : withoutInvisibles(fileName)
        if name.isEmpty { name = "download" }
        return "\(disposition); filename=\"\(asciiFallback(name))\"; filename*=UTF-8''\(percentEncoded(name))"
    }

    /// `fileName` without control characters (Cc), format characters (Cf) and line or paragraph
    /// separators, none of which belongs in a file name shown to a person.
    static func withoutInvisibles(_ fileName: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in fileName.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator: continue
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// The `filename` quoted-string content: printable ASCII, with `"`, `\`, `%`, `/` and every
    /// non-ASCII character (one `_` per user-perceived character) replaced by `_`.
    static func asciiFallback(_ name: String) -> String {
        if name.utf8.allSatisfy(isPrintableASCII) {
            return String(decoding: name.utf8.map { "\"\\%/".utf8.contains($0) ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
        }
        var result = ""
        for character in name {
            if let ascii = character.asciiValue, (0x20...0x7E).contains(ascii),
               !"\"\\%/".utf8.contains(ascii) {
                result.append(character)
            } else {
                result.append("_")
            }
        }
        return result
    }

    /// RFC 8187 §3.2.1 `value-chars`: UTF-8 bytes, `attr-char` kept, everything else `%XX`
    /// (upper-case hex, as RFC 3986 §2.1 recommends).
    static func percentEncoded(_ name: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(name.utf8.count * 3)
        for byte in name.utf8 {
            if isAttrChar(byte) {
                encoded.append(byte)
            } else {
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    static func isPrintableASCII(_ byte: UInt8) -> Bool {
        (0x20...0x7E).contains(byte)
    }

    /// `attr-char = ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"`
    static func isAttrChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$&+-.^_`|~".utf8.contains(byte)
        }
    }
}
