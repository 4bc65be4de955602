import Foundation
import Core
import NeuralNetworks
import CourseSupport
import DataLoading
import Plotting

// The baseline every text classifier has to beat: logistic regression on word counts. Chapter 8
// builds and trains it, chapter 9 sets the LSTM beside it, and chapter 10 evaluates it.

// snippet: bag-of-words-model
/// Logistic regression on a bag of words: logits = x·W + b, where x counts how often each of the
/// V vocabulary words occurs in the text and W is [V, classes]. A one-hot vector times W is one
/// row of W, so x·W is the sum of the rows of W of the text's tokens: the model is an
/// `Embedding` with one number per class, summed over the text, and never builds the
/// V-wide vector x.
public final class BagOfWordsClassifier: Module {
  /// W: one row of class scores per word. The <pad> row stays zero, so padding adds nothing.
  public let wordWeights: Embedding
  /// b: [classes].
  public let bias: Tensor
  public var isTraining = true
  public var parameters: [Tensor] { [wordWeights.weight, bias] }

  /// Starts from W = 0 and b = 0: a linear model needs no random start (chapter 3).
  public init(vocabularySize: Int, classes: Int) {
    wordWeights = Embedding(weight: .zeros([vocabularySize, classes], requiresGrad: true),
                            paddingIndex: Vocabulary.paddingIndex)
    bias = .zeros([classes], requiresGrad: true)
  }

  /// [N, T] token indices → [N, classes] logits.
  public func callAsFunction(_ batch: PaddedSequences) -> Tensor {
    wordWeights(batch).sum(axis: 1) + bias  // [N, T, classes] summed over T
  }
}
// end snippet

extension Vocabulary {
  /// Tokenizes and encodes every text whole, padded to the longest of them: nothing is cut,
  /// because a bag of words has no length limit. (Train on it with
  /// `ClassificationData(sequences:labels:logits:)`, which trims each batch to its longest text.)
  public func encodeWhole(_ texts: [String], tokenizer: Tokenizer = Tokenizer()) -> PaddedSequences {
    let sequences = texts.map { encode(tokenizer.tokens($0)) }
    return PaddedSequences(sequences, length: Swift.max(1, sequences.map(\.count).max() ?? 1))
  }
}

// snippet: train-bag-of-words-recipe
/// A bag-of-words model over `vocabulary`, trained as the baseline of chapters 8 to 10: on every
/// text whole, with Adam (learning rate 0.001), mini-batches of 32 and early stopping after 3
/// epochs without a lower validation loss, keeping the weights of the best epoch.
public func trainBagOfWords(training: TextDataset, validation: TextDataset, vocabulary: Vocabulary,
                            tokenizer: Tokenizer = Tokenizer(), epochs: Int = 30, seed: Int,
                            showsProgress: Bool = false) throws
  -> (model: BagOfWordsClassifier, history: TrainingHistory) {
  let model = BagOfWordsClassifier(vocabularySize: vocabulary.count, classes: training.labelNames.count)
  func data(_ texts: TextDataset) -> ClassificationData {
    ClassificationData(sequences: vocabulary.encodeWhole(texts.texts, tokenizer: tokenizer),
                       labels: texts.labels) { model($0) }
  }
  let history = try train(
    model, on: data(training), validation: data(validation),
    optimizer: Adam(model.parameters, learningRate: 0.001),
    settings: TrainingSettings(epochs: epochs, batchSize: 32, seed: seed, patience: 3),
    observer: showsProgress ? ProgressLineObserver() : nil)
  return (model, history)
}
// end snippet
