// Sets of transaction numbers kept as sorted intervals: MySQL GTID sets and MariaDB sequence numbers.

/// A set of unsigned integers stored as sorted, disjoint, non-adjacent half-open ranges.
///
/// Transaction numbers come mostly in order, so inserting the next number only widens the last
/// range; sets stay as small as the number of holes in them.
public struct IntervalSet: Hashable, Sendable, CustomStringConvertible {
    public private(set) var ranges: [Range<UInt64>] = []

    public init() {}

    public init(_ ranges: [Range<UInt64>]) {
        for range in ranges { insert(range) }
    }

    public var isEmpty: Bool { ranges.isEmpty }

    /// The largest number in the set.
    public var maximum: UInt64? { ranges.last.map { $0.upperBound - 1 } }

    /// The index of the first range whose upper bound is above `value`.
    private func firstIndex(above value: UInt64) -> Int {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound <= value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    public func contains(_ value: UInt64) -> Bool {
        let index = firstIndex(above: value)
        return index < ranges.count && ranges[index].lowerBound <= value
    }

    public mutating func insert(_ value: UInt64) {
        guard value < UInt64.max else { return }
        if let last = ranges.last, last.upperBound == value {
            ranges[ranges.count - 1] = last.lowerBound..<(value + 1)
            return
        }
        insert(value..<(value + 1))
    }

    public mutating func insert(_ range: Range<UInt64>) {
        if range.isEmpty { return }
        // The ranges that overlap or touch `range` are merged with it.
        var low = firstIndex(above: range.lowerBound)
        if low > 0 && ranges[low - 1].upperBound == range.lowerBound { low -= 1 }
        var high = low
        var merged = range
        while high < ranges.count && ranges[high].lowerBound <= merged.upperBound {
            merged = min(merged.lowerBound, ranges[high].lowerBound)..<max(merged.upperBound, ranges[high].upperBound)
            high += 1
        }
        ranges.replaceSubrange(low..<high, with: [merged])
    }

    public mutating func formUnion(_ other: IntervalSet) {
        for range in other.ranges { insert(range) }
    }

    /// The numbers of this set that are not in `other`.
    public func subtracting(_ other: IntervalSet) -> IntervalSet {
        var result = IntervalSet()
        var j = 0
        for range in ranges {
            var start = range.lowerBound
            while j < other.ranges.count && other.ranges[j].upperBound <= start { j += 1 }
            var k = j
            while start < range.upperBound {
                guard k < other.ranges.count, other.ranges[k].lowerBound < range.upperBound else {
                    result.ranges.append(start..<range.upperBound)
                    break
                }
                let hole = other.ranges[k]
                if hole.lowerBound > start { result.ranges.append(start..<hole.lowerBound) }
                start = max(start, hole.upperBound)
                k += 1
            }
        }
        return result
    }

    /// `1-5:7:9-10`, the interval syntax of MySQL GTID sets.
    public var description: String {
        ranges.map { range in
            range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound - 1)"
        }.joined(separator: ":")
    }
}

/// A MySQL GTID set: for each source (server UUID and optional tag), the transaction numbers.
public struct MySQLGTIDSet: Hashable, Sendable, CustomStringConvertible {
    /// Whose transactions: the server UUID and, from MySQL 8.3, a tag.
    public struct Source: Hashable, Sendable, Comparable {
        public var uuid: ServerUUID
        public var tag: String?

        public init(uuid: ServerUUID, tag: String? = nil) {
            self.uuid = uuid
            self.tag = tag
        }

        public static func < (a: Source, b: Source) -> Bool {
            if a.uuid != b.uuid { return a.uuid < b.uuid }
            return (a.tag ?? "") < (b.tag ?? "")
        }
    }

    public private(set) var numbers: [Source: IntervalSet] = [:]

    public init() {}

    /// The set a Previous_gtids event holds.
    public init(_ event: PreviousGTIDsEvent) {
        for entry in event.entries {
            var set = numbers[Source(uuid: entry.sid, tag: entry.tag)] ?? IntervalSet()
            for range in entry.intervals where range.lowerBound >= 0 && range.upperBound > range.lowerBound {
                set.insert(UInt64(range.lowerBound)..<UInt64(range.upperBound))
            }
            numbers[Source(uuid: entry.sid, tag: entry.tag)] = set
        }
        numbers = numbers.filter { !$0.value.isEmpty }
    }

    public var isEmpty: Bool { numbers.isEmpty }

    public func contains(_ source: Source, _ number: UInt64) -> Bool {
        numbers[source]?.contains(number) ?? false
    }

    public func maximum(of source: Source) -> UInt64? { numbers[source]?.maximum }

    public mutating func insert(_ source: Source, _ number: UInt64) {
        numbers[source, default: IntervalSet()].insert(number)
    }

    public mutating func formUnion(_ other: MySQLGTIDSet) {
        for (source, set) in other.numbers { numbers[source, default: IntervalSet()].formUnion(set) }
    }

    public func subtracting(_ other: MySQLGTIDSet) -> MySQLGTIDSet {
        var result = MySQLGTIDSet()
        for (source, set) in numbers {
            let rest = other.numbers[source].map { set.subtracting($0) } ?? set
            if !rest.isEmpty { result.numbers[source] = rest }
        }
        return result
    }

    /// MySQL's text form, sources in order: `uuid:1-5:7,uuid:tag:1-3`.
    public var description: String {
        numbers.keys.sorted().map { source in
            "\(source.uuid)" + (source.tag.map { ":" + $0 } ?? "") + ":" + numbers[source]!.description
        }.joined(separator: ",")
    }
}
