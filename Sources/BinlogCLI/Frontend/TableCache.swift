// A bound on the per-table-id caches the printers and counters keep.

/// The printers and counters remember each table id's Table_map until the file ends. A valid
/// binlog maps a statement's tables again before its rows, so a cache may start afresh at any
/// statement; it does when it passes ``maximumTables`` ids, which only a hostile file (millions
/// of distinct table ids) reaches. Memory then stays bounded whatever the file holds.
enum TableCache {
    static let maximumTables = 1 << 16
}

extension Dictionary where Key == UInt64 {
    /// Sets `value` for `key`, first emptying the dictionary when a new key would take it past
    /// ``TableCache/maximumTables``.
    mutating func setBounded(_ value: Value, for key: Key) {
        if self[key] == nil && count >= TableCache.maximumTables { removeAll() }
        self[key] = value
    }
}

extension Set where Element == UInt64 {
    /// Inserts `id`, first emptying the set when it would pass ``TableCache/maximumTables``.
    mutating func insertBounded(_ id: UInt64) {
        if !contains(id) && count >= TableCache.maximumTables { removeAll() }
        insert(id)
    }
}
