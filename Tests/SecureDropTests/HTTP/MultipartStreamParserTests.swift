import NIOCore
import Testing

@testable import SecureDrop

// MARK: - Helpers

private let boundary = "----SecureDropBoundary7MA4YWxkTrZu0gW"
private let contentType = "multipart/form-data; boundary=\(boundary)"

/// One part of a body to build: raw header lines (without CRLF) and body bytes.
private struct TestPart {
    var headerLines: [String]
    var data: [UInt8]

    static func file(_ field: String, _ name: String, _ data: [UInt8], type: String = "application/octet-stream") -> TestPart {
        TestPart(
            headerLines: ["Content-Disposition: form-data; name=\"\(field)\"; filename=\"\(name)\"", "Content-Type: \(type)"],
            data: data
        )
    }

    static func field(_ field: String, _ value: String) -> TestPart {
        TestPart(headerLines: ["Content-Disposition: form-data; name=\"\(field)\""], data: Array(value.utf8))
    }
}

/// Serialises parts as a browser would (RFC 7578 §4.1): no preamble, CRLF everywhere.
private func makeBody(_ parts: [TestPart], boundary: String = boundary, epilogue: String = "\r\n") -> [UInt8] {
    var body: [UInt8] = []
    for part in parts {
        body += Array("--\(boundary)\r\n".utf8)
        for line in part.headerLines { body += Array("\(line)\r\n".utf8) }
        body += Array("\r\n".utf8)
        body += part.data
        body += Array("\r\n".utf8)
    }
    body += Array("--\(boundary)--\(epilogue)".utf8)
    return body
}

/// A part as reassembled from events.
private struct ParsedPart: Equatable {
    var headers: MultipartPartHeaders
    var data: [UInt8] = []
}

/// Turns events back into parts, checking that they arrive in the documented order.
private struct EventCollector {
    var parts: [ParsedPart] = []
    var inPart = false

    mutating func consume(_ events: [MultipartEvent], sourceLocation: SourceLocation = #_sourceLocation) {
        // Plain checks rather than `#expect`: this runs for every event of thousands of parses.
        func check(_ condition: Bool, _ message: Comment) {
            if !condition { Issue.record(message, sourceLocation: sourceLocation) }
        }
        var chunksThisCall = 0
        for event in events {
            switch event {
            case .partStarted(let headers):
                check(!inPart, "partStarted inside a part")
                parts.append(ParsedPart(headers: headers))
                inPart = true
                chunksThisCall = 0
            case .bodyChunk(let buffer):
                check(inPart, "bodyChunk outside a part")
                check(buffer.readableBytes > 0, "empty bodyChunk")
                chunksThisCall += 1
                check(chunksThisCall == 1, "more than one bodyChunk for a part in one feed")
                if !parts.isEmpty { buffer.withUnsafeReadableBytes { parts[parts.count - 1].data.append(contentsOf: $0) } }
            case .partFinished:
                check(inPart, "partFinished outside a part")
                inPart = false
            }
        }
    }
}

/// Parses `body` fed in chunks of the given sizes (cycled), then calls `finish()`.
private func parse(
    _ body: [UInt8],
    chunkSizes: [Int] = [Int.max],
    contentType: String = contentType,
    limits: MultipartLimits = .init()
) throws(MultipartError) -> [ParsedPart] {
    var parser = try MultipartStreamParser(contentType: contentType, limits: limits)
    var collector = EventCollector()
    var offset = 0
    var sizeIndex = 0
    while offset < body.count {
        let size = min(chunkSizes[sizeIndex % chunkSizes.count], body.count - offset)
        sizeIndex += 1
        collector.consume(try parser.feed(ByteBuffer(bytes: body[offset..<offset + size])))
        offset += size
    }
    try parser.finish()
    #expect(!collector.inPart)
    return collector.parts
}


private func randomBytes(_ count: Int, using generator: inout SplitMix64) -> [UInt8] {
    var words = (0..<(count + 7) / 8).map { _ in generator.next() }
    return words.withUnsafeMutableBytes { Array($0.prefix(count)) }
}

/// Binary data built to trip a delimiter search: CRs, CRLFs, dashes and every proper prefix of
/// the real delimiter, plus near-misses that are not delimiters (LF or CR alone before `--`).
private func trickyData(boundary: String = boundary) -> [UInt8] {
    var data = Array("\r\r\n\r\n--\r\n-\r--\n--\(boundary)\r--\(boundary)x--\(boundary)--".utf8)
    let delimiter = Array("\r\n--\(boundary)".utf8)
    for length in 1..<delimiter.count {
        data += delimiter[0..<length]
        data += [0x00, 0xFF]
    }
    data += Array(delimiter.dropLast()) + [UInt8(ascii: "\r")] + Array(delimiter.dropLast())
    // Ends on a delimiter prefix, so the real delimiter's CR breaks a partial match.
    data += [0x00] + delimiter[0..<min(delimiter.count - 1, 9)]
    return data
}

private let fileHeaders = MultipartPartHeaders(fieldName: "file", fileName: "a.bin", contentType: "application/octet-stream")

// MARK: - Boundary

@Suite("Multipart boundary from Content-Type")
struct MultipartBoundaryTests {
    @Test(arguments: [
        ("multipart/form-data; boundary=abc", "abc"),
        ("multipart/form-data; boundary=\"a b:c\"", "a b:c"),
        ("Multipart/Form-Data; BOUNDARY=XyZ", "XyZ"),
        ("multipart/form-data; charset=utf-8; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", "----WebKitFormBoundary7MA4YWxkTrZu0gW"),
        ("multipart/form-data;boundary=\"q\" ; foo=\"a;b\"", "q"),
        ("  multipart/form-data ; boundary=x=y;", "x=y"),
        ("multipart/form-data; boundary=\(String(repeating: "7", count: 70))", String(repeating: "7", count: 70)),
        ("multipart/form-data; boundary=\"'()+_,-./:=? 09azAZ\"", "'()+_,-./:=? 09azAZ"),
    ])
    func acceptsValidBoundaries(contentType: String, expected: String) throws {
        #expect(try MultipartBoundary(contentType: contentType).value == expected)
        #expect(throws: Never.self) { try MultipartStreamParser(contentType: contentType) }
    }

    @Test(arguments: [
        (nil, MultipartError.notMultipart),
        ("", .notMultipart),
        ("application/json", .notMultipart),
        ("multipart/mixed; boundary=abc", .notMultipart),
        ("text/plain; boundary=abc", .notMultipart),
        ("multipart/form-datax; boundary=abc", .notMultipart),
        ("multipart/form-data", .missingBoundary),
        ("multipart/form-data; charset=utf-8", .missingBoundary),
        ("multipart/form-data; boundary=", .invalidBoundary),
        ("multipart/form-data; boundary=\"\"", .invalidBoundary),
        ("multipart/form-data; boundary=\(String(repeating: "7", count: 71))", .invalidBoundary),
        ("multipart/form-data; boundary=\"abc \"", .invalidBoundary),
        ("multipart/form-data; boundary=ab@c", .invalidBoundary),
        ("multipart/form-data; boundary=ab[c]", .invalidBoundary),
        ("multipart/form-data; boundary=\"a\\\"b\"", .invalidBoundary),
        ("multipart/form-data; boundary=\"abc", .invalidBoundary),
        ("multipart/form-data; boundary=a b", .invalidBoundary),
        ("multipart/form-data; boundary=é", .invalidBoundary),
        ("multipart/form-data; boundary=a; boundary=b", .invalidBoundary),
        ("multipart/form-data; boundary", .invalidBoundary),
    ] as [(String?, MultipartError)])
    func rejectsInvalidContentTypes(contentType: String?, expected: MultipartError) {
        #expect(throws: expected) { try MultipartStreamParser(contentType: contentType) }
    }
}

// MARK: - Well-formed bodies

@Suite("Multipart stream parser: well-formed bodies")
struct MultipartWellFormedTests {
    @Test func singleFilePart() throws {
        let data = Array("hello, world\n".utf8)
        let parts = try parse(makeBody([.file("file", "a.bin", data)]))
        #expect(parts == [ParsedPart(headers: fileHeaders, data: data)])
    }

    @Test func severalFilesAndATextField() throws {
        let parts = try parse(makeBody([
            .file("first", "one.txt", Array("one".utf8), type: "text/plain"),
            .field("comment", "not a file"),
            .file("second", "two.bin", [0, 1, 2, 3, 255]),
        ]))
        #expect(parts == [
            ParsedPart(headers: .init(fieldName: "first", fileName: "one.txt", contentType: "text/plain"), data: Array("one".utf8)),
            ParsedPart(headers: .init(fieldName: "comment"), data: Array("not a file".utf8)),
            ParsedPart(headers: .init(fieldName: "second", fileName: "two.bin", contentType: "application/octet-stream"), data: [0, 1, 2, 3, 255]),
        ])
    }

    @Test func emptyFilesAndFields() throws {
        let parts = try parse(makeBody([.file("file", "a.bin", []), .field("empty", ""), .file("file", "a.bin", [])]))
        #expect(parts == [
            ParsedPart(headers: fileHeaders),
            ParsedPart(headers: .init(fieldName: "empty")),
            ParsedPart(headers: fileHeaders),
        ])
    }

    @Test func binaryDataWithNearBoundarySequencesIsByteExact() throws {
        let data = trickyData()
        let parts = try parse(makeBody([.file("file", "a.bin", data), .file("file", "a.bin", data.reversed())]))
        #expect(parts == [ParsedPart(headers: fileHeaders, data: data), ParsedPart(headers: fileHeaders, data: data.reversed())])
    }

    @Test func emptyFormWithOnlyTheClosingDelimiter() throws {
        #expect(try parse(Array("--\(boundary)--\r\n".utf8)).isEmpty)
        #expect(try parse(Array("--\(boundary)--".utf8)).isEmpty)
    }

    @Test func epilogueIsIgnored() throws {
        let expected = [ParsedPart(headers: fileHeaders, data: [1, 2, 3])]
        let body = makeBody([.file("file", "a.bin", [1, 2, 3])], epilogue: "\r\nignored\r\n--\(boundary)\r\nnot: a part\r\n\r\nx\0")
        #expect(try parse(body) == expected)
        #expect(try parse(body, chunkSizes: [1]) == expected)

        var parser = try MultipartStreamParser(contentType: contentType)
        _ = try parser.feed(ByteBuffer(bytes: makeBody([.file("file", "a.bin", [1])])))
        #expect(try parser.feed(ByteBuffer(string: "more epilogue \r\n--\(boundary)--")).isEmpty)
        try parser.finish()
    }

    @Test func partStartedIsReportedAsSoonAsItsHeadersEnd() throws {
        var parser = try MultipartStreamParser(contentType: contentType)
        let headerSection = "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        #expect(try parser.feed(ByteBuffer(string: headerSection)) == [.partStarted(fileHeaders)])
        // A CR might start the delimiter: it is held back until the next byte decides.
        #expect(try parser.feed(ByteBuffer(string: "abc\r")) == [.bodyChunk(ByteBuffer(string: "abc"))])
        #expect(try parser.feed(ByteBuffer(string: "x")) == [.bodyChunk(ByteBuffer(string: "\rx"))])
        #expect(try parser.feed(ByteBuffer(string: "\r\n--\(boundary)")) == [])
        #expect(throws: MultipartError.truncated) { try parser.finish() }
        #expect(try parser.feed(ByteBuffer(string: "--")) == [.partFinished])
        try parser.finish()
    }

    @Test func emptyChunksAreHarmless() throws {
        var parser = try MultipartStreamParser(contentType: contentType)
        #expect(try parser.feed(ByteBuffer()).isEmpty)
        _ = try parser.feed(ByteBuffer(bytes: makeBody([.field("a", "b")])))
        #expect(try parser.feed(ByteBuffer()).isEmpty)
        try parser.finish()
    }
}

// MARK: - Chunking

@Suite("Multipart stream parser: chunking")
struct MultipartChunkingTests {
    /// A short boundary keeps this body small enough to re-parse once per split offset.
    private static let shortBoundary = "b0und"
    private static let smallBody = makeBody(
        [.file("file", "a.bin", trickyData(boundary: shortBoundary)), .field("note", "x\r\ny"), .file("file", "a.bin", [])],
        boundary: shortBoundary
    )
    private static let smallContentType = "multipart/form-data; boundary=\(shortBoundary)"

    @Test func everySplitOffsetGivesTheSameParts() throws {
        let body = Self.smallBody
        let expected = try parse(body, contentType: Self.smallContentType)
        #expect(expected.count == 3)
        #expect(expected.first?.data == trickyData(boundary: Self.shortBoundary))
        for split in 0...body.count {
            var parser = try MultipartStreamParser(contentType: Self.smallContentType)
            var collector = EventCollector()
            collector.consume(try parser.feed(ByteBuffer(bytes: body[0..<split])))
            collector.consume(try parser.feed(ByteBuffer(bytes: body[split...])))
            try parser.finish()
            #expect(collector.parts == expected, "split at \(split)")
        }
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func fixedSmallChunksGiveTheSameParts(size: Int) throws {
        let whole = try parse(Self.smallBody, contentType: Self.smallContentType)
        #expect(try parse(Self.smallBody, chunkSizes: [size], contentType: Self.smallContentType) == whole)
    }

    /// Sizes stay at the low end of what the route sees because debug builds of multipart-kit
    /// parse about 1 MiB/s; the release-mode throughput run covers volume.
    @Test(arguments: [(1, 1 << 20), (2, 3 << 20 + 12_345)] as [(UInt64, Int)])
    func randomPayloadInRandomChunks(seed: UInt64, size: Int) throws {
        var generator = SplitMix64(seed: seed)
        let payloads = [
            randomBytes(size, using: &generator),
            randomBytes(Int.random(in: 0...4096, using: &generator), using: &generator),
        ]
        let body = makeBody([.file("file", "a.bin", payloads[0]), .field("x", "y"), .file("file", "a.bin", payloads[1])])
        let chunkSizes = (0..<512).map { _ in Int.random(in: 1...70_000, using: &generator) }
        let parts = try parse(body, chunkSizes: chunkSizes)
        #expect(parts.map(\.headers) == [fileHeaders, .init(fieldName: "x"), fileHeaders])
        #expect(parts.first?.data == payloads[0])
        #expect(parts.last?.data == payloads[1])
    }

    @Test func oneMegabyteOfBinaryDataInOneFeedIsOneEvent() throws {
        var generator = SplitMix64(seed: 42)
        let payload = randomBytes(1 << 20, using: &generator)
        #expect(payload.filter { $0 == 13 }.count > 1000)  // many CRs: one callback each inside MultipartParser
        var parser = try MultipartStreamParser(contentType: contentType)
        let head = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n".utf8)
        let events = try parser.feed(ByteBuffer(bytes: head + payload))
        let chunks = events.compactMap { event -> ByteBuffer? in
            if case .bodyChunk(let buffer) = event { buffer } else { nil }
        }
        #expect(chunks.count == 1)
        #expect(chunks.first.map { Array($0.readableBytesView) } == payload)

        let tail = try parser.feed(ByteBuffer(bytes: payload + Array("\r\n--\(boundary)--".utf8)))
        #expect(tail.count == 2)
        #expect(tail.last == .partFinished)
        try parser.finish()
    }
}

// MARK: - Part headers

@Suite("Multipart part headers")
struct MultipartPartHeaderTests {
    @Test(arguments: [
        ("form-data; name=\"file\"; filename=\"a.txt\"", "file", "a.txt"),
        ("form-data; name=\"f\"; filename=\"rates.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt", "f", "€ rates.txt"),
        ("form-data; name=\"f\"; filename*=utf-8'en'na%C3%AFve.txt", "f", "naïve.txt"),
        ("form-data; name=\"f\"; filename*=ISO-8859-1''caf%E9.txt", "f", "café.txt"),
        ("form-data; name=\"f\"; filename=\"say %22hi%22.txt\"", "f", "say \"hi\".txt"),
        ("form-data; name=\"a%22b\"", "a\"b", nil),
        ("form-data; name=\"f\"; filename=\"../../etc/passwd\"", "f", "../../etc/passwd"),
        ("form-data; name=\"f\"; filename=\"C:\\Users\\me\\a.txt\"", "f", "C:\\Users\\me\\a.txt"),
        ("form-data; name=\"f\"; filename=\"100%25 %0A.txt\"", "f", "100%25 %0A.txt"),
        ("form-data; name=\"f\"; filename=\"日本語 ファイル.txt\"", "f", "日本語 ファイル.txt"),
        ("form-data; name=\"f\"; filename=\"\"", "f", ""),
        ("form-data; name=\"f\"; filename=\"a;b=c.txt\"", "f", "a;b=c.txt"),
        ("FORM-DATA; NAME=\"f\"; FileName=\"x\"", "f", "x"),
        ("form-data; name=plain; filename=unquoted.txt", "plain", "unquoted.txt"),
        ("form-data ; name = \"spaced\" ;", "spaced", nil),
        ("form-data", nil, nil),
    ] as [(String, String?, String?)])
    func parsesContentDisposition(disposition: String, fieldName: String?, fileName: String?) throws {
        let parts = try parse(makeBody([TestPart(headerLines: ["Content-Disposition: \(disposition)"], data: [7])]))
        #expect(parts == [ParsedPart(headers: .init(fieldName: fieldName, fileName: fileName), data: [7])])
    }

    @Test func otherHeadersAreIgnoredAndNamesAreCaseInsensitive() throws {
        let lines = ["content-disposition:form-data; name=\"f\"", "X-Extra: 1", "CONTENT-TYPE:   text/plain; charset=utf-8  "]
        let parts = try parse(makeBody([TestPart(headerLines: lines, data: [])]))
        #expect(parts.map(\.headers) == [.init(fieldName: "f", contentType: "text/plain; charset=utf-8")])
    }

    @Test(arguments: [
        ["Content-Disposition: attachment; filename=\"a\""],
        ["Content-Disposition: inline"],
        ["Content-Type: text/plain"],
        [],
        ["Content-Disposition: form-data; name=\"a\"", "Content-Disposition: form-data; name=\"b\""],
        ["Content-Disposition: form-data; name=\"a\"", "Content-Type: a/b", "Content-Type: c/d"],
        ["Content-Disposition: form-data; name=\"a\"; name=\"b\""],
        ["Content-Disposition: form-data; name=\"a\"; filename=\"x\"; filename=\"y\""],
        ["Content-Disposition: form-data; name=\"a"],
        ["Content-Disposition: form-data; name=\"a\" junk"],
        ["Content-Disposition: form-data; name"],
        ["Content-Disposition: form-data; name=\"a\"; filename*=UTF-8''%ZZ"],
        ["Content-Disposition: form-data; name=\"a\"; filename*=UTF-8''a%0Ab"],
        ["Content-Disposition: form-data; name=\"a\"; filename*=UTF-8''a%00b"],
        ["Content-Disposition: form-data; name=\"a\"; filename*=UTF-8''%FF"],
        ["Content-Disposition: form-data; name=\"a\"; filename*=KOI8-R''x"],
        ["Content-Disposition: form-data; name=\"a\"; filename*=nocharset"],
        ["Content-Disposition: form-data; name=\"a\0b\""],
        ["Content-Disposition: form-data; name=\"a\"; filename=\"x\u{1B}y\""],
        ["Content-Disposition: form-data; name=\"a\"; filename=\"a\nb\""],
        ["Content-Disposition: form-data; name=\"a\"; filename=\"a\rb\""],
        ["Content-Disposition: form-data;", " name=\"folded\""],
        ["Bad Header: x", "Content-Disposition: form-data; name=\"a\""],
        ["Content-Disposition form-data; name=\"a\""],
    ])
    func rejectsMalformedPartHeaders(lines: [String]) {
        #expect {
            try parse(makeBody([TestPart(headerLines: lines, data: [1])]))
        } throws: { error in
            if case .malformed = error as? MultipartError { true } else { false }
        }
    }

    @Test func rejectsLFOnlyLineEndings() {
        let body = Array("--\(boundary)\nContent-Disposition: form-data; name=\"a\"\n\nx\n--\(boundary)--\n".utf8)
        #expect { try parse(body) } throws: { error in
            if case .malformed = error as? MultipartError { true } else { false }
        }
        let lfHeaders = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\n\nx\r\n--\(boundary)--\r\n".utf8)
        #expect { try parse(lfHeaders) } throws: { error in
            if case .malformed = error as? MultipartError { true } else { false }
        }
    }
}

// MARK: - Limits

@Suite("Multipart stream parser: limits")
struct MultipartLimitTests {
    @Test func partCountLimit() throws {
        let hundred = Array(repeating: TestPart.field("f", "v"), count: 100)
        #expect(try parse(makeBody(hundred)).count == 100)
        #expect(throws: MultipartError.tooManyParts) { try parse(makeBody(hundred + [.field("f", "v")])) }
        #expect(throws: MultipartError.tooManyParts) {
            try parse(makeBody(Array(repeating: .field("f", "v"), count: 3)), limits: .init(maximumParts: 2))
        }
    }

    @Test func headerSectionSizeLimit() throws {
        let disposition = "Content-Disposition: form-data; name=\"f\""
        // The section counts every byte up to and including the blank line.
        let padding = 16 * 1024 - (disposition.utf8.count + 2) - ("X-Pad: ".utf8.count + 2) - 2
        let exactly = [disposition, "X-Pad: " + String(repeating: "p", count: padding)]
        #expect(try parse(makeBody([TestPart(headerLines: exactly, data: [1])])).count == 1)
        let oneMore = [disposition, "X-Pad: " + String(repeating: "p", count: padding + 1)]
        #expect(throws: MultipartError.headersTooLarge) { try parse(makeBody([TestPart(headerLines: oneMore, data: [1])])) }
        let longFilename = "Content-Disposition: form-data; name=\"f\"; filename=\"\(String(repeating: "a", count: 20_000))\""
        #expect(throws: MultipartError.headersTooLarge) { try parse(makeBody([TestPart(headerLines: [longFilename], data: [])])) }
    }

    @Test func endlessHeaderLineFailsEarlyWhileStreaming() throws {
        var parser = try MultipartStreamParser(contentType: contentType)
        _ = try parser.feed(ByteBuffer(string: "--\(boundary)\r\nX-Garbage: "))
        let kibibyte = ByteBuffer(repeating: UInt8(ascii: "g"), count: 1024)
        var feeds = 0
        #expect(throws: MultipartError.headersTooLarge) {
            for _ in 0..<1024 {  // 1 MiB in total, if it were all accepted
                feeds += 1
                _ = try parser.feed(kibibyte)
            }
        }
        #expect(feeds == 16)
        // Spent: the same error again, whatever comes next.
        #expect(throws: MultipartError.headersTooLarge) { try parser.feed(ByteBuffer(string: "\r\n\r\n")) }
        #expect(throws: MultipartError.headersTooLarge) { try parser.finish() }

        var oneFeed = try MultipartStreamParser(contentType: contentType)
        let garbage = Array("--\(boundary)\r\nX: ".utf8) + [UInt8](repeating: UInt8(ascii: "g"), count: 1 << 20)
        #expect(throws: MultipartError.headersTooLarge) { try oneFeed.feed(ByteBuffer(bytes: garbage)) }
    }

    @Test func headerLineCountLimit() throws {
        let disposition = "Content-Disposition: form-data; name=\"f\""
        let sixteen = [disposition] + (1..<16).map { "X-\($0): v" }
        #expect(try parse(makeBody([TestPart(headerLines: sixteen, data: [])])).count == 1)
        #expect(throws: MultipartError.headersTooLarge) {
            try parse(makeBody([TestPart(headerLines: sixteen + ["X-Last: v"], data: [])]))
        }
        #expect(throws: MultipartError.headersTooLarge) {
            try parse(makeBody([TestPart(headerLines: [disposition, "A: b"], data: [])]), limits: .init(maximumHeadersPerPart: 1))
        }
    }
}

// MARK: - Malformed and truncated bodies

@Suite("Multipart stream parser: malformed and truncated bodies")
struct MultipartMalformedTests {
    private static let body = makeBody([.file("file", "a.bin", Array("0123456789".utf8)), .field("f", "v")], epilogue: "")

    /// Cut points: inside the opening delimiter, inside headers, inside data, just before the
    /// closing `--`, and between its two dashes.
    @Test(arguments: [0, 1, 5, 2 + boundary.utf8.count, 50, 120, body.count - 20, body.count - 2, body.count - 1])
    func truncatedBodiesFailAtFinish(length: Int) throws {
        var parser = try MultipartStreamParser(contentType: contentType)
        _ = try parser.feed(ByteBuffer(bytes: Self.body[0..<length]))
        #expect(throws: MultipartError.truncated) { try parser.finish() }
    }

    @Test func completeBodyFinishes() throws {
        #expect(try parse(Self.body).count == 2)
    }

    @Test(arguments: [
        "garbage\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--\(boundary)--",
        "\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--\(boundary)--",
        "--\(boundary.dropLast())X\r\n",
        "-- \(boundary)\r\n",
        "--\(boundary) \r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--\(boundary)--",
        "--\(boundary)X\r\n",
        "--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--\(boundary)X\r\n",
        "--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--\(boundary)-X",
        "--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--\(boundary)\rX",
        "--\(boundary)-\r\n",
    ])
    func malformedFraming(text: String) throws {
        #expect {
            try parse(Array(text.utf8))
        } throws: { error in
            if case .malformed = error as? MultipartError { true } else { false }
        }
    }

    @Test func garbageInsteadOfTheFirstBoundaryFailsBeforeTheEnd() throws {
        var parser = try MultipartStreamParser(contentType: contentType)
        #expect { try parser.feed(ByteBuffer(string: "hello")) } throws: { error in
            if case .malformed = error as? MultipartError { true } else { false }
        }
        #expect { try parser.finish() } throws: { error in
            if case .malformed = error as? MultipartError { true } else { false }
        }
    }

    @Test func errorsHaveUserFacingDescriptions() {
        #expect(MultipartError.truncated.description == "The upload ended before the multipart body was complete.")
        let all: [MultipartError] = [.notMultipart, .missingBoundary, .invalidBoundary, .malformed("x"), .tooManyParts, .headersTooLarge, .truncated]
        #expect(Set(all.map(\.description)).count == all.count)
        #expect(MultipartError.malformed("a part has no Content-Disposition header").description
            == "The multipart body is malformed: a part has no Content-Disposition header.")
    }
}
