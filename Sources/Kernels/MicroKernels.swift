// The two micro-kernels of the matrix product (MatrixMultiply.swift), one per vector width.
//
// A micro-kernel keeps a tile of C in vector registers while it streams through k: at each step
// it loads one row of a B panel, broadcasts one value of A per tile row, and issues one fused
// multiply-add per accumulator. The bigger the tile, the more FMAs each loaded number feeds; the
// tile is as big as the register file allows:
//
//   SIMD8  6 × 16: 12 accumulators + 2 B vectors + 1 broadcast = 15 of AVX2's 16 registers
//   SIMD16 8 × 32: 16 accumulators + 2 B vectors + 1 broadcast = 19 of AVX-512's 32 registers
//
// The 16-wide tile could grow to 14 × 32 in 32 registers, but this course's products have 8, 16,
// 32, 64 or 128 rows (channels, batches), and 8 rows divide them all; at 16 accumulators the
// two FMA units of an Intel core, four cycles each, are already kept busy.
//
// Bit-identical results. Both kernels start each accumulator at zero, add a[p]·b[p] with one
// rounding per step (FMA) for p = 0, 1, … in order, and then add the accumulator to C. Each
// element of C therefore gets exactly the same operations in the same order from either kernel,
// whatever tile it lies in: the same seed gives the same numbers on every machine.

/// A register-blocked kernel: c[0..<rows][0..<columns] = (addToC ? c : 0) + Σₚ a[p] ⊗ b[p], where
/// a is a packed panel of `rows` values per step and b a panel of `columns` values per step,
/// `bRowStride` floats apart (`columns` when packed), both `depth` steps long.
protocol MicroKernel {
  static var rows: Int { get }
  static var columns: Int { get }
  static func multiply(depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                       bRowStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int, addToC: Bool)
  /// The same for the left half of the tile only (`columns / 2` columns), for the last panel of
  /// a product whose width leaves at most that many columns: a product 100 wide is 3 panels of 32
  /// and 4 columns, and the 8×16 kernel does half the work of the 8×32 on that last one.
  static func multiplyLeftHalf(depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                               bRowStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                               addToC: Bool)
}

/// The 8-wide kernel, a 6×16 tile (AVX2; NEON as pairs of registers).
enum SIMD8Kernel: MicroKernel {
  static let rows = 6
  static let columns = 16

  // snippet: micro-kernel
  /// The 6×16 micro-kernel: c[0..<6][0..<16] = (addToC ? c : 0) + Σₚ a[p] ⊗ b[p], where a is a
  /// packed 6-row panel and b a 16-column panel whose rows are `bRowStride` floats apart (16
  /// when packed), both `depth` steps long.
  ///
  /// The twelve accumulators are written out one by one so the compiler keeps all of them in
  /// registers. Each step loads two vectors of B, broadcasts six values of A and issues twelve
  /// fused multiply-adds (`addingProduct` compiles to one `vfmadd` with `-target-cpu native`).
  /// Every element of C is summed over p in increasing order, whichever tile it falls in, which is
  /// what makes the result independent of blocking and threading.
  @inline(never)
  static func multiply(depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                       bRowStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                       addToC: Bool) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
    var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
    var a = a, b = b
    for _ in 0..<depth {
      let b0 = load8(b), b1 = load8(b + 8)
      var ai = SIMD8<Float>(repeating: a[0])
      c00 = c00.addingProduct(ai, b0); c01 = c01.addingProduct(ai, b1)
      ai = SIMD8<Float>(repeating: a[1])
      c10 = c10.addingProduct(ai, b0); c11 = c11.addingProduct(ai, b1)
      ai = SIMD8<Float>(repeating: a[2])
      c20 = c20.addingProduct(ai, b0); c21 = c21.addingProduct(ai, b1)
      ai = SIMD8<Float>(repeating: a[3])
      c30 = c30.addingProduct(ai, b0); c31 = c31.addingProduct(ai, b1)
      ai = SIMD8<Float>(repeating: a[4])
      c40 = c40.addingProduct(ai, b0); c41 = c41.addingProduct(ai, b1)
      ai = SIMD8<Float>(repeating: a[5])
      c50 = c50.addingProduct(ai, b0); c51 = c51.addingProduct(ai, b1)
      a += rows
      b += bRowStride
    }
    storeRow(c00, c01, to: c, addToC: addToC)
    storeRow(c10, c11, to: c + ldc, addToC: addToC)
    storeRow(c20, c21, to: c + 2 * ldc, addToC: addToC)
    storeRow(c30, c31, to: c + 3 * ldc, addToC: addToC)
    storeRow(c40, c41, to: c + 4 * ldc, addToC: addToC)
    storeRow(c50, c51, to: c + 5 * ldc, addToC: addToC)
  }
  // end snippet

  /// The left 6×8 half of the tile.
  @inline(never)
  static func multiplyLeftHalf(depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                               bRowStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                               addToC: Bool) {
    var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>()
    var c3 = SIMD8<Float>(), c4 = SIMD8<Float>(), c5 = SIMD8<Float>()
    var a = a, b = b
    for _ in 0..<depth {
      let b0 = load8(b)
      c0 = c0.addingProduct(SIMD8<Float>(repeating: a[0]), b0)
      c1 = c1.addingProduct(SIMD8<Float>(repeating: a[1]), b0)
      c2 = c2.addingProduct(SIMD8<Float>(repeating: a[2]), b0)
      c3 = c3.addingProduct(SIMD8<Float>(repeating: a[3]), b0)
      c4 = c4.addingProduct(SIMD8<Float>(repeating: a[4]), b0)
      c5 = c5.addingProduct(SIMD8<Float>(repeating: a[5]), b0)
      a += rows
      b += bRowStride
    }
    storeHalfRow(c0, to: c, addToC: addToC); storeHalfRow(c1, to: c + ldc, addToC: addToC)
    storeHalfRow(c2, to: c + 2 * ldc, addToC: addToC)
    storeHalfRow(c3, to: c + 3 * ldc, addToC: addToC)
    storeHalfRow(c4, to: c + 4 * ldc, addToC: addToC)
    storeHalfRow(c5, to: c + 5 * ldc, addToC: addToC)
  }

  @inline(__always)
  static func storeHalfRow(_ sum: SIMD8<Float>, to row: UnsafeMutablePointer<Float>,
                           addToC: Bool) {
    store8(addToC ? load8(row) + sum : sum, row)
  }

  /// Writes (or adds) one 16-wide row of a tile to C.
  @inline(__always)
  static func storeRow(_ left: SIMD8<Float>, _ right: SIMD8<Float>,
                       to row: UnsafeMutablePointer<Float>, addToC: Bool) {
    if addToC {
      store8(load8(row) + left, row)
      store8(load8(row + 8) + right, row + 8)
    } else {
      store8(left, row)
      store8(right, row + 8)
    }
  }
}

/// The 16-wide kernel, an 8×32 tile (AVX-512).
enum SIMD16Kernel: MicroKernel {
  static let rows = 8
  static let columns = 32

  // snippet: wide-micro-kernel
  /// The 8×32 micro-kernel: the 6×16 kernel's loop on `SIMD16<Float>`, one zmm register per
  /// vector with AVX-512. Sixteen accumulators, two vectors of B and one broadcast value of A
  /// use 19 of the 32 registers; each step issues sixteen FMAs of 16 lanes: 256 multiply-adds
  /// where the 8-wide kernel does 96.
  @inline(never)
  static func multiply(depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                       bRowStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                       addToC: Bool) {
    var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
    var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
    var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
    var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
    var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
    var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
    var c60 = SIMD16<Float>(), c61 = SIMD16<Float>()
    var c70 = SIMD16<Float>(), c71 = SIMD16<Float>()
    var a = a, b = b
    for _ in 0..<depth {
      let b0 = load16(b), b1 = load16(b + 16)
      var ai = SIMD16<Float>(repeating: a[0])
      c00 = c00.addingProduct(ai, b0); c01 = c01.addingProduct(ai, b1)
      ai = SIMD16<Float>(repeating: a[1])
      c10 = c10.addingProduct(ai, b0); c11 = c11.addingProduct(ai, b1)
      ai = SIMD16<Float>(repeating: a[2])
      c20 = c20.addingProduct(ai, b0); c21 = c21.addingProduct(ai, b1)
      ai = SIMD16<Float>(repeating: a[3])
      c30 = c30.addingProduct(ai, b0); c31 = c31.addingProduct(ai, b1)
      ai = SIMD16<Float>(repeating: a[4])
      c40 = c40.addingProduct(ai, b0); c41 = c41.addingProduct(ai, b1)
      ai = SIMD16<Float>(repeating: a[5])
      c50 = c50.addingProduct(ai, b0); c51 = c51.addingProduct(ai, b1)
      ai = SIMD16<Float>(repeating: a[6])
      c60 = c60.addingProduct(ai, b0); c61 = c61.addingProduct(ai, b1)
      ai = SIMD16<Float>(repeating: a[7])
      c70 = c70.addingProduct(ai, b0); c71 = c71.addingProduct(ai, b1)
      a += rows
      b += bRowStride
    }
    storeRow(c00, c01, to: c, addToC: addToC)
    storeRow(c10, c11, to: c + ldc, addToC: addToC)
    storeRow(c20, c21, to: c + 2 * ldc, addToC: addToC)
    storeRow(c30, c31, to: c + 3 * ldc, addToC: addToC)
    storeRow(c40, c41, to: c + 4 * ldc, addToC: addToC)
    storeRow(c50, c51, to: c + 5 * ldc, addToC: addToC)
    storeRow(c60, c61, to: c + 6 * ldc, addToC: addToC)
    storeRow(c70, c71, to: c + 7 * ldc, addToC: addToC)
  }
  // end snippet

  /// The left 8×16 half of the tile.
  @inline(never)
  static func multiplyLeftHalf(depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                               bRowStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                               addToC: Bool) {
    var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>(), c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>(), c5 = SIMD16<Float>(), c6 = SIMD16<Float>(), c7 = SIMD16<Float>()
    var a = a, b = b
    for _ in 0..<depth {
      let b0 = load16(b)
      c0 = c0.addingProduct(SIMD16<Float>(repeating: a[0]), b0)
      c1 = c1.addingProduct(SIMD16<Float>(repeating: a[1]), b0)
      c2 = c2.addingProduct(SIMD16<Float>(repeating: a[2]), b0)
      c3 = c3.addingProduct(SIMD16<Float>(repeating: a[3]), b0)
      c4 = c4.addingProduct(SIMD16<Float>(repeating: a[4]), b0)
      c5 = c5.addingProduct(SIMD16<Float>(repeating: a[5]), b0)
      c6 = c6.addingProduct(SIMD16<Float>(repeating: a[6]), b0)
      c7 = c7.addingProduct(SIMD16<Float>(repeating: a[7]), b0)
      a += rows
      b += bRowStride
    }
    storeHalfRow(c0, to: c, addToC: addToC); storeHalfRow(c1, to: c + ldc, addToC: addToC)
    storeHalfRow(c2, to: c + 2 * ldc, addToC: addToC)
    storeHalfRow(c3, to: c + 3 * ldc, addToC: addToC)
    storeHalfRow(c4, to: c + 4 * ldc, addToC: addToC)
    storeHalfRow(c5, to: c + 5 * ldc, addToC: addToC)
    storeHalfRow(c6, to: c + 6 * ldc, addToC: addToC)
    storeHalfRow(c7, to: c + 7 * ldc, addToC: addToC)
  }

  @inline(__always)
  static func storeHalfRow(_ sum: SIMD16<Float>, to row: UnsafeMutablePointer<Float>,
                           addToC: Bool) {
    store16(addToC ? load16(row) + sum : sum, row)
  }

  /// Writes (or adds) one 32-wide row of a tile to C.
  @inline(__always)
  static func storeRow(_ left: SIMD16<Float>, _ right: SIMD16<Float>,
                       to row: UnsafeMutablePointer<Float>, addToC: Bool) {
    if addToC {
      store16(load16(row) + left, row)
      store16(load16(row + 16) + right, row + 16)
    } else {
      store16(left, row)
      store16(right, row + 16)
    }
  }
}

// MARK: - Unaligned vector loads and stores

/// Loads eight consecutive floats; C's rows and unpacked B need not be aligned.
@inline(__always)
func load8(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func load8(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> { load8(UnsafePointer(pointer)) }

@inline(__always)
func store8(_ vector: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD8<Float>.self)
}

/// Loads sixteen consecutive floats.
@inline(__always)
func load16(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
  UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func load16(_ pointer: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
  load16(UnsafePointer(pointer))
}

@inline(__always)
func store16(_ vector: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD16<Float>.self)
}
