import Foundation
import Testing
@testable import DeepLearning
@testable import Kernels
import TestSupport

// Tests for the blocked matrix-multiply kernel: it must agree with the plain triple loop for every
// shape (including ragged edges that do not fill a 6×16 or 8×32 tile or a cache block), every
// transpose combination and both accumulate modes, whether it packs B or reads it in place, on
// every kernel path (8-wide and 16-wide: both run on any machine, see KernelPath.swift), and give
// bit-identical results on 1 or more threads and on both paths.
//
// Tolerance. The fast kernel and the reference add the same k products in a different order
// (block by block, with fused multiply-adds), so neither is exact. For a Float32 sum of k terms
// each result is within about k·u·Σₚ|aᵢₚ·bₚⱼ| of the true value (u = 2⁻²⁴, the unit roundoff), so
// the two differ by at most 2·k·u·Σ|a·b|. We allow k·ε·(Σₚ|aᵢₚ·bₚⱼ| + |cᵢⱼ|) with ε =
// Float.ulpOfOne = 2u, which is exactly that bound (plus the starting C when accumulating).
// In practice rounding errors grow like √k: the largest difference seen is under 1% of this.

// The helpers are nested in the suite so their short names cannot clash with other test files.
extension Chapter11MatrixMultiplyKernelTests {
  /// SplitMix64: a tiny deterministic random generator, so every run tests the same matrices.
  fileprivate struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    mutating func nextFloat() -> Float {
      Float(next() >> 40) / Float(1 << 23) - 1
    }

    mutating func nextInt(in range: ClosedRange<Int>) -> Int {
      range.lowerBound + Int(next() % UInt64(range.count))
    }

    func floats(_ count: Int) -> [Float] {
      var copy = self
      return (0..<count).map { _ in copy.nextFloat() }
    }
  }

  /// One test product: random A and B stored plainly or transposed, and a random starting C whose
  /// rows are `ldcPadding` floats longer than n (those padding floats must never change).
  fileprivate struct Problem: CustomStringConvertible {
    let m: Int, n: Int, k: Int
    let transposeA: Bool, transposeB: Bool
    let ldc: Int
    let a: [Float], b: [Float], initialC: [Float]

    init(m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false,
         ldcPadding: Int = 3, seed: UInt64 = 1) {
      self.m = m
      self.n = n
      self.k = k
      self.transposeA = transposeA
      self.transposeB = transposeB
      ldc = n + ldcPadding
      // At least one element each, so the buffers have an address even when a size is 0.
      a = SplitMix64(state: seed).floats(max(1, m * k))
      b = SplitMix64(state: seed &+ 1000).floats(max(1, k * n))
      initialC = SplitMix64(state: seed &+ 2000).floats(max(1, m * ldc))
    }

    /// A stored m×k row-major, or as its k×m transpose; element (i, p) is at i * row + p * column.
    var aStrides: (row: Int, column: Int) { transposeA ? (1, m) : (k, 1) }
    /// B stored k×n row-major, or as its n×k transpose; element (p, j) is at p * row + j * column.
    var bStrides: (row: Int, column: Int) { transposeB ? (1, k) : (n, 1) }

    func a(_ i: Int, _ p: Int) -> Float { a[i * aStrides.row + p * aStrides.column] }
    func b(_ p: Int, _ j: Int) -> Float { b[p * bStrides.row + j * bStrides.column] }

    var description: String {
      "\(m)×\(k) · \(k)×\(n)\(transposeA ? " Aᵀ" : "")\(transposeB ? " Bᵀ" : "")"
    }

    /// C after the blocked kernel (or the naive reference) has run on a copy of the starting C.
    func run(naive: Bool = false, accumulate: Bool, threads: Int = 1,
             path: KernelPath = .preferred) -> [Float] {
      var c = initialC
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          c.withUnsafeMutableBufferPointer { c in
            if naive {
              naiveMatrixMultiply(m: m, n: n, k: k,
                                  a: a.baseAddress!, aRowStride: aStrides.row,
                                  aColStride: aStrides.column,
                                  b: b.baseAddress!, bRowStride: bStrides.row,
                                  bColStride: bStrides.column,
                                  c: c.baseAddress!, ldc: ldc, accumulate: accumulate)
            } else {
              matrixMultiply(m: m, n: n, k: k,
                             a: a.baseAddress!, aRowStride: aStrides.row,
                             aColStride: aStrides.column,
                             b: b.baseAddress!, bRowStride: bStrides.row,
                             bColStride: bStrides.column,
                             c: c.baseAddress!, ldc: ldc, accumulate: accumulate,
                             threads: threads, path: path)
            }
          }
        }
      }
      return c
    }

    /// Checks the blocked kernel against the naive loop element by element (see the tolerance
    /// note at the top of the file), and that the padding after each row of C is untouched.
    func expectMatchesReference(accumulate: Bool, threads: Int = 1,
                                path: KernelPath = .preferred,
                                sourceLocation: SourceLocation = #_sourceLocation) {
      let fast = run(accumulate: accumulate, threads: threads, path: path)
      let reference = run(naive: true, accumulate: accumulate)
      var worst: (excess: Float, i: Int, j: Int) = (0, 0, 0)
      for i in 0..<m {
        for j in 0..<n {
          var magnitude: Float = accumulate ? abs(initialC[i * ldc + j]) : 0
          for p in 0..<k { magnitude += abs(a(i, p) * b(p, j)) }
          let allowed = Float(max(k, 1)) * Float.ulpOfOne * magnitude
          let error = abs(fast[i * ldc + j] - reference[i * ldc + j])
          // Written so that a NaN (an element never computed) counts as an infinite excess.
          let excess = error <= allowed ? 0 : (error.isNaN ? .infinity : error - allowed)
          if excess > worst.excess { worst = (excess, i, j) }
        }
        for j in n..<ldc {
          #expect(fast[i * ldc + j] == initialC[i * ldc + j],
                  "\(self): padding of row \(i) was written", sourceLocation: sourceLocation)
        }
      }
      let worstPlace = "\(self), \(path), accumulate \(accumulate): C[\(worst.i), \(worst.j)]"
      #expect(worst.excess == 0, "\(worstPlace) exceeds the bound by \(worst.excess)",
              sourceLocation: sourceLocation)
    }
  }
}

@Suite("Chapter11 matrix multiply kernel")
struct Chapter11MatrixMultiplyKernelTests {
  /// Shapes chosen to exercise the edges: smaller than one tile, not a multiple of 6 rows or
  /// 16 columns, more than one k-block (k > 512) and more than one row block (m > 144).
  static let edgeShapes: [(m: Int, n: Int, k: Int)] = [
    (1, 1, 1), (7, 13, 5), (67, 129, 33), (300, 17, 260), (6, 16, 1), (13, 40, 513),
  ]

  @Test("the naive reference computes a small product by hand")
  func naiveReference() {
    // [1 2 3]   [1 0]   [ 4  5]
    // [4 5 6] · [0 1] = [10 11]
    //           [1 1]
    let a: [Float] = [1, 2, 3, 4, 5, 6]
    let b: [Float] = [1, 0, 0, 1, 1, 1]
    var c: [Float] = [100, 100, 100, 100]
    naiveMatrixMultiply(m: 2, n: 2, k: 3, a: a, aRowStride: 3, aColStride: 1,
                        b: b, bRowStride: 2, bColStride: 1, c: &c, ldc: 2, accumulate: false)
    #expect(c == [4, 5, 10, 11])
    naiveMatrixMultiply(m: 2, n: 2, k: 3, a: a, aRowStride: 3, aColStride: 1,
                        b: b, bRowStride: 2, bColStride: 1, c: &c, ldc: 2, accumulate: true)
    #expect(c == [8, 10, 20, 22])
  }

  @Test("matches the naive loop on edge shapes, all transposes, both accumulate modes, every path",
        arguments: KernelPath.allCases, [(false, false), (true, false), (false, true), (true, true)])
  func edgeShapesAllTransposes(path: KernelPath, transposes: (a: Bool, b: Bool)) {
    for shape in Self.edgeShapes {
      let problem = Problem(m: shape.m, n: shape.n, k: shape.k,
                            transposeA: transposes.a, transposeB: transposes.b)
      problem.expectMatchesReference(accumulate: false, path: path)
      problem.expectMatchesReference(accumulate: true, path: path)
    }
  }

  @Test("matches the naive loop on random shapes, every path", arguments: KernelPath.allCases)
  func randomShapes(path: KernelPath) {
    var random = SplitMix64(state: 2024)
    for seed in 0..<24 {
      let problem = Problem(m: random.nextInt(in: 1...70), n: random.nextInt(in: 1...70),
                            k: random.nextInt(in: 1...70),
                            transposeA: random.next() % 2 == 0,
                            transposeB: random.next() % 2 == 0,
                            ldcPadding: random.nextInt(in: 0...5), seed: UInt64(seed))
      problem.expectMatchesReference(accumulate: random.next() % 2 == 0, path: path)
    }
  }

  /// The 8-wide and 16-wide kernels tile C differently (6×16 and 8×32) but sum every element in
  /// the same order, so the same inputs give the same bits on every machine. Shapes on both
  /// sides of every blocking decision: ragged tiles, several k-blocks packed (k > 512) and in
  /// place (m ≤ 144, k > 256), several row blocks (m > 144), several column blocks (n > 4080),
  /// and sizes the threads split.
  @Test("the 8-wide and 16-wide paths give bit-identical results",
        arguments: [(1, 1, 1), (7, 13, 5), (67, 129, 33), (300, 17, 260), (13, 40, 513),
                    (32, 800, 200), (32, 200, 800), (145, 72, 600), (128, 256, 784),
                    (7, 4200, 3), (100, 33, 2048), (9, 8, 1100)])
  func pathsAgreeBitForBit(m: Int, n: Int, k: Int) {
    for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
      let problem = Problem(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
      for accumulate in [false, true] {
        for threads in [1, 2] {
          let results = KernelPath.allCases.map {
            problem.run(accumulate: accumulate, threads: threads, path: $0)
          }
          #expect(results.allSatisfy { $0 == results[0] },
                  "\(problem), accumulate \(accumulate), \(threads) threads: the paths differ")
        }
      }
    }
    Problem(m: m, n: n, k: k).expectMatchesReference(accumulate: true, path: .simd16)
  }

  /// B packed once (`PackedMatrix`, as the LSTM packs its recurrent weight) gives the bits of
  /// `matrixMultiply`, for the whole product or any band of A's rows, on every path.
  @Test("a B packed once gives the same bits as matrixMultiply",
        arguments: KernelPath.allCases, [(32, 800, 200), (32, 200, 800), (5, 33, 300), (200, 40, 600)])
  func packedMatrixMatchesMultiply(path: KernelPath, shape: (m: Int, n: Int, k: Int)) {
    let problem = Problem(m: shape.m, n: shape.n, k: shape.k, transposeB: shape.m == 5)
    let packed = problem.b.withUnsafeBufferPointer { b in
      PackedMatrix(k: shape.k, n: shape.n, b: b.baseAddress!, rowStride: problem.bStrides.row,
                   columnStride: problem.bStrides.column, rowsOfA: shape.m, path: path)
    }
    for accumulate in [false, true] {
      let expected = problem.run(accumulate: accumulate, threads: 1, path: path)
      var c = problem.initialC
      c.withUnsafeMutableBufferPointer { c in
        problem.a.withUnsafeBufferPointer { a in
          // In two bands of rows, the way the LSTM's cores split a step.
          let split = shape.m / 2
          for rows in [0..<split, split..<shape.m] {
            packed.multiply(m: rows.count, a: a.baseAddress! + rows.lowerBound * shape.k,
                            aRowStride: shape.k, aColStride: 1,
                            c: c.baseAddress! + rows.lowerBound * problem.ldc, ldc: problem.ldc,
                            accumulate: accumulate)
          }
        }
      }
      #expect(c == expected, "\(problem), \(path), accumulate \(accumulate)")
    }
  }

  @Test("the machine's choice of path: 16-wide exactly when the CPU has AVX-512")
  func preferredPath() {
    let unit = VectorUnit.current
    if ProcessInfo.processInfo.environment["DEEPLEARNING_KERNEL_PATH"] == nil {
      #expect(KernelPath.machineChoice == (unit.hasAVX512 ? .simd16 : .simd8), "\(unit.name)")
    }
    #expect(VectorUnit(flags: ["avx2", "fma", "avx512f"]).hasAVX512)
    #expect(VectorUnit(flags: ["avx2", "fma"]).name == "AVX2 + FMA")
    #expect(!VectorUnit(flags: ["sse2"]).hasAVX512)
    #expect(KernelPath.simd16.vectorWidth == 16 && KernelPath.simd8.tile == (6, 16))
  }

  @Test("matches the naive loop when n spans more than one column block")
  func wideProduct() {
    let problem = Problem(m: 7, n: 4200, k: 3)
    problem.expectMatchesReference(accumulate: false, threads: 2)
    problem.expectMatchesReference(accumulate: true, threads: 2)
  }

  /// Each shape is big enough to be split: over columns when n ≥ m, over rows otherwise.
  @Test("results are bit-identical on 1, 2 and 3 threads",
        arguments: [(64, 256, 784), (300, 17, 520), (129, 131, 300), (32, 100, 800)])
  func threadCountDoesNotChangeBits(m: Int, n: Int, k: Int) {
    for (transposeA, transposeB) in [(false, false), (true, true)] {
      let problem = Problem(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
      for path in KernelPath.allCases {
        for accumulate in [false, true] {
          let single = problem.run(accumulate: accumulate, threads: 1, path: path)
          #expect(problem.run(accumulate: accumulate, threads: 2, path: path) == single,
                  "\(problem), \(path)")
          #expect(problem.run(accumulate: accumulate, threads: 3, path: path) == single,
                  "\(problem), \(path)")
        }
        problem.expectMatchesReference(accumulate: true, threads: 2, path: path)
      }
    }
  }

  /// A short A (at most 144 rows) and a B with contiguous rows make the kernel read B in place
  /// instead of packing it, in blocks of 256 steps of k, packing only the last, ragged panel. Shapes on both sides of each condition: m = 144 and 145, B rows 64 floats apart
  /// (packed: they would collide in the cache), ragged n, and k over several blocks.
  @Test("B read in place matches the naive loop, on one thread and two",
        arguments: [(32, 800, 200), (32, 200, 800), (144, 72, 300), (145, 72, 40), (20, 64, 300),
                    (20, 33, 600), (5, 16, 257)])
  func bReadInPlace(m: Int, n: Int, k: Int) {
    let problem = Problem(m: m, n: n, k: k)
    for path in KernelPath.allCases {
      for accumulate in [false, true] {
        problem.expectMatchesReference(accumulate: accumulate, threads: 1, path: path)
        problem.expectMatchesReference(accumulate: accumulate, threads: 2, path: path)
        #expect(problem.run(accumulate: accumulate, threads: 2, path: path)
                  == problem.run(accumulate: accumulate, threads: 1, path: path),
                "\(problem), \(path)")
      }
    }
  }

  @Test("k = 0 clears C, or leaves it alone when accumulating; m = 0 or n = 0 does nothing")
  func emptyDimensions() {
    let problem = Problem(m: 5, n: 9, k: 0)
    let cleared = problem.run(accumulate: false)
    for i in 0..<5 {
      #expect(cleared[(i * problem.ldc)..<(i * problem.ldc + 9)].allSatisfy { $0 == 0 })
      #expect(cleared[(i * problem.ldc + 9)..<((i + 1) * problem.ldc)]
                == problem.initialC[(i * problem.ldc + 9)..<((i + 1) * problem.ldc)])
    }
    #expect(problem.run(accumulate: true) == problem.initialC)
    for (m, n) in [(0, 9), (5, 0)] {
      let empty = Problem(m: m, n: n, k: 4)
      #expect(empty.run(accumulate: false) == empty.initialC)
    }
  }

  @Test("general strides: every other column of A and every third row of B")
  func nonUnitStrides() {
    // A is the even columns of a 9×(2·11) matrix, B every third row of a (3·11)×14 matrix.
    let m = 9, n = 14, k = 11
    let aStorage = SplitMix64(state: 7).floats(m * 2 * k)
    let bStorage = SplitMix64(state: 8).floats(3 * k * n)
    var fast = [Float](repeating: .nan, count: m * n)
    var reference = [Float](repeating: .nan, count: m * n)
    matrixMultiply(m: m, n: n, k: k, a: aStorage, aRowStride: 2 * k, aColStride: 2,
                   b: bStorage, bRowStride: 3 * n, bColStride: 1, c: &fast, ldc: n,
                   accumulate: false, threads: 2)
    naiveMatrixMultiply(m: m, n: n, k: k, a: aStorage, aRowStride: 2 * k, aColStride: 2,
                        b: bStorage, bRowStride: 3 * n, bColStride: 1, c: &reference, ldc: n,
                        accumulate: false)
    // Every |a·b| ≤ 1, so Σₚ|aᵢₚ·bₚⱼ| ≤ k and the file's tolerance is at most k·ε·k.
    for index in 0..<(m * n) {
      #expect(abs(fast[index] - reference[index]) <= Float(k) * Float.ulpOfOne * Float(k))
    }
  }
}
