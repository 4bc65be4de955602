import DeepLearning
import Foundation

// ─────────────────────────────────────────────────────────────────────────────────────────────
// Exercises of chapter 4 — yours to rewrite.
//
// Each function below holds a reference solution. Delete its body, work the chain rule out on
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
  var z = b
  for (xi, wi) in zip(x, w) { z += xi * wi }
  let a = tanh(z)
  let dLossDz = 2 * (a - target) * (1 - a * a)
  return (x.map { dLossDz * $0 }, dLossDz)
}
// end snippet

// snippet: exercise-softplus-backward
/// The backward rule of softplus(x) = log(1 + eˣ): given x and the gradient g of the loss with
/// respect to softplus(x), the gradient with respect to x, g · σ(x), element by element. This
/// is the closure an operation hands to the engine's `Tensor.record`.
func softplusBackward(_ x: Tensor, outputGradient g: Tensor) -> Tensor {
  g * sigmoid(x)
}
// end snippet
