import NIOCore
import SecureDrop

/// `MultipartStreamParser`: `init(contentType:limits:)`, `feed(_:)` and `finish()`.
///
/// Input, readable enough to write seeds by hand (`0Amultipart/form-data; boundary=XyZ\n--XyZ…`):
///
/// - byte 0 picks the limits: XOR `0x30`, bits 0–1 give the part count (100, 1, 2, 3), bits
///   2–3 the header bytes per part (16 KiB, 40, 64, 128), bits 4–5 the header lines per part
///   (16, 1, 2, 3); `0` is the default limits;
/// - byte 1 seeds the chunk sizes of the third feeding below;
/// - then the `Content-Type` value, up to the first line feed (a CR before it is dropped);
/// - then the body, byte for byte.
///
/// Checks:
/// - a refused `Content-Type` is refused as not multipart, missing or invalid boundary;
/// - chunking independence: the body fed in one chunk, one byte at a time (in 1–3 byte chunks
///   above 1 KiB) and in chunks of pseudo-random sizes (empty ones included, each in a buffer
///   whose reader index is not 0) is accepted or refused alike, and when accepted gives the
///   same parts: headers and body bytes;
/// - events come in order (`partStarted`, `bodyChunk`s, `partFinished`), body chunks are never
///   empty and, as documented, at most one per part per `feed`;
/// - after an error, `feed` and `finish` throw the same error again; `finish` on a body that
///   fed without error throws only `truncated`; bytes after the closing delimiter are ignored;
/// - an accepted body, re-read by an independent model of the grammar in `MultipartFramer`'s
///   documentation (opening delimiter, header section up to the blank line, body up to the next
///   `CRLF--boundary`), has exactly the parts and bytes the parser reported, a boundary that
///   appears in the `Content-Type`, and stays within every limit: part count, header bytes,
///   header lines, no bare CR or LF in a header section;
/// - names and content types of accepted parts contain no control characters.
public enum MultipartFuzzCheck {
    public static func run(_ data: [UInt8]) throws(FuzzFailure) {
        guard data.count >= 2 else { return }
        let limits = limits(selector: data[0])
        let rest = data[2...]
        let newline = rest.firstIndex(of: lf) ?? rest.endIndex
        var typeLine = rest[..<newline]
        if typeLine.last == cr { typeLine = typeLine.dropLast() }
        let contentType = String(decoding: typeLine, as: UTF8.self)
        let body = newline == rest.endIndex ? [] : Array(rest[(newline + 1)...])
        let context = "Content-Type \"\(escaped(contentType))\", body \"\(escaped(body))\", \(limits)"

        do throws(MultipartError) {
            _ = try MultipartStreamParser(contentType: contentType, limits: limits)
        } catch {
            try require([MultipartError.notMultipart, .missingBoundary, .invalidBoundary].contains(error), "\(context): init threw \(error)")
            return
        }

        let whole = try parse(body, contentType: contentType, limits: limits, chunkSizes: [body.count], context: context)
        let byteSizes = body.count <= 1024 ? Array(repeating: 1, count: body.count) : smallChunks(body.count)
        let bytewise = try parse(body, contentType: contentType, limits: limits, chunkSizes: byteSizes, context: context)
        let randomSizes = randomChunks(body.count, seed: UInt64(data[1]) << 32 | UInt64(body.count))
        let random = try parse(body, contentType: contentType, limits: limits, chunkSizes: randomSizes, offsetBuffers: true, context: context)

        try require(whole.agrees(with: bytewise), "\(context): one chunk gave \(whole), one byte at a time \(bytewise)")
        try require(whole.agrees(with: random), "\(context): one chunk gave \(whole), chunks of \(randomSizes) \(random)")
        if case .accepted(let parts) = whole {
            try checkAccepted(parts, body: body, contentType: contentType, limits: limits, context: context)
        }
    }

    static func limits(selector: UInt8) -> MultipartLimits {
        let bits = Int(selector ^ 0x30)
        return MultipartLimits(
            maximumParts: [100, 1, 2, 3][bits & 3],
            maximumHeaderBytesPerPart: [16 * 1024, 40, 64, 128][bits >> 2 & 3],
            maximumHeadersPerPart: [16, 1, 2, 3][bits >> 4 & 3]
        )
    }

    // MARK: - Feeding

    struct Part: Equatable, CustomStringConvertible {
        var headers: MultipartPartHeaders
        var data: [UInt8] = []

        var description: String { "\(headers) \"\(escaped(data, limit: 60))\"" }
    }

    enum Outcome: CustomStringConvertible {
        case accepted([Part])
        case rejected(MultipartError)

        /// The same decision and, when accepted, the same parts. Which error a refused body gets
        /// may depend on chunking: the framer looks at a chunk before multipart-kit does, so with
        /// two faults in one chunk the framer's is reported, while fed byte by byte multipart-kit
        /// may see its own fault first.
        func agrees(with other: Outcome) -> Bool {
            switch (self, other) {
            case (.accepted(let mine), .accepted(let theirs)): mine == theirs
            case (.rejected, .rejected): true
            default: false
            }
        }

        var description: String {
            switch self {
            case .accepted(let parts): "accepted \(parts)"
            case .rejected(let error): "rejected (\(error))"
            }
        }
    }

    private static func parse(
        _ body: [UInt8],
        contentType: String,
        limits: MultipartLimits,
        chunkSizes: [Int],
        offsetBuffers: Bool = false,
        context: String
    ) throws(FuzzFailure) -> Outcome {
        var parser: MultipartStreamParser
        do throws(MultipartError) {
            parser = try MultipartStreamParser(contentType: contentType, limits: limits)
        } catch {
            throw FuzzFailure("\(context): init threw \(error) on a second call")
        }
        let context = "\(context), chunks \(chunkSizes.prefix(40))"
        var parts: [Part] = []
        var inPart = false
        var offset = 0
        for (index, size) in chunkSizes.enumerated() {
            let chunk = body[offset..<offset + size]
            offset += size
            let events: [MultipartEvent]
            do throws(MultipartError) {
                events = try parser.feed(buffer(chunk, junkPrefix: offsetBuffers ? index % 7 : 0))
            } catch {
                try checkSpent(&parser, error: error, context: context)
                return .rejected(error)
            }
            var chunksOfPart = 0
            for event in events {
                switch event {
                case .partStarted(let headers):
                    try require(!inPart, "\(context): partStarted inside a part")
                    parts.append(Part(headers: headers))
                    inPart = true
                    chunksOfPart = 0
                case .bodyChunk(let buffer):
                    try require(inPart, "\(context): bodyChunk outside a part")
                    try require(buffer.readableBytes > 0, "\(context): empty bodyChunk")
                    chunksOfPart += 1
                    try require(chunksOfPart == 1, "\(context): two bodyChunks for one part in one feed")
                    parts[parts.count - 1].data += buffer.readableBytesView
                case .partFinished:
                    try require(inPart, "\(context): partFinished outside a part")
                    inPart = false
                }
            }
            try require(parts.count <= limits.maximumParts, "\(context): \(parts.count) parts started, limit \(limits.maximumParts)")
        }
        do throws(MultipartError) {
            try parser.finish()
        } catch {
            try require(error == .truncated, "\(context): finish threw \(error) after every feed succeeded")
            return .rejected(error)
        }
        try require(!inPart, "\(context): finish accepted a body whose last part never finished")
        let epilogue = Result { () throws(MultipartError) in
            try parser.feed(ByteBuffer(bytes: Array("\r\n--\r\nContent-Disposition: x\r\n\r\n".utf8)))
        }
        try require(epilogue == .success([]), "\(context): bytes after the closing delimiter gave \(epilogue)")
        do throws(MultipartError) {
            try parser.finish()
        } catch {
            throw FuzzFailure("\(context): finish threw \(error) after bytes following the closing delimiter")
        }
        return .accepted(parts)
    }

    /// After an error the parser is spent: every later call throws it again.
    private static func checkSpent(_ parser: inout MultipartStreamParser, error: MultipartError, context: String) throws(FuzzFailure) {
        let again = Result { () throws(MultipartError) in try parser.feed(ByteBuffer(bytes: [cr, lf, hyphen, hyphen])) }
        try require(again == .failure(error), "\(context): feed threw \(error), then the next feed gave \(again)")
        let finished = Result { () throws(MultipartError) in try parser.finish() }.map { "returned" }
        try require(finished == .failure(error), "\(context): feed threw \(error), then finish gave \(finished)")
    }

    /// `chunk` in a buffer whose readable bytes start `junkPrefix` bytes in, after bytes that
    /// would look like a delimiter to a parser that ignored the reader index.
    private static func buffer(_ chunk: ArraySlice<UInt8>, junkPrefix: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: junkPrefix + chunk.count)
        buffer.writeBytes([cr, lf, hyphen, hyphen, cr, lf, hyphen].prefix(junkPrefix))
        buffer.writeBytes(chunk)
        buffer.moveReaderIndex(forwardBy: junkPrefix)
        return buffer
    }

    private static func smallChunks(_ count: Int) -> [Int] {
        var random = SplitMix64(seed: UInt64(count))
        return chunks(count) { min($0, 1 + random.below(3)) }
    }

    /// Sizes up to 89 (beyond the longest delimiter, 74 bytes), with empty chunks now and then.
    private static func randomChunks(_ count: Int, seed: UInt64) -> [Int] {
        var random = SplitMix64(seed: seed)
        return chunks(count) { min($0, random.below(4) == 0 ? random.below(4) : random.below(90)) }
    }

    private static func chunks(_ count: Int, next: (Int) -> Int) -> [Int] {
        var sizes: [Int] = []
        var remaining = count
        while remaining > 0 {
            let size = next(remaining)
            sizes.append(size)
            remaining -= size
        }
        return sizes
    }

    // MARK: - The model

    /// Re-reads an accepted body with the grammar alone and compares.
    private static func checkAccepted(
        _ parts: [Part],
        body: [UInt8],
        contentType: String,
        limits: MultipartLimits,
        context: String
    ) throws(FuzzFailure) {
        let typeBytes = Array(contentType.utf8)
        try require(body.starts(with: [hyphen, hyphen]), "\(context): accepted without an opening \"--\"")

        guard !parts.isEmpty else {
            // `--boundary--` alone: some boundary from the Content-Type must close right away.
            let closes = (1...70).contains { (length: Int) -> Bool in
                guard body.count >= length + 4, body[(length + 2)..<(length + 4)].elementsEqual([hyphen, hyphen]) else { return false }
                let candidate = Array(body[2..<(length + 2)])
                return typeBytes.firstRange(of: candidate, from: typeBytes.startIndex) != nil
            }
            try require(closes, "\(context): accepted with no parts, but no boundary closes the body")
            return
        }

        guard let firstLineEnd = body.firstRange(of: [cr, lf], from: 0) else {
            throw FuzzFailure("\(context): accepted parts without a line break")
        }
        let boundary = Array(body[2..<firstLineEnd.lowerBound])
        try require((1...70).contains(boundary.count) && boundary.last != UInt8(ascii: " ") && boundary.allSatisfy(isBoundaryCharacter),
                    "\(context): accepted with the boundary \"\(escaped(boundary))\", which RFC 2046 does not allow")
        try require(typeBytes.firstRange(of: boundary, from: typeBytes.startIndex) != nil, "\(context): the body's boundary is not in the Content-Type")

        let delimiter = [cr, lf, hyphen, hyphen] + boundary
        var modelParts: [ArraySlice<UInt8>] = []
        var position = 2 + boundary.count
        while true {
            try require(position + 2 <= body.count, "\(context): accepted, but the body ends right after a delimiter")
            if body[position] == hyphen, body[position + 1] == hyphen { break }
            try require(body[position] == cr && body[position + 1] == lf, "\(context): accepted a delimiter followed by neither CRLF nor --")
            position += 2

            let headerEnd: Int
            if body[position...].starts(with: [cr, lf]) {
                headerEnd = position + 2
            } else if let blank = body.firstRange(of: [cr, lf, cr, lf], from: position) {
                headerEnd = blank.upperBound
            } else {
                throw FuzzFailure("\(context): accepted a header section without a blank line")
            }
            let section = body[position..<headerEnd]
            try require(section.count <= limits.maximumHeaderBytesPerPart,
                        "\(context): accepted a header section of \(section.count) bytes, limit \(limits.maximumHeaderBytesPerPart)")
            let lines = zip(section, section.dropFirst()).count { $0 == cr && $1 == lf } - 1
            try require(lines <= limits.maximumHeadersPerPart, "\(context): accepted \(lines) header lines, limit \(limits.maximumHeadersPerPart)")
            for index in section.indices {
                let isBare = (section[index] == cr && (index + 1 == headerEnd || section[index + 1] != lf))
                    || (section[index] == lf && (index == position || section[index - 1] != cr))
                try require(!isBare, "\(context): accepted a bare CR or LF in a header section")
            }

            guard let next = body.firstRange(of: delimiter, from: headerEnd) else {
                throw FuzzFailure("\(context): accepted a part with no delimiter after it")
            }
            modelParts.append(body[headerEnd..<next.lowerBound])
            position = next.upperBound
        }

        try require(modelParts.count <= limits.maximumParts, "\(context): accepted \(modelParts.count) parts, limit \(limits.maximumParts)")
        try require(modelParts.count == parts.count, "\(context): the model finds \(modelParts.count) parts, the parser \(parts.count)")
        for (index, (part, modelData)) in zip(parts, modelParts).enumerated() {
            try require(part.data.elementsEqual(modelData), "\(context): part \(index) is \"\(escaped(part.data))\", the model says \"\(escaped(modelData))\"")
            for name in [part.headers.fieldName, part.headers.fileName].compactMap({ $0 }) {
                try require(!name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(context): part \(index) has a name with a control character")
            }
            if let type = part.headers.contentType {
                try require(!type.isEmpty, "\(context): part \(index) has an empty content type instead of none")
                try require(!type.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }, "\(context): part \(index) has a content type with a control character")
                try require(type.first != " " && type.first != "\t" && type.last != " " && type.last != "\t", "\(context): part \(index) has an untrimmed content type")
            }
        }
    }

    /// RFC 2046 §5.1.1 `bchars`.
    private static func isBoundaryCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("'()+_,-./:=? ".utf8).contains(byte)
        }
    }

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let hyphen = UInt8(ascii: "-")
}
