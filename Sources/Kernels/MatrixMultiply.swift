import Foundation

// Matrix multiplication: C = A · B, the operation that does almost all of a network's work.
//
// This file holds two versions. `naiveMatrixMultiply` is the textbook triple loop: easy to trust,
// used as the reference by the tests. `matrixMultiply` computes the same thing 50–100× faster,
// using the three ideas behind every fast BLAS (Goto & van de Geijn, "Anatomy of
// High-Performance Matrix Multiplication", 2008):
//
//   1. A register-blocked micro-kernel: a 6×16 tile of C lives in 12 SIMD registers while we
//      stream through k, so each number loaded from memory feeds many fused multiply-adds.
//   2. Packing: copy the pieces of A and B that the micro-kernel reads into small contiguous
//      buffers, in exactly the order it reads them (and zero-padded at the edges), so the kernel
//      never deals with strides, transposes or ragged edges.
//   3. Cache blocking: cut k, m and n into blocks so that the packed B panel stays in L1, the
//      packed A block in L2 and the packed B block in L3 while they are reused.
//
// Two refinements: a short A (an LSTM step's 32 rows) reads B in place instead of packing it,
// because then packing B would cost a quarter of the product; and the threads are the engine's
// worker threads (Kernels/WorkerThreads.swift), which stay awake between products, so that small
// products of a training step are worth splitting too.
//
// Reading order: the reference, the public entry point, then inside `MatrixMultiplyKernel` the
// tuning constants, threading, the blocked loops, packing, the micro-kernel, and last the small
// helpers and the pool of packing buffers.
//
// Measured on the 2-core AMD EPYC (Zen 3, AVX2 + FMA) this course targets, whose peak is about
// 100 GFLOP/s per core: the micro-kernel alone runs at ~100, the whole product at ~93 on one
// thread and ~180 on two for 512×512×512 and larger, ~150 on two at 128×128×128.

// MARK: - Reference implementation

/// C[m×n] = (accumulate ? C : 0) + A[m×k] · B[k×n] with a plain triple loop; the reference the
/// fast kernel is tested against. Element (i, p) of A is a[i * aRowStride + p * aColStride] and
/// element (p, j) of B is b[p * bRowStride + j * bColStride]; C is row-major with leading
/// dimension ldc.
public func naiveMatrixMultiply(m: Int, n: Int, k: Int,
                                a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
                                b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int,
                                c: UnsafeMutablePointer<Float>, ldc: Int,
                                accumulate: Bool) {
  for i in 0..<m {
    for j in 0..<n {
      var sum: Float = 0
      for p in 0..<k {
        sum += a[i * aRowStride + p * aColStride] * b[p * bRowStride + j * bColStride]
      }
      c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum
    }
  }
}

// MARK: - Public entry point

/// C[m×n] = (accumulate ? C : 0) + A[m×k] · B[k×n], where element (i, p) of A is
/// a[i * aRowStride + p * aColStride] and element (p, j) of B is b[p * bRowStride + j * bColStride]
/// (so a transpose is just swapped strides). C is row-major with leading dimension ldc.
///
/// The result is bit-identical for every `threads` value: each element of C is computed by one
/// thread, summing over k in the same order.
public func matrixMultiply(m: Int, n: Int, k: Int,
                           a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
                           b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int,
                           c: UnsafeMutablePointer<Float>, ldc: Int,
                           accumulate: Bool,
                           threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
  MatrixMultiplyKernel.multiply(
    m: m, n: n, k: k,
    a: .init(base: a, rowStride: aRowStride, columnStride: aColStride),
    b: .init(base: b, rowStride: bRowStride, columnStride: bColStride),
    c: .init(base: c, leadingDimension: ldc), accumulate: accumulate, threads: threads)
}

/// Everything below lives in this namespace so its short names (`tileRows`, `MatrixView` …)
/// cannot collide with the rest of the engine.
private enum MatrixMultiplyKernel {
  // MARK: - Tuning constants

  /// The shape of the micro-kernel's tile of C: 6 rows × 16 columns = 6 × 2 `SIMD8<Float>`
  /// accumulators. With AVX2's 16 vector registers that leaves room for the two B vectors and
  /// the broadcast A value, so nothing spills to memory inside the hot loop.
  static let tileRows = 6
  static let tileColumns = 16

  /// The most steps of k processed per block (KC). A packed 16-column B panel of this depth
  /// (512 × 16 floats = 32 KB) is what the micro-kernel rereads for every A panel, so it should
  /// stay in the 32 KB L1 data cache; deeper blocks also mean fewer passes over C. We measured
  /// 192…1024 on the target machine: 512 was best by 1–3%.
  static let depthBlock = 512

  /// How many rows of A are packed at once (MC, a multiple of `tileRows`). The packed A block
  /// (144 × 512 floats = 288 KB) stays in the 512 KB per-core L2 cache while every B panel sweeps
  /// over it. Measured: 48…192 rows all perform within noise of each other.
  static let rowBlock = 144

  /// The most steps of k per block when B is read in place (see `multiplyBlocked`). Unpacked, a
  /// 16-column panel spans two cache lines per row when B's rows are not 64-byte aligned, so
  /// half the packed depth keeps it in L1. Measured on 32×800×200: 128 → 78, 256 → 84,
  /// 512 → 83 GFLOP/s (packed: 71).
  static let inPlaceDepthBlock = 256

  /// How many columns of B are packed at once (NC, a multiple of `tileColumns`). The packed B
  /// block (up to 512 × 4080 floats = 8 MB) is reused by every row block and lives in L3 (32 MB).
  static let columnBlock = 4080

  /// Each thread gets at least this many multiply-adds (m·n·k / threads), ~6 µs on one core.
  /// The worker threads (`parallelFor`) start within a microsecond when they are awake, so on the
  /// target machine a second thread wins from 96×96×96 (0.9 M multiply-adds: 12 µs instead of
  /// 20) and loses below 80×80×80 (at 64³, 8.3 µs instead of 7.0).
  static let minimumWorkPerThread = 1 << 18

  // MARK: - Threading

  /// Handles empty sizes, then splits the product into independent stripes of C, one per thread.
  static func multiply(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView, c: OutputView,
                      accumulate: Bool, threads: Int) {
    if m <= 0 || n <= 0 { return }
    if k <= 0 {
      // An empty sum is zero: C keeps its value when accumulating, and is cleared otherwise.
      if !accumulate {
        for i in 0..<m { (c.base + i * c.leadingDimension).update(repeating: 0, count: n) }
      }
      return
    }
    // Whether B is read in place (see `multiplyBlocked`) is decided once for the whole product,
    // not per stripe, so that every element of C is summed in the same blocks of k whatever the
    // number of threads.
    let readBInPlace = m <= rowBlock && b.columnStride == 1 && b.rowStride % 64 != 0
    // Split C into `parts` independent stripes, one per thread. We cut along the longer side, so
    // the operand that every stripe packs again in full is the smaller one (a stripe of columns
    // needs all of A, a stripe of rows needs all of B). Cuts fall on tile boundaries so no stripe
    // has a ragged edge that another stripe would also compute.
    let work = m * n * k
    let splitColumns = n >= m
    let tilesAlongSplit = splitColumns ? (n + tileColumns - 1) / tileColumns
                                       : (m + tileRows - 1) / tileRows
    let parts = max(1, min(threads, work / minimumWorkPerThread, tilesAlongSplit))
    if parts == 1 {
      multiplyBlocked(m: m, n: n, k: k, a: a, b: b, c: c, accumulate: accumulate,
                      readBInPlace: readBInPlace)
      return
    }
    parallelFor(parts: parts) { part in
      // Tiles [firstTile, endTile) of the split dimension belong to this part.
      let firstTile = tilesAlongSplit * part / parts
      let endTile = tilesAlongSplit * (part + 1) / parts
      if splitColumns {
        let start = firstTile * tileColumns, end = min(n, endTile * tileColumns)
        multiplyBlocked(m: m, n: end - start, k: k,
                        a: a, b: b.offsetBy(rows: 0, columns: start),
                        c: c.offsetBy(rows: 0, columns: start), accumulate: accumulate,
                        readBInPlace: readBInPlace)
      } else {
        let start = firstTile * tileRows, end = min(m, endTile * tileRows)
        multiplyBlocked(m: end - start, n: n, k: k,
                        a: a.offsetBy(rows: start, columns: 0), b: b,
                        c: c.offsetBy(rows: start, columns: 0), accumulate: accumulate,
                        readBInPlace: readBInPlace)
      }
    }
  }

  /// A read-only strided matrix: element (row, column) is
  /// base[row * rowStride + column * columnStride].
  ///
  /// It is `@unchecked Sendable` so worker threads may read it: the caller guarantees the memory
  /// outlives the call and nobody writes it meanwhile.
  struct MatrixView: @unchecked Sendable {
    let base: UnsafePointer<Float>
    let rowStride: Int
    let columnStride: Int

    func offsetBy(rows: Int, columns: Int) -> MatrixView {
      MatrixView(base: base + rows * rowStride + columns * columnStride,
                 rowStride: rowStride, columnStride: columnStride)
    }

    /// The same memory read as the transposed matrix: rows become columns.
    var transposed: MatrixView {
      MatrixView(base: base, rowStride: columnStride, columnStride: rowStride)
    }
  }

  /// The row-major output C. `@unchecked Sendable` because threads write disjoint stripes of it.
  struct OutputView: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    let leadingDimension: Int

    func offsetBy(rows: Int, columns: Int) -> OutputView {
      OutputView(base: base + rows * leadingDimension + columns, leadingDimension: leadingDimension)
    }
  }

  // MARK: - Blocked multiplication (one thread)

  /// C = (accumulate ? C : 0) + A · B on the calling thread, with n, k and m cut into
  /// cache-sized blocks. One workspace holds the packed blocks and is reused for every block.
  ///
  /// With `readBInPlace` (set by `multiply` when all of A fits in one row block and B's rows are
  /// contiguous), B is not packed: the micro-kernel reads its 16-column panels in place, row
  /// after row. Each panel is then reused by every A panel while it sits in L1, so packing would
  /// only add a copy of B, which for a short A (32 rows in an LSTM step) costs a quarter of the
  /// time of the product itself. (Not when B's rows are a multiple of 256 bytes apart: then a
  /// panel's rows all fall into a few of L1's 64 sets and evict each other; 784×256 weights ran
  /// 10% slower in place.)
  static func multiplyBlocked(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView,
                              c: OutputView, accumulate: Bool, readBInPlace: Bool) {
    // k is cut into equal blocks of at most `depthBlock` steps, so the last one is not a sliver.
    let maxBlock = readBInPlace ? inPlaceDepthBlock : depthBlock
    let depthBlocks = (k + maxBlock - 1) / maxBlock
    let maxDepth = (k + depthBlocks - 1) / depthBlocks
    let maxRows = min(rowBlock, roundUp(m, to: tileRows))
    let maxColumns = min(columnBlock, roundUp(n, to: tileColumns))
    let packedASize = maxRows / tileRows * panelStride(depth: maxDepth, height: tileRows)
    // In place, only the last, ragged panel of B is packed (the kernel reads 16 full columns).
    let packedBSize = (readBInPlace ? 1 : maxColumns / tileColumns)
      * panelStride(depth: maxDepth, height: tileColumns)
    let edgeTileSize = tileRows * tileColumns
    let workspace = PackingWorkspace.take(floats: packedASize + packedBSize + edgeTileSize)
    defer { PackingWorkspace.giveBack(workspace) }
    let packedA = workspace.floats
    let packedB = packedA + packedASize
    let edgeTile = packedB + packedBSize

    for columnStart in stride(from: 0, to: n, by: columnBlock) {
      let columns = min(columnBlock, n - columnStart)
      for block in 0..<depthBlocks {
        let depthStart = k * block / depthBlocks
        let depth = k * (block + 1) / depthBlocks - depthStart
        // Only the first k-block may overwrite C; later ones add their partial sums to it.
        let addToC = accumulate || depthStart > 0
        let blockOfB = b.offsetBy(rows: depthStart, columns: columnStart)
        let panelsOfB: PanelsOfB
        if readBInPlace {
          let fullColumns = columns / tileColumns * tileColumns
          if fullColumns < columns {
            packPanels(blockOfB.offsetBy(rows: 0, columns: fullColumns).transposed,
                       rows: columns - fullColumns, depth: depth, panelHeight: tileColumns,
                       into: packedB)
          }
          panelsOfB = PanelsOfB(base: blockOfB.base, panelStride: tileColumns,
                                rowStride: blockOfB.rowStride, fullColumns: fullColumns,
                                packedEdge: packedB)
        } else {
          // B's block, read column by column, is a "row panel" layout of Bᵀ.
          packPanels(blockOfB.transposed, rows: columns, depth: depth, panelHeight: tileColumns,
                     into: packedB)
          panelsOfB = PanelsOfB(base: packedB,
                                panelStride: panelStride(depth: depth, height: tileColumns),
                                rowStride: tileColumns, fullColumns: columns, packedEdge: packedB)
        }
        for rowStart in stride(from: 0, to: m, by: rowBlock) {
          let rows = min(rowBlock, m - rowStart)
          packPanels(a.offsetBy(rows: rowStart, columns: depthStart),
                     rows: rows, depth: depth, panelHeight: tileRows, into: packedA)
          multiplyPackedBlocks(rows: rows, columns: columns, depth: depth,
                               packedA: packedA, panelsOfB: panelsOfB,
                               c: c.offsetBy(rows: rowStart, columns: columnStart),
                               addToC: addToC, edgeTile: edgeTile)
        }
      }
    }
  }

  /// Where the micro-kernel finds the 16-column panels of one block of B: panel j starts at
  /// base + j · panelStride and steps `rowStride` floats from one k to the next (16 when packed,
  /// B's own row stride when read in place). Panels from `fullColumns` on are packed at
  /// `packedEdge`, with a row stride of 16.
  struct PanelsOfB {
    let base: UnsafePointer<Float>
    let panelStride: Int
    let rowStride: Int
    let fullColumns: Int
    let packedEdge: UnsafePointer<Float>

    init(base: UnsafePointer<Float>, panelStride: Int, rowStride: Int, fullColumns: Int,
         packedEdge: UnsafeMutablePointer<Float>) {
      (self.base, self.panelStride, self.rowStride) = (base, panelStride, rowStride)
      (self.fullColumns, self.packedEdge) = (fullColumns, UnsafePointer(packedEdge))
    }

    /// The panel holding column `column` (a multiple of 16) and its row stride.
    func panel(at column: Int) -> (start: UnsafePointer<Float>, rowStride: Int) {
      column < fullColumns ? (base + column / tileColumns * panelStride, rowStride)
                           : (packedEdge, tileColumns)
    }
  }

  /// Runs the micro-kernel over every tile of one packed A block × one block of B.
  ///
  /// The outer loop walks B panels so that one 16-column panel stays in L1 while all the A
  /// panels of the block (in L2) stream past it. Tiles that stick out past the edge of C are
  /// computed into `edgeTile` and only their valid part is copied out.
  static func multiplyPackedBlocks(rows: Int, columns: Int, depth: Int,
                                   packedA: UnsafePointer<Float>, panelsOfB: PanelsOfB,
                                   c: OutputView, addToC: Bool,
                                   edgeTile: UnsafeMutablePointer<Float>) {
    for column in stride(from: 0, to: columns, by: tileColumns) {
      let (panelB, bRowStride) = panelsOfB.panel(at: column)
      let validColumns = min(tileColumns, columns - column)
      for row in stride(from: 0, to: rows, by: tileRows) {
        let panelA = packedA + row / tileRows * panelStride(depth: depth, height: tileRows)
        let validRows = min(tileRows, rows - row)
        let tileOfC = c.base + row * c.leadingDimension + column
        if validRows == tileRows && validColumns == tileColumns {
          microKernel(depth: depth, a: panelA, b: panelB, bRowStride: bRowStride,
                      c: tileOfC, ldc: c.leadingDimension, addToC: addToC)
        } else {
          microKernel(depth: depth, a: panelA, b: panelB, bRowStride: bRowStride,
                      c: edgeTile, ldc: tileColumns, addToC: false)
          for i in 0..<validRows {
            for j in 0..<validColumns {
              let sum = edgeTile[i * tileColumns + j]
              let target = tileOfC + i * c.leadingDimension + j
              target.pointee = addToC ? target.pointee + sum : sum
            }
          }
        }
      }
    }
  }

  // MARK: - Packing

  /// Copies a `rows × depth` matrix into consecutive panels of `panelHeight` rows each. Inside a
  /// panel the layout is depth-major: the `panelHeight` values of step p come before those of step
  /// p + 1, which is exactly the order the micro-kernel consumes them. The last panel is padded
  /// with zero rows, so the kernel can always compute a full tile.
  ///
  /// A is packed as is (panels of 6 rows); B is packed through its transposed view (panels of 16
  /// columns), so one function serves both operands and every transpose combination.
  @inline(__always)
  static func packPanels(_ source: MatrixView, rows: Int, depth: Int, panelHeight: Int,
                         into destination: UnsafeMutablePointer<Float>) {
    let stride = panelStride(depth: depth, height: panelHeight)
    let fullPanels = rows / panelHeight
    let leftoverRows = rows - fullPanels * panelHeight
    if source.rowStride == 1 {
      // Neighbouring rows are neighbours in memory (B row-major seen transposed, or a transposed
      // A): read each step p as one contiguous line and deal it out to all the panels.
      for p in 0..<depth {
        let line = source.base + p * source.columnStride
        let step = destination + p * panelHeight
        for panel in 0..<fullPanels {
          copyPanelLine(from: line + panel * panelHeight, to: step + panel * stride,
                        count: panelHeight)
        }
        if leftoverRows > 0 {
          let from = line + fullPanels * panelHeight, to = step + fullPanels * stride
          for r in 0..<leftoverRows { to[r] = from[r] }
          for r in leftoverRows..<panelHeight { to[r] = 0 }
        }
      }
    } else {
      // Otherwise (A row-major, or B transposed) read the panel's rows side by side along p.
      for panel in 0..<(leftoverRows > 0 ? fullPanels + 1 : fullPanels) {
        let origin = source.base + panel * panelHeight * source.rowStride
        let out = destination + panel * stride
        let panelRows = min(panelHeight, rows - panel * panelHeight)
        if panelRows == panelHeight {
          // A fixed trip count lets the compiler turn the inner loop into vector shuffles.
          for p in 0..<depth {
            let from = origin + p * source.columnStride, to = out + p * panelHeight
            for r in 0..<panelHeight { to[r] = from[r * source.rowStride] }
          }
        } else {
          for p in 0..<depth {
            let from = origin + p * source.columnStride, to = out + p * panelHeight
            for r in 0..<panelRows { to[r] = from[r * source.rowStride] }
            for r in panelRows..<panelHeight { to[r] = 0 }
          }
        }
      }
    }
  }

  /// Copies one step of a panel; 16-float lines (B panels) move as two vectors.
  @inline(__always)
  static func copyPanelLine(from source: UnsafePointer<Float>,
                            to destination: UnsafeMutablePointer<Float>, count: Int) {
    if count == 16 {
      storeVector(loadVector(source), destination)
      storeVector(loadVector(source + 8), destination + 8)
    } else {
      for r in 0..<count { destination[r] = source[r] }
    }
  }

  /// Floats from the start of one packed panel to the start of the next: the panel plus one spare
  /// cache line. Without it a 16-column panel of depth 256 or 512 is exactly 16 or 32 KB, so every
  /// panel starts in the same L1 cache set and packing B thrashes that set (measured 3× slower).
  static func panelStride(depth: Int, height: Int) -> Int {
    roundUp(depth * height, to: floatsPerCacheLine) + floatsPerCacheLine
  }

  // MARK: - Micro-kernel

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
  static func microKernel(depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
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
      let b0 = loadVector(b), b1 = loadVector(b + 8)
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
      a += tileRows
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

  /// Writes (or adds) one 16-wide row of a tile to C.
  @inline(__always)
  static func storeRow(_ left: SIMD8<Float>, _ right: SIMD8<Float>,
                       to row: UnsafeMutablePointer<Float>, addToC: Bool) {
    if addToC {
      storeVector(loadVector(row) + left, row)
      storeVector(loadVector(row + 8) + right, row + 8)
    } else {
      storeVector(left, row)
      storeVector(right, row + 8)
    }
  }

  // MARK: - Small helpers

  /// Loads eight consecutive floats as one vector; C rows need not be 32-byte aligned.
  @inline(__always)
  static func loadVector(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  static func loadVector(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    loadVector(UnsafePointer(pointer))
  }

  /// Stores one vector into eight consecutive floats.
  @inline(__always)
  static func storeVector(_ vector: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD8<Float>.self)
  }

  // MARK: - Packing workspaces

  /// A 64-byte aligned scratch buffer holding one thread's packed A block, packed B block and edge
  /// tile. Buffers are recycled between calls: allocating a few hundred kilobytes per product makes
  /// the C allocator hand memory back to the OS and fault it in again, which we measured to cost
  /// up to 40% at 256×256×256.
  final class PackingWorkspace: @unchecked Sendable {
    let floats: UnsafeMutablePointer<Float>
    let capacity: Int

    private init(capacity: Int) {
      self.capacity = capacity
      floats = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Float>.stride,
                                                alignment: 64)
        .bindMemory(to: Float.self, capacity: capacity)
    }

    deinit { floats.deallocate() }

    // Workspaces not in use right now; a lock makes take/giveBack safe from any thread.
    private static let lock = NSLock()
    nonisolated(unsafe) private static var spares: [PackingWorkspace] = []

    /// A workspace of at least `floats` elements: a spare one if it is big enough, else a new one.
    static func take(floats: Int) -> PackingWorkspace {
      lock.lock()
      let spare = spares.popLast()
      lock.unlock()
      if let spare, spare.capacity >= floats { return spare }
      return PackingWorkspace(capacity: floats)
    }

    /// Returns a workspace for reuse; a few are kept (one per thread is all a call needs).
    static func giveBack(_ workspace: PackingWorkspace) {
      lock.lock()
      if spares.count < 8 { spares.append(workspace) }
      lock.unlock()
    }
  }

  /// 16 floats = 64 bytes: packed blocks start on cache-line boundaries.
  static let floatsPerCacheLine = 16

  static func roundUp(_ value: Int, to multiple: Int) -> Int {
    (value + multiple - 1) / multiple * multiple
  }
}
