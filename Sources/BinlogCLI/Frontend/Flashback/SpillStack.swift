// A last-in, first-out store of byte records that spills to an unlinked temporary file.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Records pushed in reading order and popped newest first, which is the order an undo needs.
/// Up to `memoryLimit` bytes stay in memory; past that the records go to a temporary file
/// (created in `TMPDIR` and unlinked at once, so nothing is left behind), and are read back from
/// its end. Memory stays at the limit plus the largest record.
///
/// On disk and in memory a record is its payload, then its length (4 bytes, little-endian), then
/// its kind (1 byte): read backwards, the last 5 bytes say where the record starts.
final class SpillStack {
    private var buffer: [UInt8] = []
    private let memoryLimit: Int
    private let directory: String
    private var fd: Int32 = -1
    /// Bytes of records in the file (the file is never shrunk; this is its logical end).
    private var fileEnd: Int64 = 0
    private(set) var count = 0
    private(set) var spilledBytes: Int64 = 0

    init(memoryLimit: Int = 8 << 20, directory: String) {
        self.memoryLimit = memoryLimit
        self.directory = directory.hasSuffix("/") ? directory : directory + "/"
    }

    deinit { if fd >= 0 { close(fd) } }

    var isEmpty: Bool { count == 0 }

    func push(kind: UInt8, _ payload: [UInt8]) throws {
        guard payload.count <= Int(UInt32.max) else {
            throw CLIError(.dataProblem, "a record of \(payload.count) bytes is too large to keep")
        }
        buffer += payload
        let length = UInt32(payload.count)
        buffer += [UInt8(length & 0xff), UInt8(length >> 8 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 24), kind]
        count += 1
        if buffer.count >= memoryLimit { try spill() }
    }

    /// The newest record, removed; nil when there are none.
    func pop() throws -> (kind: UInt8, payload: [UInt8])? {
        guard count > 0 else { return nil }
        if buffer.isEmpty { try refill() }
        guard buffer.count >= 5 else { throw CLIError(.dataProblem, "the temporary file of records is damaged") }
        let end = buffer.count
        let kind = buffer[end - 1]
        let length = Int(UInt32(buffer[end - 5]) | UInt32(buffer[end - 4]) << 8 | UInt32(buffer[end - 3]) << 16 | UInt32(buffer[end - 2]) << 24)
        guard length <= end - 5 else { throw CLIError(.dataProblem, "the temporary file of records is damaged") }
        let payload = Array(buffer[(end - 5 - length)..<(end - 5)])
        buffer.removeSubrange((end - 5 - length)...)
        count -= 1
        return (kind, payload)
    }

    private func spill() throws {
        if fd < 0 {
            var template = Array((directory + "binlog-flashback-XXXXXX").utf8CString)
            fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else {
                throw CLIError(.usage, "\(directory): cannot create a temporary file: \(String(cString: strerror(errno)))")
            }
            let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            unlink(path)
        }
        var written = 0
        while written < buffer.count {
            let result = buffer[written...].withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(fileEnd) + off_t(written)) }
            if result < 0 {
                if errno == EINTR { continue }
                throw CLIError(.usage, "cannot write the temporary file: \(String(cString: strerror(errno)))")
            }
            written += result
        }
        fileEnd += Int64(buffer.count)
        spilledBytes += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Reads the file's last record into the buffer.
    private func refill() throws {
        guard fileEnd >= 5 else { throw CLIError(.dataProblem, "the temporary file of records is damaged") }
        var trailer = [UInt8](repeating: 0, count: 5)
        try read(&trailer, at: fileEnd - 5)
        let length = Int64(UInt32(trailer[0]) | UInt32(trailer[1]) << 8 | UInt32(trailer[2]) << 16 | UInt32(trailer[3]) << 24)
        guard length + 5 <= fileEnd else { throw CLIError(.dataProblem, "the temporary file of records is damaged") }
        var record = [UInt8](repeating: 0, count: Int(length) + 5)
        try read(&record, at: fileEnd - 5 - length)
        fileEnd -= length + 5
        buffer = record
    }

    private func read(_ bytes: inout [UInt8], at offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let result = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(offset) + off_t(done)) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                throw CLIError(.usage, "cannot read the temporary file: \(result < 0 ? String(cString: strerror(errno)) : "it ended early")")
            }
            done += result
        }
    }
}
