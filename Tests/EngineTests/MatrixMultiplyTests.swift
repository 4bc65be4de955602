import Foundation
import Testing
@testable import DeepLearning
import TestSupport

// Tests for the blocked matrix-multiply kernel: it must agree with the plain triple loop for every
// shape (including ragged edges that do not fill a 6×16 tile or a cache block), every transpose
// combination and both accumulate modes, whether it packs B or reads it in place, and give
// bit-identical results on 1 or more threads.
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
    func run(naive: Bool = false, accumulate: Bool, threads: Int = 1) -> [Float] {
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
                             threads: threads)
            }
          }
        }
      }
      return c
    }

    /// Checks the blocked kernel against the naive loop element by element (see the tolerance
    /// note at the top of the file), and that the padding after each row of C is untouched.
    func expectMatchesReference(accumulate: Bool, threads: Int = 1,
                                sourceLocation: SourceLocation = #_sourceLocation) {
      let fast = run(accumulate: accumulate, threads: threads)
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
      let worstPlace = "\(self), accumulate \(accumulate): C[\(worst.i), \(worst.j)]"
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

  @Test("matches the naive loop on edge shapes, all transposes, both accumulate modes",
        arguments: [(false, false), (true, false), (false, true), (true, true)])
  func edgeShapesAllTransposes(transposeA: Bool, transposeB: Bool) {
    for shape in Self.edgeShapes {
      let problem = Problem(m: shape.m, n: shape.n, k: shape.k,
                            transposeA: transposeA, transposeB: transposeB)
      problem.expectMatchesReference(accumulate: false)
      problem.expectMatchesReference(accumulate: true)
    }
  }

  @Test("matches the naive loop on random shapes")
  func randomShapes() {
    var random = SplitMix64(state: 2024)
    for seed in 0..<24 {
      let problem = Problem(m: random.nextInt(in: 1...70), n: random.nextInt(in: 1...70),
                            k: random.nextInt(in: 1...70),
                            transposeA: random.next() % 2 == 0,
                            transposeB: random.next() % 2 == 0,
                            ldcPadding: random.nextInt(in: 0...5), seed: UInt64(seed))
      problem.expectMatchesReference(accumulate: random.next() % 2 == 0)
    }
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
      for accumulate in [false, true] {
        let single = problem.run(accumulate: accumulate, threads: 1)
        #expect(problem.run(accumulate: accumulate, threads: 2) == single, "\(problem)")
        #expect(problem.run(accumulate: accumulate, threads: 3) == single, "\(problem)")
      }
      problem.expectMatchesReference(accumulate: true, threads: 2)
    }
  }

  /// A short A (at most 144 rows) and a B with contiguous rows make the kernel read B in place
  /// instead of packing it, in blocks of 256 steps of k, packing only the last, ragged 16-column
  /// panel. Shapes on both sides of each condition: m = 144 and 145, B rows 64 floats apart
  /// (packed: they would collide in the cache), ragged n, and k over several blocks.
  @Test("B read in place matches the naive loop, on one thread and two",
        arguments: [(32, 800, 200), (32, 200, 800), (144, 72, 300), (145, 72, 40), (20, 64, 300),
                    (20, 33, 600), (5, 16, 257)])
  func bReadInPlace(m: Int, n: Int, k: Int) {
    let problem = Problem(m: m, n: n, k: k)
    for accumulate in [false, true] {
      problem.expectMatchesReference(accumulate: accumulate, threads: 1)
      problem.expectMatchesReference(accumulate: accumulate, threads: 2)
      #expect(problem.run(accumulate: accumulate, threads: 2)
                == problem.run(accumulate: accumulate, threads: 1), "\(problem)")
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
