import Foundation

// ─────────────────────────────────────────────────────────────────────────────────────────────
// Exercises of chapter 11 — yours to write.
//
// In the course you are given, each body is a `fatalError` stub: replace it with your own code.
// (In the instructors' copy the reference solution sits between BEGIN SOLUTION and END SOLUTION;
// `swift run Course student-version` replaces it by the stub.)
//
// For each function: write your own, and check it
// with
//
//     swift test --filter Chapter11
//
// The tests compare your product with the naive loop's on shapes that do not fill whole tiles
// or stripes. Then time yours: add a `measure(…)` line to main.swift.
// ─────────────────────────────────────────────────────────────────────────────────────────────

// snippet: exercise-transposed-multiply
/// C = A · B computed as dot products of contiguous rows: transpose B once (k × n → n × k), then
/// C[i][j] = Σₚ A[i][p] · Bᵀ[j][p], reading both rows one float after the next.
func transposedMultiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
  // BEGIN SOLUTION 11.1
  var transposed = [Float](repeating: 0, count: k * n)
  for p in 0..<k {
    for j in 0..<n { transposed[j * k + p] = b[p * n + j] }
  }
  var c = [Float](repeating: 0, count: m * n)
  a.withUnsafeBufferPointer { a in
    transposed.withUnsafeBufferPointer { bt in
      c.withUnsafeMutableBufferPointer { c in
        for i in 0..<m {
          let rowOfA = a.baseAddress! + i * k
          for j in 0..<n {
            let rowOfBt = bt.baseAddress! + j * k
            var sum: Float = 0
            for p in 0..<k { sum += rowOfA[p] * rowOfBt[p] }
            c[i * n + j] = sum
          }
        }
      }
    }
  }
  return c
  // END SOLUTION
}
// end snippet

// snippet: exercise-six-row-tile
/// Version 4 with tiles of 6 rows × 16 columns: twelve accumulator registers instead of eight,
/// so each vector of B loaded feeds six multiply-adds instead of four. (AVX2 has 16 vector
/// registers: twelve for C, two for B and one for the broadcast A value fit; 8 × 16 would not.)
func sixRowTileMultiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
  // BEGIN SOLUTION 11.2a
  var c = [Float](repeating: 0, count: m * n)
  a.withUnsafeBufferPointer { a in
    b.withUnsafeBufferPointer { b in
      c.withUnsafeMutableBufferPointer { c in
        let (a, b, c) = (a.baseAddress!, b.baseAddress!, c.baseAddress!)
        for column in stride(from: 0, to: n / 16 * 16, by: 16) {
          for row in stride(from: 0, to: m / 6 * 6, by: 6) {
            multiplySixRowTile(a + row * k, k: k, b + column, c + row * n + column, n: n)
          }
        }
        addEdges(a, b, c, n: n, k: k, rows: 0..<m, depth: 0..<k, tileRows: 6)
      }
    }
  }
  return c
  // END SOLUTION
}

/// C[6 rows][16 columns] = Σₚ A[6 rows][p] · B[p][16 columns], in twelve registers.
@inline(__always)
func multiplySixRowTile(_ a: UnsafePointer<Float>, k: Int, _ b: UnsafePointer<Float>,
                        _ c: UnsafeMutablePointer<Float>, n: Int) {
  // BEGIN SOLUTION 11.2b
  var (c00, c01, c10, c11) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
  var (c20, c21, c30, c31) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
  var (c40, c41, c50, c51) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
  for p in 0..<k {
    let rowOfB = UnsafeRawPointer(b + p * n)
    let b0 = rowOfB.loadUnaligned(as: SIMD8<Float>.self)
    let b1 = rowOfB.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
    var ai = SIMD8<Float>(repeating: a[p])
    c00.addProduct(ai, b0); c01.addProduct(ai, b1)
    ai = SIMD8(repeating: a[k + p]); c10.addProduct(ai, b0); c11.addProduct(ai, b1)
    ai = SIMD8(repeating: a[2 * k + p]); c20.addProduct(ai, b0); c21.addProduct(ai, b1)
    ai = SIMD8(repeating: a[3 * k + p]); c30.addProduct(ai, b0); c31.addProduct(ai, b1)
    ai = SIMD8(repeating: a[4 * k + p]); c40.addProduct(ai, b0); c41.addProduct(ai, b1)
    ai = SIMD8(repeating: a[5 * k + p]); c50.addProduct(ai, b0); c51.addProduct(ai, b1)
  }
  for (r, (left, right)) in [(c00, c01), (c10, c11), (c20, c21), (c30, c31), (c40, c41),
                             (c50, c51)].enumerated() {
    let rowOfC = UnsafeMutableRawPointer(c + r * n)
    rowOfC.storeBytes(of: left, as: SIMD8<Float>.self)
    rowOfC.storeBytes(of: right, toByteOffset: 32, as: SIMD8<Float>.self)
  }
  // END SOLUTION
}
// end snippet
