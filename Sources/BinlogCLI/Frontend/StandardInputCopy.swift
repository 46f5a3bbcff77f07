// Standard input copied to a temporary file, for the transaction-boundary cuts that read their input twice.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLBinlog

/// A copy of standard input in `$TMPDIR` (or /tmp), removed by ``remove()``. Position and time
/// cuts find transaction boundaries in a first reading pass, which standard input allows once.
final class StandardInputCopy {
    let path: String

    /// Copies all of standard input.
    init() throws {
        let directory = getenv("TMPDIR").flatMap { String(validatingCString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast()) + Array("binlog-stdin-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw CLIError(.usage, "cannot create a temporary file in \(directory) for a copy of standard input: \(String(cString: strerror(errno)))")
        }
        path = String(cString: template)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                unlink(path)
                throw CLIError(.usage, "-: cannot read standard input: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            var written = 0
            while written < count {
                let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + written, count - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    unlink(path)
                    throw CLIError(.usage, "cannot write the copy of standard input to \(path): \(String(cString: strerror(errno)))")
                }
                written += n
            }
        }
    }

    func remove() { unlink(path) }

    /// `inputs` with standard input read from a copy, when it is among them; the copy to remove.
    static func replacing(in inputs: [BinlogInput]) throws -> ([BinlogInput], StandardInputCopy?) {
        guard inputs.contains(where: { $0.path == "-" && $0.opener == nil }) else { return (inputs, nil) }
        let copy = try StandardInputCopy()
        return (inputs.map { $0.path == "-" && $0.opener == nil ? BinlogInput(path: "-", copy: copy.path) : $0 }, copy)
    }
}
