import Foundation
import Testing
@testable import LKQ

/// A fresh temporary folder for one test.
func makeTempDir() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lkq-csv-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func writeFile(_ dir: String, _ name: String, _ text: String) -> String {
    let path = dir + "/" + name
    FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return path
}

func writeBytes(_ dir: String, _ name: String, _ bytes: [UInt8]) -> String {
    let path = dir + "/" + name
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

/// Options for tests: no cache unless asked.
func opts(_ locale: CSVOptions.Locale = .auto, skip: Bool = false, cache: Bool = false,
          separator: UInt8? = nil, onWarning: (@Sendable (LKQError) -> Void)? = nil) -> CSVOptions {
    CSVOptions(locale: locale, skipBadRows: skip, useCache: cache, separator: separator, onWarning: onWarning)
}

/// Opens a CSV text as a table and loads every column.
func load(_ text: String, _ options: CSVOptions = opts(), name: String = "t.csv") throws -> (Table, Int, [Column]) {
    let dir = makeTempDir()
    let path = writeFile(dir, name, text)
    let table = try CSVReader.open(path: path, name: "t", options: options)
    let (n, cols) = try table.store.load(Array(table.fields.indices))
    return (table, n, cols)
}

func values(_ c: Column) -> [Value] { (0..<c.count).map { c.value(at: $0) } }

/// The error a throwing call gives, as a Diagnostic.
func diagnostic(_ body: () throws -> Void) -> Diagnostic? {
    do { try body(); return nil } catch let d as Diagnostic { return d } catch let e as LKQError { return e.diagnostic } catch { return nil }
}

func place(_ d: Diagnostic?) -> (Int, Int)? {
    if case .file(_, let l, let c)? = d?.location { return (l, c) }
    return nil
}

@Suite struct CSVBasics {
    @Test func simpleTypes() throws {
        let (t, n, cols) = try load("A,b , c\n1,2.5,x\n-3,4,y\n")
        #expect(n == 2)
        #expect(t.fields.map(\.name) == ["a", "b", "c"])
        #expect(t.fields.map(\.type) == [.int, .double, .text])
        #expect(values(cols[0]) == [.int(1), .int(-3)])
        #expect(values(cols[1]) == [.double(2.5), .double(4)])
        #expect(values(cols[2]) == [.text("x"), .text("y")])
    }
}
