// `binlog replay` against a real MariaDB: checkpoints and --resume, a server error, a wrong
// password, --dry-run; the script splitter and option files without a server.
import Foundation
import XCTest
@testable import BinlogCLI
import MySQLBinlog
import MySQLClient

final class ReplayTests: XCTestCase {
    func testTheSplitterFollowsDelimitersAndDropsClientCommands() {
        var splitter = ScriptSplitter()
        let script = """
            /*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=1*/;
            DELIMITER /*!*/;
            # at 4
            #700101  0:00:00 server id 1  end_log_pos 256 CRC32 0x01020304 \tStart
            /*!\\C latin1 *//*!*/;
            SET @@session.character_set_client=latin1/*!*/;
            INSERT INTO t VALUES ('a;
            # not a comment; inside the statement
            b')
            /*!*/;
            DELIMITER ;
            ROLLBACK /* added by mysqlbinlog */;

            """
        // Fed in pieces that cut lines anywhere.
        var statements: [String] = []
        let bytes = Array(script.utf8)
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + 7)
            statements += splitter.feed(bytes[index..<end]).map { String(decoding: $0, as: UTF8.self) }
            index = end
        }
        XCTAssertEqual(statements, [
            "/*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=1*/",
            "SET @@session.character_set_client=latin1",
            "INSERT INTO t VALUES ('a;\n# not a comment; inside the statement\nb')",
            "ROLLBACK /* added by mysqlbinlog */",
        ])
        XCTAssertFalse(splitter.hasUnfinishedStatement)
    }

    /// What a skipped transaction still sends: the session settings the statements after it count on.
    func testSessionSettingsAreToldApart() {
        func check(_ text: String) -> Bool { ReplayFrontend.isSessionSetting(Array(text.utf8)) }
        XCTAssertTrue(check("use `ddl_dml`"))
        XCTAssertTrue(check("USE `odd``db`;"))
        XCTAssertTrue(check("SET TIMESTAMP=1795315642"))
        XCTAssertTrue(check("SET @@session.sql_mode=1411383296"))
        XCTAssertTrue(check("/*M!100101 SET @@session.skip_parallel_replication=0*/"))
        XCTAssertFalse(check("/*M!100001 SET @@session.gtid_seq_no=1*/"))
        XCTAssertFalse(check("/*M!100001 SET @@session.server_id=1*/"))
        XCTAssertFalse(check("SET INSERT_ID=5"))
        XCTAssertFalse(check("SET @`v`:=_utf8mb4 X'61'"))
        XCTAssertFalse(check("INSERT INTO t VALUES (1)"))
        XCTAssertFalse(check("BEGIN"))
    }

    /// An unencrypted session to another machine gets a warning (replay and pull); loopback,
    /// unix sockets and TLS sessions do not.
    func testUnencryptedRemoteConnectionsAreWarnedAbout() {
        var remote = ConnectionConfiguration(address: .tcp(host: "db.example", port: 3306), user: "u")
        XCTAssertEqual(ConnectionOptions.unencryptedWarning(remote, encrypted: false),
                       "the connection to db.example:3306 is not encrypted (the server does not offer TLS)")
        XCTAssertNil(ConnectionOptions.unencryptedWarning(remote, encrypted: true))
        remote.tls.mode = .disabled
        XCTAssertEqual(ConnectionOptions.unencryptedWarning(remote, encrypted: false),
                       "the connection to db.example:3306 is not encrypted (--ssl-mode disabled)")
        for local in [ConnectionConfiguration.Address.tcp(host: "127.0.0.1", port: 3306), .tcp(host: "::1", port: 3306),
                      .unixSocket(path: "/run/mysqld/mysqld.sock")] {
            XCTAssertNil(ConnectionOptions.unencryptedWarning(ConnectionConfiguration(address: local, user: "u"), encrypted: false))
        }
    }

    /// What the target has already: MariaDB positions per domain; MySQL GTID sets, tags included.
    func testTargetGTIDsOfBothServers() throws {
        var target = TargetGTIDs()
        target.mariaDB = ReplayFrontend.mariaDBPositions("0-1-10,1-2-5")
        XCTAssertTrue(target.contains("0-1-10"))
        XCTAssertTrue(target.contains("0-9-3"), "a domain's position covers every server's sequence numbers below it")
        XCTAssertFalse(target.contains("0-1-11"))
        XCTAssertFalse(target.contains("2-1-1"))
        let uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
        target.mySQL = try MySQLGTIDSet(parsing: "\(uuid):1-5:7,4e11fa47-71ca-11e1-9e33-c80aa9429562:tag1:1-3")
        XCTAssertTrue(target.contains("\(uuid):7"))
        XCTAssertTrue(target.contains("\(uuid):1"))
        XCTAssertFalse(target.contains("\(uuid):6"))
        XCTAssertTrue(target.contains("4e11fa47-71ca-11e1-9e33-c80aa9429562:tag1:2"))
        XCTAssertFalse(target.contains("4e11fa47-71ca-11e1-9e33-c80aa9429562:2"), "untagged is another source")
        XCTAssertFalse(TargetGTIDs().contains("\(uuid):1"))
    }

    /// One session for all the files: a temporary table made in the first file and read in the
    /// second (statement format), with a user variable, ends in the target's table; replaying the
    /// second file on its own cannot (the check that the test can fail).
    func testTemporaryTablesAndUserVariablesLiveAcrossFiles() throws {
        let (binlog, scratch, source) = try startServer(options: ["--binlog-format=STATEMENT"])
        let sandbox = CLIPaths.scripts.appendingPathComponent("mariadb-sandbox").path
        let target = scratch.appendingPathComponent("target").path
        defer {
            _ = try? runProcess(sandbox, ["stop", source])
            _ = try? runProcess(sandbox, ["stop", target])
            try? FileManager.default.removeItem(at: scratch)
        }
        XCTAssertEqual(try startSandbox(target, options: []), 0, "see \(target)/error.log")
        let workload = "CREATE DATABASE tt; CREATE TABLE tt.t (a INT); "
            + "CREATE TEMPORARY TABLE tt.tmp (a INT); INSERT INTO tt.tmp VALUES (1), (2); FLUSH BINARY LOGS; "
            + "SET @v := 5; INSERT INTO tt.t SELECT a + @v FROM tt.tmp; DROP TEMPORARY TABLE tt.tmp"
        XCTAssertEqual(try runProcess(sandbox, ["sql", source, "-e", workload]).status, 0)
        let index = try String(contentsOfFile: source + "/binlog/mysql-bin.index", encoding: .utf8)
        let files = index.split(separator: "\n").map { source + "/binlog/" + String($0.split(separator: "/").last!) }
        XCTAssertEqual(files.count, 2)
        let connection = ["--socket", "\(target)/mysqld.sock", "--user", "root", "--no-defaults"]
        // Each file by a replay of its own: the second cannot find the temporary table.
        let first = try runProcess(binlog, ["replay"] + connection + ["--skip-gtids", files[0]])
        XCTAssertEqual(first.status, 0, first.error)
        let alone = try runProcess(binlog, ["replay"] + connection + ["--skip-gtids", files[1]])
        XCTAssertEqual(alone.status, 1, "the second file alone found the temporary table: \(alone.error)")
        XCTAssertTrue(alone.error.contains("tmp' doesn't exist"), alone.error)
        XCTAssertEqual(try runProcess(sandbox, ["sql", target, "-e", "DROP DATABASE tt"]).status, 0)
        let both = try runProcess(binlog, ["replay"] + connection + ["--skip-gtids"] + files)
        XCTAssertEqual(both.status, 0, both.error)
        let rows = try runProcess(sandbox, ["sql", target, "-N", "-e", "SELECT a FROM tt.t ORDER BY a"])
        XCTAssertEqual(String(decoding: rows.output, as: UTF8.self), "6\n7\n")
    }

    func testOptionFileClientGroup() {
        let text = """
            [mysqld]
            user = mysql
            [client]
            user = "replayer"
            password='p w#1'
            socket=/run/mysqld/mysqld.sock
            # a comment
            [mysql]
            user = other
            """
        XCTAssertEqual(OptionFile.clientGroup(text), ["user": "replayer", "password": "p w#1", "socket": "/run/mysqld/mysqld.sock"])
    }

    /// The TLS options reach the connection's settings; mysql's spelling of the modes is taken;
    /// files that cannot be read and lone certificates are usage errors.
    func testTLSOptions() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let ca = scratch.appendingPathComponent("ca.pem").path
        try "x".write(toFile: ca, atomically: true, encoding: .utf8)
        let options = try ConnectionOptions.parse(["--no-defaults", "-h", "db.example", "--ssl-mode", "VERIFY_IDENTITY", "--ssl-ca", ca,
                                                   "--get-server-public-key"])
        let resolved = try options.resolve().configuration
        XCTAssertEqual(resolved.tls, TLSSettings(mode: .verifyIdentity, caFile: ca))
        XCTAssertEqual(resolved.address, .tcp(host: "db.example", port: 3306))
        XCTAssertTrue(resolved.requestsServerPublicKey)
        // localhost: reached at 127.0.0.1, its certificate checked for the name.
        let local = try ConnectionOptions.parse(["--no-defaults"]).resolve().configuration
        XCTAssertEqual(local.tls, TLSSettings(mode: .preferred, serverName: "localhost"))
        XCTAssertEqual(local.address, .tcp(host: "127.0.0.1", port: 3306))
        for arguments in [["--ssl-mode", "sometimes"], ["--ssl-ca", scratch.appendingPathComponent("none.pem").path], ["--ssl-cert", ca]] {
            XCTAssertThrowsError(try ConnectionOptions.parse(["--no-defaults"] + arguments).resolve(), "\(arguments)") { error in
                XCTAssertEqual((error as? CLIError)?.exitCode, 2, "\(error)")
            }
        }
    }

    private var binlog: URL {
        get throws {
            guard CLIPaths.which("mariadbd") != nil, CLIPaths.which("mariadb") != nil else {
                throw XCTSkip("MariaDB server and client are not installed (Debian packages mariadb-server, mariadb-client); .ci/run installs them")
            }
            guard let executable = CLIPaths.executable else { throw XCTSkip("the binlog executable was not built beside the tests") }
            return executable
        }
    }

    /// The binlog executable, a scratch directory and a MariaDB started in it (stopped and removed by the caller).
    private func startServer(options: [String]) throws -> (binlog: String, scratch: URL, server: String) {
        let executable = try binlog.path
        let scratch = try makeScratchDirectory()
        let server = scratch.appendingPathComponent("server").path
        XCTAssertEqual(try startSandbox(server, options: options), 0, "see \(server)/error.log")
        return (executable, scratch, server)
    }

    /// A stop at a transaction boundary with a checkpoint, then --resume: the source's tables;
    /// replaying again from the start stops at the first statement the server refuses, with the
    /// file, offset and the server's error, exit 1, and the checkpoint left as it was.
    func testCheckpointResumeAndAServerError() throws {
        let (binlog, scratch, server) = try startServer(options: ["--max-allowed-packet=1G"])
        let sandbox = CLIPaths.scripts.appendingPathComponent("mariadb-sandbox").path
        defer {
            _ = try? runProcess(sandbox, ["stop", server])
            try? FileManager.default.removeItem(at: scratch)
        }
        let file = CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path
        let checkpoint = scratch.appendingPathComponent("replay.checkpoint").path
        let connection = ["--socket", "\(server)/mysqld.sock", "--user", "root", "--checkpoint", checkpoint]

        let first = try runProcess(binlog, ["replay"] + connection + ["--stop-position", "9000", file])
        XCTAssertEqual(first.status, 0, first.error)
        let saved = try String(contentsOfFile: checkpoint, encoding: .utf8)
        let position = try XCTUnwrap(saved.split(separator: "\n").first { $0.hasPrefix("position=") }.flatMap { UInt64($0.dropFirst(9)) })
        XCTAssertTrue(saved.hasPrefix("file=\(file)\n"), saved)
        XCTAssertLessThanOrEqual(position, 9000)
        XCTAssertGreaterThan(position, 4000)
        XCTAssertTrue(saved.contains("gtid=0-1-"), saved)

        let resumed = try runProcess(binlog, ["replay"] + connection + ["--resume", file])
        XCTAssertEqual(resumed.status, 0, resumed.error)
        XCTAssertTrue(resumed.error.contains("note: resuming after \(file):\(position)"), resumed.error)
        let checksum = try runProcess(sandbox, ["checksum", server])
        let expected = try String(contentsOf: CLIPaths.expected.appendingPathComponent("row-crc32.checksum"), encoding: .utf8)
        XCTAssertEqual(String(decoding: checksum.output, as: UTF8.self), expected)
        let finished = try String(contentsOfFile: checkpoint, encoding: .utf8)
        XCTAssertTrue(finished.contains("gtid=0-1-"), finished)

        // Again from the start: every transaction's GTID is in the target's gtid_binlog_pos, so
        // nothing is applied twice.
        let twice = try runProcess(binlog, ["replay"] + connection + [file])
        XCTAssertEqual(twice.status, 0, twice.error)
        XCTAssertTrue(twice.error.contains("\(file) at 328: GTID 0-1-1 is on the server already"), twice.error)
        XCTAssertTrue(twice.error.contains("replayed 0 transactions"), twice.error)
        XCTAssertEqual(String(decoding: try runProcess(sandbox, ["checksum", server]).output, as: UTF8.self), expected)
        // With --skip-gtids they are new transactions: CREATE DATABASE of an existing database (error 1007).
        let again = try runProcess(binlog, ["replay"] + connection + ["--skip-gtids", file])
        XCTAssertEqual(again.status, 1, again.error)
        XCTAssertTrue(again.error.contains("\(file) at 370"), again.error)
        XCTAssertTrue(again.error.contains("ERROR 1007"), again.error)
        XCTAssertEqual(try String(contentsOfFile: checkpoint, encoding: .utf8), finished, "the checkpoint stays at the last committed transaction")
    }

    /// Killed with SIGKILL at several moments and resumed each time: the source's tables, no
    /// transaction twice (those the target's gtid_binlog_pos has are skipped) or missed.
    func testKilledAndResumedReplaysEndEqualToTheSource() throws {
        let (binlog, scratch, server) = try startServer(options: ["--max-allowed-packet=1G"])
        let sandbox = CLIPaths.scripts.appendingPathComponent("mariadb-sandbox").path
        defer {
            _ = try? runProcess(sandbox, ["stop", server])
            try? FileManager.default.removeItem(at: scratch)
        }
        let files = ["row-crc32.000001"].map { CLIPaths.binlogs.appendingPathComponent($0).path }
        let checkpoint = scratch.appendingPathComponent("replay.checkpoint").path
        let arguments = ["replay", "--socket", "\(server)/mysqld.sock", "--user", "root", "--checkpoint", checkpoint, "--resume"] + files
        var killed = 0
        for delay in [0.12, 0.2, 0.28, 0.36, 0.44] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binlog)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            process.waitUntilExit()
        }
        XCTAssertGreaterThanOrEqual(killed, 1, "no run was still going when killed: the test checked nothing")
        let last = try runProcess(binlog, arguments)
        XCTAssertEqual(last.status, 0, last.error)
        XCTAssertFalse(last.error.contains("ERROR"), last.error)
        let checksum = try runProcess(sandbox, ["checksum", server])
        let expected = try String(contentsOf: CLIPaths.expected.appendingPathComponent("row-crc32.checksum"), encoding: .utf8)
        XCTAssertEqual(String(decoding: checksum.output, as: UTF8.self), expected, "killed \(killed) times")
    }

    /// Killed after the server committed a transaction and before the checkpoint said so: the
    /// resumed replay skips that transaction (its GTID is on the target) but still sends its
    /// session settings (its `use`), which the next transaction's CREATE INDEX counts on.
    func testResumeAfterACommitTheCheckpointMissed() throws {
        let (binlog, scratch, server) = try startServer(options: ["--max-allowed-packet=1G"])
        let sandbox = CLIPaths.scripts.appendingPathComponent("mariadb-sandbox").path
        defer {
            _ = try? runProcess(sandbox, ["stop", server])
            try? FileManager.default.removeItem(at: scratch)
        }
        let file = CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path
        let checkpoint = scratch.appendingPathComponent("replay.checkpoint").path
        let connection = ["--socket", "\(server)/mysqld.sock", "--user", "root", "--no-defaults", "--checkpoint", checkpoint]
        // Up to the end of GTID 0-1-9 (11411); then the checkpoint as the kill left it: after 0-1-8.
        let first = try runProcess(binlog, ["replay"] + connection + ["--stop-position", "11411", file])
        XCTAssertEqual(first.status, 0, first.error)
        XCTAssertTrue(try String(contentsOfFile: checkpoint, encoding: .utf8).contains("gtid=0-1-9\n"))
        try "file=\(file)\nposition=11237\ngtid=0-1-8\n".write(toFile: checkpoint, atomically: true, encoding: .utf8)
        let resumed = try runProcess(binlog, ["replay"] + connection + ["--resume", file])
        XCTAssertEqual(resumed.status, 0, resumed.error)
        XCTAssertTrue(resumed.error.contains("at 11237: GTID 0-1-9 is on the server already"), resumed.error)
        let checksum = try runProcess(sandbox, ["checksum", server])
        let expected = try String(contentsOf: CLIPaths.expected.appendingPathComponent("row-crc32.checksum"), encoding: .utf8)
        XCTAssertEqual(String(decoding: checksum.output, as: UTF8.self), expected)
    }

    /// --force: the transaction the target refuses (CREATE DATABASE of a database it has) is
    /// rolled back and listed, every other one is applied (the source's tables), the exit status
    /// is 1 and the checkpoint is at the end.
    func testForceLeavesOutWhatFailsAndGoesOn() throws {
        let (binlog, scratch, server) = try startServer(options: ["--max-allowed-packet=1G"])
        let sandbox = CLIPaths.scripts.appendingPathComponent("mariadb-sandbox").path
        defer {
            _ = try? runProcess(sandbox, ["stop", server])
            try? FileManager.default.removeItem(at: scratch)
        }
        // Not logged: the target's gtid_binlog_pos must not claim the source's first GTID.
        XCTAssertEqual(try runProcess(sandbox, ["sql", server, "-e", "SET SESSION sql_log_bin=0; CREATE DATABASE ddl_dml CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"]).status, 0)
        let file = CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path
        let checkpoint = scratch.appendingPathComponent("replay.checkpoint").path
        let connection = ["--socket", "\(server)/mysqld.sock", "--user", "root", "--no-defaults", "--checkpoint", checkpoint]
        let forced = try runProcess(binlog, ["replay"] + connection + ["--force", file])
        XCTAssertEqual(forced.status, 1, forced.error)
        XCTAssertTrue(forced.error.contains("--force: 1 transaction was left out:\n"), forced.error)
        XCTAssertTrue(forced.error.contains("  \(file) at 370 (GTID 0-1-1): ERROR 1007"), forced.error)
        XCTAssertTrue(forced.error.contains("1 left out after errors (--force)"), forced.error)
        let checksum = try runProcess(sandbox, ["checksum", server])
        let expected = try String(contentsOf: CLIPaths.expected.appendingPathComponent("row-crc32.checksum"), encoding: .utf8)
        XCTAssertEqual(String(decoding: checksum.output, as: UTF8.self), expected)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        let saved = try String(contentsOfFile: checkpoint, encoding: .utf8)
        let position = try XCTUnwrap(saved.split(separator: "\n").first { $0.hasPrefix("position=") }.flatMap { Int($0.dropFirst(9)) })
        // The last transaction ends before the file's closing Rotate or Stop event.
        XCTAssertGreaterThan(position, size - 100, saved)
        // Without --force the same error stops the replay (testCheckpointResumeAndAServerError).
    }

    func testWrongPasswordUnreachableServerAndDryRun() throws {
        let (binlog, scratch, server) = try startServer(options: [])
        let sandbox = CLIPaths.scripts.appendingPathComponent("mariadb-sandbox").path
        defer {
            _ = try? runProcess(sandbox, ["stop", server])
            try? FileManager.default.removeItem(at: scratch)
        }
        let file = CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path
        let passwordFile = scratch.appendingPathComponent("password").path
        try "wrong\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        // binlog@'%' exists with password 'binlog': over the socket as that user with another password.
        let refused = try runProcess(binlog, ["replay", "--no-defaults", "--socket", "\(server)/mysqld.sock", "--user", "binlog",
                                              "--password-file", passwordFile, file])
        XCTAssertEqual(refused.status, 3, refused.error)
        XCTAssertTrue(refused.error.contains("ERROR 1045"), refused.error)
        let nowhere = try runProcess(binlog, ["replay", "--no-defaults", "--socket", scratch.appendingPathComponent("none.sock").path,
                                              "--user", "root", file])
        XCTAssertEqual(nowhere.status, 3, nowhere.error)
        XCTAssertTrue(nowhere.error.contains("cannot connect to"), nowhere.error)
        // --dry-run connects to nothing and prints what would be sent.
        let dry = try runProcess(binlog, ["replay", "--dry-run", "--socket", scratch.appendingPathComponent("none.sock").path, file])
        XCTAssertEqual(dry.status, 0, dry.error)
        let text = String(decoding: dry.output, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("DELIMITER /*!*/;\n"), String(text.prefix(200)))
        XCTAssertTrue(text.contains("\nBINLOG '\n"), String(text.prefix(2000)))
        XCTAssertTrue(text.contains("CREATE DATABASE ddl_dml"))
        XCTAssertFalse(text.contains("/*!\\C "), "client commands are not sent")
    }
}
