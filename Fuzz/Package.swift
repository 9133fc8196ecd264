// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for SecureDrop's parsers (issue 8). A package of its own, like
// swift-protobuf's `FuzzTesting/`, so that the sanitizer build never touches the main package's
// `.build` and the fuzzers never ship. Build and run them with `Fuzz/run.sh`; see README.md.
//
// The checks live in `FuzzHarness`, which the main package's test target also compiles (through
// the `Tests/SecureDropTests/Fuzz/Harness` symlink) to replay `Regressions/` and `Corpus/`.

/// The main package's settings, so the harness compiles the same way in both packages.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// One executable per parser, each a single file exporting `LLVMFuzzerTestOneInput`.
let fuzzers = ["FuzzJWT", "FuzzFileName", "FuzzMultipart", "FuzzByteRange"]

let package = Package(
    name: "SecureDropFuzz",
    platforms: [.macOS(.v15)],
    products: fuzzers.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(name: "SecureDrop", path: ".."),
        // Already in the main package's graph; named here because the harness uses `ByteBuffer`.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(
            name: "FuzzHarness",
            dependencies: [
                .product(name: "SecureDrop", package: "SecureDrop"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ] + fuzzers.map {
        .executableTarget(name: $0, dependencies: ["FuzzHarness"], swiftSettings: swiftSettings)
    }
)
