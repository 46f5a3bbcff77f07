// Tagged GTIDs (MySQL 8.3+): the serialization varints, GTID_TAGGED_LOG_EVENT and the Previous_gtids set formats.
import Foundation
import XCTest
@testable import MySQLBinlog

final class TaggedGTIDTests: XCTestCase {
    /// The body of a MySQL 8.4 Format_description (CRC32), written from the format documentation.
    private let formatDescriptionBody = hexBytes("""
        04 00                          # binlog_version 4
        38 2e 34 2e 30                 # server_version "8.4.0", NUL-padded to 50 bytes
        00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 00                    # create_timestamp 0
        13                             # common_header_len 19
        # post_header_len, one byte per event type from 1 (as MySQL 8.4 writes it)
        00 0d 00 08 00 00 00 00 04 00 04 00 00 00 63 00 04 1a 08 00 00 00 00 00 00 02 00 00 00 0a 0a 0a
        2a 2a 00 12 34 00 0a 28 00 00
        01                             # checksum_alg CRC32
        00 00 00 00                    # room for the checksum (the event's own CRC follows)
        """)

    /// A binlog: the Format_description above, then `bodies`, each with a header and a CRC32.
    private func binlog(_ bodies: [(type: UInt8, body: [UInt8])]) -> [UInt8] {
        // The FDE's 4 checksum bytes are the event's CRC: drop the placeholder, makeEvent appends it.
        var bytes = binlogMagic + makeEvent(type: 15, position: 4, body: Array(formatDescriptionBody.dropLast(4)))
        for (type, body) in bodies {
            bytes += makeEvent(type: type, position: UInt32(bytes.count), body: body)
        }
        return bytes
    }

    private func decodeTagged(_ body: [UInt8]) throws -> GTIDEvent {
        let events = try decodeAll(binlog([(42, body)]))
        XCTAssertEqual(events.count, 2)
        guard case .gtid(let gtid) = events[1].payload else {
            XCTFail("not a GTID event: \(events[1].payload)")
            throw CancellationError()
        }
        return gtid
    }

    private func decodePreviousGTIDs(_ body: [UInt8]) throws -> PreviousGTIDsEvent {
        let events = try decodeAll(binlog([(35, body)]))
        guard case .previousGTIDs(let set) = events[1].payload else {
            XCTFail("not a Previous_gtids event: \(events[1].payload)")
            throw CancellationError()
        }
        return set
    }

    // MARK: Varints

    private func unsigned(_ hex: String) throws -> (UInt64, Int) {
        var reader = ByteReader(hexBytes(hex)[...])
        let value = try SerializationVarint.readUnsigned(&reader, "test")
        return (value, reader.remaining)
    }

    private func signed(_ hex: String) throws -> Int64 {
        var reader = ByteReader(hexBytes(hex)[...])
        return try SerializationVarint.readSigned(&reader, "test")
    }

    /// The examples of libs/mysql/serialization/readme.md (shown there big-endian; bytes here in wire order).
    func testVarintsFollowTheSerializationLibraryExamples() throws {
        // "00000111 11111111 11111011": two trailing ones, so 3 bytes; 65535.
        XCTAssertEqual(try unsigned("fb ff 07").0, 65535)
        // Signed: the lowest value bit is the sign.
        XCTAssertEqual(try signed("f3 ff 0f"), 65535)
        XCTAssertEqual(try signed("eb ff 0f"), -65535)
        XCTAssertEqual(try signed("fb ff 0f"), -65536)
        // One byte: bit 0 clear, value in bits 1-7.
        XCTAssertEqual(try unsigned("0a ff").0, 5)
        XCTAssertEqual(try unsigned("0a ff").1, 1, "only the first byte belongs to the number")
        // Eight bytes: seven trailing ones, the value is the next 56 bits.
        XCTAssertEqual(try unsigned("7f 1c f3 b8 14 24 4a 06").0, 0x064a_2414_b8f3_1c)
        // Nine bytes: 0xff, then the full 64-bit number.
        XCTAssertEqual(try unsigned("ff ff ff ff ff ff ff ff ff").0, UInt64.max)
        XCTAssertEqual(try signed("ff ff ff ff ff ff ff ff ff"), Int64.min)
        XCTAssertEqual(try signed("ff fe ff ff ff ff ff ff ff"), Int64.max)
        // A number longer than the bytes left is an error, not a trap.
        XCTAssertThrowsError(try unsigned("fb ff"))
    }

    // MARK: GTID_TAGGED_LOG_EVENT

    /// The tagged GTID a MySQL 9.6 server wrote (rust_mysql_common's binlog_transaction_with_GTID_TAG.000001).
    private let taggedBody = hexBytes("""
        02                      # format_version 1 (varint 1)
        78                      # message_size 60: every byte of the body, this envelope included
        00                      # last_non_ignorable_field_id 0: all fields may be skipped
        00 00                   # field 0 gtid_flags: 0 (row-based only)
        02                      # field 1 sid: 16 varints, one per byte
          aa ee 25 02 08 04 65 02 22 c5 03 c5 02 e1 02 9c c1 03 11 03 55 02 de ad 03
                                #   55 77 89 04 02 99 11 f1 b1 b8 4e f0 c4 95 6f eb
        04 0c                   # field 2 gno: signed varint 3
        06 0a 6d 79 74 61 67    # field 3 tag: length 5, "mytag"
        08 00                   # field 4 last_committed: 0
        0a 04                   # field 5 sequence_number: 2 (zig-zag) = 1
        0c 7f 1c f3 b8 14 24 4a 06  # field 6 immediate_commit_timestamp: 1770368687207196 µs
                                # field 7 original_commit_timestamp absent: same as immediate
        10 a1 04                # field 8 transaction_length: 296
        12 43 0f 0b             # field 9 immediate_server_version: 90600
                                # field 10 original_server_version absent: same as immediate
                                # field 11 commit_group_ticket absent
        """)

    func testTaggedGTIDEventFromAnnotatedHex() throws {
        let gtid = try decodeTagged(taggedBody)
        XCTAssertEqual(gtid.sid.description, "55778904-0299-11f1-b1b8-4ef0c4956feb")
        XCTAssertEqual(gtid.tag, "mytag")
        XCTAssertEqual(gtid.gno, 3)
        XCTAssertEqual(gtid.flags, 0)
        XCTAssertTrue(gtid.isRowBasedOnly)
        XCTAssertEqual(gtid.lastCommitted, 0)
        XCTAssertEqual(gtid.sequenceNumber, 1)
        XCTAssertEqual(gtid.immediateCommitTimestamp, 1_770_368_687_207_196)
        XCTAssertEqual(gtid.originalCommitTimestamp, 1_770_368_687_207_196)
        XCTAssertEqual(gtid.transactionLength, 296)
        XCTAssertEqual(gtid.immediateServerVersion, 90600)
        XCTAssertEqual(gtid.originalServerVersion, 90600)
        XCTAssertNil(gtid.commitGroupTicket)
    }

    func testTaggedGTIDWithEveryOptionalFieldAndAFieldFromANewerServer() throws {
        let body = hexBytes("""
            02                  # format_version 1
            5c                  # message_size 46
            00                  # last_non_ignorable_field_id 0
            00 02               # gtid_flags 1 (may have statement-based events)
            02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02   # sid 00000000-0000-0000-0000-000000000001
            04 29 01            # gno: 2-byte signed varint 74 = 37
            06 02 61            # tag "a"
            08 08               # last_committed: signed (zig-zag) 2
            0a 0c               # sequence_number: signed 3
            0c 14               # immediate_commit_timestamp 10
            0e 12               # original_commit_timestamp 9
            10 c8               # transaction_length 100
            12 10               # immediate_server_version 8
            14 0e               # original_server_version 7
            16 0a               # commit_group_ticket 5
            18 06               # field 12, unknown to this decoder but ignorable: skipped
            """)
        let gtid = try decodeTagged(body)
        XCTAssertEqual(gtid.flags, 1)
        XCTAssertFalse(gtid.isRowBasedOnly)
        XCTAssertEqual(gtid.sid.description, "00000000-0000-0000-0000-000000000001")
        XCTAssertEqual(gtid.gno, 37)
        XCTAssertEqual(gtid.tag, "a")
        XCTAssertEqual(gtid.lastCommitted, 2)
        XCTAssertEqual(gtid.sequenceNumber, 3)
        XCTAssertEqual(gtid.immediateCommitTimestamp, 10)
        XCTAssertEqual(gtid.originalCommitTimestamp, 9)
        XCTAssertEqual(gtid.transactionLength, 100)
        XCTAssertEqual(gtid.immediateServerVersion, 8)
        XCTAssertEqual(gtid.originalServerVersion, 7)
        XCTAssertEqual(gtid.commitGroupTicket, 5)
    }

    func testTaggedGTIDErrorsNameTheField() throws {
        // A field this decoder does not know is declared required (last_non_ignorable_field_id 14).
        let required = hexBytes("""
            02 0a 1c            # version 1, size 5, last_non_ignorable_field_id 14
            00 00               # gtid_flags 0
            """)
        XCTAssertThrowsError(try decodeAll(binlog([(42, required)]))) { error in
            XCTAssertEqual((error as? BinlogDecodingError)?.field, "last_non_ignorable_field_id")
        }
        // Serialization format version 2 does not exist.
        XCTAssertThrowsError(try decodeAll(binlog([(42, hexBytes("04 06 00"))]))) { error in
            XCTAssertEqual((error as? BinlogDecodingError)?.field, "format_version")
        }
        // The message claims more bytes than the event holds.
        XCTAssertThrowsError(try decodeAll(binlog([(42, hexBytes("02 40 00 00 00"))]))) { error in
            XCTAssertEqual((error as? BinlogDecodingError)?.field, "fields")
        }
        // A tag longer than 32 bytes.
        XCTAssertThrowsError(try decodeAll(binlog([(42, hexBytes("02 0a 00 06 42"))]))) { error in
            XCTAssertEqual((error as? BinlogDecodingError)?.field, "tag")
        }
    }

    // MARK: PREVIOUS_GTIDS_LOG_EVENT

    func testUntaggedPreviousGTIDs() throws {
        let set = try decodePreviousGTIDs(hexBytes("""
            02 00 00 00 00 00 00 00        # n_sids 2, untagged format (top byte 0)
            b9 b8 8c 66 07 55 11 f1 98 99 4a 9d a9 4c 4d 71   # sid
            02 00 00 00 00 00 00 00        # n_intervals 2
            01 00 00 00 00 00 00 00        # start 1
            03 00 00 00 00 00 00 00        # end 3 (exclusive)
            05 00 00 00 00 00 00 00        # start 5
            06 00 00 00 00 00 00 00        # end 6
            11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11   # sid
            01 00 00 00 00 00 00 00        # n_intervals 1
            07 00 00 00 00 00 00 00        # start 7
            0a 00 00 00 00 00 00 00        # end 10
            """))
        XCTAssertEqual(set.entries.count, 2)
        XCTAssertNil(set.entries[0].tag)
        XCTAssertEqual(set.entries[0].intervals, [1..<3, 5..<6])
        XCTAssertEqual(set.formatted(), "11111111-1111-1111-1111-111111111111:7-9,\nb9b88c66-0755-11f1-9899-4a9da94c4d71:1-2:5")
        XCTAssertEqual(set.formatted(separator: ",\n# "), "11111111-1111-1111-1111-111111111111:7-9,\n# b9b88c66-0755-11f1-9899-4a9da94c4d71:1-2:5")
    }

    func testTaggedPreviousGTIDs() throws {
        // As MySQL 9.6 wrote it (rust_mysql_common's binlog_transaction_with_GTID_TAG.000001).
        let set = try decodePreviousGTIDs(hexBytes("""
            01 02 00 00 00 00 00 01        # tagged format: format 1 in bits 56-63 and 0-7, n_sids 2 in bits 8-55
            55 77 89 04 02 99 11 f1 b1 b8 4e f0 c4 95 6f eb   # sid
            00                             # tag: length 0, the untagged GTIDs of this sid
            01 00 00 00 00 00 00 00        # n_intervals 1
            01 00 00 00 00 00 00 00        # start 1
            0e 00 00 00 00 00 00 00        # end 14
            55 77 89 04 02 99 11 f1 b1 b8 4e f0 c4 95 6f eb   # sid
            0a 6d 79 74 61 67              # tag: varint length 5, "mytag"
            01 00 00 00 00 00 00 00        # n_intervals 1
            01 00 00 00 00 00 00 00        # start 1
            03 00 00 00 00 00 00 00        # end 3
            """))
        XCTAssertEqual(set.entries.count, 2)
        XCTAssertNil(set.entries[0].tag)
        XCTAssertEqual(set.entries[1].tag, "mytag")
        XCTAssertEqual(set.entries[1].intervals, [1..<3])
        // MySQL names the UUID once and lists its tags after the untagged intervals.
        XCTAssertEqual(set.formatted(), "55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2")
    }

    // MARK: Encoding (COM_BINLOG_DUMP_GTID carries a set in this form)

    /// The set of the MySQL 9.6 file above, encoded: the bytes that server wrote.
    func testTaggedSetEncodesAsMySQLWroteIt() throws {
        let set = try MySQLGTIDSet(parsing: "55778904-0299-11f1-b1b8-4ef0c4956feb:1-13,55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:1-2")
        XCTAssertEqual(set.encoded(), hexBytes("""
            01 02 00 00 00 00 00 01        # tagged format, n_sids 2
            55 77 89 04 02 99 11 f1 b1 b8 4e f0 c4 95 6f eb 00 # sid, tag of length 0
            01 00 00 00 00 00 00 00  01 00 00 00 00 00 00 00  0e 00 00 00 00 00 00 00  # 1 interval: [1, 14)
            55 77 89 04 02 99 11 f1 b1 b8 4e f0 c4 95 6f eb 0a 6d 79 74 61 67  # sid, tag "mytag"
            01 00 00 00 00 00 00 00  01 00 00 00 00 00 00 00  03 00 00 00 00 00 00 00  # 1 interval: [1, 3)
            """))
    }

    /// Without tags, the untagged format (the one servers before 8.3 read), sources in UUID order;
    /// decoded again it is the same set.
    func testUntaggedSetEncodesInUUIDOrderAndDecodesBack() throws {
        let set = try MySQLGTIDSet(parsing: "b9b88c66-0755-11f1-9899-4a9da94c4d71:1-2:5,11111111-1111-1111-1111-111111111111:7-9")
        let encoded = set.encoded()
        XCTAssertEqual(encoded, hexBytes("""
            02 00 00 00 00 00 00 00        # n_sids 2, untagged
            11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11   # the smaller UUID first
            01 00 00 00 00 00 00 00  07 00 00 00 00 00 00 00  0a 00 00 00 00 00 00 00  # [7, 10)
            b9 b8 8c 66 07 55 11 f1 98 99 4a 9d a9 4c 4d 71
            02 00 00 00 00 00 00 00        # 2 intervals
            01 00 00 00 00 00 00 00  03 00 00 00 00 00 00 00  # [1, 3)
            05 00 00 00 00 00 00 00  06 00 00 00 00 00 00 00  # [5, 6)
            """))
        XCTAssertEqual(MySQLGTIDSet(try decodePreviousGTIDs(encoded)), set)
        XCTAssertEqual(MySQLGTIDSet().encoded(), [0, 0, 0, 0, 0, 0, 0, 0])
    }

    /// The serialization library's examples, written: the inverse of the reading test above.
    func testVarintsAreWrittenInTheirShortestForm() throws {
        XCTAssertEqual(SerializationVarint.encodeUnsigned(5), hexBytes("0a"))
        XCTAssertEqual(SerializationVarint.encodeUnsigned(127), hexBytes("fe"))
        XCTAssertEqual(SerializationVarint.encodeUnsigned(128), hexBytes("01 02"))
        XCTAssertEqual(SerializationVarint.encodeUnsigned(65535), hexBytes("fb ff 07"))
        XCTAssertEqual(SerializationVarint.encodeUnsigned(0x064a_2414_b8f3_1c), hexBytes("7f 1c f3 b8 14 24 4a 06"))
        XCTAssertEqual(SerializationVarint.encodeUnsigned(UInt64.max), hexBytes("ff ff ff ff ff ff ff ff ff"))
        for value: UInt64 in [0, 1, 300, 1 << 20, 1 << 49, (1 << 56) - 1, 1 << 56, UInt64.max - 1] {
            var reader = ByteReader(SerializationVarint.encodeUnsigned(value)[...])
            XCTAssertEqual(try SerializationVarint.readUnsigned(&reader, "test"), value)
            XCTAssertTrue(reader.isAtEnd, "\(value)")
        }
    }

    func testEmptyPreviousGTIDsInBothFormats() throws {
        XCTAssertEqual(try decodePreviousGTIDs(hexBytes("00 00 00 00 00 00 00 00  # untagged, no sids")).entries, [])
        // MySQL 9.1+: the empty set in the tagged format.
        XCTAssertEqual(try decodePreviousGTIDs(hexBytes("01 00 00 00 00 00 00 01  # tagged, no sids")).entries, [])
    }

    func testPreviousGTIDsRejectUnknownFormatsAndBadTags() throws {
        XCTAssertThrowsError(try decodePreviousGTIDs(hexBytes("00 00 00 00 00 00 00 02  # format 2"))) { error in
            XCTAssertEqual((error as? BinlogDecodingError)?.field, "n_sids")
        }
        let badTag = hexBytes("""
            01 01 00 00 00 00 00 01        # tagged, 1 sid
            55 77 89 04 02 99 11 f1 b1 b8 4e f0 c4 95 6f eb
            04 31 61                       # tag "1a": may not start with a digit
            01 00 00 00 00 00 00 00  01 00 00 00 00 00 00 00  02 00 00 00 00 00 00 00
            """)
        XCTAssertThrowsError(try decodePreviousGTIDs(badTag)) { error in
            XCTAssertEqual((error as? BinlogDecodingError)?.field, "tag")
        }
        // An upper-case tag is kept in lower case, as MySQL keeps it.
        let upper = hexBytes("""
            01 01 00 00 00 00 00 01
            55 77 89 04 02 99 11 f1 b1 b8 4e f0 c4 95 6f eb
            04 41 5f                       # tag "A_"
            01 00 00 00 00 00 00 00  01 00 00 00 00 00 00 00  02 00 00 00 00 00 00 00
            """)
        XCTAssertEqual(try decodePreviousGTIDs(upper).entries.first?.tag, "a_")
    }

    func testFormattingSortsMergesAndGroupsLikeMySQL() {
        let a = ServerUUID(bytes: [UInt8](repeating: 0xaa, count: 16))
        let b = ServerUUID(bytes: [UInt8](repeating: 0x0b, count: 16))
        var set = try! PreviousGTIDsEvent(parsing: &emptyReader)
        set.entries = [
            .init(sid: a, tag: "zz", intervals: [1..<2]),
            .init(sid: a, tag: nil, intervals: [5..<7, 1..<3]),
            .init(sid: b, tag: "x", intervals: [1..<2]),
            .init(sid: a, tag: nil, intervals: [3..<5]),
            .init(sid: a, tag: "m", intervals: [4..<5]),
        ]
        XCTAssertEqual(set.formatted(separator: ",\n# "),
                       "0b0b0b0b-0b0b-0b0b-0b0b-0b0b0b0b0b0b:x:1,\n# aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:1-6:m:4:zz:1")
    }

    private var emptyReader = ByteReader(ArraySlice<UInt8>())

    // MARK: Corpus

    private func corpusFile(_ path: String) throws -> [UInt8] {
        let url = TestPaths.corpus.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("the shared corpus is not at \(TestPaths.corpus.path) (../shared/corpus from the package): \(path) not checked")
        }
        return Array(try Data(contentsOf: url))
    }

    /// rust_mysql_common's assertions for these files: the GTID, its tag and the previous set.
    func testMySQL96TaggedFileFromTheCorpus() throws {
        let events = try decodeAll(try corpusFile("rust_mysql_common/test-data/binlogs/binlog_transaction_with_GTID_TAG.000001"))
        let gtids = events.compactMap { event -> GTIDEvent? in
            if case .gtid(let gtid) = event.payload { return gtid }
            return nil
        }
        XCTAssertEqual(gtids.count, 1)
        XCTAssertEqual(gtids.first?.sid.description, "55778904-0299-11f1-b1b8-4ef0c4956feb")
        XCTAssertEqual(gtids.first?.tag, "mytag")
        XCTAssertEqual(gtids.first?.gno, 3)
        guard case .previousGTIDs(let set) = events[1].payload else { return XCTFail("no Previous_gtids") }
        XCTAssertEqual(set.formatted(), "55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2")

        let untagged = try decodeAll(try corpusFile("rust_mysql_common/test-data/binlogs/binlog_transaction_previous_GTID_no_tag.000001"))
        guard case .previousGTIDs(let plain) = untagged[1].payload else { return XCTFail("no Previous_gtids") }
        XCTAssertEqual(plain.formatted(), "b9b88c66-0755-11f1-9899-4a9da94c4d71:1-2")
    }

    /// Percona Server 8.4.10 still writes the empty set in the untagged format (eight zero bytes).
    func testPercona84EmptySetFromTheCorpus() throws {
        let events = try decodeAll(try corpusFile("percona-server-mysql-operator/pkg/binlogsource/testdata/binlog.000001"))
        guard case .previousGTIDs(let set) = events[1].payload else { return XCTFail("no Previous_gtids") }
        XCTAssertEqual(set.entries, [])
        XCTAssertEqual(Array(set.encoded), [0, 0, 0, 0, 0, 0, 0, 0])
    }
}
