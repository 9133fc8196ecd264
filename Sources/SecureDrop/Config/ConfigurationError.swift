/// Why the configuration cannot be used. Every message starts with the setting or file at
/// fault, so an operator reading one line at start-up knows what to fix.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A setting has a value that does not parse or is out of range.
    case invalidValue(key: String, value: String, expected: String)
    /// A `SECUREDROP_*` name nobody reads: almost always a typo, which would otherwise be
    /// silently ignored and leave a default in force.
    case unknownKey(key: String, source: String)
    /// A setting that would put a credential or signing secret in the environment.
    case forbiddenKey(key: String, reason: String)
    case unreadableFile(path: String, reason: String)
    /// A `.env` line that is not `KEY=VALUE`. The line itself is not repeated: it may hold a secret.
    case malformedLine(path: String, line: Int)

    public var description: String {
        switch self {
        case .invalidValue(let key, let value, let expected):
            "\(key): \"\(Self.abbreviate(value))\" is not valid; expected \(expected)"
        case .unknownKey(let key, let source):
            "\(key): unknown setting (in \(source)); see .env.example for the valid names"
        case .forbiddenKey(let key, let reason):
            "\(key): not accepted: \(reason)"
        case .unreadableFile(let path, let reason):
            "\(path): cannot read settings: \(reason)"
        case .malformedLine(let path, let line):
            "\(path):\(line): expected KEY=VALUE"
        }
    }

    private static func abbreviate(_ value: String) -> String {
        value.count > 60 ? String(value.prefix(57)) + "..." : value
    }
}
