// MySQL's binary JSON (the storage format of JSON columns in row events), to the text MySQL prints.

/// Converts MySQL's binary JSON to text exactly as the server (and `mysqlbinlog -v`) prints it:
/// `{"a": 1, "b": [true, null]}` with `", "` and `": "` separators, members in stored order,
/// doubles as `my_gcvt` writes them (with `.0` when they look like integers), DECIMAL opaques
/// unquoted with their scale, DATE/TIME/DATETIME/TIMESTAMP opaques quoted with six fraction
/// digits, other opaques as `"base64:typeNN:…"`.
///
/// The layout (`sql-common/json_binary.h` in the MySQL source):
///
/// | Name | Format | Description |
/// |------|--------|-------------|
/// | type | `int<1>` | 0/1 small/large object, 2/3 small/large array, 4 literal, 5–10 [u]int16/32/64, 11 double, 12 string, 15 opaque |
/// | element-count | `int<2>` or `int<4>` | members or elements (objects and arrays; 4 bytes when large) |
/// | size | `int<2>` or `int<4>` | bytes of the object or array, from element-count on |
/// | key-entry | offset `int<2/4>`, length `int<2>` | objects only, one per member |
/// | value-entry | type `int<1>`, offset or inlined value `int<2/4>` | literals and 16-bit ints inline (32-bit too when large) |
/// | string | `int<var>` length, bytes | 7 bits per length byte, high bit set when more follow |
/// | opaque | `int<1>` field type, `int<var>` length, bytes | any MySQL value (DECIMAL, temporal, BLOB…) |
///
/// Offsets are relative to the start of the enclosing object or array (after its type byte).
/// Nothing in the bytes is trusted: every offset and length is checked against the bytes of
/// the value it is in, nesting is capped (the server's own cap is 100), and so is the size of
/// the text, because values may share bytes and a small document could otherwise expand
/// without bound.
public enum MySQLJSON {
    /// A binary JSON value could not be converted. `offset` is relative to the value's first byte.
    public struct DecodingError: Error, Equatable, Sendable, CustomStringConvertible {
        public var message: String
        public var offset: Int

        public init(_ message: String, offset: Int) {
            self.message = message
            self.offset = offset
        }

        public var description: String { "at byte \(offset) of the value: \(message)" }
    }

    /// The largest text a document of `binarySize` bytes may print as: 16 times its size plus
    /// 1 KiB. Escaping a control character takes 6 bytes for 1, the worst a document that does
    /// not share bytes between values can do; a document that does is cut off at this size.
    public static func maximumTextSize(binarySize: Int) -> Int {
        binarySize.multipliedReportingOverflow(by: 16).overflow ? .max : binarySize * 16 + 1024
    }

    /// Appends the text of `document` to `out`. With `quoted` false, a top-level string or
    /// opaque value prints without its double quotes (as `mysqlbinlog -v` does before quoting
    /// the whole value itself); containers always quote the strings inside them. An empty
    /// document is JSON `null`, as the server reads it. On error `out` is left as it was.
    public static func appendText(of document: ArraySlice<UInt8>, to out: inout [UInt8], quoted: Bool = true,
                                  maximumDepth: Int = DecodingOptions().maximumJSONDepth) throws(DecodingError) {
        let mark = out.count
        var writer = Writer(data: document, start: mark, cap: maximumTextSize(binarySize: document.count),
                            maximumDepth: maximumDepth)
        swap(&writer.out, &out)
        defer { swap(&writer.out, &out) }
        do {
            if document.isEmpty {
                writer.out.append(contentsOf: [0x6e, 0x75, 0x6c, 0x6c])
            } else {
                try writer.value(type: document[document.startIndex], at: document.startIndex + 1,
                                 length: document.count - 1, depth: 0, quoted: quoted)
            }
        } catch {
            writer.out.removeSubrange(mark...)
            throw error
        }
    }

    /// The text of `document` (see ``appendText(of:to:quoted:maximumDepth:)``).
    public static func text(of document: ArraySlice<UInt8>, quoted: Bool = true,
                            maximumDepth: Int = DecodingOptions().maximumJSONDepth) throws(DecodingError) -> String {
        var out: [UInt8] = []
        try appendText(of: document, to: &out, quoted: quoted, maximumDepth: maximumDepth)
        return String(decoding: out, as: UTF8.self)
    }

    /// A double as the server prints it inside JSON: `my_gcvt` at its widest field, plus `.0`
    /// when the result has neither a point nor an exponent.
    public static func doubleText(_ value: Double) -> String {
        var text = gcvt(value)
        if !text.contains(".") && !text.contains("e") { text += ".0" }
        return text
    }

    /// `my_gcvt(value, MY_GCVT_ARG_DOUBLE, MY_GCVT_MAX_FIELD_WIDTH)`: the shortest digits that
    /// read back as `value`, in plain notation when the decimal exponent lies in -14...15 (or the
    /// digits reach past the point), else as `d.ddde±x` without `+` or leading exponent zeros.
    static func gcvt(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let (digits, point) = shortestDigits(value.magnitude)
        let sign = value.sign == .minus ? "-" : ""
        let count = digits.count
        if point >= -14 && (point <= 15 || count > point) {
            if point <= 0 {
                return sign + "0." + String(repeating: "0", count: -point) + digits
            }
            if point >= count {
                return sign + digits + String(repeating: "0", count: point - count)
            }
            let split = digits.index(digits.startIndex, offsetBy: point)
            return sign + digits[..<split] + "." + digits[split...]
        }
        var text = sign + String(digits.first!)
        if count > 1 { text += "." + digits.dropFirst() }
        return text + "e" + String(point - 1)
    }

    /// The shortest decimal digits of a non-negative finite double and the position of the
    /// decimal point (value = 0.d1d2… × 10^point), as `dtoa` mode 0 gives them; zero is "0", 1.
    static func shortestDigits(_ value: Double) -> (digits: String, point: Int) {
        if value == 0 { return ("0", 1) }
        // Swift prints the shortest round-trip digits, in plain or exponent form.
        let text = "\(value)"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits = ""
        var point = 0
        var seenPoint = false
        for character in mantissa {
            if character == "." {
                seenPoint = true
                continue
            }
            digits.append(character)
            if !seenPoint { point += 1 }
        }
        point += exponent
        while digits.hasPrefix("0") {
            digits.removeFirst()
            point -= 1
        }
        while digits.hasSuffix("0") { digits.removeLast() }
        return (digits, point)
    }

    /// One change of a partial JSON update (`binlog_row_value_options=PARTIAL_JSON`): the after
    /// image of an `Update_rows_partial` event holds, for a JSON column it marks partial, a list
    /// of these instead of the whole document.
    ///
    /// | Name | Format | Description |
    /// |------|--------|-------------|
    /// | operation | `int<1>` | 0 replace, 1 insert, 2 remove (`enum_json_diff_operation`) |
    /// | path length | `int<lenenc>` | |
    /// | path | bytes | a JSON path, `$.a[1]` |
    /// | value length | `int<lenenc>` | not for remove |
    /// | value | bytes | a binary JSON document |
    public struct Diff: Equatable, Sendable {
        public enum Operation: UInt8, Sendable {
            case replace = 0, insert = 1, remove = 2
        }

        public var operation: Operation
        public var path: ArraySlice<UInt8>
        /// The binary JSON value; nil for remove.
        public var value: ArraySlice<UInt8>?

        /// The SQL function that makes the change, as `mysqlbinlog -v` names it: an insert at a
        /// path ending in `]` is `JSON_ARRAY_INSERT`.
        public var functionName: String {
            switch operation {
            case .replace: return "JSON_REPLACE"
            case .insert: return path.last == UInt8(ascii: "]") ? "JSON_ARRAY_INSERT" : "JSON_INSERT"
            case .remove: return "JSON_REMOVE"
            }
        }
    }

    /// The changes of a partial JSON update, in order. Offsets in errors are relative to the
    /// first byte of `bytes`.
    public static func diffs(_ bytes: ArraySlice<UInt8>) throws(DecodingError) -> [Diff] {
        var index = bytes.startIndex
        func failure(_ message: String, at position: Int) -> DecodingError {
            DecodingError(message, offset: position - bytes.startIndex)
        }
        func length(_ what: String) throws(DecodingError) -> Int {
            guard index < bytes.endIndex else { throw failure("the \(what) length is missing", at: index) }
            let first = bytes[index]
            let width: Int
            switch first {
            case 0..<251: width = 0
            case 252: width = 2
            case 253: width = 3
            case 254: width = 8
            default: throw failure("the \(what) length starts with 0x\(String(first, radix: 16)), not a length", at: index)
            }
            guard width < bytes.endIndex - index else { throw failure("the \(what) length is cut short", at: index) }
            var value: UInt64 = width == 0 ? UInt64(first) : 0
            for byte in 0..<width { value |= UInt64(bytes[index + 1 + byte]) << UInt64(8 * byte) }
            guard value <= UInt64(bytes.endIndex - index - 1 - width) else {
                throw failure("a \(what) of \(value) bytes where \(bytes.endIndex - index - 1 - width) are left", at: index)
            }
            index += 1 + width
            return Int(value)
        }
        var diffs: [Diff] = []
        while index < bytes.endIndex {
            guard let operation = Diff.Operation(rawValue: bytes[index]) else {
                throw failure("operation \(bytes[index]) is not replace (0), insert (1) or remove (2)", at: index)
            }
            index += 1
            let pathLength = try length("path")
            let path = bytes[index..<(index + pathLength)]
            index += pathLength
            var value: ArraySlice<UInt8>?
            if operation != .remove {
                let valueLength = try length("value")
                value = bytes[index..<(index + valueLength)]
                index += valueLength
            }
            diffs.append(Diff(operation: operation, path: path, value: value))
        }
        return diffs
    }

    /// Binary JSON type codes (`JSONB_TYPE_*` in the server).
    enum TypeCode {
        static let smallObject: UInt8 = 0x00
        static let largeObject: UInt8 = 0x01
        static let smallArray: UInt8 = 0x02
        static let largeArray: UInt8 = 0x03
        static let literal: UInt8 = 0x04
        static let int16: UInt8 = 0x05
        static let uint16: UInt8 = 0x06
        static let int32: UInt8 = 0x07
        static let uint32: UInt8 = 0x08
        static let int64: UInt8 = 0x09
        static let uint64: UInt8 = 0x0a
        static let double: UInt8 = 0x0b
        static let string: UInt8 = 0x0c
        static let opaque: UInt8 = 0x0f
    }

    private struct Writer {
        let data: ArraySlice<UInt8>
        /// How much text the value may add to `out`, and the size `out` may not grow past.
        let cap: Int
        let limit: Int
        let maximumDepth: Int
        var out: [UInt8] = []

        init(data: ArraySlice<UInt8>, start: Int, cap: Int, maximumDepth: Int) {
            self.data = data
            self.cap = cap
            self.limit = start.addingReportingOverflow(cap).overflow ? .max : start + cap
            self.maximumDepth = maximumDepth
        }

        func failure(_ message: String, at index: Int) -> DecodingError {
            DecodingError(message, offset: index - data.startIndex)
        }

        func integer(at index: Int, size: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in 0..<size { value |= UInt64(data[index + byte]) << UInt64(8 * byte) }
            return value
        }

        /// A variable-length length: 7 bits per byte, at most 5 bytes, at most 32 bits.
        func variableLength(at index: Int, available: Int) throws(DecodingError) -> (value: Int, size: Int) {
            var value: UInt64 = 0
            for byte in 0..<min(available, 5) {
                let next = data[index + byte]
                value |= UInt64(next & 0x7f) << UInt64(7 * byte)
                if next & 0x80 == 0 {
                    guard value <= UInt64(UInt32.max) else { throw failure("a length over 32 bits", at: index) }
                    return (Int(value), byte + 1)
                }
            }
            throw failure("a length field that does not end", at: index)
        }

        mutating func append(_ text: String) {
            out.append(contentsOf: text.utf8)
        }

        func checkLimit(at index: Int) throws(DecodingError) {
            guard out.count <= limit else {
                throw failure("its text grows past \(cap) bytes (16 times the value's size plus 1 KiB): its values share bytes", at: index)
            }
        }

        /// The value of `type` whose bytes start at `index`, with `length` bytes available.
        mutating func value(type: UInt8, at index: Int, length: Int, depth: Int, quoted: Bool) throws(DecodingError) {
            switch type {
            case TypeCode.smallObject, TypeCode.largeObject, TypeCode.smallArray, TypeCode.largeArray:
                try container(isObject: type <= TypeCode.largeObject, isLarge: type & 1 == 1, at: index, length: length, depth: depth)
            default:
                try scalar(type: type, at: index, length: length, quoted: quoted)
            }
        }

        mutating func container(isObject: Bool, isLarge: Bool, at start: Int, length: Int, depth: Int) throws(DecodingError) {
            let what = isObject ? "object" : "array"
            let article = isObject ? "an object" : "an array"
            let depth = depth + 1
            guard depth <= maximumDepth else {
                throw failure("nested deeper than \(maximumDepth) levels (DecodingOptions.maximumJSONDepth)", at: start)
            }
            let offsetSize = isLarge ? 4 : 2
            guard length >= 2 * offsetSize else {
                throw failure("\(article) header needs \(2 * offsetSize) bytes, \(length) left", at: start)
            }
            let count = Int(integer(at: start, size: offsetSize))
            let size = Int(integer(at: start + offsetSize, size: offsetSize))
            guard size <= length else {
                throw failure("\(article) of \(size) bytes where \(length) are left", at: start)
            }
            let keyEntrySize = offsetSize + 2
            let valueEntrySize = 1 + offsetSize
            let keyEntries = 2 * offsetSize
            let valueEntries = keyEntries + (isObject ? count * keyEntrySize : 0)
            let headerSize = valueEntries + count * valueEntrySize
            guard headerSize <= size else {
                throw failure("\(article) of \(count) members whose entries (\(headerSize) bytes) overrun its \(size) bytes", at: start)
            }
            out.append(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
            for member in 0..<count {
                if member > 0 { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
                if isObject {
                    let entry = keyEntries + member * keyEntrySize
                    let keyOffset = Int(integer(at: start + entry, size: offsetSize))
                    let keyLength = Int(integer(at: start + entry + offsetSize, size: 2))
                    guard keyOffset >= headerSize, keyOffset + keyLength <= size else {
                        throw failure("key \(member) at \(keyOffset)+\(keyLength) lies outside the object's keys and values (\(headerSize)..<\(size))",
                                      at: start + entry)
                    }
                    quote(data[(start + keyOffset)..<(start + keyOffset + keyLength)])
                    out.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
                }
                let entry = valueEntries + member * valueEntrySize
                let valueType = data[start + entry]
                let inlined = valueType == TypeCode.literal || valueType == TypeCode.int16 || valueType == TypeCode.uint16
                    || (isLarge && (valueType == TypeCode.int32 || valueType == TypeCode.uint32))
                if inlined {
                    try scalar(type: valueType, at: start + entry + 1, length: valueEntrySize - 1, quoted: true)
                } else {
                    let valueOffset = Int(integer(at: start + entry + 1, size: offsetSize))
                    guard valueOffset <= size, valueOffset >= entry + valueEntrySize else {
                        throw failure("value \(member) at offset \(valueOffset) lies outside the \(what) (\(entry + valueEntrySize)...\(size))",
                                      at: start + entry)
                    }
                    try value(type: valueType, at: start + valueOffset, length: size - valueOffset, depth: depth, quoted: true)
                }
                try checkLimit(at: start + entry)
            }
            out.append(isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }

        mutating func scalar(type: UInt8, at index: Int, length: Int, quoted: Bool) throws(DecodingError) {
            func need(_ bytes: Int, _ what: String) throws(DecodingError) {
                guard length >= bytes else { throw failure("\(what) needs \(bytes) byte\(bytes == 1 ? "" : "s"), \(length) left", at: index) }
            }
            switch type {
            case TypeCode.literal:
                try need(1, "a literal")
                switch data[index] {
                case 0: append("null")
                case 1: append("true")
                case 2: append("false")
                default: throw failure("literal \(data[index]) is not null (0), true (1) or false (2)", at: index)
                }
            case TypeCode.int16:
                try need(2, "an int16")
                append(String(Int16(truncatingIfNeeded: integer(at: index, size: 2))))
            case TypeCode.uint16:
                try need(2, "a uint16")
                append(String(integer(at: index, size: 2)))
            case TypeCode.int32:
                try need(4, "an int32")
                append(String(Int32(truncatingIfNeeded: integer(at: index, size: 4))))
            case TypeCode.uint32:
                try need(4, "a uint32")
                append(String(integer(at: index, size: 4)))
            case TypeCode.int64:
                try need(8, "an int64")
                append(String(Int64(bitPattern: integer(at: index, size: 8))))
            case TypeCode.uint64:
                try need(8, "a uint64")
                append(String(integer(at: index, size: 8)))
            case TypeCode.double:
                try need(8, "a double")
                append(doubleText(Double(bitPattern: integer(at: index, size: 8))))
            case TypeCode.string:
                let (count, size) = try variableLength(at: index, available: length)
                guard count <= length - size else {
                    throw failure("a string of \(count) bytes where \(length - size) are left", at: index)
                }
                let bytes = data[(index + size)..<(index + size + count)]
                if quoted { quote(bytes) } else { out.append(contentsOf: bytes) }
            case TypeCode.opaque:
                try need(1, "an opaque value")
                let fieldType = data[index]
                let (count, size) = try variableLength(at: index + 1, available: length - 1)
                guard count <= length - 1 - size else {
                    throw failure("an opaque value of \(count) bytes where \(length - 1 - size) are left", at: index)
                }
                try opaque(fieldType: fieldType, bytes: data[(index + 1 + size)..<(index + 1 + size + count)], at: index, quoted: quoted)
            default:
                throw failure("unknown binary JSON type 0x\(String(type, radix: 16))", at: index)
            }
        }

        /// A MySQL value inside JSON: DECIMAL and temporal values print as such, VAR_STRING as
        /// a string, anything else as `base64:typeNN:` and its bytes.
        mutating func opaque(fieldType: UInt8, bytes: ArraySlice<UInt8>, at index: Int, quoted: Bool) throws(DecodingError) {
            switch fieldType {
            case ColumnType.newDecimal.rawValue:
                guard bytes.count >= 2 else { throw failure("a DECIMAL needs its precision and scale", at: index) }
                let precision = Int(bytes[bytes.startIndex])
                let scale = Int(bytes[bytes.startIndex + 1])
                let digits = Array(bytes.dropFirst(2))
                guard precision > 0, scale <= precision, digits.count == BinaryDecimal.size(precision: precision, scale: scale),
                      let text = BinaryDecimal.string(precision: precision, scale: scale, bytes: digits) else {
                    throw failure("a DECIMAL(\(precision),\(scale)) of \(digits.count) bytes is not a decimal", at: index)
                }
                append(text)
            case ColumnType.date.rawValue, ColumnType.datetime.rawValue, ColumnType.timestamp.rawValue, ColumnType.time.rawValue:
                guard bytes.count >= 8 else {
                    throw failure("a packed temporal value needs 8 bytes, has \(bytes.count)", at: index)
                }
                let packed = Int64(bitPattern: integer(at: bytes.startIndex, size: 8))
                let text = fieldType == ColumnType.time.rawValue ? MySQLJSON.packedTime(packed)
                    : MySQLJSON.packedDateTime(packed, dateOnly: fieldType == ColumnType.date.rawValue)
                if quoted { out.append(UInt8(ascii: "\"")) }
                append(text)
                if quoted { out.append(UInt8(ascii: "\"")) }
            case ColumnType.varString.rawValue:
                if quoted { quote(bytes) } else { out.append(contentsOf: bytes) }
            default:
                var text = Array("base64:type\(fieldType):".utf8)
                MySQLJSON.base64(bytes, to: &text)
                if quoted { quote(text[...]) } else { out.append(contentsOf: text) }
            }
        }

        /// A double-quoted JSON string: `"` and `\` escaped, control characters as `\b \t \n
        /// \f \r` or `\u00xx`; every other byte as it is (the text is utf8mb4).
        mutating func quote(_ bytes: ArraySlice<UInt8>) {
            out.append(UInt8(ascii: "\""))
            for byte in bytes {
                if byte > 0x1f && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                    out.append(byte)
                    continue
                }
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x0a: out.append(UInt8(ascii: "n"))
                case 0x0c: out.append(UInt8(ascii: "f"))
                case 0x0d: out.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
                }
            }
            out.append(UInt8(ascii: "\""))
        }
    }

    /// Base64 with padding and a newline after every 76 characters, as the server's
    /// `base64_encode` writes it.
    static func base64(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var index = bytes.startIndex
        var line = 0
        while index < bytes.endIndex {
            if line == 76 {
                out.append(0x0a)
                line = 0
            }
            let available = bytes.endIndex - index
            let b0 = UInt32(bytes[index])
            let b1 = available > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = available > 2 ? UInt32(bytes[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(group >> 18 & 63)])
            out.append(alphabet[Int(group >> 12 & 63)])
            out.append(available > 1 ? alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            out.append(available > 2 ? alphabet[Int(group & 63)] : UInt8(ascii: "="))
            index += min(3, available)
            line += 4
        }
    }

    private static func pad(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// A DATETIME, TIMESTAMP or DATE packed as the server's `TIME_to_longlong_datetime_packed`:
    /// the fraction in the low 24 bits, then seconds (6), minutes (6), hours (5), day (5),
    /// year × 13 + month. Printed as `my_TIME_to_str` with 6 decimals (dates without time).
    static func packedDateTime(_ packed: Int64, dateOnly: Bool) -> String {
        let magnitude = packed.magnitude
        let fraction = magnitude % (1 << 24)
        let ymdhms = magnitude >> 24
        let ymd = ymdhms >> 17
        let yearMonth = ymd >> 5
        let hms = ymdhms % (1 << 17)
        let date = pad(yearMonth / 13, 4) + "-" + pad(yearMonth % 13, 2) + "-" + pad(ymd % 32, 2)
        if dateOnly { return date }
        return date + " " + pad(hms >> 12, 2) + ":" + pad((hms >> 6) & 63, 2) + ":" + pad(hms & 63, 2) + "." + pad(fraction, 6)
    }

    /// A TIME packed as `TIME_to_longlong_time_packed`: negative values negated, the fraction in
    /// the low 24 bits, then seconds (6), minutes (6), hours (10).
    static func packedTime(_ packed: Int64) -> String {
        let magnitude = packed.magnitude
        let fraction = magnitude % (1 << 24)
        let hms = magnitude >> 24
        let sign = packed < 0 ? "-" : ""
        return sign + pad((hms >> 12) % 1024, 2) + ":" + pad((hms >> 6) & 63, 2) + ":" + pad(hms & 63, 2) + "." + pad(fraction, 6)
    }
}
