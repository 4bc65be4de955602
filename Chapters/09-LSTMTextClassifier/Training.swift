import DeepLearning
import Foundation

/// What a run costs on a 2-core machine: the cell timings of 9.2, the step timings of 9.3 (up to the
/// longest text, or `length` if that is shorter), then `epochs` passes over the training texts,
/// each text costing in proportion to its tokens, at most `length` (bucketed batches trim the
/// padding), and the data set's other passes (vocabulary, validation, test, chapter 8's
/// baseline). The memory is mostly the padded sequences, `length` indices per text.
func estimatedCost(data: String, epochs: Int, length: Int, subset: Int?) -> RunCost {
  // Texts in the data set, training texts (90% of train.tsv), mean and longest length in tokens.
  let (texts, training, meanTokens, longest): (Double, Double, Double, Int) =
    data == "sms-spam" ? (4534, 3264, 18, 222) : data == "movie-sentiment" ? (10_070, 7250, 21, 64) : (10_000, 7200, 48, 150)
  let trained = min(Double(subset ?? .max), training)
  let tokens = min(meanTokens, Double(length))
  let seconds = 0.81 + 0.0051 * Double(min(length, longest)) + 0.000059 * Double(epochs) * trained * tokens
    + 0.0000034 * texts * tokens
  return RunCost(seconds: seconds, bytes: 1e8 + texts * Double(length) * 9)
}

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
