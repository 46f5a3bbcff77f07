// Small formatting helpers shared by the text printers: local time, hex, quoting.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLBinlog

enum TextFormatting {
    /// `yymmdd hh:mm:ss` in the local time zone (TZ), hour padded with a space, as mysqlbinlog prints it.
    static func headerTimestamp(_ seconds: UInt32) -> String {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        return pad2(Int(parts.tm_year) % 100) + pad2(Int(parts.tm_mon) + 1) + pad2(Int(parts.tm_mday)) + " "
            + (parts.tm_hour < 10 ? " " : "") + String(parts.tm_hour) + ":" + pad2(Int(parts.tm_min)) + ":" + pad2(Int(parts.tm_sec))
    }

    @inline(__always)
    static func pad2(_ value: Int) -> String {
        value < 10 && value >= 0 ? "0" + String(value) : String(value)
    }

    static func hex(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Upper-case hex of bytes, as `str_to_hex` prints user variables: `X'6162'`.
    static func upperHex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// An identifier in backticks with inner backticks doubled (MariaDB's `%\`s`).
    static func backtickQuoted<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = [0x60]
        for byte in bytes {
            out.append(byte)
            if byte == 0x60 { out.append(0x60) }
        }
        out.append(0x60)
        return out
    }

    /// Appends ``backtickQuoted(_:)`` of `bytes`; a name without backticks (the usual case) is
    /// appended as it is, with no intermediate array.
    static func appendBacktickQuoted(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        guard bytes.withUnsafeBufferPointer({ buffer in buffer.baseAddress.flatMap { memchr($0, 0x60, buffer.count) } }) == nil else {
            out += backtickQuoted(bytes)
            return
        }
        out.append(0x60)
        out.append(contentsOf: bytes)
        out.append(0x60)
    }

    /// A string in quotes with `\n \r \\ \b \t \' \0` escaped (MariaDB's `pretty_print_str`).
    static func prettyQuoted<C: Collection>(_ bytes: C, quote: UInt8 = 0x27) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = [quote]
        for byte in bytes {
            switch byte {
            case 10: out += [0x5c, 0x6e]
            case 13: out += [0x5c, 0x72]
            case 0x5c: out += [0x5c, 0x5c]
            case 8: out += [0x5c, 0x62]
            case 9: out += [0x5c, 0x74]
            case 0x27: out += [0x5c, 0x27]
            case 0: out += [0x5c, 0x30]
            default: out.append(byte)
            }
        }
        out.append(quote)
        return out
    }

    /// `2026-11-22 02:53:42` (with `separator` between date and time) for seconds since the
    /// epoch, in UTC whatever the local zone.
    static func utcDateTime(_ seconds: UInt32, separator: Character) -> String {
        let days = Int(seconds) / 86_400
        let time = Int(seconds) % 86_400
        // Civil date from days since 1970-01-01 (proleptic Gregorian).
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return "\(year)-\(pad2(month))-\(pad2(day))\(separator)\(pad2(time / 3600)):\(pad2(time / 60 % 60)):\(pad2(time % 60))"
    }

    /// `%.14g`, as C prints it.
    static func cFormat(_ format: String, _ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
        return String(cString: buffer)
    }
}

/// The `--hexdump` comment block mysqlbinlog prints after an event header.
enum HexDump {
    static func render(event bytes: ArraySlice<UInt8>, at offset: UInt64, headerLength: Int) -> [UInt8] {
        var out: [UInt8] = []
        func append(_ text: String) { out.append(contentsOf: Array(text.utf8)) }
        func h2(_ byte: UInt8) -> String { TextFormatting.hex(UInt64(byte), width: 2) }
        let b = Array(bytes.prefix(19)) + [UInt8](repeating: 0, count: max(0, 19 - bytes.count))
        append("\n# Position\n")
        append("#           |Timestamp   |Type |Master ID   |Size        |Master Pos  |Flags\n")
        append("# " + pad(String(offset, radix: 16), 8) + "  |" + b[0...3].map(h2).joined(separator: " ") + " |" + h2(b[4]) + "   |"
               + b[5...8].map(h2).joined(separator: " ") + " |" + b[9...12].map(h2).joined(separator: " ") + " |"
               + b[13...16].map(h2).joined(separator: " ") + " |" + h2(b[17]) + " " + h2(b[18]) + "\n")
        append("#\n")
        let data = Array(bytes.dropFirst(headerLength))
        var lineOffset = offset + UInt64(headerLength)
        var index = 0
        if !data.isEmpty {
            while index < data.count {
                let line = data[index..<min(index + 16, data.count)]
                var hexPart = ""
                for (i, byte) in line.enumerated() {
                    hexPart += h2(byte) + " "
                    if i == 7 { hexPart += " " }
                }
                hexPart += String(repeating: " ", count: 49 - hexPart.count)
                var ascii = ""
                for byte in line { ascii += (byte >= 32 && byte < 127) ? String(UnicodeScalar(byte)) : "." }
                append("# " + pad(String(lineOffset, radix: 16), 8) + "  " + hexPart + " |" + ascii + "|\n")
                index += 16
                lineOffset += 16
            }
            append("#\n")
        }
        append("# Event: ")
        return out
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}

/// A session option carried in a Query event's flags2 bits.
struct SessionFlag {
    var bit: UInt32
    var variable: String
    /// True when the bit being set means the variable is 0 (NO_FOREIGN_KEY_CHECKS and the like).
    var inverted: Bool
}

extension SessionFlag {
    /// `SET @@session.a=1, @@session.b=0` for the flags that changed since `previous` (all of
    /// them when nothing was printed yet), in `flags` order; `nil` when none changed. Bits in
    /// `ignoring` (flags the file's server does not write) never count as changed.
    static func setStatement(_ flags: [SessionFlag], value: UInt32, previous: UInt32?, ignoring: UInt32 = 0) -> String? {
        let changed = (previous.map { $0 ^ value } ?? ~UInt32(0)) & ~ignoring
        guard changed != 0 else { return nil }
        var parts: [String] = []
        for flag in flags where changed & flag.bit != 0 {
            let set = value & flag.bit != 0
            parts.append("\(flag.variable)=\((flag.inverted ? !set : set) ? 1 : 0)")
        }
        return "SET " + parts.joined(separator: ", ")
    }
}
