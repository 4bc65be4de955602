import Foundation

// Broadcasting lets `x + bias` add a [features] vector to every row of a [batch, features]
// matrix without copying the bias: NumPy's rule, which PyTorch follows. The backward pass of a
// broadcast operation must sum the gradient over the copied axes (`sumToShape`), because each
// element of the small operand contributed to many outputs.

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

/// Calls `body(outputIndex, offsetInA, offsetInB)` for every element of the broadcast shape,
/// walking the two operands by their (possibly zero) strides like an odometer.
@inline(__always)
func forEachBroadcastOffset(_ shape: [Int], _ stridesA: [Int], _ stridesB: [Int],
                            _ body: (Int, Int, Int) -> Void) {
  let total = shape.product
  if total == 0 { return }
  let rank = shape.count
  if rank == 0 { body(0, 0, 0); return }
  let inner = shape[rank - 1], innerA = stridesA[rank - 1], innerB = stridesB[rank - 1]
  var counter = [Int](repeating: 0, count: rank)
  var offsetA = 0, offsetB = 0, index = 0
  while index < total {
    for j in 0..<inner { body(index + j, offsetA + j * innerA, offsetB + j * innerB) }
    index += inner
    // Advance the odometer over the outer axes.
    var axis = rank - 2
    while axis >= 0 {
      counter[axis] += 1
      offsetA += stridesA[axis]
      offsetB += stridesB[axis]
      if counter[axis] < shape[axis] { break }
      offsetA -= stridesA[axis] * shape[axis]
      offsetB -= stridesB[axis] * shape[axis]
      counter[axis] = 0
      axis -= 1
    }
  }
}

/// Combines `a` and `b` element by element after broadcasting them to a common shape.
@inline(__always)
func broadcastElementwise(_ a: Tensor, _ b: Tensor, operation: String,
                          _ combine: (Float, Float) -> Float) -> Tensor {
  if a.shape == b.shape {
    var out = [Float](repeating: 0, count: a.count)
    a.data.withUnsafeBufferPointer { x in
      b.data.withUnsafeBufferPointer { y in
        for i in 0..<out.count { out[i] = combine(x[i], y[i]) }
      }
    }
    return Tensor(shape: a.shape, data: out)
  }
  let shape = broadcastShape(a.shape, b.shape, in: operation)
  var out = [Float](repeating: 0, count: shape.product)
  a.data.withUnsafeBufferPointer { x in
    b.data.withUnsafeBufferPointer { y in
      out.withUnsafeMutableBufferPointer { o in
        if a.count == 1 {
          let scalar = x[0]
          for i in 0..<o.count { o[i] = combine(scalar, y[i]) }
        } else if b.count == 1 {
          let scalar = y[0]
          for i in 0..<o.count { o[i] = combine(x[i], scalar) }
        } else {
          forEachBroadcastOffset(shape, broadcastStrides(a.shape, to: shape),
                                 broadcastStrides(b.shape, to: shape)) { i, ia, ib in
            o[i] = combine(x[ia], y[ib])
          }
        }
      }
    }
  }
  return Tensor(shape: shape, data: out)
}

extension Tensor {
  /// Sums this gradient over the axes along which an operand of `shape` was broadcast, giving
  /// the gradient of that operand.
  func sumToShape(_ shape: [Int]) -> Tensor {
    if self.shape == shape { return self }
    var out = [Float](repeating: 0, count: shape.product)
    let targetStrides = broadcastStrides(shape, to: self.shape)
    data.withUnsafeBufferPointer { g in
      out.withUnsafeMutableBufferPointer { o in
        forEachBroadcastOffset(self.shape, targetStrides, targetStrides) { i, target, _ in
          o[target] += g[i]
        }
      }
    }
    return Tensor(shape: shape, data: out)
  }
}
