/// SecureDrop: a TLS-terminating file drop. See README.md.
public enum SecureDrop {
    /// The version reported by `--version` and `/healthz`.
    public static let version = "0.1.0"
}
