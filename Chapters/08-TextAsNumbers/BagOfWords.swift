import DeepLearning
import Foundation

// The baseline every text classifier has to beat: logistic regression on word counts.

// snippet: bag-of-words-model
/// Logistic regression on a bag of words: logits = x·W + b, where x counts how often each of the
/// V vocabulary words occurs in the text and W is [V, classes]. A one-hot vector times W is one
/// row of W, so x·W is the sum of the rows of W of the text's tokens: the model is an
/// `Embedding` with one number per class, summed over the text, and never builds the
/// V-wide vector x.
final class BagOfWordsClassifier: Module {
  /// W: one row of class scores per word. The <pad> row stays zero, so padding adds nothing.
  let wordWeights: Embedding
  /// b: [classes].
  let bias: Tensor
  var isTraining = true
  var parameters: [Tensor] { [wordWeights.weight, bias] }

  /// Starts from W = 0 and b = 0: a linear model needs no random start (chapter 3).
  init(vocabularySize: Int, classes: Int) {
    wordWeights = Embedding(weight: .zeros([vocabularySize, classes], requiresGrad: true),
                            paddingIndex: Vocabulary.paddingIndex)
    bias = .zeros([classes], requiresGrad: true)
  }

  /// [N, T] token indices → [N, classes] logits.
  func callAsFunction(_ batch: PaddedSequences) -> Tensor {
    wordWeights(batch).sum(axis: 1) + bias  // [N, T, classes] summed over T
  }
}
// end snippet

extension PaddedSequences {
  /// The same rows cut to the longest real length among them: every step after it is padding in
  /// every row, and computing on it would only add zeros.
  func trimmedToLongest() -> PaddedSequences {
    let longest = Swift.max(1, lengths.max() ?? 1)
    if longest == length { return self }
    return PaddedSequences(zip(indices, lengths).map { Array($0.prefix($1)) }, length: longest)
  }
}

/// Every text as token indices, padded to the longest of them: nothing is cut, because a bag of
/// words has no length limit.
func encodeWhole(_ texts: [String], vocabulary: Vocabulary, tokenizer: Tokenizer) -> PaddedSequences {
  let sequences = texts.map { vocabulary.encode(tokenizer.tokens($0)) }
  return PaddedSequences(sequences, length: Swift.max(1, sequences.map(\.count).max() ?? 1))
}

/// Labelled sequences for the training loop: the closure runs `model` on any subset of rows,
/// trimmed to the longest text among them.
func classificationData(_ sequences: PaddedSequences, labels: [Int],
                        model: @escaping (PaddedSequences) -> Tensor) -> ClassificationData {
  ClassificationData(labels: labels) { rows in model(sequences[rows].trimmedToLongest()) }
}
