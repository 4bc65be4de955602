import Foundation
import Core

// snippet: initialization
/// How a layer's first weights are drawn. The scale matters: too small and the signal fades
/// layer after layer, too large and it explodes; these rules keep the variance of activations
/// roughly constant through the network.
public enum Initialization: Sendable {
  /// Xavier/Glorot: uniform in ±√(6 / (fanIn + fanOut)), for tanh and sigmoid layers.
  case xavier
  /// He/Kaiming: normal with standard deviation √(2 / fanIn), for ReLU layers (ReLU zeroes half
  /// its inputs, so the variance is doubled to make up).
  case he
  /// Normal with a fixed standard deviation: for showing what goes wrong (too small, too large).
  case normal(std: Float)
  /// All zeros: every unit of a layer computes the same thing and gets the same gradient, so
  /// they stay identical forever (chapter 6 shows it).
  case zeros

  /// Draws a weight tensor of `shape` for a layer with the given fan-in and fan-out.
  public func weights(_ shape: [Int], fanIn: Int, fanOut: Int,
                      using generator: inout RandomGenerator) -> Tensor {
    switch self {
    case .xavier:
      let limit = (6 / Float(fanIn + fanOut)).squareRoot()
      return .randomUniform(shape, low: -limit, high: limit, using: &generator, requiresGrad: true)
    case .he:
      return .randomNormal(shape, std: (2 / Float(fanIn)).squareRoot(), using: &generator,
                           requiresGrad: true)
    case .normal(let std):
      return .randomNormal(shape, std: std, using: &generator, requiresGrad: true)
    case .zeros:
      return .zeros(shape, requiresGrad: true)
    }
  }
}
// end snippet
