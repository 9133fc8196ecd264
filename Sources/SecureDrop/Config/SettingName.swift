/// Decides what a variable name means to SecureDrop before its value is looked at: one of
/// our settings, someone else's variable, a typo, or a credential that must not be there.
enum SettingName {
    static let prefix = "SECUREDROP_"

    /// Throws for a forbidden name, or for a `SECUREDROP_*` name that is not a setting and
    /// not tolerated; returns for everything else.
    static func screen(_ name: String, source: String) throws(ConfigurationError) {
        if let reason = forbidden[name] {
            throw .forbiddenKey(key: name, reason: reason)
        }
        if name.hasPrefix(prefix), !isSetting(name), !tolerated.contains(name) {
            throw .unknownKey(key: name, source: source)
        }
    }

    /// Whether `name` is one of ``ConfigurationKey/all``.
    static func isSetting(_ name: String) -> Bool {
        ConfigurationKey.named(name) != nil
    }

    /// Names the seed tutorial (and habit) put secrets under. Refusing them loudly beats a
    /// server that ignores what its operator believes is the admin password, and a secret
    /// in `.env` or the environment leaks through `ps e`, `docker inspect` and backups.
    static let forbidden: [String: String] = {
        let users = "passwords do not belong in the environment or .env; users are stored as Argon2id hashes in the database, add one with `securedrop-admin user add NAME`"
        let keys = "signing secrets do not belong in the environment or .env; they live in the data directory's key ring, rotate them with `securedrop-admin secret rotate`"
        return [
            "S_USERNAME": users, "S_PASSWORD": users,
            "SECUREDROP_USERNAME": users, "SECUREDROP_PASSWORD": users, "SECUREDROP_ADMIN_PASSWORD": users,
            "FLASK_SECRET_KEY": keys, "SECUREDROP_SECRET_KEY": keys, "SECUREDROP_JWT_SECRET": keys,
        ]
    }()

    /// `SECUREDROP_*` names other SecureDrop tools read from the same environment: the
    /// client's server URL and the test suite's server binary. They are not typos.
    static let tolerated: Set<String> = ["SECUREDROP_URL", "SECUREDROP_SERVER_BINARY"]
}
