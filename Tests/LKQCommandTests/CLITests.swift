import Foundation
import Testing

/// The `lkq` command run as a subprocess, as scripts and pipes use it.
@Suite struct CLITests {
    /// `lkq -e audit` lists the report's inconsistencies and exits 0; JSON gives the same rows.
    @Test func auditListsTheReportsInconsistencies() throws {
        let csv = try lkq(["--format", "csv", "-e", "audit"])
        #expect(csv.status == 0)
        #expect(csv.stderr == "")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "id,klaim,sumber,dinyatakan,dihitung,selisih,status,catatan")
        #expect(lines.count > 10)
        #expect(lines.dropFirst().allSatisfy { $0.contains(",berbeda,") })
        let json = try lkq(["--format", "json", "-e", "audit"])
        #expect(json.status == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.count == lines.count - 1)
        #expect(rows?.first?["id"] as? String == lines[1].split(separator: ",").first.map(String.init))
    }

    /// A join that multiplies its rows stops at the join with a located error past
    /// --max-join-rows (100 million by default), and --max-memory past its size; a join under
    /// the row limit runs.
    @Test func joinRowAndMemoryLimits() throws {
        let many = try lkq(["--max-join-rows", "1000", "-e", "anggaran | join anggaran on level | count"])
        #expect(many.status == 1 && many.stderr.contains("-e:1:12: error: the join would make more than 1000 rows"), "\(many.stderr)")
        let fits = try lkq(["--max-join-rows", "1000", "-f", "csv", "-e", "kegiatan | join anggaran on kode | count"])
        #expect(fits.status == 0 && fits.stdout == "count\n9\n", "\(fits.stdout)\(fits.stderr)")
        let bad = try lkq(["--max-join-rows", "lots", "-e", "capaian | count"])
        #expect(bad.status != 0 && bad.stderr.contains("--max-join-rows needs a number of rows"), "\(bad.stderr)")
        // 20,000 rows of one key joined to themselves: 400 million pairs, far past 64 MB.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lkq-satu-\(getpid()).csv")
        try ("k\n" + String(repeating: "1\n", count: 20_000)).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let table = file.deletingPathExtension().lastPathComponent.replacingOccurrences(of: "-", with: "_")
        let memory = try lkq(["--no-cache", "--max-join-rows", "off", "--max-memory", "64M", "--data", file.path,
                              "-e", "\(table) | join \(table) on k | count"])
        #expect(memory.status == 1 && memory.stderr.contains("exceeded its budget of 64 MB of memory"), "\(memory.stderr)")
    }

    @Test func pipedStdinRunsAsScriptWithoutPrompt() throws {
        let run = try lkq([], input: "capaian | count\n")
        #expect(run.stdout == "count\n9\n")
        #expect(run.stderr == "")
        #expect(run.status == 0)
    }

    /// The data is compiled in: a copy of the binary alone in an empty folder still answers.
    @Test func binaryCopiedAloneKeepsItsData() throws {
        let dir = TempDir()
        let copy = dir.path + "/lkq"
        // Copied by cp, not by this process: a file this process holds open for writing can be
        // inherited by a child another test forks at that moment, and then exec fails with
        // "Text file busy".
        let cp = try runProgram("/bin/cp", [Binary.path, copy])
        #expect(cp.status == 0)
        let run = try runProgram(copy, ["--format", "json", "-e", "capaian where sasaran=2 and < 75 | select capaian"], cwd: dir.path)
        #expect(run.status == 0)
        #expect(run.stdout == "[\n{\"capaian\":51.09},\n{\"capaian\":37.74}\n]\n")
    }

    /// The embedding example under Examples/Embed runs and prints what its comments promise.
    @Test func embeddingExampleRuns() throws {
        let example = URL(fileURLWithPath: Binary.path).deletingLastPathComponent().appendingPathComponent("lkq-embed-example")
        let run = try runProgram(example.path, [])
        let text = run.stdout
        #expect(run.status == 0)
        #expect(text.hasPrefix("51.09 Prosentase perubahan status desa minimal berkembang\n37.74 "))
        #expect(text.contains("sub kegiatan under 50%: 7\n"))
        #expect(text.contains("budget: limit query stopped: it exceeded its budget of 100 rows produced"))
        #expect(text.contains("example:1:15: error: unknown column 'sasran' in capaian; did you mean 'sasaran'?"))
    }

    @Test func helpListsOptionsAndStatuses() throws {
        let run = try lkq(["--help"])
        #expect(run.status == 0)
        for option in ["--execute", "--format", "--data", "--locale", "--skip-bad-rows", "--no-cache", "--bail", "--version", "exit status"] {
            #expect(run.stdout.contains(option), "missing \(option)")
        }
        #expect(try lkq(["--version"]).stdout.hasPrefix("lkq "))
    }

    @Test(arguments: [["--bogus"], ["--format"], ["--format", "xml"], ["--locale", "fr"], ["missing-file.lkq"], ["--bail=yes"]])
    func usageErrorsExitTwo(_ arguments: [String]) throws {
        let run = try lkq(arguments)
        #expect(run.status == 2)
        #expect(run.stderr.contains("try 'lkq --help'"))
        #expect(run.stdout == "")
    }

    @Test func errorInScriptNamesFileLineAndColumn() throws {
        let dir = TempDir()
        dir.write("laporan.lkq", "# capaian per sasaran\ncapaian | count\ncapaian | limit lima\n")
        let run = try lkq(["laporan.lkq"], cwd: dir.path)
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("laporan.lkq:3:17: error:"), "\(run.stderr)")
        #expect(run.stderr.contains("\n    capaian | limit lima\n                    ^"))
        #expect(run.stdout == "count\n9\n")
    }

    @Test func scriptsMayUseDotCommands() throws {
        let dir = TempDir()
        dir.write("realisasi.csv", "pemda,pagu\nKupang,100\nEnde,250\n")
        dir.write("bagian.lkq", "desa | count\n")
        dir.write("laporan.lkq", """
            .load realisasi.csv as r
            .mode json
            r | sum pagu
            .read bagian.lkq
            .bogus
            r where x = 1
            """)
        let run = try lkq(["laporan.lkq"], cwd: dir.path)
        #expect(run.stdout == "[\n{\"sum_pagu\":350}\n]\n[\n{\"count\":22}\n]\n", "\(run.stdout)")
        #expect(run.stderr.hasPrefix("laporan.lkq:5:1: error: unknown command '.bogus'"), "\(run.stderr)")
        #expect(run.stderr.contains("laporan.lkq:6:9: error: unknown column 'x'"), "\(run.stderr)")
        #expect(run.status == 1)
        let bail = try lkq(["--bail", "laporan.lkq"], cwd: dir.path)
        #expect(!bail.stderr.contains("unknown column"))
        dir.write("diri.lkq", ".read diri.lkq\n")
        let loop = try lkq(["diri.lkq"], cwd: dir.path)
        #expect(loop.status == 1)
        #expect(loop.stderr.contains("nested more than"))
    }

    @Test func scriptsGoOnAfterAnErrorUnlessBail() throws {
        let dir = TempDir()
        let script = dir.write("dua.lkq", "#!/usr/bin/env lkq\ncapaian | limit x\ncapaian | count\n")
        let goOn = try lkq([script])
        #expect(goOn.status == 1)
        #expect(goOn.stdout == "count\n9\n")
        #expect(goOn.stderr.hasPrefix(script + ":2:17: error:"), "\(goOn.stderr)")
        let bail = try lkq(["--bail", script, "-e", "capaian | count"])
        #expect(bail.status == 1)
        #expect(bail.stdout == "")
    }

    @Test func expressionsShareOneSession() throws {
        let run = try lkq(["-e", "let rendah = capaian where realisasi < target", "-e", "rendah | count"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("count\n"))
        let bad = try lkq(["-e", "capaian where sasran = 1"])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("-e:1:15: error:"), "\(bad.stderr)")
    }

    @Test func formats() throws {
        let json = try lkq(["--format", "json", "-e", "capaian | count"])
        #expect(json.stdout == "[\n{\"count\":9}\n]\n")
        let markdown = try lkq(["--format=markdown", "-e", "capaian | count"])
        #expect(markdown.stdout == "| count |\n| ---: |\n| 9 |\n")
        let table = try lkq(["-f", "table", "-e", "capaian | count"], environment: utf8)
        #expect(table.stdout == "count\n─────\n    9\n(1 row)\n")
    }

    /// A UTF-8 locale, whatever the locale the tests run in.
    let utf8 = ["LANG": "C.UTF-8", "LC_ALL": "", "LC_CTYPE": "", "TERM": "xterm"]

    @Test func chartsDrawInTheTableFormatOnly() throws {
        let bar = try lkq(["-f", "table", "-e", "capaian | bar indikator capaian"], environment: utf8.merging(["COLUMNS": "60"]) { $1 })
        #expect(bar.status == 0, "\(bar.stderr)")
        #expect(bar.stdout.contains("Peningkatan Jumlah BUMde…  █████████████████████▋│     98.40"), "\(bar.stdout)")
        #expect(bar.stdout.split(separator: "\n").allSatisfy { $0.count <= 60 })
        // A locale that is not UTF-8, or a dumb terminal: ASCII.
        for env in [["LANG": "C"], ["LC_ALL": "id_ID.ISO-8859-1"], ["TERM": "dumb"]] {
            let ascii = try lkq(["-f", "table", "-e", "tren | spark"], environment: utf8.merging(env) { $1 })
            #expect(ascii.stdout.contains("2018-2023"), "\(env): \(ascii.stdout)")
            #expect(ascii.stdout.unicodeScalars.allSatisfy { $0.isASCII }, "\(env): \(ascii.stdout)")
        }
        let spark = try lkq(["-f", "table", "-e", "tren | spark"], environment: utf8)
        #expect(spark.stdout.contains("2018–2023"))
        #expect(spark.stdout.contains("1a  ██▅▁▃▁     2018 184.58  2023  98.40"), "\(spark.stdout)")
        // Off a terminal the default format is csv: the data, not a picture.
        let csv = try lkq(["-e", "capaian | bar indikator capaian"], environment: utf8)
        #expect(csv.stdout.hasPrefix("indikator,capaian\nPeningkatan Jumlah BUMdes Aktif,98.4\n"))
        let json = try lkq(["-f", "json", "-e", "tren where no = \"5\" | spark"], environment: utf8)
        #expect(json.stdout == "[\n{\"sasaran\":1,\"indikator\":\"Prosentase Lembaga Adat desa yang difasilitasi\",\"no\":\"5\",\"2021\":90.91,\"2022\":395.26,\"2023\":100}\n]\n")
    }

    @Test func localeIdPrintsNumbersTheIndonesianWay() throws {
        let query = "anggaran where level = \"program\" | select kode, pagu, persen | limit 2"
        let id = try lkq(["--locale", "id", "-f", "table", "-e", query], environment: utf8)
        #expect(id.stdout == """
            kode                pagu  persen
            ───────  ───────────────  ──────
            2.13.01  Rp7.430.570.290   89,32
            2.13.02     Rp44.132.080   70,67
            (2 rows)

            """, "\(id.stdout)")
        let en = try lkq(["--locale", "en", "-f", "table", "-e", query], environment: utf8)
        #expect(en.stdout.contains("2.13.01  7,430,570,290   89.32"), "\(en.stdout)")
        // csv stays machine-readable.
        let csv = try lkq(["--locale", "id", "-e", query])
        #expect(csv.stdout == "kode,pagu,persen\n2.13.01,7430570290,89.32\n2.13.02,44132080,70.67\n")
        // A script can switch with .locale.
        let script = try lkq(["-f", "table"], input: ".locale id\ncapaian where no = \"1a\" | select realisasi, capaian\n.locale en\ncapaian where no = \"1a\" | select realisasi, capaian\n.locale xx\n", environment: utf8)
        #expect(script.stdout.contains("    1.476     98,4\n"), "\(script.stdout)")
        #expect(script.stdout.contains("    1,476     98.4\n"), "\(script.stdout)")
        #expect(script.stderr.contains("<stdin>:5:1: error: unknown locale 'xx'"), "\(script.stderr)")
        #expect(script.status == 1)
        // In a CSV file of one's own, pagu and realisasi beside it are rupiah by their names.
        let dir = TempDir()
        dir.write("r.csv", "opd,pagu,realisasi,jumlah\nDinas A,1500000,-750000,1476\n")
        let own = try lkq(["--no-cache", "--locale", "id", "--data", dir.path, "-f", "table", "-e", "r"], environment: utf8)
        #expect(own.stdout.contains("Dinas A  Rp1.500.000  -Rp750.000   1.476\n"), "\(own.stdout)")
        // .schema tells rupiah columns from other integers.
        let schema = try lkq([], input: ".schema anggaran\n")
        #expect(schema.stdout.contains("\npagu,pagu,rupiah,0,\"\"\nrealisasi,realisasi,rupiah,0,\"\"\n"), "\(schema.stdout)")
    }

    @Test func dataDirectoryAddsTables() throws {
        let dir = TempDir()
        dir.write("realisasi.csv", "kode,nilai\nA,10\nB,32\n")
        let run = try lkq(["--data", dir.path, "-e", "realisasi | sum nilai", "-e", "capaian | count"],
                          environment: ["LKQ_CACHE_DIR": dir.path + "/cache"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "sum_nilai\n42\n\ncount\n9\n")
    }

    @Test func badRowsFailOrAreSkippedWithAWarning() throws {
        let dir = TempDir()
        dir.write("t.csv", "a,b\n1,2\n3\n4,5\n")
        let strict = try lkq(["--no-cache", "--data", dir.path, "-e", "t | count"])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("t.csv:3:"), "\(strict.stderr)")
        let lenient = try lkq(["--no-cache", "--skip-bad-rows", "--data", dir.path, "-e", "t | count"])
        #expect(lenient.status == 0)
        #expect(lenient.stdout == "count\n2\n")
        #expect(lenient.stderr.contains("warning"))
    }

    @Test func localeDecidesWhatADotMeans() throws {
        let dir = TempDir()
        dir.write("n.csv", "nilai\n1.476\n2.000\n")
        let indonesian = try lkq(["--no-cache", "--locale", "id", "--data", dir.path, "-e", "n | sum nilai"])
        #expect(indonesian.stdout == "sum_nilai\n3476\n")
        let c = try lkq(["--no-cache", "--locale=c", "--data", dir.path, "-e", "n | sum nilai"])
        #expect(c.stdout == "sum_nilai\n3.476\n")
    }

    @Test func missingDataFolderFails() throws {
        let run = try lkq(["--data", "/no/such/folder", "-e", "capaian | count"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("no such file"))
    }

    @Test func helpExamplesRun() throws {
        let examples = [
            ["-e", "capaian where realisasi < target"],
            ["-e", "let rendah = capaian where < 75", "-e", "rendah | count"],
            ["--format", "json", "-e", "anggaran where level = \"program\""],
        ]
        for arguments in examples {
            let run = try lkq(arguments)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = try lkq([root.appendingPathComponent("Examples/serapan_program.lkq").path])
        #expect(script.status == 0)
        #expect(script.stdout.hasPrefix("kode,uraian,pagu,realisasi,persen\n"))
    }
}
