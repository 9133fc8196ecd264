import Synchronization

/// Slows down password guessing, per client address and per account.
///
/// Each key (an address or a user name) may fail ``Policy/freeFailures`` times; every
/// further failure doubles the wait before the next attempt, up to ``Policy/maximumDelay``.
/// A success clears the account's counter only: a client that owns one account must not be
/// able to reset its address's counter between guesses at others. Counters are forgotten
/// after ``Policy/forgetAfter`` without failures, and the table is capped so that a flood of
/// distinct addresses cannot exhaust memory (the oldest entries go first).
public final class LoginThrottle: Sendable {
    public struct Policy: Sendable {
        public var freeFailures = 5
        public var baseDelay: Duration = .seconds(1)
        public var maximumDelay: Duration = .seconds(15 * 60)
        public var forgetAfter: Duration = .seconds(60 * 60)
        public var maximumEntries = 10_000

        public init() {}
    }

    private struct Entry {
        var failures: Int
        var blockedUntil: ContinuousClock.Instant?
        var lastFailure: ContinuousClock.Instant
    }

    public let policy: Policy
    private let entries = Mutex<[String: Entry]>([:])

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// How long the caller must wait before trying any of `keys`, or nil if it may try now.
    public func retryAfter(_ keys: [String], now: ContinuousClock.Instant = .now) -> Duration? {
        entries.withLock { entries in
            keys.compactMap { key -> Duration? in
                guard let entry = entries[key], let until = entry.blockedUntil, until > now else { return nil }
                return until - now
            }.max()
        }
    }

    public func recordFailure(_ keys: [String], now: ContinuousClock.Instant = .now) {
        entries.withLock { entries in
            for key in keys {
                var entry = entries[key] ?? Entry(failures: 0, blockedUntil: nil, lastFailure: now)
                if now - entry.lastFailure > policy.forgetAfter { entry.failures = 0 }
                entry.failures += 1
                entry.lastFailure = now
                if entry.failures >= policy.freeFailures {
                    entry.blockedUntil = now + delay(afterFailures: entry.failures)
                }
                entries[key] = entry
            }
            if entries.count > policy.maximumEntries { evict(&entries, now: now) }
        }
    }

    public func recordSuccess(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    /// Entries in the table (for tests and diagnostics).
    public var trackedKeys: Int { entries.withLock { $0.count } }

    func delay(afterFailures failures: Int) -> Duration {
        let doublings = min(failures - policy.freeFailures, 30)
        let delay = policy.baseDelay * (1 << doublings)
        return min(delay, policy.maximumDelay)
    }

    private func evict(_ entries: inout [String: Entry], now: ContinuousClock.Instant) {
        entries = entries.filter { now - $0.value.lastFailure <= policy.forgetAfter }
        guard entries.count > policy.maximumEntries else { return }
        let keep = entries.sorted { $0.value.lastFailure > $1.value.lastFailure }.prefix(policy.maximumEntries * 3 / 4)
        entries = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
    }
}
