// The engine against PyTorch on the same machine: `swift run -c release Benchmarks`.
//
// Prints one table: Float32 matrix-product speed at four sizes on one thread and on every core,
// and the time of one training step of the course's three models. Each figure is the median of
// several timed runs after a warm-up. pytorch_reference.py, beside this file, prints the same
// table for PyTorch; give its `--json` output to `--reference` to see the two side by side.

import DeepLearning
import Foundation

var options = ChapterOptions(
  chapter: "Benchmarks", summary: "Times the engine's matrix product and three training steps")
let json = options.flag("--json", help: "print the results as JSON instead of a table")
let referencePath = options.string(
  "--reference", default: "",
  help: "JSON written by pytorch_reference.py --json: adds its column and the ratio Swift/PyTorch")
let profileSteps = options.flag(
  "--profile", help: "instead of the table, show where each training step's time goes")
options.parse()

/// One line of the table: what was measured, its unit and the engine's figure.
struct Row: Codable {
  let benchmark: String
  let unit: String
  let value: Double
}

/// What either side writes with --json. (`kernels`, the engine's kernel path, is Swift's only.)
struct Results: Codable {
  let engine: String
  let cores: Int
  var kernels: String? = nil
  let rows: [Row]
}

runChapter {
  // Read the reference first, so that a wrong path fails at once, not after a minute of timing.
  var reference: Results?
  if !referencePath.isEmpty {
    guard let data = FileManager.default.contents(atPath: referencePath) else {
      throw CourseError("cannot read the reference results", path: referencePath,
                        fix: "write them with: python Sources/Benchmarks/pytorch_reference.py "
                          + "--json > \(referencePath)")
    }
    do {
      reference = try JSONDecoder().decode(Results.self, from: data)
    } catch {
      throw CourseError("the reference results are not the JSON of pytorch_reference.py --json",
                        path: referencePath, fix: "write them again with --json")
    }
  }

  let cores = engineCores
  var generator = RandomGenerator(seed: 42)
  var rows: [Row] = []
  for size in profileSteps ? [] : [128, 256, 512, 1024] {
    for threads in [1, cores] {
      rows.append(Row(benchmark: "matmul \(size)×\(size)×\(size), \(threads) thread"
                        + (threads > 1 ? "s" : ""), unit: "GFLOP/s",
                      value: matrixMultiplyGFLOPS(size: size, threads: threads, using: &generator)))
    }
  }
  let steps: [(name: String, step: TrainingStep)] = [
    ("MLP step 784-256-128-10, batch 128, SGD", multilayerPerceptronTrainingStep(using: &generator)),
    ("CNN step 1×28×28, batch 64, SGD", convolutionalNetworkTrainingStep(using: &generator)),
    ("LSTM step 32×64 tokens, H 200, Adam", lstmClassifierTrainingStep(using: &generator)),
  ]
  if profileSteps {
    print("kernels: \(kernelDescription)\n")
    for (name, step) in steps {
      for _ in 0..<3 { step.run() }  // warm-up
      let (_, profiler) = profile { for _ in 0..<step.repetitions { step.forwardAndBackward() } }
      let update = medianSeconds(runs: step.repetitions) { step.optimizer.step() }
      print(name)
      print(profiler.report(runs: step.repetitions))
      print("optimiser update: \(format(update * 1000, decimals: 3)) ms (outside the profile)\n")
    }
    return
  }
  for (name, step) in steps {
    rows.append(Row(benchmark: name, unit: "ms", value: step.milliseconds()))
  }

  if json {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(Results(engine: "Swift engine", cores: cores,
                                                       kernels: kernelDescription, rows: rows)),
                 as: UTF8.self))
    return
  }
  print("Swift engine on \(cores) cores of \(processorName()), \(utcNow()); "
        + "each figure the median of several timed runs")
  print("kernels: \(kernelDescription)")
  func figure(_ row: Row) -> String { format(row.value, decimals: row.unit == "ms" ? 2 : 1) }
  guard let reference else {
    printTable(headers: ["benchmark", "unit", "Swift"],
               rows: rows.map { [$0.benchmark, $0.unit, figure($0)] })
    return
  }
  print("reference: \(reference.engine), \(reference.cores) threads (\(referencePath))")
  printTable(
    headers: ["benchmark", "unit", "Swift", "PyTorch", "Swift/PyTorch"],
    rows: rows.map { row in
      guard let other = reference.rows.first(where: { $0.benchmark == row.benchmark }) else {
        return [row.benchmark, row.unit, figure(row), "—", "—"]
      }
      return [row.benchmark, row.unit, figure(row), figure(other),
              format(row.value / other.value, decimals: 2)]
    })
  print("ratio: above 1 is better for GFLOP/s (Swift faster), below 1 is better for ms")
}

/// The kernel path the engine picked on this machine, and why: "16-wide (SIMD16<Float>, 8×32
/// tile), chosen for AVX-512".
var kernelDescription: String {
  let path = KernelPath.preferred
  let why = ProcessInfo.processInfo.environment["DEEPLEARNING_KERNEL_PATH"] != nil
    ? "set by DEEPLEARNING_KERNEL_PATH" : "chosen for \(VectorUnit.current.name)"
  return "\(path), \(why)"
}

/// The processor's model name from /proc/cpuinfo (Linux), or "this machine".
func processorName() -> String {
  let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
  let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
  return line?.split(separator: ":", maxSplits: 1).last?
    .trimmingCharacters(in: .whitespaces) ?? "this machine"
}

/// The date and time in UTC, as 2026-01-31 14:05 UTC, so that a pasted table says when.
func utcNow() -> String {
  let formatter = DateFormatter()
  formatter.locale = Locale(identifier: "en_US_POSIX")
  formatter.timeZone = TimeZone(identifier: "UTC")
  formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
  return formatter.string(from: Date())
}
