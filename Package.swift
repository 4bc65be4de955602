// swift-tools-version:6.0
// Build Your First Large Model — in Swift.
// One engine library, one executable per chapter, one test target graded chapter by chapter.
import PackageDescription

/// The engine is compiled with optimisation even in the default debug configuration, so that
/// `swift run ChapterNN` and `swift test` are fast without `-c release`.
/// `-Ounchecked` drops overflow checks from index arithmetic (about 8× on the matmul loop);
/// `-target-cpu native` lets SIMD code use the host's FMA and vector width. `-wmo` lets the
/// optimiser inline small functions across files (`-num-threads 2` keeps the debug build's
/// per-file outputs, which the index store expects); the warning it prints about batch mode is
/// harmless.
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
  ("Chapter05", "05-MultilayerPerceptron"),
  ("Chapter06", "06-TrainingBetter"),
  ("Chapter07", "07-ConvolutionalNetworks"),
  ("Chapter08", "08-TextAsNumbers"),
  ("Chapter09", "09-LSTMTextClassifier"),
  ("Chapter10", "10-EvaluatingAModel"),
  ("Chapter11", "11-HighPerformanceComputing"),
]

let package = Package(
  name: "BuildYourFirstLargeModel",
  targets: [
    .target(
      name: "DeepLearning",
      path: "Sources/DeepLearning",
      swiftSettings: fastEngine
    ),
    // Keeps the code shown in book.md identical to the sources: `swift run BookSync`.
    .target(name: "BookSnippets", path: "Sources/BookSnippets"),
    .executableTarget(name: "BookSync", dependencies: ["BookSnippets"], path: "Sources/BookSync"),
    // Times the engine against PyTorch: `swift run -c release Benchmarks`.
    .executableTarget(name: "Benchmarks", dependencies: ["DeepLearning"], path: "Sources/Benchmarks",
                      exclude: ["pytorch_reference.py"]),
    // The tests depend on the chapters too: they run each chapter's executable and check what
    // it prints, and grade the exercise functions a chapter defines (`@testable import Chapter03`).
    .testTarget(
      name: "DeepLearningTests",
      dependencies: ["DeepLearning", "BookSnippets"] + chapters.map { .target(name: $0.name) },
      path: "Tests/DeepLearningTests"
    ),
  ] + chapters.map { chapter in
    .executableTarget(
      name: chapter.name,
      dependencies: ["DeepLearning"],
      path: "Chapters/\(chapter.folder)",
      // Chapter 11 times its own matrix-product kernels, so it is optimised and compiled for
      // this CPU like the engine, but keeps Swift's bounds and overflow checks (-O, not
      // -Ounchecked): the chapter measures what they cost.
      swiftSettings: chapter.name == "Chapter11"
        ? [.unsafeFlags(["-O", "-target-cpu", "native"])] : []
    )
  }
)
