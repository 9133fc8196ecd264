import Testing
@testable import SecureDrop

@Suite("FileName")
struct FileNameTests {
    // MARK: slugify

    @Test("slugify keeps the seed's behaviour", arguments: [
        ("My Report.PDF", "my-report.PDF"),
        ("report.pdf", "report.pdf"),
        ("photo.JPG", "photo.JPG"),
        ("README", "readme"),
        ("Makefile", "makefile"),
        ("archive.tar.gz", "archive-tar.gz"),
        ("a.b.c", "a-b.c"),
        ("Hello,  World!!.txt", "hello-world.txt"),
        ("--weird__name--.md", "weird-name.md"),
        ("it's mine.txt", "it-s-mine.txt"),
        ("Q3 2024 (final) [v2].xlsx", "q3-2024-final-v2.xlsx"),
        ("already-slugged-1.pdf", "already-slugged-1.pdf"),
    ])
    func seedBehaviour(original: String, expected: String) throws {
        #expect(try FileName.slugify(original) == expected)
    }

    @Test("slugify keeps only the last path component", arguments: [
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("C:\\Windows\\win.ini", "win.ini"),
        ("C:\\Users\\x\\a.txt", "a.txt"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("dir/sub\\mixed/File Name.TXT", "file-name.TXT"),
        ("／etc／passwd", "passwd"), // full-width solidus, NFKC → "/"
    ])
    func pathComponents(original: String, expected: String) throws {
        #expect(try FileName.slugify(original) == expected)
    }

    @Test("percent-encoded traversal stays literal and harmless")
    func percentEncodedTraversal() throws {
        let name = try FileName.slugify("..%2f..%2fetc%2fpasswd")
        #expect(name == "2f-2fetc-2fpasswd")
        #expect(FileName.isValid(name))
        #expect(!name.contains("/") && !name.contains("%") && !name.contains(".."))
    }

    @Test("hidden and dot names", arguments: [
        (".bashrc", "bashrc"),
        (".html", "html"),
        ("..txt", "txt"),
        (".tar.gz", "tar.gz"),
        ("file.", "file"),
        ("file...", "file"),
        ("  spaced name  .txt  ", "spaced-name.txt"),
        ("-dash.txt", "dash.txt"),
    ])
    func dotNames(original: String, expected: String) throws {
        #expect(try FileName.slugify(original) == expected)
    }

    @Test("names with nothing usable are refused", arguments: [
        "", ".", "..", "...", " ", "\t", "/", "a/", "C:\\dir\\", "../", "---", "___.txt",
        "😀", "😀😀.txt", "🎉.PNG", "\u{0}", "\u{202E}", "%", "-.-",
    ])
    func refused(original: String) {
        #expect(throws: FileNameError.empty) { try FileName.slugify(original) }
    }

    @Test("control characters never survive", arguments: [
        ("a\u{0}b.txt", "a-b.txt"),
        ("evil.php\u{0}.jpg", "evil-php.jpg"),
        ("line\r\nbreak.txt", "line-break.txt"),
        ("tab\tseparated\tname.csv", "tab-separated-name.csv"),
        ("bell\u{7}\u{1B}[31m.txt", "bell-31m.txt"),
        ("a\u{2028}b.txt", "a-b.txt"),
    ])
    func controls(original: String, expected: String) throws {
        #expect(try FileName.slugify(original) == expected)
    }

    @Test("format characters are removed, so a right-to-left override cannot spoof the extension", arguments: [
        ("invoice\u{202E}fdp.exe", "invoicefdp.exe"),
        ("photo\u{202E}gpj.scr", "photogpj.scr"),
        ("zero\u{200B}width\u{FEFF}.txt", "zerowidth.txt"),
        ("iso\u{2066}late\u{2069}.txt", "isolate.txt"),
        ("soft\u{00AD}hyphen.txt", "softhyphen.txt"),
    ])
    func formatCharacters(original: String, expected: String) throws {
        let name = try FileName.slugify(original)
        #expect(name == expected)
        #expect(name.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test("unicode is transliterated like python-slugify", arguments: [
        ("Résumé Ünïcödé", "resume-unicode"),
        ("Résumé.pdf", "resume.pdf"),
        ("straße.txt", "strasse.txt"),
        ("Ærøskøbing Œuvre.doc", "aeroskobing-oeuvre.doc"),
        ("Łódź.jpg", "lodz.jpg"),
        ("ﬁnal ＲＥＰＯＲＴ．ＰＤＦ", "final-report.PDF"),
        ("Привет мир.txt", "privet-mir.txt"),
        ("Ελληνικά.txt", "ellenika.txt"),
        ("日本語.txt", "ri-ben-yu.txt"),
        ("ひらがな.txt", "hiragana.txt"),
        ("naïve café 😀.md", "naive-cafe.md"),
        ("e\u{301}te\u{301}.txt", "ete.txt"), // decomposed accents
    ])
    func unicode(original: String, expected: String) throws {
        #expect(try FileName.slugify(original) == expected)
    }

    @Test("the Latin fallback folds without ICU", arguments: [
        ("Résumé Ünïcödé", "resume unicode"),
        ("straße", "strasse"),
        ("Ærø Œ Łódź þorn", "aero oe lodz thorn"),
        ("ＡＢＣ", "abc"),
    ])
    func latinFallback(text: String, expected: String) {
        #expect(FileName.foldedLatin(text) == expected)
    }

    @Test("extensions: kept when 1-16 ASCII alphanumerics, otherwise part of the base", arguments: [
        ("Meeting 10.30 am", "meeting-10-30-am"),
        ("notes.v2-final", "notes-v2-final"),
        ("file.pdé", "file-pde"),
        ("data.0123456789abcdef", "data.0123456789abcdef"),
        ("data.0123456789abcdefg", "data-0123456789abcdefg"),
        ("weird.<script>", "weird-script"),
        ("x.7z", "x.7z"),
        ("Song.MP3", "song.MP3"),
    ])
    func extensions(original: String, expected: String) throws {
        #expect(try FileName.slugify(original) == expected)
    }

    @Test("Windows device names get a suffix", arguments: [
        ("CON", "con-file"),
        ("nul.txt", "nul-file.txt"),
        ("Com1.log", "com1-file.log"),
        ("lpt9", "lpt9-file"),
        ("console.txt", "console.txt"),
        ("con.tar.gz", "con-tar.gz"),
    ])
    func deviceNames(original: String, expected: String) throws {
        #expect(try FileName.slugify(original) == expected)
    }

    @Test("long names are shortened in the base, keeping the extension")
    func longNames() throws {
        let name = try FileName.slugify(String(repeating: "a", count: 1000) + ".pdf")
        #expect(name.utf8.count == FileName.maximumLength)
        #expect(name.hasSuffix(".pdf"))
        #expect(FileName.isValid(name))

        let words = try FileName.slugify(String(repeating: "ab ", count: 400) + ".txt")
        #expect(words.utf8.count <= FileName.maximumLength)
        #expect(!words.contains("-."))
        #expect(FileName.isValid(words))

        let noExtension = try FileName.slugify(String(repeating: "é", count: 1000))
        #expect(noExtension == String(repeating: "e", count: FileName.maximumLength))
    }

    @Test("absurdly long input is refused")
    func tooLong() {
        #expect(throws: FileNameError.tooLong) {
            try FileName.slugify(String(repeating: "a", count: FileName.maximumInputLength + 1))
        }
        #expect(throws: FileNameError.tooLong) {
            try FileName.slugify(String(repeating: "日", count: 2000)) // 6000 bytes
        }
        #expect(throws: Never.self) {
            try FileName.slugify(String(repeating: "a", count: FileName.maximumInputLength))
        }
    }

    @Test("errors have user-facing messages")
    func messages() {
        #expect(FileNameError.empty.description.contains("letters or digits"))
        #expect(FileNameError.tooLong.description.contains("\(FileName.maximumInputLength)"))
    }

    // MARK: isValid

    @Test("isValid accepts slugify output", arguments: [
        "my-report.PDF", "report.pdf", "readme", "a-b.c", "a", "1", "x.7z", "report-1.pdf",
        "con-file", "data.0123456789abcdef", String(repeating: "a", count: 200),
    ])
    func valid(name: String) {
        #expect(FileName.isValid(name))
    }

    @Test("isValid rejects anything slugify cannot produce", arguments: [
        "", ".", "..", "...", "../etc/passwd", "a/b", "a\\b", "..%2fetc", "a%20b", "a b", "a\tb",
        "a\u{0}b", "A.txt", "My-Report.pdf", ".bashrc", "-a", "a-", "a--b", "a.", ".a", "a..b",
        "a.b.c", "a.b-c", "a.é", "é.txt", "a.0123456789abcdefg", "con", "nul.txt", "LPT1",
        "a\u{202E}b", "a_b", String(repeating: "a", count: 201), "x.tar gz", "a\r\nb",
    ])
    func invalid(name: String) {
        #expect(!FileName.isValid(name))
    }

    // MARK: withSuffix and candidates

    @Test("withSuffix numbers the base", arguments: [
        ("report.pdf", 1, "report-1.pdf"),
        ("README", 2, "README-2"),
        ("readme", 10, "readme-10"),
        ("my-report.PDF", 3, "my-report-3.PDF"),
        ("archive-tar.gz", 1, "archive-tar-1.gz"),
        ("report-1.pdf", 1, "report-1-1.pdf"),
        ("report.pdf", -4, "report-4.pdf"),
    ])
    func withSuffix(name: String, number: Int, expected: String) {
        #expect(FileName.withSuffix(name, number) == expected)
    }

    @Test("withSuffix stays within maximumLength and valid", arguments: [1, 9, 10, 999, Int.max, Int.min])
    func withSuffixLength(number: Int) throws {
        for original in [String(repeating: "a", count: 500) + ".pdf", String(repeating: "ab-", count: 100), "x"] {
            let name = try FileName.slugify(original)
            let numbered = FileName.withSuffix(name, number)
            #expect(numbered.utf8.count <= FileName.maximumLength)
            #expect(FileName.isValid(numbered), "\(numbered)")
            #expect(numbered.hasSuffix("-\(number.magnitude)" + (name.hasSuffix(".pdf") ? ".pdf" : "")))
        }
    }

    @Test("candidates: the name, then numbered names")
    func candidates() {
        #expect(Array(FileName.candidates(for: "report.pdf").prefix(4))
            == ["report.pdf", "report-1.pdf", "report-2.pdf", "report-3.pdf"])
        let taken: Set = ["report.pdf", "report-1.pdf"]
        #expect(FileName.candidates(for: "report.pdf").prefix(100).first { !taken.contains($0) } == "report-2.pdf")
    }

    // MARK: properties

    @Test("random names: slugify refuses or returns a valid, idempotent name")
    func randomNames() throws {
        var generator = SplitMix64(seed: 0x5EC0_2ED2_0B00_0001)
        let alphabet: [Unicode.Scalar] = Array("aZ09 ._-/\\%:;\"'<>\u{0}\t\r\n\u{202E}\u{200B}éßÆ日本😀ЖΩ".unicodeScalars)
        var accepted = 0
        for _ in 0..<3000 {
            let name = randomString(using: &generator, alphabet: alphabet)
            let slug: String
            do {
                slug = try FileName.slugify(name)
            } catch {
                #expect(error == .empty || error == .tooLong)
                continue
            }
            accepted += 1
            #expect(FileName.isValid(slug), "\(slug.debugDescription) from \(name.debugDescription)")
            #expect(!slug.contains("/") && !slug.contains("\\") && !slug.contains("\u{0}"))
            #expect(!slug.hasPrefix("-") && !slug.hasPrefix("."))
            #expect(slug.utf8.count <= FileName.maximumLength)
            #expect(slug.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x21 && $0.value < 0x7F })
            #expect(try FileName.slugify(slug) == slug, "not idempotent: \(slug)")
        }
        #expect(accepted > 1000)
    }

    @Test("random ASCII: isValid(x) exactly when slugify(x) == x")
    func isValidMatchesSlugify() {
        var generator = SplitMix64(seed: 42)
        let alphabet: [Unicode.Scalar] = Array("ab0--..Z_ /".unicodeScalars)
        var validCount = 0
        for _ in 0..<5000 {
            let name = randomString(using: &generator, alphabet: alphabet, maxLength: 7, anyScalars: false)
            let slug = try? FileName.slugify(name)
            #expect(FileName.isValid(name) == (slug == name), "\(name.debugDescription)")
            if FileName.isValid(name) { validCount += 1 }
        }
        #expect(validCount > 50)
    }

    /// Up to `maxLength` scalars from `alphabet`, or (half the time, if `anyScalars`) any scalar.
    private func randomString(using generator: inout SplitMix64, alphabet: [Unicode.Scalar], maxLength: Int = 40, anyScalars: Bool = true) -> String {
        var scalars = String.UnicodeScalarView()
        let length = Int.random(in: 0...maxLength, using: &generator)
        for _ in 0..<length {
            if anyScalars, Bool.random(using: &generator), let any = Unicode.Scalar(UInt32.random(in: 0...0x2FFFF, using: &generator)) {
                scalars.append(any)
            } else if let pick = alphabet.randomElement(using: &generator) {
                scalars.append(pick)
            }
        }
        return String(scalars)
    }
}
