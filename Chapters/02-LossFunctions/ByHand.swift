import DeepLearning
import Foundation

// Softmax written twice, for one row of scores: the way the formula reads, and the way that
// survives Float32. Section 2.4 runs both on large scores.

// snippet: naive-softmax
/// softmax(z)ᵢ = e^(zᵢ) / Σⱼ e^(zⱼ), exactly as the formula reads.
func naiveSoftmax(_ z: [Float]) -> [Float] {
  let exponentials = z.map { exp($0) }
  let total = exponentials.reduce(0, +)
  return exponentials.map { $0 / total }
}
// end snippet

// snippet: stable-softmax
/// The same function after subtracting the largest score m from every score: e^(zᵢ − m) / Σⱼ e^(zⱼ − m).
/// The factor e^(−m) cancels between numerator and denominator, every exponent is ≤ 0, and the
/// largest term is e⁰ = 1, so the sum can neither overflow nor be zero.
func stableSoftmax(_ z: [Float]) -> [Float] {
  let m = z.max() ?? 0
  let exponentials = z.map { exp($0 - m) }
  let total = exponentials.reduce(0, +)
  return exponentials.map { $0 / total }
}
// end snippet

/// σ(z) for one number, in the form that never overflows.
func sigmoid(_ z: Float) -> Float {
  z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
}

