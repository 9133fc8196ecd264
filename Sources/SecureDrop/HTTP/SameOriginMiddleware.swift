public import Hummingbird
import HTTPTypes

/// Refuses state-changing requests that a browser sent on behalf of another site.
///
/// Browsers attach an `Origin` header to every cross-site POST, PUT, PATCH and DELETE; when
/// it names another origin than this server, the request is refused with 403 before any
/// route runs. Requests without `Origin` (curl, the CLI, the seed's Python client) pass:
/// they carry no ambient browser credentials. Together with `SameSite=Strict` cookies and
/// the web UI's CSRF tokens, this closes cross-site request forgery (SPEC §3).
public struct SameOriginMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if [.post, .put, .patch, .delete].contains(request.method), let origin = request.headers[.origin] {
            guard let authority = request.head.authority, origin == "https://" + authority else {
                throw APIError.forbidden("Cross-origin requests are not accepted.")
            }
        }
        return try await next(request, context)
    }
}
