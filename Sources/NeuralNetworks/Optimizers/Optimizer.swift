import Foundation
import Core

/// Something that updates parameters from their gradients: one `step()` per mini-batch.
public protocol Optimizer: AnyObject {
  /// The tensors this optimiser updates.
  var parameters: [Tensor] { get }
  /// The step size α; schedules may change it between steps.
  var learningRate: Float { get set }
  /// Updates every parameter that has a gradient.
  func step()
}

extension Optimizer {
  /// Forgets the gradients of every parameter, before the next backward pass.
  public func zeroGrad() { for parameter in parameters { parameter.zeroGrad() } }
}

/// Scales all gradients down together when their joint (global) norm exceeds `maxNorm`, and
/// returns the norm before clipping. An RNN multiplies by the same weights at every time step,
/// so one unlucky batch can produce a gradient large enough to throw training off a cliff.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
  var squares: Float = 0
  for p in parameters { if let g = p.grad { for v in g.data { squares += v * v } } }
  let norm = squares.squareRoot()
  if norm > maxNorm {
    let scale = maxNorm / (norm + 1e-6)
    for p in parameters { if let g = p.grad { g.update { for i in $0.indices { $0[i] *= scale } } } }
  }
  return norm
}
