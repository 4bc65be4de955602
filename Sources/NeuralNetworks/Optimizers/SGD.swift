import Foundation
import Core
import Kernels

// snippet: sgd
/// Stochastic gradient descent with optional momentum and weight decay:
///
///     g ← ∇θ + λθ            (weight decay pulls weights towards zero)
///     v ← μv + g             (momentum: a running direction that smooths noisy gradients)
///     θ ← θ − α v            (with μ = 0 this is plain θ ← θ − α g)
public final class SGD: Optimizer {
  public let parameters: [Tensor]
  public var learningRate: Float
  public let momentum: Float
  public let weightDecay: Float
  private var velocities: [[Float]]

  public init(_ parameters: [Tensor], learningRate: Float, momentum: Float = 0,
              weightDecay: Float = 0) {
    self.parameters = parameters
    self.learningRate = learningRate
    self.momentum = momentum
    self.weightDecay = weightDecay
    velocities = parameters.map { [Float](repeating: 0, count: $0.count) }
  }

  public func step() {
    for (index, parameter) in parameters.enumerated() {
      guard let gradient = parameter.grad?.data else { continue }
      parameter.update { theta in
        sgdStep(theta: &theta, gradient: gradient, velocity: &velocities[index],
                learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
      }
    }
  }
}
// end snippet
