import Foundation
public import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle
public import UnixSignals
import HummingbirdCore

/// The SecureDrop HTTPS server: configuration in, a running service out.
///
/// Building one prepares everything that can fail before a port is opened (certificate
/// files, TLS context), so a bad setup stops at start with a clear message rather than at
/// the first handshake. ``run(onServerRunning:shutdownSignals:)`` then serves until SIGTERM
/// or SIGINT, finishing in-flight requests for up to the configured grace period, and
/// reloads the certificate on SIGHUP.
public struct SecureDropServer: Sendable {
    public let configuration: Configuration
    /// The TLS context new connections use; replaced on certificate reload.
    public let contexts: TLSContextProvider
    /// Live and total TLS sessions, for leak checks and diagnostics.
    public let tracker = TLSConnectionTracker()
    /// Whether this start generated the self-signed certificate.
    public let generatedCertificate: Bool
    /// Users, keys and sessions.
    public let accounts: AccountServices
    /// Stored files: blobs in the data directory, metadata beside the accounts.
    public let files: FileService
    /// The web UI's templates and static files, loaded from the package bundle at start.
    public let webResources: WebResources
    /// The web UI's CSRF token key (random per start).
    public let csrf: CSRFProtection
    /// The first administrator's password when this start created it; shown once.
    public let initialAdminPassword: String?
    private let logger: Logger
    private let extraRoutes: (@Sendable (Router<SecureDropRequestContext>) -> Void)?

    /// - Parameters:
    ///   - extraRoutes: more routes on the same router, behind the same middleware (tests
    ///     use this for streaming endpoints).
    ///   - blobStore: where file bytes go; by default ``LocalBlobStore`` in the data directory.
    public init(
        configuration: Configuration,
        logger: Logger,
        extraRoutes: (@Sendable (Router<SecureDropRequestContext>) -> Void)? = nil,
        blobStore: (any BlobStore)? = nil
    ) async throws {
        self.configuration = configuration
        self.logger = logger
        self.extraRoutes = extraRoutes
        self.generatedCertificate = try Self.prepareCertificate(configuration: configuration, logger: logger)
        self.contexts = try TLSContextProvider(
            certificateChainFile: configuration.tlsCertificatePath,
            privateKeyFile: configuration.tlsKeyPath
        )
        self.accounts = try AccountServices.open(configuration: configuration)
        var files = try FileService.open(configuration: configuration, accounts: accounts, logger: logger)
        if let blobStore {
            files = FileService(blobs: blobStore, metadata: files.metadata, accounts: accounts.store,
                                maximumUploadBytes: files.maximumUploadBytes, logger: logger)
        }
        self.files = files
        self.webResources = try WebResources.load()
        self.csrf = try CSRFProtection()
        self.initialAdminPassword = try await accounts.bootstrap()
        // Nothing is uploading before the server listens: anything half-done is a crash's leftover.
        let swept = try await files.removeLeftovers()
        if swept > 0 {
            logger.notice("Removed files left unfinished by an earlier run", metadata: ["count": .stringConvertible(swept)])
        }
    }

    /// Generates a self-signed certificate when the configuration allows it and none exists.
    private static func prepareCertificate(configuration: Configuration, logger: Logger) throws -> Bool {
        guard configuration.generatesCertificateWhenMissing else { return false }
        var ipAddresses = ["127.0.0.1", "::1"]
        if !["0.0.0.0", "::", "127.0.0.1", "::1"].contains(configuration.host),
           configuration.host.contains(":") || configuration.host.allSatisfy({ $0.isNumber || $0 == "." }) {
            ipAddresses.append(configuration.host)
        }
        var dnsNames = ["localhost"] + configuration.serverNames
        if !configuration.host.contains(":"), !configuration.host.allSatisfy({ $0.isNumber || $0 == "." }),
           !dnsNames.contains(configuration.host) {
            dnsNames.append(configuration.host)
        }
        let created = try SelfSignedCertificate.writeIfMissing(
            certificatePath: configuration.tlsCertificatePath,
            keyPath: configuration.tlsKeyPath,
            dnsNames: dnsNames,
            ipAddresses: ipAddresses
        )
        if created {
            logger.notice(
                "Generated a self-signed certificate",
                metadata: ["certificate": .string(configuration.tlsCertificatePath), "names": .string((dnsNames + ipAddresses).joined(separator: ","))]
            )
        }
        return created
    }

    /// The router with every route and middleware; exposed so tests can drive it directly.
    public func makeRouter() -> Router<SecureDropRequestContext> {
        let router = Router(context: SecureDropRequestContext.self)
        router.add(middleware: AccessLogMiddleware(logger: logger))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ConnectionCloseMiddleware())
        router.add(middleware: APIErrorMiddleware())
        router.add(middleware: SameOriginMiddleware())
        router.add(middleware: SessionMiddleware(
            sessions: accounts.sessions,
            addresses: ClientAddressResolver(trustedProxies: configuration.trustedProxies)
        ))
        HealthRoutes().register(on: router)
        AuthRoutes(sessions: accounts.sessions).register(on: router)
        FileRoutes(files: files).register(on: router)
        WebRoutes(sessions: accounts.sessions, files: files, resources: webResources, csrf: csrf).register(on: router)
        extraRoutes?(router)
        return router
    }

    /// The Hummingbird application serving HTTPS on the configured address.
    public func makeApplication(
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        // Header limits well under Hummingbird's 80 KiB defaults: no route needs more than a
        // bearer token and a few small headers, and every byte here is unauthenticated.
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: connectionLimitHandlers(),
            idleTimeout: TimeAmount(configuration.idleTimeout),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 32 * 1024, maxHeaderFieldCount: 100)
        )
        return Application(
            router: makeRouter(),
            server: .openSSL(
                http1,
                contexts: contexts,
                handshakeTimeout: TimeAmount(configuration.handshakeTimeout),
                tracker: tracker
            ),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: nil,
                // At the limit, new connections wait in the listen backlog instead of being
                // accepted: memory stays bounded under a connection flood.
                availableConnectionsDelegate: .maximum(configuration.maxConnections, logger: logger)
            ),
            onServerRunning: { channel in
                await onServerRunning(channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
    }

    /// The per-connection handlers between HTTP parsing and Hummingbird: head size limits,
    /// framing checks, refused bodies, and the minimum transfer rate (left out when it is
    /// turned off).
    private func connectionLimitHandlers() -> [any RemovableChannelHandler] {
        var handlers: [any RemovableChannelHandler] = [
            RequestHeadLimiter(), RequestFramingValidator(), UnfinishedRequestCloser(maximumUploadBytes: configuration.maxUploadBytes),
        ]
        if configuration.minimumTransferRate.isEnabled {
            handlers.append(TransferRateGuard(minimum: configuration.minimumTransferRate, logger: logger))
        }
        return handlers
    }

    /// Serves until one of `shutdownSignals` arrives (or the task is cancelled).
    ///
    /// - Parameter onServerRunning: called with the bound port once connections are accepted.
    public func run(
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        shutdownSignals: [UnixSignal] = [.sigterm, .sigint]
    ) async throws {
        try await makeServiceGroup(onServerRunning: onServerRunning, shutdownSignals: shutdownSignals).run()
    }

    /// The server and its helpers (certificate reload) as one service group. Graceful
    /// shutdown, by signal or `triggerGracefulShutdown()`, stops accepting connections and
    /// lets in-flight requests finish for up to the configured grace period; then they are
    /// cancelled.
    public func makeServiceGroup(
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        shutdownSignals: [UnixSignal] = [.sigterm, .sigint]
    ) -> ServiceGroup {
        let application = makeApplication(onServerRunning: onServerRunning)
        let reloader = CertificateReloadService(contexts: contexts, logger: logger)
        let maintenance = AccountMaintenanceService(store: accounts.store, sessionTTL: configuration.sessionTTL, logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: application),
                .init(service: reloader, successTerminationBehavior: .ignore),
                .init(service: maintenance, successTerminationBehavior: .ignore),
            ],
            gracefulShutdownSignals: shutdownSignals,
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownGracePeriod
        return ServiceGroup(configuration: groupConfiguration)
    }
}
