import Testing
@testable import SecureDrop

@Suite("ContentDisposition")
struct ContentDispositionTests {
    @Test("plain names")
    func plain() {
        #expect(ContentDisposition.attachment(fileName: "my-report.PDF")
            == "attachment; filename=\"my-report.PDF\"; filename*=UTF-8''my-report.PDF")
        #expect(ContentDisposition.inline(fileName: "photo.png")
            == "inline; filename=\"photo.png\"; filename*=UTF-8''photo.png")
    }

    @Test("non-ASCII: '_' in the fallback, UTF-8 percent-encoding in filename*")
    func nonASCII() {
        #expect(ContentDisposition.attachment(fileName: "résumé €.pdf")
            == "attachment; filename=\"r_sum_ _.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E2%82%AC.pdf")
        #expect(ContentDisposition.attachment(fileName: "e\u{301}.txt").hasPrefix("attachment; filename=\"_.txt\";"))
    }

    @Test("quotes, backslashes, percent and slashes are replaced in the fallback")
    func specials() {
        let value = ContentDisposition.attachment(fileName: "a\"b\\c%41/d;e.txt")
        #expect(value == "attachment; filename=\"a_b_c_41_d;e.txt\"; filename*=UTF-8''a%22b%5Cc%2541%2Fd%3Be.txt")
    }

    @Test("attr-char is kept verbatim, everything else is encoded (RFC 8187 §3.2.1)")
    func attrChars() {
        let attr = "!#$&+-.^_`|~azAZ09"
        #expect(ContentDisposition.percentEncoded(attr) == attr)
        #expect(ContentDisposition.percentEncoded(" \"%'()*,/:;<=>?@[\\]{}") ==
            "%20%22%25%27%28%29%2A%2C%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%7B%7D")
    }

    @Test("injection attempts give one parseable line that round-trips", arguments: [
        "a.txt\r\nSet-Cookie: x=1",
        "a.txt\rSet-Cookie: x=1",
        "a.txt\nSet-Cookie: x=1",
        "evil\".txt; filename=\"other.exe",
        "x\"; filename*=UTF-8''other.exe",
        "a;b;c.txt",
        "a\\\".txt",
        "\u{0}nul\u{0}.txt",
        "invoice\u{202E}fdp.exe",
        "日本語 ファイル.txt",
        "😀 party 🎉.png",
        "tab\there.txt",
        "100% real.txt",
        "\u{85}next-line\u{2028}ls\u{2029}ps.txt",
    ])
    func injection(name: String) throws {
        for value in [ContentDisposition.attachment(fileName: name), ContentDisposition.inline(fileName: name)] {
            #expect(value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }, "\(value.debugDescription)")
            let parsed = try #require(DispositionParser.parse(value), "\(value)")
            #expect(parsed.type == "attachment" || parsed.type == "inline")
            #expect(parsed.parameters.map(\.0) == ["filename", "filename*"])

            let visible = ContentDisposition.withoutInvisibles(name)
            let fallback = try #require(parsed.parameters.first?.1)
            #expect(fallback.count == visible.count)
            #expect(!fallback.contains("\"") && !fallback.contains("\\"))

            let extended = try #require(parsed.parameters.last?.1)
            #expect(extended.hasPrefix("UTF-8''"))
            #expect(DispositionParser.percentDecoded(extended.dropFirst(7)) == visible)
        }
    }

    @Test("invisible characters are removed from both parameters")
    func invisibles() {
        #expect(ContentDisposition.attachment(fileName: "invoice\u{202E}fdp.exe")
            == "attachment; filename=\"invoicefdp.exe\"; filename*=UTF-8''invoicefdp.exe")
        #expect(ContentDisposition.attachment(fileName: "a\r\nb")
            == "attachment; filename=\"ab\"; filename*=UTF-8''ab")
    }

    @Test("an empty name becomes 'download'", arguments: ["", "\r\n", "\u{202E}"])
    func empty(name: String) {
        #expect(ContentDisposition.attachment(fileName: name)
            == "attachment; filename=\"download\"; filename*=UTF-8''download")
    }
}

/// A strict RFC 6266 §4.1 parser: `type *( ";" OWS param )` with `token` / `quoted-string`
/// values (RFC 9110 §5.6), failing on anything else.
private enum DispositionParser {
    static func parse(_ value: String) -> (type: String, parameters: [(String, String)])? {
        var rest = Substring(value)
        let type = token(&rest)
        guard !type.isEmpty else { return nil }
        var parameters: [(String, String)] = []
        while !rest.isEmpty {
            guard rest.first == ";" else { return nil }
            rest = rest.dropFirst().drop(while: { $0 == " " })
            let name = token(&rest)
            guard !name.isEmpty, rest.first == "=" else { return nil }
            rest = rest.dropFirst()
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var text = ""
                while let character = rest.first, character != "\"" {
                    if character == "\\" { rest = rest.dropFirst() }
                    guard let literal = rest.first else { return nil }
                    text.append(literal)
                    rest = rest.dropFirst()
                }
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                parameters.append((name, text))
            } else {
                var text = ""
                while let character = rest.first, character != ";" {
                    guard !character.isWhitespace else { return nil }
                    text.append(character)
                    rest = rest.dropFirst()
                }
                guard !text.isEmpty else { return nil }
                parameters.append((name, text))
            }
        }
        return (type, parameters)
    }

    static func token(_ text: inout Substring) -> String {
        let tchar = Set("!#$%&'*+-.^_`|~abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let result = text.prefix(while: { tchar.contains($0) })
        text = text.dropFirst(result.count)
        return String(result)
    }

    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
