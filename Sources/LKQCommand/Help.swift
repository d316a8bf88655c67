import LKQ
import Foundation

/// The words `lkq --help` and `.help` print.
enum Help {
    static let version = "lkq 0.1.0"

    static let usage = """
        usage: lkq [options] [SCRIPT.lkq ...]

        LKQ queries the performance report (LKIP 2023) of Dinas PMD Provinsi NTT, or CSV files
        of your own. With no script and a terminal it starts an interactive session; with
        standard input from a pipe or file it runs that input as a script.

        options:
          -e, --execute STATEMENT   run STATEMENT; repeatable, and all share one session so a
                                    'let' in one is visible to the next
          -f, --format FORMAT       table, csv, json or markdown (default: table on a
                                    terminal, csv otherwise); xlsx with --output FILE.xlsx
          -o, --output FILE.xlsx    with --format xlsx: write the results to this workbook,
                                    one sheet each
          -d, --data PATH           load the CSV file PATH, or every CSV file in the folder PATH,
                                    as a table named after the file, beside the built-in tables
                                    (or in place of one of the same name); a table with target
                                    and realisasi but no capaian gets a computed capaian;
                                    repeatable, each adding its tables. PATH may be an .xlsx
                                    workbook (a table per sheet) and may end in options for
                                    that file: PATH:locale=id,skip=2,header-row=3,sheet=NAME
              --locale LOCALE       id: read CSV numbers written 1.234,5 and print tables the
                                    Indonesian way (1.476, 98,40, Rp9.051.591.780); en or auto
                                    (the default): decide per CSV file, print 1,476 and 98.40;
                                    c: read 1234.5 only. csv and json output never change
              --skip-bad-rows       leave out CSV rows that cannot be read, with a warning,
                                    instead of failing
              --strict              make a cell that is not a number in a numeric column an
                                    error (by default it is null, with a warning at its place)
              --no-cache            read CSV files afresh, without the binary column cache
                                    ($LKQ_CACHE_DIR, else $XDG_CACHE_HOME/lkq, else ~/.cache/lkq);
                                    a big file is then read a stretch at a time where the
                                    query allows (counts, integer sums, row-by-row steps)
              --bail                stop at the first statement that fails
              --max-memory SIZE     stop a statement that makes lkq hold more than SIZE of memory
                                    (4G, 512M; off for none); the default is 4/5 of the machine's
              --max-join-rows N     stop a join that would make more than N rows (default
                                    100000000; off for none)
              --param NAME=VALUE    set the value of a script's 'param NAME' (a number when it
                                    reads as one, else text); may be repeated
              --db URL              read the tables and views of a PostgreSQL database
                                    (postgresql://user@host/db; PGHOST, PGDATABASE, PGUSER...
                                    fill what it leaves out) beside the built-in tables; a
                                    query over them runs inside the database, read-only
              --sql                 print each query's SQL instead of running it
              --dialect DIALECT     the SQL of --sql: postgres (the default), duckdb or spark
          -h, --help                show this help
          -V, --version             show the version

        examples:
          lkq                                         interactive session (type .help)
          lkq -e 'capaian where realisasi < target'
          lkq -e 'let rendah = capaian where < 75' -e 'rendah | count'
          lkq --format json -e 'anggaran where level = "program"'
          lkq --data ./csv -e 'realisasi | count'      query ./csv/realisasi.csv
          lkq Examples/serapan_program.lkq             run a script
          printf 'capaian | count\\n' | lkq             run standard input

        exit status:
          0  every statement ran
          1  a statement failed, a data file could not be loaded, a script was not UTF-8,
             or the results could not be written (full disk, closed output)
          2  the command line was wrong (unknown option, missing value, unreadable script)
        When the reader of the output goes away (lkq ... | head), lkq ends quietly by SIGPIPE.

        Scripts and standard input may hold the shell's dot-commands (.load, .mode, .read, ...),
        each on a line of its own.
        Errors are written to standard error as FILE:LINE:COLUMN with the line and a caret.
        NO_COLOR turns colours off; LKQ_HISTORY names the history file of the interactive session.

        """

    /// One `.help` topic: what it is about, how to use it, and an example that runs on the built-in data.
    struct Topic {
        let name: String
        let summary: String
        let text: String
        let example: String
    }

    static let topics: [Topic] = [
        Topic(name: "query", summary: "TABLE [where COND] | STAGE | ...",
              text: "A query names a table, may filter it, then passes rows through stages joined by '|'.\nStatements end at a newline or ';'; '#' starts a comment. A line ending in '|' goes on.",
              example: "capaian where sasaran = 2 | select indikator, capaian | sort capaian desc"),
        Topic(name: "let", summary: "let NAME = query",
              text: "Binds a query's result to a name that later statements use like a table. 'let NAME = value'\nnames a single value instead (see .help param).",
              example: "let rendah = capaian where < 75\nrendah | count"),
        Topic(name: "where", summary: "where COND",
              text: "Keeps rows where COND holds. Predicates: a = b, !=, <, <=, >, >=; 'OP value' compares the\ntable's default measure; a ~ \"text\" contains (any case); a is [not] null. Combine with and, or,\nnot and parentheses.",
              example: "capaian where sasaran = 2 and < 75"),
        Topic(name: "select", summary: "select expr [as name], ...",
              text: "Chooses and computes columns, with + - * / and functions.",
              example: "capaian | select indikator, capaian - capaian_2022 as selisih"),
        Topic(name: "sort", summary: "sort key [asc|desc], ...",
              text: "Orders rows; ascending unless 'desc'. Nulls come last.",
              example: "anggaran where level = \"program\" | sort persen desc"),
        Topic(name: "limit", summary: "limit N",
              text: "Keeps the first N rows.",
              example: "anggaran | sort pagu desc | limit 3"),
        Topic(name: "count", summary: "count",
              text: "The number of rows, as one row with a column 'count'.",
              example: "capaian where realisasi < target | count"),
        Topic(name: "aggregates", summary: Registry.aggregates.map(\.name).joined(separator: "|") + " [expr]",
              text: "One row with the aggregate of expr, or of the table's default measure when it is left out:\n"
                + Registry.aggregates.map { "\($0.syntax): \($0.doc)" }.joined(separator: "\n"),
              example: "anggaran where level = \"program\" | sum pagu"),
        Topic(name: "group", summary: "group by expr, ... agg(expr) [as name], ...",
              text: "One row per distinct key, in key order, with aggregates over each group: "
                + Registry.aggregates.map(\.name).joined(separator: ", ") + ".",
              example: "capaian | group by sasaran avg(capaian), count()"),
        Topic(name: "bar", summary: "bar [label [measure]]",
              text: "Draws a horizontal bar per row, scaled to the terminal, with the value at the end. The label is a\ntext column (by default one that tells the rows apart), the measure a number (by default the\ndefault measure); a measure named capaian, persen or serapan gets a marker at 100, the target.\nIn csv or json the two columns are printed instead.",
              example: "capaian | bar indikator capaian"),
        Topic(name: "spark", summary: "spark [measure] [by year]",
              text: "One row per series (the other text and integer columns) and one column per year, drawn as a\nsparkline with the first and last values beside it. The year is the column tahun or year unless\n'by' names another; csv and json print the years as columns.",
              example: "tren | spark"),
        Topic(name: "join", summary: "[left] join TABLE|(query) on col [= col], ...",
              text: "Pairs each row with the rows of another table or query whose key columns are equal (nulls never\nmatch); 'left join' keeps rows without a match, with nulls. The other side's columns follow; a\nname already taken becomes TABLE_NAME. The view efisiensi is kegiatan joined to anggaran.",
              example: "kegiatan | join anggaran on kode | select no, capaian, persen as serapan"),
        Topic(name: "audit", summary: "audit [all]",
              text: "Recomputes every claim of the report (table klaim: the stated value, where it is stated and\nthe LKQ query that recomputes it) and lists those that differ beyond rounding of the printed\nvalue; 'audit all' lists every claim with its status (sesuai, berbeda, galat). Stages apply.",
              example: "audit | select id, sumber, dinyatakan, dihitung, selisih"),
        Topic(name: "functions", summary: Registry.functions.map(\.name).joined(separator: " "),
              text: Registry.functions.map { "\($0.syntax): \($0.doc)" }.joined(separator: "\n")
                + "\nA null argument gives null; concat reads it as empty text. kategori follows Permendagri 86/2017;\nhitung_capaian's negatif rule is PermenPANRB 8/2021's (null when target <= 0).",
              example: "capaian | group by kategori(capaian) count()"),
        Topic(name: "extend", summary: "extend expr as name, ...",
              text: "Adds computed columns and keeps all the others; a column of the same name is replaced in place.",
              example: "anggaran where level = \"program\" | extend pagu - realisasi as sisa"),
        Topic(name: "distinct", summary: "distinct [col, ...]",
              text: "One row per distinct combination of the named columns (of every column when none is named),\nin key order.",
              example: "anggaran | distinct level"),
        Topic(name: "case", summary: "case when cond then value ... [else value] end",
              text: "The value of the first branch whose condition holds; null when none does and there is no else.\nConditions may use in (...), between a and b, ~, is null and the rest of 'where'.",
              example: "capaian | select no, case when capaian >= 100 then \"tercapai\" else \"belum\" end as status"),
        Topic(name: "window", summary: Registry.windowFunctions.map(\.name).joined(separator: " ") + " ... over (by k sort k)",
              text: Registry.windowFunctions.map { "\($0.syntax): \($0.doc)" }.joined(separator: "\n")
                + "\nIn select and extend. 'by' partitions the rows, 'sort' orders them; over () is the whole table.\nAn aggregate with over is the partition's (running, with sort: up to the row and its peers).",
              example: "anggaran where level = \"program\" | extend round(pagu * 100 / sum(pagu) over (), 2) as porsi"),
        Topic(name: "param", summary: "param NAME [= default]   let NAME = value",
              text: "A value a script names: 'let batas = 75' names a value; 'param batas = 75' too, but the\ncommand line may set it: lkq laporan.lkq --param batas=90. A param with no default and no\n--param is an error. Use the name in expressions; a column of the same name wins, with a warning.",
              example: "param batas = 75\ncapaian where capaian < batas | select no, capaian"),
        Topic(name: "numbers", summary: "1476  98.4  1e6  500rb  100jt  1.5m  2t",
              text: "Numbers use '.' for the decimal point. Indonesian magnitudes may follow: rb/ribu (10^3),\njt/juta (10^6), m/miliar (10^9), t/triliun (10^12); 1.5m is exactly 1500000000.",
              example: "anggaran where level = \"program\" and pagu > 1m | select uraian, pagu"),
        Topic(name: "tables", summary: ".tables",
              text: "Lists the tables with their row counts and where they come from.",
              example: ".tables"),
        Topic(name: "schema", summary: ".schema [TABLE]",
              text: "Shows a table's columns and types, its default measure and its source table in the report.",
              example: ".schema capaian"),
        Topic(name: "mode", summary: ".mode table|csv|json|markdown|xlsx FILE.xlsx",
              text: "Chooses how results are printed; xlsx writes each result as a sheet of FILE.xlsx instead.",
              example: ".mode csv"),
        Topic(name: "read", summary: ".read FILE",
              text: "Runs the statements of an LKQ script in this session.",
              example: ".read Examples/di_bawah_target.lkq"),
        Topic(name: "load", summary: ".load FILE [as NAME] [--locale id|en] [--sheet NAME] [--header-row N] [--skip N] [--strict]",
              text: "Loads a CSV file or .xlsx workbook as a table, named after the file unless 'as NAME' is given.\n--locale reads this file's numbers the Indonesian (id: 1.500 is 1500) or English way; --skip N\npasses over N title rows; --header-row N says which row is the header; --sheet picks one sheet.",
              example: ".load Sources/LKQ/Data/LKIP2023/desa.csv as desa_salinan"),
        Topic(name: "open", summary: ".open postgresql://USER@HOST/DB",
              text: "Connects to a PostgreSQL database, read-only, as --db does: its tables and views join the\nothers, and a query over them runs inside the database.",
              example: ".open postgresql://analis@localhost/esakip"),
        Topic(name: "locale", summary: ".locale id|en",
              text: "id prints numbers the Indonesian way in table and markdown output (1.476, 98,40, Rp9.051.591.780\nin rupiah columns) and reads later .load files that way; en goes back to 1,476 and 98.40.\ncsv and json output never change.",
              example: ".locale id"),
        Topic(name: "timer", summary: ".timer on|off",
              text: "Prints how long each query took.",
              example: ".timer on"),
        Topic(name: "help", summary: ".help [TOPIC]",
              text: "Lists the topics, or shows one with an example; a function, aggregate or window function\nfinds its topic too (.help median, .help lag).",
              example: ".help window"),
        Topic(name: "maxrows", summary: ".maxrows N|off",
              text: "A table result on the terminal shows at most N rows (40 at first): the first and the last, a\n⋮ row between, and the whole count. off shows every row. Scripts and pipes are never cut.",
              example: ".maxrows 20"),
        Topic(name: "last", summary: ".last",
              text: "Prints the previous query's result again, every row of it.",
              example: ".last"),
        Topic(name: "pager", summary: ".pager on|off",
              text: "on shows each result through $PAGER (less -S when it is not set), for long or wide results.",
              example: ".pager on"),
        Topic(name: "quit", summary: ".quit or .exit",
              text: "Leaves the session; so does Ctrl-D on an empty line. Ctrl-C clears the line or stops a query.",
              example: ".quit"),
    ]

    static var topicNames: [String] { topics.map(\.name) }

    /// `.help` with no topic: every topic on a line, and how to ask for one.
    static var overview: String {
        let width = topics.map(\.name.count).max() ?? 0
        var out = "Type a query and press Enter, for example:\n    capaian where realisasi < target\n\nTopics (.help TOPIC):\n"
        for t in topics {
            out += "  " + t.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + t.summary + "\n"
        }
        out += "\nTables: capaian, tren, kegiatan, anggaran, belanja, desa, klaim, efisiensi (.tables, .schema NAME).\n"
        out += "Keys: Tab completes, Up/Down and Ctrl-R search history, Ctrl-C clears the line or stops a query, Ctrl-D leaves.\n"
        return out
    }

    /// The text for `.help NAME`, or nil when there is no such topic.
    static func topic(_ name: String) -> String? {
        let key = name.lowercased().trimmingPrefix(".")
        var aliases = ["exit": "quit", "stages": "query", "by": "group", "over": "window", "when": "case"]
        for a in Registry.aggregates where a.name != "count" { aliases[a.name] = "aggregates" }
        for w in Registry.windowFunctions { aliases[w.name] = "window" }
        let wanted = aliases[String(key)] ?? String(key)
        guard let t = topics.first(where: { $0.name == wanted }) else { return nil }
        let example = t.example.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        return "\(t.summary)\n\n\(t.text)\n\nExample:\n\(example)\n"
    }
}
