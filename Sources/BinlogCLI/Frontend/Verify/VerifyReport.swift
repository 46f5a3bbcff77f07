// How `binlog verify` writes its findings: lines for people, one JSON document for CI.

/// Receives findings as they are made (so nothing piles up in memory), then the summary.
protocol VerifyReport {
    func begin()
    func finding(_ finding: VerifyFinding)
    func end(files: [VerifyFrontend.FileSummary], totals: [VerifyFinding.Severity: Int])
}

/// One line per finding, then one line per file and a total.
struct TextVerifyReport: VerifyReport {
    let out: OutputSink

    func begin() {}

    func finding(_ finding: VerifyFinding) {
        out.write(finding.line + "\n")
    }

    static func counts(_ counts: [VerifyFinding.Severity: Int]) -> String {
        let errors = counts[.error] ?? 0
        let warnings = counts[.warning] ?? 0
        return "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"), \(counts[.info] ?? 0) info"
    }

    func end(files: [VerifyFrontend.FileSummary], totals: [VerifyFinding.Severity: Int]) {
        var events: UInt64 = 0
        var bytes: UInt64 = 0
        for file in files {
            events += file.events
            bytes += file.bytes
            var line = "\(file.file): \(file.events) events, \(file.bytes) bytes, checksums: \(file.checksum)"
            if let version = file.serverVersion { line += ", server \(version)" }
            out.write(line + ": " + TextVerifyReport.counts(file.counts) + "\n")
        }
        out.write("total: \(files.count) file\(files.count == 1 ? "" : "s"), \(events) events, \(bytes) bytes: "
                  + TextVerifyReport.counts(totals) + ((totals[.error] ?? 0) == 0 ? " (OK)" : " (FAILED)") + "\n")
    }
}

/// `{"schema": 1, "findings": [...], "files": [...], "summary": {...}}`, findings written as found.
final class JSONVerifyReport: VerifyReport {
    let out: OutputSink
    private var first = true

    init(out: OutputSink) { self.out = out }

    func begin() {
        out.write("{\"schema\":1,\"findings\":[")
    }

    func finding(_ finding: VerifyFinding) {
        var fields: [String] = [
            "\"severity\":" + JSONText.string(finding.severity.rawValue),
            "\"kind\":" + JSONText.string(finding.kind.rawValue),
            "\"file\":" + JSONText.string(finding.file),
            "\"offset\":" + (finding.offset.map { "\($0)" } ?? "null"),
            "\"event_type\":" + (finding.eventType.map { JSONText.string($0.name) } ?? "null"),
            "\"gtid\":" + (finding.gtid.map(JSONText.string) ?? "null"),
        ]
        fields.append("\"message\":" + JSONText.string(finding.message))
        out.write((first ? "\n" : ",\n") + "{" + fields.joined(separator: ",") + "}")
        first = false
    }

    private static func counts(_ counts: [VerifyFinding.Severity: Int]) -> String {
        "\"errors\":\(counts[.error] ?? 0),\"warnings\":\(counts[.warning] ?? 0),\"info\":\(counts[.info] ?? 0)"
    }

    func end(files: [VerifyFrontend.FileSummary], totals: [VerifyFinding.Severity: Int]) {
        out.write((first ? "" : "\n") + "],\n\"files\":[")
        for (index, file) in files.enumerated() {
            out.write((index == 0 ? "\n" : ",\n") + "{\"file\":" + JSONText.string(file.file) + ",\"bytes\":\(file.bytes),\"events\":\(file.events)"
                      + ",\"checksum\":" + JSONText.string(file.checksum)
                      + ",\"server_version\":" + (file.serverVersion.map(JSONText.string) ?? "null")
                      + "," + JSONVerifyReport.counts(file.counts) + "}")
        }
        let events = files.reduce(UInt64(0)) { $0 + $1.events }
        let bytes = files.reduce(UInt64(0)) { $0 + $1.bytes }
        out.write((files.isEmpty ? "" : "\n") + "],\n\"summary\":{\"files\":\(files.count),\"events\":\(events),\"bytes\":\(bytes),"
                  + JSONVerifyReport.counts(totals) + ",\"ok\":\((totals[.error] ?? 0) == 0)}}\n")
    }
}

/// JSON text for strings (RFC 8259): quotes, backslashes and control characters escaped;
/// bytes that are not UTF-8 become U+FFFD.
enum JSONText {
    static func string(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let digits = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
