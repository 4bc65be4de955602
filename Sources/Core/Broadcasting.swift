import Foundation
import Kernels

// Broadcasting lets `x + bias` add a [features] vector to every row of a [batch, features]
// matrix without copying the bias: NumPy's rule, which PyTorch follows. The backward pass of a
// broadcast operation must sum the gradient over the copied axes (`sumToShape`), because each
// element of the small operand contributed to many outputs. The loops that walk memory are in
// Kernels/StridedLoops.swift; this file says which shapes and strides they walk.

/// The shape two shapes broadcast to: align them on the right; each pair of sizes must be equal
/// or one of them 1 (a missing axis counts as 1).
func broadcastShape(_ a: [Int], _ b: [Int], in operation: String) -> [Int] {
  let rank = max(a.count, b.count)
  var result = [Int](repeating: 1, count: rank)
  for axis in 0..<rank {
    let sizeA = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
    let sizeB = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
    if sizeA != sizeB && sizeA != 1 && sizeB != 1 {
      fatalError("\(operation): shapes \(a) and \(b) cannot be broadcast together " +
                 "(axis \(axis) of the result: sizes \(sizeA) and \(sizeB) differ and neither is 1)")
    }
    result[axis] = sizeA == 1 ? sizeB : sizeA
  }
  return result
}

/// Strides that read a tensor of `shape` as if it had `target` shape: 0 along broadcast axes.
func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
  let own = contiguousStrides(shape)
  let offset = target.count - shape.count
  return (0..<target.count).map { axis in
    axis < offset || shape[axis - offset] == 1 ? 0 : own[axis - offset]
  }
}

/// Combines `a` and `b` element by element after broadcasting them to a common shape.
@inline(__always)
func broadcastElementwise(_ a: Tensor, _ b: Tensor, operation: String,
                          _ combine: (Float, Float) -> Float) -> Tensor {
  let shape = a.shape == b.shape ? a.shape : broadcastShape(a.shape, b.shape, in: operation)
  let rows = BroadcastRows(shape: shape, stridesA: broadcastStrides(a.shape, to: shape),
                           stridesB: broadcastStrides(b.shape, to: shape))
  return Tensor(shape: shape, data: rows.combine(a.data, b.data, combine))
}

extension Tensor {
  /// Sums this gradient over the axes along which an operand of `shape` was broadcast, giving
  /// the gradient of that operand.
  func sumToShape(_ shape: [Int]) -> Tensor {
    if self.shape == shape { return self }
    let target = broadcastStrides(shape, to: self.shape)
    let rows = BroadcastRows(shape: self.shape, stridesA: target, stridesB: target)
    return Tensor(shape: shape, data: rows.sum(data, into: shape.product))
  }

  /// Repeats this tensor along broadcast axes to fill `shape` (the backward of a sum).
  func expanded(to shape: [Int]) -> Tensor {
    if self.shape == shape { return self }
    let source = broadcastStrides(self.shape, to: shape)
    let rows = BroadcastRows(shape: shape, stridesA: source, stridesB: source)
    return Tensor(shape: shape, data: rows.gather(data))
  }
}
