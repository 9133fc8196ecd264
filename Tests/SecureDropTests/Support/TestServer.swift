import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
@testable import SecureDrop

/// A real SecureDrop server on an ephemeral loopback port, with its own temporary data
/// directory and generated certificate, for integration tests over real TLS.
final class TestServer: Sendable {
    let server: SecureDropServer
    let port: Int
    let directory: URL
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var certificatePath: String { server.configuration.tlsCertificatePath }

    private init(server: SecureDropServer, port: Int, directory: URL, group: ServiceGroup, task: Task<Void, any Error>) {
        self.server = server
        self.group = group
        self.port = port
        self.directory = directory
        self.task = task
    }

    /// Starts a server; `configure` may adjust the configuration first.
    static func start(
        configure: (inout Configuration) -> Void = { _ in },
        logs: LogCapture? = nil,
        extraRoutes: (@Sendable (Router<SecureDropRequestContext>) -> Void)? = TestRoutes.register,
        blobStore: (@Sendable (Configuration) throws -> any BlobStore)? = nil
    ) async throws -> TestServer {
        let directory = try makeTemporaryDirectory("securedrop-test")
        var configuration = Configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.dataDirectory = directory.appendingPathComponent("data").path
        configuration.tlsCertificatePath = directory.appendingPathComponent("certs/cert.pem").path
        configuration.tlsKeyPath = directory.appendingPathComponent("certs/key.pem").path
        configuration.generatesCertificateWhenMissing = true
        configuration.handshakeTimeout = .seconds(2)
        // Cheap hashes keep tests fast; the hashing code path is the same.
        configuration.argon2 = Argon2Parameters(memoryKiB: 8192, iterations: 1, parallelism: 1)
        configure(&configuration)

        var logger = logs?.logger() ?? Logger(label: "securedrop.test")
        if logs == nil {
            logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        }
        let server = try await SecureDropServer(
            configuration: configuration, logger: logger, extraRoutes: extraRoutes, blobStore: try blobStore?(configuration)
        )

        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let group = server.makeServiceGroup(onServerRunning: { port in continuation.yield(port) }, shutdownSignals: [])
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            task.cancel()
            throw TestServerError.didNotStart
        }
        return TestServer(server: server, port: port, directory: directory, group: group, task: task)
    }

    /// Runs `body` against a fresh server and always stops it afterwards.
    @discardableResult
    static func with<Result>(
        configure: (inout Configuration) -> Void = { _ in },
        logs: LogCapture? = nil,
        blobStore: (@Sendable (Configuration) throws -> any BlobStore)? = nil,
        _ body: (TestServer) async throws -> Result
    ) async throws -> Result {
        let server = try await start(configure: configure, logs: logs, blobStore: blobStore)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Stops the server (graceful shutdown through cancellation) and removes its files.
    func stop() async {
        task.cancel()
        _ = try? await task.value
        try? FileManager.default.removeItem(at: directory)
    }

    /// Begins a graceful shutdown (as SIGTERM does) and waits up to `timeout` for the
    /// server to stop. Returns how long stopping took, or nil if it had not stopped.
    func shutDownGracefully(timeout: Duration) async -> Duration? {
        let start = ContinuousClock.now
        await group.triggerGracefulShutdown()
        let task = self.task
        return await withTaskGroup(of: Duration?.self) { race in
            race.addTask {
                _ = try? await task.value
                return ContinuousClock.now - start
            }
            race.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await race.next()!
            race.cancelAll()
            return first
        }
    }

    /// Creates an account directly in the server's database.
    @discardableResult
    func addUser(_ name: String, password: String, role: Role = .user) async throws -> UserRecord {
        let accounts = server.accounts
        return try await accounts.store.createUser(name: name, role: role, passwordHash: try await accounts.hasher.hash(password))
    }

    /// Logs in over HTTPS and returns the bearer token.
    func token(_ name: String, password: String) async throws -> String {
        try await withConnection { connection in
            let response = try await connection.request(.POST, "/api/login", headers: ["Content-Type": "application/json"],
                                                        body: ByteBuffer(string: #"{"username":"\#(name)","password":"\#(password)"}"#))
            guard response.status == .ok,
                  let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any],
                  let token = object["token"] as? String
            else { throw TestServerError.loginFailed(response.bodyText) }
            return token
        }
    }

    /// A client context that trusts this server's generated certificate.
    func trustingClient(maximumVersion: Int32 = TLS1_3_VERSION_VALUE) throws -> TLSContext {
        try TLSContext.client(trust: .certificateAuthorities(file: certificatePath), maximumVersion: maximumVersion)
    }

    /// Runs `body` on a fresh verified connection to this server.
    func withConnection<Result>(
        tls: TLSContext? = nil,
        serverName: String = "localhost",
        receiveBufferSize: Int? = nil,
        _ body: (HTTPSConnection) async throws -> Result
    ) async throws -> Result {
        try await HTTPSConnection.withConnection(
            host: "127.0.0.1",
            port: port,
            tls: try tls ?? trustingClient(),
            serverName: serverName,
            receiveBufferSize: receiveBufferSize,
            body
        )
    }

    /// Waits until every TLS session of this server has been freed, or the deadline passes.
    func waitForNoLiveConnections(timeout: Duration = .seconds(5)) async -> Int {
        let deadline = ContinuousClock.now + timeout
        while server.tracker.liveConnections > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return server.tracker.liveConnections
    }
}

enum TestServerError: Error {
    case didNotStart
    case loginFailed(String)
}

/// `TLS1_3_VERSION` without importing COpenSSL into every test file.
let TLS1_3_VERSION_VALUE: Int32 = 0x0304
let TLS1_2_VERSION_VALUE: Int32 = 0x0303
let TLS1_1_VERSION_VALUE: Int32 = 0x0302
