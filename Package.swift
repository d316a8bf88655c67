// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "LKQ",
    products: [
        .library(name: "LKQ", targets: ["LKQ"]),
        .executable(name: "lkq", targets: ["LKQCommand"]),
        .executable(name: "lkq-embed-example", targets: ["EmbedExample"]),
        // The C interface (include/lkqc.h) for Python, PHP and C hosts; not named `lkq`, the executable.
        .library(name: "lkqc", type: .dynamic, targets: ["LKQC"]),
    ],
    targets: [
        // The syntax of the language: lexer, parser, AST, printer, diagnostics, the registry of
        // its words. It depends on nothing, and knows nothing of values, tables or plans.
        .target(name: "LKQSyntax"),
        // The CSV reader's plain-row splitter (bytes classified 64 at a time into bit masks, which
        // Swift's SIMD types cannot produce) and `mremap` for growing columns in place. Plain C
        // with no library, so the fuzz builds compile it too.
        .target(name: "CLKQScan"),
        .target(
            name: "LKQ",
            dependencies: ["LKQSyntax", "CLKQScan"],
            exclude: ["Data/LKIP2023"]
        ),
        // A C target, not a system library: the SIGINT flag must live in one translation unit.
        .target(
            name: "CEditLine",
            linkerSettings: [.linkedLibrary("edit")]
        ),
        // Excel workbooks: read with the project's own reader on minizip and expat, written with
        // libxlsxwriter (all from Debian). A target of its own, so the LKQ library (and the fuzz
        // builds that compile its sources alone) needs no C library.
        .systemLibrary(name: "CMinizip", pkgConfig: "minizip", providers: [.apt(["libminizip-dev"])]),
        .systemLibrary(name: "CExpat", pkgConfig: "expat", providers: [.apt(["libexpat1-dev"])]),
        .systemLibrary(name: "CXLSXWriter", pkgConfig: "xlsxwriter", providers: [.apt(["libxlsxwriter-dev"])]),
        .target(
            name: "LKQExcel",
            dependencies: ["LKQ", "CMinizip", "CExpat", "CXLSXWriter"]
        ),
        .systemLibrary(
            name: "CPostgres",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // PostgreSQL through libpq, for `lkq --db`; the LKQ library itself needs no libpq.
        .target(
            name: "LKQPostgres",
            dependencies: ["LKQ", "CPostgres"]
        ),
        .executableTarget(
            name: "LKQCommand",
            dependencies: ["LKQ", "LKQExcel", "CEditLine", "LKQLanguageServer", "LKQPostgres"]
        ),
        // `lkq lsp`: the Language Server Protocol for editors (editors/).
        .target(
            name: "LKQLanguageServer",
            dependencies: ["LKQ"]
        ),
        .target(
            name: "LKQC",
            dependencies: ["LKQ"],
            // The Swift runtime and Foundation go inside liblkqc.so, so a host needs only libc,
            // libstdc++ and libm, not a Swift toolchain.
            exclude: ["exports.map"],
            linkerSettings: [.unsafeFlags([
                "-static-stdlib",
                // The libraries static Foundation is made of, most dependent first; the module
                // was compiled against the shared Foundation, which names none of them. A missing
                // one shows when make test loads the library from Python and PHP (not with
                // --no-undefined, which the sanitizer builds cannot link: their runtime is the
                // executable's).
                "-lFoundationInternationalization", "-lFoundationEssentials", "-l_FoundationCollections",
                "-lCoreFoundation", "-l_FoundationICU", "-l_FoundationCShims", "-lswiftSynchronization",
                "-lswiftDispatch", "-ldispatch", "-lBlocksRuntime",
                "-Xlinker", "--version-script=Sources/LKQC/exports.map",
            ])]
        ),
        .executableTarget(
            name: "EmbedExample",
            dependencies: ["LKQ"],
            path: "Examples/Embed"
        ),
        .testTarget(
            name: "LKQTests",
            dependencies: ["LKQ", "LKQSyntax", "LKQExcel"],
            exclude: ["Cases", "Fixtures", "SQLSnapshots"]
        ),
        .testTarget(
            name: "LKQCommandTests",
            dependencies: ["LKQCommand", "LKQ", "LKQExcel", "LKQPostgres"]
        ),
    ]
)
