/// A header value of the form `type *( ";" name "=" value )`, as used by `Content-Type`
/// (RFC 2045 §5.1, RFC 9110 §5.6.6) and `Content-Disposition` (RFC 2183, RFC 7578 §4.2).
///
/// Deliberately small: it splits the value and unquotes parameters, nothing more. What a
/// parameter means, and whether duplicates are acceptable, is for the caller to decide.
struct MultipartHeaderParameters {
    /// How a `"`-quoted parameter value is unquoted.
    enum Quoting {
        /// RFC 9110 §5.6.4 `quoted-string`: `\` escapes the next character.
        case quotedPair
        /// The HTML "multipart/form-data encoding algorithm" (WHATWG HTML, referenced by
        /// RFC 7578 §4.2): browsers never backslash-escape; they send `"` as `%22` and a `\` in a
        /// file name as-is, so a backslash must stay a literal character.
        case literal
    }

    /// The part before the first `;`, with surrounding whitespace removed and case preserved.
    var value: String
    /// Parameters in order of appearance; names lowercased (they are case-insensitive).
    var parameters: [(name: String, value: String)]

    /// Values of every parameter called `name` (lowercase).
    func values(of name: String) -> [String] {
        parameters.filter { $0.name == name }.map(\.value)
    }

    /// Returns `nil` when the value does not follow the grammar (missing `=`, unterminated
    /// quote, text after a quoted value...), so that callers reject rather than guess.
    init?(parsing header: String, quoting: Quoting) {
        var scanner = MultipartParameterScanner(Array(header.utf8))
        let type = scanner.read(while: { $0 != MultipartSyntax.semicolon })
        value = MultipartSyntax.trimmingWhitespace(String(decoding: type, as: UTF8.self))
        parameters = []
        while scanner.consume(MultipartSyntax.semicolon) {
            scanner.skipWhitespace()
            // Tolerate `;;` and a trailing `;`: harmless, and some clients send them.
            if scanner.isAtEnd || scanner.peek == MultipartSyntax.semicolon { continue }
            let name = scanner.read(while: MultipartSyntax.isTokenCharacter)
            guard !name.isEmpty else { return nil }
            scanner.skipWhitespace()
            guard scanner.consume(MultipartSyntax.equals) else { return nil }
            scanner.skipWhitespace()
            let parameterValue: [UInt8]
            if scanner.consume(MultipartSyntax.doubleQuote) {
                guard let quoted = scanner.readQuotedString(quoting: quoting) else { return nil }
                parameterValue = quoted
            } else {
                parameterValue = scanner.read(while: { byte in
                    byte != MultipartSyntax.semicolon && byte != MultipartSyntax.doubleQuote
                        && !MultipartSyntax.isWhitespace(byte)
                })
            }
            scanner.skipWhitespace()
            guard scanner.isAtEnd || scanner.peek == MultipartSyntax.semicolon else { return nil }
            parameters.append((
                name: String(decoding: name, as: UTF8.self).lowercased(),
                value: String(decoding: parameterValue, as: UTF8.self)
            ))
        }
        guard scanner.isAtEnd else { return nil }
    }
}

/// A cursor over the bytes of one header value.
private struct MultipartParameterScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }
    var peek: UInt8? { isAtEnd ? nil : bytes[index] }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    mutating func read(while predicate: (UInt8) -> Bool) -> [UInt8] {
        let start = index
        while index < bytes.count, predicate(bytes[index]) { index += 1 }
        return Array(bytes[start..<index])
    }

    /// Moves past spaces and tabs without building an array of them.
    ///
    /// This used to be `_ = read(while: MultipartSyntax.isWhitespace)`. Swift 6.3.1 at `-O`
    /// miscompiles that discarded `Array(bytes[start..<index])`: it frees the new array's buffer
    /// and then copies the whitespace into it, a heap write after free on every `Content-Type`
    /// and `Content-Disposition` with a space after a `;` (found by `Fuzz/FuzzMultipart` under
    /// AddressSanitizer, and by valgrind in a release build without sanitizers). Advancing the
    /// index allocates nothing, so there is nothing to free early.
    mutating func skipWhitespace() {
        while index < bytes.count, MultipartSyntax.isWhitespace(bytes[index]) { index += 1 }
    }

    /// Reads up to and including the closing quote; the opening one is already consumed.
    /// Slicing only at ASCII bytes keeps multi-byte UTF-8 sequences intact.
    mutating func readQuotedString(quoting: MultipartHeaderParameters.Quoting) -> [UInt8]? {
        var result: [UInt8] = []
        while let byte = peek {
            index += 1
            switch byte {
            case MultipartSyntax.doubleQuote:
                return result
            case MultipartSyntax.backslash where quoting == .quotedPair:
                guard let escaped = peek else { return nil }
                index += 1
                result.append(escaped)
            default:
                result.append(byte)
            }
        }
        return nil
    }
}
