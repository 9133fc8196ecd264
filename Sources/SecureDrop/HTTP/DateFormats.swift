import Foundation

/// The two timestamp formats the HTTP surface writes, built by hand from UTC calendar fields:
/// a `DateFormatter` per call costs more than the rest of a list entry, and a shared one is
/// not thread-safe.
public enum HTTPDate {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0)!
        return calendar
    }()
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func fields(_ date: Date) -> DateComponents {
        calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
    }

    private static func twoDigits(_ value: Int?) -> String {
        let value = value ?? 0
        return value < 10 ? "0\(value)" : "\(value)"
    }

    /// IMF-fixdate (RFC 9110 §5.6.7), the only date format HTTP senders may use:
    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func format(_ date: Date) -> String {
        let f = fields(date)
        let weekday = weekdays[((f.weekday ?? 1) - 1) % 7]
        let month = months[((f.month ?? 1) - 1) % 12]
        return "\(weekday), \(twoDigits(f.day)) \(month) \(f.year ?? 1970) \(twoDigits(f.hour)):\(twoDigits(f.minute)):\(twoDigits(f.second)) GMT"
    }

    /// The seed's list format, `YYYY-MM-DD HH:MM:SS`, in UTC (`YYYY-MM-DD HH:MM` without
    /// seconds, as the web list shows it).
    public static func seedFormat(_ date: Date, includingSeconds: Bool = true) -> String {
        let f = fields(date)
        let minutes = "\(f.year ?? 1970)-\(twoDigits(f.month))-\(twoDigits(f.day)) \(twoDigits(f.hour)):\(twoDigits(f.minute))"
        return includingSeconds ? minutes + ":\(twoDigits(f.second))" : minutes
    }
}
