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
        // The syntax of the language: lexer, parser, AST, printer, diagnostics, the registry of
        // its words. It depends on nothing, and knows nothing of values, tables or plans.
        .target(name: "LKQSyntax"),
        .target(
            name: "LKQ",
            dependencies: ["LKQSyntax"],
            exclude: ["Data/LKIP2023"]
        ),
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .executableTarget(
            name: "LKQCommand",
            dependencies: ["LKQ", "CEditLine"]
        ),
        .executableTarget(
            name: "EmbedExample",
            dependencies: ["LKQ"],
            path: "Examples/Embed"
        ),
        .testTarget(
            name: "LKQTests",
            dependencies: ["LKQ", "LKQSyntax"],
            exclude: ["Cases"]
        ),
        .testTarget(
            name: "LKQCommandTests",
            dependencies: ["LKQCommand", "LKQ"]
        ),
    ]
)
