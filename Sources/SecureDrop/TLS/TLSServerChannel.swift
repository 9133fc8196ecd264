public import HummingbirdCore
public import Logging
public import NIOCore

/// A Hummingbird child channel that terminates TLS with ``TLSHandler`` in front of another
/// child channel (HTTP/1). The OpenSSL twin of Hummingbird's `TLSChannel`, which is tied to
/// swift-nio-ssl: this server keeps one TLS stack, the system OpenSSL.
public struct TLSServerChannel<BaseChannel: ServerChildChannel>: ServerChildChannel {
    public typealias Value = BaseChannel.Value

    let baseChannel: BaseChannel
    let contexts: TLSContextProvider
    let handshakeTimeout: TimeAmount
    let tracker: TLSConnectionTracker?

    public init(
        _ baseChannel: BaseChannel,
        contexts: TLSContextProvider,
        handshakeTimeout: TimeAmount,
        tracker: TLSConnectionTracker? = nil
    ) {
        self.baseChannel = baseChannel
        self.contexts = contexts
        self.handshakeTimeout = handshakeTimeout
        self.tracker = tracker
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let handler = try TLSHandler(
                context: contexts.context,
                handshakeTimeout: handshakeTimeout,
                tracker: tracker,
                logger: logger
            )
            try channel.pipeline.syncOperations.addHandler(handler)
        }.flatMap {
            baseChannel.setup(channel: channel, logger: logger)
        }
    }

    /// Handles the connection on its own event loop (see ``EventLoopTaskExecutor``).
    public func handle(value: BaseChannel.Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await baseChannel.handle(value: value, logger: logger)
        }
    }
}

extension TLSServerChannel: HTTPChannelHandler where BaseChannel: HTTPChannelHandler {
    public var responder: HTTPChannelHandler.Responder { baseChannel.responder }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 over TLS terminated in-process by the system OpenSSL.
    ///
    /// ```swift
    /// let app = Application(router: router, server: .openSSL(.init(idleTimeout: .seconds(60)), contexts: provider))
    /// ```
    public static func openSSL(
        _ http1: HTTP1Channel.Configuration = .init(),
        contexts: TLSContextProvider,
        handshakeTimeout: TimeAmount = .seconds(10),
        tracker: TLSConnectionTracker? = nil
    ) -> HTTPServerBuilder {
        .init { responder in
            TLSServerChannel(
                HTTP1Channel(responder: responder, configuration: http1),
                contexts: contexts,
                handshakeTimeout: handshakeTimeout,
                tracker: tracker
            )
        }
    }
}
