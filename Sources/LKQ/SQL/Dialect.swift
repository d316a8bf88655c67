/// A SQL target: how its text is spelled and what it can and cannot keep of LKQ's rules. The
/// one compiler (``SQLCompiler``) asks the dialect for every spelling that differs between
/// targets, so a new target is one more value of this type.
public struct SQLDialect: Sendable {
    /// The name used on the command line (`--dialect postgres`).
    public let name: String
    /// How messages name the target.
    let title: String
    /// `"name"` or `` `name` ``.
    let quoteCharacter: Character
    let bigintType: String
    let integerType: String
    let doubleType: String
    let textType: String
    /// A collation that orders text by code point as LKQ does (PostgreSQL's databases often
    /// sort by a language's rules), added to text sort keys and text `<`/`>`; nil when the
    /// target already compares bytes.
    let binaryCollation: String?
    /// Whether backslash is an escape character inside string literals (Spark).
    let backslashEscapes: Bool
    /// `$1` or `:name`.
    let placeholderStyle: PlaceholderStyle
    /// How a decimal literal becomes a double rather than an exact numeric.
    let doubleSuffix: DoubleLiteral
    /// How the median is written; nil when the target has no median.
    let median: Median
    /// Whether `count(DISTINCT x) OVER (...)` is allowed.
    let distinctInWindow: Bool
    /// Statements to run before the query so that LKQ's rules hold (Spark's ANSI mode makes
    /// integer overflow an error instead of a wrap).
    public let preamble: [String]
    /// `trim(s, chars)` spelling.
    let trimStyle: TrimStyle
    /// Whether casting a decimal to an integer truncates toward zero (rather than rounding).
    let castTruncates: Bool
    let integerMean: IntegerMean
    /// An exact decimal type that a decimal converts to as written (PostgreSQL's `NUMERIC`
    /// takes a `double precision` by its 15 significant digits), for `sum` and `avg` of decimals
    /// without a window, which LKQ adds exactly (money with cents); nil where the target's
    /// exact type has a fixed scale that would round other decimals.
    let exactDecimal: String?

    enum PlaceholderStyle: Sendable { case dollar, named }
    enum DoubleLiteral: Sendable { case cast, suffixD }
    enum Median: Sendable { case percentileCont, quantileCont, percentile }
    enum TrimStyle: Sendable { case btrim, trimFunction, trimFrom }
    /// How the mean of integers is taken exactly, as LKQ takes it (added in 128 bits, divided
    /// once), not through doubles, where the mean of Int64.max and Int64.min is 0, not -0.5.
    enum IntegerMean: Sendable {
        /// AVG of BIGINT is exact (PostgreSQL's numeric, DuckDB's 128-bit sum): cast the result.
        case average
        /// AVG rounds (Spark): the exact decimal sum over the count.
        case decimalSum
    }

    /// PostgreSQL 12 or later.
    public static let postgres = SQLDialect(
        name: "postgres", title: "PostgreSQL", quoteCharacter: "\"", bigintType: "BIGINT", integerType: "INTEGER",
        doubleType: "DOUBLE PRECISION", textType: "TEXT", binaryCollation: "\"C\"", backslashEscapes: false,
        placeholderStyle: .dollar, doubleSuffix: .cast, median: .percentileCont, distinctInWindow: false,
        preamble: [], trimStyle: .btrim, castTruncates: false, integerMean: .average, exactDecimal: "NUMERIC")

    /// DuckDB 1.0 or later.
    public static let duckdb = SQLDialect(
        name: "duckdb", title: "DuckDB", quoteCharacter: "\"", bigintType: "BIGINT", integerType: "BIGINT",
        doubleType: "DOUBLE", textType: "VARCHAR", binaryCollation: nil, backslashEscapes: false,
        placeholderStyle: .dollar, doubleSuffix: .cast, median: .quantileCont, distinctInWindow: false,
        preamble: [], trimStyle: .trimFunction, castTruncates: false, integerMean: .average, exactDecimal: nil)

    /// Spark SQL 3.4 or later, in ANSI mode.
    public static let spark = SQLDialect(
        name: "spark", title: "Spark SQL", quoteCharacter: "`", bigintType: "BIGINT", integerType: "INT",
        doubleType: "DOUBLE", textType: "STRING", binaryCollation: nil, backslashEscapes: true,
        placeholderStyle: .named, doubleSuffix: .suffixD, median: .percentile, distinctInWindow: false,
        preamble: ["SET spark.sql.ansi.enabled = true"], trimStyle: .trimFrom, castTruncates: true, integerMean: .decimalSum, exactDecimal: nil)

    /// Every target, in the order `--help` lists them.
    public static let all: [SQLDialect] = [.postgres, .duckdb, .spark]

    /// The dialect with this name (`postgres`, `postgresql`, `duckdb`, `spark`).
    public init?(name: String) {
        let n = name.lowercased()
        guard let d = SQLDialect.all.first(where: { $0.name == n || ($0.name == "postgres" && (n == "postgresql" || n == "pg")) }) else {
            return nil
        }
        self = d
    }

    private init(name: String, title: String, quoteCharacter: Character, bigintType: String, integerType: String,
                 doubleType: String, textType: String, binaryCollation: String?, backslashEscapes: Bool,
                 placeholderStyle: PlaceholderStyle, doubleSuffix: DoubleLiteral, median: Median,
                 distinctInWindow: Bool, preamble: [String], trimStyle: TrimStyle, castTruncates: Bool, integerMean: IntegerMean,
                 exactDecimal: String?) {
        self.name = name
        self.exactDecimal = exactDecimal
        self.title = title
        self.quoteCharacter = quoteCharacter
        self.bigintType = bigintType
        self.integerType = integerType
        self.doubleType = doubleType
        self.textType = textType
        self.binaryCollation = binaryCollation
        self.backslashEscapes = backslashEscapes
        self.placeholderStyle = placeholderStyle
        self.doubleSuffix = doubleSuffix
        self.median = median
        self.distinctInWindow = distinctInWindow
        self.preamble = preamble
        self.trimStyle = trimStyle
        self.castTruncates = castTruncates
        self.integerMean = integerMean
    }

    // MARK: Spelling

    /// A quoted identifier; the quote character is doubled inside.
    func quote(_ name: String) -> String {
        let q = quoteCharacter.unicodeScalars.first!
        return String(quoteCharacter) + SQLDialect.escaping(name) { $0 == q ? [q, q] : [$0] } + String(quoteCharacter)
    }

    /// `s` with each Unicode scalar replaced as `replace` says. Escaping goes by scalar, not
    /// by Character: a quote followed by a combining mark is one Character, and a search for
    /// the quote as a Character would miss it and leave the literal open.
    static func escaping(_ s: String, _ replace: (Unicode.Scalar) -> [Unicode.Scalar]) -> String {
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars { out.append(contentsOf: replace(scalar)) }
        return String(out)
    }

    /// A string literal that reads back as exactly `s`. Line breaks are spelled `CHR(10)` and
    /// `CHR(13)`, so that the SQL's own lines can be indented without changing a value.
    func string(_ s: String) -> String {
        if s.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            var parts: [String] = []
            var current = ""
            for scalar in s.unicodeScalars {
                if scalar == "\n" || scalar == "\r" {
                    parts.append(plainString(current))
                    parts.append("CHR(\(scalar.value))")
                    current = ""
                } else {
                    current.unicodeScalars.append(scalar)
                }
            }
            parts.append(plainString(current))
            return "(" + parts.joined(separator: " || ") + ")"
        }
        return plainString(s)
    }

    private func plainString(_ s: String) -> String {
        let backslashes = backslashEscapes
        return "'" + SQLDialect.escaping(s) { c in
            if c == "'" { return backslashes ? ["\\", "'"] : ["'", "'"] }
            if c == "\\" && backslashes { return ["\\", "\\"] }
            return [c]
        } + "'"
    }

    func double(_ v: Double) -> String {
        // The shortest text that reads back as the same double.
        var text = "\(v)"
        if !text.contains(".") && !text.contains("e") { text += ".0" }
        switch doubleSuffix {
        case .cast: return "CAST(\(text) AS \(doubleType))"
        case .suffixD: return text.contains("e") ? "CAST(\(text) AS DOUBLE)" : text + "D"
        }
    }

    func placeholder(_ index: Int, name: String) -> String {
        switch placeholderStyle {
        case .dollar: return "$\(index)"
        case .named: return ":" + name
        }
    }

    func sqlType(_ t: ValueType) -> String {
        switch t {
        case .int, .null, .condition: return bigintType
        case .double: return doubleType
        case .text: return textType
        }
    }

    func trim(_ s: String, _ chars: String) -> String {
        switch trimStyle {
        case .btrim: return "BTRIM(\(s), \(chars))"
        case .trimFunction: return "TRIM(\(s), \(chars))"
        case .trimFrom: return "TRIM(BOTH \(chars) FROM \(s))"
        }
    }
}
