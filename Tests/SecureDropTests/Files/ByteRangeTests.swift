import Testing
@testable import SecureDrop

@Suite("ByteRange")
struct ByteRangeTests {
    @Test("satisfiable single ranges", arguments: [
        ("bytes=0-499", 1234, 0...499),
        ("bytes=500-", 1234, 500...1233),
        ("bytes=-500", 1234, 734...1233),
        ("bytes=0-0", 1234, 0...0),
        ("bytes=1233-", 1234, 1233...1233),
        ("bytes=1233-1233", 1234, 1233...1233),
        ("bytes=-1", 1234, 1233...1233),
        ("bytes=0-", 1234, 0...1233),
        ("bytes=100-99999", 1234, 100...1233), // last-pos past the end is clamped
        ("bytes=0-18446744073709551615", 1234, 0...1233), // UInt64.max still parses
        ("bytes=-5000", 1234, 0...1233), // suffix longer than the file: the whole file
        ("bytes=-1234", 1234, 0...1233),
        ("bytes=000-001", 1234, 0...1),
        ("Bytes=0-1", 1234, 0...1), // range units are case-insensitive (§14.1)
        ("BYTES=0-1", 1234, 0...1),
        (" bytes=0-1\t", 1234, 0...1), // OWS around a field value is not part of it (§5.5)
        ("bytes=0-0", 1, 0...0),
        ("bytes=-1", 1, 0...0),
    ] as [(String, UInt64, ClosedRange<UInt64>)])
    func partial(header: String, size: UInt64, expected: ClosedRange<UInt64>) {
        #expect(ByteRange.resolve(header, size: size) == .partial(expected))
    }

    @Test("the suffix form selects the END of the file (Hummingbird's FileMiddleware serves 0...500)")
    func suffixIsTheEnd() {
        #expect(ByteRange.resolve("bytes=-500", size: 10_000) == .partial(9_500...9_999))
        #expect(ByteRange.resolve("bytes=-500", size: 10_000) != .partial(0...500))
    }

    @Test("unsatisfiable ranges", arguments: [
        ("bytes=1234-", 1234),
        ("bytes=1234-2000", 1234),
        ("bytes=5000-6000", 1234),
        ("bytes=18446744073709551615-", 1234),
        ("bytes=-0", 1234),
        ("bytes=0-0", 0),
        ("bytes=0-", 0),
        ("bytes=-1", 0),
        ("bytes=-0", 0),
    ] as [(String, UInt64)])
    func unsatisfiable(header: String, size: UInt64) {
        #expect(ByteRange.resolve(header, size: size) == .unsatisfiable)
    }

    @Test("absent, invalid or multi-range headers are ignored", arguments: [
        nil, "", " ", "bytes", "bytes=", "bytes=-", "bytes=abc", "bytes=a-b", "bytes=0-b",
        "items=0-1", "byte=0-1", "bytesx=0-1", "bytes 0-1", "bytes:0-1", "=0-1",
        "bytes=5-1", "bytes=-5-", "bytes=--5", "bytes=0--1", "bytes=-1-2", "bytes=+5-", "bytes=0-+5",
        "bytes=99999999999999999999999-", "bytes=0-99999999999999999999999", "bytes=-99999999999999999999999",
        "bytes=18446744073709551616-",
        "bytes = 0-1", "bytes= 0-1", "bytes=0 -1", "bytes=0- 1", "bytes=0-1 ,", "bytes=\t0-1",
        "bytes=0-1,5-6", "bytes=0-1, 5-6", "bytes=0-1,", "bytes=,0-1", "bytes=-1,-2",
        "bytes==0-1", "bytes=0x10-0x20", "bytes=1e3-", "bytes=٠-١", "bytes=０-１",
        "bytes=0-1\r\nX: y",
    ] as [String?])
    func ignored(header: String?) {
        #expect(ByteRange.resolve(header, size: 1234) == .full)
        #expect(ByteRange.resolve(header, size: 0) == .full)
    }

    @Test("Content-Range values (RFC 9110 §14.4)")
    func contentRange() {
        #expect(ByteRange.contentRange(0...499, size: 1234) == "bytes 0-499/1234")
        #expect(ByteRange.contentRange(734...1233, size: 1234) == "bytes 734-1233/1234")
        #expect(ByteRange.unsatisfiedContentRange(size: 1234) == "bytes */1234")
        #expect(ByteRange.unsatisfiedContentRange(size: 0) == "bytes */0")
    }

    @Test("every partial range lies inside the file", arguments: [1, 2, 10, 1234] as [UInt64])
    func partialRangesAreInside(size: UInt64) {
        let positions: [String] = ["", "0", "1", "2", "9", "10", "11", "1233", "1234", "1235", "18446744073709551615"]
        for first in positions {
            for last in positions {
                switch ByteRange.resolve("bytes=\(first)-\(last)", size: size) {
                case .partial(let range):
                    #expect(range.upperBound < size, "\(first)-\(last) on \(size)")
                case .unsatisfiable, .full:
                    break
                }
            }
        }
    }
}
