import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
@testable import SecureDrop

/// Routes only the tests mount: a streaming source and a streaming sink, to prove large
/// bodies cross the TLS layer intact and in bounded pieces.
enum TestRoutes {
    /// Bytes the most recent /test/stream handler has handed to the response writer: lets a
    /// test see whether the server outruns a client that stopped reading.
    static let streamedBytes = Atomic<Int>(0)
    /// Bytes each /test/sink request has consumed so far, by its `X-Sink-Id` header. Keyed
    /// because suites run in parallel and several of them upload to a sink at the same time:
    /// one shared counter was reset under a test by another test's upload.
    private static let sunk = Mutex<[String: Int]>([:])

    static func sunkBytes(id: String) -> Int {
        sunk.withLock { $0[id] ?? 0 }
    }

    @Sendable static func register(on router: Router<SecureDropRequestContext>) {
        // GET /test/stream/<bytes>: a deterministic body of that many bytes, written in chunks
        // and paced against the event loop exactly as file downloads are.
        router.get("/test/stream/:bytes") { _, context -> Response in
            guard let size = context.parameters.get("bytes", as: Int.self), size >= 0 else {
                throw APIError.badRequest("bytes must be a non-negative integer")
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream"],
                body: ResponseBody(contentLength: size) { [eventLoop = context.eventLoop] writer in
                    streamedBytes.store(0, ordering: .relaxed)
                    var pacer = WritePacer(eventLoop: eventLoop)
                    for chunk in DeterministicBytes(count: size) {
                        try await writer.write(chunk)
                        streamedBytes.add(chunk.readableBytes, ordering: .relaxed)
                        try await pacer.pace()
                    }
                    try await writer.finish(nil)
                }
            )
        }
        // PUT /test/sink[?pause=<seconds>]: hashes the request body as it arrives; reports
        // size, hash and the largest single piece the server ever held, and with an
        // `X-Sink-Id` header counts the bytes consumed so far (``sunkBytes(id:)``). With `pause`, the
        // handler waits that long before reading (a server busy with something else).
        router.put("/test/sink") { request, _ -> Response in
            if let pause = request.uri.queryParameters.get("pause", as: Int.self) {
                try await Task.sleep(for: .seconds(pause))
            }
            let hasher = SHA256Hasher()
            var total = 0
            var largest = 0
            let id = request.headers[HTTPField.Name("X-Sink-Id")!]
            for try await chunk in request.body {
                hasher.update(chunk)
                if let id { sunk.withLock { $0[id, default: 0] += chunk.readableBytes } }
                total += chunk.readableBytes
                largest = max(largest, chunk.readableBytes)
            }
            let json = #"{"bytes":\#(total),"largestChunk":\#(largest),"sha256":"\#(hasher.finishHex())"}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
    }
}

/// A reproducible byte stream in 256 KiB chunks: a fixed pseudo-random block with the chunk
/// number stamped into its first bytes, so reordered, repeated or dropped chunks change the hash.
struct DeterministicBytes: Sequence, Sendable {
    static let chunkSize = 256 * 1024
    static let block: [UInt8] = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<chunkSize).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }()

    let count: Int

    func makeIterator() -> AnyIterator<ByteBuffer> {
        var produced = 0
        var index: UInt64 = 0
        return AnyIterator {
            guard produced < count else { return nil }
            let size = Swift.min(Self.chunkSize, count - produced)
            var buffer = ByteBuffer(bytes: Self.block[0..<size])
            let stamp = withUnsafeBytes(of: index.bigEndian) { Array($0.prefix(size)) }
            buffer.setBytes(stamp, at: 0)
            produced += size
            index += 1
            return buffer
        }
    }

    /// The SHA-256 of the whole stream, computed independently of any server.
    var sha256: String {
        let hasher = SHA256Hasher()
        for chunk in self { hasher.update(chunk) }
        return hasher.finishHex()
    }
}
