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

/// Numbers with a fixed count of decimals, joined for a table cell: `[0.6590, 0.2424, 0.0986]`.
func formatList(_ values: [Float], decimals: Int = 4) -> String {
  "[" + values.map { format($0, decimals: decimals) }.joined(separator: ", ") + "]"
}

/// The largest absolute difference between two equally long arrays.
func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
  zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
