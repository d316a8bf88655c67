import Foundation
import Testing

/// Per-file options on the command line and in the shell, `--strict`, workbooks in and out,
/// and the warning for query literals under `--locale id`.
@Suite struct DataOptionsTests {
    static let titled = "LAPORAN CAPAIAN 2023\nDinas PMD\nindikator;nilai\nA;1.500\nB;2.250\n"

    @Test func perFileOptionsOnTheCommandLine() throws {
        let dir = TempDir()
        let file = dir.write("capaian.csv", Self.titled)
        let id = try lkq(["--no-cache", "--data", file + ":locale=id,skip=2", "-e", "capaian | sum nilai"])
        #expect(id.stdout == "sum_nilai\n3750\n", "\(id.stderr)")
        #expect(id.stderr.isEmpty)
        // Not said: read with a decimal point, and the load says so.
        let plain = try lkq(["--no-cache", "--data", file + ":skip=2", "-e", "capaian | sum nilai"])
        #expect(plain.stdout == "sum_nilai\n3.75\n")
        #expect(plain.stderr.contains("warning: column 'nilai': '1.500' could be 1500 (Indonesian thousands) or 1.5"), "\(plain.stderr)")
        let bad = try lkq(["--no-cache", "--data", file + ":locale=xx"])
        #expect(bad.status != 0)
    }

    @Test func perFileOptionsInTheShell() throws {
        let dir = TempDir()
        let file = dir.write("capaian.csv", Self.titled)
        let run = try lkq(["--no-cache"], input: ".load \(file) as c --header-row 3 --locale id\nc | sum nilai\n.load \(file) --sheet x\n")
        #expect(run.stdout == "sum_nilai\n3750\n", "\(run.stderr)")
        #expect(run.stderr.contains("'--sheet x' is for .xlsx workbooks"), "\(run.stderr)")
    }

    @Test func strictMakesCellsErrors() throws {
        let dir = TempDir()
        dir.write("t.csv", "no,nilai\n1,5\n2,WTP\n3,7\n4,8\n")
        let lenient = try lkq(["--no-cache", "--data", dir.path, "-e", "t | sum nilai"])
        #expect(lenient.stdout == "sum_nilai\n20\n")
        #expect(lenient.stderr.contains("t.csv:3:3: warning: 'WTP' in numeric column 'nilai' is not a number; read as null"), "\(lenient.stderr)")
        let strict = try lkq(["--no-cache", "--strict", "--data", dir.path, "-e", "t | sum nilai"])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("t.csv:3:3: error: 'WTP' in column 'nilai' is not an integer"), "\(strict.stderr)")
    }

    @Test func workbooksInAndOut() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("LKQTests/Fixtures/realisasi-2023.xlsx").path
        let read = try lkq(["--no-cache", "--data", fixtures, "-e", "realisasi_2023_rekap | sum anggaran_pagu"])
        #expect(read.stdout == "sum_anggaran_pagu\n11400591780\n")
        #expect(read.stderr.contains("realisasi-2023.xlsx: Rekap!C8: warning:"), "\(read.stderr)")
        let dir = TempDir()
        let out = dir.path + "/hasil.xlsx"
        let write = try lkq(["--format", "xlsx", "--output", out, "-e", "capaian | count", "-e", "anggaran | limit 2"])
        #expect(write.status == 0, "\(write.stderr)")
        #expect(write.stdout.isEmpty)
        // What was written loads back: two sheets, as tables.
        let back = try lkq(["--no-cache", "--data", out, "-e", "hasil_hasil_1", "-e", "hasil_hasil_2 | count"])
        #expect(back.stdout == "count\n9\n\ncount\n2\n", "\(back.stderr)")
        let shell = try lkq([], input: ".mode xlsx \(dir.path)/shell.xlsx\ncapaian | count\n")
        #expect(shell.stdout.isEmpty)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/shell.xlsx"))
        let missing = try lkq(["--format", "xlsx", "-e", "capaian | count"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("'--format xlsx' needs '--output FILE.xlsx'"), "\(missing.stderr)")
    }

    @Test func literalWarningUnderIndonesianOutput() throws {
        let run = try lkq(["--locale", "id", "-e", "capaian where target > 6.652 | count"])
        #expect(run.stderr.contains("-e:1:24: warning: '6.652' in a query is 6.652"), "\(run.stderr)")
        let en = try lkq(["-e", "capaian where target > 6.652 | count"])
        #expect(en.stderr.isEmpty)
    }
}
