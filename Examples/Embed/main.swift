// Embedding LKQ in another Swift program: open the engine, run a statement, read typed
// values or encode the result as JSON. Run it with `swift run lkq-embed-example`.
import Foundation
import LKQ

let engine = Engine()   // the built-in LKIP 2023 of Dinas PMD Provinsi NTT

do {
    // Indicators of sasaran 2 whose capaian is under 75%.
    let result = try engine.run("capaian where sasaran = 2 and < 75 | select indikator, capaian").last!
    for row in 0..<result.rowCount {
        print(result[row, "capaian"]!, result[row, "indikator"]!)
    }
    // The same result as JSON, ready for a web service.
    print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))

    // A session remembers `let` names between statements.
    var session = engine.makeSession()
    _ = try session.run("let lemah = anggaran where level = 'subkegiatan' and persen < 50")
    let count = try session.run("lemah | count").last!
    print("sub kegiatan under 50%:", count[0, 0])

    // A host running queries it did not write sets a budget; spending it is an error.
    var guarded = engine.makeSession()
    guarded.budget = QueryBudget(maxRowsScanned: 1_000_000, maxRowsProduced: 100, timeLimit: .seconds(5))
    do {
        _ = try guarded.run("anggaran | join anggaran on level | count")
    } catch {
        print("budget:", error.kind, error.message)
    }

    // Errors carry their place and a rendered message.
    _ = try engine.run("capaian where sasran = 2", sourceName: "example")
} catch let error as LKQError {
    print(error.rendered())
}

