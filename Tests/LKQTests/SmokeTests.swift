import Testing
@testable import LKQ

@Test func smoke() throws {
    let t = try Table(name: "capaian", columns: [
        ("sasaran", .int([1, 1, 2, 2, 2])),
        ("indikator", .text(["a", "b", "Desa c", "d", nil])),
        ("capaian", .double([98.4, 104, 84.09, 51.09, 37.74])),
    ], measure: "capaian")
    let e = Engine(tables: [t])
    for q in ["capaian where sasaran=2 and < 75", "capaian | group by sasaran avg(capaian), count()",
              "capaian | sort capaian desc | limit 2", "capaian where indikator ~ 'DESA'", "capaian | sum",
              "capaian where sasran = 2", "capaian where (sasaran = 1", "capaian | select capaian * 2 as x, round(capaian/3, 2)"] {
        do {
            let r = try e.run(q, sourceName: "-e")
            print(q, "=>", r.last!.fields.map(\.name), r.last!.rows)
        } catch {
            print(error.rendered())
        }
    }
}
