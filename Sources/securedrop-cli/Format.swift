import Foundation
import SecureDrop

/// Human-readable numbers for terminal output.
enum Format {
    /// `512 B`, `1.5 KiB`, `12.3 MiB`: binary units, as file sizes are counted on disk.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    /// `0:05`, `12:34`, `1:02:03`.
    static func duration(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%d:%02d", minutes, secs)
    }

    /// `2025-01-31 14:05:09` in UTC, the seed's format.
    static func date(_ date: Date) -> String {
        HTTPDate.seedFormat(date)
    }
}
