/// What a download should send for a `Range` request on a representation of known size.
public enum ByteRangeRequest: Equatable, Sendable {
    /// No `Range` field, or one the server ignores: send `200 OK` with the whole file.
    case full
    /// Send `206 Partial Content` with these bytes and ``ByteRange/contentRange(_:size:)``.
    case partial(ClosedRange<UInt64>)
    /// Send `416 Range Not Satisfiable` with ``ByteRange/unsatisfiedContentRange(size:)``.
    case unsatisfiable
}

/// `Range: bytes=…` (RFC 9110 §14.1.2) resolved against a file's size.
///
/// Policy:
/// - A single range is served: `bytes=0-499`, `bytes=500-` and the suffix form `bytes=-500`, which
///   means the *last* 500 bytes (§14.1.2; Hummingbird's stock `FileMiddleware` gets this wrong and
///   serves `0...500`). The range unit is case-insensitive (§14.1).
/// - A last-pos at or past the end is clamped to the last byte, and a suffix longer than the file
///   selects the whole file (§14.1.2), still as `206`.
/// - First-pos at or past the end, a zero-length suffix (`bytes=-0`), and any range on an empty
///   file cannot select a byte: `416` (§14.1.1, §15.5.17).
/// - Anything syntactically invalid is ignored and the whole file is sent, as §14.2 requires
///   ("a recipient … MUST ignore a Range header field … that contains a range-spec that is
///   invalid"): other units, `bytes=5-1` (last-pos before first-pos, §14.1.1), signs, whitespace
///   inside the value (the grammar has none; surrounding whitespace is not part of a field value,
///   §5.5), and numbers that do not fit in 64 bits.
/// - Several ranges (`bytes=0-1,5-6`) are served as the whole file: §14.2 lets a server ignore
///   `Range`, and `multipart/byteranges` is complexity (and a known amplification vector, §17.15)
///   a file drop does not need.
///
/// Conditional ranges (`If-Range`, §13.1.5) are the route's business: when the validator does
/// not match, it must not call ``resolve(_:size:)`` at all and serve the full file.
public enum ByteRange {
    /// The response a `Range` header field value asks for on a file of `size` bytes.
    public static func resolve(_ header: String?, size: UInt64) -> ByteRangeRequest {
        guard let header, let spec = RangeSpec(header) else { return .full }
        guard size > 0 else { return .unsatisfiable }
        let last = size - 1
        switch spec {
        case .from(let first, let requestedLast):
            guard first < size else { return .unsatisfiable }
            return .partial(first...min(requestedLast ?? last, last))
        case .suffix(let length):
            guard length > 0 else { return .unsatisfiable }
            return .partial((length >= size ? 0 : size - length)...last)
        }
    }

    /// `Content-Range` of a `206` response (RFC 9110 §14.4): `bytes 0-499/1234`.
    public static func contentRange(_ range: ClosedRange<UInt64>, size: UInt64) -> String {
        "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
    }

    /// `Content-Range` of a `416` response (RFC 9110 §14.4, §15.5.17): `bytes */1234`.
    public static func unsatisfiedContentRange(size: UInt64) -> String {
        "bytes */\(size)"
    }

    /// One `range-spec` of RFC 9110 §14.1.2, syntactically valid.
    enum RangeSpec: Equatable {
        /// `int-range`: `first-pos "-" [ last-pos ]`, with last-pos ≥ first-pos.
        case from(UInt64, through: UInt64?)
        /// `suffix-range`: `"-" suffix-length`.
        case suffix(UInt64)

        /// Parses `ranges-specifier = range-unit "=" range-set` when the set holds exactly one
        /// range-spec and the unit is `bytes`; nil for anything else.
        init?(_ fieldValue: String) {
            let value = Self.trimmingOWS(fieldValue.utf8[...])
            guard let equals = value.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            let unit = value[..<equals]
            guard unit.count == 5, zip(unit, "bytes".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
            let rangeSet = value[value.index(after: equals)...]
            guard let dash = rangeSet.firstIndex(of: UInt8(ascii: "-")) else { return nil }
            let firstText = rangeSet[..<dash]
            let lastText = rangeSet[rangeSet.index(after: dash)...]
            if firstText.isEmpty {
                guard let length = Self.number(lastText) else { return nil }
                self = .suffix(length)
            } else {
                guard let first = Self.number(firstText) else { return nil }
                if lastText.isEmpty {
                    self = .from(first, through: nil)
                } else {
                    guard let last = Self.number(lastText), last >= first else { return nil }
                    self = .from(first, through: last)
                }
            }
        }

        /// `1*DIGIT` as a UInt64; nil for anything else (signs, spaces, commas, overflow).
        /// `UInt64(String)` is not used because it accepts a leading `+` or `-`.
        static func number(_ digits: Substring.UTF8View) -> UInt64? {
            guard !digits.isEmpty else { return nil }
            var result: UInt64 = 0
            for byte in digits {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                let (times10, overflow1) = result.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { return nil }
                result = sum
            }
            return result
        }

        /// Drops leading and trailing SP / HTAB (RFC 9110 §5.6.3 OWS).
        static func trimmingOWS(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
            let isOWS: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            guard let first = bytes.firstIndex(where: { !isOWS($0) }),
                  let last = bytes.lastIndex(where: { !isOWS($0) }) else { return bytes[bytes.endIndex...] }
            return bytes[first...last]
        }
    }
}
