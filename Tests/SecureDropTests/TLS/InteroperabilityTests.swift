import Foundation
import Testing
@testable import SecureDrop

/// Standard clients against the server with its generated certificate: what a user will
/// actually run. Each trusts the certificate file explicitly and verifies the host name.
@Suite("Interoperability with standard TLS clients", .serialized)
struct InteroperabilityTests {
    @Test("curl --cacert verifies the generated certificate for localhost and 127.0.0.1")
    func curl() async throws {
        try await TestServer.with { server in
            for host in ["localhost", "127.0.0.1"] {
                let result = try await Command.run("curl", ["-sS", "--fail", "--cacert", server.certificatePath, "https://\(host):\(server.port)/healthz"])
                #expect(result.status == 0, "\(result.errors)")
                #expect(result.output.contains(#""status":"ok""#))
            }
            // And curl's own pinning accepts our pin notation's twin.
            let pin = try PublicKeyPin(certificateFile: server.certificatePath)
            let pinned = try await Command.run("curl", ["-sS", "--fail", "-k", "--pinnedpubkey", pin.description.replacingOccurrences(of: "sha256:", with: "sha256//"),
                                                  "https://127.0.0.1:\(server.port)/healthz"])
            #expect(pinned.status == 0, "\(pinned.errors)")
        }
    }

    @Test("Python's ssl module verifies the generated certificate")
    func python() async throws {
        try await TestServer.with { server in
            let script = """
                import ssl, sys, urllib.request
                context = ssl.create_default_context(cafile=sys.argv[1])
                print(urllib.request.urlopen(f"https://localhost:{sys.argv[2]}/healthz", context=context).read().decode())
                """
            let result = try await Command.run("python3", ["-c", script, server.certificatePath, String(server.port)])
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output.contains(#""status":"ok""#))
        }
    }

    @Test("openssl s_client: TLS 1.3 and 1.2 verify; TLS 1.1 and 1.0 are refused")
    func opensslClient() async throws {
        try await TestServer.with { server in
            let address = "127.0.0.1:\(server.port)"
            for (flag, expected) in [("-tls1_3", "TLSv1.3"), ("-tls1_2", "TLSv1.2")] {
                let result = try await Command.run("openssl", ["s_client", "-connect", address, flag, "-CAfile", server.certificatePath,
                                                         "-verify_return_error", "-verify_hostname", "localhost", "-alpn", "http/1.1"], input: Data())
                #expect(result.status == 0, "\(flag): \(result.errors)")
                #expect(result.output.contains("Protocol  : \(expected)") || result.output.contains("New, \(expected)"), "\(flag)")
                #expect(result.output.contains("ALPN protocol: http/1.1"))
                #expect(result.output.contains("Verify return code: 0 (ok)"))
            }
            // A client that offers only h2 is told there is no protocol in common.
            let h2Only = try await Command.run("openssl", ["s_client", "-connect", address, "-alpn", "h2", "-servername", "localhost"], input: Data())
            #expect(h2Only.status != 0)
            #expect(h2Only.errors.contains("no application protocol"), "\(h2Only.errors)")
            for flag in ["-tls1_1", "-tls1"] {
                let result = try await Command.run("openssl", ["s_client", "-connect", address, flag, "-cipher", "DEFAULT:@SECLEVEL=0"], input: Data())
                #expect(result.status != 0, "\(flag) was accepted")
            }
        }
    }
}
