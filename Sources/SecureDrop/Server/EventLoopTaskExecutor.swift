public import NIOCore

/// Runs Swift tasks on one SwiftNIO event loop.
///
/// A connection's request handling is an async task, while its bytes arrive and leave on the
/// channel's event loop. On the default global executor every request therefore crossed
/// threads several times (event loop to a pool thread for the handler, back for each write),
/// and on Linux each crossing is a futex wake-up and a context switch: profiled, more than
/// half of a small GET's cost. With this executor as the connection task's preference
/// (`withTaskExecutorPreference`), the handler runs where its channel lives. Work that can
/// block for long leaves the loop on the pools made for it: SQLite writes and lists, file
/// I/O beyond small reads, upload hashing, Argon2. Point lookups stay (see `InlineReaders`).
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute {
            job.runSynchronously(on: executor)
        }
    }
}
