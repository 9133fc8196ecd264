import Foundation

/// `application/x-www-form-urlencoded` bodies (the login, delete and logout forms).
///
/// Small on purpose: the first value of each name wins, `+` is a space, and a malformed
/// percent-escape drops the pair rather than guessing.
enum URLEncodedForm {
    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { continue }
            let value = parts.count > 1 ? decode(parts[1]) : ""
            if let value, fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    private static func decode(_ text: Substring) -> String? {
        PercentEncoding.decode(text, plusAsSpace: true)
    }
}
