// Base64 in the layout mysqlbinlog uses for BINLOG statements: 76-character lines.

enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

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
        // Encode a chunk at a time into scratch space on the stack, then append it: no zero-fill,
        // no per-byte capacity checks. 57 input bytes make one 76-character line.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 77 * 64) { scratch in
            alphabet.withUnsafeBufferPointer { table in
                bytes.withUnsafeBufferPointer { input in
                    let t = table.baseAddress!
                    let q = scratch.baseAddress!
                    var p = input.baseAddress!
                    var left = input.count
                    var first = true
                    while left > 0 {
                        var o = 0
                        var lines = 0
                        while left > 0 && lines < 64 {
                            if !first {
                                q[o] = 10
                                o += 1
                            }
                            first = false
                            let take = Swift.min(left, 57)
                            var i = 0
                            while i + 3 <= take {
                                let value = UInt32(p[i]) << 16 | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2])
                                q[o] = t[Int(value >> 18)]
                                q[o + 1] = t[Int(value >> 12 & 63)]
                                q[o + 2] = t[Int(value >> 6 & 63)]
                                q[o + 3] = t[Int(value & 63)]
                                o += 4
                                i += 3
                            }
                            let rest = take - i
                            if rest > 0 {
                                let value = UInt32(p[i]) << 16 | (rest > 1 ? UInt32(p[i + 1]) << 8 : 0)
                                q[o] = t[Int(value >> 18)]
                                q[o + 1] = t[Int(value >> 12 & 63)]
                                q[o + 2] = rest > 1 ? t[Int(value >> 6 & 63)] : 61
                                q[o + 3] = 61
                                o += 4
                            }
                            p += take
                            left -= take
                            lines += 1
                        }
                        output.append(contentsOf: UnsafeBufferPointer(start: q, count: o))
                    }
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
