import DeepLearning
import Foundation

// ─────────────────────────────────────────────────────────────────────────────────────────────
// Exercises of chapter 4 — yours to write.
//
// In the course you are given, each body is a `fatalError` stub: replace it with your own code.
// (In the instructors' copy the reference solution sits between BEGIN SOLUTION and END SOLUTION;
// `swift run Course student-version` replaces it by the stub.)
//
// For each function: work the chain rule out on
// paper, write it down, and check it with
//
//     swift test --filter Chapter04
//
// The tests compare your results with backward() and with central differences on random inputs.
// ─────────────────────────────────────────────────────────────────────────────────────────────

// snippet: exercise-tanh-neuron
/// The gradient of L = (tanh(w·x + b) − t)² with respect to w and b, by the chain rule:
/// dL/da = 2(a − t), da/dz = 1 − a², dz/dwᵢ = xᵢ, dz/db = 1, with a = tanh(z), z = w·x + b.
func tanhNeuronGradients(x: [Float], w: [Float], b: Float, target: Float) -> (dw: [Float], db: Float) {
  // BEGIN SOLUTION 4.1
  var z = b
  for (xi, wi) in zip(x, w) { z += xi * wi }
  let a = tanh(z)
  let dLossDz = 2 * (a - target) * (1 - a * a)
  return (x.map { dLossDz * $0 }, dLossDz)
  // END SOLUTION
}
// end snippet

// snippet: exercise-softplus-backward
/// The backward rule of softplus(x) = log(1 + eˣ): given x and the gradient g of the loss with
/// respect to softplus(x), the gradient with respect to x, g · σ(x), element by element. This
/// is the closure an operation hands to the engine's `Tensor.record`.
func softplusBackward(_ x: Tensor, outputGradient g: Tensor) -> Tensor {
  // BEGIN SOLUTION 4.2
  g * sigmoid(x)
  // END SOLUTION
}
// end snippet
