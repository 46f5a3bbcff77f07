// Turns the bytes of one event into a typed BinlogEvent, using and updating the decoding context.

/// Decodes events one at a time. Feed it the bytes of each event in file order.
public struct BinlogDecoder: Sendable {
    public var context: DecodingContext
    public var options: DecodingOptions

    public init(options: DecodingOptions = DecodingOptions(), context: DecodingContext = DecodingContext()) {
        self.options = options
        self.context = context
    }

    /// The length of the common header expected for the next event.
    public var headerLength: Int { context.formatDescription.commonHeaderLength }

    /// Reads the common header at the start of `bytes` (which must hold at least the header).
    public func peekHeader(_ bytes: ArraySlice<UInt8>, at offset: UInt64) throws(BinlogDecodingError) -> EventHeader {
        var reader = ByteReader(bytes, baseOffset: offset)
        // A v1/v3 file's first event is Start_v3; its size tells the header length.
        return try EventHeader(parsing: &reader, headerLength: min(headerLength, bytes.count))
    }

    /// Decodes one complete event. `checksumVerified` says its CRC32 was already checked (by a
    /// reader that checks checksums on another thread).
    public mutating func decode(_ bytes: ArraySlice<UInt8>, at offset: UInt64, checksumVerified: Bool = false) throws(BinlogDecodingError) -> BinlogEvent {
        if let encrypted = context.encryptionStartedAt {
            throw BinlogDecodingError(
                .encrypted("the file is encrypted from the Start_encryption event at offset \(encrypted) on; decrypting MariaDB binlogs needs the server's encryption key (file_key_management or another key management plugin), which this tool does not have"),
                offset: offset)
        }
        var headerLength = self.headerLength
        var reader = ByteReader(bytes, baseOffset: offset)
        guard bytes.count >= 13 else {
            throw reader.error(.truncated(needed: 13, available: bytes.count), field: "header")
        }
        // Before the first Format_description: a Start_v3 shorter than 75 bytes is binlog v1 (13-byte header).
        if !context.hasFormatDescription, bytes[bytes.startIndex + 4] == BinlogEventType.startV3.rawValue {
            let size = UInt32(bytes[bytes.startIndex + 9]) | UInt32(bytes[bytes.startIndex + 10]) << 8
                | UInt32(bytes[bytes.startIndex + 11]) << 16 | UInt32(bytes[bytes.startIndex + 12]) << 24
            headerLength = size < 75 ? EventHeader.v1Length : EventHeader.v4Length
        }
        guard bytes.count >= headerLength else {
            // Framing lets 13-byte (binlog v1) headers through before the first Format_description.
            throw BinlogDecodingError(.invalidLength("event size \(bytes.count) is smaller than the \(headerLength)-byte header"),
                                      offset: offset + 9, eventType: BinlogEventType(rawValue: bytes[bytes.startIndex + 4]),
                                      eventOffset: offset, field: "event_size")
        }
        let header = try EventHeader(parsing: &reader, headerLength: headerLength)
        reader.eventType = header.type
        reader.eventOffset = offset
        guard Int(header.eventSize) == bytes.count else {
            throw BinlogDecodingError(.invalidLength("event size \(header.eventSize) does not match the \(bytes.count) bytes framed"),
                                      offset: offset + 9, eventType: header.type, eventOffset: offset, field: "event_size")
        }

        // Which checksum applies: a Format_description announces its own.
        var algorithm = context.checksumAlgorithm
        var formatDescription: FormatDescriptionEvent?
        if header.type == .formatDescription {
            var body = reader
            let description = try FormatDescriptionEvent(parsing: &body)
            formatDescription = description
            algorithm = description.checksumAlgorithm ?? .undefined
        }
        var checksum: UInt32?
        var bodyEnd = bytes.endIndex
        if algorithm == .crc32 || (header.type == .formatDescription && formatDescription?.checksumAlgorithm != nil) {
            guard bytes.count >= headerLength + 4 else {
                throw BinlogDecodingError(.truncated(needed: headerLength + 4, available: bytes.count), offset: offset,
                                          eventType: header.type, eventOffset: offset, field: "checksum")
            }
            bodyEnd -= 4
            let stored = UInt32(bytes[bodyEnd]) | UInt32(bytes[bodyEnd + 1]) << 8 | UInt32(bytes[bodyEnd + 2]) << 16
                | UInt32(bytes[bodyEnd + 3]) << 24
            if algorithm == .crc32 {
                checksum = stored
                if options.verifyChecksums && !checksumVerified {
                    // The server checksums the Format_description with its IN_USE flag cleared.
                    let computed: UInt32
                    if header.type == .formatDescription && header.flags.contains(.binlogInUse) {
                        var copy = Array(bytes[bytes.startIndex..<bodyEnd])
                        copy[17] &= ~UInt8(EventFlags.binlogInUse.rawValue)
                        computed = CRC32.checksum(copy[...])
                    } else {
                        computed = CRC32.checksum(bytes[bytes.startIndex..<bodyEnd])
                    }
                    if computed != stored {
                        throw BinlogDecodingError(.checksumMismatch(expected: stored, computed: computed), offset: offset + UInt64(bodyEnd - bytes.startIndex),
                                                  eventType: header.type, eventOffset: offset, field: "checksum")
                    }
                }
            }
        }
        var body = ByteReader(bytes[(bytes.startIndex + headerLength)..<bodyEnd], baseOffset: offset + UInt64(headerLength),
                              eventType: header.type, eventOffset: offset)
        let payload = try decodePayload(header: header, headerLength: headerLength, body: &body, formatDescription: formatDescription)
        return BinlogEvent(header: header, payload: payload, offset: offset, bytes: bytes, checksum: checksum)
    }

    /// What reading parts of events needs from the Format_description in force: see ``EventLayout``.
    public var layout: EventLayout {
        EventLayout(headerLength: headerLength, checksumLength: context.checksumAlgorithm == .crc32 ? 4 : 0,
                    postHeaderLength: { postHeaderLength($0, default: $1) }, options: options)
    }

    private func postHeaderLength(_ type: BinlogEventType, default fallback: Int) -> Int {
        context.formatDescription.postHeaderLength(for: type) ?? fallback
    }

    private mutating func decodePayload(header: EventHeader, headerLength: Int, body reader: inout ByteReader,
                                        formatDescription: FormatDescriptionEvent?) throws(BinlogDecodingError) -> EventPayload {
        let type = header.type
        switch type.rawValue {
        case BinlogEventType.formatDescription.rawValue:
            guard let formatDescription else { throw reader.error(.invalidValue("unreachable"), field: nil) }
            context.formatDescription = formatDescription
            context.hasFormatDescription = true
            context.tableMaps.removeAll(keepingCapacity: true)
            return .formatDescription(formatDescription)
        case BinlogEventType.startV3.rawValue:
            let start = try StartV3Event(parsing: &reader)
            if !context.hasFormatDescription {
                let version = headerLength == EventHeader.v1Length ? UInt16(1) : start.binlogVersion
                context.formatDescription = .legacy(binlogVersion: version == 1 ? 1 : 3,
                                                    serverVersion: start.serverVersion, createTimestamp: start.createTimestamp)
                context.hasFormatDescription = true
            }
            return .startV3(start)
        case BinlogEventType.query.rawValue, BinlogEventType.queryCompressed.rawValue:
            var extra = ArraySlice<UInt8>()
            let query = try QueryEvent(parsing: &reader, postHeaderLength: postHeaderLength(.query, default: 13),
                                       compressed: type == .queryCompressed, options: options, extraPostHeader: &extra)
            return .query(query)
        case BinlogEventType.stop.rawValue:
            return .stop(try StopEvent(parsing: &reader))
        case BinlogEventType.rotate.rawValue:
            return .rotate(try RotateEvent(parsing: &reader, postHeaderLength: postHeaderLength(.rotate, default: 8)))
        case BinlogEventType.intvar.rawValue:
            try skipPostHeader(&reader, type)
            return .intvar(try IntvarEvent(parsing: &reader))
        case BinlogEventType.rand.rawValue:
            try skipPostHeader(&reader, type)
            return .rand(try RandEvent(parsing: &reader))
        case BinlogEventType.userVar.rawValue:
            try skipPostHeader(&reader, type)
            return .userVar(try UserVarEvent(parsing: &reader))
        case BinlogEventType.xid.rawValue:
            try skipPostHeader(&reader, type)
            return .xid(try XIDEvent(parsing: &reader))
        case BinlogEventType.incident.rawValue:
            return .incident(try IncidentEvent(parsing: &reader, postHeaderLength: postHeaderLength(.incident, default: 2)))
        case BinlogEventType.heartbeat.rawValue, BinlogEventType.heartbeatV2.rawValue:
            return .heartbeat(try HeartbeatEvent(parsing: &reader, version2: type == .heartbeatV2))
        case BinlogEventType.rowsQuery.rawValue:
            try skipPostHeader(&reader, type)
            return .rowsQuery(try RowsQueryEvent(parsing: &reader))
        case BinlogEventType.gtid.rawValue, BinlogEventType.anonymousGTID.rawValue:
            return .gtid(try GTIDEvent(parsing: &reader))
        case BinlogEventType.gtidTagged.rawValue:
            return .gtid(try TaggedGTIDDecoder.decode(&reader))
        case BinlogEventType.previousGTIDs.rawValue:
            try skipPostHeader(&reader, type)
            return .previousGTIDs(try PreviousGTIDsEvent(parsing: &reader))
        case BinlogEventType.transactionContext.rawValue:
            return .transactionContext(try TransactionContextEvent(parsing: &reader))
        case BinlogEventType.viewChange.rawValue:
            return .viewChange(try ViewChangeEvent(parsing: &reader))
        case BinlogEventType.xaPrepare.rawValue:
            try skipPostHeader(&reader, type)
            return .xaPrepare(try XAPrepareEvent(parsing: &reader))
        case BinlogEventType.transactionPayload.rawValue:
            // No post-header to skip: servers declare 40 for this type (the type code, by mistake)
            // and read the payload header right after the common header.
            return .transactionPayload(try TransactionPayloadEvent(parsing: &reader))
        case BinlogEventType.tableMap.rawValue:
            let map = try TableMapEvent(parsing: &reader, postHeaderLength: postHeaderLength(.tableMap, default: 8))
            // Kept in storage of its own (a slice would keep the whole read chunk alive for as
            // long as the table id is in use), and copied only when the map changes.
            if let known = context.tableMaps[map.tableID], known.hasSameBody(as: map) {
                // Servers repeat the same map before every statement.
            } else {
                context.tableMaps[map.tableID] = map.owned()
            }
            return .tableMap(map)
        case 20...25, 30...32, 39, 166...171:
            return .rows(try RowsEvent(parsing: &reader, type: type, postHeaderLength: postHeaderLength(type, default: type.rawValue >= 30 && type.rawValue < 40 ? 10 : 8), options: options))
        case BinlogEventType.beginLoadQuery.rawValue:
            return .beginLoadQuery(try AppendBlockEvent(parsing: &reader, postHeaderLength: postHeaderLength(type, default: 4)))
        case BinlogEventType.appendBlock.rawValue:
            return .appendBlock(try AppendBlockEvent(parsing: &reader, postHeaderLength: postHeaderLength(type, default: 4)))
        case BinlogEventType.executeLoadQuery.rawValue:
            return .executeLoadQuery(try ExecuteLoadQueryEvent(parsing: &reader, postHeaderLength: postHeaderLength(type, default: 26), options: options))
        case BinlogEventType.deleteFile.rawValue:
            return .deleteFile(try FileIDEvent(parsing: &reader))
        case BinlogEventType.execLoad.rawValue:
            return .execLoad(try FileIDEvent(parsing: &reader))
        case BinlogEventType.load.rawValue, BinlogEventType.newLoad.rawValue, BinlogEventType.createFile.rawValue:
            return .legacyLoad(try LegacyLoadEvent(parsing: &reader, type: type,
                                                   loadPostHeaderLength: postHeaderLength(.load, default: 18),
                                                   createFilePostHeaderLength: type == .createFile ? postHeaderLength(.createFile, default: 4) : 0))
        case BinlogEventType.annotateRows.rawValue:
            try skipPostHeader(&reader, type)
            return .annotateRows(try AnnotateRowsEvent(parsing: &reader))
        case BinlogEventType.binlogCheckpoint.rawValue:
            return .binlogCheckpoint(try BinlogCheckpointEvent(parsing: &reader))
        case BinlogEventType.mariaDBGTID.rawValue:
            return .mariaDBGTID(try MariaDBGTIDEvent(parsing: &reader, postHeaderLength: postHeaderLength(type, default: 19)))
        case BinlogEventType.gtidList.rawValue:
            return .gtidList(try GTIDListEvent(parsing: &reader))
        case BinlogEventType.startEncryption.rawValue:
            let event = try StartEncryptionEvent(parsing: &reader)
            context.encryptionStartedAt = reader.eventOffset
            return .startEncryption(event)
        default:
            return .unsupported(UnsupportedEvent(type: type, body: Array(reader.readRest()),
                                                 isIgnorable: header.flags.contains(.ignorable)))
        }
    }

    /// Skips a post-header the event does not use (lengths come from the Format_description).
    private func skipPostHeader(_ reader: inout ByteReader, _ type: BinlogEventType) throws(BinlogDecodingError) {
        let length = postHeaderLength(type, default: 0)
        if length > 0 { try reader.skip(min(length, reader.remaining), "post_header") }
    }
}
