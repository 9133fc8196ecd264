import GRDB

/// GRDB rows decode through the same ``SQLiteColumns`` functions as inline reads.
extension Row: SQLiteColumns {
    func integer(_ column: Int32) -> Int64 { self[Int(column)] }
    func real(_ column: Int32) -> Double { self[Int(column)] }
    func text(_ column: Int32) -> String { self[Int(column)] }
    func isNull(_ column: Int32) -> Bool { hasNull(atIndex: Int(column)) }
}
