import Foundation
import Testing
@testable import SecureDrop

@Suite("Self-signed certificate generation and writing")
struct SelfSignedCertificateTests {
    private func mode(_ path: String) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    }

    private func openssl(_ arguments: [String], input: Data? = nil) async throws -> Command.Result {
        try await Command.run("openssl", arguments, input: input)
    }

    @Test("A v3, P-256, ECDSA-SHA256 end-entity certificate with the requested names and extensions")
    func contents() async throws {
        let directory = try makeTemporaryDirectory("securedrop-cert")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pair = try SelfSignedCertificate.generate(
            dnsNames: ["localhost", "files.example.org", "LOCALHOST", "*.example.net"],
            ipAddresses: ["127.0.0.1", "::1", "192.0.2.7", "0:0:0:0:0:0:0:1"]
        )
        let path = directory.appendingPathComponent("cert.pem").path
        try pair.certificatePEM.write(toFile: path, atomically: true, encoding: .utf8)
        let parsed = try await openssl(["x509", "-in", path, "-noout", "-text"])
        #expect(parsed.status == 0, "\(parsed.errors)")
        let text = parsed.output
        #expect(text.contains("Version: 3 (0x2)"))
        #expect(text.contains("Signature Algorithm: ecdsa-with-SHA256"))
        #expect(text.contains("NIST CURVE: P-256"))
        #expect(text.contains("Subject: CN = localhost, O = SecureDrop self-signed"))
        #expect(text.contains("Issuer: CN = localhost, O = SecureDrop self-signed"))
        // Duplicates (case-insensitive names, two spellings of ::1) are dropped; order kept.
        #expect(text.contains(
            "DNS:localhost, DNS:files.example.org, DNS:*.example.net, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192.0.2.7\n"
        ), "\(text)")
        #expect(text.contains("X509v3 Basic Constraints: critical\n                CA:FALSE"))
        #expect(text.contains("X509v3 Key Usage: critical\n                Digital Signature\n"))
        #expect(text.contains("X509v3 Extended Key Usage: \n                TLS Web Server Authentication\n"))
        // The AKI repeats the SKI (strict verifiers want one on an end-entity certificate).
        let keyIdentifiers = try await openssl(["x509", "-in", path, "-noout", "-ext", "subjectKeyIdentifier,authorityKeyIdentifier"]).output
            .split(separator: "\n").filter { !$0.hasPrefix("X509v3") }.map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(keyIdentifiers.count == 2 && keyIdentifiers[0].count == 59 && keyIdentifiers[0] == keyIdentifiers[1], "\(keyIdentifiers)")

        // Valid now (with five minutes of slack before) and for about 397 days, not 398.
        #expect(try await openssl(["x509", "-in", path, "-noout", "-checkend", "0"]).status == 0)
        #expect(try await openssl(["x509", "-in", path, "-noout", "-checkend", String(396 * 86_400)]).status == 0)
        #expect(try await openssl(["x509", "-in", path, "-noout", "-checkend", String(398 * 86_400)]).status != 0)

        // The key is an unencrypted PKCS #8 P-256 key matching the certificate.
        #expect(pair.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let keyText = try await openssl(["pkey", "-noout", "-text"], input: Data(pair.privateKeyPEM.utf8))
        #expect(keyText.output.contains("ASN1 OID: prime256v1"))
        let fromKey = try await openssl(["pkey", "-pubout"], input: Data(pair.privateKeyPEM.utf8)).output
        let fromCertificate = try await openssl(["x509", "-noout", "-pubkey"], input: Data(pair.certificatePEM.utf8)).output
        #expect(!fromKey.isEmpty && fromKey == fromCertificate)
    }

    @Test("Serial numbers are random, positive and 16 bytes long; keys are fresh each time")
    func serials() async throws {
        var serials = Set<String>()
        var pins = Set<PublicKeyPin>()
        for _ in 0..<4 {
            let pair = try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: [])
            let serial = try await openssl(["x509", "-noout", "-serial"], input: Data(pair.certificatePEM.utf8)).output
                .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
            #expect(serial.count <= 32 && serial.count >= 16, "\(serial)")  // leading zero bytes are not encoded
            #expect(!serial.hasPrefix("-"))
            serials.insert(serial)
            pins.insert(try PublicKeyPin(certificatePEM: pair.certificatePEM))
        }
        #expect(serials.count == 4)
        #expect(pins.count == 4)
    }

    @Test("openssl verify accepts the certificate as its own trust anchor, strictly, for its names only")
    func trustAnchor() async throws {
        let directory = try makeTemporaryDirectory("securedrop-cert")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("cert.pem").path
        try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1", "::1"])
            .certificatePEM.write(toFile: path, atomically: true, encoding: .utf8)
        let base = ["verify", "-CAfile", path, "-purpose", "sslserver", "-x509_strict"]
        for check in [["-verify_hostname", "localhost"], ["-verify_ip", "127.0.0.1"], ["-verify_ip", "::1"]] {
            let result = try await openssl(base + check + [path])
            #expect(result.status == 0, "\(check): \(result.output) \(result.errors)")
        }
        for check in [["-verify_hostname", "example.org"], ["-verify_ip", "10.0.0.1"]] {
            #expect(try await openssl(base + check + [path]).status != 0, "\(check) was accepted")
        }
        // It cannot act as a CA for anything else: a certificate it "issued" would fail,
        // and a different self-signed certificate is not trusted through it.
        let otherPath = directory.appendingPathComponent("other.pem").path
        try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: [])
            .certificatePEM.write(toFile: otherPath, atomically: true, encoding: .utf8)
        #expect(try await openssl(["verify", "-CAfile", path, otherPath]).status != 0)
    }

    @Test("Python's ssl module completes a verified handshake against it (in memory, no sockets)")
    func pythonHandshake() async throws {
        let directory = try makeTemporaryDirectory("securedrop-cert")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("certs/cert.pem").path
        let key = directory.appendingPathComponent("certs/key.pem").path
        try SelfSignedCertificate.writeIfMissing(certificatePath: certificate, keyPath: key, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1", "::1"])
        let script = """
            import ssl, sys
            cert, key, host, strict = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "strict"
            server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            server_context.load_cert_chain(cert, key)
            client_context = ssl.create_default_context(cafile=cert)
            if strict:  # Python 3.13's defaults
                client_context.verify_flags |= ssl.VERIFY_X509_STRICT | ssl.VERIFY_X509_PARTIAL_CHAIN
            c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
            client = client_context.wrap_bio(c_in, c_out, server_hostname=host)
            server = server_context.wrap_bio(s_in, s_out, server_side=True)
            done = {"client": False, "server": False}
            for _ in range(20):
                for name, side in (("client", client), ("server", server)):
                    if not done[name]:
                        try:
                            side.do_handshake(); done[name] = True
                        except ssl.SSLWantReadError:
                            pass
                    s_in.write(c_out.read()); c_in.write(s_out.read())
                if all(done.values()):
                    break
            print("verified" if all(done.values()) else "incomplete")
            """
        for host in ["localhost", "127.0.0.1", "::1"] {
            for mode in ["default", "strict"] {
                let result = try await Command.run("python3", ["-c", script, certificate, key, host, mode])
                #expect(result.status == 0 && result.output.contains("verified"), "\(host) \(mode): \(result.errors)")
            }
        }
        let wrongName = try await Command.run("python3", ["-c", script, certificate, key, "example.org", "default"])
        #expect(wrongName.status != 0)
        #expect(wrongName.errors.contains("Hostname mismatch"), "\(wrongName.errors)")
    }

    @Test("Names that are not DNS names or IP addresses are refused before anything is generated", arguments: [
        (["localhost,IP:10.0.0.1"], [String]()), (["bad name"], []), (["a..b"], []), (["foo.*.org"], []), ([""], []),
        ([String(repeating: "a", count: 64) + ".org"], []), (["localhost"], ["10.0.0"]), (["localhost"], ["::1%eth0"]),
        ([], []),
    ])
    func invalidNames(dnsNames: [String], ipAddresses: [String]) {
        let error = #expect(throws: CertificateError.self) {
            try SelfSignedCertificate.generate(dnsNames: dnsNames, ipAddresses: ipAddresses)
        }
        guard case .invalidRequest = error else {
            Issue.record("expected invalidRequest, got \(String(describing: error))")
            return
        }
    }

    @Test("A long first name is not used as the common name (CN is limited to 64 bytes)")
    func longCommonName() async throws {
        let long = String(repeating: "a", count: 60) + "." + String(repeating: "b", count: 10) + ".example.org"
        let pair = try SelfSignedCertificate.generate(dnsNames: [long, "localhost"], ipAddresses: [])
        let subject = try await openssl(["x509", "-noout", "-subject"], input: Data(pair.certificatePEM.utf8)).output
        #expect(subject.contains("CN = localhost"))
        #expect(throws: CertificateError.self) {
            try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: [], validityDays: 0)
        }
    }

    @Test("writeIfMissing: directory 0700, key 0600, certificate 0644, no temporary files left, never overwrites")
    func writing() async throws {
        let directory = try makeTemporaryDirectory("securedrop-cert")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificatesDirectory = directory.appendingPathComponent("nested/certs").path
        let certificate = certificatesDirectory + "/cert.pem"
        let key = certificatesDirectory + "/key.pem"
        #expect(try SelfSignedCertificate.writeIfMissing(certificatePath: certificate, keyPath: key, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"]))
        #expect(try mode(key) == 0o600)
        #expect(try mode(certificate) == 0o644)
        #expect(try mode(certificatesDirectory) == 0o700)
        #expect(try mode(directory.appendingPathComponent("nested").path) == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: certificatesDirectory).sorted() == ["cert.pem", "key.pem"])
        let fromKey = try await openssl(["pkey", "-in", key, "-pubout"]).output
        let fromCertificate = try await openssl(["x509", "-in", certificate, "-noout", "-pubkey"]).output
        #expect(!fromKey.isEmpty && fromKey == fromCertificate)

        // Both present: nothing happens.
        let certificateBytes = try Data(contentsOf: URL(fileURLWithPath: certificate))
        let keyBytes = try Data(contentsOf: URL(fileURLWithPath: key))
        #expect(try !SelfSignedCertificate.writeIfMissing(certificatePath: certificate, keyPath: key, dnsNames: ["localhost"], ipAddresses: []))
        #expect(try Data(contentsOf: URL(fileURLWithPath: certificate)) == certificateBytes)
        #expect(try Data(contentsOf: URL(fileURLWithPath: key)) == keyBytes)
    }

    @Test("writeIfMissing refuses half a pair, names the missing file, and leaves the other untouched")
    func halfPair() async throws {
        let directory = try makeTemporaryDirectory("securedrop-cert")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        try SelfSignedCertificate.writeIfMissing(certificatePath: certificate, keyPath: key, dnsNames: ["localhost"], ipAddresses: [])

        for (removed, kept) in [(key, certificate), (certificate, key)] {
            let keptBytes = try Data(contentsOf: URL(fileURLWithPath: kept))
            let removedBytes = try Data(contentsOf: URL(fileURLWithPath: removed))
            try FileManager.default.removeItem(atPath: removed)
            do throws(CertificateError) {
                try SelfSignedCertificate.writeIfMissing(certificatePath: certificate, keyPath: key, dnsNames: ["localhost"], ipAddresses: [])
                Issue.record("half a pair was completed")
            } catch {
                guard case .incompletePair(let present, let missing) = error else {
                    Issue.record("unexpected error \(error)")
                    continue
                }
                #expect(present == kept && missing == removed)
                #expect(error.description.contains("\(removed) is missing"))
            }
            #expect(!FileManager.default.fileExists(atPath: removed))
            #expect(try Data(contentsOf: URL(fileURLWithPath: kept)) == keptBytes)
            try removedBytes.write(to: URL(fileURLWithPath: removed))
        }

        // A dangling symbolic link counts as present: it is never replaced.
        try FileManager.default.removeItem(atPath: key)
        try FileManager.default.createSymbolicLink(atPath: key, withDestinationPath: directory.appendingPathComponent("nowhere").path)
        try FileManager.default.removeItem(atPath: certificate)
        #expect(throws: CertificateError.self) {
            try SelfSignedCertificate.writeIfMissing(certificatePath: certificate, keyPath: key, dnsNames: ["localhost"], ipAddresses: [])
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("nowhere").path))
    }

    @Test("writeIfMissing reports a directory it cannot create, naming it")
    func unwritableDirectory() async throws {
        let directory = try makeTemporaryDirectory("securedrop-cert")
        defer { try? FileManager.default.removeItem(at: directory) }
        let blocker = directory.appendingPathComponent("file").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        do throws(CertificateError) {
            try SelfSignedCertificate.writeIfMissing(
                certificatePath: blocker + "/certs/cert.pem", keyPath: blocker + "/certs/key.pem", dnsNames: ["localhost"], ipAddresses: [])
            Issue.record("wrote under a regular file")
        } catch {
            guard case .cannotWrite(let path, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path.hasPrefix(blocker))
        }
    }
}
