// Datetimes on the command line (--start-datetime, --stop-datetime) and the zone they are read in.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A time zone for reading datetimes given without an offset: the local zone (as mysqlbinlog),
/// UTC, a fixed offset, or an IANA name from the system's zoneinfo.
enum TimeZoneArgument: Equatable, Sendable {
    case local
    case offset(seconds: Int)
    case named(String)

    /// `UTC`, `+02:00`, `-0530`, `Europe/Paris`, `local`.
    init(parsing text: String) throws(CLIError) {
        if text == "local" || text == "SYSTEM" {
            self = .local
        } else if text == "UTC" || text == "Z" || text == "GMT" {
            self = .offset(seconds: 0)
        } else if let seconds = TimeZoneArgument.offsetSeconds(text[...]) {
            self = .offset(seconds: seconds)
        } else {
            var info = stat()
            let valid = !text.isEmpty && !text.hasPrefix("/") && !text.contains("..")
                && stat("/usr/share/zoneinfo/" + text, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
            guard valid else {
                throw CLIError(.usage, "--timezone: unknown time zone '\(text)' (use local, UTC, an offset like +02:00, or a name from /usr/share/zoneinfo)")
            }
            self = .named(text)
        }
    }

    /// `+02:00`, `-0530`, `+2` → seconds east of UTC.
    static func offsetSeconds(_ text: Substring) -> Int? {
        guard let sign = text.first, sign == "+" || sign == "-" else { return nil }
        let digits = text.dropFirst().filter { $0 != ":" }
        guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy(\.isNumber) else { return nil }
        let hours: Int
        let minutes: Int
        if digits.count <= 2 {
            hours = Int(digits)!
            minutes = 0
        } else {
            hours = Int(digits.dropLast(2))!
            minutes = Int(digits.suffix(2))!
        }
        guard hours <= 14, minutes < 60 else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }
}

/// A point in time given as a datetime, turned into seconds since the epoch.
struct DateTimeArgument: Sendable {
    /// The text as given (warnings repeat it).
    var text: String
    var seconds: Int64

    /// Reads `YYYY-MM-DD[ HH:MM[:SS[.ffffff]]]` (any punctuation between the parts, a `T` or
    /// spaces between date and time), or `YYYYMMDD[HHMMSS]`, optionally followed by `Z` or an
    /// offset (`+02:00`), which then wins over `zone`.
    init(parsing text: String, option: String, zone: TimeZoneArgument) throws(CLIError) {
        self.text = text
        func failure() -> CLIError {
            CLIError(.usage, "\(option): '\(text)' is not a date and time (use YYYY-MM-DD HH:MM:SS, optionally with an offset like +02:00)")
        }
        var body = Substring(text)
        while body.first == " " { body = body.dropFirst() }
        while body.last == " " { body = body.dropLast() }
        var zone = zone
        if body.hasSuffix("Z") {
            zone = .offset(seconds: 0)
            body = body.dropLast()
        } else if let signIndex = body.lastIndex(where: { $0 == "+" || $0 == "-" }),
                  body.distance(from: body.startIndex, to: signIndex) >= 10,
                  let seconds = TimeZoneArgument.offsetSeconds(body[signIndex...]) {
            zone = .offset(seconds: seconds)
            body = body[..<signIndex]
        }
        var numbers: [Int] = []
        var current = ""
        for character in body {
            if character.isNumber {
                current.append(character)
            } else {
                if !current.isEmpty { numbers.append(Int(current) ?? -1); current = "" }
                // A fraction of a second is dropped: binlog times are whole seconds.
                if character == "." && numbers.count >= 6 { break }
            }
        }
        if !current.isEmpty && numbers.count < 6 { numbers.append(Int(current) ?? -1) }
        if numbers.count == 1, let digits = body.split(whereSeparator: { !$0.isNumber }).first, digits.count == 8 || digits.count == 14 {
            let value = Array(digits)
            func part(_ from: Int, _ count: Int) -> Int { Int(String(value[from..<(from + count)]))! }
            numbers = [part(0, 4), part(4, 2), part(6, 2)] + (digits.count == 14 ? [part(8, 2), part(10, 2), part(12, 2)] : [])
        }
        guard numbers.count >= 3, numbers.count <= 6 else { throw failure() }
        while numbers.count < 6 { numbers.append(0) }
        let (year, month, day, hour, minute, second) = (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5])
        let daysInMonth = [31, (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1970...2106).contains(year), (1...12).contains(month), day >= 1, day <= daysInMonth[month - 1],
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { throw failure() }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        parts.tm_isdst = -1
        switch zone {
        case .offset(let offset):
            seconds = Int64(timegm(&parts)) - Int64(offset)
        case .local:
            seconds = Int64(mktime(&parts))
        case .named(let name):
            let saved = getenv("TZ").map { String(cString: $0) }
            setenv("TZ", name, 1)
            tzset()
            seconds = Int64(mktime(&parts))
            if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
            tzset()
        }
    }
}
