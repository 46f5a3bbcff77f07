// Creating and appending the LOAD DATA files the printed script refers to.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum LocalFile {
    /// Creates `path` only if it does not exist; false when it exists.
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
