/// The slowest a client may move a request or response body before its connection is
/// closed (`SECUREDROP_MIN_TRANSFER_RATE`, `SECUREDROP_TRANSFER_RATE_WINDOW`).
///
/// The idle timeout alone lets a client hold a connection for hours by sending, or
/// reading, one byte just inside it. A rate cannot be judged at an instant, so it is
/// averaged over a window, and only over the time the server spent waiting on the client:
/// a server that is slow itself (a disk flushing, a ZIP being built) must not blame the
/// client for it.
///
/// The default, 1 KiB/s over 30 s, is twice Apache's `mod_reqtimeout` `MinRate` of
/// 500 bytes/s and far below any real link (a 2G mobile connection moves 20–30 KiB/s): a
/// 50 KiB/s upload moves the window's 30 KiB in 0.6 s, so only a stall of more than
/// 29 seconds within one window would cut it. An attacker, instead of one byte a minute,
/// now has to send or read 1 KiB/s on every connection it holds.
public struct MinimumTransferRate: Sendable, Equatable {
    /// Bytes per second; 0 turns the guard off.
    public var bytesPerSecond: Int64
    /// How long the rate is averaged over, and how often it is checked.
    public var window: Duration

    public init(bytesPerSecond: Int64 = 1024, window: Duration = .seconds(30)) {
        self.bytesPerSecond = bytesPerSecond
        self.window = window
    }

    public var isEnabled: Bool { bytesPerSecond > 0 }

    /// Whether `bytes`, moved in a window during which the server waited `waited` on the
    /// client, are too few. Less than half a window of waiting is too little to judge.
    func isTooSlow(bytes: Int64, waited: Duration) -> Bool {
        guard isEnabled, waited * 2 >= window else { return false }
        return Double(bytes) < Double(bytesPerSecond) * waited.timeInterval
    }
}
