import COpenSSL

/// A configured OpenSSL `SSL_CTX`, the template every connection is created from.
///
/// A context is fully configured in its initializer and never changed afterwards; OpenSSL
/// allows `SSL_new` on a finished context from any thread, which is why the type can be
/// `Sendable` even though it wraps a C pointer. Reloading a certificate means building a new
/// context (see ``TLSContextProvider``); connections keep the one they started with.
public final class TLSContext: @unchecked Sendable {
    /// Which end of the handshake connections made from this context play.
    public enum Role: Sendable {
        case server
        case client(ClientTrust)
    }

    /// How a client decides to trust the server it talks to.
    public enum ClientTrust: Sendable, Equatable {
        /// The operating system's CA bundle, with hostname verification.
        case systemDefault
        /// CAs (or a self-signed certificate) from a PEM file, with hostname verification.
        case certificateAuthorities(file: String)
        /// Exactly one server key, identified by the SHA-256 of its SubjectPublicKeyInfo.
        /// Chain and hostname are not consulted: the pin *is* the identity (as with curl's
        /// `--pinnedpubkey`), which is what makes a self-signed server usable safely.
        case publicKeyPin(PublicKeyPin)
    }

    /// TLS 1.2 suites from Mozilla's "intermediate" profile, ECDHE only (SPEC §2).
    /// TLS 1.3 suites are OpenSSL's defaults, which are exactly Mozilla's list.
    static let tls12Ciphers = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")
    static let tls13Ciphersuites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
    static let groups = "X25519:P-256:P-384"

    let pointer: OpaquePointer
    public let role: Role

    /// A server context presenting the PEM certificate chain and private key in these files.
    public static func server(certificateChainFile: String, privateKeyFile: String) throws(OpenSSLError) -> TLSContext {
        let context = try TLSContext(role: .server)
        try context.configureServer(certificateChainFile: certificateChainFile, privateKeyFile: privateKeyFile)
        return context
    }

    /// A client context trusting servers as `trust` says.
    ///
    /// - Parameters:
    ///   - minimumVersion / maximumVersion: protocol bounds; only tests widen these, to check
    ///     that a server refuses what it must refuse.
    public static func client(
        trust: ClientTrust,
        minimumVersion: Int32 = TLS1_2_VERSION,
        maximumVersion: Int32 = TLS1_3_VERSION
    ) throws(OpenSSLError) -> TLSContext {
        let context = try TLSContext(role: .client(trust), minimumVersion: minimumVersion, maximumVersion: maximumVersion)
        try context.configureClient(trust: trust)
        return context
    }

    private init(role: Role, minimumVersion: Int32 = TLS1_2_VERSION, maximumVersion: Int32 = TLS1_3_VERSION) throws(OpenSSLError) {
        let method: OpaquePointer? = switch role {
        case .server: TLS_server_method()
        case .client: TLS_client_method()
        }
        guard let pointer = SSL_CTX_new(method) else { throw .drain("SSL_CTX_new") }
        self.pointer = pointer
        self.role = role

        if minimumVersion < TLS1_2_VERSION {
            // Only reachable from tests that impersonate an outdated client: OpenSSL's
            // default security level would refuse the old protocol on our side already.
            SSL_CTX_set_security_level(pointer, 0)
        }
        guard sd_SSL_CTX_set_min_proto_version(pointer, minimumVersion) == 1,
              sd_SSL_CTX_set_max_proto_version(pointer, maximumVersion) == 1
        else { throw .drain("SSL_CTX_set_min/max_proto_version") }

        let cipherList = minimumVersion < TLS1_2_VERSION ? "DEFAULT:@SECLEVEL=0" : Self.tls12Ciphers
        guard SSL_CTX_set_cipher_list(pointer, cipherList) == 1,
              SSL_CTX_set_ciphersuites(pointer, Self.tls13Ciphersuites) == 1,
              sd_SSL_CTX_set1_groups_list(pointer, Self.groups) == 1
        else { throw .drain("SSL_CTX cipher configuration") }

        // No compression (CRIME), no renegotiation (SPEC §2). Server cipher preference stays
        // off: every suite on the list is strong, so the client may pick what is fastest
        // for it (Mozilla intermediate).
        SSL_CTX_set_options(pointer, sd_SSL_OP_NO_COMPRESSION() | sd_SSL_OP_NO_RENEGOTIATION())
        // Idle connections give their 34 KiB of record buffers back.
        _ = sd_SSL_CTX_set_mode(pointer, sd_SSL_MODE_RELEASE_BUFFERS())
    }

    deinit {
        SSL_CTX_free(pointer)
    }

    private func configureServer(certificateChainFile: String, privateKeyFile: String) throws(OpenSSLError) {
        guard SSL_CTX_use_certificate_chain_file(pointer, certificateChainFile) == 1 else {
            throw .drain("loading certificate chain \(certificateChainFile)")
        }
        guard SSL_CTX_use_PrivateKey_file(pointer, privateKeyFile, SSL_FILETYPE_PEM) == 1 else {
            throw .drain("loading private key \(privateKeyFile)")
        }
        guard SSL_CTX_check_private_key(pointer) == 1 else {
            throw .drain("checking that \(privateKeyFile) matches \(certificateChainFile)")
        }
        // Resumption (tickets in 1.3, session cache in 1.2) keeps reconnects cheap.
        _ = sd_SSL_CTX_set_session_cache_mode(pointer, sd_SSL_SESS_CACHE_SERVER())
        let sessionContext: [UInt8] = Array("securedrop".utf8)
        _ = SSL_CTX_set_session_id_context(pointer, sessionContext, UInt32(sessionContext.count))
        sd_SSL_CTX_use_http11_alpn_server(pointer)
    }

    private func configureClient(trust: ClientTrust) throws(OpenSSLError) {
        switch trust {
        case .systemDefault:
            guard SSL_CTX_set_default_verify_paths(pointer) == 1 else { throw .drain("SSL_CTX_set_default_verify_paths") }
            SSL_CTX_set_verify(pointer, SSL_VERIFY_PEER, nil)
        case .certificateAuthorities(let file):
            guard SSL_CTX_load_verify_locations(pointer, file, nil) == 1 else {
                throw .drain("loading CA file \(file)")
            }
            SSL_CTX_set_verify(pointer, SSL_VERIFY_PEER, nil)
        case .publicKeyPin:
            // Checked against the peer's key once the handshake completes, before any
            // application byte is sent (see TLSHandler).
            SSL_CTX_set_verify(pointer, SSL_VERIFY_NONE, nil)
        }
        guard sd_SSL_CTX_use_http11_alpn_client(pointer) == 0 else { throw .drain("SSL_CTX_set_alpn_protos") }
    }
}
