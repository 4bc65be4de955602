// swift-tools-version:6.0
// Build Your First Large Model — in Swift.
//
// The folder listing is the architecture. Each engine target depends only on the ones above it
// in this list, and the compiler enforces it:
//
//   Kernels         fast loops on raw buffers (matrix product, vector eˣ/σ/tanh, worker threads)
//   CourseSupport   errors, atomic files, options, console tables, progress line, formatting
//   Core            Tensor, record/backward, broadcasting, every differentiable operation
//   NeuralNetworks  layers, optimisers, the training loop, metrics
//   DataLoading     data-set files (IDX, CSV, TSV), preprocessing, batching, text
//   Plotting        SVG charts
//   ChapterSupport  what chapters share: the profiler, training curves, recipes, comparisons
//   DeepLearning    the one `import` a chapter writes: re-exports all of the above
import PackageDescription

/// Kernels are where the speed lives: optimised without overflow or bounds checks
/// (`-Ounchecked`, about 8× on the matrix-product loop) and compiled for this CPU's vector width
/// and FMA (`-target-cpu native`), in the debug configuration too, so that `swift run ChapterNN`
/// and `swift test` are fast without `-c release`. `-wmo` inlines small functions across files
/// (`-num-threads 2` keeps the per-file outputs that the debug build's index store expects).
/// Checks that must survive `-Ounchecked` use `fatalError`, never `precondition`.
///
/// `-target-cpu native` also decides the vector instructions of the kernels' two paths
/// (Kernels/KernelPath.swift). On an AVX-512 machine, AMD or Intel, every `SIMD16<Float>` of the
/// 16-wide path becomes one zmm instruction (checked with `objdump -d` on the kernels' object
/// files: the 8×32 micro-kernel's loop is `vfmadd231ps` on zmm registers, also for Intel CPUs,
/// whose LLVM tuning otherwise prefers 256-bit vectors); on an AVX2 machine the compiler splits
/// it into ymm pairs, so the 16-wide path still runs there (the tests compare both paths on
/// every machine) but is never chosen, and the 8-wide path is plain AVX2. A binary built this way
/// runs on the machine that built it, which is all `swift run` needs.
let kernelFlags: [SwiftSetting] = [
  .unsafeFlags(["-Ounchecked", "-wmo", "-num-threads", "2", "-target-cpu", "native"]),
]

/// Every other engine target is optimised too, but keeps Swift's checks (`-O`): these are the
/// files a learner reads and edits, and an index out of range must stop with a message.
let checkedFlags: [SwiftSetting] = [
  .unsafeFlags(["-O", "-wmo", "-num-threads", "2", "-target-cpu", "native"]),
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

let engine: [Target] = [
  .target(name: "Kernels", path: "Sources/Kernels", swiftSettings: kernelFlags),
  .target(name: "CourseSupport", path: "Sources/CourseSupport", swiftSettings: checkedFlags),
  .target(name: "Core", dependencies: ["Kernels"], path: "Sources/Core", swiftSettings: checkedFlags),
  .target(name: "NeuralNetworks", dependencies: ["Core", "Kernels", "CourseSupport"],
          path: "Sources/NeuralNetworks", swiftSettings: checkedFlags),
  .target(name: "DataLoading", dependencies: ["Core", "CourseSupport"], path: "Sources/DataLoading",
          swiftSettings: checkedFlags),
  .target(name: "Plotting", dependencies: ["CourseSupport"], path: "Sources/Plotting",
          swiftSettings: checkedFlags),
  .target(name: "ChapterSupport",
          dependencies: ["Kernels", "Core", "NeuralNetworks", "CourseSupport", "DataLoading", "Plotting"],
          path: "Sources/ChapterSupport", swiftSettings: checkedFlags),
  .target(name: "DeepLearning",
          dependencies: ["Kernels", "Core", "NeuralNetworks", "CourseSupport", "DataLoading",
                         "Plotting", "ChapterSupport"],
          path: "Sources/DeepLearning"),
]

let tools: [Target] = [
  // The instructors' tools: solution markers, the student version, points and grade reports
  // (`swift run Course grade`; README, "For instructors").
  .target(name: "Grading", path: "Sources/Grading"),
  .executableTarget(name: "Course", dependencies: ["Grading"], path: "Sources/Course"),
  // Keeps the code shown in book.md identical to the sources, with every exercise's solution
  // replaced by its stub, and writes the instructors' appendix: `swift run BookSync`.
  .target(name: "BookSnippets", dependencies: ["Grading"], path: "Sources/BookSnippets"),
  .executableTarget(name: "BookSync", dependencies: ["BookSnippets", "Grading"], path: "Sources/BookSync"),
  // Times the engine against PyTorch: `swift run -c release Benchmarks`.
  .executableTarget(name: "Benchmarks", dependencies: ["DeepLearning"], path: "Sources/Benchmarks",
                    exclude: ["pytorch_reference.py"]),
]

// Four test targets, so that each builds only what it tests: the engine's unit tests and
// gradient checks, the chapters (which run each chapter's executable and grade the exercise
// functions it defines, `@testable import Chapter03`), the book's agreement with the sources,
// and the grading tools.
// Every suite's type name starts with its chapter, so `swift test --filter Chapter05` grades one.
let tests: [Target] = [
  .target(name: "TestSupport", dependencies: ["DeepLearning"], path: "Tests/TestSupport"),
  .testTarget(name: "EngineTests", dependencies: ["DeepLearning", "TestSupport"],
              path: "Tests/EngineTests"),
  .testTarget(name: "ChapterTests",
              dependencies: ["DeepLearning", "TestSupport", "BookSnippets"] + chapters.map { .target(name: $0.name) },
              path: "Tests/ChapterTests"),
  .testTarget(name: "BookTests", dependencies: ["BookSnippets", "Grading"], path: "Tests/BookTests"),
  .testTarget(name: "GradingTests", dependencies: ["Grading"], path: "Tests/GradingTests"),
]

let chapterTargets: [Target] = chapters.map { chapter in
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

let package = Package(
  name: "BuildYourFirstLargeModel",
  targets: engine + tools + tests + chapterTargets
)
