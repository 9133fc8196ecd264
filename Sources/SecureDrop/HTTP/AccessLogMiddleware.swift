public import Hummingbird
public import Logging
import NIOCore

/// One structured log line per request, written when the response body has been sent
/// (or the transfer failed): method, path, status, bytes, duration, peer, outcome.
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
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            metadata["status"] = .stringConvertible((error as? any HTTPResponseError)?.status.code ?? 500)
            log(metadata, outcome: "error", since: start)
            throw error
        }
        metadata["status"] = .stringConvertible(response.status.code)
        if let length = response.body.contentLength { metadata["bytes"] = .stringConvertible(length) }
        // A streamed body is sent after this middleware returns: log when it is done, so the
        // duration covers the transfer and an aborted download is visible as such.
        let body = response.body
        let finalMetadata = metadata
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            do {
                try await body.write(writer)
                log(finalMetadata, outcome: "complete", since: start)
            } catch {
                log(finalMetadata, outcome: "aborted", since: start)
                throw error
            }
        }
        return response
    }

    private func log(_ metadata: Logger.Metadata, outcome: String, since start: ContinuousClock.Instant) {
        var metadata = metadata
        metadata["outcome"] = .string(outcome)
        metadata["ms"] = .string(Self.milliseconds(since: start))
        logger.info("request", metadata: metadata)
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> String {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return String(Int((Double(seconds) * 1000 + Double(attoseconds) / 1e15).rounded()))
    }
}
