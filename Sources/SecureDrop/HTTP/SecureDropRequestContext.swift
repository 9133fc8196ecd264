public import Hummingbird
public import NIOCore

/// The per-request context of every SecureDrop route.
///
/// It records the socket peer, because throttling and the access log need a client address
/// that a request header cannot forge. The accounts layer will add the authenticated user.
public struct SecureDropRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer; `nil` only for non-socket transports (tests with embedded channels).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
