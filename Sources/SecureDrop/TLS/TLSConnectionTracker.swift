import Synchronization

/// Counts live TLS sessions (OpenSSL `SSL` objects) of one server or client.
///
/// A session is counted from handler creation until the handler is deallocated, which is
/// when its `SSL` object is freed: a count that does not return to zero after the peers
/// have gone is a leak, and the integration tests check exactly that.
public final class TLSConnectionTracker: Sendable {
    private let live = Atomic<Int>(0)
    private let total = Atomic<Int>(0)

    public init() {}

    /// Sessions whose OpenSSL state has not been freed yet.
    public var liveConnections: Int { live.load(ordering: .relaxed) }
    /// Sessions ever created.
    public var totalConnections: Int { total.load(ordering: .relaxed) }

    func opened() {
        live.add(1, ordering: .relaxed)
        total.add(1, ordering: .relaxed)
    }

    func closed() {
        live.subtract(1, ordering: .relaxed)
    }
}
