import COpenSSL
public import NIOCore

/// Incremental SHA-256 on OpenSSL's EVP interface, for data that arrives in pieces
/// (uploads, downloads) and must never be held whole in memory.
///
/// Not thread-safe; one hasher per stream.
public final class SHA256Hasher {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            // Only an out-of-memory condition gets here; nothing sensible can continue.
            fatalError("OpenSSL could not initialise SHA-256: \(OpenSSLError.drain("EVP_DigestInit_ex"))")
        }
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    public func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { update($0) }
    }

    public func update(_ bytes: some Sequence<UInt8>) {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// The digest of everything fed so far; the hasher must not be used afterwards.
    public func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest
    }

    /// Lower-case hexadecimal, the form used in ETags and the API.
    public func finishHex() -> String {
        finish().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

@available(*, unavailable)
extension SHA256Hasher: Sendable {}
