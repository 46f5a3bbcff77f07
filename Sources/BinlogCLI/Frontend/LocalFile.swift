// Creating and appending the LOAD DATA files the printed script refers to.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLBinlog

enum LocalFile {
    /// Creates `path` only if it does not exist; false when it exists.
    /// A whole (small) file's bytes.
    static func readBytes(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError(.usage, "\(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw CLIError(.usage, "\(path): cannot read: \(String(cString: strerror(errno)))") }
            if count == 0 { return bytes }
            bytes += chunk.prefix(count)
        }
    }

    static func readText(_ path: String) throws -> String {
        String(decoding: try readBytes(path), as: UTF8.self)
    }

    static func createExclusive(_ path: String, contents: [UInt8]) throws -> Bool {
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o644)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw CLIError(.usage, "\(path): cannot create: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        try write(fd, contents, path)
        return true
    }

    static func append(_ path: String, contents: [UInt8]) throws {
        let fd = open(path, O_APPEND | O_WRONLY)
        guard fd >= 0 else { throw CLIError(.usage, "\(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try write(fd, contents, path)
    }

    private static func write(_ fd: Int32, _ contents: [UInt8], _ path: String) throws {
        try contents.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw CLIError(.usage, "\(path): write failed: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }
}

/// The files LOAD DATA events are written to, named as mysqlbinlog and mariadb-binlog name them:
/// `<dir>SQL_LOAD_MB-<file id in hex>-<n in hex>`, with the first `n` that does not exist yet.
struct LoadDataFiles {
    let directory: String
    private var names: [UInt32: String] = [:]

    init(directory: String) { self.directory = directory }

    /// Creates the file of a Begin_load_query event with its first block.
    mutating func start(_ block: AppendBlockEvent) throws {
        let base = directory + "SQL_LOAD_MB-" + String(block.fileID, radix: 16)
        for version in 0..<1000 {
            let name = base + "-" + String(version, radix: 16)
            if try LocalFile.createExclusive(name, contents: block.block) {
                names[block.fileID] = name
                return
            }
        }
        throw CLIError(.usage, "could not create a file for LOAD DATA: \(base)-0 to -3e7 all exist")
    }

    /// Appends an Append_block event's data; false when no file was started for its id.
    mutating func append(_ block: AppendBlockEvent) throws -> Bool {
        guard let name = names[block.fileID] else { return false }
        try LocalFile.append(name, contents: block.block)
        return true
    }

    /// The file of an Execute_load_query event, which is then done with.
    mutating func take(_ fileID: UInt32) -> String? {
        names.removeValue(forKey: fileID)
    }
}
