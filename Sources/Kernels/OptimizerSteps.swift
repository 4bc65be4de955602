// The inner loops of the optimisers' update rules (NeuralNetworks/Optimizers says what they
// compute and why). Over a million parameters an element-by-element loop on Swift arrays pays a
// bounds and uniqueness check per access; on raw buffers it touches nothing but floats: 30×
// faster for SGD.

/// One SGD step on one parameter: g = ∇ + λθ, v ← μv + g, θ ← θ − αv.
public func sgdStep(theta: inout [Float], gradient: [Float], velocity: inout [Float],
                    learningRate: Float, momentum: Float, weightDecay: Float) {
  theta.withUnsafeMutableBufferPointer { theta in
    gradient.withUnsafeBufferPointer { gradient in
      velocity.withUnsafeMutableBufferPointer { velocity in
        for i in theta.indices {
          let g = gradient[i] + weightDecay * theta[i]
          velocity[i] = momentum * velocity[i] + g
          theta[i] -= learningRate * velocity[i]
        }
      }
    }
  }
}

/// One Adam step on one parameter: g = ∇ + λθ, m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
/// θ ← θ − stepSize · m / (√(v · varianceScale) + ε), where the caller folds the bias
/// corrections 1/(1 − β₁ᵗ) into `stepSize` and 1/(1 − β₂ᵗ) into `varianceScale`.
public func adamStep(theta: inout [Float], gradient: [Float], m: inout [Float], v: inout [Float],
                     stepSize: Float, varianceScale: Float, beta1: Float, beta2: Float,
                     epsilon: Float, weightDecay: Float) {
  theta.withUnsafeMutableBufferPointer { theta in
    gradient.withUnsafeBufferPointer { gradient in
      m.withUnsafeMutableBufferPointer { m in
        v.withUnsafeMutableBufferPointer { v in
          for i in theta.indices {
            let g = gradient[i] + weightDecay * theta[i]
            let (mi, vi) = (beta1 * m[i] + (1 - beta1) * g, beta2 * v[i] + (1 - beta2) * g * g)
            (m[i], v[i]) = (mi, vi)
            theta[i] -= stepSize * mi / ((vi * varianceScale).squareRoot() + epsilon)
          }
        }
      }
    }
  }
}
