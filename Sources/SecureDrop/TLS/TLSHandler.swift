import COpenSSL
import Logging
import NIOCore

/// What a completed handshake agreed on; fired as a user inbound event and returned by
/// ``TLSHandler/handshakeCompleted``.
public struct TLSHandshakeInfo: Sendable, Equatable {
    /// `TLSv1.3` or `TLSv1.2`.
    public let protocolVersion: String
    public let cipherSuite: String
    /// The ALPN protocol, `http/1.1` when the peer offered ALPN at all.
    public let negotiatedProtocol: String?
    /// The SNI name a client asked for (server side only).
    public let serverName: String?
    /// Whether the session was resumed from a ticket or the session cache.
    public let resumed: Bool
}

/// Why a TLS connection ended early; everything here is a peer's fault or a timeout.
public enum TLSHandlerError: Error, CustomStringConvertible, Sendable {
    case handshakeTimedOut
    case handshakeFailed(OpenSSLError)
    case protocolFailure(OpenSSLError)
    case pinMismatch(expected: PublicKeyPin, presented: PublicKeyPin?)
    case unexpectedApplicationProtocol(String)
    /// The TCP connection closed without a `close_notify`, so the data may be truncated.
    case uncleanShutdown
    case closedBeforeHandshake

    public var description: String {
        switch self {
        case .handshakeTimedOut: "the TLS handshake did not complete in time"
        case .handshakeFailed(let error): "\(error)"  // "TLS handshake failed: <OpenSSL's reasons>"
        case .protocolFailure(let error): "TLS protocol error: \(error)"
        case .pinMismatch(let expected, let presented):
            "the server's public key \(presented.map(\.description) ?? "(none)") does not match the pin \(expected)"
        case .unexpectedApplicationProtocol(let name): "the server selected application protocol \(name), not http/1.1"
        case .uncleanShutdown: "the peer closed the connection without a TLS close_notify"
        case .closedBeforeHandshake: "the connection closed before the TLS handshake completed"
        }
    }
}

/// TLS for a SwiftNIO channel, on the system OpenSSL over memory BIOs.
///
/// Ciphertext flows between the socket and ``TLSConnection``; plaintext flows between this
/// handler and the handlers above it (HTTP). The handler mirrors the shape of swift-nio-ssl's
/// `NIOSSLHandler`:
///
/// - Writes issued before the handshake completes are held and sent right after it.
/// - Inbound backpressure is the channel's own: `read()` passes through, and every chunk of
///   ciphertext is decrypted in full when it arrives, so at most one socket read's worth of
///   plaintext is ever buffered here. Outbound, encrypted data goes straight to the socket,
///   whose pending bytes drive `isWritable` for the writers above.
/// - A peer's `close_notify` becomes `ChannelEvent.inputClosed` when the channel allows
///   half-closure (HTTP/1 does), otherwise a full close; `close(mode: .output)` sends our own
///   `close_notify` before shutting the socket's write side.
/// - Failures are logged at debug level and close this connection only: a garbage
///   ClientHello is a peer's problem, not the server's.
public final class TLSHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State {
        case idle
        case handshaking
        case active
        /// We sent `close_notify` or closed: no more application writes.
        case closing
        case closed
    }

    /// Upper bound on plaintext passed up in one `channelRead`, so a large socket read
    /// becomes several moderately sized buffers instead of one huge allocation.
    private static let maximumPlaintextChunk = 64 * 1024

    private let connection: TLSConnection
    private let isServer: Bool
    private let handshakeTimeout: TimeAmount
    private let logger: Logger
    private var state: State = .idle
    private var bufferedWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var handshakeTimer: Scheduled<Void>?
    private var drainTimer: Scheduled<Void>?
    private let closeTimeout: TimeAmount
    private var handshakePromise: EventLoopPromise<TLSHandshakeInfo>?
    private var producedPlaintext = false
    private var tracker: TLSConnectionTracker?

    /// Completes when the handshake does, or fails with a ``TLSHandlerError``.
    /// Available once the handler has been added to a pipeline.
    public var handshakeCompleted: EventLoopFuture<TLSHandshakeInfo> {
        handshakePromise!.futureResult
    }

    /// - Parameters:
    ///   - context: server or client context.
    ///   - serverHostname: client side: the name (or address) to verify and send as SNI.
    ///   - handshakeTimeout: connections that have not finished the handshake by then are closed.
    ///   - closeTimeout: how long a close waits for already-written data to reach the kernel.
    ///   - tracker: counts live sessions, for leak checks and metrics.
    public init(
        context: TLSContext,
        serverHostname: String? = nil,
        handshakeTimeout: TimeAmount = .seconds(10),
        closeTimeout: TimeAmount = .seconds(30),
        tracker: TLSConnectionTracker? = nil,
        logger: Logger
    ) throws {
        self.connection = try TLSConnection(context: context, serverHostname: serverHostname)
        if case .server = context.role { self.isServer = true } else { self.isServer = false }
        self.handshakeTimeout = handshakeTimeout
        self.closeTimeout = closeTimeout
        self.logger = logger
        self.tracker = tracker
        tracker?.opened()
    }

    deinit {
        tracker?.closed()
    }

    // MARK: Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        handshakePromise = context.eventLoop.makePromise(of: TLSHandshakeInfo.self)
        if context.channel.isActive {
            startHandshake(context: context)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        drainTimer?.cancel()
        failBufferedWrites(ChannelError.ioOnClosedChannel)
        handshakePromise?.fail(TLSHandlerError.closedBeforeHandshake)
    }

    public func channelActive(context: ChannelHandlerContext) {
        startHandshake(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        let wasHandshaking = state == .handshaking || state == .idle
        state = .closed
        handshakeTimer?.cancel()
        drainTimer?.cancel()
        failBufferedWrites(ChannelError.ioOnClosedChannel)
        if wasHandshaking {
            handshakePromise?.fail(TLSHandlerError.closedBeforeHandshake)
        }
        context.fireChannelInactive()
    }

    private func startHandshake(context: ChannelHandlerContext) {
        guard state == .idle else { return }
        state = .handshaking
        handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: handshakeTimeout) { [weak self] in
            guard let self, self.state == .handshaking else { return }
            self.fail(TLSHandlerError.handshakeTimedOut, context: context)
        }
        // A client speaks first; a server's call just finds no input yet.
        advanceHandshake(context: context)
    }

    // MARK: Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let ciphertext = unwrapInboundIn(data)
        switch state {
        case .closed:
            return
        case .idle:
            startHandshake(context: context)
        case .handshaking, .active, .closing:
            break
        }
        connection.receive(ciphertext)
        if state == .handshaking {
            advanceHandshake(context: context)
        }
        if state == .active || state == .closing {
            deliverPlaintext(context: context)
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        // Flush what OpenSSL produced while reading (alerts, session tickets, key updates).
        flushCiphertext(context: context)
        if producedPlaintext {
            producedPlaintext = false
            context.fireChannelReadComplete()
        }
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // TCP FIN without close_notify. During a handshake there is nothing to save;
            // after it, the peer may have truncated our data: say so, then pass the
            // end of input on so HTTP can finish or fail the request it was reading.
            if state == .handshaking || state == .idle {
                fail(TLSHandlerError.closedBeforeHandshake, context: context)
                return
            }
            logger.debug("TLS peer closed without close_notify", metadata: peerMetadata(context))
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func advanceHandshake(context: ChannelHandlerContext) {
        let progress = connection.handshake()
        flushCiphertext(context: context)
        switch progress {
        case .wantsMoreInput:
            return
        case .complete:
            handshakeSucceeded(context: context)
        case .closedByPeer:
            fail(TLSHandlerError.closedBeforeHandshake, context: context)
        case .failed(let error):
            if isServer, error.reasons.contains(where: { $0.contains("http request") }) {
                answerPlaintextHTTP(context: context)
            }
            fail(TLSHandlerError.handshakeFailed(error), context: context)
        }
    }

    private func handshakeSucceeded(context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        handshakeTimer = nil
        if case .client(.publicKeyPin(let expected)) = connection.context.role {
            let presented = try? connection.peerPublicKeyPin()
            guard presented == expected else {
                fail(TLSHandlerError.pinMismatch(expected: expected, presented: presented), context: context)
                return
            }
        }
        let alpn = connection.negotiatedProtocol
        if let alpn, alpn != "http/1.1" {
            fail(TLSHandlerError.unexpectedApplicationProtocol(alpn), context: context)
            return
        }
        state = .active
        let info = TLSHandshakeInfo(
            protocolVersion: connection.protocolVersion,
            cipherSuite: connection.cipherSuite,
            negotiatedProtocol: alpn,
            serverName: isServer ? connection.requestedServerName : nil,
            resumed: connection.wasResumed
        )
        handshakePromise?.succeed(info)
        context.fireUserInboundEventTriggered(info)
        // Writes that waited for the handshake go out now.
        if !bufferedWrites.isEmpty {
            encryptBufferedWrites(context: context)
        }
    }

    private func deliverPlaintext(context: ChannelHandlerContext) {
        while true {
            var plaintext = context.channel.allocator.buffer(capacity: 16 * 1024)
            let progress = connection.decrypt(into: &plaintext, limit: Self.maximumPlaintextChunk)
            if plaintext.readableBytes > 0 {
                producedPlaintext = true
                context.fireChannelRead(wrapInboundOut(plaintext))
                // A handler above may have closed the channel in response.
                if state == .closed { return }
            }
            switch progress {
            case .complete:
                continue
            case .wantsMoreInput:
                return
            case .closedByPeer:
                peerSentCloseNotify(context: context)
                return
            case .failed(let error):
                fail(TLSHandlerError.protocolFailure(error), context: context)
                return
            }
        }
    }

    private func peerSentCloseNotify(context: ChannelHandlerContext) {
        let halfClosureAllowed = (try? context.channel.syncOptions?.getOption(ChannelOptions.allowRemoteHalfClosure)) ?? false
        if halfClosureAllowed {
            if producedPlaintext {
                producedPlaintext = false
                context.fireChannelReadComplete()
            }
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        } else {
            close(context: context, mode: .all, promise: nil)
        }
    }

    // MARK: Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch state {
        case .closing, .closed:
            promise?.fail(ChannelError.outputClosed)
        case .idle, .handshaking, .active:
            bufferedWrites.append((unwrapOutboundIn(data), promise))
        }
    }

    public func flush(context: ChannelHandlerContext) {
        if state == .active {
            encryptBufferedWrites(context: context)
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch mode {
        case .input:
            context.close(mode: .input, promise: promise)
        case .output:
            sendCloseNotify(context: context)
            if state != .closed { state = .closing }
            context.close(mode: .output, promise: promise)
        case .all:
            guard state == .active else {
                // Nothing to drain (or a second close while draining): close now.
                drainTimer?.cancel()
                state = .closed
                failBufferedWrites(ChannelError.ioOnClosedChannel)
                context.close(mode: .all, promise: promise)
                return
            }
            // A full close drops whatever the socket has not sent yet, and the HTTP layer
            // closes right after writing a response's last part (Connection: close, graceful
            // shutdown). So: queue close_notify behind the data, and close the socket once
            // all of it has been handed to the kernel, or after `closeTimeout` for a peer
            // that stopped reading.
            let drained = context.eventLoop.makePromise(of: Void.self)
            sendCloseNotify(context: context, completing: drained)
            state = .closing
            drainTimer = context.eventLoop.assumeIsolated().scheduleTask(in: closeTimeout) {
                context.close(mode: .all, promise: nil)
            }
            drained.futureResult.assumeIsolated().whenComplete { [weak self] _ in
                self?.drainTimer?.cancel()
                context.close(mode: .all, promise: promise)
            }
        }
    }

    /// Encrypts pending application data, then our `close_notify`, and sends both.
    private func sendCloseNotify(context: ChannelHandlerContext, completing promise: EventLoopPromise<Void>? = nil) {
        if state == .active {
            encryptBufferedWrites(context: context)
        }
        if state == .active || state == .closing {
            connection.shutdown()
            flushCiphertext(context: context, completing: promise.map { [$0] } ?? [])
        } else {
            promise?.succeed(())
        }
        failBufferedWrites(ChannelError.outputClosed)
    }

    private func encryptBufferedWrites(context: ChannelHandlerContext) {
        guard !bufferedWrites.isEmpty else { return }
        let writes = bufferedWrites
        bufferedWrites.removeAll(keepingCapacity: true)
        var promises: [EventLoopPromise<Void>] = []
        for (index, (plaintext, promise)) in writes.enumerated() {
            if case .failed(let error) = connection.encrypt(plaintext) {
                promise?.fail(TLSHandlerError.protocolFailure(error))
                for (_, later) in writes[(index + 1)...] { later?.fail(ChannelError.ioOnClosedChannel) }
                promises.forEach { $0.fail(ChannelError.ioOnClosedChannel) }
                fail(TLSHandlerError.protocolFailure(error), context: context)
                return
            }
            if let promise { promises.append(promise) }
        }
        flushCiphertext(context: context, completing: promises)
    }

    /// Sends what OpenSSL produced, completing `promises` when the socket has taken it.
    private func flushCiphertext(context: ChannelHandlerContext, completing promises: [EventLoopPromise<Void>] = []) {
        guard let ciphertext = connection.takeCiphertext(allocator: context.channel.allocator) else {
            promises.forEach { $0.succeed(()) }
            return
        }
        let promise: EventLoopPromise<Void>?
        switch promises.count {
        case 0: promise = nil
        case 1: promise = promises[0]
        default:
            promise = context.eventLoop.makePromise()
            for other in promises { promise!.futureResult.cascade(to: other) }
        }
        context.writeAndFlush(wrapOutboundOut(ciphertext), promise: promise)
    }

    // MARK: Failure

    private func fail(_ error: TLSHandlerError, context: ChannelHandlerContext) {
        guard state != .closed else { return }
        logger.debug("TLS connection closed", metadata: peerMetadata(context).merging(["tls.error": "\(error)"]) { $1 })
        let wasHandshaking = state == .handshaking || state == .idle
        state = .closed
        handshakeTimer?.cancel()
        // An alert OpenSSL queued tells the peer why; send it before closing.
        flushCiphertext(context: context)
        failBufferedWrites(error)
        if wasHandshaking {
            handshakePromise?.fail(error)
        }
        if !isServer {
            // Our own client wants the reason; the server only logs it.
            context.fireErrorCaught(error)
        }
        context.close(mode: .all, promise: nil)
    }

    private func failBufferedWrites(_ error: any Error) {
        let writes = bufferedWrites
        bufferedWrites.removeAll()
        for (_, promise) in writes { promise?.fail(error) }
    }

    /// A plain-HTTP request on the HTTPS port gets a short plain-text answer instead of a
    /// bare reset, as nginx does, so `curl http://` users learn what went wrong.
    private func answerPlaintextHTTP(context: ChannelHandlerContext) {
        let body = "This port speaks HTTPS only. Use https:// in the URL.\n"
        let response = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        _ = connection.takeCiphertext(allocator: context.channel.allocator)  // drop the TLS alert
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: response)), promise: nil)
    }

    private func peerMetadata(_ context: ChannelHandlerContext) -> Logger.Metadata {
        ["peer": "\(context.remoteAddress?.description ?? "unknown")"]
    }
}

@available(*, unavailable)
extension TLSHandler: Sendable {}
