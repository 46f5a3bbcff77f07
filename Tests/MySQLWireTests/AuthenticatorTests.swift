// The connection phase without I/O: server packets laid out as the protocol documentation's
// "Connection Phase" and caching_sha2_password pages give them, and what the client answers.
import NIOCore
import XCTest
import _CryptoExtras
@testable import MySQLWire

final class AuthenticatorTests: XCTestCase {
    private let scramble = Array(UInt8(1)...20)

    /// A MySQL 8-style HandshakeV10: `plugin`, the scramble 0x01…0x14, CLIENT_SSL when `tls`.
    private func handshake(plugin: String, tls: Bool) -> ByteBuffer {
        var payload = ByteBuffer()
        payload.writeInteger(UInt8(10))
        payload.writeNullTerminated(Array("8.4.3".utf8))
        payload.writeInteger(UInt32(7), endianness: .little)
        payload.writeBytes(scramble.prefix(8))
        payload.writeInteger(UInt8(0))
        // LONG_PASSWORD, FOUND_ROWS, LONG_FLAG, CONNECT_WITH_DB, LOCAL_FILES, PROTOCOL_41, TRANSACTIONS, SECURE_CONNECTION (+ SSL)
        payload.writeInteger(UInt16(0xa28f) | (tls ? 0x0800 : 0), endianness: .little)
        payload.writeInteger(UInt8(255))
        payload.writeInteger(UInt16(2), endianness: .little)
        // MULTI_RESULTS, PLUGIN_AUTH, PLUGIN_AUTH_LENENC_CLIENT_DATA
        payload.writeInteger(UInt16(0x002a), endianness: .little)
        payload.writeInteger(UInt8(21))
        payload.writeRepeatingByte(0, count: 10)
        payload.writeBytes(scramble.suffix(12) + [0])
        payload.writeNullTerminated(Array(plugin.utf8))
        return payload
    }

    private let ok = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00])

    private func sent(_ outputs: [ClientAuthenticator.Output]) -> [[UInt8]] {
        outputs.compactMap { if case .send(let buffer) = $0 { return Array(buffer.readableBytesView) } else { return nil } }
    }

    func testNativePasswordWithoutTLS() throws {
        var parameters = AuthenticationParameters(user: "binlog", password: Array("binlog".utf8))
        parameters.tls = .ifOffered
        var client = ClientAuthenticator(parameters)
        let first = try client.receive(handshake(plugin: "mysql_native_password", tls: false))
        XCTAssertFalse(client.usesTLS)
        XCTAssertEqual(first.count, 1)
        let response = try XCTUnwrap(sent(first).first)
        // client_flag without CLIENT_SSL; the auth response is the native scramble answer (hashlib-computed).
        XCTAssertEqual(response[1] & 0x08, 0)
        let answer: [UInt8] = [0xad, 0x72, 0x13, 0x6e, 0xd7, 0xe0, 0x15, 0x05, 0xc5, 0x34,
                               0x81, 0x1c, 0xde, 0x5e, 0xa0, 0xc2, 0xac, 0x5d, 0x39, 0x03]
        XCTAssertEqual(Array(response[32...]), Array("binlog".utf8) + [0, 20] + answer + Array("mysql_native_password".utf8) + [0])
        XCTAssertEqual(try client.receive(ok), [.authenticated])
    }

    func testTLSIsAskedForWithAnSSLRequestThenTheResponse() throws {
        var parameters = AuthenticationParameters(user: "u", password: [])
        parameters.tls = .ifOffered
        var client = ClientAuthenticator(parameters)
        let outputs = try client.receive(handshake(plugin: "mysql_native_password", tls: true))
        XCTAssertTrue(client.usesTLS)
        XCTAssertEqual(outputs.count, 3)
        XCTAssertEqual(outputs[1], .startTLS)
        let packets = sent(outputs)
        // The SSLRequest: the first 32 bytes of the response, CLIENT_SSL (0x800) set.
        XCTAssertEqual(packets[0].count, 32)
        XCTAssertEqual(packets[0][1] & 0x08, 0x08)
        XCTAssertEqual(Array(packets[1].prefix(32)), packets[0])
        // An empty password answers with no bytes.
        XCTAssertEqual(Array(packets[1][32...]), Array("u".utf8) + [0, 0] + Array("mysql_native_password".utf8) + [0])
    }

    func testRequiredTLSRefusesAServerWithoutIt() {
        var parameters = AuthenticationParameters(user: "u", password: [])
        parameters.tls = .required
        var client = ClientAuthenticator(parameters)
        XCTAssertThrowsError(try client.receive(handshake(plugin: "mysql_native_password", tls: false))) { error in
            XCTAssertTrue("\(error)".contains("does not offer it"), "\(error)")
        }
        // Never: no SSLRequest even when offered.
        var plain = ClientAuthenticator(AuthenticationParameters(user: "u", password: []))
        XCTAssertEqual((try? plain.receive(handshake(plugin: "mysql_native_password", tls: true)))?.count, 1)
        XCTAssertFalse(plain.usesTLS)
    }

    func testCachingSHA2FastPath() throws {
        var client = ClientAuthenticator(AuthenticationParameters(user: "u", password: Array("binlog".utf8)))
        let response = try XCTUnwrap(sent(try client.receive(handshake(plugin: "caching_sha2_password", tls: false))).first)
        // The 32-byte fast answer (hashlib-computed, as in MessagesTests) after "u\0" and its length.
        XCTAssertEqual(Array(response[32..<36]), [UInt8(ascii: "u"), 0, 32, 0x25])
        // 0x01 0x03: fast_auth_success; the OK follows.
        XCTAssertEqual(try client.receive(ByteBuffer(bytes: [0x01, 0x03])), [])
        XCTAssertEqual(try client.receive(ok), [.authenticated])
    }

    func testCachingSHA2FullPathSendsTheClearPasswordOnlyOverTLSOrASocket() throws {
        var parameters = AuthenticationParameters(user: "u", password: Array("pw".utf8))
        parameters.tls = .required
        var overTLS = ClientAuthenticator(parameters)
        _ = try overTLS.receive(handshake(plugin: "caching_sha2_password", tls: true))
        // 0x01 0x04: perform_full_authentication.
        XCTAssertEqual(sent(try overTLS.receive(ByteBuffer(bytes: [0x01, 0x04]))), [[0x70, 0x77, 0x00]])

        var socketParameters = AuthenticationParameters(user: "u", password: Array("pw".utf8))
        socketParameters.overUnixSocket = true
        var overSocket = ClientAuthenticator(socketParameters)
        _ = try overSocket.receive(handshake(plugin: "caching_sha2_password", tls: false))
        XCTAssertEqual(sent(try overSocket.receive(ByteBuffer(bytes: [0x01, 0x04]))), [[0x70, 0x77, 0x00]])

        // Plain TCP, no key pinned, not allowed to ask: refused with what to do.
        var plain = ClientAuthenticator(AuthenticationParameters(user: "u", password: Array("pw".utf8)))
        _ = try plain.receive(handshake(plugin: "caching_sha2_password", tls: false))
        XCTAssertThrowsError(try plain.receive(ByteBuffer(bytes: [0x01, 0x04]))) { error in
            XCTAssertTrue("\(error)".contains("--server-public-key-path"), "\(error)")
        }
    }

    /// Over plain TCP: 0x02 asks for the key, the server answers 0x01 and the PEM, the client
    /// sends RSA-OAEP((password + NUL) XOR scramble). The test decrypts it with the private key.
    func testCachingSHA2FullPathOverPlainTCPUsesTheServersRSAKey() throws {
        let key = try _RSA.Encryption.PrivateKey(keySize: .bits2048)
        let expected = Array("pw\u{0}".utf8).enumerated().map { $0.element ^ scramble[$0.offset] }

        var parameters = AuthenticationParameters(user: "u", password: Array("pw".utf8))
        parameters.requestsServerPublicKey = true
        var asking = ClientAuthenticator(parameters)
        _ = try asking.receive(handshake(plugin: "caching_sha2_password", tls: false))
        XCTAssertEqual(sent(try asking.receive(ByteBuffer(bytes: [0x01, 0x04]))), [[0x02]])
        var keyPacket = ByteBuffer(bytes: [0x01])
        keyPacket.writeBytes(Array(key.publicKey.pemRepresentation.utf8) + [0x0a])
        let encrypted = try XCTUnwrap(sent(try asking.receive(keyPacket)).first)
        XCTAssertEqual(encrypted.count, 256)
        XCTAssertEqual(Array(try key.decrypt(encrypted, padding: .PKCS1_OAEP)), expected)
        XCTAssertEqual(try asking.receive(ok), [.authenticated])

        // A pinned key: no question, the answer at once.
        var pinnedParameters = AuthenticationParameters(user: "u", password: Array("pw".utf8))
        pinnedParameters.serverPublicKey = key.publicKey.pemRepresentation
        var pinned = ClientAuthenticator(pinnedParameters)
        _ = try pinned.receive(handshake(plugin: "caching_sha2_password", tls: false))
        let direct = try XCTUnwrap(sent(try pinned.receive(ByteBuffer(bytes: [0x01, 0x04]))).first)
        XCTAssertEqual(Array(try key.decrypt(direct, padding: .PKCS1_OAEP)), expected)

        // A key that is not one: a clear error.
        var broken = ClientAuthenticator(parameters)
        _ = try broken.receive(handshake(plugin: "caching_sha2_password", tls: false))
        _ = try broken.receive(ByteBuffer(bytes: [0x01, 0x04]))
        XCTAssertThrowsError(try broken.receive(ByteBuffer(bytes: [0x01, 0x2d, 0x2d]))) { error in
            XCTAssertTrue("\(error)".contains("RSA public key"), "\(error)")
        }
    }

    func testAuthSwitchAndRefusal() throws {
        var client = ClientAuthenticator(AuthenticationParameters(user: "u", password: Array("binlog".utf8)))
        _ = try client.receive(handshake(plugin: "caching_sha2_password", tls: false))
        // 0xFE, plugin name, new scramble: the native answer with that scramble.
        var switchRequest = ByteBuffer(bytes: [0xfe])
        switchRequest.writeNullTerminated(Array("mysql_native_password".utf8))
        switchRequest.writeBytes(scramble + [0])
        XCTAssertEqual(sent(try client.receive(switchRequest)), [AuthPlugin.nativePassword(Array("binlog".utf8), scramble: scramble)])
        // ERR 1045 (28000): the server's error is kept.
        var refusal = ByteBuffer(bytes: [0xff, 0x15, 0x04, UInt8(ascii: "#")])
        refusal.writeBytes(Array("28000Access denied for user 'u'".utf8))
        XCTAssertThrowsError(try client.receive(refusal)) { error in
            XCTAssertEqual((error as? AuthenticationError)?.serverError?.code, 1045)
        }

        // mysql_clear_password over plain TCP is refused.
        var clear = ClientAuthenticator(AuthenticationParameters(user: "u", password: Array("pw".utf8)))
        _ = try clear.receive(handshake(plugin: "mysql_native_password", tls: false))
        var toClear = ByteBuffer(bytes: [0xfe])
        toClear.writeNullTerminated(Array("mysql_clear_password".utf8))
        XCTAssertThrowsError(try clear.receive(toClear)) { error in
            XCTAssertTrue("\(error)".contains("unencrypted"), "\(error)")
        }
    }
}
