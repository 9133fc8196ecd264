import Foundation
import Testing
@testable import SecureDrop

@Suite("Public key pins (SHA-256 of the SubjectPublicKeyInfo)")
struct PublicKeyPinTests {
    /// `openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der |
    /// openssl dgst -sha256 -binary | base64`, one step at a time (the DER and the digest go
    /// through files so the bytes stay binary).
    private func pinFromOpenSSLCommandLine(certificatePath: String, directory: URL) async throws -> String {
        let publicKey = try await Command.run("openssl", ["x509", "-in", certificatePath, "-pubkey", "-noout"])
        try #require(publicKey.status == 0, "\(publicKey.errors)")
        let derPath = directory.appendingPathComponent("spki.der").path
        let der = try await Command.run("openssl", ["pkey", "-pubin", "-outform", "der", "-out", derPath], input: Data(publicKey.output.utf8))
        try #require(der.status == 0, "\(der.errors)")
        let digestPath = directory.appendingPathComponent("spki.sha256").path
        let digest = try await Command.run("openssl", ["dgst", "-sha256", "-binary", "-out", digestPath, derPath])
        try #require(digest.status == 0, "\(digest.errors)")
        let base64 = try await Command.run("openssl", ["base64", "-A", "-in", digestPath])
        try #require(base64.status == 0, "\(base64.errors)")
        return base64.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("The pin equals the one the openssl command line computes, from a file and from PEM text")
    func matchesOpenSSL() async throws {
        let directory = try makeTemporaryDirectory("securedrop-pin")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        try SelfSignedCertificate.writeIfMissing(certificatePath: certificate, keyPath: key, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let expected = try await pinFromOpenSSLCommandLine(certificatePath: certificate, directory: directory)
        #expect(expected.count == 44)

        let fromFile = try PublicKeyPin(certificateFile: certificate)
        #expect(fromFile.description == "sha256:" + expected)
        #expect(fromFile.base64 == expected)
        #expect(fromFile.curlPinnedPublicKey == "sha256//" + expected)
        #expect(fromFile.digest.count == 32)
        let pem = try String(contentsOfFile: certificate, encoding: .utf8)
        #expect(try PublicKeyPin(certificatePEM: pem) == fromFile)
        #expect(try PublicKeyPin(parsing: fromFile.description) == fromFile)
        #expect(try PublicKeyPin(parsing: fromFile.curlPinnedPublicKey) == fromFile)
    }

    @Test("The pin of a chain file is the leaf's; other PEM blocks before it are skipped")
    func chainFile() async throws {
        let directory = try makeTemporaryDirectory("securedrop-pin")
        defer { try? FileManager.default.removeItem(at: directory) }
        let leaf = try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: [])
        let other = try SelfSignedCertificate.generate(dnsNames: ["example.org"], ipAddresses: [])
        let chain = directory.appendingPathComponent("fullchain.pem").path
        try (leaf.certificatePEM + other.certificatePEM).write(toFile: chain, atomically: true, encoding: .utf8)
        #expect(try PublicKeyPin(certificateFile: chain) == PublicKeyPin(certificatePEM: leaf.certificatePEM))
        #expect(try PublicKeyPin(certificatePEM: leaf.privateKeyPEM + leaf.certificatePEM) == PublicKeyPin(certificatePEM: leaf.certificatePEM))
        #expect(try PublicKeyPin(certificatePEM: other.certificatePEM) != PublicKeyPin(certificatePEM: leaf.certificatePEM))
    }

    @Test("Both notations parse to the same pin; whitespace around it is ignored")
    func parsing() async throws {
        let good = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let pin = try PublicKeyPin(parsing: "sha256:" + good)
        #expect(pin.description == "sha256:" + good)
        #expect(pin.digest == (0..<32).map { UInt8($0) })
        #expect(try PublicKeyPin(parsing: "sha256//" + good) == pin)
        #expect(try PublicKeyPin(parsing: "  sha256:\(good)\n") == pin)
        #expect(try PublicKeyPin(digest: pin.digest) == pin)
        #expect(throws: PublicKeyPinError.self) { try PublicKeyPin(digest: [1, 2, 3]) }
    }

    @Test("Anything else is refused with a reason", arguments: [
        ("", "does not start with"),
        ("AAAA", "does not start with"),
        ("sha1:AAAA", "does not start with"),
        ("SHA256:" + Data(count: 32).base64EncodedString(), "does not start with"),
        ("sha256/" + Data(count: 32).base64EncodedString(), "does not start with"),
        ("pin-sha256=\"" + Data(count: 32).base64EncodedString() + "\"", "does not start with"),
        ("sha256:", "missing"),
        ("sha256//", "missing"),
        ("sha256:not-base64!", "not valid base64"),
        ("sha256:" + Data(count: 32).base64EncodedString().dropLast(), "not valid base64"),
        ("sha256:" + Data(count: 16).base64EncodedString(), "16 bytes, not 32"),
        ("sha256:" + Data(count: 48).base64EncodedString(), "48 bytes, not 32"),
        ("sha256:" + String(repeating: "ab", count: 32), "not 32"),  // hex is not base64 of 32 bytes
    ])
    func refused(text: String, reason: String) {
        let error = #expect(throws: PublicKeyPinError.self) { try PublicKeyPin(parsing: text) }
        guard case .malformed(let echoed, let actualReason) = error else {
            Issue.record("expected .malformed, got \(String(describing: error))")
            return
        }
        #expect(echoed == text)
        #expect(actualReason.contains(reason), "\(actualReason)")
        #expect(error?.description.contains("is not a public key pin") == true)
    }

    @Test("A missing file, a non-certificate and garbage PEM give errors that name the source")
    func unreadable() async throws {
        let directory = try makeTemporaryDirectory("securedrop-pin")
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("absent.pem").path
        let missingError = #expect(throws: PublicKeyPinError.self) { try PublicKeyPin(certificateFile: missing) }
        #expect(missingError?.description.contains(missing) == true)
        #expect(missingError?.description.contains("No such file or directory") == true, "\(String(describing: missingError))")

        let keyOnly = directory.appendingPathComponent("key.pem").path
        try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: []).privateKeyPEM
            .write(toFile: keyOnly, atomically: true, encoding: .utf8)
        let keyError = #expect(throws: PublicKeyPinError.self) { try PublicKeyPin(certificateFile: keyOnly) }
        #expect(keyError?.description.contains(keyOnly) == true)

        #expect(throws: PublicKeyPinError.self) { try PublicKeyPin(certificatePEM: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") }
        #expect(throws: PublicKeyPinError.self) { try PublicKeyPin(certificatePEM: "") }
    }

    @Test("A failed read leaves no error on OpenSSL's queue for the next call on this thread")
    func errorQueueIsDrained() async throws {
        _ = try? PublicKeyPin(certificatePEM: "garbage")
        _ = try? PublicKeyPin(certificateFile: "/nonexistent/cert.pem")
        let drained = OpenSSLError.drain("check")
        #expect(drained.reasons.isEmpty, "\(drained)")
        #expect(drained.description == "check failed")
    }
}
