public import NIOCore

/// Keeps a response body producer from running ahead of the connection.
///
/// Hummingbird's response writer hands each chunk to the channel's event loop as a task and
/// returns at once; it only suspends once the channel has reported itself unwritable, which
/// the event loop can only do after it has processed those tasks. A producer on another
/// thread that is faster than the event loop (reading a file from the page cache is several
/// times faster than TLS encryption) therefore queued up hundreds of megabytes of a
/// download in memory: measured 940 MiB of growth for a 4 GiB file.
///
/// After each write, ``pace()`` waits for the event loop to have reached the write before
/// the one just made, so at most two chunks are queued ahead of the connection, while the
/// next read still overlaps the current write.
public struct WritePacer: Sendable {
    let eventLoop: any EventLoop
    private var previous: EventLoopFuture<Void>?

    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Call after each write to the response body.
    public mutating func pace() async throws {
        let marker = eventLoop.submit {}
        if let previous { try await previous.get() }
        previous = marker
    }
}
