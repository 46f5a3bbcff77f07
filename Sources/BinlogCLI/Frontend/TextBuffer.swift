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

/// Writes text into scratch memory the caller sized (no capacity checks): for lines built
/// millions of times, appended to a buffer in one piece.
struct LineWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0

    init(_ base: UnsafeMutablePointer<UInt8>) { self.base = base }

    @inline(__always)
    mutating func put(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func put(_ text: StaticString) {
        (base + count).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    @inline(__always)
    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Unsigned decimal digits.
    @inline(__always)
    mutating func put(decimal value: UInt64) {
        var digits = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        var rest = value
        var index = count + digits
        while index > count {
            index -= 1
            base[index] = UInt8(48 + rest % 10)
            rest /= 10
        }
        count += digits
    }

    /// Eight lower-case hex digits.
    @inline(__always)
    mutating func put(hex8 value: UInt32) {
        for shift in stride(from: 28, through: 0, by: -4) {
            let digit = UInt8((value >> UInt32(shift)) & 0xf)
            base[count] = digit < 10 ? 48 + digit : 87 + digit
            count += 1
        }
    }
}
