// swift-tools-version:6.0
import Foundation
import PackageDescription

let package = Package(
    name: "dstack-backend",
    products: [
        .executable(name: "dstack-backend", targets: ["dstack-backend"])
    ],
    dependencies: [
        // The ecosystem's command-line parser: subcommands, --help and --version for free. Pinned exactly:
        // Package.resolved is not committed, so `exact:` is what makes every build (and the image) the same.
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2")
    ],
    targets: [
        // C shims, one per system library (Debian: libsecp256k1-dev, libcurl4-openssl-dev, libssl-dev).
        .target(
            name: "CSecp256k1",
            linkerSettings: [.linkedLibrary("secp256k1")]
        ),
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        .target(
            name: "COpenSSL",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        // Linux epoll and eventfd, which the Glibc module does not expose (like swift-nio's CNIOLinux).
        .target(name: "CLinux"),
        // What every layer uses: the logger, system errors, the clock, the stop signal, background threads,
        // the JSON writer and the metric primitives.
        .target(
            name: "DstackCore",
            dependencies: ["CLinux"]
        ),
        // The HTTP/1.1 server: request parser, epoll event loop, listening sockets, prepared responses.
        .target(
            name: "DstackHTTP",
            dependencies: ["DstackCore", "CLinux"]
        ),
        // All of the daemon's logic.
        .target(
            name: "DstackBackend",
            dependencies: ["DstackCore", "DstackHTTP", "CSecp256k1", "CCurl", "COpenSSL", "CLinux"]
        ),
        // Simulated registry and dstack VMM: the demo and the tests use the same fakes.
        .target(
            name: "DstackSimulator",
            dependencies: ["DstackBackend", "DstackHTTP"]
        ),
        // The thin command-line front end.
        .executableTarget(
            name: "dstack-backend",
            dependencies: [
                "DstackBackend",
                "DstackSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test helper: the poller in a child process that runs out of file descriptors (issue 13).
        .executableTarget(
            name: "DescriptorExhaustionProbe",
            dependencies: ["DstackBackend"]
        ),
        // Helpers the test targets share: a raw socket client, a running server, temporary directories.
        .target(
            name: "DstackTestSupport",
            dependencies: ["DstackCore", "DstackHTTP"],
            path: "Tests/DstackTestSupport"
        ),
        .testTarget(
            name: "DstackCoreTests",
            dependencies: ["DstackCore"]
        ),
        .testTarget(
            name: "DstackBackendTests",
            dependencies: ["DstackBackend", "DstackCore", "DstackSimulator", "DstackTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        // The HTTP server's parser, event loop and listening sockets (a stub handler answers).
        .testTarget(
            name: "DstackHTTPTests",
            dependencies: ["DstackHTTP", "DstackCore", "DstackTestSupport"]
        ),
        // The built binary as a separate process against the simulator; the compose file's wiring.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["DstackBackend", "DstackSimulator", "DstackTestSupport"]
        ),
    ]
)

// The parser's fuzz target, built only by scripts/fuzz (DSTACK_FUZZ=1) with -sanitize=fuzzer,address.
if ProcessInfo.processInfo.environment["DSTACK_FUZZ"] != nil {
    // libFuzzer's driver entry, which both targets call.
    package.targets.append(.target(name: "FuzzDriver"))
    package.targets.append(.executableTarget(name: "ParserFuzz", dependencies: ["DstackHTTP", "FuzzDriver"]))
    package.products.append(.executable(name: "ParserFuzz", targets: ["ParserFuzz"]))
    // The event loop's: bytes to a live server over a Unix socket (scripts/fuzz SECONDS loop).
    package.targets.append(.executableTarget(name: "LoopFuzz", dependencies: ["DstackBackend", "DstackHTTP", "FuzzDriver"]))
    package.products.append(.executable(name: "LoopFuzz", targets: ["LoopFuzz"]))
}
