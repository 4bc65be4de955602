// Chapter 11 · High-performance computing: the chapter's matrix-product kernels and exercises
// against the naive loop, the engine's fast paths (vectorised functions, worker threads,
// broadcasting by rows) against plain references, and the chapter program itself.
// `swift test --filter Chapter11` runs exactly these (and the kernel and profiler suites).

import Foundation
import Testing

@testable import Chapter11
@testable import DeepLearning
@testable import Kernels
@testable import Core
import TestSupport

/// Random matrices from a fixed seed, uniform in [−1, 1).
private func randomMatrix(_ rows: Int, _ columns: Int, seed: Int) -> [Float] {
  var generator = RandomGenerator(seed: seed)
  return (0..<rows * columns).map { _ in generator.nextFloat(in: -1..<1) }
}

/// Checks `c` against the naive product element by element. The versions add the same k terms
/// in different orders (and with fused multiply-adds), so they differ by rounding: each sum is
/// within k·u·Σₚ|aᵢₚ·bₚⱼ| of the exact value (u = 2⁻²⁴), so two of them differ by at most
/// k·ε·Σₚ|aᵢₚ·bₚⱼ| with ε = 2u = Float.ulpOfOne, the tolerance used here.
private func expectMatchesNaive(_ c: [Float], _ a: [Float], _ b: [Float], m: Int, n: Int, k: Int,
                                _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
  let reference = naiveMultiply(a, b, m: m, n: n, k: k)
  #expect(c.count == m * n, "\(name) \(m)×\(k) · \(k)×\(n): \(c.count) values",
          sourceLocation: sourceLocation)
  guard c.count == m * n else { return }
  var worst: (excess: Float, i: Int, j: Int) = (0, 0, 0)
  for i in 0..<m {
    for j in 0..<n {
      var magnitude: Float = 0
      for p in 0..<k { magnitude += Swift.abs(a[i * k + p] * b[p * n + j]) }
      let allowed = Float(Swift.max(k, 1)) * Float.ulpOfOne * magnitude
      let error = Swift.abs(c[i * n + j] - reference[i * n + j])
      let excess = error <= allowed ? 0 : (error.isNaN ? .infinity : error - allowed)
      if excess > worst.excess { worst = (excess, i, j) }
    }
  }
  let place = "\(name) \(m)×\(k) · \(k)×\(n): C[\(worst.i), \(worst.j)]"
  #expect(worst.excess == 0, "\(place) is off the naive loop's by \(worst.excess) more than rounding allows",
          sourceLocation: sourceLocation)
}

@Suite("Chapter11 kernels")
struct Chapter11KernelTests {
  /// Shapes that fill no tile, exactly one, several with ragged edges, and more than one block of
  /// k (256 steps) in versions 5 and 6.
  static let shapes: [(m: Int, n: Int, k: Int)] = [
    (1, 1, 1), (3, 5, 7), (4, 16, 9), (6, 32, 3), (13, 37, 300), (37, 50, 513), (64, 64, 64),
  ]

  @Test("the naive loop computes a small product by hand")
  func naiveByHand() {
    // [1 2 3]   [1 0]   [ 4  5]
    // [4 5 6] · [0 1] = [10 11]
    //           [1 1]
    #expect(naiveMultiply([1, 2, 3, 4, 5, 6], [1, 0, 0, 1, 1, 1], m: 2, n: 2, k: 3) == [4, 5, 10, 11])
  }

  @Test("every version gives the naive loop's product", arguments: 0..<shapes.count)
  func versionsMatchNaive(shape index: Int) {
    let (m, n, k) = Self.shapes[index]
    let a = randomMatrix(m, k, seed: index), b = randomMatrix(k, n, seed: 100 + index)
    expectMatchesNaive(loopOrderMultiply(a, b, m: m, n: n, k: k), a, b, m: m, n: n, k: k, "2 i-k-j")
    expectMatchesNaive(uncheckedMultiply(a, b, m: m, n: n, k: k), a, b, m: m, n: n, k: k,
                       "3 no checks")
    expectMatchesNaive(registerTileMultiply(a, b, m: m, n: n, k: k), a, b, m: m, n: n, k: k,
                       "4 SIMD tile")
    expectMatchesNaive(blockedMultiply(a, b, m: m, n: n, k: k), a, b, m: m, n: n, k: k, "5 blocked")
    for threads in [1, 2, 3] {
      expectMatchesNaive(parallelMultiply(a, b, m: m, n: n, k: k, threads: threads), a, b,
                         m: m, n: n, k: k, "6 on \(threads) threads")
    }
    expectMatchesNaive(engineMultiply(a, b, m: m, n: n, k: k, threads: 2), a, b, m: m, n: n, k: k,
                       "the engine")
  }

  @Test("the exercises give the naive loop's product", arguments: 0..<shapes.count)
  func exercisesMatchNaive(shape index: Int) {
    let (m, n, k) = Self.shapes[index]
    let a = randomMatrix(m, k, seed: 200 + index), b = randomMatrix(k, n, seed: 300 + index)
    expectMatchesNaive(transposedMultiply(a, b, m: m, n: n, k: k), a, b, m: m, n: n, k: k,
                       "exercise 1, transposedMultiply")
    expectMatchesNaive(sixRowTileMultiply(a, b, m: m, n: n, k: k), a, b, m: m, n: n, k: k,
                       "exercise 2, sixRowTileMultiply")
  }

  @Test("version 5 computes only the rows it is given")
  func blockedRowRange() {
    let (m, n, k) = (11, 40, 20)
    let a = randomMatrix(m, k, seed: 7), b = randomMatrix(k, n, seed: 8)
    var c = [Float](repeating: -7, count: m * n)
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        c.withUnsafeMutableBufferPointer { c in
          c.update(repeating: 0)
          blockedMultiply(a.baseAddress!, b.baseAddress!, c.baseAddress!, n: n, k: k, rows: 3..<9)
        }
      }
    }
    let reference = naiveMultiply(a, b, m: m, n: n, k: k)
    for i in 0..<m {
      let row = Array(c[(i * n)..<((i + 1) * n)])
      if (3..<9).contains(i) {
        #expect(zip(row, reference[(i * n)..<((i + 1) * n)]).allSatisfy { Swift.abs($0 - $1) < 1e-4 },
                "row \(i) should be computed")
      } else {
        #expect(row.allSatisfy { $0 == 0 }, "row \(i) is outside the range and must stay 0")
      }
    }
  }
}

@Suite("Chapter11 vectorised functions")
struct Chapter11VectorMathTests {
  /// Every point from −30 to 30 in steps of 0.01, far beyond on both sides, and a tail that does
  /// not fill a vector.
  static let points = stride(from: Float(-30), through: 30, by: 0.01).map { $0 }
    + [-1000, -88, 88, 1000, 0, 1e-5, -1e-5]

  /// Applies a vector function to `points`, a vector of the path's width at a time.
  static func apply(_ function: some VectorFunction, path: KernelPath) -> [Float] {
    var values = points
    values.withUnsafeMutableBufferPointer {
      VectorMath.apply(function, to: $0.baseAddress!, count: $0.count, path: path)
    }
    return values
  }

  @Test("σ and tanh are within 1e-6 of the C library's, and saturate exactly, on every path",
        arguments: KernelPath.allCases)
  func sigmoidAndTanh(path: KernelPath) {
    let sigmoids = Self.apply(VectorMath.sigmoid, path: path)
    let tanhs = Self.apply(VectorMath.tanh, path: path)
    for (index, x) in Self.points.enumerated() {
      let sigmoid = 1 / (1 + Foundation.exp(-Double(x)))
      #expect(Swift.abs(Double(sigmoids[index]) - sigmoid) < 1e-6, "σ(\(x)) = \(sigmoids[index])")
      #expect(Swift.abs(Double(tanhs[index]) - Foundation.tanh(Double(x))) < 1e-6,
              "tanh(\(x)) = \(tanhs[index])")
    }
    // Near zero tanh x ≈ x: the relative error stays small too (2σ(2x) − 1 would lose it).
    let tiny = Self.points.firstIndex(of: 1e-5)!
    #expect(Swift.abs(tanhs[tiny] - 1e-5) < 1e-11, "tanh(1e-5) = \(tanhs[tiny])")
    let far = Self.points.firstIndex(of: 1000)!
    #expect(sigmoids[far] == 1 && sigmoids[far - 3] >= 0 && sigmoids[far - 3] < 1e-37)
    #expect(tanhs[far] == 1 && tanhs[far - 3] == -1)
    #expect(sigmoids[far + 1] == 0.5 && tanhs[far + 1] == 0)
  }

  @Test("eˣ is within 2e-7 relative of the C library's, and never overflows to infinity or NaN",
        arguments: KernelPath.allCases)
  func exponential(path: KernelPath) {
    let values = Self.apply(VectorMath.exp, path: path)
    for (index, x) in Self.points.enumerated() where Swift.abs(x) <= 80 {
      let exact = Foundation.exp(Double(x))
      #expect(Swift.abs(Double(values[index]) - exact) <= 2e-7 * exact, "e^\(x) = \(values[index])")
    }
    #expect(values.allSatisfy { $0.isFinite && $0 >= 0 })
  }

  /// Every lane goes through the same operations whatever the vector width, so the 8-wide and
  /// 16-wide paths agree to the bit, and so do their sums, which add in one fixed order.
  @Test("the 8-wide and 16-wide paths give bit-identical eˣ, σ, tanh and sums")
  func pathsAgreeBitForBit() {
    for function in [VectorMath.exp, VectorMath.sigmoid, VectorMath.tanh] as [any VectorFunction] {
      let results = KernelPath.allCases.map { Self.apply(function, path: $0) }
      #expect(results.allSatisfy { $0 == results[0] }, "\(type(of: function))")
    }
    var generator = RandomGenerator(seed: 12)
    let values = Tensor.randomNormal([5000], using: &generator).data
    for count in [0, 1, 7, 15, 16, 17, 63, 64, 65, 100, 1000, 4999] {
      let sums = KernelPath.allCases.map { path in
        values.withUnsafeBufferPointer { sumOfRun($0, start: 1, count: count, path: path) }
      }
      let exact = values[1..<(1 + count)].reduce(0.0) { $0 + Double($1) }
      #expect(sums.allSatisfy { $0 == sums[0] }, "sum of \(count): \(sums)")
      #expect(Swift.abs(Double(sums[0]) - exact) < 1e-4, "sum of \(count): \(sums[0]) vs \(exact)")
    }
  }

  @Test("the engine's sigmoid, tanh and exp use them, forward and backward",
        arguments: [[3], [8], [2, 13]])
  func engineFunctions(shape: [Int]) {
    let x = randomInput(shape, seed: 5)
    for (name, function, exact) in [
      ("sigmoid", DeepLearning.sigmoid, { (x: Double) in 1 / (1 + Foundation.exp(-x)) }),
      ("tanh", DeepLearning.tanh, { Foundation.tanh($0) }),
      ("exp", DeepLearning.exp, { Foundation.exp($0) }),
    ] as [(String, (Tensor) -> Tensor, (Double) -> Double)] {
      let y = function(x)
      #expect(zip(y.data, x.data).allSatisfy { Swift.abs(Double($0) - exact(Double($1))) < 1e-5 },
              "\(name)")
      expectGradientsMatch(name, [x]) { function($0[0]) }
    }
  }

  @Test("without gradients an elementwise function keeps no slope and records no graph")
  func elementwiseWithoutGradients() {
    let x = randomInput([4, 5], seed: 6)
    x.requiresGrad = true
    let y = withoutGradients { relu(x) }
    #expect(!y.requiresGrad && y.inputs.isEmpty)
    #expect(y.data == x.data.map { Swift.max(0, $0) })
  }
}

@Suite("Chapter11 worker threads")
struct Chapter11WorkerThreadTests {
  /// A counter per part, safe to bump from any thread.
  final class Counts: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int]
    init(_ count: Int) { values = [Int](repeating: 0, count: count) }
    func bump(_ index: Int) { lock.lock(); values[index] += 1; lock.unlock() }
    var all: [Int] { lock.lock(); defer { lock.unlock() }; return values }
  }

  @Test("every part runs exactly once, loop after loop", arguments: [1, 2, 3, 7, 64])
  func everyPartOnce(parts: Int) {
    for _ in 0..<50 {
      let counts = Counts(parts)
      parallelFor(parts: parts) { counts.bump($0) }
      #expect(counts.all == [Int](repeating: 1, count: parts))
    }
  }

  @Test("a loop started inside a part, or from two threads at once, still runs every part once")
  func nestedAndConcurrentLoops() {
    let counts = Counts(4 * 3)
    parallelFor(parts: 4) { outer in
      parallelFor(parts: 3) { inner in counts.bump(outer * 3 + inner) }
    }
    #expect(counts.all == [Int](repeating: 1, count: 12))
    let concurrent = Counts(2 * 100)
    DispatchQueue.concurrentPerform(iterations: 2) { caller in
      for round in 0..<25 {
        parallelFor(parts: 4) { part in concurrent.bump(caller * 100 + round * 4 + part) }
      }
    }
    #expect(concurrent.all == [Int](repeating: 1, count: 200))
  }

  @Test("a loop after the helpers have gone to sleep wakes them and finishes")
  func afterSleeping() throws {
    Thread.sleep(forTimeInterval: 0.01)  // far beyond the helpers' spinning time
    let counts = Counts(2)
    parallelFor(parts: 2) { part in
      Thread.sleep(forTimeInterval: 0.005)
      counts.bump(part)
    }
    #expect(counts.all == [1, 1])
  }
}

@Suite("Chapter11 broadcasting by rows")
struct Chapter11BroadcastTests {
  /// Shape pairs with broadcast axes first, last, in the middle and on both sides.
  static let pairs: [([Int], [Int])] = [
    ([4, 3], [4, 3]), ([4, 3], [3]), ([4, 3], [4, 1]), ([2, 3, 4], [3, 1]), ([3], []),
    ([1, 3], [2, 1]), ([5, 1, 4], [1, 6, 1]), ([2, 3, 4, 5], [2, 3, 1, 1]), ([2, 1, 4, 1], [3, 1, 5]),
  ]

  /// The elements of `t` read at every position of the broadcast `shape`, from the definition:
  /// align the shapes on the right, and read index 0 along the axes where `t` has size 1.
  static func broadcastElements(_ t: Tensor, to shape: [Int]) -> [Float] {
    let strides = contiguousStrides(shape)
    return (0..<shape.product).map { index in
      var offset = 0, stride = 1
      for axis in (0..<t.rank).reversed() {
        let outputAxis = axis + shape.count - t.rank
        let coordinate = t.shape[axis] == 1 ? 0 : index / strides[outputAxis] % shape[outputAxis]
        offset += coordinate * stride
        stride *= t.shape[axis]
      }
      return t.data[offset]
    }
  }

  @Test("elementwise values match the definition of broadcasting", arguments: 0..<pairs.count)
  func values(pair index: Int) {
    let (shapeA, shapeB) = Self.pairs[index]
    let a = randomInput(shapeA, seed: index), b = randomInput(shapeB, seed: 50 + index)
    let shape = broadcastShape(shapeA, shapeB, in: "test")
    let result = a + 10 * b
    #expect(result.shape == shape)
    let expected = zip(Self.broadcastElements(a, to: shape), Self.broadcastElements(b, to: shape))
      .map { $0 + 10 * $1 }
    #expect(result.data == expected, "\(shapeA) + 10 · \(shapeB)")
    // Summing back to an operand's shape undoes broadcasting: each element of b was used
    // shape.product / b.count times.
    let ones = Tensor.ones(shape)
    #expect(ones.sumToShape(shapeB).data.allSatisfy { $0 == Float(shape.product / Swift.max(b.count, 1)) })
    #expect(b.expanded(to: shape).data == Self.broadcastElements(b, to: shape))
  }

  @Test("sum(axis:) and max(axis:) match plain loops on every axis")
  func reductions() {
    let x = randomInput([3, 4, 5], seed: 9)
    for axis in 0..<3 {
      let (outer, length, inner) = splitAroundAxis(x.shape, axis)
      var sums = [Float](repeating: 0, count: outer * inner)
      var maxima = [Float](repeating: -.infinity, count: outer * inner)
      for o in 0..<outer {
        for l in 0..<length {
          for i in 0..<inner {
            let value = x.data[(o * length + l) * inner + i]
            sums[o * inner + i] += value
            maxima[o * inner + i] = Swift.max(maxima[o * inner + i], value)
          }
        }
      }
      #expect(zip(x.sum(axis: axis).data, sums).allSatisfy { Swift.abs($0 - $1) < 1e-5 },
              "sum(axis: \(axis))")
      #expect(x.max(axis: axis).data == maxima, "max(axis: \(axis))")
    }
    #expect(Swift.abs(x.sum().item - x.data.reduce(0, +)) < 1e-4)
  }
}

@Suite("Chapter11 program", .serialized)
struct Chapter11ProgramTests {
  @Test("the chapter times every version, checks it, draws the chart and profiles an LSTM step")
  func chapterRuns() throws {
    let run = try ChapterRunner.run("Chapter11", ["--size", "64"])
    try ChapterRunner.expectCompleteRun(run, folder: "11-HighPerformanceComputing",
                                        figures: ["11-matmul-versions.svg"])
    let roof = run.numbers(inLineStartingWith: "arithmetic roof:", in: "11.1 Counting the work")
    #expect(roof.count >= 2 && roof[0] > 1, "\(roof)")
    // Each version's line: time, GFLOP/s, × naive, max |C − naive|; all agree with the naive loop.
    let versions = [("11.2 The textbook loop", "1 naive"), ("11.3 Loop order and the cache", "2 i-k-j"),
                    ("11.4 What checks cost", "3 no checks"), ("11.5 SIMD registers", "4 SIMD tile"),
                    ("11.6 Blocking for the cache", "5 blocked"), ("11.7 Every core", "6 "),
                    ("11.8 The engine's kernel", "engine")]
    for (title, name) in versions {
      let line = run.line(startingWith: name, in: title)
      #expect(line != nil, "\(title): no line for \(name)\n\(run.output)")
      let numbers = line.map(ChapterRunner.numbers(in:)) ?? []
      #expect(numbers.last.map { $0 < 1e-3 } ?? false, "\(name): \(line ?? "")")
    }
    let svg = run.file("figures/11-matmul-versions.svg") ?? ""
    #expect(svg.contains("naive") && svg.contains("engine") && svg.contains("arithmetic roof"))
    // Both kernel paths, with the same bits.
    let widths = run.section("11.9 Vector width")
    #expect(widths.contains { $0.hasPrefix("simd8 ") } && widths.contains { $0.hasPrefix("simd16 ") },
            "\(widths)")
    #expect(widths.contains { $0.hasSuffix("differ by 0.000000 (the same bits)") }, "\(widths)")
    let profile = run.section("11.10 Where a training step's time goes")
    #expect(profile.contains { $0.hasPrefix("lstmStep") } && profile.contains { $0.hasPrefix("matmul") },
            "\(profile)")
    #expect(profile.contains { $0.hasPrefix("total ") && $0.hasSuffix("ms per run") })
    #expect(run.line(startingWith: "matrix products:", in: "11.10 Where a training step's time goes")
              != nil)
  }

  @Test("--reference draws PyTorch's line; a missing file is an error that says how to make it")
  func reference() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("chapter11-reference-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("torch.json").path
    let cores = ProcessInfo.processInfo.activeProcessorCount
    try """
      {"engine": "PyTorch test", "cores": \(cores), "rows": [
        {"benchmark": "matmul 16×16×16, \(cores) thread\(cores > 1 ? "s" : "")", "unit": "GFLOP/s", "value": 123.4}]}
      """.write(toFile: path, atomically: true, encoding: .utf8)
    let run = try ChapterRunner.run("Chapter11", ["--size", "16", "--reference", path])
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.line(startingWith: "PyTorch, \(cores) thread", in: "11.8 The engine's kernel")?
      .contains("123.4") ?? false, "\(run.output)")
    #expect(run.file("figures/11-matmul-versions.svg")?.contains("PyTorch") ?? false)

    let missing = try ChapterRunner.run("Chapter11", ["--size", "16", "--reference", "/nonexistent/torch.json"])
    #expect(missing.status == 1)
    #expect(missing.errors.contains("/nonexistent/torch.json") && missing.errors.contains("pytorch_reference.py"),
            "\(missing.errors)")
  }

  @Test("--help prints the usage; an unknown option exits with status 2")
  func options() throws {
    try ChapterRunner.expectStandardOptions("Chapter11")
  }

  @Test("every numeric option runs, warns or is refused at both ends of its range, and never crashes")
  func optionRanges() throws {
    try OptionWalk.expectCleanEnds("Chapter11")
  }
}
