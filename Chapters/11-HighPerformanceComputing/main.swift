// Chapter 11 · High-performance computing
//
// The matrix product, from the textbook triple loop to the engine's kernel, one change at a
// time, each version timed and checked against the first; the engine's two kernel paths, 8 and
// 16 floats per vector; then where the time of a real training step goes. Run it with
// `swift run Chapter11`; it writes figures/11-matmul-versions.svg.

import DeepLearning
import Foundation

var options = ChapterOptions(
  chapter: "Chapter11",
  summary: "High-performance computing: from the naive loop to the engine's matrix product")
let seed = options.seed(default: 42)
let size = options.int("--size", default: 512, help: "n of the n×n by n×n products timed",
                       range: 16...2048)
let referencePath = options.string(
  "--reference", default: "",
  help: "JSON written by pytorch_reference.py --json, to draw PyTorch's speed on the chart")
options.quickRun = ["--size", "64"]
options.parse(cost: estimatedCost(size: size), usualCost: estimatedCost(size: 512))

runChapter {
  let reference = try referencePath.isEmpty ? nil : readReference(referencePath)
  let cores = engineCores
  var generator = RandomGenerator(seed: seed)
  let (m, n, k) = (size, size, size)
  let a = Tensor.randomUniform([m, k], low: -1, high: 1, using: &generator).data
  let b = Tensor.randomUniform([k, n], low: -1, high: 1, using: &generator).data

  // MARK: - 11.1 Counting the work

  section("11.1 Counting the work")
  let peak = measurePeakGFLOPS()
  let bandwidth = measureMemoryGBPerSecond()
  print("arithmetic roof: \(format(peak, decimals: 1)) GFLOP/s per core "
        + "(\(format(peak * Double(cores), decimals: 1)) on \(cores) cores), "
        + "fused multiply-adds on 12 SIMD registers")
  print("memory roof:     \(format(bandwidth, decimals: 1)) GB/s, summing 128 MB on one core")
  // snippet: roofline
  // Operations per byte that must come from memory, and the speed that allows.
  let workloads: [(name: String, flops: Double, bytes: Double)] = [
    ("sum of a vector", 1, 4),                          // one add per float read
    ("add two vectors", 1, 12),                         // read x and y, write x + y
    ("matmul 32×200 · 200×800", 2 * 32 * 200 * 800,     // one LSTM step: A, B and C once
     Double(32 * 200 + 200 * 800 + 32 * 800) * 4),
    ("matmul \(size)×\(size) · \(size)×\(size)", 2 * pow(Double(size), 3),
     3 * Double(size * size) * 4),
  ]
  // end snippet
  printTable(
    headers: ["operation", "FLOP/byte", "roof GFLOP/s", "bound by"],
    rows: workloads.map { workload in
      let intensity = workload.flops / workload.bytes
      let roof = min(peak, bandwidth * intensity)
      return [workload.name, format(intensity, decimals: 2), format(roof, decimals: 1),
              bandwidth * intensity < peak ? "memory" : "arithmetic"]
    })
  print("below \(format(peak / bandwidth, decimals: 1)) FLOP/byte an operation waits on memory; "
        + "a matrix product need not")

  var versions: [(name: String, gflops: Double)] = []
  var naive: [Float] = []
  /// Times one version, checks it against the naive loop and prints its line.
  func measure(_ name: String, _ multiply: () -> [Float]) {
    var result: [Float] = []
    let seconds = medianSeconds(budget: 0.6) { result = multiply() }
    if naive.isEmpty { naive = result }
    let speed = gflops(m: m, n: n, k: k, seconds: seconds)
    let speedup = versions.first.map { speed / $0.gflops } ?? 1
    versions.append((name, speed))
    printTable(
      headers: ["version", "time", "GFLOP/s", "× naive", "max |C − naive|"],
      rows: [[name, formatDuration(seconds), format(speed, decimals: 2),
              format(speedup, decimals: 1), format(maxDifference(result, naive), decimals: 6)]])
  }

  // MARK: - 11.2 The textbook loop

  section("11.2 The textbook loop")
  measure("1 naive i-j-k") { naiveMultiply(a, b, m: m, n: n, k: k) }

  // MARK: - 11.3 Loop order and the cache

  section("11.3 Loop order and the cache")
  measure("2 i-k-j") { loopOrderMultiply(a, b, m: m, n: n, k: k) }

  // MARK: - 11.4 What checks cost

  section("11.4 What checks cost")
  measure("3 no checks") { uncheckedMultiply(a, b, m: m, n: n, k: k) }

  // MARK: - 11.5 SIMD registers

  section("11.5 SIMD registers")
  measure("4 SIMD tile") { registerTileMultiply(a, b, m: m, n: n, k: k) }

  // MARK: - 11.6 Blocking for the cache

  section("11.6 Blocking for the cache")
  measure("5 blocked") { blockedMultiply(a, b, m: m, n: n, k: k) }

  // MARK: - 11.7 Every core

  section("11.7 Every core")
  measure("6 \(cores) threads") { parallelMultiply(a, b, m: m, n: n, k: k, threads: cores) }

  // MARK: - 11.8 The engine's kernel

  section("11.8 The engine's kernel")
  let engineOneCore = medianSeconds(budget: 0.6) { _ = engineMultiply(a, b, m: m, n: n, k: k, threads: 1) }
  measure("engine, \(cores) cores") { engineMultiply(a, b, m: m, n: n, k: k, threads: cores) }
  // Small products, where starting the threads is a large part of the work.
  printTable(
    headers: ["n × n × n", "version 6, GFLOP/s", "engine, GFLOP/s"],
    rows: [64, 128, 256].map { n in
      let x = Tensor.randomUniform([n, n], low: -1, high: 1, using: &generator).data
      let version6 = medianSeconds(budget: 0.2) {
        _ = parallelMultiply(x, x, m: n, n: n, k: n, threads: cores)
      }
      let engine = medianSeconds(budget: 0.2) {
        _ = engineMultiply(x, x, m: n, n: n, k: n, threads: cores)
      }
      return ["\(n)", format(gflops(m: n, n: n, k: n, seconds: version6), decimals: 1),
              format(gflops(m: n, n: n, k: n, seconds: engine), decimals: 1)]
    })
  // The engine runs on the widest vectors the CPU has (section 11.9): compare it with that roof.
  let enginePeak = KernelPath.preferred == .simd16 ? measureWidePeakGFLOPS() : peak
  print("engine on one core: \(format(gflops(m: m, n: n, k: k, seconds: engineOneCore), decimals: 1)) "
        + "GFLOP/s, \(formatPercent(gflops(m: m, n: n, k: k, seconds: engineOneCore) / enginePeak)) "
        + "of the arithmetic roof at its vector width (\(KernelPath.preferred.vectorWidth) floats)")
  var chart = BarChart(
    title: "C = A·B, \(size)×\(size) by \(size)×\(size), Float32", xLabel: "version",
    yLabel: "GFLOP/s (log scale)", labels: versions.map(\.name), values: versions.map(\.gflops),
    width: 760, height: 420)
  chart.logScaleY = true
  chart.addReferenceLine(y: enginePeak * Double(cores), label: "arithmetic roof, \(cores) cores")
  if let pytorch = reference?.matmulGFLOPS(size: size, threads: cores) {
    chart.addReferenceLine(y: pytorch, label: "PyTorch (MKL), \(cores) threads", color: "#c0392b")
    print("PyTorch, \(cores) threads: \(format(pytorch, decimals: 1)) GFLOP/s "
          + "(from \(referencePath))")
  }
  print("figure: \(try chart.write(to: figurePath("11-matmul-versions.svg", measured: true)))")
  print("the side-by-side table with PyTorch: swift run -c release Benchmarks")

  // MARK: - 11.9 Vector width

  section("11.9 Vector width")
  print("vector unit: \(VectorUnit.current.name); the engine's kernels here: "
        + "\(KernelPath.preferred)")
  // snippet: vector-width
  // Both kernel paths on this machine: the roof of their vector width, their speed on one core
  // and on every core, and whether they give the same bits.
  let roofs: [KernelPath: Double] = [
    .simd8: peak, .simd16: KernelPath.preferred == .simd16 ? enginePeak : measureWidePeakGFLOPS()]
  var products: [[Float]] = []
  printTable(
    headers: ["kernel path", "floats per vector", "tile", "roof, 1 core", "1 core",
              "\(cores) cores"],
    rows: KernelPath.allCases.map { path in
      let oneCore = medianSeconds(budget: 0.3) {
        _ = engineMultiply(a, b, m: m, n: n, k: k, threads: 1, path: path)
      }
      let allCores = medianSeconds(budget: 0.3) {
        _ = engineMultiply(a, b, m: m, n: n, k: k, threads: cores, path: path)
      }
      products.append(engineMultiply(a, b, m: m, n: n, k: k, threads: cores, path: path))
      return ["\(path.rawValue)", "\(path.vectorWidth)", "\(path.tile.rows)×\(path.tile.columns)",
              format(roofs[path]!, decimals: 1),
              format(gflops(m: m, n: n, k: k, seconds: oneCore), decimals: 1),
              format(gflops(m: m, n: n, k: k, seconds: allCores), decimals: 1)]
    })
  print("GFLOP/s of the \(size)×\(size) product; the two paths' results differ by "
        + "\(format(maxDifference(products[0], products[1]), decimals: 6)) (the same bits)")
  // end snippet

  // MARK: - 11.10 Where a training step's time goes

  section("11.10 Where a training step's time goes")
  // snippet: profile-lstm-step
  // Chapter 9's classifier (Embedding → LSTM → Linear, with Adam) on a batch of 32 sequences of
  // 64 tokens: the same workload the benchmark times (ChapterSupport/Workloads.swift).
  let classifier = LSTMClassifierWorkload(using: &generator)
  func forwardAndBackward() {
    classifier.optimizer.zeroGrad()
    crossEntropy(logits: classifier.forward(), labels: classifier.labels).backward()
  }
  forwardAndBackward()  // warm-up: the first run also sets up buffers and threads
  let runs = 3
  let (_, profiler) = profile { for _ in 0..<runs { forwardAndBackward() } }
  print(profiler.report(runs: runs))
  // end snippet
  let adamSeconds = medianSeconds(budget: 0.2) { classifier.optimizer.step() }
  let parameters = classifier.parameterCount
  print("Adam update of \(parameters) parameters: \(format(adamSeconds * 1000, decimals: 2)) ms "
        + "(outside the profile)")
  // The matrix products of one step: the input projection x W for all steps at once, one
  // [32, 200] × [200, 800] product per step, and twice as much again backward.
  let (batch, steps, inputs, hidden) = (32.0, 64.0, 100.0, 200.0)
  let forwardFlops = 2 * batch * steps * inputs * 4 * hidden + steps * 2 * batch * hidden * 4 * hidden
  let stepFlops = 3 * forwardFlops
  let engineSpeed = versions.last!.gflops
  let stepSeconds = profiler.totalSeconds / Double(runs)
  print("matrix products: \(format(stepFlops / 1e9, decimals: 2)) GFLOP per step; at "
        + "\(format(engineSpeed, decimals: 0)) GFLOP/s that is "
        + "\(format(stepFlops / engineSpeed / 1e6, decimals: 1)) ms of the "
        + "\(format(stepSeconds * 1000, decimals: 1)) ms measured")
}

/// C = A · B with the engine's kernel (packing, a 6×16 or 8×32 register tile, the worker
/// threads), on the kernel path the engine picked for this machine unless told which.
func engineMultiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, threads: Int,
                    path: KernelPath = .preferred) -> [Float] {
  var c = [Float](repeating: 0, count: m * n)
  matrixMultiply(m: m, n: n, k: k, a: a, aRowStride: k, aColStride: 1, b: b, bRowStride: n,
                 bColStride: 1, c: &c, ldc: n, accumulate: false, threads: threads, path: path)
  return c
}


/// What pytorch_reference.py --json writes: rows of (benchmark, unit, value).
struct ReferenceResults: Decodable {
  struct Row: Decodable {
    let benchmark: String
    let value: Double
  }
  let engine: String
  let rows: [Row]

  /// The GFLOP/s of the n×n×n product on `threads` threads, if the file has that row.
  func matmulGFLOPS(size: Int, threads: Int) -> Double? {
    let name = "matmul \(size)×\(size)×\(size), \(threads) thread" + (threads > 1 ? "s" : "")
    return rows.first { $0.benchmark == name }?.value
  }
}

/// Reads the reference results, or throws an error that says how to make them.
func readReference(_ path: String) throws -> ReferenceResults {
  let fix = "write them with: python Sources/Benchmarks/pytorch_reference.py --json > \(path)"
  guard let data = FileManager.default.contents(atPath: path) else {
    throw CourseError("cannot read the reference results", path: path, fix: fix)
  }
  do {
    return try JSONDecoder().decode(ReferenceResults.self, from: data)
  } catch {
    throw CourseError("the reference results are not the JSON of pytorch_reference.py --json",
                      path: path, fix: fix)
  }
}
