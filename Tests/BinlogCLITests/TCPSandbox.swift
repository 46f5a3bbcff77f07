// A MariaDB sandbox (Scripts/mariadb-sandbox) listening on a free 127.0.0.1 port, for the tests
// that read binlogs over the replication protocol (pull, -R).
import Foundation
import XCTest

struct TCPSandbox {
    static let script = CLIPaths.scripts.appendingPathComponent("mariadb-sandbox").path

    /// The sandbox directory (datadir, binlog/, socket).
    let directory: String
    let port: Int

    /// Skips the test when MariaDB is not installed; `binlog` is the executable's path.
    static func requirements(binlog: Bool = true) throws -> String {
        guard CLIPaths.which("mariadbd") != nil, CLIPaths.which("mariadb") != nil else {
            throw XCTSkip("MariaDB server and client are not installed (Debian packages mariadb-server, mariadb-client); .ci/run installs them")
        }
        guard let executable = CLIPaths.executable else { throw XCTSkip("the binlog executable was not built beside the tests") }
        return executable.path
    }

    /// A free TCP port on 127.0.0.1 (bound, read, released).
    static func freePort() -> Int {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    init(directory: String, port: Int = TCPSandbox.freePort()) {
        self.directory = directory
        self.port = port
    }

    /// Starts the server (row format, 1 GiB packets); again after `stop()` on the same datadir.
    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TCPSandbox.script)
        process.arguments = ["start", directory, "--tcp", "\(port)", "--", "--max-allowed-packet=1G", "--binlog-format=ROW"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "see \(directory)/error.log")
    }

    /// A clean shutdown; its exit status (0 when it did not have to be killed).
    @discardableResult
    func stop() -> Int32 {
        (try? runProcess(TCPSandbox.script, ["stop", directory]).status) ?? -1
    }

    func sql(_ text: String) throws {
        let result = try runProcess(TCPSandbox.script, ["sql", directory, "--max-allowed-packet=1G", "-e", text])
        XCTAssertEqual(result.status, 0, result.error)
    }

    var socketPath: String { directory + "/mysqld.sock" }
    var binlogDirectory: String { directory + "/binlog/" }

    /// The server's binlog files, in order (from its index).
    func files() throws -> [String] {
        try String(contentsOfFile: directory + "/binlog/mysql-bin.index", encoding: .utf8).split(separator: "\n").map { String($0.split(separator: "/").last!) }
    }

    /// Connection options for the `binlog` account over TCP (the password in a file in `scratch`).
    func connection(_ scratch: URL) throws -> [String] {
        let password = scratch.appendingPathComponent("password").path
        try "binlog\n".write(toFile: password, atomically: true, encoding: .utf8)
        return ["--no-defaults", "-h", "127.0.0.1", "-P", "\(port)", "-u", "binlog", "--password-file", password]
    }
}
