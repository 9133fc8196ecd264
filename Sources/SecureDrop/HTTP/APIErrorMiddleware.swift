public import Hummingbird
import Logging

/// Turns every error a route throws into the JSON error shape of SPEC §5, so a client never
/// sees Hummingbird's own format or an internal error description.
///
/// Errors that are not ``APIError`` keep their HTTP status when they have one; anything else
/// is logged (it is a bug) and answered with a bare 500.
public struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as FileServiceError {
            return try APIError(error).response(from: request, context: context)
        } catch let error as HTTPError {
            let message = error.body ?? error.status.reasonPhrase
            return try APIError(error.status, code: APIError.code(for: error.status), message: message, headers: error.headers)
                .response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            return try APIError(error.status, code: APIError.code(for: error.status), message: error.status.reasonPhrase)
                .response(from: request, context: context)
        } catch {
            context.logger.error("Unhandled error", metadata: [
                "error": "\(String(reflecting: type(of: error)))", "detail": "\(error)",
            ])
            return try APIError(.internalServerError, code: "internal_error", message: "Something went wrong on the server.")
                .response(from: request, context: context)
        }
    }
}
