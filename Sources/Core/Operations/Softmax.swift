import Foundation

// Softmax turns a row of scores into probabilities. Computed naively, e^x overflows Float32 for
// x > 88; subtracting the row's maximum first changes nothing mathematically (it cancels in the
// ratio) and keeps every exponent ≤ 0. Log-softmax uses the same log-sum-exp trick and never
// takes the logarithm of a probability that rounded to zero. Both are fused operations with
// closed-form backward passes; the tests check them against the same functions composed from
// exp, sum, max and division.

/// Calls `body(row)` with each row of the last axis as a mutable buffer slice of `values`.
@inline(__always)
func forEachRow(_ values: inout [Float], width: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
  guard width > 0 else { return }
  values.withUnsafeMutableBufferPointer { all in
    for start in stride(from: 0, to: all.count, by: width) {
      body(UnsafeMutableBufferPointer(rebasing: all[start..<start + width]))
    }
  }
}

/// The input gradient of a row-wise operation: `rule(g, y)` turns each row of the incoming
/// gradient g, in place, into the row's input gradient, given the same row of the output y.
@inline(__always)
func rowwiseGradient(_ grad: Tensor, _ y: Tensor, width: Int,
                     _ rule: (_ g: UnsafeMutableBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>) -> Void)
  -> Tensor {
  var dx = grad.data
  y.data.withUnsafeBufferPointer { y in
    var start = 0
    forEachRow(&dx, width: width) { g in
      rule(g, UnsafeBufferPointer(rebasing: y[start..<start + width]))
      start += width
    }
  }
  return Tensor(shape: grad.shape, data: dx)
}

/// Replaces each row by its log-softmax, xᵢ − max − log Σⱼ e^(xⱼ − max).
func logSoftmaxRows(_ values: inout [Float], width: Int) {
  forEachRow(&values, width: width) { row in
    var largest = -Float.infinity
    for x in row { largest = Swift.max(largest, x) }
    var total: Float = 0
    for x in row { total += Foundation.exp(x - largest) }
    // (x − max) − log Σ, not x − (max + log Σ): near 1000 a Float32 sum would round.
    let logTotal = Foundation.log(total)
    for i in row.indices { row[i] = (row[i] - largest) - logTotal }
  }
}

// snippet: softmax
/// Softmax along the last axis: softmax(x)ᵢ = e^(xᵢ − max x) / Σⱼ e^(xⱼ − max x).
/// Backward: ∂L/∂xᵢ = yᵢ (gᵢ − Σⱼ gⱼ yⱼ), with y the softmax and g the incoming gradient.
public func softmax(_ x: Tensor) -> Tensor {
  if x.rank == 0 { fatalError("softmax: needs at least one axis, got a scalar") }
  let width = x.shape[x.rank - 1]
  var probabilities = x.data
  logSoftmaxRows(&probabilities, width: width)
  for i in probabilities.indices { probabilities[i] = Foundation.exp(probabilities[i]) }
  let y = Tensor(shape: x.shape, data: probabilities)
  return .record(y, operation: "softmax", inputs: [x]) { grad in
    [rowwiseGradient(grad, y, width: width) { g, y in
      var dot: Float = 0
      for i in g.indices { dot += g[i] * y[i] }
      for i in g.indices { g[i] = y[i] * (g[i] - dot) }
    }]
  }
}

/// Log-softmax along the last axis: xᵢ − log Σⱼ e^(xⱼ), computed stably.
/// Backward: ∂L/∂xᵢ = gᵢ − softmax(x)ᵢ Σⱼ gⱼ.
public func logSoftmax(_ x: Tensor) -> Tensor {
  if x.rank == 0 { fatalError("logSoftmax: needs at least one axis, got a scalar") }
  let width = x.shape[x.rank - 1]
  var logProbabilities = x.data
  logSoftmaxRows(&logProbabilities, width: width)
  let y = Tensor(shape: x.shape, data: logProbabilities)
  return .record(y, operation: "logSoftmax", inputs: [x]) { grad in
    [rowwiseGradient(grad, y, width: width) { g, y in
      var total: Float = 0
      for value in g { total += value }
      for i in g.indices { g[i] -= Foundation.exp(y[i]) * total }
    }]
  }
}
// end snippet
