import Synchronization

/// Tokens whose signature has already been checked, with their claims.
///
/// Parsing a token, checking its HMAC and decoding its JSON claims cost more than the rest of
/// a small authenticated request, and a client sends the same token with every request. An
/// entry is keyed by the *whole* token string, so a hit means exactly these bytes were verified
/// before; nothing an attacker can forge gets in, since only verified tokens are inserted.
/// Only the signature work is saved: the caller still checks the key is still trusted, the
/// validity window, the deny list and the user on every request.
///
/// Bounded: when full, the cache is emptied and refills from live traffic.
final class VerifiedTokenCache: Sendable {
    struct Entry: Sendable {
        let keyID: String
        let claims: SessionClaims
    }

    private let entries = Mutex<[String: Entry]>([:])
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    func entry(for token: String) -> Entry? {
        entries.withLock { $0[token] }
    }

    func insert(_ entry: Entry, for token: String) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = entry
        }
    }
}
