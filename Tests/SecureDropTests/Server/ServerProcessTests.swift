import Foundation
import NIOHTTP1
import Testing
@testable import SecureDrop

/// The `securedrop-server` executable as an operator runs it: configuration from the
/// environment, the startup announcement, SIGHUP and SIGTERM.
@Suite("securedrop-server process", .serialized)
struct ServerProcessTests {
    @Test("Invalid configuration stops the server at start with a message naming the key")
    func invalidConfiguration() throws {
        for (key, value) in [("SECUREDROP_PORT", "eighty"), ("SECUREDROP_LOG_LEVEL", "loud")] {
            let result = try ServerProcess.runToCompletion(environment: [key: value])
            #expect(result.status == 1)
            #expect(result.standardError.hasPrefix("securedrop-server: \(key)"), "\(result.standardError)")
        }
    }

    @Test("A named certificate that does not exist is an error, not a surprise self-signed one")
    func missingNamedCertificate() throws {
        let result = try ServerProcess.runToCompletion(environment: [
            "SECUREDROP_TLS_CERT": "/nonexistent/cert.pem",
            "SECUREDROP_TLS_KEY": "/nonexistent/key.pem",
        ])
        #expect(result.status == 1)
        #expect(result.standardError.contains("/nonexistent/cert.pem"), "\(result.standardError)")
    }

    @Test("A port already in use is a one-line error and exit status 1")
    func portInUse() throws {
        let first = try ServerProcess.start()
        defer { first.terminate() }
        let port = try #require(try first.waitForAnnouncement().port)
        let second = try ServerProcess.runToCompletion(environment: ["SECUREDROP_PORT": String(port)])
        #expect(second.status == 1)
        #expect(second.standardError.contains("securedrop-server: cannot serve on 127.0.0.1:\(port)"), "\(second.standardError)")
        #expect(second.standardError.contains("Address already in use"))
    }

    @Test("Starts with a generated certificate, announces URL and pin, reloads on SIGHUP, exits 0 on SIGTERM")
    func lifecycle() async throws {
        let process = try ServerProcess.start()
        defer { process.terminate() }
        let announcement = try process.waitForAnnouncement()
        let port = try #require(announcement.port)
        #expect(announcement.text.contains("https://127.0.0.1:\(port)/"))
        let firstPin = try PublicKeyPin(certificateFile: process.certificatePath)
        #expect(announcement.text.contains(firstPin.description))
        let keyMode = try FileManager.default.attributesOfItem(atPath: process.keyPath)[.posixPermissions] as? Int
        #expect(keyMode == 0o600)

        // Healthy over a pinned connection.
        let status = try await HTTPSConnection.withConnection(host: "127.0.0.1", port: port, tls: .client(trust: .publicKeyPin(firstPin))) {
            try await $0.request(.GET, "/healthz").status
        }
        #expect(status == .ok)

        // A renewal: new files, then SIGHUP; the next handshake shows the new key.
        try FileManager.default.removeItem(atPath: process.certificatePath)
        try FileManager.default.removeItem(atPath: process.keyPath)
        _ = try SelfSignedCertificate.writeIfMissing(
            certificatePath: process.certificatePath, keyPath: process.keyPath,
            dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"]
        )
        let secondPin = try PublicKeyPin(certificateFile: process.certificatePath)
        process.signal(SIGHUP)
        var presented: PublicKeyPin?
        for _ in 0..<50 where presented != secondPin {
            try await Task.sleep(for: .milliseconds(100))
            presented = try? await HTTPSConnection.withConnection(host: "127.0.0.1", port: port, tls: .client(trust: .publicKeyPin(secondPin))) { _ in secondPin }
        }
        #expect(presented == secondPin)

        process.signal(SIGTERM)
        let status2 = try process.waitForExit(timeout: .seconds(10))
        #expect(status2 == 0)
    }
}

/// Runs the built `securedrop-server` in a temporary working directory.
final class ServerProcess {
    let process = Process()
    let directory: URL
    private let output = Pipe()
    private let errors = Pipe()

    var certificatePath: String { directory.appendingPathComponent("certs/cert.pem").path }
    var keyPath: String { directory.appendingPathComponent("certs/key.pem").path }

    /// The executable sits next to the test bundle in the build directory.
    static var executable: URL {
        if let override = ProcessInfo.processInfo.environment["SECUREDROP_SERVER_BINARY"] {
            return URL(fileURLWithPath: override)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("securedrop-server")
    }

    init(environment: [String: String]) throws {
        directory = try makeTemporaryDirectory("securedrop-process")
        process.executableURL = Self.executable
        process.currentDirectoryURL = directory
        var base = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SECUREDROP_") }
        base["SECUREDROP_PORT"] = "0"
        base["SECUREDROP_HOST"] = "127.0.0.1"
        process.environment = base.merging(environment) { $1 }
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    static func start(environment: [String: String] = [:]) throws -> ServerProcess {
        try ServerProcess(environment: environment)
    }

    struct Completed {
        var status: Int32
        var standardError: String
    }

    static func runToCompletion(environment: [String: String]) throws -> Completed {
        let server = try ServerProcess(environment: environment)
        defer { server.cleanUp() }
        let status = try server.waitForExit(timeout: .seconds(10))
        let text = String(decoding: server.errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Completed(status: status, standardError: text)
    }

    struct Announcement {
        var text: String
        var port: Int? {
            guard let range = text.range(of: "https://127.0.0.1:") else { return nil }
            return Int(text[range.upperBound...].prefix { $0.isNumber })
        }
    }

    /// Reads stdout until the announcement (which ends with the trust hint) has arrived.
    func waitForAnnouncement(timeout: Duration = .seconds(10)) throws -> Announcement {
        let deadline = ContinuousClock.now + timeout
        var text = ""
        let handle = output.fileHandleForReading
        while ContinuousClock.now < deadline {
            let data = handle.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
            if text.contains("curl --cacert") { return Announcement(text: text) }
        }
        throw ServerProcessError.noAnnouncement(text)
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    func waitForExit(timeout: Duration) throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            usleep(20_000)
        }
        guard !process.isRunning else { throw ServerProcessError.stillRunning }
        return process.terminationStatus
    }

    func terminate() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        cleanUp()
    }

    private func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }
}

enum ServerProcessError: Error {
    case noAnnouncement(String)
    case stillRunning
}
