import Foundation
import Testing
@testable import SecureDrop

/// The web UI in a real browser: `Tests/e2e/web_e2e.py` drives headless Chromium through
/// Selenium against a server on real TLS (log in, upload two files with the picker, download,
/// open, uploaded HTML does not run, delete, log out).
///
/// Chromium trusts the self-signed certificate by its public key pin only. Without Chromium,
/// chromedriver or Selenium the test is skipped, with a message, on a developer machine;
/// under CI (`CI` set) it runs and fails instead, so CI can never pass without it.
@Suite("Web UI in a browser", .serialized)
struct BrowserEndToEndTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("e2e/web_e2e.py").path

    /// Whether chromium and chromedriver are on PATH.
    static var browserInstalled: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin"]
        return ["chromium", "chromedriver"].allSatisfy { tool in
            directories.contains { FileManager.default.isExecutableFile(atPath: $0 + "/" + tool) }
        }
    }

    static var inCI: Bool { !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty }

    @Test(
        "Log in, upload two files, download, open, uploaded HTML inert, delete, log out",
        .enabled(if: browserInstalled || inCI, "chromium and chromium-driver are not installed (run `make deps`); CI runs this test"),
        .timeLimit(.minutes(3))
    )
    func browserFlow() async throws {
        let selenium = try await Command.run("python3", ["-c", "import selenium"])
        try #require(selenium.status == 0, "Python's selenium is missing (run `make deps`): \(selenium.errors)")
        try await TestServer.with { server in
            let password = "browser-password-1"
            try await server.addUser("alice", password: password)
            let pin = try PublicKeyPin(certificateFile: server.certificatePath)
            var arguments = [
                Self.script, "--url", "https://localhost:\(server.port)", "--pin", pin.base64,
                "--user", "alice", "--password-env", "SECUREDROP_E2E_PASSWORD",
            ]
            if let directory = ProcessInfo.processInfo.environment["SECUREDROP_SCREENSHOTS"], !directory.isEmpty {
                arguments += ["--screenshots", directory]
            }
            let result = try await Command.run("python3", arguments, environment: ["SECUREDROP_E2E_PASSWORD": password])
            #expect(result.status == 0, "browser test failed:\n\(result.output)\n\(result.errors.suffix(6000))")
            #expect(result.output.contains("e2e: all steps passed"))
        }
    }
}
