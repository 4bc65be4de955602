// Exercises of chapter 6 — yours to write; `swift test --filter Chapter06` checks them.
//
// In the course you are given, each body is a `fatalError` stub: replace it with your own code.
// (In the instructors' copy the reference solution sits between BEGIN SOLUTION and END SOLUTION;
// `swift run Course student-version` replaces it by the stub.)

import DeepLearning
import Foundation

// snippet: exercise-rmsprop
/// Exercise 1: RMSProp, Adam's second half without its momentum: each parameter's step is
/// divided by the running root-mean-square of its own gradients.
///
///     v ← ρv + (1 − ρ)g²
///     θ ← θ − α g / (√v + ε)
final class RMSProp: Optimizer {
  let parameters: [Tensor]
  var learningRate: Float
  let decay: Float, epsilon: Float
  private var meanSquares: [[Float]]

  init(_ parameters: [Tensor], learningRate: Float = 0.001, decay: Float = 0.99, epsilon: Float = 1e-8) {
    self.parameters = parameters
    self.learningRate = learningRate
    self.decay = decay
    self.epsilon = epsilon
    meanSquares = parameters.map { [Float](repeating: 0, count: $0.count) }
  }

  func step() {
    // BEGIN SOLUTION 6.1
    for (index, parameter) in parameters.enumerated() {
      guard let gradient = parameter.grad?.data else { continue }
      parameter.update { theta in
        meanSquares[index].withUnsafeMutableBufferPointer { v in
          for i in theta.indices {
            v[i] = decay * v[i] + (1 - decay) * gradient[i] * gradient[i]
            theta[i] -= learningRate * gradient[i] / (v[i].squareRoot() + epsilon)
          }
        }
      }
    }
    // END SOLUTION
  }
}
// end snippet

// snippet: exercise-cosine-schedule
/// Exercise 2: the learning rate at `step` (0, 1, …, totalSteps) of a cosine schedule that
/// glides from `peak` down to `minimum`:  α(t) = min + (peak − min) · (1 + cos(π t / T)) / 2.
/// Set `optimizer.learningRate` to it before each epoch (or step) of training.
func cosineLearningRate(step: Int, totalSteps: Int, peak: Float, minimum: Float = 0) -> Float {
  // BEGIN SOLUTION 6.2
  let progress = Double(Swift.min(Swift.max(step, 0), totalSteps)) / Double(Swift.max(totalSteps, 1))
  return minimum + (peak - minimum) * Float((1 + cos(Double.pi * progress)) / 2)
  // END SOLUTION
}
// end snippet
