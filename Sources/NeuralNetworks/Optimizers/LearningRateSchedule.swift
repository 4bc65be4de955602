import Foundation
import Core
import Kernels

/// nanoGPT's learning-rate schedule (`get_lr`): a linear warm-up from nearly 0 to the maximum
/// over the first `warmupSteps` steps, so that Adam's early, noisy moment estimates cannot throw
/// the weights far; then half a cosine down to `minimumLearningRate` at `decaySteps`; then flat.
///
///     step < w:       α_max · (step + 1)/(w + 1)
///     w ≤ step ≤ d:   α_min + ½(1 + cos(π·(step − w)/(d − w))) · (α_max − α_min)
///     step > d:       α_min
public struct WarmupCosineSchedule: Sendable {
  public let maximumLearningRate: Float
  public let minimumLearningRate: Float
  public let warmupSteps: Int
  public let decaySteps: Int

  public init(maximumLearningRate: Float, minimumLearningRate: Float, warmupSteps: Int,
              decaySteps: Int) {
    if warmupSteps < 0 || decaySteps <= warmupSteps {
      fatalError("WarmupCosineSchedule(warmupSteps: \(warmupSteps), decaySteps: \(decaySteps)): " +
                 "needs 0 ≤ warmupSteps < decaySteps")
    }
    (self.maximumLearningRate, self.minimumLearningRate) = (maximumLearningRate, minimumLearningRate)
    (self.warmupSteps, self.decaySteps) = (warmupSteps, decaySteps)
  }

  /// The learning rate for step `step` (counted from 0).
  public func learningRate(atStep step: Int) -> Float {
    let (high, low) = (Double(maximumLearningRate), Double(minimumLearningRate))
    if step < warmupSteps { return Float(high * Double(step + 1) / Double(warmupSteps + 1)) }
    if step > decaySteps { return minimumLearningRate }
    let progress = Double(step - warmupSteps) / Double(decaySteps - warmupSteps)
    return Float(low + 0.5 * (1 + Foundation.cos(Double.pi * progress)) * (high - low))
  }

  /// `learningRate(atStep:)`: `optimizer.learningRate = schedule(step)`.
  public func callAsFunction(_ step: Int) -> Float { learningRate(atStep: step) }
}
