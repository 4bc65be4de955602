import Core
import NeuralNetworks
import DataLoading

// Where text data meets the models: padded batches of token indices (DataLoading) fed to an
// `Embedding` and to the training loop (NeuralNetworks), which know nothing of each other.

extension Embedding {
  /// Looks up a padded batch: [N, T, D].
  public func callAsFunction(_ batch: PaddedSequences) -> Tensor {
    self(batch.flatIndices, shape: [batch.count, batch.length])
  }
}

extension ClassificationData {
  /// Labelled token sequences for `train` and `evaluate`: `logits` runs the model on any subset
  /// of the rows, trimmed to the longest text among them (`trimmedToLongest`).
  public init(sequences: PaddedSequences, labels: [Int],
              logits: @escaping (PaddedSequences) -> Tensor) {
    if sequences.count != labels.count {
      fatalError("ClassificationData: \(sequences.count) sequences but \(labels.count) labels")
    }
    self.init(labels: labels) { rows in logits(sequences[rows].trimmedToLongest()) }
  }
}
