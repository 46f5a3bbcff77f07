// The client against a real MariaDB (Scripts/mariadb-sandbox): unix socket and TCP, native
// password, queries with NULLs, a wrong password, a server that is not there.
import Foundation
import MySQLWire
import XCTest
@testable import MySQLClient

final class MySQLConnectionTests: XCTestCase {
    private static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scripts")

    private func which(_ program: String) -> Bool {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin"]
        return paths.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
    }

    private func sandbox(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = Self.scripts.appendingPathComponent("mariadb-sandbox")
        process.arguments = arguments
        // The server inherits the starter's descriptors: nothing of it may be a pipe read to its end.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// A free TCP port on 127.0.0.1 (bound, read, released).
    private func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func testQueriesOverASocketAndOverTCP() async throws {
        guard which("mariadbd") else {
            throw XCTSkip("MariaDB server is not installed (Debian package mariadb-server); .ci/run installs it")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("binlog-client-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = directory.path
        let port = freePort()
        XCTAssertEqual(try sandbox(["start", server, "--tcp", "\(port)"]), 0, "see \(server)/error.log")
        defer { _ = try? sandbox(["stop", server]) }

        // root over the unix socket, no password.
        let socket = ConnectionConfiguration(address: .unixSocket(path: "\(server)/mysqld.sock"), user: "root")
        let rows = try await MySQLConnection.withConnection(socket, password: []) { session in
            XCTAssertTrue(session.serverVersion.contains("MariaDB"), session.serverVersion)
            XCTAssertFalse(session.serverVersion.hasPrefix("5.5.5-"))
            let pinged = try await session.ping()
            XCTAssertTrue(pinged)
            try await session.query("CREATE DATABASE t")
            try await session.query("CREATE TABLE t.x (a INT, b VARCHAR(10))")
            let insert = try await session.query("INSERT INTO t.x VALUES (1, 'é'), (2, NULL)")
            XCTAssertEqual(insert.ok?.affectedRows, 2)
            return try await session.query("SELECT a, b, @@session.sql_mode IS NOT NULL FROM t.x ORDER BY a").textRows
        }
        XCTAssertEqual(rows, [["1", "é", "1"], ["2", nil, "1"]])

        // binlog@'%' with its password over TCP, a default database, a server error kept as such.
        let tcp = ConnectionConfiguration(address: .tcp(host: "127.0.0.1", port: port), user: "binlog", database: "t")
        let count = try await MySQLConnection.withConnection(tcp, password: Array("binlog".utf8)) { session in
            do {
                try await session.query("SELEC 1")
                XCTFail("a syntax error was not reported")
            } catch let error as ServerError {
                XCTAssertEqual(error.code, 1064)
            }
            return try await session.query("SELECT COUNT(*) FROM x").textRows
        }
        XCTAssertEqual(count, [["2"]])

        // A wrong password: the server's 1045, as a connection error.
        do {
            try await MySQLConnection.withConnection(tcp, password: Array("wrong".utf8)) { _ in }
            XCTFail("a wrong password was accepted")
        } catch let error as ConnectionError {
            XCTAssertEqual(error.serverError?.code, 1045, error.message)
            XCTAssertTrue(error.serverError?.isAuthenticationFailure ?? false)
        }
        // Nothing listening: a connection error naming the address.
        XCTAssertEqual(try sandbox(["stop", server]), 0)
        do {
            try await MySQLConnection.withConnection(tcp, password: [], connectTimeout: .seconds(2)) { _ in }
            XCTFail("a stopped server was reached")
        } catch let error as ConnectionError {
            XCTAssertTrue(error.message.contains("cannot connect to 127.0.0.1:\(port)"), error.message)
        }
    }

    private func openssl(_ arguments: [String], in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "openssl \(arguments.joined(separator: " "))")
    }

    /// A CA, a server certificate it signs for DNS name localhost only (no IP address), and a
    /// second CA that signs nothing here.
    private func makeCertificates(in directory: String) throws {
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=binlog test CA",
                     "-keyout", "ca-key.pem", "-out", "ca.pem"], in: directory)
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=another CA",
                     "-keyout", "other-ca-key.pem", "-out", "other-ca.pem"], in: directory)
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                     "-keyout", "server-key.pem", "-out", "server.csr"], in: directory)
        try "subjectAltName=DNS:localhost\n".write(toFile: directory + "/san.ext", atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                     "-days", "2", "-out", "server.pem", "-extfile", "san.ext"], in: directory)
        // A client certificate the same CA signs.
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=binlog client",
                     "-keyout", "client-key.pem", "-out", "client.csr"], in: directory)
        try openssl(["x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                     "-days", "2", "-out", "client.pem"], in: directory)
    }

    /// TLS against a MariaDB given a certificate made here: required, verify-ca with the right
    /// and a wrong CA, verify-identity by name and by an address the certificate does not name,
    /// disabled; an account that REQUIRE SSL refuses the unencrypted session.
    func testTLSModesAgainstACertificateMadeHere() async throws {
        guard which("mariadbd"), which("openssl") else {
            throw XCTSkip("MariaDB server or openssl is not installed (Debian packages mariadb-server, openssl); .ci/run installs them")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("binlog-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = directory.path
        try makeCertificates(in: certificates)
        let server = certificates + "/server"
        let port = freePort()
        XCTAssertEqual(try sandbox(["start", server, "--tcp", "\(port)", "--", "--ssl-ca=\(certificates)/ca.pem",
                                    "--ssl-cert=\(certificates)/server.pem", "--ssl-key=\(certificates)/server-key.pem"]),
                       0, "see \(server)/error.log")
        defer { _ = try? sandbox(["stop", server]) }
        let root = ConnectionConfiguration(address: .unixSocket(path: "\(server)/mysqld.sock"), user: "root")
        try await MySQLConnection.withConnection(root, password: []) { session in
            XCTAssertFalse(session.isEncrypted, "preferred does not use TLS over a unix socket")
            try await session.query("CREATE USER tls@'%' IDENTIFIED BY 'secret' REQUIRE SSL")
            try await session.query("CREATE USER x509@'%' IDENTIFIED BY 'secret' REQUIRE X509")
        }

        func connect(_ mode: TLSSettings.Mode, ca: String? = nil, host: String = "127.0.0.1", user: String = "binlog",
                     password: String = "binlog") async throws -> (encrypted: Bool, version: String?) {
            var configuration = ConnectionConfiguration(address: .tcp(host: host, port: port), user: user)
            configuration.tls = TLSSettings(mode: mode, caFile: ca.map { certificates + "/" + $0 })
            return try await MySQLConnection.withConnection(configuration, password: Array(password.utf8)) { session in
                let rows = try await session.query("SHOW SESSION STATUS LIKE 'Ssl_version'").textRows
                return (session.isEncrypted, rows.first?.last ?? nil)
            }
        }
        for mode in [TLSSettings.Mode.preferred, .required] {
            let session = try await connect(mode)
            XCTAssertTrue(session.encrypted, "\(mode)")
            XCTAssertTrue(session.version?.hasPrefix("TLSv1.") ?? false, "\(mode): the server says \(session.version ?? "nothing")")
        }
        let verified = try await connect(.verifyCA, ca: "ca.pem")
        XCTAssertTrue(verified.encrypted)
        let plain = try await connect(.disabled)
        XCTAssertFalse(plain.encrypted)
        XCTAssertEqual(plain.version, "")
        // The certificate names localhost: verify-identity passes by that name.
        let byName = try await connect(.verifyIdentity, ca: "ca.pem", host: "localhost")
        XCTAssertTrue(byName.encrypted)
        // Refused: a CA that did not sign the certificate; an address the certificate does not name.
        for (mode, ca, host) in [(TLSSettings.Mode.verifyCA, "other-ca.pem", "127.0.0.1"), (.verifyIdentity, "ca.pem", "127.0.0.1")] {
            do {
                _ = try await connect(mode, ca: ca, host: host)
                XCTFail("\(mode) with \(ca) to \(host) was accepted")
            } catch let error as ConnectionError {
                XCTAssertTrue(error.message.contains("TLS handshake failed"), error.message)
                if mode == .verifyIdentity {
                    XCTAssertTrue(error.message.contains("certificate does not name 127.0.0.1"), error.message)
                } else {
                    XCTAssertTrue(error.message.contains("certificate is not signed by a CA of \(certificates)/other-ca.pem"), error.message)
                }
            }
        }
        // The name checked can be given apart from the address reached.
        var named = ConnectionConfiguration(address: .tcp(host: "127.0.0.1", port: port), user: "binlog")
        named.tls = TLSSettings(mode: .verifyIdentity, caFile: certificates + "/ca.pem", serverName: "localhost")
        let namedEncrypted = try await MySQLConnection.withConnection(named, password: Array("binlog".utf8)) { $0.isEncrypted }
        XCTAssertTrue(namedEncrypted)
        // REQUIRE SSL: refused without TLS, accepted with it.
        do {
            _ = try await connect(.disabled, user: "tls", password: "secret")
            XCTFail("an account that requires SSL was let in without it")
        } catch let error as ConnectionError {
            XCTAssertEqual(error.serverError?.code, 1045, error.message)
        }
        let required = try await connect(.required, user: "tls", password: "secret")
        XCTAssertTrue(required.encrypted)
        // REQUIRE X509: refused without a client certificate, accepted with one the CA signed.
        do {
            _ = try await connect(.required, user: "x509", password: "secret")
            XCTFail("an account that requires a certificate was let in without one")
        } catch let error as ConnectionError {
            XCTAssertEqual(error.serverError?.code, 1045, error.message)
        }
        var withCertificate = ConnectionConfiguration(address: .tcp(host: "127.0.0.1", port: port), user: "x509")
        withCertificate.tls = TLSSettings(mode: .verifyCA, caFile: certificates + "/ca.pem", certificateFile: certificates + "/client.pem",
                                          keyFile: certificates + "/client-key.pem")
        let subject = try await MySQLConnection.withConnection(withCertificate, password: Array("secret".utf8)) { session in
            try await session.query("SELECT CURRENT_USER()").textRows
        }
        XCTAssertEqual(subject, [["x509@%"]])
        // A CA file that is not one: said before connecting.
        try "not a certificate".write(toFile: certificates + "/bad.pem", atomically: true, encoding: .utf8)
        do {
            _ = try await connect(.verifyCA, ca: "bad.pem")
            XCTFail("a broken CA file was used")
        } catch let error as ConnectionError {
            XCTAssertTrue(error.message.contains("cannot set up TLS"), error.message)
        }
    }
}
