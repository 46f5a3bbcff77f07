// -R (--read-from-remote-server) for dump, verify, stats and replay, against a real MariaDB on
// 127.0.0.1: the text is mariadb-binlog -R's on the same server, and what the files give locally.
import Foundation
import XCTest
@testable import BinlogCLI

final class RemoteInputTests: XCTestCase {
    /// A server with three binlogs: rows of several types, a rows event of 6 MiB (more than the
    /// 4 MiB the reader queues ahead), DDL, an update and a delete.
    private func makeServer(_ scratch: URL) throws -> TCPSandbox {
        let server = TCPSandbox(directory: scratch.appendingPathComponent("server").path)
        try server.start()
        try server.sql("""
            CREATE DATABASE r; CREATE TABLE r.t (id INT PRIMARY KEY, v VARCHAR(40), d DECIMAL(10,2), j JSON, b LONGBLOB);
            INSERT INTO r.t VALUES (1, 'one', 1.50, '{"a": [1, 2]}', NULL), (2, 'två', -2.25, NULL, x'00ff');
            FLUSH BINARY LOGS;
            INSERT INTO r.t VALUES (3, 'big', 0, NULL, REPEAT('x', 6 * 1024 * 1024));
            UPDATE r.t SET b = 'small', v = 'changed' WHERE id = 3;
            FLUSH BINARY LOGS;
            DELETE FROM r.t WHERE id = 1;
            """)
        XCTAssertEqual(try server.files().count, 3)
        return server
    }

    /// Runs `body` with the binlog executable, a server made by ``makeServer(_:)``, its binlogs'
    /// names and the connection options for it; stops the server and removes the files after.
    private func withServer(_ body: (_ binlog: String, _ server: TCPSandbox, _ files: [String], _ connection: [String]) throws -> Void) throws {
        let binlog = try TCPSandbox.requirements()
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let server = try makeServer(scratch)
        defer { server.stop() }
        try body(binlog, server, try server.files(), try server.connection(scratch))
    }

    /// dump -R gives mariadb-binlog -R's text, in the default form and decoded (-vv); over all
    /// binlogs (--to-last-log) the statements are those of the local files.
    func testDumpMatchesMariadbBinlogAndTheLocalFiles() throws {
        try withServer { binlog, server, files, connection in
            let closed = Array(files.prefix(2))
            if CLIPaths.which("mariadb-binlog") != nil {
                let oracleConnection = ["--no-defaults", "-R", "--host=127.0.0.1", "--port=\(server.port)", "--user=binlog", "--password=binlog"]
                for extra in [[], ["-vv", "--base64-output=decode-rows"]] {
                    let ours = try runProcess(binlog, ["dump", "-R"] + connection + extra + closed)
                    XCTAssertEqual(ours.status, 0, ours.error)
                    let theirs = try runProcess("/usr/bin/env", ["mariadb-binlog"] + oracleConnection + extra + closed)
                    XCTAssertEqual(theirs.status, 0, theirs.error)
                    XCTAssertGreaterThan(ours.output.count, 6 * 1024 * 1024)
                    XCTAssertTrue(ours.output == theirs.output, "\(extra): " + firstDifference(ours.output, theirs.output))
                }
            } else {
                print("note: mariadb-binlog (package mariadb-client) is not installed: dump -R is compared with the local files only")
            }
            // Closed files: the same text as the local files give.
            let remote = try runProcess(binlog, ["dump", "-R"] + connection + closed)
            let local = try runProcess(binlog, ["dump"] + closed.map { server.binlogDirectory + $0 })
            XCTAssertEqual(local.status, 0, local.error)
            XCTAssertTrue(remote.output == local.output, firstDifference(remote.output, local.output))
            /// The SQL output names each file (`-- file: NAME`): the local ones by their paths.
            func named(_ output: [UInt8]) -> [UInt8] {
                Array(String(decoding: output, as: UTF8.self).replacingOccurrences(of: server.binlogDirectory, with: "").utf8)
            }
            // Every binlog, to the end of the last (still being written: as SQL, which has no in-use note).
            let all = try runProcess(binlog, ["dump", "-R", "--to-last-log", "--format", "sql"] + connection + [files[0]])
            XCTAssertEqual(all.status, 0, all.error)
            let allLocal = try runProcess(binlog, ["dump", "--format", "sql", "--force-if-open"] + files.map { server.binlogDirectory + $0 })
            XCTAssertEqual(allLocal.status, 0, allLocal.error)
            XCTAssertTrue(String(decoding: all.output, as: UTF8.self).contains("DELETE FROM `r`.`t`"))
            XCTAssertTrue(all.output == named(allLocal.output), firstDifference(all.output, named(allLocal.output)))
            // From the second file on, a position inside it, as for a local file.
            let second = try runProcess(binlog, ["dump", "-R", "--to-last-log", "--format", "sql", "--start-position", "4"] + connection + [files[1]])
            let secondLocal = try runProcess(binlog, ["dump", "--format", "sql", "--force-if-open"] + files.dropFirst().map { server.binlogDirectory + $0 })
            XCTAssertTrue(second.output == named(secondLocal.output), firstDifference(second.output, named(secondLocal.output)))
        }
    }

    /// verify and stats -R report each of the server's binlogs under its name, as the local files.
    func testVerifyAndStatsReadTheServersBinlogs() throws {
        try withServer { binlog, server, files, connection in
            let verified = try runProcess(binlog, ["verify", "-R", "--to-last-log"] + connection + [files[0]])
            XCTAssertEqual(verified.status, 0, verified.error)
            let report = String(decoding: verified.output, as: UTF8.self)
            for name in files { XCTAssertTrue(report.contains(name + ": "), report) }
            XCTAssertTrue(report.contains("total: 3 files"), report)

            let closed = Array(files.prefix(2))
            let stats = try runProcess(binlog, ["stats", "--json", "-R"] + connection + closed)
            XCTAssertEqual(stats.status, 0, stats.error)
            let statsLocal = try runProcess(binlog, ["stats", "--json"] + closed.map { server.binlogDirectory + $0 })
            let localText = String(decoding: statsLocal.output, as: UTF8.self).replacingOccurrences(of: server.binlogDirectory, with: "")
            XCTAssertEqual(String(decoding: stats.output, as: UTF8.self), localText)
            XCTAssertTrue(localText.contains("\"" + closed[1] + "\""), localText)
        }
    }

    /// replay -R copies a source's changes to a target (checksums equal), and resumes from its
    /// checkpoint with only the new transaction.
    func testReplayFromASourceServer() throws {
        let binlog = try TCPSandbox.requirements()
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let source = try makeServer(scratch)
        defer { source.stop() }
        let target = TCPSandbox(directory: scratch.appendingPathComponent("target").path)
        try target.start()
        defer { target.stop() }
        let options = scratch.appendingPathComponent("source.cnf").path
        try "[client]\nhost=127.0.0.1\nport=\(source.port)\nuser=binlog\npassword=binlog\n".write(toFile: options, atomically: true, encoding: .utf8)
        let checkpoint = scratch.appendingPathComponent("checkpoint").path
        let arguments = ["replay", "-R", "--source-defaults-file", options, "--to-last-log", "--no-defaults", "--socket", target.socketPath,
                         "--user", "root", "--checkpoint", checkpoint, "--resume"]
        let first = try runProcess(binlog, arguments + [try source.files()[0]])
        XCTAssertEqual(first.status, 0, first.error)
        XCTAssertTrue(first.error.contains("replayed 6 transactions"), first.error)
        XCTAssertEqual(try checksums(source), try checksums(target))

        try source.sql("INSERT INTO r.t VALUES (9, 'later', 9, NULL, NULL)")
        let again = try runProcess(binlog, arguments + [try source.files()[0]])
        XCTAssertEqual(again.status, 0, again.error)
        XCTAssertTrue(again.error.contains("replayed 1 transaction "), again.error)
        XCTAssertEqual(try checksums(source), try checksums(target))
    }

    private func checksums(_ server: TCPSandbox) throws -> String {
        let result = try runProcess(TCPSandbox.script, ["checksum", server.directory])
        XCTAssertEqual(result.status, 0, result.error)
        return String(decoding: result.output, as: UTF8.self)
    }

    /// Refused credentials exit 3; a name the server does not have, a path, and the remote
    /// options without -R exit 2, each with a message.
    func testErrors() throws {
        let binlog = try TCPSandbox.requirements()
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let server = TCPSandbox(directory: scratch.appendingPathComponent("server").path)
        try server.start()
        defer { server.stop() }
        let connection = try server.connection(scratch)
        let first = try server.files()[0]
        let passwordFile = connection[connection.count - 1]
        try "not the password\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        for command in ["dump", "verify", "stats"] {
            let refused = try runProcess(binlog, [command, "-R"] + connection + [first])
            XCTAssertEqual(refused.status, 3, command + ": " + refused.error)
            XCTAssertTrue(refused.error.contains("Access denied"), refused.error)
        }
        try "binlog\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["dump", "-R"] + connection + ["mysql-bin.999999"], "not one of the server's binlogs"),
            (["dump", "-R"] + connection + [server.binlogDirectory + first], "not a path"),
            (["stats", "--to-last-log", first], "--to-last-log is for -R"),
            (["replay", "-R", "--dry-run", first], "-R needs --source-defaults-file"),
            (["replay", "--source-defaults-file", "x.cnf", "--dry-run", first], "--source-defaults-file is for -R"),
        ]
        for (arguments, message) in cases {
            let result = try runProcess(binlog, arguments)
            XCTAssertEqual(result.status, 2, arguments.joined(separator: " ") + ": " + result.error)
            XCTAssertTrue(result.error.contains(message), result.error)
        }
    }
}
