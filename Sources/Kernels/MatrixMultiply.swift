import Foundation

// Matrix multiplication: C = A · B, the operation that does almost all of a network's work.
//
// This file holds two versions. `naiveMatrixMultiply` is the textbook triple loop: easy to trust,
// used as the reference by the tests. `matrixMultiply` computes the same thing 50–100× faster,
// using the three ideas behind every fast BLAS (Goto & van de Geijn, "Anatomy of
// High-Performance Matrix Multiplication", 2008):
//
//   1. A register-blocked micro-kernel: a 6×16 tile of C lives in 12 SIMD registers (8×32 in 16
//      registers with AVX-512) while we stream through k, so each number loaded from memory feeds
//      many fused multiply-adds (MicroKernels.swift).
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
// Everything below the entry point is generic over the micro-kernel (`BlockedProduct<Kernel>`), so
// the 8-wide and the 16-wide paths (KernelPath.swift) share the blocking, packing and threading
// and differ only in their tile. What decides the order in which each element of C is summed,
// the cutting of k into blocks, is the same for both (`DepthBlocking`): the two paths give
// bit-identical results.
//
// Reading order: the reference, the public entry points, the shared decisions, then inside
// `BlockedProduct` the tuning constants, threading, the blocked loops and packing, and last the
// small helpers and the pool of packing buffers.
//
// Measured on the 2-core AMD EPYC (Zen 3, AVX2 + FMA) this course was first written on, whose
// peak is about 100 GFLOP/s per core: the micro-kernel alone runs at ~100, the whole product at
// ~93 on one thread and ~180 on two for 512×512×512 and larger, ~150 on two at 128×128×128.

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

// MARK: - Public entry points

/// C[m×n] = (accumulate ? C : 0) + A[m×k] · B[k×n], where element (i, p) of A is
/// a[i * aRowStride + p * aColStride] and element (p, j) of B is b[p * bRowStride + j * bColStride]
/// (so a transpose is just swapped strides). C is row-major with leading dimension ldc.
///
/// The result is bit-identical for every `threads` value and both kernel paths: each element of
/// C is computed by one thread, summing over k in the same order.
public func matrixMultiply(m: Int, n: Int, k: Int,
                           a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
                           b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int,
                           c: UnsafeMutablePointer<Float>, ldc: Int,
                           accumulate: Bool,
                           threads: Int = engineCores,
                           path: KernelPath = .preferred) {
  let a = MatrixView(base: a, rowStride: aRowStride, columnStride: aColStride)
  let b = MatrixView(base: b, rowStride: bRowStride, columnStride: bColStride)
  let c = OutputView(base: c, leadingDimension: ldc)
  switch path {
  case .simd8:
    BlockedProduct<SIMD8Kernel>.multiply(m: m, n: n, k: k, a: a, b: b, c: c,
                                         accumulate: accumulate, threads: threads)
  case .simd16:
    BlockedProduct<SIMD16Kernel>.multiply(m: m, n: n, k: k, a: a, b: b, c: c,
                                          accumulate: accumulate, threads: threads)
  }
}

/// A k×n matrix B packed once, for many products A · B with different A: an LSTM's recurrent
/// weight is multiplied by a new state at every step of a sequence, and packing it once instead of
/// at every step (or reading it in place, strided) saves that work and feeds the micro-kernel
/// contiguous panels. The panels are cut to the tile of `path` and blocked along k exactly as
/// `matrixMultiply` would for an A of `rowsOfA` rows, so the products are bit-identical to it.
public final class PackedMatrix: @unchecked Sendable {
  public let k: Int, n: Int
  public let path: KernelPath
  let depthBlocking: DepthBlocking
  let panelColumns: Int
  /// For each block of k, the panels of B's columns, `panelStride(depth, panelColumns)` apart.
  let storage: UnsafeMutablePointer<Float>
  let blockOffsets: [Int]

  /// Packs B (element (p, j) at b[p * rowStride + j * columnStride]).
  public init(k: Int, n: Int, b: UnsafePointer<Float>, rowStride: Int, columnStride: Int,
              rowsOfA: Int, path: KernelPath = .preferred) {
    let view = MatrixView(base: b, rowStride: rowStride, columnStride: columnStride)
    (self.k, self.n, self.path) = (k, n, path)
    depthBlocking = DepthBlocking(m: rowsOfA, k: k, b: view)
    panelColumns = path.tile.columns
    let panels = (n + panelColumns - 1) / panelColumns
    var offsets: [Int] = [], total = 0
    for block in 0..<depthBlocking.count {
      offsets.append(total)
      total += panels * panelStride(depth: depthBlocking.range(block).count, height: panelColumns)
    }
    blockOffsets = offsets
    storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, total) * 4, alignment: 64)
      .bindMemory(to: Float.self, capacity: max(1, total))
    for block in 0..<depthBlocking.count {
      let depth = depthBlocking.range(block)
      // B's block, read column by column, is a "row panel" layout of Bᵀ.
      packPanels(view.offsetBy(rows: depth.lowerBound, columns: 0).transposed, rows: n,
                 depth: depth.count, panelHeight: panelColumns, into: storage + offsets[block])
    }
  }

  deinit { storage.deallocate() }

  /// C[m×n] = (accumulate ? C : 0) + A[m×k] · B on the calling thread, A with the given strides.
  /// The caller splits work between threads, as an LSTM step does by rows: k is blocked as for
  /// the whole product of `rowsOfA` rows, so that any band of rows gives the bits of that whole
  /// product.
  public func multiply(m: Int, a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
                       c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    let a = MatrixView(base: a, rowStride: aRowStride, columnStride: aColStride)
    let c = OutputView(base: c, leadingDimension: ldc)
    switch path {
    case .simd8:
      BlockedProduct<SIMD8Kernel>.multiply(m: m, a: a, packedB: self, c: c, accumulate: accumulate)
    case .simd16:
      BlockedProduct<SIMD16Kernel>.multiply(m: m, a: a, packedB: self, c: c, accumulate: accumulate)
    }
  }

  /// The packed panels of one block of k.
  func panels(ofBlock block: Int) -> PanelsOfB {
    let depth = depthBlocking.range(block).count
    return PanelsOfB(base: storage + blockOffsets[block],
                     panelStride: panelStride(depth: depth, height: panelColumns),
                     rowStride: panelColumns, fullColumns: n, panelColumns: panelColumns,
                     packedEdge: storage)
  }
}

// MARK: - What every path shares

/// How the sum over k is cut into blocks: the one decision, besides the micro-kernel's own order,
/// that sets the order in which each element of C adds up its k products. It depends only on the
/// shapes and B's strides, never on the kernel path or the number of threads, which is what makes
/// their results bit-identical.
///
/// Blocks are at most 512 steps when B is packed (a packed 16-column panel of that depth, 32 KB,
/// stays in L1; measured 192…1024 on the AVX2 machine, 512 best by 1–3%), and 256 when a short A
/// reads B in place (`readsBInPlace`): unpacked, a panel's rows may each straddle two cache lines,
/// so half the depth keeps it in L1 (measured on 32×800×200: 128 → 78, 256 → 84, 512 → 83
/// GFLOP/s). k is cut into equal blocks, so the last one is not a sliver.
struct DepthBlocking: Equatable {
  let k: Int
  let count: Int

  init(m: Int, k: Int, b: MatrixView) {
    self.init(m: m, k: k, bRowStride: b.rowStride, bColumnStride: b.columnStride)
  }

  init(m: Int, k: Int, bRowStride: Int, bColumnStride: Int) {
    let maxBlock = DepthBlocking.readsBInPlace(m: m, bRowStride: bRowStride,
                                               bColumnStride: bColumnStride) ? 256 : 512
    self.k = k
    count = max(1, (k + maxBlock - 1) / maxBlock)
  }

  /// Steps [start, end) of k in block `block`.
  func range(_ block: Int) -> Range<Int> { k * block / count..<k * (block + 1) / count }

  /// The deepest block.
  var maxDepth: Int { (k + count - 1) / count }

  /// Whether B is read in place rather than packed (see `BlockedProduct.multiplyBlocked`): when
  /// all of A fits in one row block (at most 144 rows) and B's rows are contiguous, but not a
  /// multiple of 256 bytes apart (then a panel's rows all fall into a few of L1's sets and evict
  /// each other; 784×256 weights ran 10% slower in place).
  static func readsBInPlace(m: Int, b: MatrixView) -> Bool {
    readsBInPlace(m: m, bRowStride: b.rowStride, bColumnStride: b.columnStride)
  }

  static func readsBInPlace(m: Int, bRowStride: Int, bColumnStride: Int) -> Bool {
    m <= 144 && bColumnStride == 1 && bRowStride % 64 != 0
  }
}

/// A read-only strided matrix: element (row, column) is base[row * rowStride + column * columnStride].
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

/// Where the micro-kernel finds the panels of one block of B: panel j starts at
/// base + j · panelStride and steps `rowStride` floats from one k to the next (the panel width
/// when packed, B's own row stride when read in place). Panels from `fullColumns` on are packed
/// at `packedEdge`, with a row stride of the panel width.
struct PanelsOfB {
  let base: UnsafePointer<Float>
  let panelStride: Int
  let rowStride: Int
  let fullColumns: Int
  let panelColumns: Int
  let packedEdge: UnsafePointer<Float>

  init(base: UnsafePointer<Float>, panelStride: Int, rowStride: Int, fullColumns: Int,
       panelColumns: Int, packedEdge: UnsafeMutablePointer<Float>) {
    (self.base, self.panelStride, self.rowStride) = (base, panelStride, rowStride)
    (self.fullColumns, self.panelColumns) = (fullColumns, panelColumns)
    self.packedEdge = UnsafePointer(packedEdge)
  }

  /// The panel holding column `column` (a multiple of the panel width) and its row stride.
  @inline(__always)
  func panel(at column: Int) -> (start: UnsafePointer<Float>, rowStride: Int) {
    column < fullColumns ? (base + column / panelColumns * panelStride, rowStride)
                         : (packedEdge, panelColumns)
  }
}

/// The blocked product, generic over the micro-kernel: `BlockedProduct<SIMD8Kernel>` and
/// `BlockedProduct<SIMD16Kernel>` are compiled as two separate, fully specialised copies.
enum BlockedProduct<Kernel: MicroKernel> {
  // MARK: - Tuning constants

  static var tileRows: Int { Kernel.rows }
  static var tileColumns: Int { Kernel.columns }

  /// How many rows of A are packed at once (MC, a multiple of the tile's rows: 144 = 24 × 6 =
  /// 18 × 8). The packed A block (144 × 512 floats = 288 KB) stays in the per-core L2 cache
  /// while every B panel sweeps over it. Measured: 48…192 rows all perform within noise.
  static var rowBlock: Int { 144 }

  /// How many columns of B are packed at once (NC, a multiple of the tile's columns). The packed
  /// B block (up to 512 × 4080 floats = 8 MB) is reused by every row block and lives in L3.
  static var columnBlock: Int { 4080 / tileColumns * tileColumns }

  /// Each thread gets at least this many multiply-adds (m·n·k / threads), ~6 µs on one core.
  /// The worker threads (`parallelFor`) start within a microsecond when they are awake, so on
  /// the AVX2 machine a second thread wins from 96×96×96 (0.9 M multiply-adds: 12 µs instead of
  /// 20) and loses below 80×80×80 (at 64³, 8.3 µs instead of 7.0).
  static var minimumWorkPerThread: Int { 1 << 18 }

  // MARK: - Threading

  /// Handles empty sizes, then splits the product into independent stripes of C, one per thread.
  static func multiply(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView, c: OutputView,
                       accumulate: Bool, threads: Int) {
    if m <= 0 || n <= 0 { return }
    if k <= 0 {
      clear(m: m, n: n, c: c, accumulate: accumulate)
      return
    }
    // k's blocks, and whether B is read in place, are decided once for the whole product, not
    // per stripe, so that every element of C is summed in the same blocks of k whatever the
    // number of threads.
    let depthBlocking = DepthBlocking(m: m, k: k, b: b)
    let readBInPlace = DepthBlocking.readsBInPlace(m: m, b: b)
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
      multiplyBlocked(m: m, n: n, a: a, b: b, c: c, accumulate: accumulate,
                      depthBlocking: depthBlocking, readBInPlace: readBInPlace)
      return
    }
    parallelFor(parts: parts) { part in
      // Tiles [firstTile, endTile) of the split dimension belong to this part.
      let firstTile = tilesAlongSplit * part / parts
      let endTile = tilesAlongSplit * (part + 1) / parts
      if splitColumns {
        let start = firstTile * tileColumns, end = min(n, endTile * tileColumns)
        multiplyBlocked(m: m, n: end - start, a: a, b: b.offsetBy(rows: 0, columns: start),
                        c: c.offsetBy(rows: 0, columns: start), accumulate: accumulate,
                        depthBlocking: depthBlocking, readBInPlace: readBInPlace)
      } else {
        let start = firstTile * tileRows, end = min(m, endTile * tileRows)
        multiplyBlocked(m: end - start, n: n, a: a.offsetBy(rows: start, columns: 0), b: b,
                        c: c.offsetBy(rows: start, columns: 0), accumulate: accumulate,
                        depthBlocking: depthBlocking, readBInPlace: readBInPlace)
      }
    }
  }

  /// An empty sum is zero: C keeps its value when accumulating, and is cleared otherwise.
  static func clear(m: Int, n: Int, c: OutputView, accumulate: Bool) {
    if accumulate { return }
    for i in 0..<m { (c.base + i * c.leadingDimension).update(repeating: 0, count: n) }
  }

  // MARK: - Blocked multiplication (one thread)

  /// C = (accumulate ? C : 0) + A · B on the calling thread, with n, k and m cut into
  /// cache-sized blocks. One workspace holds the packed blocks and is reused for every block.
  ///
  /// With `readBInPlace` (all of A fits in one row block and B's rows are contiguous), B is not
  /// packed: the micro-kernel reads its panels in place, row after row. Each panel is then
  /// reused by every A panel while it sits in L1, so packing would only add a copy of B, which
  /// for a short A (32 rows in an LSTM step) costs a quarter of the time of the product itself.
  static func multiplyBlocked(m: Int, n: Int, a: MatrixView, b: MatrixView, c: OutputView,
                              accumulate: Bool, depthBlocking: DepthBlocking,
                              readBInPlace: Bool) {
    let maxDepth = depthBlocking.maxDepth
    let maxRows = min(rowBlock, roundUp(m, to: tileRows))
    let maxColumns = min(columnBlock, roundUp(n, to: tileColumns))
    let packedASize = maxRows / tileRows * panelStride(depth: maxDepth, height: tileRows)
    // In place, only the last, ragged panel of B is packed (the kernel reads full panels).
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
      for block in 0..<depthBlocking.count {
        let depthRange = depthBlocking.range(block)
        let depth = depthRange.count
        // Only the first k-block may overwrite C; later ones add their partial sums to it.
        let addToC = accumulate || block > 0
        let blockOfB = b.offsetBy(rows: depthRange.lowerBound, columns: columnStart)
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
                                panelColumns: tileColumns, packedEdge: packedB)
        } else {
          // B's block, read column by column, is a "row panel" layout of Bᵀ.
          packPanels(blockOfB.transposed, rows: columns, depth: depth, panelHeight: tileColumns,
                     into: packedB)
          panelsOfB = PanelsOfB(base: packedB,
                                panelStride: panelStride(depth: depth, height: tileColumns),
                                rowStride: tileColumns, fullColumns: columns,
                                panelColumns: tileColumns, packedEdge: packedB)
        }
        multiplyRowBlocks(m: m, columns: columns, depth: depth,
                          a: a.offsetBy(rows: 0, columns: depthRange.lowerBound),
                          panelsOfB: panelsOfB, c: c.offsetBy(rows: 0, columns: columnStart),
                          addToC: addToC, packedA: packedA, edgeTile: edgeTile)
      }
    }
  }

  /// C = (accumulate ? C : 0) + A · B with B packed beforehand (`PackedMatrix`), on the calling
  /// thread: the loops of `multiplyBlocked` without the packing of B.
  static func multiply(m: Int, a: MatrixView, packedB: PackedMatrix, c: OutputView,
                       accumulate: Bool) {
    if m <= 0 || packedB.n <= 0 { return }
    if packedB.k <= 0 {
      clear(m: m, n: packedB.n, c: c, accumulate: accumulate)
      return
    }
    let blocking = packedB.depthBlocking
    let maxRows = min(rowBlock, roundUp(m, to: tileRows))
    let packedASize = maxRows / tileRows * panelStride(depth: blocking.maxDepth, height: tileRows)
    let workspace = PackingWorkspace.take(floats: packedASize + tileRows * tileColumns)
    defer { PackingWorkspace.giveBack(workspace) }
    for block in 0..<blocking.count {
      let depthRange = blocking.range(block)
      multiplyRowBlocks(m: m, columns: packedB.n, depth: depthRange.count,
                        a: a.offsetBy(rows: 0, columns: depthRange.lowerBound),
                        panelsOfB: packedB.panels(ofBlock: block), c: c,
                        addToC: accumulate || block > 0, packedA: workspace.floats,
                        edgeTile: workspace.floats + packedASize)
    }
  }

  /// For each block of `rowBlock` rows of A (its columns `depth` steps from a): packs it, then
  /// multiplies it by every panel of B into C.
  @inline(__always)
  static func multiplyRowBlocks(m: Int, columns: Int, depth: Int, a: MatrixView,
                                panelsOfB: PanelsOfB, c: OutputView, addToC: Bool,
                                packedA: UnsafeMutablePointer<Float>,
                                edgeTile: UnsafeMutablePointer<Float>) {
    for rowStart in stride(from: 0, to: m, by: rowBlock) {
      let rows = min(rowBlock, m - rowStart)
      packPanels(a.offsetBy(rows: rowStart, columns: 0), rows: rows, depth: depth,
                 panelHeight: tileRows, into: packedA)
      multiplyPackedBlocks(rows: rows, columns: columns, depth: depth, packedA: packedA,
                           panelsOfB: panelsOfB, c: c.offsetBy(rows: rowStart, columns: 0),
                           addToC: addToC, edgeTile: edgeTile)
    }
  }

  /// Runs the micro-kernel over every tile of one packed A block × one block of B.
  ///
  /// The outer loop walks B panels so that one panel stays in L1 while all the A panels of the
  /// block (in L2) stream past it. Tiles that stick out past the edge of C are computed into
  /// `edgeTile` and only their valid part is added to C, with the same one addition per element
  /// as a full tile.
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
          Kernel.multiply(depth: depth, a: panelA, b: panelB, bRowStride: bRowStride,
                          c: tileOfC, ldc: c.leadingDimension, addToC: addToC)
        } else {
          if validColumns <= tileColumns / 2 {
            Kernel.multiplyLeftHalf(depth: depth, a: panelA, b: panelB, bRowStride: bRowStride,
                                    c: edgeTile, ldc: tileColumns, addToC: false)
          } else {
            Kernel.multiply(depth: depth, a: panelA, b: panelB, bRowStride: bRowStride,
                            c: edgeTile, ldc: tileColumns, addToC: false)
          }
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
}

// MARK: - Packing

/// Copies a `rows × depth` matrix into consecutive panels of `panelHeight` rows each. Inside a
/// panel the layout is depth-major: the `panelHeight` values of step p come before those of step
/// p + 1, which is exactly the order the micro-kernel consumes them. The last panel is padded
/// with zero rows, so the kernel can always compute a full tile.
///
/// A is packed as is (panels of the tile's rows); B is packed through its transposed view (panels
/// of the tile's columns), so one function serves both operands and every transpose combination.
@inline(__always)
func packPanels(_ source: MatrixView, rows: Int, depth: Int, panelHeight: Int,
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
        // A fixed trip count (after inlining) lets the compiler turn this into vector shuffles.
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

/// Copies one step of a panel; B panels' lines (16 or 32 floats) move as 16-float vectors.
@inline(__always)
func copyPanelLine(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>,
                   count: Int) {
  if count % 16 == 0 {
    for offset in stride(from: 0, to: count, by: 16) {
      store16(load16(source + offset), destination + offset)
    }
  } else {
    for r in 0..<count { destination[r] = source[r] }
  }
}

/// Floats from the start of one packed panel to the start of the next: the panel plus one spare
/// cache line. Without it a 16-column panel of depth 256 or 512 is exactly 16 or 32 KB, so every
/// panel starts in the same L1 cache set and packing B thrashes that set (measured 3× slower).
func panelStride(depth: Int, height: Int) -> Int {
  roundUp(depth * height, to: floatsPerCacheLine) + floatsPerCacheLine
}

// MARK: - Small helpers

/// 16 floats = 64 bytes: packed blocks start on cache-line boundaries.
let floatsPerCacheLine = 16

func roundUp(_ value: Int, to multiple: Int) -> Int {
  (value + multiple - 1) / multiple * multiple
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
