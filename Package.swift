// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "LKQ",
    products: [
        .library(name: "LKQ", targets: ["LKQ"]),
        .executable(name: "lkq", targets: ["LKQCommand"]),
        .executable(name: "lkq-embed-example", targets: ["EmbedExample"]),
    ],
    targets: [
        .target(
            name: "LKQ",
            exclude: ["Data/LKIP2023"]
        ),
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
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
        .executableTarget(
            name: "LKQCommand",
            dependencies: ["LKQ", "LKQExcel", "CEditLine"]
        ),
        .executableTarget(
            name: "EmbedExample",
            dependencies: ["LKQ"],
            path: "Examples/Embed"
        ),
        .testTarget(
            name: "LKQTests",
            dependencies: ["LKQ", "LKQExcel"],
            exclude: ["Cases", "Fixtures"]
        ),
        .testTarget(
            name: "LKQCommandTests",
            dependencies: ["LKQCommand", "LKQ", "LKQExcel"]
        ),
    ]
)
