import Foundation
import SecureDrop

/// `FileName.slugify(_:)`, `isValid(_:)`, `candidates(for:)` and `withSuffix(_:_:)`.
///
/// Input: the client-sent file name, as UTF-8 (invalid sequences become U+FFFD).
///
/// Checks, for every input:
/// - `tooLong` exactly when the input is longer than `FileName.maximumInputLength` bytes;
/// - a stored name follows the grammar in `FileName`'s documentation, checked here byte by byte
///   without calling the library: at most 200 bytes, ASCII `[a-z0-9-]` base with single inner
///   hyphens, optional `.` + 1–16 ASCII alphanumerics, so never `/`, `\`, NUL, a control
///   character, a leading `.` or `-`, `..`, or a Windows device name;
/// - `isValid` accepts it, and slugifying it again returns it unchanged (idempotence);
/// - `isValid(x)` holds exactly when `slugify(x) == x` (the documented definition of `isValid`);
/// - only the last path component counts: slugifying the text after the last `/` or `\` (a
///   scalar, even when a combining mark follows it) gives the same, and so does adding a
///   directory prefix (`../a/b\`);
/// - Unicode compatibility normalisation (NFKC) of the input changes nothing;
/// - the names `candidates(for:)` offers are valid, distinct, start with the name itself, keep
///   its extension and equal `withSuffix(name, n)`; `withSuffix` stays valid for any `n` and
///   never returns the name it was given (not even `…-1.pdf` at the length limit, with `n` 1);
/// - `withSuffix` on the raw input does not crash.
public enum FileNameFuzzCheck {
    public static func run(_ data: [UInt8]) throws(FuzzFailure) {
        let name = String(decoding: data, as: UTF8.self)
        let context = "name \"\(escaped(name))\""
        _ = FileName.withSuffix(name, Int(truncatingIfNeeded: fnv1a(data)))

        let outcome = slugify(name)
        let tooLong = name.utf8.count > FileName.maximumInputLength
        try require((outcome == .failure(.tooLong)) == tooLong, "\(context) (\(name.utf8.count) bytes): slugify gave \(outcome)")
        // Bytes, not `==`: Swift compares strings by canonical equivalence, and "a.\u{212A}" (KELVIN
        // SIGN) equals "a.K", which is what it slugifies to, yet is not a valid stored name.
        let isFixedPoint = (try? outcome.get()).map { Array($0.utf8) == Array(name.utf8) } ?? false
        try require(FileName.isValid(name) == isFixedPoint, "\(context): isValid is \(FileName.isValid(name)) but slugify gave \(outcome)")

        if name.utf8.count + 7 <= FileName.maximumInputLength {
            let nested = slugify("../a/b\\" + name)
            try require(nested == outcome, "\(context): slugify gave \(outcome) alone but \(nested) after a directory prefix")
        }
        let normalised = name.precomposedStringWithCompatibilityMapping
        if !tooLong {
            // The component after the last separator, found scalar by scalar in the NFKC form.
            let scalars = normalised.unicodeScalars
            // The input limit applies to what the client sent, before NFKC, which can expand
            // a scalar elevenfold (U+FDFA): a component longer than the limit after expansion
            // is refused on its own although the whole name was not.
            if let separator = scalars.lastIndex(where: { $0 == "/" || $0 == "\\" }),
               case let component = String(String.UnicodeScalarView(scalars[scalars.index(after: separator)...])),
               component.utf8.count <= FileName.maximumInputLength {
                let alone = slugify(component)
                try require(alone == outcome, "\(context): slugify gave \(outcome), but \(alone) for its last path component")
            }
        }
        if !tooLong, normalised.utf8.count <= FileName.maximumInputLength {
            let again = slugify(normalised)
            try require(again == outcome, "\(context): slugify gave \(outcome), but \(again) for its NFKC form")
        }

        guard case .success(let stored) = outcome else { return }
        try checkStoredName(stored, context: context)
        try require(slugify(stored) == .success(stored), "\(context): slugify is not idempotent on \"\(escaped(stored))\"")
        try checkCandidates(for: stored, number: Int(truncatingIfNeeded: fnv1a(data.reversed())))
    }

    private static func slugify(_ name: String) -> Result<String, FileNameError> {
        Result { () throws(FileNameError) in try FileName.slugify(name) }
    }

    /// The stored-name grammar of `FileName`'s documentation, checked independently.
    static func checkStoredName(_ stored: String, context: String) throws(FuzzFailure) {
        let bytes = Array(stored.utf8)
        let what = "\(context): stored name \"\(escaped(stored))\""
        try require(!bytes.isEmpty && bytes.count <= FileName.maximumLength, "\(what) has \(bytes.count) bytes")
        for forbidden: UInt8 in [UInt8(ascii: "/"), UInt8(ascii: "\\"), 0] {
            try require(!bytes.contains(forbidden), "\(what) contains byte \(forbidden)")
        }
        try require(!bytes.contains { $0 < 0x20 || $0 >= 0x7F }, "\(what) contains a control or non-ASCII byte")
        try require(bytes.first != UInt8(ascii: ".") && bytes.first != UInt8(ascii: "-"), "\(what) starts with a dot or hyphen")
        try require(FileName.isValid(stored), "\(what) is not isValid")

        let dots = bytes.indices.filter { bytes[$0] == UInt8(ascii: ".") }
        try require(dots.count <= 1, "\(what) has more than one dot")
        let base = dots.first.map { Array(bytes[..<$0]) } ?? bytes
        if let dot = dots.first {
            let fileExtension = bytes[(dot + 1)...]
            try require((1...FileName.maximumExtensionLength).contains(fileExtension.count), "\(what) has an extension of \(fileExtension.count) bytes")
            try require(fileExtension.allSatisfy(isAlphanumeric), "\(what) has a non-alphanumeric extension")
        }
        try require(!base.isEmpty, "\(what) has an empty base")
        try require(base.allSatisfy { isLowercaseAlphanumeric($0) || $0 == UInt8(ascii: "-") }, "\(what): the base is not [a-z0-9-]")
        try require(base.first != UInt8(ascii: "-") && base.last != UInt8(ascii: "-"), "\(what): the base starts or ends with a hyphen")
        try require(!zip(base, base.dropFirst()).contains { $0 == UInt8(ascii: "-") && $1 == UInt8(ascii: "-") }, "\(what): the base has a double hyphen")
        try require(!windowsDeviceNames.contains(String(decoding: base, as: UTF8.self)), "\(what) is a Windows device name")
    }

    /// The names to try when `stored` is taken.
    private static func checkCandidates(for stored: String, number: Int) throws(FuzzFailure) {
        let context = "candidates for \"\(stored)\""
        let candidates = Array(FileName.candidates(for: stored).prefix(4))
        try require(candidates.first == stored, "\(context) do not start with the name itself: \(candidates)")
        try require(Set(candidates).count == candidates.count, "\(context) repeat: \(candidates)")
        let fileExtension = stored.firstIndex(of: ".").map { String(stored[$0...]) } ?? ""
        for (attempt, candidate) in candidates.enumerated() {
            try checkStoredName(candidate, context: context)
            try require(candidate.hasSuffix(fileExtension), "\(context): \(candidate) lost the extension \(fileExtension)")
            if attempt > 0 {
                try require(candidate == FileName.withSuffix(stored, attempt), "\(context): \(candidate) is not withSuffix(\(attempt))")
            }
        }
        // The number the name already ends in (`report-7.pdf` → 7) is the one most likely to
        // come back unchanged.
        let base = stored.dropLast(fileExtension.count)
        let ownNumber = base.lastIndex(of: "-").flatMap { Int(base[base.index(after: $0)...]) }
        for n in [number, Int.min, Int.max, 0] + (ownNumber.map { [$0] } ?? []) {
            let suffixed = FileName.withSuffix(stored, n)
            try checkStoredName(suffixed, context: "withSuffix(\"\(stored)\", \(n))")
            try require(suffixed.hasSuffix("-\(n.magnitude)" + fileExtension), "withSuffix(\"\(stored)\", \(n)) is \(suffixed)")
            try require(suffixed != stored, "withSuffix(\"\(stored)\", \(n)) returns the name itself")
        }
    }

    /// Written out again rather than taken from the library (`FileName.windowsDeviceNames` is
    /// internal): `con`, `prn`, `aux`, `nul`, `com0`–`com9`, `lpt0`–`lpt9`.
    private static let windowsDeviceNames: Set<String> =
        Set(["con", "prn", "aux", "nul"]).union((0...9).flatMap { ["com\($0)", "lpt\($0)"] })

    private static func isLowercaseAlphanumeric(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowercaseAlphanumeric(byte) || (0x41...0x5A).contains(byte)
    }
}
