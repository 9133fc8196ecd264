import COpenSSL
import Foundation

/// Why a certificate could not be generated or written.
public enum CertificateError: Error, CustomStringConvertible, Sendable {
    case openSSL(OpenSSLError)
    /// A name, address or validity the certificate cannot carry.
    case invalidRequest(String)
    /// Only one file of the pair exists: generating would orphan or overwrite it.
    case incompletePair(present: String, missing: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .openSSL(let error): "generating the certificate failed: \(error)"
        case .invalidRequest(let reason): "cannot generate the certificate: \(reason)"
        case .incompletePair(let present, let missing):
            "\(present) exists but \(missing) is missing; restore it, or remove \(present) to generate a new pair"
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}

/// A self-signed P-256 certificate for first starts and local use, so that `make run` serves
/// HTTPS at once. Clients trust it explicitly (`--cacert certs/cert.pem`) or by its public
/// key pin; production sites point SECUREDROP_TLS_CERT/KEY at a CA-issued pair instead.
///
/// The certificate is an end-entity certificate that is its own trust anchor:
/// v3, random positive 127-bit serial, valid from five minutes ago for `validityDays`,
/// subject = issuer = `CN=<first name>, O=SecureDrop self-signed`, and the extensions
/// `subjectAltName` (DNS and IP entries), `basicConstraints` critical CA:FALSE, `keyUsage`
/// critical digitalSignature, `extendedKeyUsage` serverAuth, `subjectKeyIdentifier` and
/// `authorityKeyIdentifier` (the same key id); signed ECDSA with SHA-256. OpenSSL 3.0
/// (`s_client`, `verify -x509_strict`), curl, Python's `ssl` (also with Python 3.13's strict
/// flags), requests and Node accept it as a CA file and check host names and IP addresses
/// against the SAN entries; it cannot sign other certificates.
public enum SelfSignedCertificate {
    /// A PEM certificate and its PEM (PKCS #8, unencrypted) private key.
    public struct Pair: Sendable {
        public let certificatePEM: String
        public let privateKeyPEM: String
    }

    /// 397 days: the longest lifetime browsers accept for a server certificate.
    public static let defaultValidityDays = 397

    /// Generates a certificate valid for `dnsNames` and `ipAddresses` (IPv4 or IPv6).
    ///
    /// - Parameters:
    ///   - commonName: the subject CN; by default the first DNS name (or IP address).
    ///     Clients match names against the SAN entries only.
    ///   - dnsNames: host names, wildcards allowed (`*.example.org`); duplicates are dropped.
    ///   - ipAddresses: textual IPv4/IPv6 addresses.
    ///   - validityDays: lifetime from now (the certificate is valid from five minutes ago).
    public static func generate(
        commonName: String? = nil,
        dnsNames: [String],
        ipAddresses: [String],
        validityDays: Int = defaultValidityDays
    ) throws(CertificateError) -> Pair {
        let material = try CertificateMaterial(commonName: commonName, dnsNames: dnsNames, ipAddresses: ipAddresses, validityDays: validityDays)
        do {
            let certificatePEM = try pemString(secure: false) { PEM_write_bio_X509($0, material.certificate) }
            let privateKeyPEM = try pemString(secure: true) { PEM_write_bio_PrivateKey($0, material.key, nil, nil, 0, nil, nil) }
            return Pair(certificatePEM: certificatePEM, privateKeyPEM: privateKeyPEM)
        } catch {
            throw .openSSL(error)
        }
    }

    /// Writes a new pair at these paths unless both exist already.
    ///
    /// Missing parent directories are created 0700. The key is written straight from OpenSSL
    /// into a file created 0600 with `O_CREAT|O_EXCL` (never readable by others, not even for
    /// an instant, and never held in a Swift string); the certificate is written 0644. Both
    /// are written to a temporary name, fsynced, and then moved into place without replacing
    /// a file that appeared meanwhile.
    ///
    /// - Returns: true when a pair was written, false when both files already existed.
    /// - Throws: ``CertificateError/incompletePair(present:missing:)`` when exactly one of
    ///   the two files exists (nothing is overwritten).
    @discardableResult
    public static func writeIfMissing(
        certificatePath: String,
        keyPath: String,
        dnsNames: [String],
        ipAddresses: [String],
        validityDays: Int = defaultValidityDays
    ) throws(CertificateError) -> Bool {
        switch (exists(certificatePath), exists(keyPath)) {
        case (true, true): return false
        case (true, false): throw .incompletePair(present: certificatePath, missing: keyPath)
        case (false, true): throw .incompletePair(present: keyPath, missing: certificatePath)
        case (false, false): break
        }
        let material = try CertificateMaterial(commonName: nil, dnsNames: dnsNames, ipAddresses: ipAddresses, validityDays: validityDays)
        try writeNewFile(keyPath, mode: 0o600, operation: "PEM_write_bio_PrivateKey") {
            PEM_write_bio_PrivateKey($0, material.key, nil, nil, 0, nil, nil)
        }
        do {
            try writeNewFile(certificatePath, mode: 0o644, operation: "PEM_write_bio_X509") {
                PEM_write_bio_X509($0, material.certificate)
            }
        } catch {
            // Do not leave half a pair behind: the next start would refuse it.
            unlink(keyPath)
            throw error
        }
        return true
    }

    // MARK: Building the certificate

    /// An owned key and certificate, freed together.
    private final class CertificateMaterial {
        let key: OpaquePointer
        let certificate: OpaquePointer

        init(commonName: String?, dnsNames: [String], ipAddresses: [String], validityDays: Int) throws(CertificateError) {
            let dnsNames = try validatedDNSNames(dnsNames)
            let ipAddresses = try validatedIPAddresses(ipAddresses)
            guard let subjectName = commonName ?? (dnsNames + ipAddresses).first(where: { $0.utf8.count <= 64 }) else {
                throw .invalidRequest("at least one DNS name or IP address is required")
            }
            guard !subjectName.isEmpty, subjectName.utf8.count <= 64 else {
                throw .invalidRequest("the common name must be 1 to 64 bytes long")
            }
            guard (1...3650).contains(validityDays) else {
                throw .invalidRequest("validity must be 1 to 3650 days, not \(validityDays)")
            }

            guard let key = sd_EVP_EC_gen_P256() else { throw .openSSL(.drain("EVP_EC_gen(P-256)")) }
            guard let certificate = X509_new() else {
                EVP_PKEY_free(key)
                throw .openSSL(.drain("X509_new"))
            }
            self.key = key
            self.certificate = certificate  // from here on, deinit frees both

            do throws(OpenSSLError) {
                try check(X509_set_version(certificate, Int(X509_VERSION_3)), "X509_set_version")
                try setRandomSerial(certificate)
                // Five minutes of slack for clients whose clocks run slightly behind ours.
                guard X509_gmtime_adj(X509_getm_notBefore(certificate), -300) != nil,
                      X509_gmtime_adj(X509_getm_notAfter(certificate), validityDays * 86_400) != nil
                else { throw OpenSSLError.drain("X509_gmtime_adj") }
                try check(X509_set_pubkey(certificate, key), "X509_set_pubkey")

                let name = X509_get_subject_name(certificate)
                try check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, subjectName, -1, -1, 0), "X509_NAME_add_entry_by_txt(CN)")
                try check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, "SecureDrop self-signed", -1, -1, 0), "X509_NAME_add_entry_by_txt(O)")
                try check(X509_set_issuer_name(certificate, name), "X509_set_issuer_name")

                // The names are validated above (no commas, no colons outside IPv6
                // addresses), so this configuration string cannot smuggle in other entries.
                let alternativeNames = (dnsNames.map { "DNS:\($0)" } + ipAddresses.map { "IP:\($0)" }).joined(separator: ",")
                try addExtension(certificate, NID_subject_alt_name, alternativeNames)
                try addExtension(certificate, NID_basic_constraints, "critical,CA:FALSE")
                try addExtension(certificate, NID_key_usage, "critical,digitalSignature")
                try addExtension(certificate, NID_ext_key_usage, "serverAuth")
                try addExtension(certificate, NID_subject_key_identifier, "hash")
                // Strict verifiers (urllib3 2, Python 3.13's VERIFY_X509_STRICT) expect an AKI
                // on an end-entity certificate; it repeats the SKI above, so it must follow it.
                try addExtension(certificate, NID_authority_key_identifier, "keyid:always")

                guard X509_sign(certificate, key, EVP_sha256()) > 0 else { throw OpenSSLError.drain("X509_sign") }
            } catch {
                throw .openSSL(error)
            }
        }

        deinit {
            X509_free(certificate)
            EVP_PKEY_free(key)
        }
    }

    private static func validatedDNSNames(_ names: [String]) throws(CertificateError) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for name in names {
            guard isValidDNSName(name) else { throw .invalidRequest("\"\(name.prefix(80))\" is not a valid DNS name") }
            if seen.insert(name.lowercased()).inserted { result.append(name) }
        }
        return result
    }

    /// A host name as the configuration accepts it (``NetworkSyntax/isHostName(_:)``), or
    /// `*.` followed by one. Nothing else, so names cannot break the SAN configuration string.
    static func isValidDNSName(_ name: String) -> Bool {
        NetworkSyntax.isHostName(name.hasPrefix("*.") ? String(name.dropFirst(2)) : name)
    }

    private static func validatedIPAddresses(_ addresses: [String]) throws(CertificateError) -> [String] {
        var seen = Set<[UInt8]>()
        var result: [String] = []
        for address in addresses {
            var buffer = [UInt8](repeating: 0, count: 16)
            let bytes: [UInt8]
            if inet_pton(AF_INET, address, &buffer) == 1 {
                bytes = Array(buffer.prefix(4))
            } else if inet_pton(AF_INET6, address, &buffer) == 1 {
                bytes = buffer
            } else {
                throw .invalidRequest("\"\(address.prefix(80))\" is not an IPv4 or IPv6 address")
            }
            if seen.insert(bytes).inserted { result.append(address) }
        }
        return result
    }

    private static func check(_ result: Int32, _ operation: String) throws(OpenSSLError) {
        guard result == 1 else { throw .drain(operation) }
    }

    /// 16 random bytes with the top bit cleared: a positive serial of 127 random bits that
    /// DER-encodes in 16 octets (RFC 5280 allows up to 20).
    private static func setRandomSerial(_ certificate: OpaquePointer) throws(OpenSSLError) {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&bytes, Int32(bytes.count)) == 1 else { throw .drain("RAND_bytes") }
        bytes[0] &= 0x7F
        guard let number = BN_bin2bn(bytes, Int32(bytes.count), nil) else { throw .drain("BN_bin2bn") }
        defer { BN_free(number) }
        guard let serial = X509_get_serialNumber(certificate), BN_to_ASN1_INTEGER(number, serial) != nil else {
            throw .drain("BN_to_ASN1_INTEGER")
        }
    }

    private static func addExtension(_ certificate: OpaquePointer, _ nid: Int32, _ value: String) throws(OpenSSLError) {
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, certificate, certificate, nil, nil, 0)
        guard let `extension` = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
            throw .drain("X509V3_EXT_conf_nid(\(String(cString: OBJ_nid2sn(nid))))")
        }
        defer { X509_EXTENSION_free(`extension`) }
        try check(X509_add_ext(certificate, `extension`, -1), "X509_add_ext")
    }

    // MARK: Output

    /// Runs a PEM writer against a memory BIO and returns what it wrote. `secure` uses a
    /// BIO whose buffer OpenSSL wipes when it is freed, and wipes the copy made here.
    private static func pemString(secure: Bool, _ write: (OpaquePointer) -> Int32) throws(OpenSSLError) -> String {
        guard let bio = BIO_new(secure ? BIO_s_secmem() : BIO_s_mem()) else { throw .drain("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw .drain("PEM_write_bio") }
        let length = sd_BIO_pending(bio)
        var bytes = [UInt8](repeating: 0, count: length)
        defer { bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        guard BIO_read(bio, &bytes, Int32(length)) == Int32(length) else { throw .drain("BIO_read") }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether anything is at `path`, without following a final symbolic link (attributes of
    /// the link itself), so that a dangling link counts as present and is never replaced.
    private static func exists(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)) != nil
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Creates `path` with `mode` and the bytes an OpenSSL PEM writer produces, atomically and
    /// without replacing an existing file: temporary file (`O_EXCL`, `mode` from the start),
    /// fsync, hard link to the final name (fails if it exists; `rename` where the file system
    /// has no hard links), fsync of the directory.
    private static func writeNewFile(
        _ path: String,
        mode: mode_t,
        operation: String,
        _ write: (OpaquePointer) -> Int32
    ) throws(CertificateError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        if !exists(directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .cannotWrite(path: directory, reason: error.localizedDescription)
            }
        }
        let temporary = "\(directory)/.\(url.lastPathComponent).\(UInt64.random(in: .min ... .max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, reason: errnoText()) }
        // The umask (shared by every thread) can only have narrowed `mode`; make it exact.
        guard fchmod(descriptor, mode) == 0 else {
            let reason = errnoText()
            close(descriptor)
            unlink(temporary)
            throw .cannotWrite(path: path, reason: reason)
        }
        // Once linked (or on failure) the temporary name goes; after a rename it is gone already.
        defer { unlink(temporary) }

        // The fd BIO writes straight into the file: no copy of the bytes stays in memory.
        guard let bio = BIO_new_fd(descriptor, BIO_CLOSE) else {
            close(descriptor)
            throw .openSSL(.drain("BIO_new_fd"))
        }
        let wrote = write(bio) == 1
        let error = wrote ? nil : OpenSSLError.drain(operation)
        let synced = wrote && fsync(descriptor) == 0
        let syncError = errnoText()
        BIO_free(bio)  // closes the descriptor
        if let error { throw .openSSL(error) }
        guard synced else { throw .cannotWrite(path: path, reason: syncError) }

        if link(temporary, path) != 0 {
            switch errno {
            case EEXIST:
                throw .cannotWrite(path: path, reason: "it appeared while the certificate was being generated; is another instance starting?")
            case EPERM, EOPNOTSUPP, ENOSYS, EMLINK:
                guard rename(temporary, path) == 0 else { throw .cannotWrite(path: path, reason: errnoText()) }
            default:
                throw .cannotWrite(path: path, reason: errnoText())
            }
        }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}
