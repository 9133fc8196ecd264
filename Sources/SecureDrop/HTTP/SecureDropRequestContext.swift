public import Hummingbird
public import NIOCore

/// The per-request context of every SecureDrop route.
///
/// It records the socket peer, because throttling and the access log need a client address
/// that a request header cannot forge, and the user a valid session token stands for.
public struct SecureDropRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer; `nil` only for non-socket transports (tests with embedded channels).
    public let remoteAddress: SocketAddress?
    /// The connection's event loop, which response producers pace themselves against
    /// (see ``WritePacer``).
    public let eventLoop: any EventLoop
    /// The client's address: the peer, or what a trusted proxy says (see ``ClientAddressResolver``).
    public var clientAddress: String
    /// Set by ``SessionMiddleware`` when the request carries a valid token.
    public var user: AuthenticatedUser?
    /// Whether that token came from the session cookie (which browsers attach on their
    /// own, so such requests get cross-site checks) rather than an Authorization header.
    public var authenticatedByCookie = false

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.eventLoop = source.channel.eventLoop
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The signed-in user, or the 401 the route must answer.
    ///
    /// - Parameter seedShape: answer `{"message":"Unauthorized"}` exactly, as the seed's
    ///   routes did, instead of the `{"error", "message"}` shape.
    public func requireUser(seedShape: Bool = false) throws -> AuthenticatedUser {
        guard let user else { throw APIError.unauthorized(seedShape: seedShape) }
        return user
    }
}
