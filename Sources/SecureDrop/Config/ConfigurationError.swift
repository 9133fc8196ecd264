/// Why the configuration cannot be used.
///
/// The server refuses to start on any of these, so each ``description`` is a single line an
/// operator can act on: it starts with the setting (or file) at fault, says what was wrong
/// and what would be accepted. Values are quoted with control characters escaped and cut to
/// 60 characters, so a stray newline or a pasted blob cannot garble the log.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A setting has a value that does not parse or is out of range. An empty `value` also
    /// stands for a setting that is required but was not given.
    case invalidValue(key: String, value: String, expected: String)
    /// A `SECUREDROP_*` name nobody reads. Almost always a typo, which would otherwise be
    /// ignored silently and leave the default in force.
    case unknownKey(key: String, source: String)
    /// A settings file that does not exist or cannot be read as UTF-8 text.
    case unreadableFile(path: String, reason: String)
    /// A `.env` line that is not `KEY=VALUE`. The line itself is never repeated: it may hold
    /// a secret.
    case malformedLine(path: String, line: Int)
    /// A setting that would put a credential or signing secret in the environment.
    case forbiddenKey(key: String, reason: String)

    public var description: String {
        switch self {
        case .invalidValue(let key, let value, let expected) where value.isEmpty:
            "\(key): missing or empty; expected \(expected)"
        case .invalidValue(let key, let value, let expected):
            "\(key): \(Self.quoted(value)) is not valid; expected \(expected)"
        case .unknownKey(let key, let source):
            if let suggestion = ConfigurationKey.closest(to: key) {
                "\(key): unknown setting (in \(source)); did you mean \(suggestion.name)?"
            } else {
                "\(key): unknown setting (in \(source)); .env.example lists the valid names"
            }
        case .unreadableFile(let path, let reason):
            "\(path): cannot read settings: \(reason)"
        case .malformedLine(let path, let line):
            "\(path):\(line): expected KEY=VALUE with KEY made of letters, digits and _ (the line is not shown, it may hold a secret)"
        case .forbiddenKey(let key, let reason):
            "\(key): not accepted: \(reason)"
        }
    }

    /// Longest value, in characters, repeated in a message before it is cut.
    static let maximumQuotedLength = 60

    /// The value in double quotes, cut to ``maximumQuotedLength`` characters (ending in "…"
    /// when cut), with quotes, backslashes and control characters escaped so it stays on
    /// one line.
    static func quoted(_ value: String) -> String {
        let shown = value.count > maximumQuotedLength ? value.prefix(maximumQuotedLength - 1) + "…" : Substring(value)
        var escaped = ""
        for scalar in shown.unicodeScalars {
            escaped += scalar.properties.generalCategory == .control || scalar == "\"" || scalar == "\\"
                ? scalar.escaped(asASCII: true)
                : String(scalar)
        }
        return "\"\(escaped)\""
    }
}
