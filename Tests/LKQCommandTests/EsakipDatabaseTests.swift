import Foundation
import Testing

/// Examples/esakip against a real PostgreSQL server: WP Eval SAKIP's tables (schema.sql) with
/// the built-in LKIP 2023 data in them (seed.sql) and LKQ's tables as views (views.sql, in
/// schema `lkq`). Queries through the views print byte for byte what they print on the
/// built-in data, and the README's `--db` session is this server's real output.
@Suite(.serialized) struct EsakipDatabaseTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/esakip")

    /// The server with the three files applied, as the README tells an agency to.
    static let shared: Result<ServedPostgres, any Error> = Result {
        let setup = try ["schema.sql", "seed.sql", "views.sql"].map {
            try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)
        }
        return try ServedPostgres(tables: [], setup: setup)
    }

    /// The URL with the views' schema first in the search path, which is the schema
    /// `lkq --db` reads.
    static func url() throws -> String {
        let server = try shared.get()
        try #require(server.url.hasPrefix("postgresql://"), "the server did not start")
        return server.url + "&options=-csearch_path%3Dlkq"
    }

    /// Each feature over the views: kategori and the default measure, filters, grouping,
    /// polarity, the history columns, money by level, and a join of kegiatan and anggaran.
    /// `efisiensi` is spelled out as its query (the built-in view of that name is computed from
    /// the built-in tables). Every query sorts where a database may return rows in any order.
    static let queries = [
        "capaian | group by kategori(capaian) count()",
        "capaian where < 75 | select sasaran, no, indikator, capaian",
        "capaian | select sasaran, no, polaritas, hitung_capaian(realisasi, target, polaritas) as dihitung, capaian, indikator_induk",
        "capaian | select indikator, capaian_2018, capaian_2021, capaian_2022, target_2022, realisasi_2022, round(capaian - capaian_2022, 2) as selisih | sort selisih",
        "kegiatan | group by program, kategori(capaian) count() as n",
        "anggaran where level = \"program\" | select kode, uraian, pagu, realisasi, persen | sort persen",
        "anggaran where level = \"subkegiatan\" | group by induk count() as n, sum(pagu) as pagu, sum(realisasi) as realisasi | sort induk",
        "anggaran where level = \"kegiatan\" | group by induk as program sum(pagu) as pagu, round(sum(realisasi) * 100 / sum(pagu), 2) as serapan | sort serapan",
        "anggaran where level = \"subkegiatan\" and realisasi * 2 < pagu | select kode, uraian, pagu, realisasi, persen | sort kode",
        "kegiatan | join anggaran on kode | select program, kegiatan, no, indikator, target, realisasi, capaian, kode, pagu, anggaran_realisasi as realisasi_anggaran, persen as serapan, round(capaian - persen, 2) as selisih | sort program, no, kode",
        "kegiatan | join anggaran on kode | group by kode sum(capaian) as jumlah_capaian, max(persen) as serapan | where jumlah_capaian < serapan | sort kode",
        "audit | count",
    ]

    @Test func viewsAnswerAsTheBuiltInTables() throws {
        let url = try Self.url()
        for q in Self.queries {
            let local = try lkq(["-f", "csv", "-e", q])
            let remote = try lkq(["--db", url, "-f", "csv", "-e", q])
            #expect(local.status == 0, "\(q): \(local.stderr)")
            #expect(remote.status == 0 && remote.stderr.isEmpty, "\(q): \(remote.stderr)")
            #expect(remote.stdout == local.stdout, "\(q)\n--- database\n\(remote.stdout)--- built-in\n\(local.stdout)")
        }
        // Whole tables too, in the built-in order, which the views keep.
        for table in ["capaian", "kegiatan", "anggaran"] {
            let q = "\(table) | sort " + (table == "anggaran" ? "kode" : "indikator")
            #expect(try lkq(["--db", url, "-f", "csv", "-e", q]).stdout == (try lkq(["-f", "csv", "-e", q])).stdout, "\(table)")
        }
    }

    /// The views have the built-in tables' columns, in order and with LKQ's types.
    @Test func viewsHaveTheBuiltInColumns() throws {
        let url = try Self.url()
        for table in ["capaian", "kegiatan", "anggaran"] {
            let q = "\(table) | sort " + (table == "anggaran" ? "kode" : "indikator") + " | limit 1"
            let local = try lkq(["-f", "json", "-e", q])
            let remote = try lkq(["--db", url, "-f", "json", "-e", q])
            #expect(remote.stdout == local.stdout, "\(table)\n\(remote.stdout)\n\(local.stdout)")
        }
    }

    /// The README's session ("### On a database") is what this server prints, once its
    /// placeholder address is this server's.
    @Test func readmeSessionIsReal() throws {
        let server = try Self.shared.get()
        let examples = ReadmeTests.allExamples().filter { $0.command.contains("--db") }
        #expect(examples.count >= 2)
        let placeholder = "postgresql://analis@db.bappeda.local/esakip?"
        for example in examples {
            #expect(example.command.contains(placeholder), "\(example.command)")
            let command = example.command.replacingOccurrences(of: placeholder, with: server.url + "&")
            let text = try ReadmeTests.output(of: command)
            #expect(text == example.expected, "\(example.command)\n--- got\n\(text)")
        }
    }
}
