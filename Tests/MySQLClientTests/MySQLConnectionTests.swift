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
}
