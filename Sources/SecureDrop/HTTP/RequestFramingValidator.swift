import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Refuses request framing that SwiftNIO's parser lets through but RFC 9112 forbids.
///
/// A `Transfer-Encoding` whose final coding is not `chunked` leaves a request's length to
/// "until the connection closes", which two parsers in a chain may read differently: the
/// classic request-smuggling opening. RFC 9112 §6.3 requires a 400 and a closed connection.
/// The head is not passed on; an `HTTPParserError` is, which Hummingbird answers with 400
/// and a close, exactly as for the parser's own refusals. Everything after it is dropped.
final class RequestFramingValidator: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private var refused = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        if case .head(let head) = unwrapInboundIn(data), !Self.hasValidFraming(head) {
            refused = true
            context.fireErrorCaught(HTTPParserError.invalidHeaderToken)
            return
        }
        context.fireChannelRead(data)
    }

    static func hasValidFraming(_ head: HTTPRequest) -> Bool {
        let codings = head.headerFields[values: .transferEncoding]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return codings.isEmpty || codings.last == "chunked"
    }
}
