import COpenSSL
import Foundation

/// Why a certificate could not be generated or written.
public enum CertificateError: Error, CustomStringConvertible, Sendable {
    case openSSL(OpenSSLError)
    /// Only one file of the pair exists: generating would orphan or overwrite it.
    case incompletePair(present: String, missing: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .openSSL(let error): "generating the certificate failed: \(error)"
        case .incompletePair(let present, let missing):
            "\(present) exists but \(missing) does not; restore it, or remove both to generate a new pair"
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}

/// A self-signed P-256 certificate for first starts and local use, so that `make run` serves
/// HTTPS at once. Clients trust it explicitly (`--cacert certs/cert.pem`) or by its public
/// key pin; production sites point SECUREDROP_TLS_CERT/KEY at a CA-issued pair instead.
public enum SelfSignedCertificate {
    /// A PEM certificate and its PEM private key.
    public struct Pair: Sendable {
        public let certificatePEM: String
        public let privateKeyPEM: String
    }

    /// Generates a certificate valid for `dnsNames` and `ipAddresses`.
    ///
    /// It is an end-entity certificate (CA:FALSE, serverAuth) that OpenSSL, curl, Python's
    /// ssl and requests (with urllib3's strict X.509 checks) accept as its own trust anchor,
    /// with hostname checks against the SAN entries.
    public static func generate(
        commonName: String = "localhost",
        dnsNames: [String],
        ipAddresses: [String],
        validityDays: Int = 397
    ) throws(CertificateError) -> Pair {
        guard let key = sd_EVP_EC_gen_P256() else { throw .openSSL(.drain("generating a P-256 key")) }
        defer { EVP_PKEY_free(key) }
        guard let certificate = X509_new() else { throw .openSSL(.drain("X509_new")) }
        defer { X509_free(certificate) }

        do {
            try check(X509_set_version(certificate, 2), "X509_set_version")  // v3
            try setRandomSerial(certificate)
            // Five minutes of slack for clocks slightly behind ours.
            try check(X509_gmtime_adj(X509_getm_notBefore(certificate), -300) != nil ? 1 : 0, "notBefore")
            try check(X509_gmtime_adj(X509_getm_notAfter(certificate), validityDays * 86400) != nil ? 1 : 0, "notAfter")
            try check(X509_set_pubkey(certificate, key), "X509_set_pubkey")

            let name = X509_get_subject_name(certificate)
            try check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, commonName, -1, -1, 0), "subject CN")
            try check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, "SecureDrop self-signed", -1, -1, 0), "subject O")
            try check(X509_set_issuer_name(certificate, name), "X509_set_issuer_name")

            let alternativeNames = (dnsNames.map { "DNS:\($0)" } + ipAddresses.map { "IP:\($0)" }).joined(separator: ",")
            try addExtension(certificate, NID_subject_alt_name, alternativeNames)
            try addExtension(certificate, NID_basic_constraints, "critical,CA:FALSE")
            try addExtension(certificate, NID_key_usage, "critical,digitalSignature")
            try addExtension(certificate, NID_ext_key_usage, "serverAuth")
            try addExtension(certificate, NID_subject_key_identifier, "hash")
            // Strict verifiers (urllib3 2, Python 3.13) demand an AKI on a certificate that
            // is not a CA; it must follow the SKI it refers to.
            try addExtension(certificate, NID_authority_key_identifier, "keyid:always")

            guard X509_sign(certificate, key, EVP_sha256()) > 0 else { throw OpenSSLError.drain("X509_sign") }
            return Pair(
                certificatePEM: try pem { PEM_write_bio_X509($0, certificate) },
                privateKeyPEM: try pem { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
            )
        } catch let error as OpenSSLError {
            throw .openSSL(error)
        } catch {
            throw .openSSL(OpenSSLError(operation: "generating a certificate", reasons: ["\(error)"]))
        }
    }

    /// Writes a new pair at these paths unless both exist already.
    ///
    /// The key file is created 0600 with `O_EXCL` (never readable by others, not even for
    /// an instant), both files go through a temporary name and `rename`, and the directory is
    /// created 0700 when missing.
    ///
    /// - Returns: true when a pair was written, false when both files already existed.
    @discardableResult
    public static func writeIfMissing(
        certificatePath: String,
        keyPath: String,
        dnsNames: [String],
        ipAddresses: [String]
    ) throws(CertificateError) -> Bool {
        let files = FileManager.default
        switch (files.fileExists(atPath: certificatePath), files.fileExists(atPath: keyPath)) {
        case (true, true): return false
        case (true, false): throw .incompletePair(present: certificatePath, missing: keyPath)
        case (false, true): throw .incompletePair(present: keyPath, missing: certificatePath)
        case (false, false): break
        }
        let pair = try generate(commonName: dnsNames.first ?? "localhost", dnsNames: dnsNames, ipAddresses: ipAddresses)
        try writeAtomically(pair.privateKeyPEM, to: keyPath, mode: 0o600)
        try writeAtomically(pair.certificatePEM, to: certificatePath, mode: 0o644)
        return true
    }

    // MARK: Helpers

    private static func check(_ result: Int32, _ operation: String) throws(OpenSSLError) {
        guard result == 1 else { throw .drain(operation) }
    }

    private static func setRandomSerial(_ certificate: OpaquePointer) throws(OpenSSLError) {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&bytes, Int32(bytes.count)) == 1 else { throw .drain("RAND_bytes") }
        bytes[0] &= 0x7F  // positive, as RFC 5280 requires
        guard let number = BN_bin2bn(bytes, Int32(bytes.count), nil) else { throw .drain("BN_bin2bn") }
        defer { BN_free(number) }
        guard let serial = X509_get_serialNumber(certificate), BN_to_ASN1_INTEGER(number, serial) != nil else {
            throw .drain("setting the serial number")
        }
    }

    private static func addExtension(_ certificate: OpaquePointer, _ nid: Int32, _ value: String) throws(OpenSSLError) {
        guard sd_X509_add_self_signed_ext(certificate, nid, value) == 1 else {
            throw .drain("certificate extension \(String(cString: OBJ_nid2sn(nid)))")
        }
    }

    /// Runs a PEM writer against a memory BIO and returns what it wrote.
    private static func pem(_ write: (OpaquePointer) -> Int32) throws(OpenSSLError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw .drain("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw .drain("PEM encoding") }
        let length = sd_BIO_pending(bio)
        var bytes = [UInt8](repeating: 0, count: length)
        guard BIO_read(bio, &bytes, Int32(length)) == Int32(length) else { throw .drain("BIO_read") }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func writeAtomically(_ contents: String, to path: String, mode: mode_t) throws(CertificateError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .cannotWrite(path: directory, reason: "\(error.localizedDescription)")
            }
        }
        let temporary = directory + "/.\(url.lastPathComponent).\(UInt32.random(in: .min ... .max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        fchmod(descriptor, mode)  // the process umask (shared by every thread) must not decide
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .cannotWrite(path: path, reason: reason)
        }
    }
}
