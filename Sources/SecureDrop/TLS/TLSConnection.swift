import COpenSSL
import NIOCore

/// One TLS session over two OpenSSL memory BIOs: ciphertext from the network is written into
/// `networkIn`, ciphertext for the network is read out of `networkOut`, and OpenSSL never
/// touches a socket. This keeps all I/O in SwiftNIO, where backpressure and event-loop
/// scheduling already live; ``TLSHandler`` drives this type and owns its state machine.
///
/// Not thread-safe: used only from its channel's event loop.
final class TLSConnection {
    /// What a call into OpenSSL asks of the caller next.
    enum Progress {
        /// Done; nothing more is owed.
        case complete
        /// OpenSSL needs more ciphertext from the peer before it can continue.
        case wantsMoreInput
        /// The peer sent `close_notify`: its side of the stream ended cleanly.
        case closedByPeer
        /// A protocol or configuration failure; the connection is unusable.
        case failed(OpenSSLError)
    }

    private let ssl: OpaquePointer
    private let networkIn: OpaquePointer
    private let networkOut: OpaquePointer
    /// Keeps the context (and so the certificate) alive as long as the session.
    let context: TLSContext

    init(context: TLSContext, serverHostname: String?) throws(OpenSSLError) {
        guard let ssl = SSL_new(context.pointer) else { throw .drain("SSL_new") }
        guard let networkIn = BIO_new(BIO_s_mem()), let networkOut = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw .drain("BIO_new")
        }
        // An empty input BIO means "no data yet", never end of file: EOF is signalled by
        // the channel (inputClosed), not by OpenSSL guessing.
        _ = sd_BIO_set_mem_eof_return(networkIn, -1)
        _ = sd_BIO_set_mem_eof_return(networkOut, -1)
        SSL_set_bio(ssl, networkIn, networkOut)  // the SSL object now owns both BIOs
        self.ssl = ssl
        self.networkIn = networkIn
        self.networkOut = networkOut
        self.context = context

        switch context.role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client(let trust):
            SSL_set_connect_state(ssl)
            if let serverHostname {
                try configureServerIdentity(serverHostname, trust: trust)
            }
        }
    }

    deinit {
        SSL_free(ssl)
    }

    private func configureServerIdentity(_ hostname: String, trust: TLSContext.ClientTrust) throws(OpenSSLError) {
        let isIPAddress = hostname.contains(":") || hostname.allSatisfy { $0.isNumber || $0 == "." }
        if !isIPAddress {
            // SNI carries names only, never addresses (RFC 6066 §3).
            guard sd_SSL_set_tlsext_host_name(ssl, hostname) == 1 else { throw .drain("SSL_set_tlsext_host_name") }
        }
        if case .publicKeyPin = trust { return }
        let parameters = SSL_get0_param(ssl)
        let accepted = isIPAddress
            ? X509_VERIFY_PARAM_set1_ip_asc(parameters, hostname)
            : X509_VERIFY_PARAM_set1_host(parameters, hostname, 0)
        guard accepted == 1 else { throw .drain("setting the expected server name \(hostname)") }
    }

    // MARK: Handshake and records

    func handshake() -> Progress {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        return result == 1 ? .complete : progress(after: result, operation: "TLS handshake")
    }

    var isHandshakeComplete: Bool { SSL_is_init_finished(ssl) == 1 }

    /// Hands ciphertext received from the network to OpenSSL.
    func receive(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let chunk = min(bytes.count - offset, Int(Int32.max))
                // A memory BIO grows as needed; writes into it cannot fail short.
                let written = BIO_write(networkIn, bytes.baseAddress! + offset, Int32(chunk))
                precondition(written == Int32(chunk), "memory BIO refused input")
                offset += chunk
            }
        }
    }

    /// Decrypts as much application data as OpenSSL has, appending it to `buffer`, until
    /// `limit` bytes are in it. Returns `.wantsMoreInput` when everything received so far
    /// has been decrypted, `.complete` when `limit` was reached first.
    func decrypt(into buffer: inout ByteBuffer, limit: Int) -> Progress {
        while buffer.readableBytes < limit {
            ERR_clear_error()
            var outcome: Int32 = 1
            let room = min(limit - buffer.readableBytes, 16 * 1024)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: room) { destination in
                var count = 0
                outcome = SSL_read_ex(ssl, destination.baseAddress, destination.count, &count)
                return outcome == 1 ? count : 0
            }
            if outcome != 1 {
                return progress(after: outcome, operation: "reading a TLS record")
            }
        }
        return .complete
    }

    /// Encrypts application data into the outgoing BIO; collect it with ``takeCiphertext(allocator:)``.
    func encrypt(_ buffer: ByteBuffer) -> Progress {
        guard buffer.readableBytes > 0 else { return .complete }
        ERR_clear_error()
        var outcome: Int32 = 1
        buffer.withUnsafeReadableBytes { bytes in
            var written = 0
            // Without SSL_MODE_ENABLE_PARTIAL_WRITE and with a growable memory BIO, one call
            // writes everything or fails.
            outcome = SSL_write_ex(ssl, bytes.baseAddress, bytes.count, &written)
        }
        return outcome == 1 ? .complete : progress(after: outcome, operation: "writing a TLS record")
    }

    /// Queues our `close_notify` alert. Safe to call more than once.
    func shutdown() {
        ERR_clear_error()
        if SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN == 0 {
            _ = SSL_shutdown(ssl)
        }
        ERR_clear_error()
    }

    /// Moves everything OpenSSL has produced for the network into one buffer, or nil.
    func takeCiphertext(allocator: ByteBufferAllocator) -> ByteBuffer? {
        let pending = sd_BIO_pending(networkOut)
        guard pending > 0 else { return nil }
        var buffer = allocator.buffer(capacity: pending)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { destination in
            Int(max(0, BIO_read(networkOut, destination.baseAddress, Int32(pending))))
        }
        return buffer
    }

    private func progress(after result: Int32, operation: String) -> Progress {
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            ERR_clear_error()
            return .wantsMoreInput
        case SSL_ERROR_ZERO_RETURN:
            ERR_clear_error()
            return .closedByPeer
        default:
            return .failed(.drain(operation))
        }
    }

    // MARK: Negotiated parameters

    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>? = nil
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    var cipherSuite: String {
        guard let cipher = SSL_get_current_cipher(ssl) else { return "none" }
        return String(cString: SSL_CIPHER_get_name(cipher))
    }

    var requestedServerName: String? {
        SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
    }

    var wasResumed: Bool { SSL_session_reused(ssl) == 1 }

    /// The outcome of chain and hostname verification (`X509_V_OK` when it passed).
    var verificationResult: Int { Int(SSL_get_verify_result(ssl)) }

    /// The SPKI pin of the peer's certificate, if it sent one.
    func peerPublicKeyPin() throws -> PublicKeyPin? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        return try PublicKeyPin(certificate: certificate)
    }
}
