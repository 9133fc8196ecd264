import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Handles request bodies the application will not read: `Expect: 100-continue`, and
/// responses sent before the request's body has arrived (a `401`, a `413` for an upload).
///
/// - A client that sends `Expect: 100-continue` (curl does for `-T` and large posts) waits for
///   a `100 Continue` before sending its body. It gets one at once, unless the declared
///   `Content-Length` is over the upload limit: then it gets only the route's `413`, and the
///   body is never sent at all.
/// - Hummingbird reads and discards whatever is left of a request body after the response,
///   to reach the next request on the connection. For an oversized or refused upload that
///   would mean receiving gigabytes for nothing. Instead, when a response starts before its
///   request's body has arrived, and more than ``drainBudget`` of it is still to come (or its
///   length is unknown), the response says `Connection: close`, our side of the connection is closed
///   (TLS `close_notify` and FIN, so the client reads the whole response), and the rest of the
///   input is discarded for at most ``lingerTime`` before the connection is dropped. Closing
///   outright instead would make the kernel answer the unread bytes with a reset, which can
///   destroy the response before the client has read it.
final class UnfinishedRequestCloser: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long a refused body may keep arriving after the response was sent.
    static let lingerTime = TimeAmount.seconds(5)
    /// A rest of body up to this size is cheaper to read than a new connection (a refused
    /// login's few bytes): the connection stays open and Hummingbird drains it.
    static let drainBudget: Int64 = 64 * 1024

    private let maximumUploadBytes: Int64
    /// Request heads received, and final responses completed, on this connection. HTTP/1.1
    /// clients may pipeline, and Hummingbird reads ahead, so the request being answered
    /// (number `responsesCompleted + 1`) is not always the latest one received.
    private var requestsReceived = 0
    private var responsesCompleted = 0
    private var responseInProgress = false
    /// The latest request: between its head and its end, its declared length (`nil` for
    /// chunked) and the body bytes seen.
    private var latestRequestInProgress = false
    private var declaredLength: Int64?
    private var bodyBytesSeen: Int64 = 0
    /// The latest request asked for `100 Continue` while another response was being written;
    /// it is sent when that response ends (a 1xx inside another response would corrupt it).
    private var continuePending = false
    /// Decided when the response head goes out: this response ends the connection.
    private var closesAfterResponse = false
    /// After a response that ended before its request: everything inbound is dropped.
    private var lingering = false

    init(maximumUploadBytes: Int64) {
        self.maximumUploadBytes = maximumUploadBytes
    }

    /// Whether the request being answered is the latest one and its body is still arriving.
    private var answeredRequestUnfinished: Bool {
        requestsReceived == responsesCompleted + 1 && latestRequestInProgress
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !lingering else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestsReceived += 1
            latestRequestInProgress = true
            bodyBytesSeen = 0
            declaredLength = head.headerFields[.contentLength].flatMap { Int64($0) }
            continuePending = false
            if Self.expectsContinue(head), !declaresTooMuch(head) {
                if responseInProgress || requestsReceived != responsesCompleted + 1 {
                    continuePending = true
                } else {
                    sendContinue(context: context)
                }
            }
        case .body(let bytes):
            bodyBytesSeen += Int64(bytes.readableBytes)
        case .end:
            latestRequestInProgress = false
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response) where response.status.kind == .informational:
            context.write(data, promise: promise)
        case .head(var response):
            responseInProgress = true
            if answeredRequestUnfinished && !restIsCheapToDrain {
                closesAfterResponse = true
                continuePending = false
                response.headerFields[.connection] = "close"
                context.write(wrapOutboundOut(.head(response)), promise: promise)
            } else {
                context.write(data, promise: promise)
            }
        case .body:
            context.write(data, promise: promise)
        case .end:
            responseInProgress = false
            responsesCompleted += 1
            guard closesAfterResponse else {
                context.write(data, promise: promise)
                if continuePending, requestsReceived == responsesCompleted + 1 {
                    continuePending = false
                    sendContinue(context: context)
                }
                return
            }
            closesAfterResponse = false
            lingering = true
            context.writeAndFlush(data, promise: promise)
            context.close(mode: .output, promise: nil)
            context.eventLoop.assumeIsolated().scheduleTask(in: Self.lingerTime) {
                context.close(mode: .all, promise: nil)
            }
        }
    }

    private func sendContinue(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }

    private var restIsCheapToDrain: Bool {
        declaredLength.map { $0 - bodyBytesSeen <= Self.drainBudget } ?? false
    }

    static func expectsContinue(_ head: HTTPRequest) -> Bool {
        head.headerFields[.expect]?.lowercased() == "100-continue"
    }

    private func declaresTooMuch(_ head: HTTPRequest) -> Bool {
        head.headerFields[.contentLength].flatMap { Int64($0) }.map { $0 > maximumUploadBytes } ?? false
    }
}
