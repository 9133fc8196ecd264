import COpenSSL
import Foundation

/// Why a pin could not be read.
public enum PublicKeyPinError: Error, CustomStringConvertible, Sendable, Equatable {
    case malformed(String)
    case unreadableCertificate(path: String, reason: String)

    public var description: String {
        switch self {
        case .malformed(let text):
            "\"\(text.prefix(80))\" is not a public key pin; expected sha256: followed by 44 base64 characters"
        case .unreadableCertificate(let path, let reason):
            "cannot read a certificate from \(path): \(reason)"
        }
    }
}

/// The SHA-256 of a certificate's SubjectPublicKeyInfo: the identity a client can pin to
/// trust one self-signed server without a CA (RFC 7469's pin, curl's `--pinnedpubkey`).
///
/// Written `sha256:<base64>`; curl's `sha256//<base64>` is accepted too. The pin survives
/// certificate renewal as long as the key is kept.
public struct PublicKeyPin: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let digest: [UInt8]

    public init(digest: [UInt8]) {
        self.digest = digest
    }

    public init(parsing text: String) throws(PublicKeyPinError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let encoded: Substring
        if trimmed.hasPrefix("sha256:") {
            encoded = trimmed.dropFirst("sha256:".count)
        } else if trimmed.hasPrefix("sha256//") {
            encoded = trimmed.dropFirst("sha256//".count)
        } else {
            throw .malformed(text)
        }
        guard let data = Data(base64Encoded: String(encoded)), data.count == 32 else { throw .malformed(text) }
        self.digest = Array(data)
    }

    /// The pin of an `X509*`'s public key.
    init(certificate: OpaquePointer) throws(OpenSSLError) {
        guard let key = X509_get_X509_PUBKEY(certificate) else { throw .drain("X509_get_X509_PUBKEY") }
        var der: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_X509_PUBKEY(key, &der)
        guard length > 0, let der else { throw .drain("i2d_X509_PUBKEY") }
        defer { sd_OPENSSL_free(der) }
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        guard SHA256(der, Int(length), &digest) != nil else { throw .drain("SHA256") }
        self.digest = digest
    }

    /// The pin of the first certificate in a PEM string.
    public init(certificatePEM: String) throws(PublicKeyPinError) {
        let bytes = Array(certificatePEM.utf8)
        guard let bio = BIO_new_mem_buf(bytes, Int32(bytes.count)) else {
            throw .unreadableCertificate(path: "(memory)", reason: "\(OpenSSLError.drain("BIO_new_mem_buf"))")
        }
        defer { BIO_free(bio) }
        try self.init(readingFrom: bio, path: "(memory)")
    }

    /// The pin of the first certificate in a PEM file (the leaf of a chain file).
    public init(certificateFile path: String) throws(PublicKeyPinError) {
        guard let bio = BIO_new_file(path, "r") else {
            throw .unreadableCertificate(path: path, reason: "\(OpenSSLError.drain("opening the file"))")
        }
        defer { BIO_free(bio) }
        try self.init(readingFrom: bio, path: path)
    }

    private init(readingFrom bio: OpaquePointer, path: String) throws(PublicKeyPinError) {
        guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
            throw .unreadableCertificate(path: path, reason: "\(OpenSSLError.drain("PEM_read_bio_X509"))")
        }
        defer { X509_free(certificate) }
        do {
            try self.init(certificate: certificate)
        } catch {
            throw .unreadableCertificate(path: path, reason: "\(error)")
        }
    }

    public var description: String {
        "sha256:" + Data(digest).base64EncodedString()
    }
}
