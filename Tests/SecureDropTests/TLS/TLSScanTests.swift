import Foundation
import Testing
@testable import SecureDrop

/// An independent scanner's view of the TLS configuration (SPEC §2): only TLS 1.2 and 1.3,
/// only strong AEAD suites with forward secrecy, no renegotiation, no compression.
@Suite("TLS scan (sslscan)", .serialized)
struct TLSScanTests {
    @Test("sslscan finds no old protocol, no weak cipher, no renegotiation, no compression")
    func scan() async throws {
        try await TestServer.with { server in
            let result = try await Command.run("sslscan", ["--no-colour", "--show-sigs", "127.0.0.1:\(server.port)"])
            #expect(result.status == 0, "sslscan did not run (install it with `make deps`): \(result.errors)")
            let report = result.output
            for disabled in ["SSLv2     disabled", "SSLv3     disabled", "TLSv1.0   disabled", "TLSv1.1   disabled"] {
                #expect(report.contains(disabled), "expected \(disabled)")
            }
            #expect(report.contains("TLSv1.2   enabled"))
            #expect(report.contains("TLSv1.3   enabled"))
            #expect(report.contains("Session renegotiation not supported"), "renegotiation must be off")
            #expect(!report.contains("Compression enabled"))
            let heartbleed = report.split(separator: "\n").filter { $0.contains("heartbleed") }
            #expect(!heartbleed.isEmpty && heartbleed.allSatisfy { $0.contains("not vulnerable") }, "\(heartbleed)")

            let suites = report.split(separator: "\n").filter { $0.hasPrefix("Preferred") || $0.hasPrefix("Accepted") }
            #expect(suites.count >= 5, "\(suites)")
            for suite in suites {
                let weak = ["CBC", "RC4", "DES", "NULL", "EXP", "anon", "MD5", "-SHA ", "SHA1", "CAMELLIA", "ARIA", "PSK", "SRP"]
                #expect(!weak.contains { suite.contains($0) }, "weak suite accepted: \(suite)")
                #expect(suite.contains("TLS_") || suite.contains("ECDHE-"), "suite without forward secrecy: \(suite)")
                #expect(suite.contains("GCM") || suite.contains("CHACHA20"), "non-AEAD suite: \(suite)")
            }
        }
    }
}
