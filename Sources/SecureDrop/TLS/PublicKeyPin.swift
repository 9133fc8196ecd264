import COpenSSL
import Foundation

/// Temporary minimal pin; replaced by the full implementation.
public struct PublicKeyPin: Sendable, Equatable, CustomStringConvertible {
    public let sha256: [UInt8]
    public init(sha256: [UInt8]) { self.sha256 = sha256 }
    public init(certificate: OpaquePointer) throws {
        guard let key = X509_get_X509_PUBKEY(certificate) else { throw OpenSSLError.drain("X509_get_X509_PUBKEY") }
        var der: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_X509_PUBKEY(key, &der)
        guard length > 0, let der else { throw OpenSSLError.drain("i2d_X509_PUBKEY") }
        defer { sd_OPENSSL_free(der) }
        var digest = [UInt8](repeating: 0, count: 32)
        _ = SHA256(der, Int(length), &digest)
        self.sha256 = digest
    }
    public init(parsing text: String) throws {
        guard text.hasPrefix("sha256:"), let data = Data(base64Encoded: String(text.dropFirst(7))), data.count == 32 else { throw OpenSSLError(operation: "pin", reasons: []) }
        sha256 = Array(data)
    }
    public init(certificateFile: String) throws {
        guard let file = fopen(certificateFile, "r") else { throw OpenSSLError(operation: "open", reasons: []) }
        defer { fclose(file) }
        guard let cert = PEM_read_X509(file, nil, nil, nil) else { throw OpenSSLError.drain("PEM_read_X509") }
        defer { X509_free(cert) }
        try self.init(certificate: cert)
    }
    public var description: String { "sha256:" + Data(sha256).base64EncodedString() }
}
