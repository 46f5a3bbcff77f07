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

    /// Sets (or, with an empty set, removes) the numbers of one source.
    mutating func replace(_ source: Source, with set: IntervalSet) {
        numbers[source] = set.isEmpty ? nil : set
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

/// What is wrong with the text of a GTID set.
public struct GTIDSetSyntaxError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension IntervalSet {
    /// Whether every number of `other` is in this set.
    public func isSuperset(of other: IntervalSet) -> Bool {
        other.subtracting(self).isEmpty
    }
}

extension ServerUUID {
    /// Reads `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (or the 32 digits without dashes), either case.
    public init(parsing text: Substring) throws(GTIDSetSyntaxError) {
        var digits: [UInt8] = []
        let dashed = text.count == 36
        for (index, character) in text.enumerated() {
            if dashed && [8, 13, 18, 23].contains(index) {
                guard character == "-" else { throw GTIDSetSyntaxError("'\(text)' is not a server UUID: a dash is missing at character \(index + 1)") }
                continue
            }
            guard let value = character.hexDigitValue else {
                throw GTIDSetSyntaxError("'\(text)' is not a server UUID: '\(character)' is not a hexadecimal digit")
            }
            digits.append(UInt8(value))
        }
        guard digits.count == 32 else { throw GTIDSetSyntaxError("'\(text)' is not a server UUID (32 hexadecimal digits, dashes optional)") }
        self.init(bytes: stride(from: 0, to: 32, by: 2).map { digits[$0] << 4 | digits[$0 + 1] })
    }
}

extension MySQLGTIDSet {
    /// Reads MySQL's syntax: sources separated by commas, each `uuid` then `:`-separated
    /// intervals (`n` or `n-m`, from 1) and, from MySQL 8.3, tags that apply to the intervals after
    /// them: `3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7,3e11…:pay:1-3`. The empty text is the empty set.
    public init(parsing text: String) throws(GTIDSetSyntaxError) {
        self.init()
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = entry.trimmingWhitespace()
            if entry.isEmpty {
                if text.trimmingWhitespace().isEmpty { return }
                throw GTIDSetSyntaxError("'\(text)': an empty entry between commas")
            }
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            let uuid = try ServerUUID(parsing: parts[0].trimmingWhitespace())
            guard parts.count > 1 else { throw GTIDSetSyntaxError("'\(entry)': a server UUID with no transaction numbers") }
            var tag: String?
            var sawNumbers = false
            for part in parts.dropFirst() {
                let part = part.trimmingWhitespace()
                if let first = part.first, first.isLetter || first == "_" {
                    tag = try MySQLGTIDSet.checkedTag(part)
                    continue
                }
                let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2, let low = UInt64(bounds[0]), let high = UInt64(bounds.last!) else {
                    throw GTIDSetSyntaxError("'\(part)' in '\(entry)' is neither a transaction number, a range n-m, nor a tag")
                }
                guard low >= 1, high >= low, high < UInt64(Int64.max) else {
                    throw GTIDSetSyntaxError("'\(part)' in '\(entry)': transaction numbers run from 1 to 2^63-2, and a range's end is not below its start")
                }
                numbersBySource(Source(uuid: uuid, tag: tag), insert: low..<(high + 1))
                sawNumbers = true
            }
            guard sawNumbers else { throw GTIDSetSyntaxError("'\(entry)': a tag with no transaction numbers after it") }
        }
    }

    private static func checkedTag(_ tag: Substring) throws(GTIDSetSyntaxError) -> String {
        // MySQL: up to 32 characters, letters, digits and underscores, not starting with a digit; stored lower case.
        guard tag.count <= 32, tag.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" }) else {
            throw GTIDSetSyntaxError("'\(tag)' is not a GTID tag (at most 32 letters, digits and underscores, not starting with a digit)")
        }
        return tag.lowercased()
    }

    private mutating func numbersBySource(_ source: Source, insert range: Range<UInt64>) {
        var set = numbers[source] ?? IntervalSet()
        set.insert(range)
        replace(source, with: set)
    }

    /// Whether every GTID of `other` is in this set.
    public func isSuperset(of other: MySQLGTIDSet) -> Bool {
        other.numbers.allSatisfy { source, set in numbers[source].map { $0.isSuperset(of: set) } ?? set.isEmpty }
    }
}

/// A list of MariaDB GTID positions, at most one per replication domain: `0-1-100,1-2-7`.
///
/// A position `d-s-n` stands for the transactions of domain `d` up to sequence number `n` (as
/// `gtid_slave_pos` and `gtid_binlog_pos` do). So the union keeps, per domain, the later
/// position; `a` contains `b` when every domain of `b` is in `a` at the same or a later number;
/// and subtracting `b` from `a` keeps the positions of `a` that `b` does not reach.
public struct MariaDBGTIDList: Hashable, Sendable, CustomStringConvertible {
    public struct Position: Hashable, Sendable {
        public var domain: UInt32
        public var server: UInt32
        public var sequence: UInt64

        public init(domain: UInt32, server: UInt32, sequence: UInt64) {
            self.domain = domain
            self.server = server
            self.sequence = sequence
        }
    }

    /// By domain.
    public private(set) var positions: [UInt32: Position] = [:]

    public init() {}

    /// Reads `domain-server-sequence` positions separated by commas; one per domain. The empty
    /// text is the empty list.
    public init(parsing text: String) throws(GTIDSetSyntaxError) {
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = entry.trimmingWhitespace()
            if entry.isEmpty {
                if text.trimmingWhitespace().isEmpty { return }
                throw GTIDSetSyntaxError("'\(text)': an empty entry between commas")
            }
            let parts = entry.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, let domain = UInt32(parts[0]), let server = UInt32(parts[1]), let sequence = UInt64(parts[2]) else {
                throw GTIDSetSyntaxError("'\(entry)' is not a MariaDB GTID (domain-server-sequence, three unsigned numbers)")
            }
            guard positions[domain] == nil else {
                throw GTIDSetSyntaxError("'\(text)' has two positions in domain \(domain): a MariaDB GTID list has at most one per domain")
            }
            positions[domain] = Position(domain: domain, server: server, sequence: sequence)
        }
    }

    public var isEmpty: Bool { positions.isEmpty }

    public func union(_ other: MariaDBGTIDList) -> MariaDBGTIDList {
        var result = self
        for (domain, position) in other.positions where (result.positions[domain]?.sequence ?? 0) < position.sequence || result.positions[domain] == nil {
            result.positions[domain] = position
        }
        return result
    }

    public func subtracting(_ other: MariaDBGTIDList) -> MariaDBGTIDList {
        var result = MariaDBGTIDList()
        for (domain, position) in positions where !(other.positions[domain].map { $0.sequence >= position.sequence } ?? false) {
            result.positions[domain] = position
        }
        return result
    }

    public func isSuperset(of other: MariaDBGTIDList) -> Bool {
        other.positions.allSatisfy { domain, position in positions[domain].map { $0.sequence >= position.sequence } ?? false }
    }

    /// `domain-server-sequence` by domain, separated by commas.
    public var description: String {
        positions.keys.sorted().map { domain in
            let position = positions[domain]!
            return "\(position.domain)-\(position.server)-\(position.sequence)"
        }.joined(separator: ",")
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}

extension String {
    func trimmingWhitespace() -> Substring { self[...].trimmingWhitespace() }
}

extension MySQLGTIDSet {
    /// The set in the binary form of a Previous_gtids event (MySQL's `Gtid_set::encode`), which
    /// COM_BINLOG_DUMP_GTID carries: sources in order, each with its half-open intervals.
    ///
    /// Without tags the untagged format (n_sids as int<8>); with a tag anywhere the tagged format
    /// of MySQL 8.3+: format byte 1 in bits 56–63 and 0–7 of n_sids, the count in bits 8–55, and
    /// each source's tag (empty for none) as a varint length and its bytes after the UUID.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        func append(_ value: UInt64) { for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) } }
        let sources = numbers.keys.sorted()
        let tagged = sources.contains { $0.tag != nil }
        let count = UInt64(sources.count)
        append(tagged ? (1 << 56) | (count << 8) | 1 : count)
        for source in sources {
            bytes += source.uuid.bytes
            if tagged {
                let tag = Array((source.tag ?? "").utf8)
                bytes += SerializationVarint.encodeUnsigned(UInt64(tag.count))
                bytes += tag
            }
            let ranges = numbers[source]!.ranges
            append(UInt64(ranges.count))
            for range in ranges {
                append(range.lowerBound)
                append(range.upperBound)
            }
        }
        return bytes
    }
}
