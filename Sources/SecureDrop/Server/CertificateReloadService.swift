import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the TLS certificate on SIGHUP, and when the certificate file changes on disk
/// (a Let's Encrypt renewal that forgot the signal).
///
/// A failed reload logs the reason and keeps the current certificate: a renewal caught
/// half-written must not take the server offline.
struct CertificateReloadService: Service {
    let contexts: TLSContextProvider
    let logger: Logger
    var pollInterval: Duration = .seconds(10)

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in signals.cancelOnGracefulShutdown() {
                    reload(reason: "SIGHUP")
                }
            }
            group.addTask {
                var lastSeen = modificationDates()
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try await Task.sleep(for: pollInterval)
                    let current = modificationDates()
                    if current != lastSeen {
                        lastSeen = current
                        reload(reason: "certificate file changed")
                    }
                }
            }
            try await gracefulShutdown()
            group.cancelAll()
        }
    }

    private func reload(reason: String) {
        do {
            try contexts.reload()
            logger.notice("Reloaded TLS certificate", metadata: ["reason": .string(reason), "certificate": .string(contexts.certificateChainFile)])
        } catch {
            logger.error("Keeping the current TLS certificate: reload failed", metadata: ["reason": .string(reason), "error": "\(error)"])
        }
    }

    private func modificationDates() -> [Date?] {
        [contexts.certificateChainFile, contexts.privateKeyFile].map { path in
            (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        }
    }
}
