public import Hummingbird

/// `GET /healthz`: a cheap liveness probe for load balancers and monitors. It touches no
/// storage and needs no login, so it says nothing but that the process answers.
public struct HealthRoutes {
    public init() {}

    public func register(on router: Router<SecureDropRequestContext>) {
        router.get("/healthz") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(
                status: .ok,
                headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok","version":"\#(SecureDrop.version)"}"#))
            )
        }
        router.head("/healthz") { _, _ in
            HTTPResponse.Status.ok
        }
    }
}
