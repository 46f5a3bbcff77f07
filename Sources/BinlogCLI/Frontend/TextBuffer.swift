// Fast appends of text pieces to byte buffers: the printers build their output with these, not Strings.

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    /// Unsigned decimal digits.
    @inline(__always)
    mutating func append(decimal value: UInt64) {
        if value < 10 {
            append(UInt8(48 + value))
            return
        }
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0) // 32 bytes of scratch
        Swift.withUnsafeMutableBytes(of: &digits) { raw in
            var index = 32
            var rest = value
            while rest > 0 {
                index -= 1
                raw[index] = UInt8(48 + rest % 10)
                rest /= 10
            }
            append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[index..<32]))
        }
    }

    @inline(__always)
    mutating func append<T: BinaryInteger>(number value: T) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            append(decimal: UInt64(value.magnitude))
        } else {
            append(decimal: UInt64(value))
        }
    }

    /// Lower-case hex, zero-padded to `width` digits.
    @inline(__always)
    mutating func append(hex value: UInt64, width: Int) {
        let digits: StaticString = "0123456789abcdef"
        digits.withUTF8Buffer { table in
            var count = 1
            var probe = value >> 4
            while probe > 0 { count += 1; probe >>= 4 }
            for _ in count..<Swift.max(count, width) { append(48) }
            var shift = (count - 1) * 4
            while shift >= 0 {
                append(table[Int((value >> UInt64(shift)) & 0xf)])
                shift -= 4
            }
        }
    }
}
