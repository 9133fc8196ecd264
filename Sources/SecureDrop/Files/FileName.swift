import Foundation

/// Why an uploaded file name cannot be stored. The descriptions are shown to the uploader.
public enum FileNameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing usable is left once path, control characters, symbols and untransliterable
    /// characters (emoji, for instance) are removed.
    case empty
    /// The name sent by the client is longer than ``FileName/maximumInputLength`` bytes; no real
    /// file system produces such a name, so it is refused instead of processed.
    case tooLong

    public var description: String {
        switch self {
        case .empty:
            "The file name has no letters or digits that can be used. Rename the file and try again."
        case .tooLong:
            "The file name is too long (more than \(FileName.maximumInputLength) bytes). Rename the file and try again."
        }
    }
}

/// File names as SecureDrop stores and shows them: the seed's slug (`My Report.PDF` → `my-report.PDF`).
///
/// Stored names are metadata only (blobs live under server-chosen names), but they end up in URL
/// paths, HTML, `Content-Disposition` headers and ZIP entries, so a stored name is restricted to
///
///     base       = 1*( lower-alnum ) *( "-" 1*( lower-alnum ) )   ; a-z 0-9, single '-' inside
///     extension  = 1*16( ALPHA / DIGIT )                           ; case kept, as in the seed
///     name       = base [ "." extension ]                           ; at most 200 UTF-8 bytes
///
/// and is never a Windows device name (`con`, `nul.txt`, …). Such a name needs no escaping in a
/// URL path segment, an HTML text node or attribute, a quoted header parameter or a ZIP entry, and
/// can neither traverse (`..`, `/`, `\`) nor hide (leading `.`) nor spoof its extension (U+202E).
///
/// How ``slugify(_:)`` gets there, step by step:
/// 1. More than ``maximumInputLength`` bytes is refused (``FileNameError/tooLong``).
/// 2. Unicode compatibility normalisation (NFKC): `ﬁ` → `fi`, full-width `ＰＤＦ` → `PDF`, `．` → `.`.
/// 3. Format characters (bidi overrides such as U+202E, zero-width spaces, BOM) are removed, so
///    `invoice\u{202E}fdp.exe` becomes `invoicefdp.exe` and shows its real extension; control
///    characters (NUL, CR, LF, TAB, …) become separators.
/// 4. Only the last path component is kept, splitting on both `/` and `\`: clients send
///    `C:\Users\x\a.txt` or `../../etc/passwd`.
/// 5. Leading and trailing dots and whitespace go: no hidden names (`.bashrc` → `bashrc`), and `.`,
///    `..`, `...` leave nothing (``FileNameError/empty``).
/// 6. As in the seed (`rsplit('.', 1)`), the text after the last dot is the extension, kept
///    verbatim including its case, *if* it is 1–16 ASCII letters or digits. Otherwise the name is
///    treated as having no extension and slugified whole (`Meeting 10.30 am` → `meeting-10-30-am`),
///    which keeps the information instead of dropping it. `archive.tar.gz` → `archive-tar.gz`, as
///    in the seed.
/// 7. The base is slugified like python-slugify: transliterated to ASCII with ICU
///    `Any-Latin; Latin-ASCII` (the counterpart of text-unidecode: `Résumé` → `resume`, `straße` →
///    `strasse`, `Привет` → `privet`, `日本語` → `ri-ben-yu`), lowercased, and every run of anything
///    else collapsed into one `-`, with no `-` at either end. Characters with no transliteration
///    (emoji) are dropped; if the base is left empty the name is refused (``FileNameError/empty``),
///    even when an extension remains — `😀.txt` is not silently stored as `txt`.
/// 8. A base that is a Windows device name (`con`, `prn`, `aux`, `nul`, `com0`–`com9`,
///    `lpt0`–`lpt9`) gets `-file` appended, because ZIP downloads are extracted on Windows too.
/// 9. The base (never the extension) is shortened so the whole name fits ``maximumLength``.
public enum FileName {
    /// Maximum UTF-8 length of a stored name. Below the usual 255-byte file-system limit so that
    /// ``withSuffix(_:_:)`` and a ZIP or download client have room to spare.
    public static let maximumLength = 200

    /// Longest text after the last dot that is still treated as an extension.
    public static let maximumExtensionLength = 16

    /// Longest client-sent name (UTF-8 bytes) that ``slugify(_:)`` processes at all: `PATH_MAX`.
    /// Longer input is refused rather than transliterated.
    public static let maximumInputLength = 4096

    /// Bases that Windows maps to devices whatever the extension (`nul.txt` opens NUL).
    static let windowsDeviceNames: Set<String> = {
        var names: Set<String> = ["con", "prn", "aux", "nul"]
        for digit in 0...9 {
            names.insert("com\(digit)")
            names.insert("lpt\(digit)")
        }
        return names
    }()

    /// The seed's slug of a client-sent name: base slugified, extension kept (see the type's
    /// documentation for every rule). The result always satisfies ``isValid(_:)``, and slugifying
    /// it again returns it unchanged.
    public static func slugify(_ original: String) throws(FileNameError) -> String {
        guard original.utf8.count <= maximumInputLength else { throw .tooLong }

        let component = lastPathComponent(of: withoutInvisibles(original.precomposedStringWithCompatibilityMapping))
        let trimmed = trimmingDotsAndWhitespace(component)

        var base = Substring(trimmed)
        var fileExtension: Substring?
        if let dot = trimmed.lastIndex(of: ".") {
            let candidate = trimmed[trimmed.index(after: dot)...]
            if isExtension(candidate.utf8) {
                base = trimmed[..<dot]
                fileExtension = candidate
            }
        }

        var slug = slugifiedBase(String(base))
        guard !slug.isEmpty else { throw .empty }
        if windowsDeviceNames.contains(slug) { slug += "-file" }

        let suffix = fileExtension.map { ".\($0)" } ?? ""
        return shortened(slug, toUTF8Length: maximumLength - suffix.utf8.count) + suffix
    }

    /// Whether `name` is exactly what ``slugify(_:)`` produces, i.e. `slugify(name) == name`,
    /// decided from the grammar above without transliterating anything. Routes use it to reject a
    /// request-path name (`%2e%2e`, `A.txt`, `a b`) before any lookup.
    public static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= maximumLength else { return false }
        var base = bytes[...]
        if let dot = bytes.lastIndex(of: UInt8(ascii: ".")) {
            guard isExtension(bytes[bytes.index(after: dot)...]) else { return false }
            base = bytes[..<dot]
        }
        return isSlug(base) && !windowsDeviceNames.contains(String(decoding: base, as: UTF8.self))
    }

    /// The name to try when `name` is taken: `"report.pdf", 1` → `"report-1.pdf"`,
    /// `"README", 2` → `"README-2"`. The base is shortened when needed so the result stays within
    /// ``maximumLength``; the extension is kept. For a valid `name` the result is valid.
    /// A negative `number` counts as its magnitude, so the result never contains `--`.
    public static func withSuffix(_ name: String, _ number: Int) -> String {
        var base = Substring(name)
        var suffix = ""
        if let dot = name.lastIndex(of: ".") {
            let candidate = name[name.index(after: dot)...]
            if isExtension(candidate.utf8), dot != name.startIndex {
                base = name[..<dot]
                suffix = ".\(candidate)"
            }
        }
        let counter = "-\(number.magnitude)"
        var shortenedBase = shortened(String(base), toUTF8Length: maximumLength - counter.utf8.count - suffix.utf8.count)
        // A name at the length limit that already ends in this counter (194 × `a` + `-1.pdf`)
        // loses exactly that counter to make room for it, and would come back unchanged: the
        // taken name offered as the free one (`Fuzz/FuzzFileName` found `candidates(for:)`
        // repeating it). Cutting one character more gives a name that differs.
        if shortenedBase + counter + suffix == name {
            shortenedBase = shortened(shortenedBase, toUTF8Length: shortenedBase.utf8.count - 1)
        }
        if shortenedBase.isEmpty { shortenedBase = "file" }
        return shortenedBase + counter + suffix
    }

    /// `name`, then `name-1`, `name-2`, … (see ``withSuffix(_:_:)``): the order in which the
    /// default "rename, never overwrite" policy tries names. Unbounded; callers take a `prefix`.
    public static func candidates(for name: String) -> Candidates { Candidates(name: name) }

    /// The sequence returned by ``candidates(for:)``.
    public struct Candidates: Sequence, IteratorProtocol, Sendable {
        let name: String
        var attempt = 0

        public mutating func next() -> String? {
            defer { attempt += 1 }
            return attempt == 0 ? name : FileName.withSuffix(name, attempt)
        }
    }

    // MARK: - Steps

    /// Removes format characters (Cf: bidi overrides and isolates, zero-width characters, BOM,
    /// soft hyphen) and turns control characters (Cc) and line/paragraph separators into spaces.
    static func withoutInvisibles(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .format: continue
            case .control, .lineSeparator, .paragraphSeparator: scalars.append(" ")
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// The text after the last `/` or `\`.
    ///
    /// Searched scalar by scalar, not `Character` by `Character`: a separator followed by a
    /// combining mark is one grapheme, which is not equal to `"/"`, so the directory used to stay
    /// in the name: `dir/\u{301}a.txt` became `dir-a.txt`, not `a.txt` (found by
    /// `Fuzz/FuzzFileName`). The mark, now first in the component, is dropped like any other.
    static func lastPathComponent(of text: String) -> Substring {
        let scalars = text.unicodeScalars
        guard let separator = scalars.lastIndex(where: { $0 == "/" || $0 == "\\" }) else { return Substring(text) }
        return Substring(scalars[scalars.index(after: separator)...])
    }

    static func trimmingDotsAndWhitespace(_ text: Substring) -> Substring {
        let removable: (Character) -> Bool = { $0 == "." || $0.isWhitespace }
        guard let first = text.firstIndex(where: { !removable($0) }),
              let last = text.lastIndex(where: { !removable($0) }) else { return "" }
        return text[first...last]
    }

    /// 1–16 ASCII letters or digits.
    static func isExtension(_ bytes: some Collection<UInt8>) -> Bool {
        (1...maximumExtensionLength).contains(bytes.count) && bytes.allSatisfy(isASCIIAlphanumeric)
    }

    /// Lowercase ASCII alphanumerics separated by single hyphens, non-empty.
    static func isSlug(_ bytes: some Collection<UInt8>) -> Bool {
        guard let first = bytes.first, first != hyphen else { return false }
        var previous = first
        for byte in bytes.dropFirst() {
            guard isLowercaseAlphanumeric(byte) || (byte == hyphen && previous != hyphen) else { return false }
            previous = byte
        }
        return isLowercaseAlphanumeric(first) && previous != hyphen
    }

    /// python-slugify's treatment of the base: ASCII transliteration, lowercase, runs of
    /// non-alphanumerics → one `-`, none at either end.
    static func slugifiedBase(_ base: String) -> String {
        let ascii = base.utf8.allSatisfy { $0 < 0x80 } ? base : transliteratedToASCII(base)
        var slug: [UInt8] = []
        slug.reserveCapacity(ascii.utf8.count)
        var separatorPending = false
        for byte in ascii.utf8 {
            let lowered = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 0x20 : byte
            if isLowercaseAlphanumeric(lowered) {
                if separatorPending, !slug.isEmpty { slug.append(hyphen) }
                separatorPending = false
                slug.append(lowered)
            } else {
                separatorPending = true
            }
        }
        return String(decoding: slug, as: UTF8.self)
    }

    /// ICU's `Any-Latin; Latin-ASCII`, which handles Latin diacritics and ligatures (`ß` → `ss`,
    /// `æ` → `ae`) and romanises other scripts like text-unidecode does. Characters ICU cannot
    /// transliterate (emoji) stay non-ASCII and are dropped by the caller. If ICU is unavailable
    /// the Latin-only ``foldedLatin(_:)`` is used instead.
    static func transliteratedToASCII(_ text: String) -> String {
        text.applyingTransform(StringTransform("Any-Latin; Latin-ASCII"), reverse: false) ?? foldedLatin(text)
    }

    /// Fallback transliteration: diacritics, case and width folded by Foundation, plus the Latin
    /// letters that have no decomposition.
    static func foldedLatin(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        var result = ""
        for character in folded {
            switch character {
            case "ß": result += "ss"
            case "æ": result += "ae"
            case "œ": result += "oe"
            case "ø": result += "o"
            case "ł": result += "l"
            case "đ", "ð": result += "d"
            case "þ": result += "th"
            case "ı": result += "i"
            default: result.append(character)
            }
        }
        return result
    }

    /// The longest prefix of whole characters within `length` UTF-8 bytes, without a trailing `-`.
    static func shortened(_ text: String, toUTF8Length length: Int) -> String {
        guard text.utf8.count > length else { return text }
        var result = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            guard used + size <= length else { break }
            result.append(character)
            used += size
        }
        while result.hasSuffix("-") { result.removeLast() }
        return result
    }

    static let hyphen = UInt8(ascii: "-")

    static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        isLowercaseAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    static func isLowercaseAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
