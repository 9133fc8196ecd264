public import Hummingbird
import HTTPTypes

/// Adds the headers of SPEC §5 to every response, errors included.
///
/// A route that sets its own `Content-Security-Policy` (file downloads use `sandbox`) keeps
/// it; everything else gets a policy that allows only same-origin resources and no framing.
/// Likewise for `Referrer-Policy`: web pages use `same-origin`, because under `no-referrer`
/// browsers send `Origin: null` on form posts and ``SameOriginMiddleware`` would refuse them.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Two years, subdomains included: a file drop is HTTPS-only by construction.
    static var strictTransportSecurity: String { "max-age=63072000; includeSubDomains" }
    static var defaultContentSecurityPolicy: String {
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    }

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.strictTransportSecurity] = Self.strictTransportSecurity
        response.headers[.xContentTypeOptions] = "nosniff"
        if response.headers[.referrerPolicy] == nil {
            response.headers[.referrerPolicy] = "no-referrer"
        }
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.crossOriginOpenerPolicy] = "same-origin"
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = Self.defaultContentSecurityPolicy
        }
        return response
    }
}

extension HTTPField.Name {
    /// Security headers swift-http-types has no constants for.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let crossOriginOpenerPolicy = HTTPField.Name("Cross-Origin-Opener-Policy")!
}
