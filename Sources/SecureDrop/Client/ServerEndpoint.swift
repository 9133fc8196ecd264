import Foundation

/// Where a SecureDrop server listens, read from an `https://host[:port]` URL.
///
/// Only `https` is accepted: the client has no clear-text mode to fall back to. The canonical
/// ``description`` (`https://host:port`, port always spelled out) is also the key that stored
/// credentials are filed under, so `https://files.example` and `https://files.example:443`
/// share one login.
public struct ServerEndpoint: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int = 443) {
        self.host = host.lowercased()
        self.port = port
    }

    /// Parses `https://host[:port][/]`; a path, query, or user info is refused rather than
    /// silently dropped, since it would suggest a server layout the client does not support.
    public init(url text: String) throws(SecureDropClientError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let url = URLComponents(string: trimmed), url.scheme?.lowercased() == "https",
              var host = url.host, !host.isEmpty
        else { throw .invalidServerURL(text) }
        guard url.path.isEmpty || url.path == "/", url.query == nil, url.fragment == nil, url.user == nil, url.password == nil
        else { throw .invalidServerURL(text) }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = url.port ?? 443
        guard (1...65_535).contains(port) else { throw .invalidServerURL(text) }
        self.init(host: host, port: port)
    }

    /// `https://host:port`, IPv6 literals in brackets.
    public var description: String {
        host.contains(":") ? "https://[\(host)]:\(port)" : "https://\(host):\(port)"
    }
}
