public import Hummingbird
public import Logging
import NIOCore

/// One structured log line per request: method, path, status, bytes, duration, peer.
///
/// The query string is left out on purpose, and no header is logged: tokens and
/// passwords must never reach a log (SPEC §9), and either could travel there.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = SecureDropRequestContext

    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "peer": .string(context.remoteAddress?.ipAddress ?? "unknown"),
        ]
        do {
            let response = try await next(request, context)
            metadata["status"] = .stringConvertible(response.status.code)
            if let length = response.body.contentLength { metadata["bytes"] = .stringConvertible(length) }
            metadata["ms"] = .string(Self.milliseconds(since: start))
            logger.info("request", metadata: metadata)
            return response
        } catch {
            metadata["status"] = .stringConvertible((error as? any HTTPResponseError)?.status.code ?? 500)
            metadata["ms"] = .string(Self.milliseconds(since: start))
            logger.info("request", metadata: metadata)
            throw error
        }
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return String(Int(milliseconds.rounded()))
    }
}
