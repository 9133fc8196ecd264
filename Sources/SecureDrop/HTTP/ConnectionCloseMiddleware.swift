public import Hummingbird

/// Echoes a client's `Connection: close` on the response (RFC 9112 §9.6: a server that is
/// going to close says so).
///
/// Hummingbird closes the connection after such a request but does not mark the response;
/// clients that reuse connections (h2load, some proxies) then send the next request into a
/// closing socket instead of reconnecting.
public struct ConnectionCloseMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if request.headers[.connection]?.lowercased() == "close" {
            response.headers[.connection] = "close"
        }
        return response
    }
}
