import Foundation

// The chapter's matrix products, from the textbook loop to a multi-threaded SIMD kernel. Each
// computes C = A · B for row-major A [m × k] and B [k × n] and returns C [m × n]; each step
// changes one thing, and Chapter11Tests checks that every one gives the naive loop's result.
//
// This target is compiled with -O (not -Ounchecked like the engine): array subscripts are
// bounds-checked and integer arithmetic is overflow-checked, as in any Swift program, so that
// step 3 can show what those checks cost in an inner loop.

// MARK: - 1. The textbook loop

// snippet: naive-multiply
/// C = A · B with the textbook triple loop, i-j-k: each element of C is the dot product of a row
/// of A and a column of B.
func naiveMultiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
  var c = [Float](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      var sum: Float = 0
      for p in 0..<k { sum += a[i * k + p] * b[p * n + j] }  // b: a column, n floats apart
      c[i * n + j] = sum
    }
  }
  return c
}
// end snippet

// MARK: - 2. Loop order

// snippet: loop-order-multiply
/// The same sum in i-k-j order: A's element (i, p) times all of B's row p, added to all of C's
/// row i. The inner loop now walks B and C along rows, one float after the next.
func loopOrderMultiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
  var c = [Float](repeating: 0, count: m * n)
  for i in 0..<m {
    for p in 0..<k {
      let aip = a[i * k + p]
      for j in 0..<n { c[i * n + j] += aip * b[p * n + j] }
    }
  }
  return c
}
// end snippet

// MARK: - 3. No checks in the inner loop

// snippet: unchecked-multiply
/// i-k-j again, through unsafe pointers, with the start of each row computed once, outside
/// the loop that uses it. The inner loop is left with a load, a multiply-add and a store: no
/// bounds check, no overflow check, so the compiler turns it into SIMD instructions.
func uncheckedMultiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
  var c = [Float](repeating: 0, count: m * n)
  a.withUnsafeBufferPointer { a in
    b.withUnsafeBufferPointer { b in
      c.withUnsafeMutableBufferPointer { c in
        for i in 0..<m {
          let rowOfC = c.baseAddress! + i * n
          for p in 0..<k {
            let aip = a[i * k + p], rowOfB = b.baseAddress! + p * n
            for j in 0..<n { rowOfC[j] += aip * rowOfB[j] }
          }
        }
      }
    }
  }
  return c
}
// end snippet

// MARK: - 4. SIMD registers

// snippet: register-tile
/// C[4 rows][16 columns] += Σₚ A[4 rows][p] · B[p][16 columns], for the p in `depth`, with that
/// tile of C held in eight SIMD registers (`SIMD8<Float>`, 8 lanes each) for the whole sum.
/// Each step loads two vectors of B's row p and four numbers of A and does eight fused
/// multiply-adds: every value loaded feeds two or four of them, and C is read and written once
/// per call instead of once per p. `b` points at row `depth.lowerBound` of the 16 columns, and
/// B's rows are `bRowStride` floats apart.
@inline(__always)
func multiplyTile(_ a: UnsafePointer<Float>, k: Int, _ b: UnsafePointer<Float>, bRowStride: Int,
                  _ c: UnsafeMutablePointer<Float>, n: Int, depth: Range<Int>) {
  let (a0, a1, a2, a3) = (a, a + k, a + 2 * k, a + 3 * k)  // the tile's four rows of A
  var c00 = load(c), c01 = load(c + 8)
  var c10 = load(c + n), c11 = load(c + n + 8)
  var c20 = load(c + 2 * n), c21 = load(c + 2 * n + 8)
  var c30 = load(c + 3 * n), c31 = load(c + 3 * n + 8)
  var rowOfB = b
  for p in depth {
    let b0 = load(rowOfB), b1 = load(rowOfB + 8)
    rowOfB += bRowStride
    c00.addProduct(SIMD8(repeating: a0[p]), b0); c01.addProduct(SIMD8(repeating: a0[p]), b1)
    c10.addProduct(SIMD8(repeating: a1[p]), b0); c11.addProduct(SIMD8(repeating: a1[p]), b1)
    c20.addProduct(SIMD8(repeating: a2[p]), b0); c21.addProduct(SIMD8(repeating: a2[p]), b1)
    c30.addProduct(SIMD8(repeating: a3[p]), b0); c31.addProduct(SIMD8(repeating: a3[p]), b1)
  }
  store(c00, c); store(c01, c + 8)
  store(c10, c + n); store(c11, c + n + 8)
  store(c20, c + 2 * n); store(c21, c + 2 * n + 8)
  store(c30, c + 3 * n); store(c31, c + 3 * n + 8)
}
// end snippet

// snippet: register-tile-multiply
/// C = A · B one 4 × 16 tile at a time, each reading its strip of 16 columns of B in place.
func registerTileMultiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
  var c = [Float](repeating: 0, count: m * n)
  a.withUnsafeBufferPointer { a in
    b.withUnsafeBufferPointer { b in
      c.withUnsafeMutableBufferPointer { c in
        let (a, b, c) = (a.baseAddress!, b.baseAddress!, c.baseAddress!)
        for column in stride(from: 0, to: n / 16 * 16, by: 16) {
          for row in stride(from: 0, to: m / 4 * 4, by: 4) {
            multiplyTile(a + row * k, k: k, b + column, bRowStride: n,
                         c + row * n + column, n: n, depth: 0..<k)
          }
        }
        addEdges(a, b, c, n: n, k: k, rows: 0..<m, depth: 0..<k)
      }
    }
  }
  return c
}
// end snippet

/// The elements no full tile covers — the last n mod 16 columns of the tiled rows, and every
/// column of the last rows that do not fill a group of `tileRows` — with the plain loop, for
/// the p in `depth`.
func addEdges(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
              n: Int, k: Int, rows: Range<Int>, depth: Range<Int>, tileRows: Int = 4) {
  let tiledRows = rows.lowerBound + rows.count / tileRows * tileRows, tiledColumns = n / 16 * 16
  for i in rows {
    let firstColumn = i < tiledRows ? tiledColumns : 0
    for p in depth {
      let aip = a[i * k + p]
      for j in firstColumn..<n { c[i * n + j] += aip * b[p * n + j] }
    }
  }
}

// MARK: - 5. Blocking for the cache

// snippet: blocked-multiply
/// The register tile over blocks of B. For each block of 256 steps of k and each strip of 16
/// columns, the strip is first copied ("packed") into a small contiguous buffer, 256 × 16 floats
/// = 16 KB, which then stays in the 32 KB L1 cache while every group of 4 rows uses it. Read in
/// place, a strip's rows lie n floats apart, and for n = 512 (2 KB) they all fall into the same
/// few sets of the cache and evict each other.
func blockedMultiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                     _ c: UnsafeMutablePointer<Float>, n: Int, k: Int, rows: Range<Int>,
                     depthBlock: Int = 256) {
  let strip = UnsafeMutablePointer<Float>.allocate(capacity: depthBlock * 16)
  defer { strip.deallocate() }
  let tiledRows = rows.lowerBound + rows.count / 4 * 4
  for depthStart in stride(from: 0, to: k, by: depthBlock) {
    let depth = depthStart..<min(depthStart + depthBlock, k)
    for column in stride(from: 0, to: n / 16 * 16, by: 16) {
      for (q, p) in depth.enumerated() {  // pack: row p of the strip to row q of the buffer
        (strip + q * 16).update(from: b + p * n + column, count: 16)
      }
      for row in stride(from: rows.lowerBound, to: tiledRows, by: 4) {
        multiplyTile(a + row * k, k: k, strip, bRowStride: 16, c + row * n + column, n: n,
                     depth: depth)
      }
    }
    addEdges(a, b, c, n: n, k: k, rows: rows, depth: depth)
  }
}
// end snippet

/// `blockedMultiply` on arrays, computing every row of C.
func blockedMultiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
  var c = [Float](repeating: 0, count: m * n)
  a.withUnsafeBufferPointer { a in
    b.withUnsafeBufferPointer { b in
      c.withUnsafeMutableBufferPointer { c in
        blockedMultiply(a.baseAddress!, b.baseAddress!, c.baseAddress!, n: n, k: k, rows: 0..<m)
      }
    }
  }
  return c
}

// MARK: - 6. Every core

// snippet: parallel-multiply
/// `blockedMultiply` with the rows of C cut into one stripe per thread. The stripes are
/// independent (each thread writes only its own rows of C and only reads A and B), so the
/// threads need no locks; `concurrentPerform` returns when all of them are done.
func parallelMultiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int,
                      threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Float] {
  var c = [Float](repeating: 0, count: m * n)
  a.withUnsafeBufferPointer { a in
    b.withUnsafeBufferPointer { b in
      c.withUnsafeMutableBufferPointer { c in
        // The pointers cross to other threads: we promise the compiler they stay valid and that
        // no two threads write the same element.
        nonisolated(unsafe) let (a, b, c) = (a.baseAddress!, b.baseAddress!, c.baseAddress!)
        let groups = (m + 3) / 4  // stripes start on a group of 4 rows
        DispatchQueue.concurrentPerform(iterations: threads) { part in
          let first = min(m, groups * part / threads * 4)
          let end = min(m, groups * (part + 1) / threads * 4)
          blockedMultiply(a, b, c, n: n, k: k, rows: first..<end)
        }
      }
    }
  }
  return c
}
// end snippet

// MARK: - Helpers

@inline(__always)
private func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func load(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
  load(UnsafePointer(pointer))
}

@inline(__always)
private func store(_ vector: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD8<Float>.self)
}
