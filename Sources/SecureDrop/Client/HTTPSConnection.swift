public import Logging
public import NIOCore
public import NIOHTTP1
import NIOPosix

/// Why an HTTPS exchange failed on the client side (TLS failures arrive as ``TLSHandlerError``).
public enum HTTPSClientError: Error, CustomStringConvertible, Sendable {
    case connectionClosed
    case unexpectedResponse(String)
    case responseTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .connectionClosed: "the server closed the connection before the response was complete"
        case .unexpectedResponse(let detail): "unexpected response from the server: \(detail)"
        case .responseTooLarge(let limit): "the response body exceeded \(limit) bytes"
        }
    }
}

/// A response whose body was read into memory (for small answers: JSON, health checks).
public struct HTTPSResponse: Sendable {
    public let head: HTTPResponseHead
    public let body: ByteBuffer

    public var status: HTTPResponseStatus { head.status }
    public var bodyText: String { String(buffer: body) }
}

/// Streams a request body: called once with a writer; each `write` waits for the channel to
/// accept the data, so a large upload never piles up in memory.
public struct HTTPSBodyWriter {
    let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>

    public func write(_ chunk: ByteBuffer) async throws {
        try await outbound.write(.body(.byteBuffer(chunk)))
    }
}

/// One keep-alive HTTPS connection from the project's own client: TLS by ``TLSHandler`` in
/// client mode, HTTP/1.1 by SwiftNIO's codec. Requests run one after another; bodies stream
/// both ways.
///
/// Open one with ``HTTPSConnection/withConnection(host:port:tls:serverName:logger:_:)``; the
/// connection is closed when the closure returns, whatever happens inside it.
public final class HTTPSConnection {
    /// What the handshake agreed on.
    public let handshake: TLSHandshakeInfo
    public let host: String
    private var responses: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>

    init(
        handshake: TLSHandshakeInfo,
        host: String,
        inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>,
        outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    ) {
        self.handshake = handshake
        self.host = host
        self.responses = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    /// Connects, completes the TLS handshake (verifying the server as `tls` says), runs
    /// `body`, then closes the connection.
    ///
    /// - Parameters:
    ///   - serverName: the name to verify and send as SNI; defaults to `host`.
    ///   - receiveBufferSize: a fixed socket receive buffer instead of the kernel's
    ///     auto-tuning (which can reach tens of MiB on loopback).
    public static func withConnection<Result>(
        host: String,
        port: Int,
        tls: TLSContext,
        serverName: String? = nil,
        connectTimeout: TimeAmount = .seconds(10),
        receiveBufferSize: Int? = nil,
        logger: Logger = Logger(label: "securedrop.client"),
        _ body: (HTTPSConnection) async throws -> Result
    ) async throws -> Result {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(connectTimeout)
        if let receiveBufferSize {
            bootstrap = bootstrap.channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBufferSize))
        }
        let (channel, handshake) = try await bootstrap
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tlsHandler = try TLSHandler(context: tls, serverHostname: serverName ?? host, logger: logger)
                    try channel.pipeline.syncOperations.addHandler(tlsHandler)
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    let asyncChannel = try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel
                    )
                    return (asyncChannel, tlsHandler.handshakeCompleted)
                }
            }
        let info: TLSHandshakeInfo
        do {
            info = try await handshake.get()
        } catch {
            try? await channel.channel.close()
            throw error
        }
        return try await channel.executeThenClose { inbound, outbound in
            let connection = HTTPSConnection(handshake: info, host: serverName ?? host, inbound: inbound, outbound: outbound)
            return try await body(connection)
        }
    }

    // MARK: Requests

    /// Sends a request and waits for the response head. Read the body with ``nextBodyChunk()``
    /// or ``collectBody(limit:)`` before sending the next request.
    ///
    /// - Parameters:
    ///   - headers: `Host` is added when missing. For a streamed body, set `Content-Length`
    ///     or `Transfer-Encoding: chunked` yourself.
    ///   - writeBody: streams the request body, if any.
    public func send(
        _ method: HTTPMethod,
        _ uri: String,
        headers: HTTPHeaders = [:],
        writeBody: ((HTTPSBodyWriter) async throws -> Void)? = nil
    ) async throws -> HTTPResponseHead {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: headers)
        if !head.headers.contains(name: "Host") { head.headers.add(name: "Host", value: host) }
        try await outbound.write(.head(head))
        if let writeBody { try await writeBody(HTTPSBodyWriter(outbound: outbound)) }
        try await outbound.write(.end(nil))
        return try await readResponseHead()
    }

    /// Sends a request with a small in-memory body and reads the whole response.
    public func request(
        _ method: HTTPMethod,
        _ uri: String,
        headers: HTTPHeaders = [:],
        body: ByteBuffer? = nil,
        responseLimit: Int = 16 * 1024 * 1024
    ) async throws -> HTTPSResponse {
        var headers = headers
        if let body, !headers.contains(name: "Content-Length") {
            headers.add(name: "Content-Length", value: String(body.readableBytes))
        }
        let head = try await send(method, uri, headers: headers, writeBody: body.map { body in { try await $0.write(body) } })
        return HTTPSResponse(head: head, body: try await collectBody(limit: responseLimit))
    }

    /// The response head, for a request whose body could not be sent in full: a server that
    /// answers early (`401`, `413`) closes the connection without reading the rest, and its
    /// answer, already received, says why far better than the failed write does.
    public func receiveEarlyResponseHead() async throws -> HTTPResponseHead {
        try await readResponseHead()
    }

    /// The next piece of the current response body, or nil at its end.
    public func nextBodyChunk() async throws -> ByteBuffer? {
        switch try await nextPart() {
        case .body(let chunk): return chunk
        case .end: return nil
        case .head(let head): throw HTTPSClientError.unexpectedResponse("a second response head (\(head.status))")
        }
    }

    /// The rest of the current response body, refusing more than `limit` bytes.
    public func collectBody(limit: Int) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        while var chunk = try await nextBodyChunk() {
            guard collected.readableBytes + chunk.readableBytes <= limit else {
                throw HTTPSClientError.responseTooLarge(limit: limit)
            }
            collected.writeBuffer(&chunk)
        }
        return collected
    }

    private func readResponseHead() async throws -> HTTPResponseHead {
        while true {
            switch try await nextPart() {
            case .head(let head) where head.status == .continue:
                continue  // 100 Continue: the real answer follows
            case .head(let head):
                return head
            case .body, .end:
                throw HTTPSClientError.unexpectedResponse("body data before the response head")
            }
        }
    }

    private func nextPart() async throws -> HTTPClientResponsePart {
        guard let part = try await responses.next() else { throw HTTPSClientError.connectionClosed }
        return part
    }
}
