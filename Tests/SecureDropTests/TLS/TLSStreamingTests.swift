import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import SecureDrop

/// Large bodies through the TLS layer: intact (SHA-256 compared) and streamed, never held
/// whole. Server and client share this process, so the peak-RSS check bounds both sides.
@Suite("TLS streaming", .serialized)
struct TLSStreamingTests {
    /// 256 MiB: larger than the 100 MiB so that "held whole" (≥ 256 MiB of growth)
    /// and allocator noise (measured at 40–100 MiB here, independent of body size: glibc keeps
    /// freed chunks in per-thread arenas) cannot be confused.
    static let size = 256 * 1024 * 1024
    static let memoryBound = 128 * 1024 * 1024

    @Test("A 256 MiB response streams intact and without being held in memory")
    func largeResponse() async throws {
        try await TestServer.with { server in
            let expected = DeterministicBytes(count: Self.size).sha256
            let peak = try await PeakMemory.growth {
                try await server.withConnection { connection in
                    let head = try await connection.send(.GET, "/test/stream/\(Self.size)")
                    #expect(head.status == .ok)
                    #expect(head.headers["Content-Length"] == ["\(Self.size)"])
                    let hasher = SHA256Hasher()
                    var received = 0
                    while let chunk = try await connection.nextBodyChunk() {
                        hasher.update(chunk)
                        received += chunk.readableBytes
                    }
                    #expect(received == Self.size)
                    #expect(hasher.finishHex() == expected)
                    // The connection is still usable afterwards (keep-alive).
                    #expect(try await connection.request(.GET, "/healthz").status == .ok)
                }
            }
            #expect(peak < Self.memoryBound, "peak RSS grew by \(peak / 1024 / 1024) MiB for a \(Self.size / 1024 / 1024) MiB body")
        }
    }

    @Test("A 256 MiB request body streams intact, in bounded pieces")
    func largeRequest() async throws {
        try await TestServer.with { server in
            let source = DeterministicBytes(count: Self.size)
            let expected = source.sha256
            let peak = try await PeakMemory.growth {
                try await server.withConnection { connection in
                    let head = try await connection.send(.PUT, "/test/sink", headers: ["Content-Length": "\(Self.size)"]) { writer in
                        for chunk in source { try await writer.write(chunk) }
                    }
                    #expect(head.status == .ok)
                    let report = try JSONSerialization.jsonObject(with: Data(try await connection.collectBody(limit: 4096).readableBytesView)) as? [String: Any]
                    #expect(report?["bytes"] as? Int == Self.size)
                    #expect(report?["sha256"] as? String == expected)
                    let largest = report?["largestChunk"] as? Int ?? .max
                    #expect(largest <= 1024 * 1024, "the server held a \(largest)-byte piece")
                }
            }
            #expect(peak < Self.memoryBound, "peak RSS grew by \(peak / 1024 / 1024) MiB for a \(Self.size / 1024 / 1024) MiB body")
        }
    }

    @Test("A client that vanishes mid-response: no crash, every TLS session freed, others served")
    func clientVanishesMidResponse() async throws {
        try await TestServer.with { server in
            try await server.withConnection { connection in
                let head = try await connection.send(.GET, "/test/stream/\(Self.size)")
                #expect(head.status == .ok)
                var received = 0
                while received < 1024 * 1024, let chunk = try await connection.nextBodyChunk() {
                    received += chunk.readableBytes
                }
                // Leaving the closure closes the connection with ~99 MiB unsent.
            }
            let status = try await server.withConnection { try await $0.request(.GET, "/healthz").status }
            #expect(status == .ok)
            #expect(await server.waitForNoLiveConnections() == 0, "TLS sessions still allocated")
        }
    }

    @Test("A client that vanishes mid-upload: the handler sees an error, the session is freed")
    func clientVanishesMidUpload() async throws {
        try await TestServer.with { server in
            struct GaveUp: Error {}
            await #expect(throws: GaveUp.self) {
                try await server.withConnection { connection in
                    _ = try await connection.send(.PUT, "/test/sink", headers: ["Content-Length": "\(Self.size)"]) { writer in
                        var sent = 0
                        for chunk in DeterministicBytes(count: Self.size) {
                            try await writer.write(chunk)
                            sent += chunk.readableBytes
                            // Leaving withConnection here closes the connection mid-body.
                            if sent >= 4 * 1024 * 1024 { throw GaveUp() }
                        }
                    }
                }
            }
            #expect(await server.waitForNoLiveConnections() == 0, "TLS sessions still allocated")
            let status = try await server.withConnection { try await $0.request(.GET, "/healthz").status }
            #expect(status == .ok)
        }
    }
}

/// Peak resident memory of this process, from Linux's VmHWM, which can be reset by writing
/// 5 to /proc/self/clear_refs. Lets a test bound how much memory an operation needed.
enum PeakMemory {
    static func growth(during operation: () async throws -> Void) async throws -> Int {
        let baseline = current()
        try "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        try await operation()
        return max(0, peak() - baseline)
    }

    private static func field(_ name: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") })
        else { return 0 }
        let kib = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } ?? 0
        return kib * 1024
    }

    static func current() -> Int { field("VmRSS") }
    static func peak() -> Int { field("VmHWM") }
}
