import DeepLearning
import Foundation

// Chapter 8's bag-of-words baseline, unchanged (a copy of Chapters/08-TextAsNumbers/BagOfWords.swift:
// each chapter is a program of its own), trained here so that the LSTM is compared with it on the
// same split.

/// Logistic regression on a bag of words: logits = x·W + b with x the word counts, computed as the
/// sum of the rows of W of the text's tokens.
final class BagOfWordsClassifier: Module {
  let wordWeights: Embedding
  let bias: Tensor
  var isTraining = true
  var parameters: [Tensor] { [wordWeights.weight, bias] }

  init(vocabularySize: Int, classes: Int) {
    wordWeights = Embedding(weight: .zeros([vocabularySize, classes], requiresGrad: true),
                            paddingIndex: Vocabulary.paddingIndex)
    bias = .zeros([classes], requiresGrad: true)
  }

  func callAsFunction(_ batch: PaddedSequences) -> Tensor {
    wordWeights(batch).sum(axis: 1) + bias
  }
}

/// Every text as token indices, padded to the longest of them (a bag of words has no length limit).
func encodeWhole(_ texts: [String], vocabulary: Vocabulary, tokenizer: Tokenizer) -> PaddedSequences {
  let sequences = texts.map { vocabulary.encode(tokenizer.tokens($0)) }
  return PaddedSequences(sequences, length: Swift.max(1, sequences.map(\.count).max() ?? 1))
}

/// Trains chapter 8's baseline as chapter 8 does (Adam 0.001, batches of 32, at most 30 epochs,
/// early stopping after 3 without a lower validation loss) and returns its test predictions.
func trainBagOfWords(training: TextDataset, validation: TextDataset, test: TextDataset,
                     vocabulary: Vocabulary, tokenizer: Tokenizer, seed: Int) throws
  -> (model: BagOfWordsClassifier, predictions: [Int], seconds: Double) {
  let model = BagOfWordsClassifier(vocabularySize: vocabulary.count, classes: training.labelNames.count)
  func data(_ texts: TextDataset) -> ClassificationData {
    let sequences = encodeWhole(texts.texts, vocabulary: vocabulary, tokenizer: tokenizer)
    return ClassificationData(labels: texts.labels) { rows in model(sequences[rows].trimmedToLongest()) }
  }
  let history = try train(
    model, on: data(training), validation: data(validation),
    optimizer: Adam(model.parameters, learningRate: 0.001),
    settings: TrainingSettings(epochs: 30, batchSize: 32, seed: seed, patience: 3, showsProgress: false))
  return (model, evaluate(data(test)).predictions, history.seconds)
}
