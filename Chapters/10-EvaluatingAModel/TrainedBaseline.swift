import DeepLearning
import Foundation

/// What a run costs on a 2-core machine: two bag-of-words trainings (the balanced data set and
/// sms-spam), whose early stopping usually ends them by about epoch 12 however many are allowed.
func estimatedCost(epochs: Int) -> RunCost {
  RunCost(seconds: 0.15 + 0.08 * Double(min(epochs, 12)))
}

// Chapter 8's bag-of-words baseline (the engine's `BagOfWordsClassifier`), trained as chapter 8
// trains it (`trainBagOfWords`). It trains in about a second, so this chapter trains the models it evaluates instead
// of depending on another chapter's output.

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
    let (model, history) = try trainBagOfWords(
      training: training, validation: validation, vocabulary: vocabulary, tokenizer: tokenizer,
      epochs: epochs, seed: Int(seed))
    self.model = model
    bestEpoch = history.bestEpoch
    seconds = history.seconds
  }

  /// The model's probability of class 1 for each text: the score a threshold is applied to.
  func scores(_ texts: TextDataset) -> [Float] {
    let sequences = vocabulary.encodeWhole(texts.texts, tokenizer: tokenizer)
    return withoutGradients {
      stride(from: 0, to: texts.count, by: 256).flatMap { start -> [Float] in
        let rows = Array(start..<min(start + 256, texts.count))
        let probabilities = softmax(model(sequences[rows].trimmedToLongest())).data
        return rows.indices.map { probabilities[$0 * classNames.count + 1] }
      }
    }
  }
}
