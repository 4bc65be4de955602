import Foundation
import Kernels

// The matrix product is where a network spends its time, so it calls the blocked, SIMD,
// multi-threaded kernel in Kernels/MatrixMultiply.swift. Its backward pass is two more matrix
// products with a transposed operand, which the kernel reads through swapped strides instead of
// copying.

/// Multiplies `batch` pairs of matrices stored back to back: out[b] = op(a[b]) · op(b[b]),
/// where op transposes when asked. A batch stride of 0 reuses one matrix for every pair.
func batchedMatrixMultiply(batch: Int, m: Int, n: Int, k: Int,
                           _ a: [Float], transposeA: Bool, batchStrideA: Int,
                           _ b: [Float], transposeB: Bool, batchStrideB: Int,
                           into out: inout [Float], accumulate: Bool = false) {
  a.withUnsafeBufferPointer { a in
    b.withUnsafeBufferPointer { b in
      out.withUnsafeMutableBufferPointer { c in
        guard let aBase = a.baseAddress, let bBase = b.baseAddress, let cBase = c.baseAddress
        else { return }
        for index in 0..<batch {
          // A stored [m, k] has strides (k, 1); stored [k, m] and transposed, (1, m).
          matrixMultiply(m: m, n: n, k: k,
                         a: aBase + index * batchStrideA,
                         aRowStride: transposeA ? 1 : k, aColStride: transposeA ? m : 1,
                         b: bBase + index * batchStrideB,
                         bRowStride: transposeB ? 1 : n, bColStride: transposeB ? k : 1,
                         c: cBase + index * m * n, ldc: n, accumulate: accumulate)
        }
      }
    }
  }
}

// snippet: matmul
/// The matrix product. Shapes: [m, k] × [k, n] → [m, n]; [..., m, k] × [k, n] → [..., m, n]
/// (one weight matrix for every row of a batch); [..., m, k] × [..., k, n] → [..., m, n] with
/// equal leading sizes (a batch of products, as in attention).
/// ∂L/∂A = ∂L/∂C · Bᵀ,   ∂L/∂B = Aᵀ · ∂L/∂C
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
  let sharedWeight = b.rank == 2
  guard a.rank >= 2, b.rank >= 2, a.shape.last == b.shape[b.rank - 2],
        sharedWeight || a.shape.dropLast(2) == b.shape.dropLast(2) else {
    fatalError("matmul: \(a.shape) × \(b.shape): " + (a.rank < 2 || b.rank < 2
      ? "both operands need at least 2 axes"
      : a.shape.last != b.shape[b.rank - 2]
        ? "inner dimensions \(a.shape.last!) and \(b.shape[b.rank - 2]) differ"
        : "batch sizes \(Array(a.shape.dropLast(2))) and \(Array(b.shape.dropLast(2))) differ"))
  }
  let k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
  // With a shared weight, all leading axes of `a` fold into the rows of one big product.
  let (batch, m) = sharedWeight ? (1, a.count / Swift.max(k, 1)) : (a.shape.dropLast(2).product, a.shape[a.rank - 2])
  let batchStrideB = sharedWeight ? 0 : k * n
  var out = uninitializedFloats(batch * m * n)  // every element is written (accumulate: false)
  batchedMatrixMultiply(batch: batch, m: m, n: n, k: k, a.data, transposeA: false, batchStrideA: m * k,
                        b.data, transposeB: false, batchStrideB: batchStrideB, into: &out)
  let value = Tensor(shape: a.shape.dropLast() + [n], data: out)
  return .record(value, operation: "matmul", inputs: [a, b]) { grad in
    var gradA: Tensor?, gradB: Tensor?
    if a.requiresGrad {  // [m, n] · [k, n]ᵀ
      var g = uninitializedFloats(a.count)
      batchedMatrixMultiply(batch: batch, m: m, n: k, k: n, grad.data, transposeA: false,
                            batchStrideA: m * n, b.data, transposeB: true,
                            batchStrideB: batchStrideB, into: &g)
      gradA = Tensor(shape: a.shape, data: g)
    }
    if b.requiresGrad {  // [m, k]ᵀ · [m, n]; a shared weight sums over the whole batch
      var g = uninitializedFloats(b.count)
      batchedMatrixMultiply(batch: batch, m: k, n: n, k: m, a.data, transposeA: true,
                            batchStrideA: m * k, grad.data, transposeB: false,
                            batchStrideB: m * n, into: &g)
      gradB = Tensor(shape: b.shape, data: g)
    }
    return [gradA, gradB]
  }
}
// end snippet

extension Tensor {
  /// The matrix product `self · other`; see `matmul`.
  public func matmul(_ other: Tensor) -> Tensor { Core.matmul(self, other) }
}
