import Foundation
import Testing
@testable import SecureDrop

@Suite("Percent-decoding")
struct PercentEncodingTests {
    @Test("Decodes escapes, keeps everything else, and refuses broken escapes and invalid UTF-8")
    func contract() {
        #expect(PercentEncoding.decode("plain-name.txt") == "plain-name.txt")
        #expect(PercentEncoding.decode("my%20report.pdf") == "my report.pdf")
        #expect(PercentEncoding.decode("r%C3%A9sum%c3%a9") == "résumé")
        #expect(PercentEncoding.decode("..%2F..%2fetc") == "../../etc")
        #expect(PercentEncoding.decode("%252e") == "%2e")  // one layer only
        #expect(PercentEncoding.decode("a+b") == "a+b")
        #expect(PercentEncoding.decode("a+b%2B", plusAsSpace: true) == "a b+")
        for broken in ["%", "%2", "%zz", "a%2", "%g0", "%%41"] {
            #expect(PercentEncoding.decode(broken) == nil, "\(broken)")
        }
        for invalid in ["%FF", "%C3", "%C0%AF", "%ED%A0%80", "%E2%82"] {  // lone, truncated, overlong, surrogate
            #expect(PercentEncoding.decode(invalid) == nil, "\(invalid)")
        }
        #expect(PercentEncoding.decode("%00") == "\u{0}")  // decoded; names with NUL are refused later
    }

    /// Foundation on Linux repairs invalid UTF-8 into U+FFFD where Darwin returns nil; we
    /// refuse it, so a name can never change meaning on its way to the slugifier.
    @Test("Agrees with Foundation's removingPercentEncoding on random inputs, except that invalid UTF-8 is refused, not repaired")
    func agreesWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("%%%%0123456789abcdefABCDEFgz+-./é".unicodeScalars)
        for _ in 0..<5000 {
            let length = Int.random(in: 0...12, using: &generator)
            var text = ""
            for _ in 0..<length { text.unicodeScalars.append(alphabet.randomElement(using: &generator)!) }
            let foundation = text.removingPercentEncoding
            if let foundation, foundation.contains("\u{FFFD}") {
                #expect(PercentEncoding.decode(text) == nil, "\(text)")
            } else {
                #expect(PercentEncoding.decode(text) == foundation, "\(text)")
            }
        }
    }
}
