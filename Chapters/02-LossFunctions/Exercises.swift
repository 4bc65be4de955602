import Foundation

// ─────────────────────────────────────────────────────────────────────────────────────────────
// Exercises of chapter 2 — yours to write.
//
// In the course you are given, each body is a `fatalError` stub: replace it with your own code.
// (In the instructors' copy the reference solution sits between BEGIN SOLUTION and END SOLUTION;
// `swift run Course student-version` replaces it by the stub.)
//
// For each function: write your own from the
// formula in the book, and check it with
//
//     swift test --filter Chapter02
//
// The tests compare your gradients with the engine's autograd on random inputs, and feed your
// log-sum-exp scores of ±1000, where the naive formula gives inf or −inf.
// ─────────────────────────────────────────────────────────────────────────────────────────────

// snippet: exercise-mse-gradient
/// The gradient of mean((p − t)²) with respect to each prediction: 2(pᵢ − tᵢ)/n.
func meanSquaredErrorGradient(predictions: [Float], targets: [Float]) -> [Float] {
  // BEGIN SOLUTION 2.1
  let n = Float(predictions.count)
  return zip(predictions, targets).map { 2 * ($0 - $1) / n }
  // END SOLUTION
}
// end snippet

// snippet: exercise-log-sum-exp
/// log Σⱼ e^(zⱼ), computed as m + log Σⱼ e^(zⱼ − m) with m the largest score, so that it stays
/// finite for scores in the thousands (and is −infinity only for an empty list).
func logSumExp(_ z: [Float]) -> Float {
  // BEGIN SOLUTION 2.2
  guard let m = z.max() else { return -.infinity }
  return m + log(z.reduce(0) { $0 + exp($1 - m) })
  // END SOLUTION
}
// end snippet

// snippet: exercise-cross-entropy-gradient
/// The gradient of −log softmax(z)[label] (one example) with respect to the scores z:
/// softmax(z) − onehot(label).
func crossEntropyGradient(scores z: [Float], label: Int) -> [Float] {
  // BEGIN SOLUTION 2.3
  let logTotal = logSumExp(z)
  return z.enumerated().map { j, zj in exp(zj - logTotal) - (j == label ? 1 : 0) }
  // END SOLUTION
}
// end snippet
