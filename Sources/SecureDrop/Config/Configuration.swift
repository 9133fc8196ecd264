// TEMPORARY minimal version; replaced by the full configuration layer.
import Foundation
public import Logging

public struct Argon2Parameters: Sendable, Equatable {
    public var memoryKiB: UInt32 = 65536
    public var iterations: UInt32 = 3
    public var parallelism: UInt32 = 1
}

public struct Configuration: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8443
    public var serverNames: [String] = []
    public var dataDirectory = "securedrop-data"
    public var tlsCertificatePath = "certs/cert.pem"
    public var tlsKeyPath = "certs/key.pem"
    public var generatesCertificateWhenMissing = true
    public var sessionTTL: Duration = .seconds(1800)
    public var maxUploadBytes: Int64 = 10 << 30
    public var argon2 = Argon2Parameters()
    public var logLevel: Logger.Level = .info
    public var trustedProxies: [String] = []
    public var handshakeTimeout: Duration = .seconds(10)
    public var idleTimeout: Duration = .seconds(60)
    public var shutdownGracePeriod: Duration = .seconds(30)
    public var maxConnections = 1024
    public init() {}

    public static func load(environment: [String: String], dotEnv: DotEnvFile?, overrides: [String: String]) throws(ConfigurationError) -> Configuration {
        var merged = dotEnv?.values ?? [:]
        merged.merge(environment) { $1 }
        merged.merge(overrides) { $1 }
        var c = Configuration()
        if let v = merged["SECUREDROP_HOST"] { c.host = v }
        if let v = merged["SECUREDROP_PORT"] {
            guard let p = Int(v), (0...65535).contains(p) else { throw .invalidValue(key: "SECUREDROP_PORT", value: v, expected: "a port number between 1 and 65535") }
            c.port = p
        }
        if let v = merged["SECUREDROP_DATA_DIR"] { c.dataDirectory = v }
        if let v = merged["SECUREDROP_TLS_CERT"] { c.tlsCertificatePath = v; c.generatesCertificateWhenMissing = false }
        if let v = merged["SECUREDROP_TLS_KEY"] { c.tlsKeyPath = v; c.generatesCertificateWhenMissing = false }
        if let v = merged["SECUREDROP_LOG_LEVEL"] {
            guard let l = Logger.Level(rawValue: v.lowercased()) else { throw .invalidValue(key: "SECUREDROP_LOG_LEVEL", value: v, expected: "a log level") }
            c.logLevel = l
        }
        return c
    }

    public static func dotEnvPath(explicit: String?, environment: [String: String]) -> String? {
        if let explicit { return explicit }
        return FileManager.default.fileExists(atPath: ".env") ? ".env" : nil
    }
}

public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalidValue(key: String, value: String, expected: String)
    case unreadableFile(path: String, reason: String)
    public var description: String {
        switch self {
        case .invalidValue(let key, let value, let expected): "\(key): \"\(value)\" is not valid; expected \(expected)"
        case .unreadableFile(let path, let reason): "\(path): \(reason)"
        }
    }
}

public struct DotEnvFile: Sendable {
    public let path: String
    public let values: [String: String]
    public init(path: String) throws(ConfigurationError) {
        self.path = path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .unreadableFile(path: path, reason: "cannot read") }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        self.values = values
    }
}
