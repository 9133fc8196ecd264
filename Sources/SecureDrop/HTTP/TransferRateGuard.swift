import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client moves a request body, or reads a response, more slowly
/// than ``MinimumTransferRate`` allows: the slow-body and slow-reader halves of slowloris.
///
/// Hummingbird's idle timeout covers the rest but not these: a request body resets it with
/// every piece received, and while a response is being written it does not run at all, so
/// a client that reads one byte a minute could hold a connection forever. This is the
/// analogue of Apache's `mod_reqtimeout` `MinRate` and nginx's `send_timeout`.
///
/// The server is waiting on the client when it has asked for request body bytes that have
/// not arrived, or when a response is held back because the channel is unwritable (the
/// client is not reading). Once per window, while it has been waiting, the guard compares
/// the bytes moved in each direction with the minimum rate over that waiting time, and
/// closes the connection when either falls short. Between transfers (idle keep-alive, a
/// small request answered at once) no check is scheduled at all.
final class TransferRateGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let minimum: MinimumTransferRate
    private let logger: Logger
    /// Between a request head and its end.
    private var requestBodyInProgress = false
    /// Between a final response head and its end.
    private var responseInProgress = false
    private var requestBodies = TransferMeter()
    private var responseBodies = TransferMeter()
    /// The end of the current window, when one is running.
    private var scheduledCheck: Scheduled<Void>?

    init(minimum: MinimumTransferRate, logger: Logger) {
        self.minimum = minimum
        self.logger = logger
    }

    // MARK: Request bodies

    func read(context: ChannelHandlerContext) {
        // The application asks for more only when it has room for it: a server that is
        // slow to consume a body never shows up here as waiting on the client. Nor does a
        // client that holds its body back while a response is being written (it may be
        // waiting for `100 Continue`, queued behind that response).
        if requestBodyInProgress && !responseInProgress && !requestBodies.isWaiting {
            let now = ContinuousClock.now
            startWindowIfNeeded(context: context, now: now)
            requestBodies.startWaiting(at: now)
        }
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if requestBodies.isWaiting { requestBodies.stopWaiting(at: .now) }
        switch unwrapInboundIn(data) {
        case .head: requestBodyInProgress = true
        case .body(let bytes): requestBodies.count(bytes.readableBytes)
        case .end: requestBodyInProgress = false
        }
        context.fireChannelRead(data)
    }

    // MARK: Responses

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response) where response.status.kind == .informational:
            break
        case .head:
            responseInProgress = true
            if requestBodies.isWaiting { requestBodies.stopWaiting(at: .now) }
            if !context.channel.isWritable { startWaitingForReader(context: context) }
        case .body(let bytes):
            responseBodies.count(bytes.readableBytes)
        case .end:
            responseInProgress = false
            if responseBodies.isWaiting { responseBodies.stopWaiting(at: .now) }
        }
        context.write(data, promise: promise)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            if responseBodies.isWaiting { responseBodies.stopWaiting(at: .now) }
        } else if responseInProgress {
            startWaitingForReader(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    private func startWaitingForReader(context: ChannelHandlerContext) {
        let now = ContinuousClock.now
        startWindowIfNeeded(context: context, now: now)
        responseBodies.startWaiting(at: now)
    }

    // MARK: Windows

    private func startWindowIfNeeded(context: ChannelHandlerContext, now: ContinuousClock.Instant) {
        guard scheduledCheck == nil else { return }
        requestBodies.startWindow(at: now)
        responseBodies.startWindow(at: now)
        scheduledCheck = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(minimum.window)) { [self] in
            endOfWindow(context: context)
        }
    }

    private func endOfWindow(context: ChannelHandlerContext) {
        scheduledCheck = nil
        let now = ContinuousClock.now
        for (meter, direction) in [(requestBodies, "request body"), (responseBodies, "response body")] {
            let waited = meter.waited(at: now)
            if minimum.isTooSlow(bytes: meter.bytes, waited: waited) {
                logger.notice("Closed a connection below the minimum transfer rate", metadata: [
                    "peer": .string(context.channel.remoteAddress?.ipAddress ?? "unknown"),
                    "direction": .string(direction),
                    "bytes": .stringConvertible(meter.bytes),
                    "waited_seconds": .stringConvertible((waited.timeInterval * 10).rounded() / 10),
                ])
                resetConnection(context: context)
                return
            }
        }
        // The next window starts with the next wait, so an idle connection costs no timer.
        guard requestBodyInProgress || responseInProgress else { return }
        startWindowIfNeeded(context: context, now: now)
    }

    /// Resets the connection. `SO_LINGER` 0 makes the kernel drop what is still queued for
    /// this client rather than trickle it out after we let go; closing twice skips the TLS
    /// handler's wait for queued data to drain, which for a peer that stopped reading lasts
    /// its whole close timeout (a second close while draining closes at once, see ``TLSHandler``).
    private func resetConnection(context: ChannelHandlerContext) {
        _ = (context.channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0))
        context.close(mode: .all, promise: nil)
        context.close(mode: .all, promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        scheduledCheck?.cancel()
        scheduledCheck = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        scheduledCheck?.cancel()
        scheduledCheck = nil
        context.fireChannelInactive()
    }
}
