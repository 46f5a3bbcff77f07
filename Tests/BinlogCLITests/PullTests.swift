// `binlog pull` against a real MariaDB on 127.0.0.1: byte-identical copies (sha256 through
// cmp), following across a server restart, starting by file and position and by GTID, a
// crash's half-written event trimmed, wrong credentials.
import Foundation
import XCTest
@testable import BinlogCLI

final class PullTests: XCTestCase {
    private var binlog: String { get throws { try TCPSandbox.requirements() } }
    private let sandbox = TCPSandbox.script
    private func freePort() -> Int { TCPSandbox.freePort() }
    private func start(_ server: String, port: Int) throws { try TCPSandbox(directory: server, port: port).start() }
    private func sql(_ server: String, _ text: String) throws { try TCPSandbox(directory: server, port: 0).sql(text) }
    private func serverFiles(_ server: String) throws -> [String] { try TCPSandbox(directory: server, port: 0).files() }
    private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }
    private func connection(_ port: Int, _ scratch: URL) throws -> [String] { try TCPSandbox(directory: "", port: port).connection(scratch) }

    /// Pull everything with --to-last-log: every file equal to the server's, byte for byte,
    /// including a rows event over 16 MiB (split over several packets); a named file alone without
    /// --to-last-log; by file and position, and by GTID, the events after that point.
    func testToLastLogCopiesEveryFileByteForByte() throws {
        let binlog = try self.binlog
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let server = scratch.appendingPathComponent("server").path
        let port = freePort()
        try start(server, port: port)
        defer { _ = try? runProcess(sandbox, ["stop", server]) }
        try sql(server, """
            CREATE DATABASE p; CREATE TABLE p.t (id INT PRIMARY KEY, b LONGBLOB);
            INSERT INTO p.t VALUES (1, 'one'), (2, 'two');
            FLUSH BINARY LOGS;
            INSERT INTO p.t VALUES (3, REPEAT('x', 17 * 1024 * 1024));
            UPDATE p.t SET b = 'small' WHERE id = 3;
            FLUSH BINARY LOGS;
            DELETE FROM p.t WHERE id = 1;
            """)
        let files = try serverFiles(server)
        XCTAssertEqual(files.count, 3)
        let output = scratch.appendingPathComponent("copy").path
        let pulled = try runProcess(binlog, ["pull"] + connection(port, scratch) + ["--to-last-log", "-o", output])
        XCTAssertEqual(pulled.status, 0, pulled.error)
        XCTAssertTrue(pulled.error.contains("into 3 files"), pulled.error)
        for name in files {
            XCTAssertEqual(try bytes(output + "/" + name), try bytes(server + "/binlog/" + name), name)
        }

        // One named file only, from its start.
        let single = scratch.appendingPathComponent("single").path
        let one = try runProcess(binlog, ["pull"] + connection(port, scratch) + ["-o", single, files[1]])
        XCTAssertEqual(one.status, 0, one.error)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: single).filter { !$0.hasPrefix(".") }, [files[1]])
        XCTAssertEqual(try bytes(single + "/" + files[1]), try bytes(server + "/binlog/" + files[1]))

        // From a position inside the first file: its events from there (the 2nd transaction's GTID first).
        let dump = try runProcess(binlog, ["dump", "--base64-output=never", server + "/binlog/" + files[0]])
        let text = String(decoding: dump.output, as: UTF8.self)
        let gtids = text.split(separator: "\n").filter { $0.contains("GTID 0-1-") }
        XCTAssertGreaterThanOrEqual(gtids.count, 3, text)
        // "# at N" before the second GTID event.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let secondGTIDLine = try XCTUnwrap(lines.firstIndex { $0.contains("GTID 0-1-2") })
        let at = try XCTUnwrap(lines[..<secondGTIDLine].last { $0.hasPrefix("# at ") }.flatMap { UInt32($0.dropFirst(5)) })
        let middle = scratch.appendingPathComponent("middle").path
        let fromPosition = try runProcess(binlog, ["pull"] + connection(port, scratch) + ["-o", middle, "--start-position", "\(at)", files[0]])
        XCTAssertEqual(fromPosition.status, 0, fromPosition.error)
        let partial = String(decoding: try runProcess(binlog, ["dump", "--base64-output=never", middle + "/" + files[0]]).output, as: UTF8.self)
        let partialGTIDs = partial.split(separator: "\n").filter { $0.contains("GTID 0-1-") }
        XCTAssertEqual(partialGTIDs.first.map(String.init)?.contains("GTID 0-1-2"), true, partial)
        XCTAssertEqual(partialGTIDs.count, gtids.count - 1, partial)

        // By GTID: after 0-1-2, the first transaction copied is 0-1-3.
        let byGTID = scratch.appendingPathComponent("gtid").path
        let fromGTID = try runProcess(binlog, ["pull"] + connection(port, scratch) + ["-o", byGTID, "--start-gtid", "0-1-2", "--to-last-log"])
        XCTAssertEqual(fromGTID.status, 0, fromGTID.error)
        let copied = try FileManager.default.contentsOfDirectory(atPath: byGTID).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertEqual(copied, files, fromGTID.error)
        let first = String(decoding: try runProcess(binlog, ["dump", "--base64-output=never", byGTID + "/" + files[0]]).output, as: UTF8.self)
        XCTAssertEqual(first.split(separator: "\n").first { $0.contains("GTID 0-1-") }.map(String.init)?.contains("GTID 0-1-3"), true, first)
        for name in files.dropFirst() {
            XCTAssertEqual(try bytes(byGTID + "/" + name), try bytes(server + "/binlog/" + name), name)
        }

        // A MySQL GTID set (COM_BINLOG_DUMP_GTID) is for MySQL servers: MariaDB's is refused by name.
        let mySQLSyntax = try runProcess(binlog, ["pull"] + connection(port, scratch)
                                         + ["-o", scratch.appendingPathComponent("mysql").path, "--start-gtid", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5"])
        XCTAssertEqual(mySQLSyntax.status, 2, mySQLSyntax.error)
        XCTAssertTrue(mySQLSyntax.error.contains("which takes MariaDB GTID positions"), mySQLSyntax.error)

        // Wrong credentials: exit 3.
        var wrong = try connection(port, scratch)
        try "nope\n".write(toFile: wrong[wrong.count - 1], atomically: true, encoding: .utf8)
        wrong.append(contentsOf: ["-o", scratch.appendingPathComponent("refused").path])
        let refused = try runProcess(binlog, ["pull"] + wrong)
        XCTAssertEqual(refused.status, 3, refused.error)
        XCTAssertTrue(refused.error.contains("ERROR 1045"), refused.error)
    }

    /// --stop-never while a workload runs; the server is stopped and started again mid-way; the
    /// pull reconnects and goes on. Then it is killed, its last file is cut in the middle of an
    /// event (a crash while writing), and a new pull without FILE trims it and continues. At the
    /// end every file equals the server's.
    func testFollowingSurvivesARestartAndACrash() throws {
        let binlog = try self.binlog
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let server = scratch.appendingPathComponent("server").path
        let port = freePort()
        try start(server, port: port)
        defer { _ = try? runProcess(sandbox, ["stop", server]) }
        try sql(server, "CREATE DATABASE f; CREATE TABLE f.t (id INT PRIMARY KEY, v VARCHAR(100))")
        let output = scratch.appendingPathComponent("copy").path
        let arguments = ["pull"] + (try connection(port, scratch)) + ["--stop-never", "--heartbeat", "1", "-o", output]

        func follow() throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binlog)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        /// Waits until the copies equal the server's files (up to 30 s).
        func waitForCopies() throws -> Bool {
            for _ in 0..<150 {
                let files = try serverFiles(server)
                if files.allSatisfy({ name in
                    let copy = try? bytes(output + "/" + name)
                    return copy != nil && copy == (try? bytes(server + "/binlog/" + name))
                }) { return true }
                Thread.sleep(forTimeInterval: 0.2)
            }
            return false
        }

        var puller = try follow()
        for batch in 0..<3 {
            try sql(server, (0..<20).map { "INSERT INTO f.t VALUES (\(batch * 100 + $0), REPEAT('v', \($0)))" }.joined(separator: ";"))
        }
        XCTAssertTrue(try waitForCopies(), "the copies did not catch up before the restart")
        // A clean stop writes a Stop event at the end of the file; the restart begins a new one.
        XCTAssertEqual(try runProcess(sandbox, ["stop", server]).status, 0)
        Thread.sleep(forTimeInterval: 1.5)
        try start(server, port: port)
        try sql(server, "INSERT INTO f.t VALUES (1000, 'after the restart'); FLUSH BINARY LOGS; INSERT INTO f.t VALUES (1001, 'x')")
        XCTAssertTrue(try waitForCopies(), "the copies did not catch up after the restart")
        XCTAssertGreaterThanOrEqual(try serverFiles(server).count, 3)

        // A crash in the middle of writing an event: the last file's last event cut short by 5 bytes.
        kill(puller.processIdentifier, SIGKILL)
        puller.waitUntilExit()
        let last = try XCTUnwrap(try serverFiles(server).last)
        let copy = output + "/" + last
        let whole = try bytes(copy)
        let cut = whole.prefix(whole.count - 5)
        try cut.write(to: URL(fileURLWithPath: copy))
        try sql(server, "INSERT INTO f.t VALUES (1002, 'while it was down')")
        puller = try follow()
        defer {
            kill(puller.processIdentifier, SIGKILL)
            puller.waitUntilExit()
        }
        try sql(server, "INSERT INTO f.t VALUES (1003, 'after the crash')")
        XCTAssertTrue(try waitForCopies(), "the copies did not catch up after the crash")
    }

    /// A server that stops answering without closing the connection (SIGSTOP: no events, no
    /// heartbeats) is taken for a dropped connection after 2 × --heartbeat + 5 s: pull says so,
    /// reconnects, and once the server runs again the copies catch up.
    func testSilentServerIsTakenForADroppedConnection() throws {
        let binlog = try self.binlog
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let server = TCPSandbox(directory: scratch.appendingPathComponent("server").path)
        try server.start()
        defer { server.stop() }
        try server.sql("CREATE DATABASE s; CREATE TABLE s.t (id INT PRIMARY KEY)")
        let output = scratch.appendingPathComponent("copy").path
        let log = scratch.appendingPathComponent("pull.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binlog)
        process.arguments = ["pull"] + (try server.connection(scratch)) + ["--stop-never", "--heartbeat", "1", "-o", output]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let pid = try XCTUnwrap(Int32(try String(contentsOfFile: server.directory + "/mysqld.pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        Thread.sleep(forTimeInterval: 2)
        kill(pid, SIGSTOP)
        var said = ""
        for _ in 0..<100 where !said.contains("nothing came from the server for 7 s") {
            Thread.sleep(forTimeInterval: 0.2)
            said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        }
        kill(pid, SIGCONT)
        XCTAssertTrue(said.contains("nothing came from the server for 7 s (no event, no heartbeat); reconnecting"), said)
        try server.sql("INSERT INTO s.t VALUES (1), (2)")
        var equal = false
        for _ in 0..<150 where !equal {
            Thread.sleep(forTimeInterval: 0.2)
            equal = try server.files().allSatisfy { name in
                let copy = try? bytes(output + "/" + name)
                return copy != nil && copy == (try? bytes(server.binlogDirectory + name))
            }
        }
        XCTAssertTrue(equal, "the copies did not catch up after the server ran again")
    }

    /// Refused before connecting (exit 2): a position without its file, a path for a file name, a
    /// GTID start with a file, a GTID that is not MariaDB's.
    func testUsageErrorsAreRefusedBeforeConnecting() throws {
        guard let executable = CLIPaths.executable else { throw XCTSkip("the binlog executable was not built beside the tests") }
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Port 1 on 127.0.0.1: nothing listens, so reaching the connection would exit 3, not 2.
        let base = ["pull", "--no-defaults", "-h", "127.0.0.1", "-P", "1", "-o", scratch.appendingPathComponent("out").path]
        let cases: [([String], String)] = [
            (["--start-position", "100"], "--start-position needs the FILE"),
            (["../mysql-bin.000001"], "not a path"),
            (["--start-gtid", "0-1-5", "mysql-bin.000001"], "give no FILE"),
            (["--start-gtid", "0-1"], "MariaDB GTID positions (domain-server-sequence, comma-separated) or a MySQL GTID set"),
        ]
        for (arguments, message) in cases {
            let result = try runProcess(executable.path, base + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.error)")
            XCTAssertTrue(result.error.contains(message), "\(arguments): \(result.error)")
        }
    }

    func testTrimCutsAfterTheLastCompleteEvent() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.appendingPathComponent("mysql-bin.000001").path
        // Magic, one 25-byte event, then 19 bytes of a header declaring 30 and 4 more bytes.
        var event = [UInt8](repeating: 0, count: 25)
        event[9] = 25
        var partial = [UInt8](repeating: 0, count: 23)
        partial[9] = 30
        try Data(PullWriter.magic + event + partial).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try PullWriter.trim(path), 29)
        XCTAssertEqual(PullWriter.fileSize(path), 29)
        // A header cut short too.
        try Data(PullWriter.magic + event + [0, 0, 0]).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try PullWriter.trim(path), 29)
        // Not a binlog: left alone.
        try Data([1, 2, 3, 4, 5]).write(to: URL(fileURLWithPath: path))
        XCTAssertNil(try PullWriter.trim(path))
        XCTAssertEqual(PullWriter.fileSize(path), 5)
        // Names the server may give.
        XCTAssertTrue(PullWriter.isPlainName("mysql-bin.000001"))
        for name in ["../etc/passwd", "a/b", "..", ".", "", ".binlog-pull"] { XCTAssertFalse(PullWriter.isPlainName(name), name) }
    }
}
