import SecureDrop

/// `ByteRange.resolve(_:size:)` against an independent model of its documented policy.
///
/// Input: the file size in decimal on the first line (other bytes on that line are ignored; the
/// value saturates at `UInt64.max`), then the `Range` field value. Without a line feed the whole
/// input is the field value and the size is the input's length. Example seed: `1234\nbytes=-500`.
///
/// Checks:
/// - the result equals a separately written model of RFC 9110 §14.1.2 plus the policy in
///   `ByteRange`'s documentation (single range only, clamping, `416` cases, overflow ignored);
/// - a `206` range lies within `0..<size` and is non-empty, and asking for exactly that range
///   again (`bytes=first-last`) gives it back;
/// - surrounding spaces and tabs (not part of a field value, RFC 9110 §5.5) change nothing;
/// - no header means the whole file.
public enum ByteRangeFuzzCheck {
    public static func run(_ data: [UInt8]) throws(FuzzFailure) {
        let size: UInt64
        let field: [UInt8]
        if let newline = data.firstIndex(of: UInt8(ascii: "\n")) {
            size = saturatingDecimal(data[..<newline])
            field = Array(data[(newline + 1)...])
        } else {
            size = UInt64(data.count)
            field = data
        }
        let header = String(decoding: field, as: UTF8.self)
        let result = ByteRange.resolve(header, size: size)
        let context = "Range \"\(escaped(header))\" on \(size) bytes"

        let expected = model(Array(header.utf8), size: size)
        try require(result == expected, "\(context): resolve gave \(result), the model \(expected)")

        if case .partial(let range) = result {
            try require(size > 0 && range.upperBound < size, "\(context): \(range) is outside 0..<\(size)")
            let again = ByteRange.resolve("bytes=\(range.lowerBound)-\(range.upperBound)", size: size)
            try require(again == result, "\(context): asking for \(range) exactly gave \(again)")
            let contentRange = ByteRange.contentRange(range, size: size)
            try require(contentRange == "bytes \(range.lowerBound)-\(range.upperBound)/\(size)", "\(context): Content-Range \(contentRange)")
        }

        let padded = ByteRange.resolve(" \t" + header + "\t ", size: size)
        try require(padded == result, "\(context): surrounding whitespace changed \(result) into \(padded)")
        try require(ByteRange.resolve(nil, size: size) == .full, "no Range header on \(size) bytes is not a full response")
    }

    /// Digits of `bytes` as a number, everything else skipped, `UInt64.max` on overflow.
    static func saturatingDecimal(_ bytes: some Collection<UInt8>) -> UInt64 {
        var value: UInt64 = 0
        for byte in bytes where (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return .max }
            value = sum
        }
        return value
    }

    /// The policy, written from the documentation rather than from the implementation: split on
    /// text, compare numbers as decimal strings.
    static func model(_ value: [UInt8], size: UInt64) -> ByteRangeRequest {
        // OWS around the value is not part of it (RFC 9110 §5.5); nothing else is trimmed.
        let isOWS: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let start = value.firstIndex(where: { !isOWS($0) }), let end = value.lastIndex(where: { !isOWS($0) }) else {
            return .full
        }
        let text = String(decoding: value[start...end], as: UTF8.self)
        // `bytes=` in any case (§14.1), then exactly one range-spec: digits, one "-", digits.
        guard text.utf8.count >= 6, String(text.prefix(6)).lowercased() == "bytes=", text.prefix(6).allSatisfy(\.isASCII) else {
            return .full
        }
        let spec = text.dropFirst(6)
        let pieces = spec.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count == 2, pieces.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }) else { return .full }
        let (firstText, lastText) = (pieces[0], pieces[1])
        if firstText.isEmpty {
            // suffix-range: the last N bytes; `-0` and an empty file select nothing.
            guard let length = decimal(lastText) else { return .full }
            guard size > 0, length > 0 else { return .unsatisfiable }
            return .partial((length >= size ? 0 : size - length)...(size - 1))
        }
        guard let first = decimal(firstText) else { return .full }
        var last: UInt64?
        if !lastText.isEmpty {
            guard let value = decimal(lastText) else { return .full }
            // last-pos before first-pos is invalid (§14.1.1): ignored, whatever the size.
            guard value >= first else { return .full }
            last = value
        }
        guard size > 0, first < size else { return .unsatisfiable }
        return .partial(first...Swift.min(last ?? size - 1, size - 1))
    }

    /// `1*DIGIT` as a number; nil when it is empty or does not fit in 64 bits.
    private static func decimal(_ digits: Substring) -> UInt64? {
        let significant = digits.drop { $0 == "0" }
        if digits.isEmpty { return nil }
        if significant.isEmpty { return 0 }
        let maximum = String(UInt64.max)
        guard significant.count < maximum.count || (significant.count == maximum.count && significant <= maximum) else {
            return nil
        }
        return UInt64(significant)
    }
}
