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
}
