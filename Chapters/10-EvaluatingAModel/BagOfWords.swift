import DeepLearning
import Foundation

// Chapter 8's bag-of-words baseline, unchanged (a copy of Chapters/08-TextAsNumbers/BagOfWords.swift:
// each chapter is a program of its own). It trains in about a second, so this chapter trains the
// models it evaluates instead of depending on another chapter's output.

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

extension PaddedSequences {
  /// The same rows cut to the longest real length among them; the real lengths are kept.
  func trimmedToLongest() -> PaddedSequences {
    let longest = Swift.max(1, lengths.max() ?? 1)
    if longest == length { return self }
    return PaddedSequences(zip(indices, lengths).map { Array($0.prefix($1)) }, length: longest)
  }
}

/// A data set's texts split as in chapters 8 and 9, with a bag-of-words model trained on them.
struct TrainedBaseline {
  let name: String
  let classNames: [String]
  let training: TextDataset, validation: TextDataset, test: TextDataset
  let model: BagOfWordsClassifier
  let vocabulary: Vocabulary
  let tokenizer: Tokenizer
  let bestEpoch: Int
  let seconds: Double

  /// Loads `name`, splits off 10% of the training texts for validation (seeded, stratified), builds
  /// the vocabulary from the rest and trains chapter 8's model as chapter 8 does.
  init(_ name: String, seed: UInt64, epochs: Int) throws {
    let all = try Datasets.textClassification(name, .train)
    let split = StratifiedSplit(labels: all.labels, validation: 0.1, seed: seed)
    self.name = name
    classNames = all.labelNames
    training = all.subset(split.train)
    validation = all.subset(split.validation)
    test = try Datasets.textClassification(name, .test)
    tokenizer = Tokenizer()
    vocabulary = Vocabulary(trainingTexts: training.texts, tokenizer: tokenizer, maxSize: 10_000)
    let model = BagOfWordsClassifier(vocabularySize: vocabulary.count, classes: all.labelNames.count)
    let (vocabulary, tokenizer) = (vocabulary, tokenizer)
    func data(_ texts: TextDataset) -> ClassificationData {
      let sequences = encodeWhole(texts.texts, vocabulary: vocabulary, tokenizer: tokenizer)
      return ClassificationData(labels: texts.labels) { rows in model(sequences[rows].trimmedToLongest()) }
    }
    let history = try train(
      model, on: data(training), validation: data(validation),
      optimizer: Adam(model.parameters, learningRate: 0.001),
      settings: TrainingSettings(epochs: epochs, batchSize: 32, seed: Int(seed), patience: 3, showsProgress: false))
    self.model = model
    bestEpoch = history.bestEpoch
    seconds = history.seconds
  }

  /// The model's probability of class 1 for each text: the score a threshold is applied to.
  func scores(_ texts: TextDataset) -> [Float] {
    let sequences = encodeWhole(texts.texts, vocabulary: vocabulary, tokenizer: tokenizer)
    return withoutGradients {
      stride(from: 0, to: texts.count, by: 256).flatMap { start -> [Float] in
        let rows = Array(start..<min(start + 256, texts.count))
        let probabilities = softmax(model(sequences[rows].trimmedToLongest())).data
        return rows.indices.map { probabilities[$0 * classNames.count + 1] }
      }
    }
  }
}

/// Every text as token indices, padded to the longest of them (a bag of words has no length limit).
func encodeWhole(_ texts: [String], vocabulary: Vocabulary, tokenizer: Tokenizer) -> PaddedSequences {
  let sequences = texts.map { vocabulary.encode(tokenizer.tokens($0)) }
  return PaddedSequences(sequences, length: Swift.max(1, sequences.map(\.count).max() ?? 1))
}
