#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Tracks where one `multipart/form-data` body is in its grammar, byte by byte, so that limits
/// and structural rules are enforced *before* bytes reach multipart-kit's `MultipartParser`.
///
/// Why a second look at the bytes: `MultipartParser` exposes no state. It cannot say where a part's
/// header section ends, it buffers a header line without bound until the line's CR, it skips any
/// preamble up to the first `--boundary`, it treats `--boundary-` followed by anything as the end,
/// and it never reports whether the closing delimiter arrived. The framer answers those
/// questions on the same byte stream, cheaply (its body scan jumps from CR to CR), and the
/// stream parser feeds `MultipartParser` only bytes the framer has accepted.
///
/// Grammar followed (RFC 2046 §5.1.1, narrowed by RFC 7578 to what form clients send):
///
///     body          := "--" boundary CRLF part *( CRLF "--" boundary CRLF part )
///                      CRLF "--" boundary "--" epilogue
///     part          := *( header-line CRLF ) CRLF octets
///
/// Deliberate narrowings: no preamble (browsers never send one, so bytes before the first
/// delimiter are treated as garbage), no transport padding after a delimiter, CRLF line endings
/// only (a bare CR or LF in a header section is rejected; RFC 7578 §4.8 rules out folding, which
/// `MultipartParser` rejects). `--boundary--` straight away (a form with no fields) is accepted
/// as an empty body.
struct MultipartFramer {
    /// What just happened at the end of the bytes an ``advance(_:)`` call consumed.
    enum Signal: Equatable {
        /// Nothing the caller must act on; all the given bytes were consumed.
        case none
        /// A part's header section, including its terminating blank line, ended here.
        case headersComplete
        /// The closing delimiter `--boundary--` ended here; whatever follows is epilogue.
        case closed
    }

    struct Step: Equatable {
        /// Bytes consumed from the start of the given buffer.
        var consumed: Int
        var signal: Signal
    }

    private enum State {
        /// Matching `--boundary` at the very start of the body.
        case openingDelimiter(matched: Int)
        /// After a delimiter: expecting CRLF (another part) or `--` (the end).
        case afterDelimiter(firstByte: UInt8?)
        case headers(HeaderSection)
        /// Searching for `CRLF--boundary`; `matched` bytes of it ended the previous buffer.
        case body(matched: Int)
        case closed
    }

    /// Counters for one part's header section.
    private struct HeaderSection {
        var byteCount = 0
        var lineCount = 0
        var currentLineLength = 0
        var sawCR = false
        /// Whether the current line's `:` is still to come: the bytes so far are its field name.
        var inFieldName = true
    }

    /// `CRLF "--" boundary`: the delimiter that ends a part's body (RFC 2046 §5.1.1).
    private let delimiter: [UInt8]
    private let limits: MultipartLimits
    private var state: State = .openingDelimiter(matched: 0)
    /// Parts whose delimiter has been seen, whether or not they are complete.
    private(set) var partCount = 0

    init(boundary: MultipartBoundary, limits: MultipartLimits) {
        delimiter = Array("\r\n--\(boundary.value)".utf8)
        self.limits = limits
    }

    var isClosed: Bool {
        if case .closed = state { true } else { false }
    }

    /// Consumes `bytes` up to the first ``Signal`` other than `.none`, or all of them.
    mutating func advance(_ bytes: UnsafeRawBufferPointer) throws(MultipartError) -> Step {
        var index = 0
        while index < bytes.count {
            switch state {
            case .openingDelimiter(let matched):
                // The opening delimiter is the delimiter without its leading CRLF.
                guard bytes[index] == delimiter[matched + 2] else {
                    throw .malformed("it does not start with the boundary delimiter")
                }
                index += 1
                let complete = matched + 3 == delimiter.count
                state = complete ? .afterDelimiter(firstByte: nil) : .openingDelimiter(matched: matched + 1)

            case .afterDelimiter(nil):
                state = .afterDelimiter(firstByte: bytes[index])
                index += 1

            case .afterDelimiter(let first?):
                let second = bytes[index]
                index += 1
                switch (first, second) {
                case (MultipartSyntax.cr, MultipartSyntax.lf):
                    partCount += 1
                    guard partCount <= limits.maximumParts else { throw .tooManyParts }
                    state = .headers(HeaderSection())
                case (MultipartSyntax.hyphen, MultipartSyntax.hyphen):
                    state = .closed
                    return Step(consumed: index, signal: .closed)
                default:
                    throw .malformed("a boundary delimiter is not followed by a line break or \"--\"")
                }

            case .headers(var section):
                let complete = try scanHeaders(bytes, from: &index, section: &section)
                if complete {
                    state = .body(matched: 0)
                    return Step(consumed: index, signal: .headersComplete)
                }
                state = .headers(section)

            case .body(var matched):
                let found = scanBody(bytes, from: &index, matched: &matched)
                state = found ? .afterDelimiter(firstByte: nil) : .body(matched: matched)

            case .closed:
                return Step(consumed: index, signal: .none)
            }
        }
        return Step(consumed: index, signal: .none)
    }

    /// Counts header bytes and lines until the blank line, failing as soon as a limit is
    /// crossed, so a client cannot make anyone buffer an endless header line.
    private func scanHeaders(
        _ bytes: UnsafeRawBufferPointer,
        from index: inout Int,
        section: inout HeaderSection
    ) throws(MultipartError) -> Bool {
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            section.byteCount += 1
            guard section.byteCount <= limits.maximumHeaderBytesPerPart else { throw .headersTooLarge }
            if section.sawCR {
                guard byte == MultipartSyntax.lf else { throw .malformed("a part header contains a bare CR") }
                section.sawCR = false
                if section.currentLineLength == 0 { return true }
                section.lineCount += 1
                section.currentLineLength = 0
                section.inFieldName = true
                guard section.lineCount <= limits.maximumHeadersPerPart else { throw .headersTooLarge }
            } else if byte == MultipartSyntax.cr {
                section.sawCR = true
            } else if byte == MultipartSyntax.lf {
                throw .malformed("part headers must end lines with CRLF")
            } else {
                // A field name is a token (RFC 9110 §5.1), ASCII only. `MultipartParser` 4.7.1
                // looks name bytes up in a 128-entry table without a bounds check, so one byte
                // of 0x80 or more in a part's header name trapped and took the whole server down
                // (found by `Fuzz/FuzzMultipart`): such a byte must never reach it.
                if section.inFieldName {
                    if byte == UInt8(ascii: ":") {
                        section.inFieldName = false
                    } else if byte >= 0x80 {
                        throw .malformed("a part header name contains a non-ASCII byte")
                    }
                }
                section.currentLineLength += 1
            }
        }
        return false
    }

    /// Finds `CRLF--boundary`. A match can only restart at a CR because the boundary has no CR
    /// (RFC 2046 §5.1.1), so no backtracking is needed and the scan jumps from CR to CR.
    private func scanBody(_ bytes: UnsafeRawBufferPointer, from index: inout Int, matched: inout Int) -> Bool {
        let count = bytes.count
        var position = index
        defer { index = position }
        return delimiter.withUnsafeBufferPointer { delimiter in
            while position < count {
                if matched == 0 {
                    guard let cr = Self.firstCR(in: bytes, from: position) else {
                        position = count
                        return false
                    }
                    position = cr + 1
                    matched = 1
                    continue
                }
                let byte = bytes[position]
                position += 1
                if byte == delimiter[matched] {
                    matched += 1
                    if matched == delimiter.count {
                        matched = 0
                        return true
                    }
                } else {
                    matched = byte == MultipartSyntax.cr ? 1 : 0
                }
            }
            return false
        }
    }

    /// Index of the next CR at or after `start`. `memchr` is vectorised, which matters here: this
    /// runs over every byte of every upload.
    private static func firstCR(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start < bytes.count,
            let found = memchr(base + start, Int32(MultipartSyntax.cr), bytes.count - start)
        else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }
}
