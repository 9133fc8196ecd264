import COpenSSL
import Foundation
import Synchronization

/// The token signing keys, as the server sees them: cached from the ``AccountStore`` and
/// re-read every couple of seconds, so `securedrop-admin secret rotate` reaches a running
/// server without a restart.
///
/// A retired key keeps verifying until every token it can have signed has expired
/// (`retiredAt + sessionTTL`); after that it is ignored even before it is deleted.
public final class KeyRing: Sendable {
    private struct Snapshot {
        var keys: [String: SigningKey] = [:]
        var active: SigningKey?
        var loadedAt: ContinuousClock.Instant?
    }

    private let store: any AccountStore
    private let sessionTTL: Duration
    private let refreshInterval: Duration
    private let snapshot = Mutex(Snapshot())

    public init(store: any AccountStore, sessionTTL: Duration, refreshInterval: Duration = .seconds(2)) {
        self.store = store
        self.sessionTTL = sessionTTL
        self.refreshInterval = refreshInterval
    }

    /// The key new tokens are signed with.
    public func activeKey() async throws -> SigningKey {
        try await refreshIfStale()
        if let active = snapshot.withLock({ $0.active }) { return active }
        throw KeyRingError.noActiveKey
    }

    /// The key a token names, if it may still verify tokens.
    public func verificationKey(id: String, now: Date = Date()) async throws -> SigningKey? {
        try await refreshIfStale()
        var key = snapshot.withLock { $0.keys[id] }
        if key == nil, snapshot.withLock({ $0.loadedAt.map { .now - $0 > .seconds(1) } ?? true }) {
            // A token signed by a key rotated in moments ago: look again, at most once a second.
            try await refresh()
            key = snapshot.withLock { $0.keys[id] }
        }
        guard let key else { return nil }
        if let retiredAt = key.retiredAt, now >= retiredAt.addingTimeInterval(sessionTTL.timeInterval) {
            return nil
        }
        return key
    }

    public func refresh() async throws {
        let keys = try await store.signingKeys()
        snapshot.withLock { snapshot in
            snapshot.keys = Dictionary(uniqueKeysWithValues: keys.map { ($0.id, $0) })
            snapshot.active = keys.first(where: \.isActive)
            snapshot.loadedAt = .now
        }
    }

    private func refreshIfStale() async throws {
        let stale = snapshot.withLock { $0.loadedAt.map { .now - $0 >= refreshInterval } ?? true }
        if stale { try await refresh() }
    }

    // MARK: Administration

    /// Adds a fresh 256-bit key as the active one. Keys retired long enough ago that no token
    /// they signed can still be valid are deleted; with `revokeAll`, every other key is
    /// deleted at once, which ends every session.
    @discardableResult
    public static func rotate(store: any AccountStore, sessionTTL: Duration, revokeAll: Bool, now: Date = Date()) async throws -> SigningKey {
        let key = try generateKey(now: now)
        try await store.addActiveSigningKey(key)
        let cutoff = revokeAll ? now : now.addingTimeInterval(-sessionTTL.timeInterval)
        try await store.deleteSigningKeys(retiredAtOrBefore: cutoff)
        return key
    }

    /// Creates the first key when the ring is empty (or has no active key).
    public static func ensureActiveKey(store: any AccountStore) async throws {
        if try await !store.signingKeys().contains(where: \.isActive) {
            try await store.addActiveSigningKey(generateKey(now: Date()))
        }
    }

    static func generateKey(now: Date) throws -> SigningKey {
        SigningKey(id: try Random.token(bytes: 8), secret: try Random.bytes(32), createdAt: now, retiredAt: nil)
    }
}

public enum KeyRingError: Error, CustomStringConvertible, Sendable {
    case noActiveKey

    public var description: String {
        "there is no active token signing key; run `securedrop-admin secret rotate`"
    }
}

/// Cryptographically secure random values from OpenSSL's DRBG.
enum Random {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "the system random number generator failed" }
    }

    static func bytes(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw Failure() }
        return bytes
    }

    /// `bytes` random bytes as unpadded base64url: ids and one-time passwords.
    static func token(bytes count: Int) throws -> String {
        Base64URL.encode(try bytes(count))
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`, for arithmetic with `Date`.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
