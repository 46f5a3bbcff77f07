// Decoding of single events written by hand as annotated hex from the format documentation.
import XCTest
@testable import MySQLBinlog

final class EventDecodingTests: XCTestCase {
    /// The Format_description of a real MariaDB 10.11 file (CRC32), used as the first event.
    private func realFormatDescription() throws -> [UInt8] {
        let file = try Data(contentsOf: TestPaths.binlogs.appendingPathComponent("stmt-crc32.000001"))
        let size = Int(file[13]) | Int(file[14]) << 8
        return Array(file[4..<(4 + size)])
    }

    /// A binlog of the real Format_description followed by `events` (bodies), each given a header and CRC.
    private func binlog(_ bodies: [(type: UInt8, body: [UInt8])]) throws -> [UInt8] {
        var bytes = binlogMagic + (try realFormatDescription())
        for (type, body) in bodies {
            bytes += makeEvent(type: type, position: UInt32(bytes.count), body: body)
        }
        return bytes
    }

    func testQueryEventWithStatusVariables() throws {
        let body = hexBytes("""
            05 00 00 00      # thread_id 5
            02 00 00 00      # exec_time 2
            02               # db_len 2
            00 00            # error_code 0
            1e 00            # status_vars_len 30
              00 00 00 00 01 # Q_FLAGS2_CODE: 0x01000000
              01 00 00 20 54 00 00 00 00  # Q_SQL_MODE_CODE: 1411383296
              03 01 00 01 00 # Q_AUTO_INCREMENT 1, 1
              04 21 00 21 00 08 00        # Q_CHARSET_CODE 33, 33, 8
              80 39 30 00    # Q_HRNOW 12345 µs
            64 31 00         # db "d1" NUL
            43 52 45 41 54 45  # "CREATE"
            """)
        let events = try decodeAll(try binlog([(2, body)]))
        XCTAssertEqual(events.count, 2)
        guard case .query(let query) = events[1].payload else { return XCTFail("not a query: \(events[1].payload)") }
        XCTAssertEqual(query.threadID, 5)
        XCTAssertEqual(query.executionTime, 2)
        XCTAssertEqual(query.database, "d1")
        XCTAssertEqual(query.query, "CREATE")
        XCTAssertEqual(query.statusVariables.flags2, 0x0100_0000)
        XCTAssertEqual(query.statusVariables.sqlMode, 1_411_383_296)
        XCTAssertEqual(query.statusVariables.autoIncrementIncrement, 1)
        XCTAssertEqual(query.statusVariables.charsetClient, 33)
        XCTAssertEqual(query.statusVariables.collationServer, 8)
        XCTAssertEqual(query.statusVariables.microseconds, 12345)
        XCTAssertTrue(query.statusVariables.isMariaDBHighResolutionNow)
    }

    func testUnknownStatusVariableStopsParsingButKeepsBytes() throws {
        let body = hexBytes("""
            01 00 00 00  00 00 00 00  00  00 00
            04 00        # status_vars_len 4
              fe 01 02 03 # code 254 is unknown: the rest is kept raw
            00           # empty db
            42 45 47 49 4e   # "BEGIN"
            """)
        let events = try decodeAll(try binlog([(2, body)]))
        guard case .query(let query) = events[1].payload else { return XCTFail() }
        XCTAssertEqual(query.statusVariables.unparsed, [0xfe, 1, 2, 3])
        XCTAssertEqual(query.query, "BEGIN")
    }

    func testRotateXidIntvarRandUserVar() throws {
        let events = try decodeAll(try binlog([
            (4, hexBytes("04 00 00 00 00 00 00 00  6d 79 73 71 6c 2d 62 69 6e 2e 30 30 30 30 30 32")), // pos 4, "mysql-bin.000002"
            (16, hexBytes("2a 00 00 00 00 00 00 00")),                 // xid 42
            (5, hexBytes("02  07 00 00 00 00 00 00 00")),              // INSERT_ID=7
            (13, hexBytes("01 00 00 00 00 00 00 00  02 00 00 00 00 00 00 00")), // seeds 1, 2
            (14, hexBytes("01 00 00 00 76  00  02  21 00 00 00  08 00 00 00  fe ff ff ff ff ff ff ff  00")), // @v := -2 (int)
            (14, hexBytes("01 00 00 00 6e  01")),                      // @n := NULL
        ]))
        guard case .rotate(let rotate) = events[1].payload, case .xid(let xid) = events[2].payload,
              case .intvar(let intvar) = events[3].payload, case .rand(let rand) = events[4].payload,
              case .userVar(let int) = events[5].payload, case .userVar(let null) = events[6].payload else {
            return XCTFail("unexpected payloads")
        }
        XCTAssertEqual(rotate.position, 4)
        XCTAssertEqual(rotate.nextFile, "mysql-bin.000002")
        XCTAssertEqual(xid.xid, 42)
        XCTAssertEqual(intvar.kind, .insertID)
        XCTAssertEqual(intvar.value, 7)
        XCTAssertEqual(rand.seed1, 1)
        XCTAssertEqual(rand.seed2, 2)
        XCTAssertEqual(int.name, "v")
        XCTAssertEqual(int.value?.type, .int)
        XCTAssertEqual(int.value?.isUnsigned, false)
        XCTAssertEqual(int.value?.bytes, [0xfe] + [UInt8](repeating: 0xff, count: 7))
        XCTAssertNil(null.value)
    }

    func testMariaDBGTIDAndGTIDList() throws {
        let events = try decodeAll(try binlog([
            (162, hexBytes("""
                05 00 00 00 00 00 00 00   # seq_no 5
                02 00 00 00               # domain 2
                0e                        # flags2: transactional | allow_parallel | group_commit_id
                39 30 00 00 00 00 00 00   # commit_id 12345
                00 00                     # padding
                """)),
            (163, hexBytes("""
                02 00 00 00                                   # count 2
                00 00 00 00  01 00 00 00  0a 00 00 00 00 00 00 00  # 0-1-10
                02 00 00 00  03 00 00 00  04 00 00 00 00 00 00 00  # 2-3-4
                """)),
        ]))
        guard case .mariaDBGTID(let gtid) = events[1].payload, case .gtidList(let list) = events[2].payload else {
            return XCTFail()
        }
        XCTAssertEqual(gtid.sequenceNumber, 5)
        XCTAssertEqual(gtid.domainID, 2)
        XCTAssertEqual(gtid.flags, [.transactional, .allowParallel, .groupCommitID])
        XCTAssertEqual(gtid.commitID, 12345)
        XCTAssertEqual(list.gtids.map(\.description), ["0-1-10", "2-3-4"])
    }

    func testGTIDListWithImpossibleCountIsAnError() throws {
        let bytes = try binlog([(163, hexBytes("ff ff ff 0f  00 00 00 00"))])
        XCTAssertThrowsError(try decodeAll(bytes)) { error in
            let failure = error as! BinlogDecodingError
            XCTAssertEqual(failure.eventType, .gtidList)
            XCTAssertEqual(failure.field, "count")
        }
    }

    func testMySQLGTIDWithCommitTimestampsAndVersions() throws {
        let events = try decodeAll(try binlog([(33, hexBytes("""
            01                                              # flags: may have statements
            3e 11 fa 47 71 ca 11 e1 9e 33 c8 0a a9 42 95 63 # sid
            07 00 00 00 00 00 00 00                         # gno 7
            02                                              # logical timestamps follow
            03 00 00 00 00 00 00 00                         # last_committed 3
            04 00 00 00 00 00 00 00                         # sequence_number 4
            40 42 0f 00 00 00 80                            # immediate 1000000, bit 55: original follows
            20 a1 07 00 00 00 00                            # original 500000
            fc 2c 01                                        # transaction_length 300
            58 3a 01 80                                     # immediate version 80472, bit 31: original follows
            e0 38 01 00                                     # original version 80096
            """))]))
        guard case .gtid(let gtid) = events[1].payload else { return XCTFail() }
        XCTAssertEqual(gtid.sid.description, "3e11fa47-71ca-11e1-9e33-c80aa9429563")
        XCTAssertEqual(gtid.gno, 7)
        XCTAssertFalse(gtid.isRowBasedOnly)
        XCTAssertEqual(gtid.lastCommitted, 3)
        XCTAssertEqual(gtid.sequenceNumber, 4)
        XCTAssertEqual(gtid.immediateCommitTimestamp, 1_000_000)
        XCTAssertEqual(gtid.originalCommitTimestamp, 500_000)
        XCTAssertEqual(gtid.transactionLength, 300)
        XCTAssertEqual(gtid.immediateServerVersion, 80472)
        XCTAssertEqual(gtid.originalServerVersion, 80096)
    }

    func testMySQLGTIDWithoutLogicalTimestampsReadsNothingMore() throws {
        let events = try decodeAll(try binlog([(33, hexBytes("""
            00                                              # flags
            3e 11 fa 47 71 ca 11 e1 9e 33 c8 0a a9 42 95 63 # sid
            07 00 00 00 00 00 00 00                         # gno 7
            01                                              # lt_type 1: no logical timestamps
            ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff # bytes the server does not read
            """))]))
        guard case .gtid(let gtid) = events[1].payload else { return XCTFail() }
        XCTAssertEqual(gtid.gno, 7)
        XCTAssertNil(gtid.lastCommitted)
        XCTAssertNil(gtid.immediateCommitTimestamp)
        XCTAssertNil(gtid.transactionLength)
    }

    func testUnknownEventTypeIsKeptNotDropped() throws {
        let events = try decodeAll(try binlog([(200, [1, 2, 3])]))
        guard case .unsupported(let unknown) = events[1].payload else { return XCTFail() }
        XCTAssertEqual(unknown.type.rawValue, 200)
        XCTAssertEqual(unknown.body, [1, 2, 3])
    }

    func testChecksumMismatchNamesTheEventAndOffset() throws {
        var bytes = try binlog([(16, hexBytes("2a 00 00 00 00 00 00 00"))])
        let xidStart = bytes.count - 31
        bytes[xidStart + 19] ^= 0x01
        XCTAssertThrowsError(try decodeAll(bytes, name: "bad.000001")) { error in
            let failure = error as! BinlogDecodingError
            XCTAssertEqual(failure.eventType, .xid)
            XCTAssertEqual(failure.eventOffset, UInt64(xidStart))
            guard case .checksumMismatch = failure.reason else { return XCTFail("\(failure)") }
            XCTAssertTrue(failure.description.hasPrefix("bad.000001: at offset \(xidStart + 27) in Xid event starting at \(xidStart)"), failure.description)
        }
        // Without verification the event decodes.
        var options = DecodingOptions()
        options.verifyChecksums = false
        XCTAssertEqual(try decodeAll(bytes, options: options).count, 2)
    }

    func testNotABinlog() {
        XCTAssertThrowsError(try decodeAll(Array("hello world".utf8), name: "x.txt")) { error in
            XCTAssertEqual("\(error)", "x.txt: not a binlog file (found bytes 68 65 6c 6c, expected fe 62 69 6e)")
        }
        XCTAssertThrowsError(try decodeAll([0xfd, 0x62, 0x69, 0x6e, 0, 0])) { error in
            guard case .encrypted = (error as! BinlogDecodingError).reason else { return XCTFail() }
        }
    }

    func testTruncatedLastEventAndImpossibleLength() throws {
        let good = try binlog([(16, hexBytes("2a 00 00 00 00 00 00 00"))])
        XCTAssertThrowsError(try decodeAll(Array(good.dropLast(5)))) { error in
            let failure = error as! BinlogDecodingError
            XCTAssertEqual(failure.eventOffset, UInt64(good.count - 31))
            guard case .truncated(let needed, let available) = failure.reason else { return XCTFail() }
            XCTAssertEqual(needed, 31)
            XCTAssertEqual(available, 26)
        }
        var short = good
        short[good.count - 31 + 9] = 5 // event_size 5 < 19
        XCTAssertThrowsError(try decodeAll(short)) { error in
            let failure = error as! BinlogDecodingError
            XCTAssertEqual(failure.field, "event_size")
            XCTAssertEqual(failure.offset, UInt64(good.count - 31 + 9))
        }
        let zeroTail = good + [UInt8](repeating: 0, count: 64)
        XCTAssertThrowsError(try decodeAll(zeroTail)) { error in
            XCTAssertTrue("\(error)".contains("zero-filled"), "\(error)")
        }
    }

    func testOversizedEventIsRefusedBeforeReadingIt() throws {
        var bytes = try binlog([(16, hexBytes("2a 00 00 00 00 00 00 00"))])
        let start = bytes.count - 31
        bytes[start + 9] = 0xff; bytes[start + 10] = 0xff; bytes[start + 11] = 0xff; bytes[start + 12] = 0x7f
        XCTAssertThrowsError(try decodeAll(bytes)) { error in
            guard case .limitExceeded = (error as! BinlogDecodingError).reason else { return XCTFail("\(error)") }
        }
    }
}
