import Foundation
public import Logging

/// Every setting of a SecureDrop installation, validated.
///
/// Sources, each overriding the one before: built-in defaults, the `.env` file, the process
/// environment, command-line flags. There is deliberately no setting for a password or a
/// signing key: users live in the database and keys in the data directory, and
/// ``load(environment:dotEnv:overrides:)`` refuses the names the seed tutorial used for them.
public struct Configuration: Sendable, Equatable {
    /// Address to listen on.
    public var host = "127.0.0.1"
    /// TCP port; 0 picks a free one (tests).
    public var port = 8443
    /// Extra DNS names for the generated self-signed certificate.
    public var serverNames: [String] = []
    /// Where the database, the key ring and the files live.
    public var dataDirectory = "securedrop-data"
    /// PEM certificate chain.
    public var tlsCertificatePath = "certs/cert.pem"
    /// PEM private key for ``tlsCertificatePath``.
    public var tlsKeyPath = "certs/key.pem"
    /// True only when neither the certificate nor the key was named: then a missing pair is
    /// generated. An operator who names a certificate that is missing gets an error at
    /// start, not a surprise self-signed certificate.
    public var generatesCertificateWhenMissing = true
    /// How long a login session lasts.
    public var sessionTTL: Duration = .seconds(30 * 60)
    /// Largest accepted upload.
    public var maxUploadBytes: Int64 = 10 << 30
    /// Cost of password hashes.
    public var argon2 = Argon2Parameters()
    /// Lowest level that is logged.
    public var logLevel: Logger.Level = .info
    /// Peers whose `X-Forwarded-For` is believed (addresses or CIDR blocks).
    public var trustedProxies: [String] = []
    /// Connections still handshaking after this are closed.
    public var handshakeTimeout: Duration = .seconds(10)
    /// Idle keep-alive connections are closed after this.
    public var idleTimeout: Duration = .seconds(60)
    /// How long in-flight transfers may run on after SIGTERM.
    public var shutdownGracePeriod: Duration = .seconds(30)
    /// Most simultaneous client connections.
    public var maxConnections = 1024
    /// Connections moving a body more slowly than this are closed.
    public var minimumTransferRate = MinimumTransferRate()

    /// All defaults.
    public init() {}

    /// Every setting with its documented default; `.env.example` and the README follow it.
    public static let keys: [ConfigurationKey] = ConfigurationKey.all

    /// Reads and validates the settings from every source.
    ///
    /// Each source is screened before anything is parsed: a forbidden credential name or an
    /// unknown `SECUREDROP_*` name fails even if a later source would override it, since
    /// either is a mistake the operator needs to hear about. Variables without the
    /// `SECUREDROP_` prefix are someone else's and are ignored.
    ///
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - dotEnv: the parsed `.env` file, if any.
    ///   - overrides: command-line flags, already named by their keys.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        dotEnv: DotEnvFile? = nil,
        overrides: [String: String] = [:]
    ) throws(ConfigurationError) -> Configuration {
        let sources: [(name: String, values: [String: String])] = [
            (dotEnv?.path ?? ".env", dotEnv?.values ?? [:]),
            ("the environment", environment),
            ("command-line flags", overrides),
        ]
        var merged: [String: String] = [:]
        for source in sources {
            // Sorted, so that with two mistakes the same one is reported every time.
            for key in source.values.keys.sorted() {
                try SettingName.screen(key, source: source.name)
                if SettingName.isSetting(key) { merged[key] = source.values[key] }
            }
        }

        var configuration = Configuration()
        for key in ConfigurationKey.all {
            if let text = merged[key.name] { try key.apply(text, &configuration) }
        }
        configuration.generatesCertificateWhenMissing = try certificatePairIsDefault(
            certificateGiven: merged["SECUREDROP_TLS_CERT"] != nil,
            keyGiven: merged["SECUREDROP_TLS_KEY"] != nil
        )
        return configuration
    }

    /// Which `.env` to read: the one named on the command line (whose absence the reader
    /// then reports), else `./.env` when present, else none.
    ///
    /// `environment` is accepted so callers pass the same environment they load from; the
    /// file's location is not itself a setting, as a setting cannot say where settings are.
    public static func dotEnvPath(
        explicit: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        if let explicit { return explicit }
        return FileManager.default.fileExists(atPath: "./.env") ? "./.env" : nil
    }

    /// The certificate and key are named together or not at all; naming only one is
    /// reported against the other, the one to add.
    private static func certificatePairIsDefault(certificateGiven: Bool, keyGiven: Bool) throws(ConfigurationError) -> Bool {
        switch (certificateGiven, keyGiven) {
        case (false, false):
            return true
        case (true, true):
            return false
        case (true, false):
            throw .invalidValue(key: "SECUREDROP_TLS_KEY", value: "", expected: "the private key's path, since SECUREDROP_TLS_CERT is set (name both, or neither for a generated certificate)")
        case (false, true):
            throw .invalidValue(key: "SECUREDROP_TLS_CERT", value: "", expected: "the certificate's path, since SECUREDROP_TLS_KEY is set (name both, or neither for a generated certificate)")
        }
    }
}
