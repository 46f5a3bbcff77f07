// The manual page and README stay true to the command line.
import Foundation
import XCTest
@testable import BinlogCLI

final class ManualTests: XCTestCase {
    func testManualPageNamesEveryOptionOfHelp() throws {
        let manual = try String(contentsOf: CLIPaths.packageRoot.appendingPathComponent("man/binlog.1"), encoding: .utf8)
        for (command, help, atLeast) in [("dump", Dump.helpMessage(columns: 200), 10), ("verify", Verify.helpMessage(columns: 200), 3)] {
            XCTAssertTrue(manual.contains("binlog-\(command)") || manual.contains(" \(command)"), "man/binlog.1 lacks \(command)")
            try checkOptions(of: help, in: manual, atLeast: atLeast)
        }
    }

    private func checkOptions(of help: String, in manual: String, atLeast: Int) throws {
        // Only the OPTIONS part: the discussion above it quotes JSON keys and other text.
        let optionsPart = help.components(separatedBy: "OPTIONS:").last ?? help
        let options = optionsPart.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init).filter { $0.hasPrefix("--") }
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "<>,.[]()")) }
            .filter { $0.count > 2 && !$0.contains("=") }
        XCTAssertGreaterThanOrEqual(Set(options).count, atLeast)
        for spelling in Set(options) {
            for option in spelling.split(separator: "/") {
                // mdoc writes --start-position as "Fl -start-position" or "Fl j , -start-position".
                let name = " -" + option.dropFirst(2)
                XCTAssertTrue(manual.contains(name + " ") || manual.contains(name + "\n"), "man/binlog.1 lacks \(option)")
            }
        }
    }

    func testReadmeQuickStartFilesExist() throws {
        let readme = try String(contentsOf: CLIPaths.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains("swift run binlog dump TestData/binlogs/row-crc32.000001"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path))
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: CLIPaths.scripts.appendingPathComponent("test").path))
    }
}
