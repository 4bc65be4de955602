import Core

// The two layers a Transformer block adds to the engine: GELU and layer normalisation, each a
// thin layer around its operation in Core/Operations.

/// The GELU activation as a layer.
public final class GELU: Layer {
  public var isTraining = true
  public init() {}
  public func callAsFunction(_ input: Tensor) -> Tensor { gelu(input) }
}

/// Layer normalisation as a layer: a learned scale γ (initialised to 1) and, optionally, a
/// learned shift β (initialised to 0) per feature, as PyTorch's `nn.LayerNorm(features, bias:)`.
/// Without β by default, as in nanoGPT ("a bit better and faster"); PyTorch's default keeps it.
public final class LayerNorm: Layer {
  /// γ, [features].
  public let weight: Tensor
  /// β, [features], or nil.
  public let bias: Tensor?
  public let epsilon: Float
  public var isTraining = true
  public var parameters: [Tensor] { [weight] + (bias.map { [$0] } ?? []) }

  public init(features: Int, bias: Bool = false, epsilon: Float = 1e-5) {
    if features < 1 { fatalError("LayerNorm(features: \(features)): needs at least one feature") }
    weight = Tensor.ones([features], requiresGrad: true)
    self.bias = bias ? Tensor.zeros([features], requiresGrad: true) : nil
    self.epsilon = epsilon
  }

  public func callAsFunction(_ input: Tensor) -> Tensor {
    layerNorm(input, weight: weight, bias: bias, epsilon: epsilon)
  }
}
