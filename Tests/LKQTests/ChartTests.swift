import Testing
import LKQ

/// Four indicators, one without a value this year.
private func capaianTable() throws -> Table {
    try Table(name: "c", columns: [
        ("indikator", .text(["Desa mandiri", "BUMDes aktif dan berkembang", "Posyandu", "Lembaga adat"])),
        ("capaian", .double([98.4, 104, 51.09, nil])),
    ], measure: "capaian")
}

/// Three series over three years: rising, with a gap, flat.
private func trenTable() throws -> Table {
    try Table(name: "t", columns: [
        ("indikator", .text(["A", "A", "A", "B", "B", "C", "C", "C"])),
        ("tahun", .int([2021, 2022, 2023, 2021, 2023, 2021, 2022, 2023])),
        ("capaian", .double([10, 20, 30, 50, 40, 100, 100, 100])),
    ], measure: "capaian")
}

private func result(_ query: String, _ tables: [Table]) throws -> QueryResult {
    try #require(try Engine(tables: tables).run(query).last)
}

private func draw(_ r: QueryResult, width: Int? = 40, unicode: Bool = true, locale: ResultFormatter.Locale = .english) -> String {
    ResultFormatter(format: .table, width: width, unicode: unicode, locale: locale).render(r)
}

private func failure(_ query: String, _ tables: [Table]) -> LKQError? {
    do { _ = try Engine(tables: tables).run(query, sourceName: "q"); return nil } catch { return error }
}

@Suite struct BarChartTests {
    @Test func dataIsLabelAndMeasure() throws {
        let r = try result("c | bar", [capaianTable()])
        #expect(r.fields.map(\.name) == ["indikator", "capaian"])
        #expect(r.rows.map { $0[1] } == [.double(98.4), .double(104), .double(51.09), .null])
        #expect(r.chart == .bar(label: 0, measure: 1, target: 100))
        // One expression alone: a number is the measure, text the label.
        #expect(try result("c | bar capaian * 2", [capaianTable()]).fields.map(\.name) == ["indikator", "capaian * 2"])
        // A measure named for capaian is drawn against 100.
        #expect(try result("c | bar round(capaian)", [capaianTable()]).chart == .bar(label: 0, measure: 1, target: 100))
        #expect(try result("c | bar upper(indikator)", [capaianTable()]).fields.map(\.name) == ["upper(indikator)", "capaian"])
        #expect(try result("c | bar indikator, capaian", [capaianTable()]).rowCount == 4)
    }

    @Test func drawsAgainstTheTargetInUnicode() throws {
        #expect(draw(try result("c | bar indikator capaian", [capaianTable()])) == """
            indikator                  100   capaian
            ───────────────  ────────────┬─  ───────
            Desa mandiri     ███████████▊│     98.40
            BUMDes aktif d…  ████████████▌    104.00
            Posyandu         ██████▏     │     51.09
            Lembaga adat                 │      null
            (4 rows)

            """)
    }

    @Test func drawsInASCII() throws {
        #expect(draw(try result("c | bar indikator capaian", [capaianTable()]), unicode: false) == """
            indikator                  100   capaian
            ---------------  ------------+-  -------
            Desa mandiri     ############|     98.40
            BUMDes aktif d~  ############|    104.00
            Posyandu         ######      |     51.09
            Lembaga adat                 |      null
            (4 rows)

            """)
    }

    @Test func negativeValuesGrowLeftOfZero() throws {
        let t = try Table(name: "n", columns: [("k", .text(["naik", "turun", "nol"])), ("v", .int([-50, 150, 0]))])
        // No default measure: the table's one number column.
        #expect(try result("n | bar", [t]).chart == .bar(label: 0, measure: 1, target: nil))
        #expect(draw(try result("n | bar", [t]), width: 30) == """
            k                            v
            ─────  ──────────────────  ───
            naik   █████               -50
            turun       █████████████  150
            nol                          0
            (3 rows)

            """)
    }

    @Test func narrowWidthsDoNotBreak() throws {
        let r = try result("c | bar", [capaianTable()])
        for width in [20, 10, 1, 0] {
            for unicode in [true, false] {
                let lines = draw(r, width: width, unicode: unicode).split(separator: "\n")
                #expect(lines.count == 7)
                #expect(lines.last == "(4 rows)")
            }
        }
        // At 20 columns everything still fits.
        #expect(draw(r, width: 20).split(separator: "\n").allSatisfy { $0.count <= 20 })
    }

    @Test func machineFormatsPrintTheData() throws {
        let r = try result("c | bar", [capaianTable()])
        #expect(ResultFormatter(format: .csv).render(r) == "indikator,capaian\nDesa mandiri,98.4\nBUMDes aktif dan berkembang,104\nPosyandu,51.09\nLembaga adat,\n")
        #expect(ResultFormatter(format: .json).render(r).hasPrefix("[\n{\"indikator\":\"Desa mandiri\",\"capaian\":98.4},"))
        #expect(!ResultFormatter(format: .markdown).render(r).contains("█"))
    }

    @Test func laterStagesThatPickRowsKeepThePicture() throws {
        let sorted = try result("c | bar | sort capaian desc | limit 2", [capaianTable()])
        #expect(sorted.chart != nil)
        #expect(sorted.rows.map { $0[0] } == [.text("BUMDes aktif dan berkembang"), .text("Desa mandiri")])
        #expect(try result("c | bar | select indikator", [capaianTable()]).chart == nil)
    }

    @Test func errorsAreLocatedAtTheStage() throws {
        let noText = try Table(name: "x", columns: [("v", .int([1]))], measure: "v")
        let e = try #require(failure("x | bar", [noText]))
        #expect(e.kind == .name)
        #expect(e.column == 5)
        #expect(e.message.contains("no text column"))
        let twoNumbers = try Table(name: "y", columns: [("k", .text(["a"])), ("v", .int([1])), ("w", .int([2]))])
        #expect(failure("y | bar", [twoNumbers])?.message.contains("no default measure") == true)
        #expect(try failure("c | bar indikator indikator", [capaianTable()])?.kind == .name)
        #expect(try failure("c | bar capaian indikator", [capaianTable()])?.kind == .type)
        #expect(try failure("c | bar indikator, ", [capaianTable()])?.kind == .syntax)
    }

    @Test func columnsNamedLikeChartStagesStillWork() throws {
        let t = try Table(name: "b", columns: [("bar", .text(["x", "y"])), ("spark", .int([1, 2]))])
        #expect(try result("b where bar = \"y\" | select spark", [t]).rows == [[.int(2)]])
        #expect(try result("b | bar bar spark", [t]).fields.map(\.name) == ["bar", "spark"])
    }
}

@Suite struct SparkChartTests {
    @Test func pivotsYearsIntoColumns() throws {
        let r = try result("t | spark", [trenTable()])
        #expect(r.fields.map(\.name) == ["indikator", "2021", "2022", "2023"])
        #expect(r.rows == [
            [.text("A"), .double(10), .double(20), .double(30)],
            [.text("B"), .double(50), .null, .double(40)],
            [.text("C"), .double(100), .double(100), .double(100)],
        ])
        #expect(r.chart == .spark(labels: [0], years: [1, 2, 3]))
        // Years in ascending order whatever the order of rows; series in order of appearance.
        let reversed = try result("t | sort capaian desc | spark capaian by tahun", [trenTable()])
        #expect(reversed.fields.map(\.name) == ["indikator", "2021", "2022", "2023"])
        #expect(reversed.rows.map { $0[0] } == [.text("C"), .text("B"), .text("A")])
    }

    @Test func drawsSparklinesInUnicodeAndASCII() throws {
        let r = try result("t | spark", [trenTable()])
        #expect(draw(r) == """
            indikator  2021–2023     first      last
            ─────────  ─────────  ────────  ────────
            A          ▁▅█        2021  10  2023  30
            B          █ ▁        2021  50  2023  40
            C          ▄▄▄        2021 100  2023 100
            (3 rows)

            """)
        #expect(draw(r, unicode: false) == """
            indikator  2021-2023     first      last
            ---------  ---------  --------  --------
            A          _-^        2021  10  2023  30
            B          ^ _        2021  50  2023  40
            C          ---        2021 100  2023 100
            (3 rows)

            """)
    }

    @Test func narrowWidthsDoNotBreak() throws {
        let r = try result("t | spark", [trenTable()])
        for width in [20, 10, 1] {
            let lines = draw(r, width: width).split(separator: "\n")
            #expect(lines.count == 6)
            #expect(lines[2].contains("▁▅█"))
        }
    }

    @Test func machineFormatsPrintThePivot() throws {
        let r = try result("t | spark", [trenTable()])
        #expect(ResultFormatter(format: .csv).render(r) == "indikator,2021,2022,2023\nA,10,20,30\nB,50,,40\nC,100,100,100\n")
        #expect(ResultFormatter(format: .json).render(r).contains("{\"indikator\":\"B\",\"2021\":50,\"2022\":null,\"2023\":40}"))
    }

    @Test func emptyInputGivesNoSeries() throws {
        let r = try result("t where tahun > 3000 | spark", [trenTable()])
        #expect(r.rowCount == 0)
        #expect(r.fields.map(\.name) == ["indikator"])
        #expect(draw(r).hasSuffix("(0 rows)\n"))
    }

    @Test func errors() throws {
        let noYear = try Table(name: "d", columns: [("k", .text(["a"])), ("v", .double([1]))], measure: "v")
        let e = try #require(failure("d | spark", [noYear]))
        #expect(e.kind == .name)
        #expect(e.message.contains("no year column"))
        #expect(e.column == 5)
        // Two values for one series and year.
        let twice = try #require(failure("t | select tahun, capaian | spark", [trenTable()]))
        #expect(twice.kind == .type)
        #expect(twice.message.contains("more than one value for 2021"))
        // A column with too many values to be a year.
        let many = try Table(name: "m", columns: [("id", .int((0..<500).map { Int64($0) })), ("v", .double((0..<500).map { Double($0) }))],
                             measure: "v")
        let tooMany = try #require(failure("m | spark v by id", [many]))
        #expect(tooMany.message.contains("500 different values"))
        #expect(try failure("t | spark indikator", [trenTable()])?.kind == .type)
    }
}

@Suite struct LocaleFormatTests {
    private func amounts() throws -> QueryResult {
        try QueryResult(columns: [
            ("uraian", .text(["Belanja Pegawai", "Koreksi", "Belum ada"])),
            ("pagu", .int([9_051_591_780, -1_234, nil])),
            ("jumlah", .int([1_476, -5, nil])),
            ("persen", .double([98.4, -0.25, nil])),
            ("tahun", .int([2023, 2022, nil])),
        ], rupiah: ["pagu"])
    }

    @Test func englishIsTheDefault() throws {
        #expect(ResultFormatter(format: .table).render(try amounts()) == """
            uraian                    pagu  jumlah  persen  tahun
            ───────────────  ─────────────  ──────  ──────  ─────
            Belanja Pegawai  9,051,591,780   1,476   98.40   2023
            Koreksi                 -1,234      -5   -0.25   2022
            Belum ada                 null    null    null   null
            (3 rows)

            """)
    }

    @Test func indonesianTable() throws {
        #expect(ResultFormatter(format: .table, locale: .indonesian).render(try amounts()) == """
            uraian                      pagu  jumlah  persen  tahun
            ───────────────  ───────────────  ──────  ──────  ─────
            Belanja Pegawai  Rp9.051.591.780   1.476   98,40   2023
            Koreksi                 -Rp1.234      -5   -0,25   2022
            Belum ada                   null    null    null   null
            (3 rows)

            """)
        let many = try QueryResult(columns: [("n", .int(Array(repeating: 1, count: 1_234)))])
        #expect(ResultFormatter(format: .table, locale: .indonesian).render(many).hasSuffix("(1.234 rows)\n"))
    }

    @Test func indonesianMarkdownButNotCSVOrJSON() throws {
        let r = try amounts()
        #expect(ResultFormatter(format: .markdown, locale: .indonesian).render(r).contains("| Belanja Pegawai | Rp9.051.591.780 | 1.476 | 98,40 | 2023 |"))
        #expect(ResultFormatter(format: .csv, locale: .indonesian).render(r) == ResultFormatter(format: .csv).render(r))
        #expect(ResultFormatter(format: .json, locale: .indonesian).render(r) == ResultFormatter(format: .json).render(r))
    }

    @Test func chartsWriteNumbersInTheLocale() throws {
        let r = try result("t | spark", [trenTable()])
        #expect(draw(r, locale: .indonesian).contains("2021  10  2023  30"))
        let c = try result("c | bar", [capaianTable()])
        #expect(draw(c, locale: .indonesian).contains("98,40"))
    }
}

@Suite struct RupiahTests {
    private func rupiah(_ query: String) throws -> [String: Bool] {
        let r = try #require(try Engine().run(query).last)
        return Dictionary(uniqueKeysWithValues: r.fields.map { ($0.name, $0.isRupiah) })
    }

    @Test func builtInAmountsAreRupiah() throws {
        let anggaran = try #require(Engine().table(named: "anggaran"))
        #expect(anggaran.fields.filter(\.isRupiah).map(\.name) == ["pagu", "realisasi"])
        #expect(try #require(Engine().table(named: "belanja")).fields.filter(\.isRupiah).map(\.name) == ["pagu", "realisasi"])
        #expect(try #require(Engine().table(named: "desa")).fields.allSatisfy { !$0.isRupiah })
    }

    @Test func survivesSelectAggregatesAndGroupKeys() throws {
        #expect(try rupiah("anggaran | select kode, pagu, realisasi * 100 / pagu as serapan")
                == ["kode": false, "pagu": true, "serapan": false])
        #expect(try rupiah("anggaran | sum pagu") == ["sum_pagu": true])
        #expect(try rupiah("anggaran | max realisasi") == ["max_realisasi": true])
        #expect(try rupiah("anggaran | avg pagu") == ["avg_pagu": false])
        #expect(try rupiah("anggaran | count pagu") == ["count_pagu": false])
        #expect(try rupiah("anggaran | group by pagu, level sum(realisasi) as r, min(pagu), avg(pagu), count()")
                == ["pagu": true, "level": false, "r": true, "min_pagu": true, "avg_pagu": false, "count": false])
        #expect(try rupiah("anggaran | select pagu - realisasi as sisa, -pagu as minus, pagu + 1 as lebih, pagu * 2 as dua")
                == ["sisa": true, "minus": true, "lebih": true, "dua": false])
        #expect(try rupiah("let a = anggaran | select pagu; a | select pagu") == ["pagu": true])
        #expect(try rupiah("anggaran | bar kode pagu") == ["kode": false, "pagu": true])
    }

    @Test func namesOfCSVColumns() {
        let names = ["opd", "pagu", "realisasi", "tahun_anggaran", "nilai_anggaran"]
        #expect(Field.looksLikeRupiah("pagu", besides: names))
        #expect(Field.looksLikeRupiah("realisasi", besides: names))
        #expect(Field.looksLikeRupiah("nilai_anggaran", besides: names))
        #expect(Field.looksLikeRupiah("total_rupiah", besides: []))
        #expect(!Field.looksLikeRupiah("tahun_anggaran", besides: names))
        #expect(!Field.looksLikeRupiah("kode_anggaran", besides: names))
        #expect(!Field.looksLikeRupiah("realisasi", besides: ["realisasi", "target"]))
        #expect(!Field.looksLikeRupiah("opd", besides: names))
        // Only integers are amounts.
        #expect(!Field(name: "pagu", type: .double, isRupiah: true).isRupiah)
    }
}
