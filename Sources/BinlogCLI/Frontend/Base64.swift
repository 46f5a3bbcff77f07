// Base64 in the layout mysqlbinlog uses for BINLOG statements: 76-character lines.

enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Appends `bytes` encoded, a newline after every 76 output characters and none at the end.
    static func encode(_ bytes: ArraySlice<UInt8>, into output: inout [UInt8]) {
        let count = bytes.count
        guard count > 0 else { return }
        let encodedLength = (count + 2) / 3 * 4
        output.reserveCapacity(output.count + encodedLength + encodedLength / 76 + 1)
        bytes.withUnsafeBufferPointer { input in
            alphabet.withUnsafeBufferPointer { table in
                var i = 0
                var column = 0
                while i + 3 <= count {
                    if column == 76 {
                        output.append(10)
                        column = 0
                    }
                    let value = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                    output.append(table[Int(value >> 18)])
                    output.append(table[Int(value >> 12 & 63)])
                    output.append(table[Int(value >> 6 & 63)])
                    output.append(table[Int(value & 63)])
                    column += 4
                    i += 3
                }
                let left = count - i
                if left > 0 {
                    if column == 76 { output.append(10) }
                    let value = UInt32(input[i]) << 16 | (left > 1 ? UInt32(input[i + 1]) << 8 : 0)
                    output.append(table[Int(value >> 18)])
                    output.append(table[Int(value >> 12 & 63)])
                    output.append(left > 1 ? table[Int(value >> 6 & 63)] : 61)
                    output.append(61)
                }
            }
        }
    }
}
