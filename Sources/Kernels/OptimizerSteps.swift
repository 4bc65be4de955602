import Foundation

// The inner loops of the optimisers' update rules (NeuralNetworks/Optimizers says what they
// compute and why). Over a million parameters an element-by-element loop on Swift arrays pays a
// bounds and uniqueness check per access; on raw buffers it touches nothing but floats: 30×
// faster for SGD.
//
// An update reads and writes every parameter once per step (Adam: four floats read, three
// written, 28 bytes per parameter), so it is bound by memory, not arithmetic: the loops run a
// whole vector at a time at the kernel path's width, and a large parameter is cut into one
// stripe per core, so that both cores pull data from memory. Every element gets the same
// operations in the same order whatever the width and the split: the results are bit-identical.

/// One SGD step on one parameter: g = ∇ + λθ, v ← μv + g, θ ← θ − αv.
public func sgdStep(theta: inout [Float], gradient: [Float], velocity: inout [Float],
                    learningRate: Float, momentum: Float, weightDecay: Float,
                    path: KernelPath = .preferred) {
  theta.withUnsafeMutableBufferPointer { theta in
    gradient.withUnsafeBufferPointer { gradient in
      velocity.withUnsafeMutableBufferPointer { velocity in
        let count = theta.count
        let (theta, gradient, velocity) = (theta.baseAddress!, gradient.baseAddress!,
                                           velocity.baseAddress!)
        forEachStripe(count: count, path: path) { range, width in
          switch width {
          case .simd8:
            sgdUpdate(range, SIMD8<Float>.self, theta, gradient, velocity, learningRate,
                      momentum, weightDecay)
          case .simd16:
            sgdUpdate(range, SIMD16<Float>.self, theta, gradient, velocity, learningRate,
                      momentum, weightDecay)
          }
        }
      }
    }
  }
}

/// SGD on elements `range`, a vector of type V at a time (then one by one for the tail).
@inline(__always)
private func sgdUpdate<V: FloatVector>(_ range: Range<Int>, _: V.Type,
                                       _ theta: UnsafeMutablePointer<Float>,
                                       _ gradient: UnsafePointer<Float>,
                                       _ velocity: UnsafeMutablePointer<Float>,
                                       _ learningRate: Float, _ momentum: Float,
                                       _ weightDecay: Float) {
  var i = range.lowerBound
  while i + V.scalarCount <= range.upperBound {
    let t: V = VectorMath.load(theta + i)
    let g = VectorMath.load(gradient + i) as V + weightDecay * t
    let v = momentum * (VectorMath.load(velocity + i) as V) + g
    VectorMath.store(v, to: velocity + i)
    VectorMath.store(t - learningRate * v, to: theta + i)
    i += V.scalarCount
  }
  while i < range.upperBound {
    let g = gradient[i] + weightDecay * theta[i]
    velocity[i] = momentum * velocity[i] + g
    theta[i] -= learningRate * velocity[i]
    i += 1
  }
}

/// One Adam step on one parameter: g = ∇ + λθ, m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
/// θ ← θ − stepSize · m / (√(v · varianceScale) + ε), where the caller folds the bias
/// corrections 1/(1 − β₁ᵗ) into `stepSize` and 1/(1 − β₂ᵗ) into `varianceScale`.
public func adamStep(theta: inout [Float], gradient: [Float], m: inout [Float], v: inout [Float],
                     stepSize: Float, varianceScale: Float, beta1: Float, beta2: Float,
                     epsilon: Float, weightDecay: Float, path: KernelPath = .preferred) {
  let rule = AdamRule(stepSize: stepSize, varianceScale: varianceScale, beta1: beta1,
                      beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
  theta.withUnsafeMutableBufferPointer { theta in
    gradient.withUnsafeBufferPointer { gradient in
      m.withUnsafeMutableBufferPointer { m in
        v.withUnsafeMutableBufferPointer { v in
          let buffers = AdamBuffers(theta: theta.baseAddress!, gradient: gradient.baseAddress!,
                                    m: m.baseAddress!, v: v.baseAddress!)
          forEachStripe(count: theta.count, path: path) { range, width in
            switch width {
            case .simd8: rule.update(range, SIMD8<Float>.self, buffers)
            case .simd16: rule.update(range, SIMD16<Float>.self, buffers)
            }
          }
        }
      }
    }
  }
}

/// The four arrays of one Adam update.
private struct AdamBuffers {
  let theta: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>
  let m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
}

/// Adam's constants for one step, and the update of a range of elements.
private struct AdamRule {
  let stepSize: Float, varianceScale: Float, beta1: Float, beta2: Float
  let epsilon: Float, weightDecay: Float

  /// The update of elements `range`, a vector of type V at a time (then one by one for the
  /// tail), with the same operations as the scalar formula, in the same order.
  @inline(__always)
  func update<V: FloatVector>(_ range: Range<Int>, _: V.Type, _ b: AdamBuffers) {
    var i = range.lowerBound
    while i + V.scalarCount <= range.upperBound {
      let t: V = VectorMath.load(b.theta + i)
      let g = VectorMath.load(b.gradient + i) as V + weightDecay * t
      let m = beta1 * (VectorMath.load(b.m + i) as V) + (1 - beta1) * g
      let v = beta2 * (VectorMath.load(b.v + i) as V) + (1 - beta2) * g * g
      VectorMath.store(m, to: b.m + i)
      VectorMath.store(v, to: b.v + i)
      // √ lane by lane: Swift's square root falls back to the C library's sqrtf (which sets
      // errno) for negative numbers, and that branch keeps the compiler from using the vector
      // square root. (v is never negative; the branch is never taken and costs little.)
      var root = v * varianceScale
      for lane in 0..<V.scalarCount { root[lane] = root[lane].squareRoot() }
      VectorMath.store(t - stepSize * m / (root + epsilon), to: b.theta + i)
      i += V.scalarCount
    }
    while i < range.upperBound {
      let g = b.gradient[i] + weightDecay * b.theta[i]
      let (mi, vi) = (beta1 * b.m[i] + (1 - beta1) * g, beta2 * b.v[i] + (1 - beta2) * g * g)
      (b.m[i], b.v[i]) = (mi, vi)
      b.theta[i] -= stepSize * mi / ((vi * varianceScale).squareRoot() + epsilon)
      i += 1
    }
  }
}

/// Runs `body` on ranges covering 0..<count: one, or one per core for arrays large enough
/// (64 Ki elements, a quarter of a megabyte) to pay for waking the other cores. Stripes start
/// on multiples of 64 elements, so vectors stay aligned the same way in every stripe.
private func forEachStripe(count: Int, path: KernelPath,
                           _ body: @escaping (Range<Int>, KernelPath) -> Void) {
  let parts = count < 1 << 16 ? 1 : engineCores
  if parts == 1 { return body(0..<count, path) }
  let blocks = (count + 63) / 64
  parallelFor(parts: parts) { part in
    body(min(count, blocks * part / parts * 64)..<min(count, blocks * (part + 1) / parts * 64),
         path)
  }
}
