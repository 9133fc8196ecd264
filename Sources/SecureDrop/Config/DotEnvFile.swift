import Foundation

/// The settings in a `.env` file: `KEY=VALUE` lines, as docker-compose and python-dotenv
/// read them.
///
/// Blank lines and `#` comments are skipped, a leading `export ` is allowed, and values may
/// be quoted: single quotes are literal, double quotes understand `\n`, `\"` and `\\`.
/// An unquoted value ends at ` #`. Anything else is an error with the line number (but not
/// the line, which may hold a secret).
public struct DotEnvFile: Sendable, Equatable {
    public let path: String
    public let values: [String: String]

    public init(path: String) throws(ConfigurationError) {
        let contents: String
        do {
            contents = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadableFile(path: path, reason: (error as NSError).localizedDescription)
        }
        try self.init(contents: contents, path: path)
    }

    public init(contents: String, path: String) throws(ConfigurationError) {
        self.path = path
        var values: [String: String] = [:]
        for (index, rawLine) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst("export ".count)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "="),
                  case let key = line[..<equals].trimmingCharacters(in: .whitespaces),
                  Self.isValidKey(key),
                  let value = Self.parseValue(line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces))
            else {
                throw .malformedLine(path: path, line: index + 1)
            }
            values[key] = value
        }
        self.values = values
    }

    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return key.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// The value with quotes and escapes resolved, or nil when a quote is not closed.
    static func parseValue(_ raw: String) -> String? {
        guard let quote = raw.first, quote == "\"" || quote == "'" else {
            // Unquoted: an inline comment starts at " #".
            if let comment = raw.range(of: " #") {
                return raw[..<comment.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            return raw
        }
        var result = ""
        var escaped = false
        var remainder = raw.dropFirst()
        while let character = remainder.first {
            remainder = remainder.dropFirst()
            if escaped {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(character)
                }
                escaped = false
            } else if character == "\\" && quote == "\"" {
                escaped = true
            } else if character == quote {
                let rest = remainder.trimmingCharacters(in: .whitespaces)
                return rest.isEmpty || rest.hasPrefix("#") ? result : nil
            } else {
                result.append(character)
            }
        }
        return nil
    }
}
