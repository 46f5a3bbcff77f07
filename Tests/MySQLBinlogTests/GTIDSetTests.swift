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
