// MySQL's packed binary DECIMAL (NEWDECIMAL) format, to exact decimal text.

/// Decodes the binary DECIMAL format: groups of 9 digits in 4 big-endian bytes, a shorter
/// leading and trailing group, the sign in the top bit of the first byte (set for positive;
/// negative values have every byte inverted).
public enum BinaryDecimal {
    static let digitBytes = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4]

    /// Bytes a value of `precision` digits, `scale` of them after the point, occupies.
    public static func size(precision: Int, scale: Int) -> Int {
        RowImageLayout.decimalBinarySize(precision: precision, scale: scale)
    }

    /// The value as text with exactly `scale` fraction digits (as `decimal2string` prints it),
    /// or `nil` when the bytes are too few or the precision impossible.
    public static func string(precision: Int, scale: Int, bytes: [UInt8]) -> String? {
        guard precision > 0, precision <= 65, scale >= 0, scale <= precision, scale <= 38 else { return nil }
        let count = size(precision: precision, scale: scale)
        guard bytes.count >= count, count > 0 else { return nil }
        var data = Array(bytes.prefix(count))
        let negative = data[0] & 0x80 == 0
        data[0] ^= 0x80
        if negative { for i in data.indices { data[i] = ~data[i] } }
        var index = 0
        func read(_ length: Int) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<length {
                value = value << 8 | UInt32(data[index])
                index += 1
            }
            return value
        }
        let integral = precision - scale
        var integerText = ""
        let leadingDigits = integral % 9
        if leadingDigits > 0 {
            let value = read(digitBytes[leadingDigits])
            integerText += String(value)
        }
        for _ in 0..<(integral / 9) {
            let value = read(4)
            // A full group holds 9 digits; more means the bytes are not a decimal.
            guard value < 1_000_000_000 else { return nil }
            let digits = String(value)
            integerText += integerText.isEmpty ? digits : String(repeating: "0", count: 9 - digits.count) + digits
            if integerText == "0" { integerText = "" }
        }
        // Leading zeros never print; an all-zero integer part prints as 0.
        while integerText.hasPrefix("0") { integerText.removeFirst() }
        if integerText.isEmpty { integerText = "0" }
        var fractionText = ""
        for _ in 0..<(scale / 9) {
            let value = read(4)
            guard value < 1_000_000_000 else { return nil }
            let digits = String(value)
            fractionText += String(repeating: "0", count: 9 - digits.count) + digits
        }
        let trailingDigits = scale % 9
        if trailingDigits > 0 {
            let digits = String(read(digitBytes[trailingDigits]))
            fractionText += String(repeating: "0", count: max(0, trailingDigits - digits.count)) + digits
        }
        var text = negative ? "-" : ""
        text += integerText
        if scale > 0 { text += "." + fractionText }
        return text
    }
}
