// Interval sets and MySQL GTID sets: insertion, merging, difference and the text form.
import XCTest
@testable import MySQLBinlog

final class GTIDSetTests: XCTestCase {
    func testInsertMergesTouchingAndOverlappingRanges() {
        var set = IntervalSet()
        for value: UInt64 in [5, 1, 2, 3, 9, 7] { set.insert(value) }
        XCTAssertEqual(set.ranges, [1..<4, 5..<6, 7..<8, 9..<10])
        set.insert(4..<9)
        XCTAssertEqual(set.ranges, [1..<10])
        XCTAssertEqual(set.maximum, 9)
        XCTAssertTrue(set.contains(1))
        XCTAssertFalse(set.contains(10))
        XCTAssertFalse(set.contains(0))
    }

    func testSubtractingLeavesTheHoles() {
        let all = IntervalSet([1..<11, 20..<31])
        let some = IntervalSet([3..<5, 8..<22, 30..<40])
        XCTAssertEqual(all.subtracting(some).ranges, [1..<3, 5..<8, 22..<30])
        XCTAssertEqual(some.subtracting(all).ranges, [11..<20, 31..<40])
        XCTAssertTrue(all.subtracting(all).isEmpty)
        XCTAssertEqual(all.subtracting(IntervalSet()), all)
    }

    func testTextFormIsMySQLs() {
        let a = ServerUUID(bytes: Array(repeating: 0xaa, count: 16))
        let b = ServerUUID(bytes: Array(repeating: 0x11, count: 16))
        var set = MySQLGTIDSet()
        for number: UInt64 in [1, 2, 3, 5] { set.insert(.init(uuid: a), number) }
        set.insert(.init(uuid: b, tag: "blue"), 7)
        XCTAssertEqual(set.description,
                       "11111111-1111-1111-1111-111111111111:blue:7,aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:1-3:5")
        var other = MySQLGTIDSet()
        other.insert(.init(uuid: a), 2)
        XCTAssertEqual(set.subtracting(other).description,
                       "11111111-1111-1111-1111-111111111111:blue:7,aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:1:3:5")
        XCTAssertTrue(other.subtracting(set).isEmpty)
        XCTAssertEqual(set.maximum(of: .init(uuid: a)), 5)
        XCTAssertNil(set.maximum(of: .init(uuid: a, tag: "blue")))
    }
}

/// GTID sets read from text: MySQL's uuid[:tag]:n-m and MariaDB's domain-server-seq lists.
final class GTIDSetParsingTests: XCTestCase {
    let a = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
    let b = "b0000000-0000-0000-0000-00000000000b"

    func testMySQLSyntax() throws {
        let set = try MySQLGTIDSet(parsing: " \(b):3 , \(a.uppercased()):1-5:7:6,\(a):Pay:1-3:x_2:9 ")
        let uuidA = try ServerUUID(parsing: a[...])
        let uuidB = try ServerUUID(parsing: b.replacingOccurrences(of: "-", with: "")[...])
        XCTAssertEqual(set.numbers[.init(uuid: uuidA)], IntervalSet([1..<8]))
        XCTAssertEqual(set.numbers[.init(uuid: uuidA, tag: "pay")], IntervalSet([1..<4]))
        XCTAssertEqual(set.numbers[.init(uuid: uuidA, tag: "x_2")], IntervalSet([9..<10]))
        XCTAssertEqual(set.numbers[.init(uuid: uuidB)], IntervalSet([3..<4]))
        // Printed sorted by source, ranges merged, tags lower case; and read back the same.
        XCTAssertEqual(set.description, "\(a):1-7,\(a):pay:1-3,\(a):x_2:9,\(b):3")
        XCTAssertEqual(try MySQLGTIDSet(parsing: set.description), set)
        XCTAssertTrue(try MySQLGTIDSet(parsing: "").isEmpty)
    }

    func testMySQLSyntaxErrors() {
        for bad in ["\(a)", "\(a):", "\(a):0", "\(a):5-3", "\(a):1-2-3", "\(a):1,,\(a):2", "\(a):tag", "zz:1",
                    "\(a.dropLast()):1", "\(a):1x", "\(a):9223372036854775807", "\(a):\(String(repeating: "t", count: 33)):1",
                    "\(a):t-x:1"] {
            XCTAssertThrowsError(try MySQLGTIDSet(parsing: bad), bad)
        }
    }

    func testMySQLAlgebra() throws {
        let all = try MySQLGTIDSet(parsing: "\(a):1-10,\(b):1-3")
        let some = try MySQLGTIDSet(parsing: "\(a):3-4:8")
        // {1..10} without {3, 4, 8} is {1, 2, 5, 6, 7, 9, 10}; b's numbers stay.
        XCTAssertEqual(all.subtracting(some).description, "\(a):1-2:5-7:9-10,\(b):1-3")
        XCTAssertTrue(all.isSuperset(of: some))
        XCTAssertFalse(some.isSuperset(of: all))
        XCTAssertTrue(all.isSuperset(of: MySQLGTIDSet()))
        XCTAssertFalse(all.isSuperset(of: try MySQLGTIDSet(parsing: "\(a):10-11")))
        XCTAssertFalse(all.isSuperset(of: try MySQLGTIDSet(parsing: "\(a):tag:1")), "a tagged source is another source")
        var union = some
        union.formUnion(try MySQLGTIDSet(parsing: "\(a):5-7"))
        XCTAssertEqual(union.description, "\(a):3-8")
        XCTAssertTrue(all.subtracting(all).isEmpty)
    }

    func testMariaDBLists() throws {
        let list = try MariaDBGTIDList(parsing: "1-2-3, 0-1-100")
        XCTAssertEqual(list.description, "0-1-100,1-2-3")
        XCTAssertEqual(try MariaDBGTIDList(parsing: list.description), list)
        let other = try MariaDBGTIDList(parsing: "0-5-120,2-1-1")
        // Per domain the later position wins; domains only in one list are kept.
        XCTAssertEqual(list.union(other).description, "0-5-120,1-2-3,2-1-1")
        // Subtracting drops the positions the other list reaches (domain 0: 120 >= 100).
        XCTAssertEqual(list.subtracting(other).description, "1-2-3")
        XCTAssertEqual(other.subtracting(list).description, "0-5-120,2-1-1")
        XCTAssertTrue(list.union(other).isSuperset(of: list))
        XCTAssertFalse(list.isSuperset(of: other))
        XCTAssertTrue(try MariaDBGTIDList(parsing: "0-1-5").isSuperset(of: try MariaDBGTIDList(parsing: "0-9-5")))
        for bad in ["0-1", "0-1-2-3", "a-1-2", "0-1-2,0-2-3", "0-1-2,", "-1-2-3", "4294967296-1-1"] {
            XCTAssertThrowsError(try MariaDBGTIDList(parsing: bad), bad)
        }
    }
}
