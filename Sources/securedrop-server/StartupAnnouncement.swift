import SecureDrop

/// What the server tells the person who just started it: where it listens and how to trust
/// it. The pin is public information (a hash of the public key), safe to print.
struct StartupAnnouncement {
    let server: SecureDropServer

    func text(port: Int) -> String {
        let configuration = server.configuration
        let displayHost = ["0.0.0.0", "::"].contains(configuration.host) ? "127.0.0.1"
            : configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        let url = "https://\(displayHost):\(port)/"
        var lines = ["SecureDrop \(SecureDrop.version) is serving \(url)"]
        if let pin = try? PublicKeyPin(certificateFile: configuration.tlsCertificatePath) {
            lines.append("  certificate: \(configuration.tlsCertificatePath) (public key pin \(pin))")
        }
        if server.generatedCertificate || configuration.generatesCertificateWhenMissing {
            lines.append("  The certificate is self-signed. Trust it explicitly, for example:")
            lines.append("    curl --cacert \(configuration.tlsCertificatePath) \(url)healthz")
        }
        if let password = server.initialAdminPassword {
            lines.append("")
            lines.append("  First start: created the administrator \(AccountServices.firstAdminName) with password")
            lines.append("    \(password)")
            lines.append("  It is shown only this once. Change it with: securedrop-admin user passwd \(AccountServices.firstAdminName)")
        }
        return lines.joined(separator: "\n")
    }
}
