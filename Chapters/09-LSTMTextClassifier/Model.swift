import DeepLearning
import Foundation

// snippet: lstm-classifier
/// The outline's model with its two mistakes corrected: Embedding(V, 100) → LSTM(100 → 200) →
/// Linear(200 → classes). The LSTM reads batch-first [N, T, 100] input, and the linear layer
/// reads one vector per text, the hidden state after the text's last real token, so that there
/// is one prediction per label.
final class LSTMClassifier: Module {
  let embedding: Embedding
  let lstm: LSTM
  let dropout: Dropout
  let classifier: Linear
  var isTraining = true
  var children: [any Module] { [embedding, lstm, dropout, classifier] }

  init(vocabularySize: Int, embeddingDimension: Int = 100, hiddenSize: Int = 200, classes: Int,
       dropout rate: Float = 0, using generator: inout RandomGenerator) {
    embedding = Embedding(vocabularySize: vocabularySize, dimension: embeddingDimension,
                          paddingIndex: Vocabulary.paddingIndex, using: &generator)
    lstm = LSTM(inputSize: embeddingDimension, hiddenSize: hiddenSize, using: &generator)
    dropout = Dropout(rate: rate, seed: Int(generator.next() >> 1))
    classifier = Linear(inputs: hiddenSize, outputs: classes, initialization: .xavier,
                        using: &generator)
  }

  /// [N, T] token indices with their real lengths → [N, classes] logits.
  func callAsFunction(_ batch: PaddedSequences) -> Tensor {
    let embedded = embedding(batch)                              // [N, T, 100]
    let summary = lstm(embedded, lengths: batch.lengths).hidden  // [N, 200]: h after the last real token
    return classifier(dropout(summary))                          // [N, classes]
  }
}
// end snippet

// snippet: bucketed-batches
/// The mini-batches of one epoch, each made of texts of similar length, so that trimming a batch
/// to its longest text leaves little padding. The texts are shuffled, cut into pools of
/// `poolBatches` batches, each pool is sorted by length and cut into batches, and the batches are
/// shuffled: every epoch still mixes the texts differently, but a batch of 3-token texts no longer
/// waits for a 40-token text.
func bucketedBatches(lengths: [Int], batchSize: Int, poolBatches: Int = 8,
                     using generator: inout RandomGenerator) -> [[Int]] {
  let shuffled = generator.permutation(lengths.count)
  var batches: [[Int]] = []
  for start in stride(from: 0, to: shuffled.count, by: batchSize * poolBatches) {
    let pool = shuffled[start..<min(start + batchSize * poolBatches, shuffled.count)]
      .sorted { (lengths[$0], $0) < (lengths[$1], $1) }
    for first in stride(from: 0, to: pool.count, by: batchSize) {
      batches.append(Array(pool[first..<min(first + batchSize, pool.count)]))
    }
  }
  generator.shuffle(&batches)
  return batches
}
// end snippet
