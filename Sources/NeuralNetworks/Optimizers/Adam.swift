import Foundation
import Core
import Kernels

// snippet: adam
/// Adam: momentum plus a per-parameter step size from the running size of its gradients.
///
///     m ← β₁m + (1 − β₁)g          (mean of recent gradients: the direction)
///     v ← β₂v + (1 − β₂)g²         (mean of recent squared gradients: the scale)
///     m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)   (undo the bias of starting m and v at zero)
///     θ ← θ − α m̂ / (√v̂ + ε)
///
/// A parameter with consistently small gradients still moves at about α per step, which is why
/// Adam works with little tuning.
public final class Adam: Optimizer {
  public let parameters: [Tensor]
  public var learningRate: Float
  public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
  private var firstMoments: [[Float]], secondMoments: [[Float]]
  private var stepCount = 0

  public init(_ parameters: [Tensor], learningRate: Float = 0.001, beta1: Float = 0.9,
              beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
    self.parameters = parameters
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    firstMoments = parameters.map { [Float](repeating: 0, count: $0.count) }
    secondMoments = firstMoments
  }

  public func step() {
    stepCount += 1
    // θ ← θ − α m̂/(√v̂ + ε) with m̂ = m/(1 − β₁ᵗ) and v̂ = v/(1 − β₂ᵗ): one division per element.
    let stepSize = learningRate / (1 - Foundation.pow(beta1, Float(stepCount)))
    let varianceScale = 1 / (1 - Foundation.pow(beta2, Float(stepCount)))
    for (index, parameter) in parameters.enumerated() {
      guard let gradient = parameter.grad?.data else { continue }
      parameter.update { theta in
        adamStep(theta: &theta, gradient: gradient, m: &firstMoments[index], v: &secondMoments[index],
                 stepSize: stepSize, varianceScale: varianceScale, beta1: beta1, beta2: beta2,
                 epsilon: epsilon, weightDecay: weightDecay)
      }
    }
  }
}
// end snippet
