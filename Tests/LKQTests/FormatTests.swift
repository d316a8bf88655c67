import Testing
import LKQ

/// A small result shaped like `anggaran`: text, rupiah integers, a percentage, a null.
private func sample() throws -> QueryResult {
    try QueryResult(columns: [
        ("uraian", .text(["Program Penunjang Urusan", "Program \"Desa\", Kelurahan", nil])),
        ("pagu", .int([9_051_591_780, 250_000, -1_234])),
        ("persen", .double([95.5, 100, nil])),
    ])
}

@Suite struct TableFormatTests {
    @Test func alignsAndGroupsThousands() throws {
        let text = ResultFormatter(format: .table).render(try sample())
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The persen column needs one decimal (95.5), so every value in it gets one.
        #expect(lines[0] == "uraian                              pagu  persen")
        #expect(lines[1].hasPrefix("──────"))
        #expect(lines[2] == "Program Penunjang Urusan   9,051,591,780    95.5")
        #expect(lines[3] == "Program \"Desa\", Kelurahan        250,000   100.0")
        #expect(lines[4] == "null                              -1,234    null")
        #expect(lines[5] == "(3 rows)")
    }

    @Test func yearsAndNumbersInAListAreNotGrouped() throws {
        let r = try QueryResult(columns: [("tahun", .int([2023])), ("no", .int([1200])), ("jumlah", .int([3442]))])
        let lines = ResultFormatter(format: .table).render(r).split(separator: "\n").map(String.init)
        #expect(lines[2] == " 2023  1200   3,442")
    }

    @Test func tooManyColumnsLeavesTheLastOutAndNamesThem() throws {
        let r = try QueryResult(columns: (1...12).map { ("kolom_\($0)", Table.Values.text(["teks yang cukup panjang \($0)"])) })
        let lines = ResultFormatter(format: .table, width: 80).render(r).split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.count <= 80 }, "\(lines)")
        #expect(lines[0].hasPrefix("kolom_1 "))
        #expect(lines[3] == "(1 row)")
        #expect(lines[4].hasPrefix("8 more columns (select them, or use csv): kolom_5, kolom_6"))
        // Without a width nothing is left out.
        #expect(ResultFormatter(format: .table).render(r).split(separator: "\n").count == 4)
    }

    @Test func oneRowFooterAndAggregate() throws {
        let r = try QueryResult(columns: [("count", .int([9]))])
        #expect(ResultFormatter().render(r) == "count\n─────\n    9\n(1 row)\n")
    }

    @Test func cutsWidestTextToWidth() throws {
        let r = try QueryResult(columns: [
            ("a", .text(["short", "x"])),
            ("b", .text([String(repeating: "panjang ", count: 10), "y"])),
            ("n", .int([1, 2])),
        ])
        let text = ResultFormatter(format: .table, width: 30).render(r)
        for line in text.split(separator: "\n") { #expect(line.count <= 30) }
        #expect(text.contains("…"))
        #expect(text.contains("short"))
    }

    @Test func colorOnlyWhenAsked() throws {
        #expect(!ResultFormatter().render(try sample()).contains("\u{1B}"))
        let colored = ResultFormatter(format: .table, color: true).render(try sample())
        #expect(colored.contains("\u{1B}[1m"))
        #expect(colored.contains("\u{1B}[2mnull"))
    }

    @Test func decimalsKeepWhatIsSignificant() throws {
        let r = try QueryResult(columns: [("x", .double([83.333333, 0.0042, 12]))])
        let text = ResultFormatter().render(r)
        #expect(text.contains("83.3333"))
        #expect(text.contains("0.0042"))
        let whole = try QueryResult(columns: [("x", .double([1500, 2]))])
        #expect(ResultFormatter().render(whole).contains("1,500\n"))
    }

    @Test func controlCharactersAreHarmless() throws {
        let r = try QueryResult(columns: [("t", .text(["a\u{1B}[31mb\nc"]))])
        #expect(!ResultFormatter().render(r).contains("\u{1B}"))
    }

    @Test func emptyResult() throws {
        let r = try QueryResult(columns: [("a", .int([]))])
        #expect(ResultFormatter().render(r) == "a\n─\n(0 rows)\n")
    }
}

@Suite struct MachineFormatTests {
    @Test func csvQuotesAndNulls() throws {
        let text = ResultFormatter(format: .csv).render(try sample())
        #expect(text == """
            uraian,pagu,persen
            Program Penunjang Urusan,9051591780,95.5
            "Program ""Desa"", Kelurahan",250000,100
            ,-1234,

            """)
    }

    @Test func csvEmptyStringDiffersFromNull() throws {
        let r = try QueryResult(columns: [("a", .text(["", nil, "line\nbreak"]))])
        #expect(ResultFormatter(format: .csv).render(r) == "a\n\"\"\n\n\"line\nbreak\"\n")
    }

    @Test func jsonRowsInColumnOrder() throws {
        let text = ResultFormatter(format: .json).render(try sample())
        #expect(text == """
            [
            {"uraian":"Program Penunjang Urusan","pagu":9051591780,"persen":95.5},
            {"uraian":"Program \\"Desa\\", Kelurahan","pagu":250000,"persen":100},
            {"uraian":null,"pagu":-1234,"persen":null}
            ]

            """)
    }

    @Test func jsonEscapesAndExactInts() throws {
        let r = try QueryResult(columns: [
            ("s", .text(["tab\there\\ \u{01} \u{2028} é"])),
            ("big", .int([Int64.max])),
            ("d", .double([nil])),
        ])
        let text = ResultFormatter(format: .json).render(r)
        #expect(text == "[\n{\"s\":\"tab\\there\\\\ \\u0001 \\u2028 é\",\"big\":9223372036854775807,\"d\":null}\n]\n")
        // NaN never gets as far as a result to print.
        #expect(throws: LKQError.self) { try QueryResult(columns: [("d", .double([Double.nan]))]) }
        let empty = try QueryResult(columns: [("a", .int([]))])
        #expect(ResultFormatter(format: .json).render(empty) == "[]\n")
    }

    @Test func markdownTable() throws {
        let r = try QueryResult(columns: [("kode", .text(["1.02|x"])), ("pagu", .int([1_500_000]))])
        #expect(ResultFormatter(format: .markdown).render(r) == """
            | kode | pagu |
            | --- | ---: |
            | 1.02\\|x | 1,500,000 |

            """)
    }
}
