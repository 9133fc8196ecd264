import COpenSSL
import Foundation

/// Why a pin could not be read.
public enum PublicKeyPinError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The text is not `sha256:<base64 of 32 bytes>` (or curl's `sha256//<base64>`).
    case malformed(text: String, reason: String)
    /// No certificate could be read (`path` is `(memory)` for a PEM string).
    case unreadableCertificate(path: String, reason: String)

    public var description: String {
        switch self {
        case .malformed(let text, let reason):
            "\"\(text.prefix(80))\" is not a public key pin (\(reason)); expected sha256: followed by the base64 SHA-256 of the SubjectPublicKeyInfo, 44 characters"
        case .unreadableCertificate(let path, let reason):
            "cannot read a certificate from \(path): \(reason)"
        }
    }
}

/// The SHA-256 of a certificate's DER SubjectPublicKeyInfo: the identity a client can pin to
/// trust one self-signed server without a CA (RFC 7469's pin, curl's `--pinnedpubkey`).
///
/// Written `sha256:<base64>`; curl's `sha256//<base64>` is accepted too. The same value as
/// `openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der |
/// openssl dgst -sha256 -binary | base64`. It survives certificate renewal as long as the
/// key is kept.
public struct PublicKeyPin: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The 32 bytes of the SHA-256 digest.
    public let digest: [UInt8]

    public static let prefix = "sha256:"
    public static let curlPrefix = "sha256//"

    /// A pin from its 32-byte digest.
    public init(digest: [UInt8]) throws(PublicKeyPinError) {
        guard digest.count == Int(SHA256_DIGEST_LENGTH) else {
            throw .malformed(text: Data(digest).base64EncodedString(), reason: "the digest is \(digest.count) bytes, not 32")
        }
        self.digest = digest
    }

    /// Parses `sha256:<base64>` or `sha256//<base64>` (surrounding whitespace is ignored).
    public init(parsing text: String) throws(PublicKeyPinError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let encoded: Substring
        if trimmed.hasPrefix(Self.prefix) {
            encoded = trimmed.dropFirst(Self.prefix.count)
        } else if trimmed.hasPrefix(Self.curlPrefix) {
            encoded = trimmed.dropFirst(Self.curlPrefix.count)
        } else {
            throw .malformed(text: text, reason: "it does not start with sha256: or sha256//")
        }
        guard !encoded.isEmpty else { throw .malformed(text: text, reason: "the digest is missing") }
        guard let data = Data(base64Encoded: String(encoded)) else {
            throw .malformed(text: text, reason: "the digest is not valid base64")
        }
        guard data.count == Int(SHA256_DIGEST_LENGTH) else {
            throw .malformed(text: text, reason: "the digest is \(data.count) bytes, not 32")
        }
        self.digest = Array(data)
    }

    /// The pin of an `X509*`'s public key (the TLS handler passes the peer certificate).
    /// The certificate is only read; the caller keeps ownership.
    init(certificate: OpaquePointer) throws(OpenSSLError) {
        guard let key = X509_get_X509_PUBKEY(certificate) else { throw .drain("X509_get_X509_PUBKEY") }
        var der: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_X509_PUBKEY(key, &der)
        guard length > 0, let der else { throw .drain("i2d_X509_PUBKEY") }
        defer { sd_OPENSSL_free(der) }
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        guard EVP_Digest(der, Int(length), &digest, nil, EVP_sha256(), nil) == 1 else { throw .drain("EVP_Digest(SHA-256)") }
        self.digest = digest
    }

    /// The pin of the first certificate in a PEM string.
    public init(certificatePEM: String) throws(PublicKeyPinError) {
        var pem = Array(certificatePEM.utf8)
        // A memory BIO over `pem` borrows the bytes: it must not outlive this closure.
        let result: Result<PublicKeyPin, PublicKeyPinError> = pem.withUnsafeMutableBytes { buffer in
            guard buffer.count < Int(Int32.max) else {
                return .failure(.unreadableCertificate(path: "(memory)", reason: "the text is too long for a certificate"))
            }
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else {
                return .failure(.unreadableCertificate(path: "(memory)", reason: "\(OpenSSLError.drain("BIO_new_mem_buf"))"))
            }
            defer { BIO_free(bio) }
            return Result { () throws(PublicKeyPinError) in try PublicKeyPin(readingFrom: bio, path: "(memory)") }
        }
        self = try result.get()
    }

    /// The pin of the first certificate in a PEM file (the leaf of a chain file).
    public init(certificateFile path: String) throws(PublicKeyPinError) {
        guard let bio = BIO_new_file(path, "r") else {
            let reason = String(cString: strerror(errno))
            _ = OpenSSLError.drain("BIO_new_file")  // the same reason, in OpenSSL's words
            throw .unreadableCertificate(path: path, reason: reason)
        }
        defer { BIO_free(bio) }
        try self.init(readingFrom: bio, path: path)
    }

    private init(readingFrom bio: OpaquePointer, path: String) throws(PublicKeyPinError) {
        guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
            throw .unreadableCertificate(path: path, reason: "no PEM certificate (\(OpenSSLError.drain("PEM_read_bio_X509")))")
        }
        defer { X509_free(certificate) }
        do {
            try self.init(certificate: certificate)
        } catch {
            throw .unreadableCertificate(path: path, reason: "\(error)")
        }
    }

    /// The digest in standard base64 (44 characters).
    public var base64: String { Data(digest).base64EncodedString() }

    /// `sha256//<base64>`, the form curl's `--pinnedpubkey` takes.
    public var curlPinnedPublicKey: String { Self.curlPrefix + base64 }

    /// `sha256:<base64>`.
    public var description: String { Self.prefix + base64 }
}
