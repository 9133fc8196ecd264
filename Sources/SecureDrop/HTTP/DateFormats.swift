import Foundation

/// The two timestamp formats the HTTP surface writes, built by hand from UTC calendar fields:
/// a `DateFormatter` per call costs more than the rest of a list entry, and a shared one is
/// not thread-safe.
public enum HTTPDate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// UTC calendar fields from the C library's `gmtime_r`: Foundation's `Calendar` took a
    /// visible share of every download, which sends `Last-Modified`.
    private struct Fields {
        var year, month, day, hour, minute, second, weekday: Int
    }

    private static func fields(_ date: Date) -> Fields {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return Fields(
            year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
            hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec), weekday: Int(parts.tm_wday)
        )
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    /// IMF-fixdate (RFC 9110 §5.6.7), the only date format HTTP senders may use:
    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func format(_ date: Date) -> String {
        let f = fields(date)
        return "\(weekdays[f.weekday]), \(twoDigits(f.day)) \(months[f.month - 1]) \(f.year) \(twoDigits(f.hour)):\(twoDigits(f.minute)):\(twoDigits(f.second)) GMT"
    }

    /// The seed's list format, `YYYY-MM-DD HH:MM:SS`, in UTC (`YYYY-MM-DD HH:MM` without
    /// seconds, as the web list shows it).
    public static func seedFormat(_ date: Date, includingSeconds: Bool = true) -> String {
        let f = fields(date)
        let minutes = "\(f.year)-\(twoDigits(f.month))-\(twoDigits(f.day)) \(twoDigits(f.hour)):\(twoDigits(f.minute))"
        return includingSeconds ? minutes + ":\(twoDigits(f.second))" : minutes
    }
}
