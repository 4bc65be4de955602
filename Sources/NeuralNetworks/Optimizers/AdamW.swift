import Foundation
import Core
import Kernels

/// AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization"): Adam whose weight
/// decay shrinks the parameter directly instead of being added to the gradient, where Adam's
/// scaling would weaken it for parameters with large gradients:
///
///     m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
///     m̂ = m/(1 − β₁ᵗ),       v̂ = v/(1 − β₂ᵗ)
///     θ ← θ − α·(m̂/(√v̂ + ε) + λθ)
///
/// Parameters come in groups with their own λ. nanoGPT decays only tensors of rank ≥ 2 (the
/// weight matrices and embeddings), not LayerNorm scales or biases: `init(_:weightDecay:)`.
public final class AdamW: Optimizer {
  /// Parameters that share a weight decay λ.
  public struct ParameterGroup {
    public var parameters: [Tensor]
    public var weightDecay: Float
    public init(_ parameters: [Tensor], weightDecay: Float) {
      self.parameters = parameters
      self.weightDecay = weightDecay
    }
  }

  public let groups: [ParameterGroup]
  /// Every parameter of every group, in order.
  public let parameters: [Tensor]
  /// α; a schedule sets it before each step.
  public var learningRate: Float
  public let beta1: Float, beta2: Float, epsilon: Float
  private let decays: [Float]
  private var firstMoments: [[Float]], secondMoments: [[Float]]
  private var stepCount = 0

  /// AdamW over explicit parameter groups. A parameter may belong to one group only: listed
  /// twice, it would be updated twice per step.
  public init(groups: [ParameterGroup], learningRate: Float = 1e-3, beta1: Float = 0.9,
              beta2: Float = 0.99, epsilon: Float = 1e-8) {
    self.groups = groups
    parameters = groups.flatMap(\.parameters)
    decays = groups.flatMap { group in group.parameters.map { _ in group.weightDecay } }
    var seen = Set<ObjectIdentifier>()
    for (index, parameter) in parameters.enumerated()
    where !seen.insert(ObjectIdentifier(parameter)).inserted {
      fatalError("AdamW: parameter \(index) (shape \(parameter.shape)) is listed more than " +
                 "once; list a shared (tied) parameter once")
    }
    self.learningRate = learningRate
    (self.beta1, self.beta2, self.epsilon) = (beta1, beta2, epsilon)
    firstMoments = parameters.map { [Float](repeating: 0, count: $0.count) }
    secondMoments = firstMoments
  }

  /// AdamW with nanoGPT's groups: `weightDecay` for parameters of rank ≥ 2, none for the rest.
  public convenience init(_ parameters: [Tensor], learningRate: Float = 1e-3,
                          weightDecay: Float = 0.1, beta1: Float = 0.9, beta2: Float = 0.99,
                          epsilon: Float = 1e-8) {
    self.init(groups: [ParameterGroup(parameters.filter { $0.rank >= 2 }, weightDecay: weightDecay),
                       ParameterGroup(parameters.filter { $0.rank < 2 }, weightDecay: 0)],
              learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
  }

  public func step() {
    stepCount += 1
    // Local copies and raw pointers, so the loop touches nothing but floats (see Adam).
    let (beta1, beta2, epsilon, learningRate) = (beta1, beta2, epsilon, learningRate)
    // α·m̂/(√v̂ + ε) with m̂ = m/(1 − β₁ᵗ) and v̂ = v/(1 − β₂ᵗ): one division per element.
    let stepSize = learningRate / (1 - Foundation.pow(beta1, Float(stepCount)))
    let varianceScale = 1 / (1 - Foundation.pow(beta2, Float(stepCount)))
    for (index, parameter) in parameters.enumerated() {
      guard let gradient = parameter.grad?.data else { continue }
      let shrink = learningRate * decays[index]  // α·λ
      parameter.update { theta in
        theta.withUnsafeMutableBufferPointer { theta in
          gradient.withUnsafeBufferPointer { gradient in
            firstMoments[index].withUnsafeMutableBufferPointer { m in
              secondMoments[index].withUnsafeMutableBufferPointer { v in
                for i in theta.indices {
                  let g = gradient[i]
                  let (mi, vi) = (beta1 * m[i] + (1 - beta1) * g, beta2 * v[i] + (1 - beta2) * g * g)
                  (m[i], v[i]) = (mi, vi)
                  theta[i] -= stepSize * mi / ((vi * varianceScale).squareRoot() + epsilon)
                    + shrink * theta[i]
                }
              }
            }
          }
        }
      }
    }
  }
}
