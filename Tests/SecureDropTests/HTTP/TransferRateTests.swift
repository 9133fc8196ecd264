import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import SecureDrop

/// The minimum transfer rate: a client that trickles a request body, or reads a response a
/// few bytes at a time, is disconnected after a window, while clients that are merely slow,
/// servers that are busy, and idle keep-alive connections are left alone. Windows here are
/// one or two seconds; the default is 30.
@Suite("Minimum transfer rate", .serialized)
struct TransferRateTests {
    /// A server whose guard wants `bytesPerSecond` over windows of `window`.
    private func withServer(minimum bytesPerSecond: Int64, window: Duration, _ body: (TestServer) async throws -> Void) async throws {
        try await TestServer.with(configure: {
            $0.minimumTransferRate = MinimumTransferRate(bytesPerSecond: bytesPerSecond, window: window)
        }, body)
    }

    /// Seconds since `start`.
    private func seconds(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start).timeInterval
    }

    @Test("A body trickled at 10 bytes/s is cut after the window; others are served meanwhile")
    func tricklingBody() async throws {
        try await withServer(minimum: 1024, window: .seconds(2)) { server in
            // Each piece resets the idle timeout (60 s): without the rate guard this upload
            // holds its connection until `timeout` gives up. (SIGPIPE is ignored in test
            // processes, so the loop ends on the failed write instead.)
            let script = """
                printf 'PUT /test/sink HTTP/1.1\\r\\nHost: localhost\\r\\nContent-Length: 100000\\r\\n\\r\\n'
                for i in $(seq 30); do printf '0123456789' || exit 0; sleep 1; done
                """
            let start = ContinuousClock.now
            async let trickle = Command.run("sh", [
                "-c", "(\(script)) | timeout 15 openssl s_client -quiet -ign_eof -connect 127.0.0.1:\(server.port) -servername localhost",
            ])
            try await Task.sleep(for: .milliseconds(500))
            let source = DeterministicBytes(count: 4 * 1024 * 1024)
            let upload = try await server.withConnection { connection in
                _ = try await connection.send(.PUT, "/test/sink", headers: ["Content-Length": "\(source.count)"]) { writer in
                    for chunk in source { try await writer.write(chunk) }
                }
                return try await connection.collectBody(limit: 4096)
            }
            #expect(String(buffer: upload).contains(source.sha256))
            let result = try await trickle
            let elapsed = seconds(since: start)
            #expect(result.status != 124, "the trickling upload was still connected after 15 s")
            #expect(elapsed < 10, "cut after \(elapsed) s")
            #expect(await server.waitForNoLiveConnections() == 0)
        }
    }

    @Test("A client reading a large download at a trickle is cut after the window")
    func tricklingReader() async throws {
        try await withServer(minimum: 1024 * 1024, window: .seconds(1)) { server in
            let start = ContinuousClock.now
            // A small receive buffer and one TLS record every 200 ms: well under 1 MiB/s.
            let outcome: (received: Int, cut: Bool) = try await server.withConnection(receiveBufferSize: 16 * 1024) { connection in
                let head = try await connection.send(.GET, "/test/stream/\(256 * 1024 * 1024)")
                #expect(head.status == .ok)
                var received = 0
                while seconds(since: start) < 15 {
                    try await Task.sleep(for: .milliseconds(200))
                    do {
                        guard let chunk = try await connection.nextBodyChunk() else { return (received, false) }
                        received += chunk.readableBytes
                    } catch {
                        return (received, true)
                    }
                }
                return (received, false)
            }
            let elapsed = seconds(since: start)
            #expect(outcome.cut, "still connected after \(elapsed) s and \(outcome.received) bytes")
            #expect(elapsed < 12)
            #expect(await server.waitForNoLiveConnections() == 0, "TLS sessions still allocated")
            let status = try await server.withConnection { try await $0.request(.GET, "/healthz").status }
            #expect(status == .ok)
        }
    }

    @Test("Full-speed uploads and downloads are not cut, with a high minimum and a short window")
    func normalTransfers() async throws {
        try await withServer(minimum: 1024 * 1024, window: .seconds(1)) { server in
            let size = 64 * 1024 * 1024
            let source = DeterministicBytes(count: size)
            try await server.withConnection { connection in
                let head = try await connection.send(.PUT, "/test/sink", headers: ["Content-Length": "\(size)"]) { writer in
                    for chunk in source { try await writer.write(chunk) }
                }
                #expect(head.status == .ok)
                let report = String(buffer: try await connection.collectBody(limit: 4096))
                #expect(report.contains(source.sha256))

                _ = try await connection.send(.GET, "/test/stream/\(size)")
                let hasher = SHA256Hasher()
                var received = 0
                while let chunk = try await connection.nextBodyChunk() {
                    hasher.update(chunk)
                    received += chunk.readableBytes
                }
                #expect(received == size)
                #expect(hasher.finishHex() == source.sha256)
            }
        }
    }

    @Test("A slow upload five times above the minimum runs through several windows uncut")
    func slowButSufficientUpload() async throws {
        try await withServer(minimum: 4 * 1024, window: .seconds(1)) { server in
            // 2 KiB every 100 ms is 20 KiB/s, for about 4 s.
            let piece = ByteBuffer(repeating: UInt8(ascii: "x"), count: 2048)
            let pieces = 40
            let report = try await server.withConnection { connection in
                let head = try await connection.send(.PUT, "/test/sink", headers: ["Content-Length": "\(pieces * piece.readableBytes)"]) { writer in
                    for _ in 0..<pieces {
                        try await writer.write(piece)
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                #expect(head.status == .ok)
                return String(buffer: try await connection.collectBody(limit: 4096))
            }
            #expect(report.contains(#""bytes":\#(pieces * piece.readableBytes)"#))
        }
    }

    @Test("A server slow to read a body does not blame the client for it")
    func busyServerIsNotBlamed() async throws {
        try await withServer(minimum: 1024 * 1024, window: .seconds(1)) { server in
            // The handler sleeps 3 s (three windows) before reading: the client's bytes wait in
            // buffers, and the server is not waiting on the client.
            let size = 16 * 1024 * 1024
            let source = DeterministicBytes(count: size)
            let report = try await server.withConnection { connection in
                let head = try await connection.send(.PUT, "/test/sink?pause=3", headers: ["Content-Length": "\(size)"]) { writer in
                    for chunk in source { try await writer.write(chunk) }
                }
                #expect(head.status == .ok)
                return String(buffer: try await connection.collectBody(limit: 4096))
            }
            #expect(report.contains(source.sha256))
        }
    }

    @Test("An idle keep-alive connection is the idle timeout's business, not the rate guard's")
    func idleKeepAliveIsLeftAlone() async throws {
        try await withServer(minimum: 1024 * 1024, window: .seconds(1)) { server in
            try await server.withConnection { connection in
                #expect(try await connection.request(.GET, "/healthz").status == .ok)
                try await Task.sleep(for: .seconds(3))
                #expect(try await connection.request(.GET, "/healthz").status == .ok)
            }
        }
    }
}

@Suite("Minimum transfer rate: judging a window")
struct MinimumTransferRateTests {
    let minimum = MinimumTransferRate(bytesPerSecond: 1000, window: .seconds(10))

    @Test("Fewer bytes than the rate over the waiting time is too slow; as many is not")
    func threshold() {
        #expect(minimum.isTooSlow(bytes: 9_999, waited: .seconds(10)))
        #expect(!minimum.isTooSlow(bytes: 10_000, waited: .seconds(10)))
        #expect(minimum.isTooSlow(bytes: 4_999, waited: .seconds(5)))
    }

    @Test("Less than half a window of waiting is not judged, and 0 turns the guard off")
    func notJudged() {
        #expect(!minimum.isTooSlow(bytes: 0, waited: .milliseconds(4_999)))
        #expect(!MinimumTransferRate(bytesPerSecond: 0, window: .seconds(10)).isTooSlow(bytes: 0, waited: .seconds(10)))
    }

    @Test("The meter adds up waiting across a window and starts afresh with the next")
    func meter() {
        let start = ContinuousClock.now
        var meter = TransferMeter()
        meter.startWaiting(at: start)
        meter.count(100)
        meter.stopWaiting(at: start + .seconds(2))
        meter.startWaiting(at: start + .seconds(5))
        #expect(meter.waited(at: start + .seconds(6)) == .seconds(3))
        #expect(meter.bytes == 100)
        meter.startWindow(at: start + .seconds(6))
        #expect(meter.bytes == 0)
        #expect(meter.isWaiting)
        #expect(meter.waited(at: start + .seconds(7)) == .seconds(1))
    }
}
