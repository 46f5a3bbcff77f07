// Writes a binlog file: magic, events with their end positions and checksums made right for the new file.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLBinlog

/// Appends events to a new binlog file. Each event's `log_pos` (the end position, bytes 13–16 of
/// the header) is set to where it ends in this file and its CRC32 recomputed, or removed when
/// the file is written without checksums. The Format_description is written closed (its
/// in-use flag clear) and says which checksum the file has.
final class BinlogWriter {
    let path: String
    /// Whether events carry a CRC32 in this file (decided by the first Format_description).
    private(set) var checksums: Bool?
    /// Drop the checksums of a CRC32 input.
    let removeChecksums: Bool
    private var buffer: [UInt8] = []
    private(set) var position: UInt64 = 4
    private(set) var events = 0
    private let fd: Int32

    init(path: String, removeChecksums: Bool) throws {
        self.path = path
        self.removeChecksums = removeChecksums
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CLIError(.usage, "\(path): cannot create: \(String(cString: strerror(errno)))")
        }
        buffer = [0xfe, 0x62, 0x69, 0x6e]
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Appends one event as read (`bytes` from header to checksum), with `inputChecksums` telling
    /// whether its last 4 bytes are a CRC32. A Format_description that has a checksum-algorithm
    /// byte (`algorithmByte`) always ends with a CRC32 field, even when the algorithm is NONE.
    func write(_ bytes: ArraySlice<UInt8>, inputChecksums: Bool, algorithmByte: Bool = false) throws {
        var event = Array(bytes)
        let isFormatDescription = event.count > 4 && event[4] == BinlogEventType.formatDescription.rawValue
        var withChecksum = checksums ?? (inputChecksums && !removeChecksums)
        if inputChecksums || (isFormatDescription && algorithmByte) { event.removeLast(4) }
        if isFormatDescription {
            // Written closed: the in-use flag is for files a server still writes.
            event[17] &= 0xfe
            if checksums == nil { checksums = inputChecksums && !removeChecksums }
            if algorithmByte, let last = event.indices.last {
                // The checksum-algorithm byte, last of the body: NONE when they are removed.
                if inputChecksums && removeChecksums { event[last] = 0 }
                withChecksum = true
            }
        }
        let size = event.count + (withChecksum ? 4 : 0)
        guard size <= Int(UInt32.max), position + UInt64(size) <= UInt64(UInt32.max) else {
            throw CLIError(.dataProblem, "\(path): the output would pass 4 GiB, which a binlog position cannot hold")
        }
        put32(UInt32(size), at: 9, in: &event)
        put32(UInt32(position + UInt64(size)), at: 13, in: &event)
        if withChecksum {
            let crc = CRC32.checksum(event[...])
            event += [UInt8(crc & 0xff), UInt8(crc >> 8 & 0xff), UInt8(crc >> 16 & 0xff), UInt8(crc >> 24)]
        }
        buffer += event
        position += UInt64(size)
        events += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    func flush() throws {
        var written = 0
        while written < buffer.count {
            let count = buffer[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CLIError(.usage, "\(path): cannot write: \(String(cString: strerror(errno)))")
            }
            written += count
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and syncs the file.
    func finish() throws {
        try flush()
        if fsync(fd) != 0 {
            throw CLIError(.usage, "\(path): cannot sync: \(String(cString: strerror(errno)))")
        }
    }

    private func put32(_ value: UInt32, at index: Int, in bytes: inout [UInt8]) {
        for i in 0..<4 { bytes[index + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }
}
