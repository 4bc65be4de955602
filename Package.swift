// swift-tools-version:6.0
// Build Your First Large Model — in Swift.
// One engine library, one executable per chapter, one test target graded chapter by chapter.
import PackageDescription

/// The engine is compiled with optimisation even in the default debug configuration, so that
/// `swift run ChapterNN` and `swift test` are fast without `-c release`.
/// `-Ounchecked` drops overflow checks from index arithmetic (about 8× on the matmul loop);
/// `-target-cpu native` lets SIMD code use the host's FMA and vector width.
/// Checks that must survive `-Ounchecked` use `fatalError`, never `precondition`.
let fastEngine: [SwiftSetting] = [
  .unsafeFlags(["-Ounchecked", "-wmo", "-num-threads", "2", "-target-cpu", "native"]),
]

/// The chapters, in course order: target name and folder under `Chapters/`.
let chapters: [(name: String, folder: String)] = [
  ("Chapter01", "01-ActivationFunctions"),
  ("Chapter02", "02-LossFunctions"),
  ("Chapter03", "03-GradientDescent"),
  ("Chapter04", "04-AutomaticDifferentiation"),
]

let package = Package(
  name: "BuildYourFirstLargeModel",
  targets: [
    .target(
      name: "DeepLearning",
      path: "Sources/DeepLearning",
      swiftSettings: fastEngine
    ),
    .testTarget(
      name: "DeepLearningTests",
      dependencies: ["DeepLearning"],
      path: "Tests/DeepLearningTests"
    ),
  ] + chapters.map { chapter in
    .executableTarget(
      name: chapter.name,
      dependencies: ["DeepLearning"],
      path: "Chapters/\(chapter.folder)"
    )
  }
)
