// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every Swift target: Swift 6 mode is the package default; these upcoming
/// features keep imports explicit and existentials spelled out, as in Hummingbird itself.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "SecureDrop",
    // macOS 15 for task executors (`EventLoopTaskExecutor`); the server is built and run on Linux.
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SecureDrop", targets: ["SecureDrop"]),
        .executable(name: "securedrop-server", targets: ["securedrop-server"]),
        .executable(name: "securedrop-admin", targets: ["securedrop-admin"]),
        .executable(name: "securedrop", targets: ["securedrop-cli"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", exact: "4.7.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CArgon2",
            pkgConfig: "libargon2",
            providers: [.apt(["libargon2-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "SecureDrop",
            dependencies: [
                "COpenSSL",
                "CArgon2",
                "CZlib",
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            // The web UI's templates, stylesheet and script, loaded through `Bundle.module`.
            resources: [.copy("Web/Resources")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "securedrop-server",
            dependencies: [
                "SecureDrop",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "securedrop-admin",
            dependencies: [
                "SecureDrop",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "securedrop-cli",
            dependencies: [
                "SecureDrop",
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Micro-benchmarks (issue 7): `Benchmarks/micro.sh` builds this in release and runs it.
        .executableTarget(
            name: "securedrop-microbench",
            dependencies: [
                "SecureDrop",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/Micro",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SecureDropTests",
            dependencies: [
                "SecureDrop",
                "CArgon2",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
