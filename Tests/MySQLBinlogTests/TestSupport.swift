// Paths and helpers shared by the decoder tests.
import Foundation
@testable import MySQLBinlog

enum TestPaths {
    /// The package root, found from this file's location.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binlogs = packageRoot.appendingPathComponent("TestData/binlogs")
    static let corpus = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")

    /// Every binlog file in TestData/binlogs (not the index files), sorted.
    static func allBinlogs() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: binlogs, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension != "index" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}

/// Bytes from annotated hex: whitespace ignored, `#` starts a comment to the end of the line.
func hexBytes(_ annotated: String) -> [UInt8] {
    var bytes: [UInt8] = []
    for line in annotated.split(separator: "\n", omittingEmptySubsequences: false) {
        let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let digits = code.filter { $0.isHexDigit }
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            bytes.append(UInt8(digits[index..<next], radix: 16)!)
            index = next
        }
    }
    return bytes
}

/// Reads every event of a binlog held in memory.
func decodeAll(_ bytes: [UInt8], name: String = "test", options: DecodingOptions = DecodingOptions(), windowSize: Int = 1 << 20) throws -> [BinlogEvent] {
    var reader = BinlogEventReader(source: MemorySource(bytes), name: name, options: options, windowSize: windowSize)
    try reader.readMagic()
    var events: [BinlogEvent] = []
    while let event = try reader.next() { events.append(event) }
    return events
}

/// A byte source over memory, handing out at most `chunk` bytes per read.
final class MemorySource: ByteSource {
    let bytes: [UInt8]
    var position = 0
    let chunk: Int

    init(_ bytes: [UInt8], chunk: Int = .max) {
        self.bytes = bytes
        self.chunk = chunk
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - position, chunk)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { raw in
            buffer.baseAddress!.copyMemory(from: raw.baseAddress! + position, byteCount: count)
        }
        position += count
        return count
    }
}

/// Builds a v4 event: 19-byte header, body, and (when asked) a correct CRC32.
func makeEvent(type: UInt8, timestamp: UInt32 = 1_700_000_000, serverID: UInt32 = 1, position: UInt32, flags: UInt16 = 0,
               body: [UInt8], crc: Bool = true) -> [UInt8] {
    let size = 19 + body.count + (crc ? 4 : 0)
    var event: [UInt8] = []
    func le32(_ value: UInt32) { for i in 0..<4 { event.append(UInt8((value >> (8 * UInt32(i))) & 0xff)) } }
    le32(timestamp)
    event.append(type)
    le32(serverID)
    le32(UInt32(size))
    le32(position + UInt32(size))
    event.append(UInt8(flags & 0xff))
    event.append(UInt8(flags >> 8))
    event += body
    if crc {
        let sum = CRC32.checksum(event[...])
        le32(sum)
    }
    return event
}
