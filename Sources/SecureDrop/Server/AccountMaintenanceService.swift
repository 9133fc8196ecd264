import Foundation
import Logging
import ServiceLifecycle

/// Once a minute, forgets what can no longer matter: revoked token ids past their expiry,
/// and signing keys retired longer ago than a session lives.
struct AccountMaintenanceService: Service {
    let store: any AccountStore
    let sessionTTL: Duration
    let logger: Logger
    var interval: Duration = .seconds(60)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let now = Date()
                try await store.deleteRevocations(expiredBefore: now)
                try await store.deleteSigningKeys(retiredAtOrBefore: now.addingTimeInterval(-sessionTTL.timeInterval))
            } catch {
                logger.warning("Account maintenance failed", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return  // cancelled or shutting down
            }
        }
    }
}
