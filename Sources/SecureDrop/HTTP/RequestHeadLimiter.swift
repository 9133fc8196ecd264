import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers request heads over the size limits with the status RFC 9110 and RFC 6585 name for
/// them, instead of the generic `400` the HTTP layer would send, then closes the connection.
///
/// - A request target longer than ``maximumURLLength`` bytes gets `414 URI Too Long`.
/// - A head the parser gave up on (a field over 16 KiB, all fields over 32 KiB, more than 100
///   fields, or a request line too long to parse) gets `431 Request Header Fields Too Large`.
///
/// Either way the refused request never reaches a route, and nothing after it on the
/// connection is read: the parser's state is not trustworthy past an overflow. HTTP/1.1
/// clients may pipeline, so a refusal waits for the responses to earlier requests to finish
/// instead of cutting into one.
final class RequestHeadLimiter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// nginx's default (`large_client_header_buffers 4 8k`): longer than any link this server
    /// makes, and a URL of that size is an attack or a bug.
    static let maximumURLLength = 8 * 1024

    private enum State {
        case accepting
        /// Decided, waiting for earlier responses to finish.
        case refusing(HTTPResponse.Status)
        /// Written; the connection is closing.
        case refused
    }

    private var state = State.accepting
    private var requestsReceived = 0
    private var responsesCompleted = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .accepting = state else { return }
        let part = unwrapInboundIn(data)
        if case .head(let head) = part {
            if (head.path?.utf8.count ?? 0) > Self.maximumURLLength {
                refuse(.uriTooLong, context: context)
                return
            }
            requestsReceived += 1
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? HTTPParserError, error == .headerOverflow {
            refuse(.requestHeaderFieldsTooLarge, context: context)
            return
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        context.write(data, promise: promise)
        if case .end = part {
            responsesCompleted += 1
            sendRefusalIfDue(context: context)
        }
    }

    private func refuse(_ status: HTTPResponse.Status, context: ChannelHandlerContext) {
        guard case .accepting = state else { return }
        // Nothing more is read: what follows an oversized head cannot be framed reliably.
        state = .refusing(status)
        sendRefusalIfDue(context: context)
    }

    /// Writes the refusal once every earlier request has its complete response.
    private func sendRefusalIfDue(context: ChannelHandlerContext) {
        guard case .refusing(let status) = state, responsesCompleted >= requestsReceived else { return }
        state = .refused
        let message = status == .uriTooLong
            ? "The request URL is longer than \(Self.maximumURLLength) bytes."
            : "The request line or header fields are too large."
        let body = context.channel.allocator.buffer(string: APIError(status, code: APIError.code(for: status), message: message).body)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(body.readableBytes)
        headers[.connection] = "close"
        headers[.cacheControl] = "no-store"
        headers[.strictTransportSecurity] = SecurityHeadersMiddleware<SecureDropRequestContext>.strictTransportSecurity
        headers[.xContentTypeOptions] = "nosniff"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension RequestHeadLimiter: Sendable {}
