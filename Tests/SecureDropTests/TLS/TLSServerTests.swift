import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import SecureDrop

/// The HTTPS server over real TLS on loopback, talked to by the project's own client.
@Suite("TLS server", .serialized)
struct TLSServerTests {
    @Test("TLS 1.3 handshake negotiates http/1.1 and serves /healthz with the security headers")
    func tls13() async throws {
        try await TestServer.with { server in
            let (info, response) = try await server.withConnection { connection in
                (connection.handshake, try await connection.request(.GET, "/healthz"))
            }
            #expect(info.protocolVersion == "TLSv1.3")
            #expect(info.negotiatedProtocol == "http/1.1")
            #expect(response.status == .ok)
            #expect(response.bodyText.contains(#""status":"ok""#))
            #expect(response.head.headers["Strict-Transport-Security"].first?.hasPrefix("max-age=") == true)
            #expect(response.head.headers["X-Content-Type-Options"] == ["nosniff"])
            #expect(response.head.headers["Referrer-Policy"] == ["no-referrer"])
            #expect(response.head.headers["X-Frame-Options"] == ["DENY"])
            #expect(response.head.headers["Content-Security-Policy"].first?.contains("default-src") == true)
        }
    }

    @Test("TLS 1.2 handshake succeeds with an ECDHE AEAD suite")
    func tls12() async throws {
        try await TestServer.with { server in
            let info = try await server.withConnection(tls: server.trustingClient(maximumVersion: TLS1_2_VERSION_VALUE)) { connection in
                let response = try await connection.request(.GET, "/healthz")
                #expect(response.status == .ok)
                return connection.handshake
            }
            #expect(info.protocolVersion == "TLSv1.2")
            #expect(info.cipherSuite.hasPrefix("ECDHE-"))
            #expect(info.cipherSuite.contains("GCM") || info.cipherSuite.contains("CHACHA20"))
        }
    }

    @Test("TLS 1.1 is refused by the server with a protocol_version alert; others keep being served")
    func tls11Refused() async throws {
        try await TestServer.with { server in
            let outdated = try TLSContext.client(
                trust: .certificateAuthorities(file: server.certificatePath),
                minimumVersion: TLS1_1_VERSION_VALUE,
                maximumVersion: TLS1_1_VERSION_VALUE
            )
            let error = await #expect(throws: TLSHandlerError.self) {
                try await server.withConnection(tls: outdated) { _ in }
            }
            guard case .handshakeFailed(let reason) = error else {
                Issue.record("expected a handshake failure, got \(String(describing: error))")
                return
            }
            // The alert came from the server: our own client was willing to speak TLS 1.1.
            #expect(reason.reasons.contains { $0.contains("alert protocol version") }, "\(reason)")
            try await expectHealthy(server)
        }
    }

    @Test("Plain HTTP on the TLS port gets a plain-text 400 and the connection is closed")
    func plaintextRefused() async throws {
        try await TestServer.with { server in
            let outcome = try await RawConnection.exchange(
                port: server.port,
                sending: Array("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
            )
            #expect(outcome.closedByServer)
            let text = String(buffer: outcome.received)
            #expect(text.hasPrefix("HTTP/1.1 400 Bad Request"))
            #expect(text.contains("HTTPS only"))
            try await expectHealthy(server)
        }
    }

    @Test("Garbage instead of a ClientHello closes that connection only")
    func garbageClosed() async throws {
        try await TestServer.with { server in
            let garbage = (0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
            let outcome = try await RawConnection.exchange(port: server.port, sending: garbage)
            #expect(outcome.closedByServer)
            #expect(!String(buffer: outcome.received).contains("HTTP/1.1"))
            try await expectHealthy(server)
        }
    }

    @Test("Bad handshakes are logged at debug level only, with the reason")
    func badHandshakesLogAtDebug() async throws {
        let logs = LogCapture()
        // What the server logged while serving (the test's own teardown cancels it, which
        // Hummingbird reports on its own account).
        let lines = try await TestServer.with(logs: logs) { server in
            _ = try await RawConnection.exchange(port: server.port, sending: Array(repeating: 0x42, count: 512))
            try await expectHealthy(server)
            return logs.all
        }
        let closes = lines.filter { $0.contains("TLS connection closed") }
        #expect(closes.contains { $0.hasPrefix("debug ") && $0.contains("tls.error=TLS handshake failed: error:") }, "\(closes)")
        #expect(!lines.contains { !$0.hasPrefix("debug ") && !$0.hasPrefix("trace ") && $0.contains("TLS") }, "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("error ") || $0.hasPrefix("critical ") || $0.hasPrefix("warning ") }, "\(lines)")
    }

    @Test("A client that stops after the start of a ClientHello is cut off at the handshake timeout")
    func stalledHandshake() async throws {
        try await TestServer.with(configure: { $0.handshakeTimeout = .seconds(1) }) { server in
            // A TLS handshake record header announcing 512 bytes, then only a few of them.
            let partialHello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03]
            async let stalled = RawConnection.exchange(port: server.port, sending: partialHello, timeout: .seconds(6))
            async let silent = RawConnection.exchange(port: server.port, sending: [], timeout: .seconds(6))
            // Meanwhile everyone else is served.
            try await expectHealthy(server)
            for outcome in try await [stalled, silent] {
                #expect(outcome.closedByServer)
                #expect(outcome.elapsed >= .milliseconds(900))
                #expect(outcome.elapsed < .seconds(5))
            }
        }
    }

    @Test("Keep-alive: several requests share one TLS session")
    func keepAlive() async throws {
        try await TestServer.with { server in
            let before = server.server.tracker.totalConnections
            try await server.withConnection { connection in
                for _ in 0..<5 {
                    let response = try await connection.request(.GET, "/healthz")
                    #expect(response.status == .ok)
                }
                let missing = try await connection.request(.GET, "/no/such/route")
                #expect(missing.status == .notFound)
                #expect(missing.bodyText.contains(#""error":"not_found""#))
            }
            #expect(server.server.tracker.totalConnections - before == 1)
        }
    }

    @Test("Idle keep-alive connections are closed after the idle timeout")
    func idleTimeout() async throws {
        try await TestServer.with(configure: { $0.idleTimeout = .seconds(1) }) { server in
            try await server.withConnection { connection in
                #expect(try await connection.request(.GET, "/healthz").status == .ok)
                try await Task.sleep(for: .milliseconds(1800))
                await #expect(throws: (any Error).self) { try await connection.request(.GET, "/healthz") }
            }
            #expect(await server.waitForNoLiveConnections() == 0)
        }
    }

    @Test("Oversized request headers: refused without harming other clients")
    func oversizedHeaders() async throws {
        try await TestServer.with { server in
            let huge = String(repeating: "a", count: 200 * 1024)
            do {
                try await server.withConnection { connection in
                    let response = try await connection.request(.GET, "/healthz", headers: ["X-Filler": huge])
                    #expect(response.status.code >= 400)
                }
            } catch {
                // Closing the connection is an acceptable answer too.
            }
            try await expectHealthy(server)
        }
    }

    @Test("At the connection limit, new connections wait until one closes")
    func connectionLimit() async throws {
        try await TestServer.with(configure: { $0.maxConnections = 2 }) { server in
            let third: Task<HTTPResponseStatus, any Error> = try await server.withConnection { first in
                try await server.withConnection { second in
                    let waiting = Task {
                        try await server.withConnection { try await $0.request(.GET, "/healthz").status }
                    }
                    try await Task.sleep(for: .milliseconds(500))
                    // Two sessions exist; the third connection sits in the listen backlog.
                    #expect(server.server.tracker.totalConnections == 2)
                    #expect(try await first.request(.GET, "/healthz").status == .ok)
                    #expect(try await second.request(.GET, "/healthz").status == .ok)
                    return waiting
                }
            }
            #expect(try await third.value == .ok)
        }
    }

    @Test("Hostname verification: a certificate for localhost is refused for another name, accepted for localhost and 127.0.0.1")
    func hostnameMismatch() async throws {
        try await TestServer.with { server in
            let error = await #expect(throws: TLSHandlerError.self) {
                try await server.withConnection(serverName: "files.example.org") { _ in }
            }
            if case .handshakeFailed(let reason) = error {
                #expect(reason.reasons.contains { $0.contains("certificate verify failed") }, "\(reason)")
            } else {
                Issue.record("expected a handshake failure, got \(String(describing: error))")
            }
            for name in ["localhost", "127.0.0.1"] {
                let status = try await server.withConnection(serverName: name) { try await $0.request(.GET, "/healthz").status }
                #expect(status == .ok)
            }
        }
    }

    @Test("An untrusted self-signed certificate is refused by default trust")
    func untrustedRefused() async throws {
        try await TestServer.with { server in
            await #expect(throws: TLSHandlerError.self) {
                try await server.withConnection(tls: TLSContext.client(trust: .systemDefault)) { _ in }
            }
        }
    }

    @Test("SPKI pinning: the right pin connects, a wrong pin is refused before any request is sent")
    func pinning() async throws {
        try await TestServer.with { server in
            let pin = try PublicKeyPin(certificateFile: server.certificatePath)
            let status = try await server.withConnection(tls: TLSContext.client(trust: .publicKeyPin(pin)), serverName: "any.name") {
                try await $0.request(.GET, "/healthz").status
            }
            #expect(status == .ok)

            let wrong = try PublicKeyPin(parsing: "sha256:" + Data(repeating: 7, count: 32).base64EncodedString())
            let error = await #expect(throws: TLSHandlerError.self) {
                try await server.withConnection(tls: TLSContext.client(trust: .publicKeyPin(wrong))) { _ in }
            }
            guard case .pinMismatch(let expected, let presented) = error else {
                Issue.record("expected a pin mismatch, got \(String(describing: error))")
                return
            }
            #expect(expected == wrong)
            #expect(presented == pin)
        }
    }

    @Test("Certificate reload: new handshakes present the new certificate, open connections carry on")
    func certificateReload() async throws {
        try await TestServer.with { server in
            let oldPin = try PublicKeyPin(certificateFile: server.certificatePath)
            try await server.withConnection(tls: TLSContext.client(trust: .publicKeyPin(oldPin))) { connection in
                // Replace the pair on disk, as a renewal would, and reload.
                try FileManager.default.removeItem(atPath: server.server.configuration.tlsCertificatePath)
                try FileManager.default.removeItem(atPath: server.server.configuration.tlsKeyPath)
                _ = try SelfSignedCertificate.writeIfMissing(
                    certificatePath: server.server.configuration.tlsCertificatePath,
                    keyPath: server.server.configuration.tlsKeyPath,
                    dnsNames: ["localhost"],
                    ipAddresses: ["127.0.0.1"]
                )
                try server.server.contexts.reload()
                let newPin = try PublicKeyPin(certificateFile: server.certificatePath)
                #expect(newPin != oldPin)

                let status = try await server.withConnection(tls: TLSContext.client(trust: .publicKeyPin(newPin))) {
                    try await $0.request(.GET, "/healthz").status
                }
                #expect(status == .ok)
                // The connection opened before the reload still works.
                #expect(try await connection.request(.GET, "/healthz").status == .ok)
            }
        }
    }

    @Test("A broken certificate file on reload keeps the current certificate")
    func failedReloadKeepsServing() async throws {
        try await TestServer.with { server in
            let pin = try PublicKeyPin(certificateFile: server.certificatePath)
            try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: server.certificatePath))
            #expect(throws: OpenSSLError.self) { try server.server.contexts.reload() }
            let status = try await server.withConnection(tls: TLSContext.client(trust: .publicKeyPin(pin))) {
                try await $0.request(.GET, "/healthz").status
            }
            #expect(status == .ok)
        }
    }

    private func expectHealthy(_ server: TestServer, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let response = try await server.withConnection { try await $0.request(.GET, "/healthz") }
        #expect(response.status == .ok, sourceLocation: sourceLocation)
    }
}
