import DeepLearning
import Foundation

/// How the training texts are grouped into mini-batches.
enum Batching: String {
  /// Texts of similar length together (`bucketedBatches`).
  case bucketed
  /// Any texts together, as `MiniBatches` draws them (the training loop's default).
  case shuffled
}

/// Labelled sequences for `evaluate`, visited from the shortest text to the longest so that each
/// evaluation batch, trimmed to its longest text, carries little padding. `order[k]` is the text
/// at position k, to map the predictions back.
func lengthSortedData(_ sequences: PaddedSequences, labels: [Int],
                      logits: @escaping (PaddedSequences) -> Tensor) -> (data: ClassificationData, order: [Int]) {
  let order = (0..<sequences.count).sorted { (sequences.lengths[$0], $0) < (sequences.lengths[$1], $1) }
  let data = ClassificationData(sequences: sequences[order], labels: order.map { labels[$0] }, logits: logits)
  return (data, order)
}
