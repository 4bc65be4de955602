import Foundation

// Sums, means and maxima, over everything or along one axis. Along an axis, a tensor is seen as
// [outer, axis, inner]: `outer` counts the axes before, `inner` the elements after.

/// The sizes before, along and after `axis`, for looping over a reduction.
func splitAroundAxis(_ shape: [Int], _ axis: Int) -> (outer: Int, length: Int, inner: Int) {
  (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
}

/// The shape after reducing `axis`: removed, or kept with size 1.
func reducedShape(_ shape: [Int], _ axis: Int, keepDims: Bool) -> [Int] {
  var result = shape
  if keepDims { result[axis] = 1 } else { result.remove(at: axis) }
  return result
}

extension Tensor {
  /// Repeats this tensor along broadcast axes to fill `shape` (the backward of a sum).
  func expanded(to shape: [Int]) -> Tensor {
    if self.shape == shape { return self }
    var out = [Float](repeating: 0, count: shape.product)
    let strides = broadcastStrides(self.shape, to: shape)
    data.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { o in
        forEachBroadcastOffset(shape, strides, strides) { i, s, _ in o[i] = source[s] }
      }
    }
    return Tensor(shape: shape, data: out)
  }

  /// The sum of all elements, as a rank-0 tensor.  ∂(Σx)/∂xᵢ = 1
  public func sum() -> Tensor {
    let value = Tensor(data.reduce(0, +))
    let shape = self.shape
    return .record(value, operation: "sum", inputs: [self]) { grad in
      [Tensor.full(shape, grad.item)]
    }
  }

  /// The mean of all elements, as a rank-0 tensor.  ∂(mean x)/∂xᵢ = 1/n
  public func mean() -> Tensor {
    if count == 0 { fatalError("mean(): the tensor of shape \(shape) is empty") }
    return sum() / Float(count)
  }

  /// Sums along `axis` (negative counts from the end), removing it unless `keepDims`.
  public func sum(axis: Int, keepDims: Bool = false) -> Tensor {
    let axis = normalizedAxis(axis, rank: rank, in: "sum(axis:)")
    let (outer, length, inner) = splitAroundAxis(shape, axis)
    var out = [Float](repeating: 0, count: outer * inner)
    data.withUnsafeBufferPointer { x in
      for o in 0..<outer {
        for l in 0..<length {
          let row = (o * length + l) * inner
          for i in 0..<inner { out[o * inner + i] += x[row + i] }
        }
      }
    }
    let value = Tensor(shape: reducedShape(shape, axis, keepDims: keepDims), data: out)
    let (shape, keptShape) = (self.shape, reducedShape(self.shape, axis, keepDims: true))
    return .record(value, operation: "sum(axis:)", inputs: [self]) { grad in
      [grad.reshaped(keptShape).expanded(to: shape)]
    }
  }

  /// The mean along `axis`, removing it unless `keepDims`.
  public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
    let length = size(axis)
    if length == 0 { fatalError("mean(axis: \(axis)): the axis is empty in shape \(shape)") }
    return sum(axis: axis, keepDims: keepDims) / Float(length)
  }

  /// The largest element along `axis`; the gradient flows only to that element (the first one
  /// on a tie), because nudging the others does not change the maximum.
  public func max(axis: Int, keepDims: Bool = false) -> Tensor {
    let axis = normalizedAxis(axis, rank: rank, in: "max(axis:)")
    let (outer, length, inner) = splitAroundAxis(shape, axis)
    if length == 0 { fatalError("max(axis: \(axis)): the axis is empty in shape \(shape)") }
    var out = [Float](repeating: 0, count: outer * inner)
    var winner = [Int](repeating: 0, count: outer * inner)  // flat index of each maximum
    data.withUnsafeBufferPointer { x in
      for o in 0..<outer {
        for i in 0..<inner {
          var best = o * length * inner + i
          for l in 1..<length where x[(o * length + l) * inner + i] > x[best] {
            best = (o * length + l) * inner + i
          }
          out[o * inner + i] = x[best]
          winner[o * inner + i] = best
        }
      }
    }
    let value = Tensor(shape: reducedShape(shape, axis, keepDims: keepDims), data: out)
    let shape = self.shape
    return .record(value, operation: "max(axis:)", inputs: [self]) { grad in
      var routed = [Float](repeating: 0, count: shape.product)
      for (g, index) in zip(grad.data, winner) { routed[index] += g }
      return [Tensor(shape: shape, data: routed)]
    }
  }

  /// The index of the largest element along the last axis, for each row: the predicted class.
  public func argmax() -> [Int] {
    let width = shape.last ?? 1
    if width == 0 { fatalError("argmax(): the last axis is empty in shape \(shape)") }
    return stride(from: 0, to: count, by: width).map { start in
      var best = start
      for i in start..<start + width where data[i] > data[best] { best = i }
      return best - start
    }
  }
}
