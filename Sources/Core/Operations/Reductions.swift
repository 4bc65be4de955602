import Foundation
import Kernels

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
  /// The sum of all elements, as a rank-0 tensor.  ∂(Σx)/∂xᵢ = 1
  public func sum() -> Tensor {
    // Many running sums (`sumOfRun`), not one: `reduce(0, +)` makes every addition wait for the
    // one before, one number at a time.
    let value = Tensor(data.withUnsafeBufferPointer { sumOfRun($0, start: 0, count: $0.count) })
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
    // Summing away an axis is the backward of broadcasting along it.
    let keptShape = reducedShape(shape, axis, keepDims: true)
    let value = Tensor(shape: reducedShape(shape, axis, keepDims: keepDims),
                       data: sumToShape(keptShape).data)
    let shape = self.shape
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
          // The largest so far stays in a register; indices step by `inner` along the axis.
          let first = o * length * inner + i
          var (best, largest) = (first, x[first])
          for l in 1..<length {
            let value = x[first + l * inner]
            if value > largest { (best, largest) = (first + l * inner, value) }
          }
          out[o * inner + i] = largest
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
