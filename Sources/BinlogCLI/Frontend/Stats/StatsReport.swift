// The `binlog stats` report: aligned tables for a terminal, or one JSON document for CI.
import MySQLBinlog

struct StatsReport {
    let collector: StatsCollector
    let options: StatsOptions

    // MARK: Shared views of the tallies

    /// Event types seen, by type code.
    private var typesSeen: [Int] {
        (0..<256).filter { collector.typeCounts[$0] > 0 || collector.typeCountsInPayloads[$0] > 0 }
    }

    private var sortedTables: [StatsCollector.TableStats] {
        collector.tables.filter { $0.events > 0 }.sorted { ($0.database, $0.table) < ($1.database, $1.table) }
    }

    /// The formats the events show: `row` for rows events, `statement` for changes logged as statements.
    private var formatsSeen: [String] {
        var seen: [String] = []
        if collector.rowsEventCount > 0 { seen.append("row") }
        if collector.statementChangeCount > 0 { seen.append("statement") }
        return seen
    }

    /// Changes logged as statements in files that also have rows events.
    private var statementChangesInRowFiles: [StatsCollector.Statement] {
        collector.statementChanges.filter { collector.files[$0.file].rowsEvents > 0 }
    }

    private var statementChangesInRowFilesCount: UInt64 {
        collector.files.filter { $0.rowsEvents > 0 }.reduce(0) { $0 + $1.statementChanges }
    }

    private var mariaDBRanges: [(key: StatsCollector.MariaDBKey, range: StatsCollector.MariaDBRange)] {
        collector.mariaDBGTIDs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    private func outcomeCount(_ outcome: StatsCollector.Outcome) -> UInt64 { collector.outcomes[outcome] ?? 0 }

    private static func ratio(_ uncompressed: UInt64, _ compressed: UInt64) -> Double? {
        compressed > 0 ? Double(uncompressed) / Double(compressed) : nil
    }

    /// A number with two decimals, as JSON and text show ratios.
    private static func decimal(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    // MARK: JSON

    func writeJSON(to out: OutputSink) {
        let c = collector
        var json = "{\"schema\":1,\n\"files\":["
        json += c.files.map { file in
            "{\"file\":" + JSONText.string(file.file) + ",\"bytes\":\(file.bytes),\"events\":\(file.events)"
                + ",\"server_version\":" + (file.serverVersion.map(JSONText.string) ?? "null")
                + ",\"checksum\":" + JSONText.string(file.checksum) + ",\"format\":" + (file.format.map(JSONText.string) ?? "null") + "}"
        }.joined(separator: ",")
        json += "],\n\"time_range\":"
        if let first = c.firstTimestamp, let last = c.lastTimestamp {
            json += "{\"first\":\(first),\"last\":\(last),\"first_utc\":" + JSONText.string(VerifyChecker.utc(first))
                + ",\"last_utc\":" + JSONText.string(VerifyChecker.utc(last)) + ",\"seconds\":\(last - first)}"
        } else {
            json += "null"
        }
        json += ",\n\"events\":{\"count\":\(c.events),\"bytes\":\(c.bytes),\"by_type\":["
        json += typesSeen.map { code in
            "{\"type\":" + JSONText.string(BinlogEventType(rawValue: UInt8(code)).name) + ",\"type_code\":\(code)"
                + ",\"count\":\(c.typeCounts[code]),\"bytes\":\(c.typeBytes[code]),\"in_compressed_transactions\":\(c.typeCountsInPayloads[code])}"
        }.joined(separator: ",")
        json += "]},\n\"server_ids\":["
        json += c.serverIDs.sorted { $0.key < $1.key }.map { "{\"server_id\":\($0.key),\"events\":\($0.value)}" }.joined(separator: ",")
        json += "],\n\"transactions\":{\"count\":\(c.transactionCount)"
        for outcome in [StatsCollector.Outcome.committed, .rolledBack, .xaPrepared, .statement, .unterminated] {
            json += ",\"\(outcome.rawValue)\":\(outcomeCount(outcome))"
        }
        json += ",\"bytes\":\(c.transactionBytes),\"min_bytes\":\(c.smallestTransaction ?? 0),\"max_bytes\":\(c.largestTransactionBytes)"
        json += ",\"mean_bytes\":\(c.transactionCount > 0 ? c.transactionBytes / c.transactionCount : 0)"
        json += ",\n \"largest\":[" + c.largest.map(transactionJSON).joined(separator: ",") + "]"
        json += ",\n \"long_running_seconds\":\(c.longTransactionSeconds),\"long_running_count\":\(c.longRunningCount)"
        json += ",\"long_running\":[" + c.longest.map(transactionJSON).joined(separator: ",") + "]}"
        json += ",\n\"rows\":{\"inserts\":\(c.tables.reduce(0) { $0 + $1.inserts }),\"updates\":\(c.tables.reduce(0) { $0 + $1.updates })"
            + ",\"deletes\":\(c.tables.reduce(0) { $0 + $1.deletes }),\"events\":\(c.rowsEventCount)}"
        json += ",\n\"tables\":["
        json += sortedTables.map { table in
            "\n{\"database\":" + JSONText.string(table.database) + ",\"table\":" + JSONText.string(table.table)
                + ",\"inserts\":\(table.inserts),\"updates\":\(table.updates),\"deletes\":\(table.deletes)"
                + ",\"bytes\":\(table.bytes),\"events\":\(table.events)}"
        }.joined(separator: ",")
        json += "],\n\"ddl\":[" + c.ddl.map(statementJSON).joined(separator: ",") + "]"
        json += ",\n\"formats\":{\"seen\":[" + formatsSeen.map(JSONText.string).joined(separator: ",") + "]"
        json += ",\"row_events\":\(c.rowsEventCount),\"statement_changes\":\(c.statementChangeCount)"
        json += ",\"statement_changes_in_row_files\":\(statementChangesInRowFilesCount)"
        json += ",\"statement_changes_listed\":[" + statementChangesInRowFiles.map(statementJSON).joined(separator: ",") + "]}"
        json += ",\n\"gtids\":{\"mysql\":" + (c.mysqlGTIDs.isEmpty ? "null" : JSONText.string(c.mysqlGTIDs.description))
        json += ",\"mariadb\":[" + mariaDBRanges.map { key, range in
            "{\"domain_id\":\(key.domain),\"server_id\":\(key.server),\"first\":\(range.first),\"last\":\(range.last),\"count\":\(range.count)}"
        }.joined(separator: ",") + "]}"
        json += ",\n\"compression\":{\"transactions\":\(c.payloads)"
        json += ",\"share\":" + (c.transactionCount > 0 ? StatsReport.decimal(Double(c.payloads) / Double(c.transactionCount)) : "null")
        json += ",\"compressed_bytes\":\(c.payloadBytes),\"uncompressed_bytes\":\(c.payloadInflatedBytes)"
        json += ",\"ratio\":" + (StatsReport.ratio(c.payloadInflatedBytes, c.payloadBytes).map(StatsReport.decimal) ?? "null")
        json += ",\"mariadb_events\":\(c.compressedEvents),\"mariadb_compressed_bytes\":\(c.compressedEventBytes)"
        json += ",\"mariadb_uncompressed_bytes\":\(c.compressedEventInflatedBytes)"
        json += ",\"mariadb_ratio\":" + (StatsReport.ratio(c.compressedEventInflatedBytes, c.compressedEventBytes).map(StatsReport.decimal) ?? "null") + "}"
        json += ",\n\"warnings\":\(c.warnings.count)}\n"
        out.write(json)
    }

    private func transactionJSON(_ t: StatsCollector.Transaction) -> String {
        "\n  {\"file\":" + JSONText.string(collector.files[t.file].file) + ",\"position\":\(t.position)"
            + ",\"gtid\":" + (t.gtid.map { JSONText.string(collector.describe($0)) } ?? "null")
            + ",\"bytes\":\(t.bytes),\"events\":\(t.events),\"first_timestamp\":\(t.firstTimestamp),\"last_timestamp\":\(t.lastTimestamp)"
            + ",\"duration_seconds\":\(t.duration),\"outcome\":" + JSONText.string(t.outcome.rawValue) + "}"
    }

    private func statementJSON(_ s: StatsCollector.Statement) -> String {
        "\n  {\"file\":" + JSONText.string(collector.files[s.file].file) + ",\"position\":\(s.position)"
            + ",\"gtid\":" + (s.gtid.map(JSONText.string) ?? "null") + ",\"database\":" + JSONText.string(s.database)
            + ",\"timestamp\":\(s.timestamp),\"statement\":" + JSONText.string(s.text) + "}"
    }

    // MARK: Text

    func writeText(to out: OutputSink) {
        let c = collector
        var text = ""
        func line(_ s: String = "") { text += s + "\n" }
        let fileWord = c.files.count == 1 ? "file" : "files"
        line("\(c.files.count) \(fileWord), \(grouped(c.bytes)) bytes and \(grouped(c.events)) events counted")
        var files = TextTable(["file", "bytes", "events", "server", "checksum", "format"], numeric: [1, 2])
        for file in c.files {
            files.add([file.file, grouped(file.bytes), grouped(file.events), file.serverVersion ?? "-", file.checksum, file.format ?? "-"])
        }
        text += files.render()
        line()
        if let first = c.firstTimestamp, let last = c.lastTimestamp {
            line("Time range:   \(TextFormatting.utcDateTime(first, separator: " ")) to \(TextFormatting.utcDateTime(last, separator: " ")) UTC (\(grouped(UInt64(last - first))) s)")
        } else {
            line("Time range:   none")
        }
        line("Server ids:   " + c.serverIDs.sorted { $0.key < $1.key }.map { "\($0.key) (\(grouped($0.value)) events)" }.joined(separator: ", "))
        var formats = formatsSeen.isEmpty ? "no changes" : formatsSeen.joined(separator: " and ")
        formats += ": \(grouped(c.rowsEventCount)) rows events, \(grouped(c.statementChangeCount)) changes logged as statements"
        line("Formats:      " + formats)
        var gtids: [String] = []
        if !c.mysqlGTIDs.isEmpty { gtids.append(c.mysqlGTIDs.description) }
        for (key, range) in mariaDBRanges {
            gtids.append("\(key.domain)-\(key.server)-\(range.first) to \(key.domain)-\(key.server)-\(range.last) (\(grouped(range.count)))")
        }
        line("GTIDs:        " + (gtids.isEmpty ? "none" : gtids.joined(separator: "\n              ")))
        line()
        line("Events by type")
        // The column of events inside compressed transactions only when there are some.
        let inPayloads = c.payloads > 0
        var types = TextTable(["type", "code", "count", "bytes"] + (inPayloads ? ["in compressed"] : []), numeric: [1, 2, 3, 4])
        for code in typesSeen {
            types.add([BinlogEventType(rawValue: UInt8(code)).name, "\(code)", grouped(c.typeCounts[code]), grouped(c.typeBytes[code])]
                      + (inPayloads ? [grouped(c.typeCountsInPayloads[code])] : []))
        }
        text += types.render(indent: "  ")
        line()
        var outcomes: [String] = []
        for (outcome, name) in [(StatsCollector.Outcome.committed, "committed"), (.rolledBack, "rolled back"), (.xaPrepared, "XA prepared"),
                                (.statement, "single statements"), (.unterminated, "unterminated")] where outcomeCount(outcome) > 0 {
            outcomes.append("\(grouped(outcomeCount(outcome))) \(name)")
        }
        line("Transactions: \(grouped(c.transactionCount))" + (outcomes.isEmpty ? "" : " (" + outcomes.joined(separator: ", ") + ")"))
        if c.transactionCount > 0 {
            line("  bytes: \(grouped(c.transactionBytes)) in all; smallest \(grouped(c.smallestTransaction ?? 0)), mean \(grouped(c.transactionBytes / c.transactionCount)), largest \(grouped(c.largestTransactionBytes))")
        }
        if !c.largest.isEmpty {
            line()
            line("Largest transactions")
            text += transactionTable(c.largest).render(indent: "  ")
        }
        line()
        if c.longRunningCount == 0 {
            line("Long-running transactions (\(c.longTransactionSeconds) s or more): none")
        } else {
            line("Long-running transactions (\(c.longTransactionSeconds) s or more): \(grouped(c.longRunningCount))" + (c.longest.count < c.longRunningCount ? ", the longest \(c.longest.count):" : ""))
            text += transactionTable(c.longest).render(indent: "  ")
        }
        line()
        let tables = sortedTables
        if tables.isEmpty {
            line("Tables: no rows events")
        } else {
            line("Rows by table")
            var rows = TextTable(["table", "inserts", "updates", "deletes", "bytes", "events"], numeric: [1, 2, 3, 4, 5])
            for table in tables {
                rows.add(["`\(table.database)`.`\(table.table)`", grouped(table.inserts), grouped(table.updates), grouped(table.deletes),
                          grouped(table.bytes), grouped(table.events)])
            }
            text += rows.render(indent: "  ")
        }
        line()
        if c.ddl.isEmpty {
            line("DDL: none")
        } else {
            line("DDL")
            text += statementTable(c.ddl).render(indent: "  ")
        }
        let inRowFiles = statementChangesInRowFilesCount
        if inRowFiles > 0 {
            line()
            line("Changes logged as statements in files with row events: \(grouped(inRowFiles))" + (UInt64(statementChangesInRowFiles.count) < inRowFiles ? ", the first \(statementChangesInRowFiles.count):" : ""))
            text += statementTable(statementChangesInRowFiles).render(indent: "  ")
        }
        line()
        var compression: [String] = []
        if c.payloads > 0 {
            let share = c.transactionCount > 0 ? Double(c.payloads) * 100 / Double(c.transactionCount) : 0
            compression.append("\(grouped(c.payloads)) compressed transactions (\(StatsReport.decimal(share))% of transactions), \(grouped(c.payloadBytes)) bytes for \(grouped(c.payloadInflatedBytes)) (ratio \(StatsReport.ratio(c.payloadInflatedBytes, c.payloadBytes).map(StatsReport.decimal) ?? "-"))")
        }
        if c.compressedEvents > 0 {
            compression.append("\(grouped(c.compressedEvents)) compressed events (MariaDB), \(grouped(c.compressedEventBytes)) bytes for \(grouped(c.compressedEventInflatedBytes)) (ratio \(StatsReport.ratio(c.compressedEventInflatedBytes, c.compressedEventBytes).map(StatsReport.decimal) ?? "-"))")
        }
        line("Compression:  " + (compression.isEmpty ? "none" : compression.joined(separator: "\n              ")))
        if !c.warnings.isEmpty {
            line("Warnings:     \(c.warnings.count) (on standard error)")
        }
        out.write(text)
    }

    private func transactionTable(_ list: [StatsCollector.Transaction]) -> TextTable {
        var table = TextTable(["file", "position", "gtid", "bytes", "events", "seconds", "outcome"], numeric: [1, 3, 4, 5])
        for t in list {
            table.add([collector.files[t.file].file, "\(t.position)", t.gtid.map(collector.describe) ?? "-", grouped(t.bytes),
                       grouped(t.events), "\(t.duration)", t.outcome.rawValue])
        }
        return table
    }

    private func statementTable(_ list: [StatsCollector.Statement]) -> TextTable {
        var table = TextTable(["file", "position", "gtid", "database", "statement"], numeric: [1])
        for s in list {
            table.add([collector.files[s.file].file, "\(s.position)", s.gtid ?? "-", s.database, StatsReport.oneLine(s.text, limit: 80)])
        }
        return table
    }

    /// A statement on one line: runs of white space as one space, cut to `limit` characters.
    static func oneLine(_ text: String, limit: Int) -> String {
        var result = ""
        var count = 0
        var space = false
        for character in text {
            if character.isWhitespace {
                space = !result.isEmpty
                continue
            }
            if space {
                result.append(" ")
                count += 1
                space = false
            }
            if count >= limit {
                return result + "..."
            }
            result.append(character.isASCII && (character.asciiValue ?? 0x20) < 0x20 ? "?" : character)
            count += 1
        }
        return result
    }
}

/// A number with thousands separated by commas.
func grouped(_ value: UInt64) -> String {
    let digits = String(value)
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return result
}

/// Columns aligned for a terminal: text to the left, numbers to the right.
struct TextTable {
    let header: [String]
    let numeric: Set<Int>
    var rows: [[String]] = []

    init(_ header: [String], numeric: Set<Int>) {
        self.header = header
        self.numeric = numeric
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render(indent: String = "") -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        var text = ""
        for row in [header] + rows {
            var line = indent
            for (index, cell) in row.enumerated() where index < widths.count {
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                if index > 0 { line += "  " }
                if index == row.count - 1 && !numeric.contains(index) {
                    line += cell
                } else {
                    line += numeric.contains(index) ? pad + cell : cell + pad
                }
            }
            text += line + "\n"
        }
        return text
    }
}
