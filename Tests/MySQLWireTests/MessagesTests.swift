// Handshake, responses, result sets and auth plugins, from byte layouts the protocol
// documentation gives (hashes computed independently, with Python's hashlib).
import NIOCore
import XCTest
@testable import MySQLWire

final class MessagesTests: XCTestCase {
    func testLengthEncodedIntegersRoundTripAtEveryWidth() {
        for value: UInt64 in [0, 250, 251, 0xffff, 0x1_0000, 0xff_ffff, 0x100_0000, .max] {
            var buffer = ByteBuffer()
            buffer.writeLengthEncodedInteger(value)
            let expectedWidth = value < 251 ? 1 : value <= 0xffff ? 3 : value <= 0xff_ffff ? 4 : 9
            XCTAssertEqual(buffer.readableBytes, expectedWidth, "\(value)")
            XCTAssertEqual(buffer.readLengthEncodedInteger(), value)
        }
        var null = ByteBuffer(bytes: [0xfb])
        XCTAssertNil(null.readLengthEncodedInteger())
        var short = ByteBuffer(bytes: [0xfc, 0x01])
        XCTAssertNil(short.readLengthEncodedInteger())
    }

    /// A MariaDB 10.11 handshake laid out field by field (as `Protocol::HandshakeV10` documents it).
    func testMariaDBHandshake() throws {
        var payload = ByteBuffer()
        payload.writeInteger(UInt8(10))
        payload.writeNullTerminated(Array("5.5.5-10.11.19-MariaDB-0+deb12u1-log".utf8))
        payload.writeInteger(UInt32(42), endianness: .little)
        payload.writeBytes(Array(1...8))
        payload.writeInteger(UInt8(0))
        // Lower capabilities: CLIENT_LONG_PASSWORD clear (MariaDB's marker), PROTOCOL_41, SECURE_CONNECTION...
        payload.writeInteger(UInt16(0xf7fe), endianness: .little)
        payload.writeInteger(UInt8(45))
        payload.writeInteger(UInt16(2), endianness: .little)
        payload.writeInteger(UInt16(0x81ff), endianness: .little)
        payload.writeInteger(UInt8(21))
        payload.writeBytes([0, 0, 0, 0, 0, 0, 0x1d, 0, 0, 0])
        payload.writeBytes(Array(9...20) + [0])
        payload.writeNullTerminated(Array("mysql_native_password".utf8))
        let handshake = try HandshakeV10(parsing: payload)
        XCTAssertEqual(handshake.serverVersion, "5.5.5-10.11.19-MariaDB-0+deb12u1-log")
        XCTAssertEqual(handshake.connectionID, 42)
        XCTAssertEqual(handshake.authPluginData, Array(1...20))
        XCTAssertEqual(handshake.authPluginName, "mysql_native_password")
        XCTAssertEqual(handshake.characterSet, 45)
        XCTAssertTrue(handshake.capabilities.contains([.protocol41, .secureConnection, .pluginAuth]))
        XCTAssertEqual(handshake.mariaDBCapabilities, 0x1d)
        // Cut anywhere, it is an error, never a crash; except right after capability_flags_1,
        // where a pre-4.1 server's handshake ends (the connection then refuses it for that).
        let oldServerEnd = 1 + "5.5.5-10.11.19-MariaDB-0+deb12u1-log".utf8.count + 1 + 4 + 8 + 1 + 2
        for length in 0..<payload.readableBytes {
            let cut = payload.getSlice(at: 0, length: length)!
            if length == oldServerEnd {
                XCTAssertFalse(try HandshakeV10(parsing: cut).capabilities.contains(.pluginAuth))
            } else {
                XCTAssertThrowsError(try HandshakeV10(parsing: cut), "\(length)")
            }
        }
    }

    func testConnectionRefusedBeforeTheHandshake() {
        var payload = ByteBuffer(bytes: [0xff, 0x10, 0x04])
        payload.writeBytes(Array("Too many connections".utf8))
        XCTAssertThrowsError(try HandshakeV10(parsing: payload)) { error in
            XCTAssertTrue("\(error)".contains("Too many connections"), "\(error)")
        }
    }

    func testHandshakeResponseLayout() {
        var buffer = ByteBuffer()
        let capabilities: Capabilities = [.protocol41, .secureConnection, .pluginAuth, .pluginAuthLengthEncodedData, .connectWithDB]
        HandshakeResponse41(capabilities: capabilities, username: "root", authResponse: [1, 2, 3], database: "db",
                            authPluginName: "mysql_native_password").write(into: &buffer)
        var expected: [UInt8] = []
        expected += [0x08, 0x82, 0x28, 0x00]      // 0x00288208: CONNECT_WITH_DB, PROTOCOL_41, SECURE_CONNECTION, PLUGIN_AUTH, LENENC data
        expected += [0x00, 0x00, 0x00, 0x40]      // max packet 1 GiB
        expected += [45] + [UInt8](repeating: 0, count: 23)
        expected += Array("root".utf8) + [0] + [3, 1, 2, 3] + Array("db".utf8) + [0] + Array("mysql_native_password".utf8) + [0]
        XCTAssertEqual(Array(buffer.readableBytesView), expected)
    }

    func testErrorAndOKPackets() throws {
        var error = ByteBuffer(bytes: [0xff, 0x15, 0x04, UInt8(ascii: "#")])
        error.writeBytes(Array("28000Access denied for user 'x'@'localhost' (using password: YES)".utf8))
        let parsed = try XCTUnwrap(ServerError(parsing: error, capabilities: [.protocol41]))
        XCTAssertEqual(parsed.code, 1045)
        XCTAssertEqual(parsed.sqlState, "28000")
        XCTAssertTrue(parsed.isAuthenticationFailure)
        XCTAssertEqual(parsed.description, "ERROR 1045 (28000): Access denied for user 'x'@'localhost' (using password: YES)")
        let ok = try XCTUnwrap(OKPacket(parsing: ByteBuffer(bytes: [0x00, 0x03, 0xfc, 0x00, 0x01, 0x02, 0x00, 0x01, 0x00])))
        XCTAssertEqual(ok.affectedRows, 3)
        XCTAssertEqual(ok.lastInsertID, 256)
        XCTAssertFalse(ok.moreResultsExist)
        // SERVER_MORE_RESULTS_EXISTS (8) in the status flags.
        XCTAssertTrue(try XCTUnwrap(OKPacket(parsing: ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00]))).moreResultsExist)
    }

    /// `SELECT @@version_comment, NULL` as a text result set, without CLIENT_DEPRECATE_EOF.
    func testTextResultSet() throws {
        func column(_ name: String) -> ByteBuffer {
            var buffer = ByteBuffer()
            for part in ["def", "", "", "", name, ""] { buffer.writeLengthEncodedBytes(Array(part.utf8)) }
            buffer.writeInteger(UInt8(0x0c))
            buffer.writeInteger(UInt16(45), endianness: .little)
            buffer.writeInteger(UInt32(80), endianness: .little)
            buffer.writeInteger(UInt8(253))
            buffer.writeInteger(UInt16(0), endianness: .little)
            buffer.writeInteger(UInt8(0x1f))
            buffer.writeInteger(UInt16(0), endianness: .little)
            return buffer
        }
        var row = ByteBuffer()
        row.writeLengthEncodedBytes(Array("Debian 12".utf8))
        row.writeInteger(UInt8(0xfb))
        let eof = ByteBuffer(bytes: [0xfe, 0x00, 0x00, 0x02, 0x00])
        var reader = QueryResponseReader(capabilities: [.protocol41])
        XCTAssertFalse(try reader.feed(ByteBuffer(bytes: [0x02])))
        XCTAssertFalse(try reader.feed(column("@@version_comment")))
        XCTAssertFalse(try reader.feed(column("NULL")))
        XCTAssertFalse(try reader.feed(eof))
        XCTAssertFalse(try reader.feed(row))
        XCTAssertTrue(try reader.feed(eof))
        XCTAssertEqual(reader.result.columns.map(\.name), ["@@version_comment", "NULL"])
        XCTAssertEqual(reader.result.textRows, [["Debian 12", nil]])
        XCTAssertThrowsError(try reader.feed(eof))
        // An error instead of a result set is the server's error.
        var failing = QueryResponseReader(capabilities: [.protocol41])
        var error = ByteBuffer(bytes: [0xff, 0x28, 0x04, UInt8(ascii: "#")])
        error.writeBytes(Array("42000You have an error in your SQL syntax".utf8))
        XCTAssertThrowsError(try failing.feed(error)) { XCTAssertEqual(($0 as? ServerError)?.code, 1064) }
    }

    /// Password "binlog", scramble 0x01…0x14; expected values computed with Python's hashlib.
    func testAuthPluginAnswers() {
        let scramble = Array(UInt8(1)...20)
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        XCTAssertEqual(hex(AuthPlugin.nativePassword(Array("binlog".utf8), scramble: scramble)), "ad72136ed7e01505c534811cde5ea0c2ac5d3903")
        XCTAssertEqual(hex(AuthPlugin.cachingSHA2(Array("binlog".utf8), scramble: scramble)),
                       "25c418398320f343cdadaaccefb1b752f4348cb4ed52f1df90afe346229d1f64")
        XCTAssertEqual(AuthPlugin.nativePassword([], scramble: scramble), [])
        // Clear text only over TLS or a unix socket.
        XCTAssertNil(AuthPlugin.response(plugin: "mysql_clear_password", password: [0x61], scramble: [], secureTransport: false))
        XCTAssertEqual(AuthPlugin.response(plugin: "mysql_clear_password", password: [0x61], scramble: [], secureTransport: true), [0x61, 0])
        XCTAssertNil(AuthPlugin.response(plugin: "client_ed25519", password: [0x61], scramble: [], secureTransport: true))
    }

    func testAuthSwitchRequest() throws {
        var payload = ByteBuffer(bytes: [0xfe])
        payload.writeNullTerminated(Array("mysql_native_password".utf8))
        payload.writeBytes(Array(1...20) + [0])
        let request = try XCTUnwrap(AuthSwitchRequest(parsing: payload))
        XCTAssertEqual(request.pluginName, "mysql_native_password")
        XCTAssertEqual(request.pluginData, Array(1...20))
    }

    /// COM_REGISTER_SLAVE and COM_BINLOG_DUMP laid out as the protocol documentation gives them;
    /// the packets of a binlog stream told apart, anything else refused.
    func testReplicationCommandsAndStreamPackets() {
        let register = Command.registerReplica(serverID: 0x0102_0304)
        XCTAssertEqual(Array(register.readableBytesView),
                       [0x15, 0x04, 0x03, 0x02, 0x01, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 8))
        let dump = Command.binlogDump(file: "mysql-bin.000002", position: 4, serverID: 7, flags: Command.binlogDumpNonBlocking | 2)
        XCTAssertEqual(Array(dump.readableBytesView),
                       [0x12, 4, 0, 0, 0, 3, 0, 7, 0, 0, 0] + Array("mysql-bin.000002".utf8))
        // COM_BINLOG_DUMP_GTID: as MySQL's replica sends it (no file, position 4), the set's bytes last.
        let gtidDump = Command.binlogDumpGTID(gtidSet: [0xaa, 0xbb], serverID: 7, flags: Command.binlogDumpNonBlocking)
        XCTAssertEqual(Array(gtidDump.readableBytesView), [
            0x1e,                           // COM_BINLOG_DUMP_GTID
            0x05, 0x00,                     // flags: BINLOG_DUMP_NON_BLOCK | BINLOG_THROUGH_GTID
            0x07, 0x00, 0x00, 0x00,         // server_id
            0x00, 0x00, 0x00, 0x00,         // binlog_filename_len 0 (no name)
            0x04, 0, 0, 0, 0, 0, 0, 0,      // binlog_pos 4
            0x02, 0x00, 0x00, 0x00,         // gtid_data_len
            0xaa, 0xbb,                     // gtid_data
        ])
        XCTAssertEqual(BinlogStreamPacket(parsing: ByteBuffer(bytes: [0x00, 1, 2, 3]), capabilities: [.protocol41]),
                       .event(ByteBuffer(bytes: [1, 2, 3])))
        XCTAssertEqual(BinlogStreamPacket(parsing: ByteBuffer(bytes: [0xfe, 0, 0, 2, 0]), capabilities: [.protocol41]), .end)
        var error = ByteBuffer(bytes: [0xff, 0xd4, 0x04, UInt8(ascii: "#")])
        error.writeBytes(Array("HY000Could not find first log file name in binary log index file".utf8))
        guard case .error(let serverError)? = BinlogStreamPacket(parsing: error, capabilities: [.protocol41]) else {
            return XCTFail("an ERR packet was not read as the server's error")
        }
        XCTAssertEqual(serverError.code, 1236)
        XCTAssertNil(BinlogStreamPacket(parsing: ByteBuffer(bytes: [0x03, 1]), capabilities: [.protocol41]))
        XCTAssertNil(BinlogStreamPacket(parsing: ByteBuffer(), capabilities: [.protocol41]))
    }
}
