import Foundation
import Core
import Kernels

// The GPT of nanoGPT (GPT-2's architecture), in four layers:
//
//   CausalSelfAttention   x → proj(attention(split(x·W_qkv)))       tokens look at earlier tokens
//   MLP                   x → GELU(x·W_fc)·W_proj                   each token thinks on its own
//   TransformerBlock      x + attn(ln₁(x)), then x + mlp(ln₂(x))    pre-LayerNorm, residual
//   GPT                   token + position embeddings → blocks → LayerNorm → logits
//
// The logits reuse the token embedding: logits = x · W_teᵀ ("weight tying"), so one [V, C]
// parameter both reads tokens in and scores them out, and collects gradients from both uses.
//
// Initialisation follows nanoGPT: every weight ~ N(0, 0.02²), no biases, LayerNorm scales 1,
// and the two projections that write into the residual stream (attention's and the MLP's
// output) ~ N(0, (0.02/√(2·layers))²), so that the stream's variance does not grow with depth.

/// The standard deviation of nanoGPT's initial weights.
let gptInitialStd: Float = 0.02

/// Multi-head causal self-attention: one bias-free linear layer makes the queries, keys and
/// values of every position at once ([B, T, C] → [B, T, 3C]), the heads attend side by side,
/// and a second bias-free linear layer mixes their outputs.
public final class CausalSelfAttention: Layer {
  /// W_qkv, [C, 3C]: queries | keys | values.
  public let attention: Linear
  /// W_proj, [C, C].
  public let projection: Linear
  public let heads: Int
  public var isTraining = true
  public var children: [any Module] { [attention, projection] }

  /// - Parameter projectionStd: the standard deviation of the output projection's initial
  ///   weights (`GPT` scales it down with depth).
  public init(embedding: Int, heads: Int, projectionStd: Float = 0.02,
              using generator: inout RandomGenerator) {
    if heads < 1 || embedding % heads != 0 {
      fatalError("CausalSelfAttention(embedding: \(embedding), heads: \(heads)): the " +
                 "embedding must divide into the heads")
    }
    attention = Linear(inputs: embedding, outputs: 3 * embedding, bias: false,
                       initialization: .normal(std: gptInitialStd), using: &generator)
    projection = Linear(inputs: embedding, outputs: embedding, bias: false,
                        initialization: .normal(std: projectionStd), using: &generator)
    self.heads = heads
  }

  /// [B, T, C] → [B, T, C].
  public func callAsFunction(_ x: Tensor) -> Tensor {
    let qkv = attention(x)                                    // [B, T, 3C]: q | k | v
    let y = scaledDotProductAttention(query: qkv.splitHeads(heads, part: 0, of: 3),
                                      key: qkv.splitHeads(heads, part: 1, of: 3),
                                      value: qkv.splitHeads(heads, part: 2, of: 3), causal: true)
    return projection(y.mergeHeads())                         // the heads side by side: [B, T, C]
  }
}

/// The Transformer's feed-forward layer: C → 4C → GELU → C, without biases.
public final class MLP: Layer {
  public let expand: Linear
  public let activation = GELU()
  public let project: Linear
  public var isTraining = true
  public var children: [any Module] { [expand, project] }

  public init(embedding: Int, projectionStd: Float = 0.02,
              using generator: inout RandomGenerator) {
    expand = Linear(inputs: embedding, outputs: 4 * embedding, bias: false,
                    initialization: .normal(std: gptInitialStd), using: &generator)
    project = Linear(inputs: 4 * embedding, outputs: embedding, bias: false,
                     initialization: .normal(std: projectionStd), using: &generator)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { project(activation(expand(x))) }
}

/// One Transformer block, pre-LayerNorm as in GPT-2: each sub-layer reads a normalised copy of
/// the residual stream and adds its output back to it.
///
///     x ← x + attention(ln₁(x))
///     x ← x + mlp(ln₂(x))
public final class TransformerBlock: Layer {
  public let norm1: LayerNorm
  public let attention: CausalSelfAttention
  public let norm2: LayerNorm
  public let mlp: MLP
  public var isTraining = true
  public var children: [any Module] { [norm1, attention, norm2, mlp] }

  public init(embedding: Int, heads: Int, projectionStd: Float = 0.02,
              using generator: inout RandomGenerator) {
    norm1 = LayerNorm(features: embedding)
    attention = CausalSelfAttention(embedding: embedding, heads: heads,
                                    projectionStd: projectionStd, using: &generator)
    norm2 = LayerNorm(features: embedding)
    mlp = MLP(embedding: embedding, projectionStd: projectionStd, using: &generator)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    let x = x + attention(norm1(x))
    return x + mlp(norm2(x))
  }
}

/// A GPT language model (nanoGPT's, without dropout): it reads [B, T] token indices and returns
/// [B, T, vocabularySize] logits, the scores of every possible next token at every position.
public final class GPT: Module {
  /// The sizes that define a GPT.
  public struct Configuration: Sendable, Equatable {
    /// How many different tokens there are (65 characters for Shakespeare).
    public var vocabularySize: Int
    /// The longest context the model reads: the number of learned positions.
    public var blockSize: Int
    /// How many Transformer blocks are stacked.
    public var layers: Int
    /// Attention heads per block; `embedding` must divide by it.
    public var heads: Int
    /// The width C of the residual stream.
    public var embedding: Int

    public init(vocabularySize: Int, blockSize: Int, layers: Int, heads: Int, embedding: Int) {
      (self.vocabularySize, self.blockSize, self.layers) = (vocabularySize, blockSize, layers)
      (self.heads, self.embedding) = (heads, embedding)
    }
  }

  public let configuration: Configuration
  /// W_te, [vocabularySize, C]: token embeddings, and (transposed) the output head.
  public let tokenEmbedding: Embedding
  /// W_pe, [blockSize, C]: one learned vector per position.
  public let positionEmbedding: Embedding
  public let blocks: [TransformerBlock]
  public let finalNorm: LayerNorm
  public var isTraining = true
  /// The head has no parameter of its own: it is the token embedding, listed once.
  public var children: [any Module] { [tokenEmbedding, positionEmbedding] + blocks + [finalNorm] }

  /// Creates the model with nanoGPT's initialisation, drawn from `generator`.
  public init(_ configuration: Configuration, using generator: inout RandomGenerator) {
    let c = configuration
    if c.vocabularySize < 1 || c.blockSize < 1 || c.layers < 1 || c.heads < 1
        || c.embedding < 1 || c.embedding % c.heads != 0 {
      fatalError("GPT(\(c)): all sizes must be positive and the embedding must divide into " +
                 "the heads")
    }
    self.configuration = c
    tokenEmbedding = Embedding(weight: .randomNormal([c.vocabularySize, c.embedding],
                                                     std: gptInitialStd, using: &generator,
                                                     requiresGrad: true))
    positionEmbedding = Embedding(weight: .randomNormal([c.blockSize, c.embedding],
                                                        std: gptInitialStd, using: &generator,
                                                        requiresGrad: true))
    let residualStd = gptInitialStd / (2 * Float(c.layers)).squareRoot()
    blocks = (0..<c.layers).map { _ in
      TransformerBlock(embedding: c.embedding, heads: c.heads, projectionStd: residualStd,
                       using: &generator)
    }
    finalNorm = LayerNorm(features: c.embedding)
  }

  /// The logits, [B, T, vocabularySize], of `tokens` given row-major as [B, T] (`shape`).
  public func callAsFunction(_ tokens: [Int], shape: [Int]) -> Tensor {
    guard shape.count == 2, shape[1] >= 1, shape[1] <= configuration.blockSize else {
      fatalError("GPT: tokens of shape \(shape) must be [batch, time] with 1 ≤ time ≤ " +
                 "blockSize \(configuration.blockSize)")
    }
    let positions = positionEmbedding(Array(0..<shape[1]), shape: [shape[1]])   // [T, C]
    var x = tokenEmbedding(tokens, shape: shape) + positions                     // [B, T, C]
    for block in blocks { x = block(x) }
    // The tied head: x · W_teᵀ, read through strides, no transposed copy.
    return batchedMatmul(finalNorm(x), tokenEmbedding.weight, transposeB: true)
  }

  /// The logits of a batch of equally long token sequences, [B, T, vocabularySize].
  public func callAsFunction(_ tokens: [[Int]]) -> Tensor {
    self(tokens.flatMap { $0 }, shape: [tokens.count, tokens.first?.count ?? 0])
  }

  /// The mean cross-entropy of predicting `targets` (each sequence shifted by one token) from
  /// `tokens`: what training makes smaller. Both are row-major [B, T] (`shape`).
  public func loss(_ tokens: [Int], targets: [Int], shape: [Int]) -> Tensor {
    if targets.count != tokens.count {
      fatalError("GPT.loss: \(tokens.count) tokens but \(targets.count) targets")
    }
    let logits = self(tokens, shape: shape)
    return crossEntropy(logits: logits.reshaped([-1, configuration.vocabularySize]), labels: targets)
  }

  /// `loss` for sequences given as rows.
  public func loss(_ tokens: [[Int]], targets: [[Int]]) -> Tensor {
    loss(tokens.flatMap { $0 }, targets: targets.flatMap { $0 },
         shape: [tokens.count, tokens.first?.count ?? 0])
  }
}
