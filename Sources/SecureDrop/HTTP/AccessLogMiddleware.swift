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

    /// Bodies up to this length are logged as soon as the handler returns them.
    ///
    /// Wrapping a body to see its end turns Hummingbird's single write of head, body and end
    /// into three writes, three hops to the event loop and two TLS records; for a small body that
    /// is most of the cost of the request. Small bodies are in memory or read in one piece
    /// (``FileDownload/inMemoryLimit``), so the handler's return is where their work ends.
    static let loggedOnReturnLimit = 64 * 1024

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Every line is at `info`: below that level this middleware has nothing to do.
        guard logger.logLevel <= .info else { return try await next(request, context) }
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
        if let length = response.body.contentLength {
            metadata["bytes"] = .stringConvertible(length)
            if length <= Self.loggedOnReturnLimit {
                log(metadata, outcome: "complete", since: start)
                return response
            }
        }
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
