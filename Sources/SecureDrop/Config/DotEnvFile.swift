import Foundation

/// The settings in a `.env` file, read the way docker compose and python-dotenv read them.
///
/// One `KEY=VALUE` per line. Blank lines and lines starting with `#` are skipped, and a
/// leading `export ` is allowed so the same file can be `source`d by a shell. Values may
/// be quoted: single quotes are literal, double quotes understand `\n`, `\"` and `\\`.
/// An unquoted value ends at a `#` preceded by whitespace, and is trimmed.
///
/// Anything else is an error naming the line number but never the line: an operator may
/// have pasted a password into the file, and start-up errors end up in logs.
public struct DotEnvFile: Sendable, Equatable {
    /// Where the settings came from; error messages name it.
    public let path: String
    /// The settings, later lines winning over earlier ones with the same key.
    public let values: [String: String]

    /// Reads and parses the file at `path`.
    public init(path: String) throws(ConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "not a readable file" : "no such file"
            throw .unreadableFile(path: path, reason: reason)
        }
        guard let contents = String(data: data, encoding: .utf8) else {
            throw .unreadableFile(path: path, reason: "not UTF-8 text")
        }
        try self.init(contents: contents, path: path)
    }

    /// Parses `contents`; `path` is only used to name the source in errors.
    public init(contents: String, path: String) throws(ConfigurationError) {
        self.path = path
        var values: [String: String] = [:]
        // "\r\n" is a single Character in Swift, so it must be named as a separator too.
        let lines = contents.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (index, line) in lines.enumerated() {
            var text = line.trimmingCharacters(in: .whitespaces)
            if index == 0, text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            if text.isEmpty || text.hasPrefix("#") { continue }
            guard let (key, value) = Self.parseAssignment(text) else {
                throw .malformedLine(path: path, line: index + 1)
            }
            values[key] = value
        }
        self.values = values
    }

    /// `[export ]KEY=VALUE` split into its key and resolved value, or nil when the line is
    /// not an assignment.
    static func parseAssignment(_ line: String) -> (key: String, value: String)? {
        var rest = Substring(line)
        if rest.hasPrefix("export"), let next = rest.dropFirst("export".count).first, next == " " || next == "\t" {
            rest = rest.dropFirst("export".count).drop { $0 == " " || $0 == "\t" }
        }
        guard let equals = rest.firstIndex(of: "=") else { return nil }
        let key = rest[..<equals].trimmingCharacters(in: .whitespaces)
        guard isValidKey(key), let value = parseValue(rest[rest.index(after: equals)...]) else { return nil }
        return (key, value)
    }

    /// Whether `key` matches `[A-Za-z_][A-Za-z0-9_]*`, the names a POSIX shell accepts.
    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.utf8.first, !isDigit(first) else { return false }
        return key.utf8.allSatisfy { isDigit($0) || isLetter($0) || $0 == UInt8(ascii: "_") }
    }

    /// The text after `=` with quotes, escapes and any trailing comment resolved, or nil
    /// when a quote is not closed or is followed by something other than a comment.
    static func parseValue(_ raw: Substring) -> String? {
        let text = raw.drop { $0 == " " || $0 == "\t" }
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            return unquotedValue(raw)
        }
        var value = ""
        var remainder = text.dropFirst()
        while let character = remainder.popFirst() {
            if character == quote {
                let trailing = remainder.trimmingCharacters(in: .whitespaces)
                return trailing.isEmpty || trailing.hasPrefix("#") ? value : nil
            }
            if character == "\\", quote == "\"", let escaped = remainder.first {
                switch escaped {
                case "n": value.append("\n")
                case "\"", "\\": value.append(escaped)
                default: value.append("\\\(escaped)")  // Unknown escapes stay as written.
                }
                remainder.removeFirst()
            } else {
                value.append(character)
            }
        }
        return nil
    }

    /// An unquoted value: a `#` after whitespace starts a comment (so `KEY= # note` is
    /// empty, while `KEY=a#b` and `KEY=#b` keep theirs), and surrounding whitespace is dropped.
    private static func unquotedValue(_ raw: Substring) -> String {
        var end = raw.endIndex
        var previous: Character = "="
        for index in raw.indices {
            if raw[index] == "#", previous == " " || previous == "\t" {
                end = index
                break
            }
            previous = raw[index]
        }
        return raw[..<end].trimmingCharacters(in: .whitespaces)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
