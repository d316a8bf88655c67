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
            dependencies: ["LKQ"],
            exclude: ["Cases", "Fixtures"]
        ),
        .testTarget(
            name: "LKQCommandTests",
            dependencies: ["LKQCommand", "LKQ"]
        ),
    ]
)
