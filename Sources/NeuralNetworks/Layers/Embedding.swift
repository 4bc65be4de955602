import Foundation
import Core

// snippet: embedding
/// A table of learned vectors, one row per token: index i ↦ row i of a [vocabularySize,
/// dimension] weight. Multiplying a one-hot vector by the table would give the same row, but
/// looking the row up (`gatherRows`) costs D copies instead of V·D multiply-adds. Its backward
/// pass adds each position's gradient into the row it came from, so a token used twice in a
/// batch collects both gradients.
///
/// Padding: with `paddingIndex` set (usually `Vocabulary.paddingIndex`, 0), that row starts
/// at zero and receives no gradient, so it stays zero and padding contributes nothing, as with
/// PyTorch's `padding_idx`. Without it (the default, as in PyTorch) the padding row is an
/// ordinary trainable row.
public final class Embedding: Module {
  /// The table, [vocabularySize, dimension].
  public let weight: Tensor
  /// The index whose row is kept at zero, or nil.
  public let paddingIndex: Int?
  public var isTraining = true
  public var parameters: [Tensor] { [weight] }

  /// Creates the table with entries drawn from N(0, 1), PyTorch's choice: the next layer (an
  /// LSTM's input projection, scaled by 1/√H) brings them to a moderate size.
  public init(vocabularySize: Int, dimension: Int, paddingIndex: Int? = nil,
              using generator: inout RandomGenerator) {
    if vocabularySize < 1 || dimension < 1 {
      fatalError("Embedding(vocabularySize: \(vocabularySize), dimension: \(dimension)): " +
                 "both must be at least 1")
    }
    if let paddingIndex, paddingIndex < 0 || paddingIndex >= vocabularySize {
      fatalError("Embedding(paddingIndex: \(paddingIndex)): outside 0..<\(vocabularySize)")
    }
    weight = Tensor.randomNormal([vocabularySize, dimension], using: &generator, requiresGrad: true)
    if let paddingIndex {
      weight.update { table in
        for i in 0..<dimension { table[paddingIndex * dimension + i] = 0 }
      }
    }
    self.paddingIndex = paddingIndex
  }

  /// Creates the layer around a given [vocabularySize, dimension] table (pretrained vectors, or
  /// a table chosen for a test); it is used as it is, padding row included.
  public init(weight: Tensor, paddingIndex: Int? = nil) {
    if weight.rank != 2 || weight.shape[0] < 1 || weight.shape[1] < 1 {
      fatalError("Embedding(weight:): the table of shape \(weight.shape) must be " +
                 "[vocabularySize, dimension]")
    }
    if let paddingIndex, paddingIndex < 0 || paddingIndex >= weight.shape[0] {
      fatalError("Embedding(paddingIndex: \(paddingIndex)): outside 0..<\(weight.shape[0])")
    }
    self.weight = weight
    self.paddingIndex = paddingIndex
  }

  public var vocabularySize: Int { weight.shape[0] }
  public var dimension: Int { weight.shape[1] }

  /// Looks up `indices` (flat, row-major) and returns a tensor of `shape + [dimension]`:
  /// `embedding(batch.flatIndices, shape: [N, T])` is [N, T, D].
  public func callAsFunction(_ indices: [Int], shape: [Int]) -> Tensor {
    if shape.product != indices.count {
      fatalError("Embedding: \(indices.count) indices do not fill the shape \(shape)")
    }
    for (position, index) in indices.enumerated() where index < 0 || index >= vocabularySize {
      fatalError("Embedding: index \(index) at position \(position) is outside " +
                 "0..<\(vocabularySize); was the vocabulary larger than the table?")
    }
    let rows = weight.gatherRows(indices)
    guard let paddingIndex else { return rows.reshaped(shape + [dimension]) }
    return withoutPaddingGradient(rows, indices: indices, paddingIndex: paddingIndex)
      .reshaped(shape + [dimension])
  }

  /// Looks up an [N, T] array of indices (all rows of one length) and returns [N, T, D].
  public func callAsFunction(_ indices: [[Int]]) -> Tensor {
    let length = indices.first?.count ?? 0
    for (row, sequence) in indices.enumerated() where sequence.count != length {
      fatalError("Embedding: row \(row) has \(sequence.count) indices but row 0 has \(length); " +
                 "pad them to one length first (PaddedSequences, in DataLoading)")
    }
    return self(indices.flatMap { $0 }, shape: [indices.count, length])
  }

  /// The looked-up rows unchanged, but with the gradient of every position holding
  /// `paddingIndex` set to zero on the way back, so that the padding row never moves.
  private func withoutPaddingGradient(_ rows: Tensor, indices: [Int], paddingIndex: Int) -> Tensor {
    let width = dimension
    return .record(rows, operation: "embeddingPaddingMask", inputs: [rows]) { grad in
      var masked = grad.data
      for (position, index) in indices.enumerated() where index == paddingIndex {
        for i in 0..<width { masked[position * width + i] = 0 }
      }
      return [Tensor(shape: grad.shape, data: masked)]
    }
  }
}
// end snippet
