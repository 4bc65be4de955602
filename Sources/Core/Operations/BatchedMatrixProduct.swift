import Foundation
import Kernels

// Attention multiplies many small matrices at once: for every sequence and every head, a
// [T, D] block of queries by the [D, T] transpose of the keys, and the [T, T] weights by the
// [T, D] values. `batchedMatmul` runs the fast kernel once per pair. Either operand may be read
// transposed, so q·kᵀ needs no transposed copy of k, and neither does any backward product: the
// kernel reads a transpose through swapped strides.
//
// One such product (64×64×16 in the course's small GPT) is too small to share between cores,
// so the batch is shared instead: each core takes a run of whole products. (`matmul` accepts
// the same batched shapes, without transposes, and runs the products one after another.)

/// out[i] = op(a[i]) · op(b[i]) for i in 0..<batch, where a[i] starts at a + i·batchStrideA
/// (stored [m, k], or [k, m] when `transposeA`), b[i] at b + i·batchStrideB (stored [k, n], or
/// [n, k] when `transposeB`) and out[i] at out + i·m·n. A batch stride of 0 reuses one matrix.
func multiplyBatches(batch: Int, m: Int, n: Int, k: Int,
                     _ a: UnsafePointer<Float>, transposeA: Bool, batchStrideA: Int,
                     _ b: UnsafePointer<Float>, transposeB: Bool, batchStrideB: Int,
                     into out: UnsafeMutablePointer<Float>) {
  func multiply(_ index: Int, threads: Int) {
    // A stored [m, k] has strides (k, 1); stored [k, m] and read transposed, (1, m).
    matrixMultiply(m: m, n: n, k: k,
                   a: a + index * batchStrideA,
                   aRowStride: transposeA ? 1 : k, aColStride: transposeA ? m : 1,
                   b: b + index * batchStrideB,
                   bRowStride: transposeB ? 1 : n, bColStride: transposeB ? k : 1,
                   c: out + index * m * n, ldc: n, accumulate: false, threads: threads)
  }
  let cores = ProcessInfo.processInfo.activeProcessorCount
  // Large products are split between the cores by the kernel itself (which splits nothing
  // below 2 × 2¹⁸ multiply-adds); a batch of small ones into runs of whole products, one per core.
  if batch < 2 || cores < 2 || m * n * k >= 1 << 19 {
    for index in 0..<batch { multiply(index, threads: cores) }
    return
  }
  let parts = Swift.min(cores, batch)
  parallelFor(parts: parts) { part in
    for index in batch * part / parts..<batch * (part + 1) / parts { multiply(index, threads: 1) }
  }
}

/// A batch of matrix products: [..., m, k] × [..., k, n] → [..., m, n], with equal leading axes
/// (attention's [B, H, T, D] × [B, H, D, T]). `b` may instead be one [k, n] matrix shared by the
/// whole batch. With `transposeA` (`transposeB`) the operand is stored transposed, [..., k, m]
/// ([..., n, k]), and read as its transpose without a copy: `batchedMatmul(q, k, transposeB:
/// true)` is q·kᵀ.
///
/// With C = A·B (A and B as read):  ∂L/∂A = ∂L/∂C · Bᵀ,   ∂L/∂B = Aᵀ · ∂L/∂C.
/// For an operand stored transposed the gradient is transposed too: ∂L/∂(Aᵀ) = B · (∂L/∂C)ᵀ
/// and ∂L/∂(Bᵀ) = (∂L/∂C)ᵀ · A. All four are products the kernel reads through strides.
public func batchedMatmul(_ a: Tensor, _ b: Tensor,
                          transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
  let sharedB = b.rank == 2 && a.rank > 2
  func describe() -> String {
    "batchedMatmul: \(a.shape)\(transposeA ? "ᵀ" : "") × \(b.shape)\(transposeB ? "ᵀ" : "")"
  }
  guard a.rank >= 2, b.rank >= 2 else { fatalError("\(describe()): both operands need at least 2 axes") }
  let (m, k) = transposeA ? (a.shape[a.rank - 1], a.shape[a.rank - 2]) : (a.shape[a.rank - 2], a.shape[a.rank - 1])
  let (kB, n) = transposeB ? (b.shape[b.rank - 1], b.shape[b.rank - 2]) : (b.shape[b.rank - 2], b.shape[b.rank - 1])
  if k != kB { fatalError("\(describe()): inner dimensions \(k) and \(kB) differ") }
  let leading = Array(a.shape.dropLast(2))
  if !sharedB && leading != Array(b.shape.dropLast(2)) {
    fatalError("\(describe()): batch sizes \(leading) and \(Array(b.shape.dropLast(2))) differ")
  }
  if sharedB && transposeA {
    fatalError("\(describe()): a shared right operand needs an untransposed left one")
  }
  // With a shared B (and A not transposed) the batch folds into the rows of one big product.
  let (batch, rows) = sharedB ? (1, leading.product * m) : (leading.product, m)
  let strideA = rows * k, strideB = sharedB ? 0 : k * n, strideC = rows * n
  var out = uninitializedFloats(batch * rows * n)
  a.data.withUnsafeBufferPointer { a in
    b.data.withUnsafeBufferPointer { b in
      out.withUnsafeMutableBufferPointer { c in
        guard let a = a.baseAddress, let b = b.baseAddress, let c = c.baseAddress else { return }
        multiplyBatches(batch: batch, m: rows, n: n, k: k, a, transposeA: transposeA,
                        batchStrideA: strideA, b, transposeB: transposeB, batchStrideB: strideB,
                        into: c)
      }
    }
  }
  let value = Tensor(shape: leading + [m, n], data: out)
  return .record(value, operation: "batchedMatmul", inputs: [a, b]) { grad in
    var gradA: Tensor?, gradB: Tensor?
    grad.data.withUnsafeBufferPointer { g in
      a.data.withUnsafeBufferPointer { aData in
        b.data.withUnsafeBufferPointer { bData in
          guard let g = g.baseAddress, let aBase = aData.baseAddress, let bBase = bData.baseAddress
          else { return }
          if a.requiresGrad {
            var da = uninitializedFloats(a.count)
            da.withUnsafeMutableBufferPointer { da in
              if transposeA {  // ∂L/∂(Aᵀ) = B · Gᵀ: [k, n] · [n, m]
                multiplyBatches(batch: batch, m: k, n: rows, k: n, bBase, transposeA: transposeB,
                                batchStrideA: strideB, g, transposeB: true, batchStrideB: strideC,
                                into: da.baseAddress!)
              } else {  // ∂L/∂A = G · Bᵀ: [m, n] · [n, k]
                multiplyBatches(batch: batch, m: rows, n: k, k: n, g, transposeA: false,
                                batchStrideA: strideC, bBase, transposeB: !transposeB,
                                batchStrideB: strideB, into: da.baseAddress!)
              }
            }
            gradA = Tensor(shape: a.shape, data: da)
          }
          if b.requiresGrad {
            var db = uninitializedFloats(b.count)
            db.withUnsafeMutableBufferPointer { db in
              // A shared B has batch 1 here (folded above), so its gradient sums over the batch.
              if transposeB {  // ∂L/∂(Bᵀ) = Gᵀ · A: [n, m] · [m, k]
                multiplyBatches(batch: batch, m: n, n: k, k: rows, g, transposeA: true,
                                batchStrideA: strideC, aBase, transposeB: transposeA,
                                batchStrideB: strideA, into: db.baseAddress!)
              } else {  // ∂L/∂B = Aᵀ · G: [k, m] · [m, n]
                multiplyBatches(batch: batch, m: k, n: n, k: rows, aBase, transposeA: !transposeA,
                                batchStrideA: strideA, g, transposeB: false, batchStrideB: strideC,
                                into: db.baseAddress!)
              }
            }
            gradB = Tensor(shape: b.shape, data: db)
          }
        }
      }
    }
    return [gradA, gradB]
  }
}
