import Synchronization

/// The server context new connections are made from, replaceable while the server runs.
///
/// Certificate renewal (Let's Encrypt, SIGHUP) builds a fresh ``TLSContext`` and swaps it
/// in here. Connections already open keep the context they were created with, so nothing is
/// dropped; the next handshake presents the new certificate.
public final class TLSContextProvider: Sendable {
    private let current: Mutex<TLSContext>
    public let certificateChainFile: String
    public let privateKeyFile: String

    /// Loads the certificate and key; fails (and the server does not start) if either is bad.
    public init(certificateChainFile: String, privateKeyFile: String) throws(OpenSSLError) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.current = Mutex(try .server(certificateChainFile: certificateChainFile, privateKeyFile: privateKeyFile))
    }

    /// The context for the next connection.
    public var context: TLSContext {
        current.withLock { $0 }
    }

    /// Re-reads the certificate and key files. On failure the previous context stays in
    /// use: a half-written renewal must not take the server down.
    public func reload() throws(OpenSSLError) {
        let fresh = try TLSContext.server(certificateChainFile: certificateChainFile, privateKeyFile: privateKeyFile)
        current.withLock { $0 = fresh }
    }
}
