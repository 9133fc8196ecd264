import Foundation
import Testing
@testable import SecureDrop

@Suite("Self-signed certificate and public key pins")
struct SelfSignedCertificateTests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("securedrop-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("The generated certificate is a P-256, SHA-256-signed v3 certificate with the requested names")
    func contents() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pair = try SelfSignedCertificate.generate(dnsNames: ["localhost", "files.example.org"], ipAddresses: ["127.0.0.1", "::1"])
        let path = directory.appendingPathComponent("cert.pem").path
        try pair.certificatePEM.write(toFile: path, atomically: true, encoding: .utf8)
        let text = try Command.run("openssl", ["x509", "-in", path, "-noout", "-text"]).output
        #expect(text.contains("Version: 3"))
        #expect(text.contains("ecdsa-with-SHA256"))
        #expect(text.contains("NIST CURVE: P-256"))
        #expect(text.contains("DNS:localhost, DNS:files.example.org, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"))
        #expect(text.contains("CA:FALSE"))
        #expect(text.contains("TLS Web Server Authentication"))
        #expect(pair.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        // Serial numbers are random: two certificates never share one.
        let other = try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: [])
        #expect(try PublicKeyPin(certificatePEM: other.certificatePEM) != PublicKeyPin(certificatePEM: pair.certificatePEM))
    }

    @Test("writeIfMissing: key 0600, directory 0700, never overwrites, refuses a half pair")
    func writing() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("certs/cert.pem").path
        let key = directory.appendingPathComponent("certs/key.pem").path
        #expect(try SelfSignedCertificate.writeIfMissing(certificatePath: certificate, keyPath: key, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"]))
        let attributes = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int }
        #expect(try attributes(key) == 0o600)
        #expect(try attributes(certificate) == 0o644)
        #expect(try attributes(directory.appendingPathComponent("certs").path) == 0o700)
        // The key matches the certificate.
        let check = try Command.run("openssl", ["x509", "-in", certificate, "-noout", "-pubkey"])
        let fromKey = try Command.run("openssl", ["pkey", "-in", key, "-pubout"])
        #expect(check.output == fromKey.output)

        let pin = try PublicKeyPin(certificateFile: certificate)
        #expect(try !SelfSignedCertificate.writeIfMissing(certificatePath: certificate, keyPath: key, dnsNames: ["localhost"], ipAddresses: []))
        #expect(try PublicKeyPin(certificateFile: certificate) == pin)

        try FileManager.default.removeItem(atPath: key)
        #expect(throws: CertificateError.self) {
            try SelfSignedCertificate.writeIfMissing(certificatePath: certificate, keyPath: key, dnsNames: ["localhost"], ipAddresses: [])
        }
        #expect(!FileManager.default.fileExists(atPath: key))
        #expect(try PublicKeyPin(certificateFile: certificate) == pin)
    }

    @Test("The pin equals the one computed by the openssl command line")
    func pinMatchesOpenSSL() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("cert.pem").path
        try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: []).certificatePEM.write(toFile: path, atomically: true, encoding: .utf8)
        let publicKey = try Command.run("openssl", ["x509", "-in", path, "-pubkey", "-noout"])
        let der = try Command.run("openssl", ["pkey", "-pubin", "-outform", "der"], input: Data(publicKey.output.utf8))
        #expect(der.status == 0)
        // `openssl dgst` on DER bytes: pipe through a file to keep the bytes binary.
        let derPath = directory.appendingPathComponent("key.der").path
        _ = try Command.run("openssl", ["pkey", "-pubin", "-outform", "der", "-out", derPath], input: Data(publicKey.output.utf8))
        let digest = try Command.run("openssl", ["dgst", "-sha256", "-binary", "-out", derPath + ".sha", derPath])
        #expect(digest.status == 0)
        let expected = "sha256:" + (try Data(contentsOf: URL(fileURLWithPath: derPath + ".sha"))).base64EncodedString()
        #expect(try PublicKeyPin(certificateFile: path).description == expected)
    }

    @Test("Pin parsing: both notations round-trip, anything else is refused", arguments: [
        "sha1:AAAA", "sha256:", "sha256:not-base64!", "sha256:" + Data(repeating: 1, count: 16).base64EncodedString(), "AAAA", "",
    ])
    func pinParsing(bad: String) throws {
        #expect(throws: PublicKeyPinError.self) { try PublicKeyPin(parsing: bad) }
        let good = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        #expect(try PublicKeyPin(parsing: "sha256:" + good).description == "sha256:" + good)
        #expect(try PublicKeyPin(parsing: "sha256//" + good) == PublicKeyPin(parsing: "sha256:" + good))
    }

    @Test("A missing or non-certificate file gives an error naming the file")
    func unreadable() throws {
        do {
            _ = try PublicKeyPin(certificateFile: "/nonexistent/cert.pem")
            Issue.record("a missing file produced a pin")
        } catch {
            #expect(error.description.contains("/nonexistent/cert.pem"))
        }
        #expect(throws: PublicKeyPinError.self) { try PublicKeyPin(certificatePEM: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") }
    }
}
