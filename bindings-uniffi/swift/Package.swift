// swift-tools-version:5.9
// The MapsIndoorsAuth Swift package: the uniffi-generated Swift API over the
// Rust library `mapsindoors_auth_uniffi`, a URLSession transport, an
// in-memory store, and an XCTest suite.
//
// `scripts/gen-swift.sh` (from the repository root) fills in the generated
// files, which are not committed:
//   Sources/MapsIndoorsAuth/MapsIndoorsAuth.swift       (the Swift API)
//   Sources/MapsIndoorsAuthFFI/MapsIndoorsAuthFFI.h     (the C declarations)
//   Sources/MapsIndoorsAuthFFI/module.modulemap         (module MapsIndoorsAuthFFI)
//   native/libmapsindoors_auth_uniffi.{so,dylib}        (the Rust cdylib)
//
// Two ways to get the native library:
// - by default (macOS and Linux, `swift build` / `swift test`): a system
//   library target for the C module, linked against the cdylib in `native/`
//   (or in $MIA_SWIFT_NATIVE_DIR), with an rpath to it;
// - if `MapsIndoorsAuthFFI.xcframework` exists beside this file (built for
//   iOS and macOS as README.md shows), a binary target for it instead: the
//   way an iOS or macOS app ships it, with no unsafe flags.
import Foundation
import PackageDescription

let packageDir = Context.packageDirectory
let nativeDir = Context.environment["MIA_SWIFT_NATIVE_DIR"] ?? "\(packageDir)/native"
let xcframework = "MapsIndoorsAuthFFI.xcframework"
let useXCFramework = FileManager.default.fileExists(atPath: "\(packageDir)/\(xcframework)")

let ffiTarget: Target = useXCFramework
    ? .binaryTarget(name: "MapsIndoorsAuthFFI", path: xcframework)
    : .systemLibrary(name: "MapsIndoorsAuthFFI", path: "Sources/MapsIndoorsAuthFFI")

let nativeLinking: [LinkerSetting] = useXCFramework ? [] : [
    .linkedLibrary("mapsindoors_auth_uniffi"),
    .unsafeFlags(["-L", nativeDir, "-Xlinker", "-rpath", "-Xlinker", nativeDir]),
]

let package = Package(
    name: "MapsIndoorsAuth",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "MapsIndoorsAuth", targets: ["MapsIndoorsAuth"]),
    ],
    targets: [
        ffiTarget,
        .target(
            name: "MapsIndoorsAuth",
            dependencies: ["MapsIndoorsAuthFFI"],
            path: "Sources/MapsIndoorsAuth",
            linkerSettings: nativeLinking
        ),
        .testTarget(
            name: "MapsIndoorsAuthTests",
            dependencies: ["MapsIndoorsAuth"],
            path: "Tests/MapsIndoorsAuthTests"
        ),
    ]
)
