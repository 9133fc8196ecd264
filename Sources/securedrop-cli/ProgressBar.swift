import Foundation
import SecureDrop

/// A one-line progress bar with rate and time left, redrawn in place on standard error.
///
/// Only on a terminal: ``init(label:)`` returns nil when stderr is a pipe or file, so scripts
/// and logs get no control characters. Redraws are limited to ten a second.
final class ProgressBar {
    private let label: String
    private let started = ContinuousClock.now
    private var lastDrawn: ContinuousClock.Instant?
    private var latest: TransferProgress?

    init?(label: String, isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        guard isTerminal else { return nil }
        self.label = label.count > 24 ? String(label.prefix(23)) + "…" : label
    }

    func update(_ progress: TransferProgress) {
        latest = progress
        let now = ContinuousClock.now
        if let lastDrawn, now - lastDrawn < .milliseconds(100), progress.completed != progress.total { return }
        lastDrawn = now
        draw(progress, now: now)
    }

    /// Draws the final state and moves to a fresh line.
    func finish() {
        if let latest { draw(latest, now: .now) }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw(_ progress: TransferProgress, now: ContinuousClock.Instant) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + Self.line(label: label, progress: progress, elapsed: now - started)).utf8))
    }

    /// `report.pdf  45% [=========>           ] 12.3 MiB/27.0 MiB  3.2 MiB/s  ETA 0:05`.
    static func line(label: String, progress: TransferProgress, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // The rate counts this transfer only, not the part a resumed download already had.
        let rate = seconds > 0 ? Double(progress.completed - progress.startOffset) / seconds : 0
        var parts = [label]
        if let total = progress.total, total > 0 {
            let fraction = min(1, Double(progress.completed) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "=", count: filled) + (filled < width ? ">" + String(repeating: " ", count: width - filled - 1) : "")
            parts.append(String(format: "%3d%%", Int(fraction * 100)) + " [\(bar)]")
            parts.append("\(Format.bytes(progress.completed))/\(Format.bytes(total))")
            parts.append("\(Format.bytes(Int64(rate)))/s")
            parts.append("ETA " + (rate > 0 ? Format.duration(seconds: Double(total - progress.completed) / rate) : "--:--"))
        } else {
            parts.append(Format.bytes(progress.completed))
            parts.append("\(Format.bytes(Int64(rate)))/s")
        }
        return parts.joined(separator: "  ")
    }
}
