import Foundation

// ─────────────────────────────────────────────────────────────────────────────────────────────
// Exercises of chapter 1 — yours to write.
//
// In the course you are given, each body is a `fatalError` stub: replace it with your own code.
// (In the instructors' copy the reference solution sits between BEGIN SOLUTION and END SOLUTION;
// `swift run Course student-version` replaces it by the stub.)
//
// For each function: write your own from the
// formula in the book, and check it with
//
//     swift test --filter Chapter01
//
// The tests compare your derivatives with measured slopes (central differences) at many points,
// and check that your softplus neither overflows nor loses precision for large |x|.
// ─────────────────────────────────────────────────────────────────────────────────────────────

// snippet: exercise-leaky-relu
/// Leaky ReLU: x for x > 0, `slope` · x otherwise, so that a unit below zero still learns a little.
func leakyReLU(_ x: Float, slope: Float = 0.01) -> Float {
  // BEGIN SOLUTION 1.1a
  x > 0 ? x : slope * x
  // END SOLUTION
}

/// The derivative of leaky ReLU: 1 for x > 0, `slope` otherwise (we choose `slope` at x = 0).
func leakyReLUDerivative(_ x: Float, slope: Float = 0.01) -> Float {
  // BEGIN SOLUTION 1.1b
  x > 0 ? 1 : slope
  // END SOLUTION
}
// end snippet

// snippet: exercise-softplus
/// Softplus, log(1 + eˣ): a smooth ReLU. Written as max(x, 0) + log(1 + e^(−|x|)), which is the
/// same number but never computes e^(large), so softplus(100) is 100 and not infinity.
func softplus(_ x: Float) -> Float {
  // BEGIN SOLUTION 1.2a
  max(x, 0) + log1p(exp(-abs(x)))
  // END SOLUTION
}

/// The derivative of softplus: eˣ / (1 + eˣ) = σ(x), the sigmoid.
func softplusDerivative(_ x: Float) -> Float {
  // BEGIN SOLUTION 1.2b
  x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
  // END SOLUTION
}
// end snippet
