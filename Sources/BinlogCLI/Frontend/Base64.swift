// Base64 in the layout mysqlbinlog uses for BINLOG statements: 76-character lines.
import CBinlogKernels

enum Base64 {

    /// Bytes `encode` produces for `count` input bytes.
    static func encodedLength(_ count: Int) -> Int {
        let characters = (count + 2) / 3 * 4
        return characters + (characters > 0 ? (characters - 1) / 76 : 0)
    }

    /// Appends `bytes` encoded, a newline after every 76 output characters and none at the end.
    static func encode(_ bytes: ArraySlice<UInt8>, into output: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        let needed = output.count + encodedLength(bytes.count)
        // Grow geometrically: reserving the exact size on every call would copy a growing buffer each time.
        if needed > output.capacity { output.reserveCapacity(Swift.max(needed, output.capacity * 2)) }
        // Encoded (CBinlogKernels: AVX2 where the CPU has it) a block of lines at a time into
        // scratch space on the stack, then appended: no zero-fill of the output.
        let linesPerBlock = 64
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 77 * linesPerBlock) { scratch in
            bytes.withUnsafeBufferPointer { input in
                var p = input.baseAddress!
                var left = input.count
                while left > 0 {
                    let take = Swift.min(left, 57 * linesPerBlock)
                    var written = binlog_base64_lines(p, take, scratch.baseAddress!)
                    p += take
                    left -= take
                    if left > 0 {
                        // A block of whole lines: the newline between it and the next.
                        scratch[written] = 10
                        written += 1
                    }
                    output.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress!, count: written))
                }
            }
        }
    }

    /// The lines of a BINLOG statement for one event: its base64 and a final newline.
    static func appendLines(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
        encode(bytes, into: &output)
        output.append(10)
    }

    static func lines(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var encoded: [UInt8] = []
        appendLines(bytes, to: &encoded)
        return encoded
    }
}
