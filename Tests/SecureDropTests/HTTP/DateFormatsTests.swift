import Foundation
import Testing
@testable import SecureDrop

@Suite("HTTP date formats")
struct DateFormatsTests {
    @Test("IMF-fixdate and the seed's list format, in UTC")
    func formats() {
        let date = Date(timeIntervalSince1970: 784_111_777)  // RFC 9110's example
        #expect(HTTPDate.format(date) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.seedFormat(date) == "1994-11-06 08:49:37")
        #expect(HTTPDate.format(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.seedFormat(date, includingSeconds: false) == "1994-11-06 08:49")
        #expect(FileListPage.displayDate(date) == "1994-11-06 08:49 UTC")
    }

    @Test("Agrees with Foundation's formatter from 1970 to 2200, leap days and year ends included")
    func agreesWithFoundation() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var dates = [951_782_400, 951_868_799, 1_709_164_800, 946_684_799, 4_102_444_800, 7_258_118_399].map { Date(timeIntervalSince1970: $0) }
        for _ in 0..<2000 { dates.append(Date(timeIntervalSince1970: .random(in: 0..<7_258_118_400).rounded(.down))) }
        for date in dates {
            #expect(HTTPDate.format(date) == formatter.string(from: date), "\(date.timeIntervalSince1970)")
        }
    }
}
