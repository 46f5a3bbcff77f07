// Splits the mysqlbinlog script our printers write into the statements a client would send.

/// Reads the script as the mysql client reads it, line by line: `#` lines between statements are
/// comments, `DELIMITER x` changes the delimiter, a statement ends with a line that ends with the
/// delimiter. Our printers end every statement that way (`/*!*/;` after `DELIMITER /*!*/;`), so
/// the text of a statement — quotes, `;` and all — never needs to be parsed. The client's own
/// commands are dropped: `/*!\C charset */` (the next statement sets character_set_client itself).
struct ScriptSplitter {
    private var delimiter: [UInt8] = Array(";".utf8)
    private var statement: [UInt8] = []
    private var pending: [UInt8] = []

    /// Feeds text; returns the statements it completes, without their delimiters.
    mutating func feed(_ text: ArraySlice<UInt8>) -> [[UInt8]] {
        var statements: [[UInt8]] = []
        pending += text
        var start = pending.startIndex
        while let newline = pending[start...].firstIndex(of: 10) {
            handle(line: pending[start..<newline], into: &statements)
            start = newline + 1
        }
        pending.removeSubrange(..<start)
        return statements
    }

    /// Whether text is left that did not end a statement (the script stopped in the middle of one).
    var hasUnfinishedStatement: Bool { !statement.isEmpty || !pending.isEmpty }

    private mutating func handle(line: ArraySlice<UInt8>, into statements: inout [[UInt8]]) {
        if statement.isEmpty {
            if line.first == UInt8(ascii: "#") || line.isEmpty { return }
            if line.count > 10, Array(line.prefix(10)) == Array("DELIMITER ".utf8) {
                delimiter = Array(line.dropFirst(10))
                return
            }
        }
        if !statement.isEmpty { statement.append(10) }
        statement += line
        if statement.count >= delimiter.count && statement.suffix(delimiter.count).elementsEqual(delimiter) {
            statement.removeLast(delimiter.count)
            while let last = statement.last, last == 10 || last == 32 { statement.removeLast() }
            if !statement.isEmpty && !ScriptSplitter.isClientCommand(statement) { statements.append(statement) }
            statement = []
        }
    }

    /// `/*!\C name */`: the mysql client's charset command.
    static func isClientCommand(_ statement: [UInt8]) -> Bool {
        statement.starts(with: Array("/*!\\C ".utf8)) && statement.suffix(2).elementsEqual(Array("*/".utf8))
    }
}
