// FORMAT_DESCRIPTION_EVENT: the binlog's own description of how every later event is laid out.

/// The checksum algorithm a Format_description announces.
public struct ChecksumAlgorithm: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The corresponding server constant is `BINLOG_CHECKSUM_ALG_OFF`.
    public static let off = Self(rawValue: 0)
    /// The corresponding server constant is `BINLOG_CHECKSUM_ALG_CRC32`.
    public static let crc32 = Self(rawValue: 1)
    /// The corresponding server constant is `BINLOG_CHECKSUM_ALG_UNDEF`.
    public static let undefined = Self(rawValue: 255)
}

/// The first event of every binlog v4 file.
///
/// | Name | Format | Description |
/// |---|---|---|
/// | binlog_version | int<2> | 4 |
/// | server_version | string<50> | NUL-padded version of the server that wrote the file |
/// | create_timestamp | int<4> | set when the server started (the file begins a server run), else 0 |
/// | common_header_len | int<1> | length of the header of every event (19) |
/// | post_header_len | int<1>[n] | post-header length of each event type, indexed by type − 1 |
/// | checksum_alg | int<1> | only when the server supports checksums (MySQL ≥ 5.6.1, MariaDB ≥ 5.3) |
/// | checksum | int<4> | likewise; present even when the algorithm is OFF |
public struct FormatDescriptionEvent: Hashable, Sendable {
    public var binlogVersion: UInt16
    public var serverVersion: String
    public var createTimestamp: UInt32
    public var commonHeaderLength: Int
    public var postHeaderLengths: [UInt8]
    /// `nil` for servers that predate binlog checksums.
    public var checksumAlgorithm: ChecksumAlgorithm?

    public init(binlogVersion: UInt16, serverVersion: String, createTimestamp: UInt32, commonHeaderLength: Int,
                postHeaderLengths: [UInt8], checksumAlgorithm: ChecksumAlgorithm?) {
        self.binlogVersion = binlogVersion
        self.serverVersion = serverVersion
        self.createTimestamp = createTimestamp
        self.commonHeaderLength = commonHeaderLength
        self.postHeaderLengths = postHeaderLengths
        self.checksumAlgorithm = checksumAlgorithm
    }

    /// Decodes the body (everything after the common header, checksum bytes included: whether
    /// they exist is only known once the server version is read).
    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        binlogVersion = try reader.readUInt16("binlog_version")
        serverVersion = FormatDescriptionEvent.trimmedVersion(try reader.readBytes(50, "server_version"))
        createTimestamp = try reader.readUInt32("create_timestamp")
        let headerLength = try reader.readUInt8("common_header_len")
        guard headerLength >= EventHeader.v4Length else {
            throw reader.error(.invalidValue("common header length \(headerLength) is below 19"), field: "common_header_len")
        }
        commonHeaderLength = Int(headerLength)
        let rest = reader.readRest()
        if FormatDescriptionEvent.versionSupportsChecksum(serverVersion) {
            guard rest.count >= 5 else {
                throw BinlogDecodingError(.truncated(needed: 5, available: rest.count), offset: reader.offset,
                                          eventType: .formatDescription, eventOffset: reader.eventOffset,
                                          field: "checksum_alg")
            }
            postHeaderLengths = Array(rest.dropLast(5))
            checksumAlgorithm = ChecksumAlgorithm(rawValue: rest[rest.endIndex - 5])
        } else {
            postHeaderLengths = Array(rest)
            checksumAlgorithm = nil
        }
    }

    static func trimmedVersion(_ bytes: ArraySlice<UInt8>) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
    }

    /// The post-header length the file declares for `type`, or `nil` when the table is too short.
    public func postHeaderLength(for type: BinlogEventType) -> Int? {
        let index = Int(type.rawValue) - 1
        guard index >= 0, index < postHeaderLengths.count else { return nil }
        return Int(postHeaderLengths[index])
    }

    public var isMariaDB: Bool { serverVersion.contains("MariaDB") }

    /// Major, minor and patch numbers from the start of the version string.
    public var versionTriple: (Int, Int, Int) { FormatDescriptionEvent.versionTriple(serverVersion) }

    static func versionTriple(_ version: String) -> (Int, Int, Int) {
        var parts = [0, 0, 0]
        var part = 0
        var sawDigit = false
        for scalar in version.unicodeScalars {
            if let digit = Int(String(scalar)), scalar.isASCII {
                parts[part] = min(parts[part] * 10 + digit, 1_000_000)
                sawDigit = true
            } else if scalar == ".", sawDigit, part < 2 {
                part += 1
                sawDigit = false
            } else {
                break
            }
        }
        return (parts[0], parts[1], parts[2])
    }

    /// Servers from MySQL 5.6.1 and MariaDB 5.3 on write the checksum fields.
    static func versionSupportsChecksum(_ version: String) -> Bool {
        let (a, b, c) = versionTriple(version)
        let product = (a * 256 + b) * 256 + c
        if version.contains("MariaDB") || version.contains("-maria-") {
            return product >= (5 * 256 + 3) * 256 + 0
        }
        return product >= (5 * 256 + 6) * 256 + 1
    }

    /// The description used for binlog v3 files (MySQL 4.0–4.1, `START_EVENT_V3`) and v1 files
    /// (MySQL 3.23): those formats have no table, so it is fixed by the format version.
    public static func legacy(binlogVersion: UInt16, serverVersion: String, createTimestamp: UInt32) -> FormatDescriptionEvent {
        // Type:              1   2   3  4  5   6  7   8  9 10 11  12 13 14
        let v3: [UInt8] = [56, 11, 0, 8, 0, 18, 0, 4, 4, 4, 4, 18, 0, 0]
        let v1: [UInt8] = [56, 11, 0, 0, 0, 18, 0, 4, 4, 4, 4, 18, 0, 0]
        return FormatDescriptionEvent(
            binlogVersion: binlogVersion, serverVersion: serverVersion, createTimestamp: createTimestamp,
            commonHeaderLength: binlogVersion == 1 ? EventHeader.v1Length : EventHeader.v4Length,
            postHeaderLengths: binlogVersion == 1 ? v1 : v3, checksumAlgorithm: nil)
    }

    /// What a reader assumes before the first event: v4, 19-byte headers, no checksum.
    public static let bootstrap = FormatDescriptionEvent(
        binlogVersion: 4, serverVersion: "", createTimestamp: 0, commonHeaderLength: 19,
        postHeaderLengths: [], checksumAlgorithm: nil)
}

/// START_EVENT_V3: the first event of binlog v1 and v3 files (MySQL 3.23–4.1).
///
/// | Name | Format | Description |
/// |---|---|---|
/// | binlog_version | int<2> | 1 or 3 |
/// | server_version | string<50> | NUL-padded |
/// | create_timestamp | int<4> | |
public struct StartV3Event: Hashable, Sendable {
    public var binlogVersion: UInt16
    public var serverVersion: String
    public var createTimestamp: UInt32

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        binlogVersion = try reader.readUInt16("binlog_version")
        serverVersion = FormatDescriptionEvent.trimmedVersion(try reader.readBytes(50, "server_version"))
        createTimestamp = try reader.readUInt32("create_timestamp")
    }
}
