// The LOAD DATA INFILE events: 5.0+ (Begin_load_query, Append_block, Execute_load_query, Delete_file)
// and the MySQL 3.23–4.x ones (Load, New_load, Create_file, Exec_load).

/// APPEND_BLOCK_EVENT and BEGIN_LOAD_QUERY_EVENT: a block of the data file.
///
/// | Name | Format | Description |
/// |---|---|---|
/// | file_id | int<4> | |
/// | block | bytes<EOF> | |
public struct AppendBlockEvent: Hashable, Sendable {
    public var fileID: UInt32
    public var block: [UInt8]

    init(parsing reader: inout ByteReader, postHeaderLength: Int) throws(BinlogDecodingError) {
        fileID = try reader.readUInt32("file_id")
        if postHeaderLength > 4 { try reader.skip(postHeaderLength - 4, "post_header") }
        block = Array(reader.readRest())
    }
}

/// DELETE_FILE_EVENT and EXEC_LOAD_EVENT: the file id only.
public struct FileIDEvent: Hashable, Sendable {
    public var fileID: UInt32

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        fileID = try reader.readUInt32("file_id")
    }
}

/// EXECUTE_LOAD_QUERY_EVENT: a Query whose text contains the file name to substitute.
///
/// A Query event with 13 more post-header bytes:
///
/// | Name | Format | Description |
/// |---|---|---|
/// | file_id | int<4> | |
/// | fn_pos_start | int<4> | offset in the query of the file name to replace |
/// | fn_pos_end | int<4> | |
/// | dup_handling | int<1> | 0 error, 1 IGNORE, 2 REPLACE |
public struct ExecuteLoadQueryEvent: Hashable, Sendable {
    public var query: QueryEvent
    public var fileID: UInt32
    public var fileNameStart: UInt32
    public var fileNameEnd: UInt32
    public var duplicateHandling: UInt8

    init(parsing reader: inout ByteReader, postHeaderLength: Int, options: DecodingOptions) throws(BinlogDecodingError) {
        var extra = ArraySlice<UInt8>()
        let start = reader.offset
        query = try QueryEvent(parsing: &reader, postHeaderLength: postHeaderLength, compressed: false,
                               options: options, extraPostHeader: &extra)
        var post = ByteReader(extra, baseOffset: start + 13, eventType: reader.eventType, eventOffset: reader.eventOffset)
        fileID = try post.readUInt32("file_id")
        fileNameStart = try post.readUInt32("fn_pos_start")
        fileNameEnd = try post.readUInt32("fn_pos_end")
        duplicateHandling = try post.readUInt8("dup_handling")
        guard fileNameStart <= fileNameEnd, Int(fileNameEnd) <= query.query.count else {
            throw BinlogDecodingError(.invalidValue("file name position \(fileNameStart)-\(fileNameEnd) is outside the \(query.query.count)-byte query"),
                                      offset: start + 17, eventType: reader.eventType, eventOffset: reader.eventOffset, field: "fn_pos_start")
        }
    }
}

/// LOAD_EVENT, NEW_LOAD_EVENT and CREATE_FILE_EVENT (MySQL 3.23–4.x).
///
/// | Name | Format | Description |
/// |---|---|---|
/// | thread_id, exec_time, skip_lines | int<4> ×3 | |
/// | table_name_len, db_len | int<1> ×2 | |
/// | num_fields | int<4> | |
/// | file_id | int<4> | Create_file only (its own post-header) |
/// | sql_ex | | Load: 5 single-byte terminators + opt_flags + empty_flags; others: 5 int<1>-prefixed strings + opt_flags |
/// | field_lens | int<1>[num_fields] | |
/// | fields | NUL-terminated strings | |
/// | table_name, db | NUL-terminated | |
/// | file_name | string | NUL-terminated and followed by the data block in Create_file |
public struct LegacyLoadEvent: Hashable, Sendable {
    public var threadID: UInt32
    public var executionTime: UInt32
    public var skipLines: UInt32
    public var fileID: UInt32?
    public var fieldTerminator: [UInt8]
    public var enclosedBy: [UInt8]
    public var lineTerminator: [UInt8]
    public var lineStart: [UInt8]
    public var escapedBy: [UInt8]
    public var optionFlags: UInt8
    public var emptyFlags: UInt8
    public var fields: [BinlogString]
    public var table: BinlogString
    public var database: BinlogString
    public var fileName: BinlogString
    public var block: [UInt8]

    init(parsing reader: inout ByteReader, type: BinlogEventType, loadPostHeaderLength: Int,
         createFilePostHeaderLength: Int) throws(BinlogDecodingError) {
        var post = try reader.bounded(max(loadPostHeaderLength, 18), "post_header")
        threadID = try post.readUInt32("thread_id")
        executionTime = try post.readUInt32("exec_time")
        skipLines = try post.readUInt32("skip_lines")
        let tableLength = Int(try post.readUInt8("table_name_len"))
        let databaseLength = Int(try post.readUInt8("db_len"))
        let fieldCount = try post.readUInt32("num_fields")
        if type == .createFile {
            var createHeader = try reader.bounded(max(createFilePostHeaderLength, 4), "file_id")
            fileID = try createHeader.readUInt32("file_id")
        }
        if type == .load {
            fieldTerminator = [try reader.readUInt8("field_term")]
            enclosedBy = [try reader.readUInt8("enclosed")]
            lineTerminator = [try reader.readUInt8("line_term")]
            lineStart = [try reader.readUInt8("line_start")]
            escapedBy = [try reader.readUInt8("escaped")]
            optionFlags = try reader.readUInt8("opt_flags")
            emptyFlags = try reader.readUInt8("empty_flags")
        } else {
            fieldTerminator = Array(try reader.readLengthPrefixedString("field_term").bytes)
            enclosedBy = Array(try reader.readLengthPrefixedString("enclosed").bytes)
            lineTerminator = Array(try reader.readLengthPrefixedString("line_term").bytes)
            lineStart = Array(try reader.readLengthPrefixedString("line_start").bytes)
            escapedBy = Array(try reader.readLengthPrefixedString("escaped").bytes)
            optionFlags = try reader.readUInt8("opt_flags")
            emptyFlags = 0
        }
        guard fieldCount <= UInt32(reader.remaining) else {
            throw reader.error(.invalidLength("\(fieldCount) fields cannot fit in \(reader.remaining) bytes"), field: "num_fields")
        }
        let lengths = try reader.readBytes(Int(fieldCount), "field_lens")
        var names: [BinlogString] = []
        for length in lengths {
            names.append(try reader.readString(Int(length), "fields"))
            try reader.skip(1, "fields")
        }
        fields = names
        table = try reader.readString(tableLength, "table_name")
        try reader.skip(1, "table_name")
        database = try reader.readString(databaseLength, "db")
        try reader.skip(1, "db")
        if type == .createFile {
            fileName = try reader.readNullTerminated("file_name")
            block = Array(reader.readRest())
        } else {
            var rest = reader.readRest()
            if rest.last == 0 { rest = rest.dropLast() }
            fileName = BinlogString(rest)
            block = []
        }
    }
}
