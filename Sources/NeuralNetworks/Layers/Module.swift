import Foundation
import Core

// PyTorch's vocabulary, Swift's manners: a module owns parameters (tensors that training
// changes) and may contain other modules; `train()` and `eval()` switch behaviour that differs
// between training and use, such as dropout.

/// Anything with trainable parameters: a layer, or a model made of layers.
public protocol Module: AnyObject {
  /// Every trainable tensor of this module and the modules inside it, in a fixed order.
  var parameters: [Tensor] { get }
  /// The modules directly inside this one (for `train()`, `eval()` and `parameters`).
  var children: [any Module] { get }
  /// Whether the module is training (dropout active) or evaluating.
  var isTraining: Bool { get set }
  /// The names of this module's own parameters, in the order of `parameters`, for checkpoints
  /// (`weight`, `bias`, as in PyTorch); a module made of children names none of its own.
  var parameterNames: [String] { get }
}

/// A module that maps one tensor to one tensor, so that it can sit in a `Sequential`.
public protocol Layer: Module {
  func callAsFunction(_ input: Tensor) -> Tensor
}

extension Module {
  public var children: [any Module] { [] }
  public var parameterNames: [String] {
    children.isEmpty ? parameters.indices.map { "parameter\($0)" } : []
  }
  public var parameters: [Tensor] { children.flatMap(\.parameters) }

  /// Switches this module and every module inside it to training behaviour.
  public func train() { setTraining(true) }

  /// Switches this module and every module inside it to evaluation behaviour.
  public func eval() { setTraining(false) }

  private func setTraining(_ training: Bool) {
    isTraining = training
    for child in children { child.setTraining(training) }
  }

  /// Forgets the gradients of every parameter, before the next backward pass.
  public func zeroGrad() { for parameter in parameters { parameter.zeroGrad() } }

  /// How many numbers training adjusts.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
}

/// Layers applied one after another, each to the output of the one before.
public final class Sequential: Layer {
  public let layers: [any Layer]
  public var isTraining = true
  public var children: [any Module] { layers }

  public init(_ layers: [any Layer]) { self.layers = layers }
  public convenience init(_ layers: any Layer...) { self.init(layers) }

  public func callAsFunction(_ input: Tensor) -> Tensor {
    layers.reduce(input) { x, layer in layer(x) }
  }
}

// snippet: linear
/// A fully connected layer, y = x·W + b, mapping `inputs` features to `outputs` features.
/// W is [inputs, outputs] so that a batch [N, inputs] multiplies it directly.
public final class Linear: Layer {
  public let weight: Tensor
  public let bias: Tensor?
  public var isTraining = true
  public var parameters: [Tensor] { [weight] + (bias.map { [$0] } ?? []) }

  /// Creates the layer with weights from `initialization` (He by default, for ReLU networks)
  /// and a zero bias.
  public init(inputs: Int, outputs: Int, bias: Bool = true,
              initialization: Initialization = .he, using generator: inout RandomGenerator) {
    weight = initialization.weights([inputs, outputs], fanIn: inputs, fanOut: outputs,
                                    using: &generator)
    self.bias = bias ? Tensor.zeros([outputs], requiresGrad: true) : nil
  }

  public func callAsFunction(_ input: Tensor) -> Tensor {
    let product = matmul(input, weight)
    return bias.map { product + $0 } ?? product
  }
}
// end snippet

/// The ReLU activation as a layer.
public final class ReLU: Layer {
  public var isTraining = true
  public init() {}
  public func callAsFunction(_ input: Tensor) -> Tensor { relu(input) }
}

/// The sigmoid activation as a layer.
public final class Sigmoid: Layer {
  public var isTraining = true
  public init() {}
  public func callAsFunction(_ input: Tensor) -> Tensor { sigmoid(input) }
}

/// The tanh activation as a layer.
public final class Tanh: Layer {
  public var isTraining = true
  public init() {}
  public func callAsFunction(_ input: Tensor) -> Tensor { tanh(input) }
}

/// Flattens every axis after the first: [N, C, H, W] → [N, C·H·W], between convolutions and a
/// linear head.
public final class Flatten: Layer {
  public var isTraining = true
  public init() {}
  public func callAsFunction(_ input: Tensor) -> Tensor {
    input.reshaped([input.shape.first ?? 1, -1])
  }
}

// snippet: dropout
/// Dropout: while training, zeroes each element with probability `rate` and scales the rest by
/// 1/(1 − rate), so that the expected value is unchanged and evaluation needs no rescaling.
/// A network that cannot rely on any single unit learns redundant, more general features.
public final class Dropout: Layer {
  public let rate: Float
  public var isTraining = true
  private var generator: RandomGenerator

  public init(rate: Float, seed: Int = 0) {
    if !(0..<1).contains(rate) { fatalError("Dropout(rate: \(rate)): the rate must be in [0, 1)") }
    self.rate = rate
    generator = RandomGenerator(seed: seed)
  }

  public func callAsFunction(_ input: Tensor) -> Tensor {
    guard isTraining && rate > 0 else { return input }
    let keep = 1 - rate
    let mask = (0..<input.count).map { _ in generator.nextFloat() < keep ? 1 / keep : 0 }
    return input * Tensor(shape: input.shape, data: mask)
  }
}
// end snippet
