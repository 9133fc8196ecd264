import MultipartKit
public import NIOCore

/// What parsing one chunk of a `multipart/form-data` body produced, in body order.
public enum MultipartEvent: Sendable, Equatable {
    /// A part's header section is complete; its body bytes follow.
    case partStarted(MultipartPartHeaders)
    /// Bytes of the current part's body, exactly as sent.
    case bodyChunk(ByteBuffer)
    /// The current part's body ended (its delimiter arrived).
    case partFinished
}

/// A streaming `multipart/form-data` parser (RFC 7578) for one request body.
///
/// Feed it the body chunk by chunk with ``feed(_:)`` and act on the returned events; call
/// ``finish()`` when the body ends. Memory stays bounded by the chunk size plus
/// ``MultipartLimits``: file bytes are never accumulated beyond one chunk.
///
/// Built on multipart-kit's `MultipartParser` (header tokenising and body extraction) with a
/// ``MultipartFramer`` in front of it for what `MultipartParser` lacks: limits, a strict start,
/// a report of where headers end, and detection of the closing delimiter, without which a cut
/// body would be indistinguishable from a complete one.
///
/// `MultipartParser` calls back once per CR byte in binary data (about every 256 bytes of random
/// data), so writing each callback out would turn a 500 MB upload into millions of writes;
/// body callbacks are therefore coalesced into at most one ``MultipartEvent/bodyChunk(_:)`` per
/// part per ``feed(_:)``.
///
/// Not `Sendable` and not meant to be copied: it belongs to the one task reading the body.
/// After it throws, it is spent: later calls throw the same error again.
public struct MultipartStreamParser {
    private var framer: MultipartFramer
    private let parser: MultipartParser
    private let sink: MultipartEventSink
    private var failure: MultipartError?
    /// `"--" boundary CRLF`, the body's first bytes when it has a part.
    private let openingDelimiter: [UInt8]
    /// Body bytes the framer has consumed so far.
    private var consumedBytes = 0
    /// Whether `MultipartParser` has been given ``openingDelimiter``.
    private var openingParsed = false

    /// Parses the boundary from the request's `Content-Type`
    /// (`multipart/form-data; boundary=...`, quoted or not; RFC 2046 §5.1.1 allows 1–70
    /// characters of a restricted set).
    ///
    /// - Throws: ``MultipartError/notMultipart``, ``MultipartError/missingBoundary`` or
    ///   ``MultipartError/invalidBoundary``.
    public init(contentType: String?, limits: MultipartLimits = .init()) throws(MultipartError) {
        let boundary = try MultipartBoundary(contentType: contentType)
        let sink = MultipartEventSink()
        let parser = MultipartParser(boundary: boundary.value)
        parser.onHeader = { name, value in sink.receiveHeader(name: name, value: value) }
        parser.onBody = { body in sink.receiveBody(&body) }
        parser.onPartComplete = { sink.completePart() }
        self.framer = MultipartFramer(boundary: boundary, limits: limits)
        self.parser = parser
        self.sink = sink
        self.openingDelimiter = Array("--\(boundary.value)\r\n".utf8)
    }

    /// Feeds one chunk of the request body; returns the events it completes, in order.
    ///
    /// Body bytes of one part are coalesced into at most one ``MultipartEvent/bodyChunk(_:)``
    /// per part per call. Bytes that might be the start of a delimiter are held back until the
    /// next call shows whether they are. Bytes after the closing delimiter (the epilogue,
    /// RFC 2046 §5.1.1) are ignored.
    public mutating func feed(_ chunk: ByteBuffer) throws(MultipartError) -> [MultipartEvent] {
        if let failure { throw failure }
        do throws(MultipartError) {
            return try process(chunk)
        } catch {
            failure = error
            sink.reset()
            throw error
        }
    }

    /// Call at the end of the body.
    ///
    /// - Throws: ``MultipartError/truncated`` unless the closing delimiter (`--boundary--`) was
    ///   seen, or the error an earlier call threw.
    public func finish() throws(MultipartError) {
        if let failure { throw failure }
        guard framer.isClosed else { throw .truncated }
    }

    private mutating func process(_ chunk: ByteBuffer) throws(MultipartError) -> [MultipartEvent] {
        var offset = 0
        while offset < chunk.readableBytes, !framer.isClosed {
            let step = try chunk.withUnsafeReadableBytes { bytes in
                Result { () throws(MultipartError) in
                    try framer.advance(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                }
            }.get()
            guard let segment = chunk.getSlice(at: chunk.readerIndex + offset, length: step.consumed) else {
                throw .malformed("the parser lost its place")  // unreachable: `consumed` is within the chunk
            }
            offset += step.consumed
            let segmentStart = consumedBytes
            consumedBytes += step.consumed

            switch step.signal {
            case .none:
                try parse(segment, at: segmentStart)
            case .headersComplete:
                try parse(segment, at: segmentStart)
                // Framer and `MultipartParser` read the same bytes, so they must agree on where
                // parts end (`MultipartParser` finishes a part on the CR after its delimiter). If
                // they ever disagree, one misread the stream: fail closed rather than guess.
                guard sink.completedParts == framer.partCount - 1 else {
                    throw .malformed("a part boundary is out of place")
                }
                sink.startPart()
                try sink.throwIfFailed()
            case .closed:
                // With no part at all (`--boundary--`), `MultipartParser` would expect headers;
                // there is nothing for it to finish, so it never sees these bytes.
                if framer.partCount > 0 { try parse(segment, at: segmentStart) }
                guard sink.completedParts == framer.partCount else {
                    throw .malformed("the closing boundary is out of place")
                }
            }
        }
        sink.flushBody()
        return sink.takeEvents()
    }

    /// Passes `segment`, the body bytes from offset `start`, to `MultipartParser`, except the
    /// opening delimiter, which it only gets once the framer has seen the CRLF after it.
    ///
    /// Until then the body may still turn out to be `--boundary--`, a form with no parts, and
    /// `MultipartParser` throws at the `-` after an opening `--boundary`. When that body arrived
    /// in one chunk the framer reported `.closed` before any of it was parsed, but split after
    /// `--boundary-` (fed byte by byte, say) the `-` had already reached `MultipartParser`
    /// and the valid empty form was refused: `Fuzz/FuzzMultipart` found the two disagreeing.
    /// Holding the opening back makes the outcome independent of chunking; the bytes withheld
    /// are exactly ``openingDelimiter``, which the framer has matched byte for byte.
    private mutating func parse(_ segment: ByteBuffer, at start: Int) throws(MultipartError) {
        if !openingParsed {
            guard framer.partCount > 0 else { return }
            try parse(ByteBuffer(bytes: openingDelimiter))
            openingParsed = true
            var rest = segment
            rest.moveReaderIndex(forwardBy: min(rest.readableBytes, max(0, openingDelimiter.count - start)))
            if rest.readableBytes > 0 { try parse(rest) }
            return
        }
        try parse(segment)
    }

    private func parse(_ segment: ByteBuffer) throws(MultipartError) {
        sink.segmentByteCount = segment.readableBytes
        do {
            try parser.execute(segment)
        } catch {
            // `MultipartParser` throws a private error type; only "syntax" exists.
            throw .malformed("a part's headers or line endings are invalid")
        }
        try sink.throwIfFailed()
    }
}

/// Collects `MultipartParser`'s callbacks and turns them into ``MultipartEvent``s.
///
/// A class because the callbacks are closures stored in the parser; it holds no reference back
/// to the parser, so there is no retain cycle.
private final class MultipartEventSink {
    private(set) var completedParts = 0
    private var events: [MultipartEvent] = []
    private var headerFields: [(name: String, value: String)] = []
    /// Body bytes of the current part not yet turned into an event.
    private var pendingBody = ByteBuffer()
    /// Size of the segment being parsed: an upper bound on the body bytes it can produce.
    var segmentByteCount = 0
    /// An error found inside a callback, which cannot throw.
    private var failure: MultipartError?

    func receiveHeader(name: String, value: String) {
        // `MultipartParser` ends a value only at CR and lets any other byte through, LF and NUL
        // included; RFC 9110 §5.5 forbids those controls in field values.
        if value.unicodeScalars.contains(where: { MultipartSyntax.isControl($0.value, allowingTab: true) }) {
            failure = failure ?? .malformed("a part header contains control characters")
        }
        headerFields.append((name: name, value: MultipartSyntax.trimmingWhitespace(value)))
    }

    func receiveBody(_ bytes: inout ByteBuffer) {
        if pendingBody.readableBytes == 0 {
            pendingBody = bytes  // usually a slice of the chunk being parsed: no copy
        } else {
            // The first write copies the slice out of the chunk; size that copy for the whole
            // segment so the pieces that follow are appended without regrowing.
            if pendingBody.writableBytes < bytes.readableBytes {
                pendingBody.reserveCapacity(minimumWritableBytes: max(bytes.readableBytes, segmentByteCount))
            }
            pendingBody.writeBuffer(&bytes)
        }
    }

    func completePart() {
        flushBody()
        events.append(.partFinished)
        completedParts += 1
    }

    /// Emits the part whose header section just ended.
    func startPart() {
        let fields = headerFields
        headerFields = []
        do throws(MultipartError) {
            events.append(.partStarted(try MultipartPartHeaders(fields: fields)))
        } catch {
            failure = failure ?? error
        }
    }

    func flushBody() {
        guard pendingBody.readableBytes > 0 else { return }
        events.append(.bodyChunk(pendingBody))
        pendingBody = ByteBuffer()
    }

    func takeEvents() -> [MultipartEvent] {
        defer { events = [] }
        return events
    }

    func throwIfFailed() throws(MultipartError) {
        if let failure { throw failure }
    }

    /// Drops everything held after a failure, chunk slices included.
    func reset() {
        events = []
        headerFields = []
        pendingBody = ByteBuffer()
    }
}
