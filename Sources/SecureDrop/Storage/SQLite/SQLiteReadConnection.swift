import GRDBSQLite

/// Why an inline read failed; the message is SQLite's own.
public struct SQLiteReadError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String

    public var description: String { "SQLite error \(code): \(message)" }
}

/// A value bound to a `?N` parameter of an inline read.
enum SQLiteArgument {
    case integer(Int64)
    case text(String)
}

/// A result row read by column position. Both GRDB's `Row` and an inline read's
/// ``SQLiteRow`` conform, so each record type has one decoder, whichever connection read it.
protocol SQLiteColumns {
    func integer(_ column: Int32) -> Int64
    func real(_ column: Int32) -> Double
    func text(_ column: Int32) -> String
    func isNull(_ column: Int32) -> Bool
}

/// One result row of an inline read. Valid only inside the `decode` closure of
/// ``SQLiteReadConnection/fetchOne(_:_:decode:)``: the statement moves on after it.
struct SQLiteRow: SQLiteColumns {
    fileprivate let statement: OpaquePointer

    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    func real(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

/// A read-only SQLite connection used through the C API, for point lookups on the hot path.
///
/// GRDB serializes every connection behind a dispatch queue; on Linux a `DispatchQueue.sync`
/// from an event-loop thread wakes a dispatch worker each time (measured: about one futex
/// wake-up per call, and half the throughput of authenticated requests). This connection is
/// plain: no queue, no lock. It must only be used by one thread at a time, which
/// ``InlineReaders`` guarantees by handing each connection to one caller at a time.
///
/// Statements are prepared once per connection and kept; SQLite re-prepares them itself if
/// the schema changes underneath (a migration by a newer `securedrop-admin`).
final class SQLiteReadConnection {
    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]

    /// - Parameter busyTimeoutMilliseconds: how long a read may wait for a lock. In WAL mode a
    ///   reader waits only while another connection recovers or truncates the log, which is
    ///   rare and short; the bound keeps a stuck writer from stalling an event loop for long.
    init(path: String, busyTimeoutMilliseconds: Int32 = 2000) throws(SQLiteReadError) {
        var handle: OpaquePointer?
        let opened = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard opened == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open \(path)"
            sqlite3_close(handle)
            throw SQLiteReadError(code: opened, message: message)
        }
        self.handle = handle
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close(handle)
    }

    /// Runs `sql` and decodes its first row, or returns nil when there is none.
    func fetchOne<T>(_ sql: String, _ arguments: [SQLiteArgument], decode: (SQLiteRow) -> T) throws(SQLiteReadError) -> T? {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (index, argument) in arguments.enumerated() {
            let position = Int32(index + 1)
            let bound = switch argument {
            case .integer(let value): sqlite3_bind_int64(statement, position, value)
            // SQLITE_TRANSIENT: SQLite copies the text, which lives only for this call.
            case .text(let value): sqlite3_bind_text(statement, position, value, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            }
            guard bound == SQLITE_OK else { throw error(bound) }
        }
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return decode(SQLiteRow(statement: statement))
        case SQLITE_DONE: return nil
        case let failure: throw error(failure)
        }
    }

    private func prepared(_ sql: String) throws(SQLiteReadError) -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let result = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard result == SQLITE_OK, let statement else { throw error(result) }
        statements[sql] = statement
        return statement
    }

    private func error(_ code: Int32) -> SQLiteReadError {
        SQLiteReadError(code: code, message: String(cString: sqlite3_errmsg(handle)))
    }
}

@available(*, unavailable)
extension SQLiteReadConnection: Sendable {}
