import Synchronization

/// Read-only connections for point lookups that run on the caller's thread.
///
/// Every authenticated request looks up its session, and every download its file. Through
/// GRDB's async API each lookup hops to a shared wait queue, then to a reader's queue, then
/// back: on Linux each hop is a thread wake-up, and together they cost several times more
/// than the query. Run inline instead, a lookup blocks its caller (an event loop, see
/// ``EventLoopTaskExecutor``) only for the query itself: in WAL mode a reader never waits for
/// the writer.
///
/// These connections are not the `DatabasePool`'s readers on purpose. A pool reader can be
/// held by an async read whose task must resume on an event loop to give it back; an event
/// loop blocked waiting for a pool reader would then wait for itself. Here nothing is held
/// across a suspension: a connection is taken, used for one synchronous call and returned,
/// and when none is idle a new one is opened, so a caller never waits for another. There are
/// never more connections than callers at one time (event loops, plus tools and tests).
final class InlineReaders: Sendable {
    private let path: String
    /// Connections nobody is using. Each one is only ever touched by the caller holding it.
    private let idle = Mutex<[SendableConnection]>([])

    /// Lets an idle connection sit in the `Mutex`: it moves between threads but is never
    /// used by two at once.
    private struct SendableConnection: @unchecked Sendable {
        let connection: SQLiteReadConnection
    }

    init(path: String) {
        self.path = path
    }

    func read<T>(_ body: (SQLiteReadConnection) throws -> T) throws -> T {
        let taken = try idle.withLock { $0.popLast() } ?? SendableConnection(connection: SQLiteReadConnection(path: path))
        defer { idle.withLock { $0.append(taken) } }
        return try body(taken.connection)
    }
}
