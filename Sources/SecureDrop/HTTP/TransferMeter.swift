/// Bytes moved in one direction of a connection during the current window, and how much of
/// the window the server spent waiting on the client to move them.
///
/// Waiting is measured between two events the guard already sees (a read asked for and
/// data arriving; the channel turning unwritable and writable again), so the clock is read
/// a few times per socket read, never per byte.
struct TransferMeter {
    private(set) var bytes: Int64 = 0
    /// Waiting that ended within this window.
    private var waitedBefore: Duration = .zero
    /// When the waiting in progress began, or nil when the server is not waiting.
    private var waitingSince: ContinuousClock.Instant?

    var isWaiting: Bool { waitingSince != nil }

    mutating func count(_ moved: Int) {
        bytes += Int64(moved)
    }

    mutating func startWaiting(at now: ContinuousClock.Instant) {
        if waitingSince == nil { waitingSince = now }
    }

    mutating func stopWaiting(at now: ContinuousClock.Instant) {
        guard let since = waitingSince else { return }
        waitedBefore += now - since
        waitingSince = nil
    }

    /// All waiting in this window up to `now`, including the waiting still in progress.
    func waited(at now: ContinuousClock.Instant) -> Duration {
        waitedBefore + (waitingSince.map { now - $0 } ?? .zero)
    }

    /// Forgets the last window; waiting in progress goes on, counted from `now`.
    mutating func startWindow(at now: ContinuousClock.Instant) {
        bytes = 0
        waitedBefore = .zero
        if waitingSince != nil { waitingSince = now }
    }
}
