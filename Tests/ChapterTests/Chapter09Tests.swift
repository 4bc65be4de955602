// Chapter 9 · An LSTM text classifier: the model reads only real tokens, the bucketed batches,
// the exercises (last real step, mean pooling), a short training run whose loss falls, and a quick
// run of the chapter program. `swift test --filter Chapter09`.

import Foundation
import Testing

@testable import Chapter09
@testable import DeepLearning
import TestSupport

@Suite("Chapter 9: an LSTM text classifier", .serialized)
struct Chapter09Tests {
  /// A small classifier (H = 6, D = 5) for fast tests.
  static func smallModel(seed: UInt64 = 1, vocabularySize: Int = 30) -> LSTMClassifier {
    var generator = RandomGenerator(seed: seed)
    return LSTMClassifier(vocabularySize: vocabularySize, embeddingDimension: 5, hiddenSize: 6, classes: 2,
                          using: &generator)
  }

  // MARK: The model

  @Test("one prediction per text, and padding after the text changes nothing")
  func paddingDoesNotChangeThePrediction() {
    let model = Self.smallModel()
    let texts = [[4, 9, 2, 17], [5], [8, 8, 3]]
    let tight = model(PaddedSequences(texts, length: 4))
    let loose = model(PaddedSequences(texts, length: 12))
    #expect(tight.shape == [3, 2])
    let gap = zip(tight.data, loose.data).map { abs($0 - $1) }.max() ?? 1
    #expect(gap < 1e-6, "logits moved by \(gap) when padding was added")
  }

  @Test("bucketed batches hold every text once, are no larger than asked, and need less padding")
  func bucketedBatchesCoverEveryText() {
    var lengthGenerator = RandomGenerator(seed: 5)
    let lengths = (0..<1000).map { _ in 1 + lengthGenerator.nextInt(below: 60) }
    var generator = RandomGenerator(seed: 9)
    let batches = bucketedBatches(lengths: lengths, batchSize: 32, using: &generator)
    #expect(batches.flatMap { $0 }.sorted() == Array(0..<1000))
    #expect(batches.allSatisfy { $0.count <= 32 && !$0.isEmpty })
    func padded(_ batches: [[Int]]) -> Int {
      batches.reduce(0) { $0 + $1.count * ($1.map { lengths[$0] }.max() ?? 0) }
    }
    let shuffled = Array(MiniBatches(indices: Array(0..<1000), batchSize: 32, seed: 9))
    #expect(Double(padded(batches)) < 0.7 * Double(padded(shuffled)), "\(padded(batches)) vs \(padded(shuffled))")
    var again = RandomGenerator(seed: 9)
    #expect(bucketedBatches(lengths: lengths, batchSize: 32, using: &again) == batches)
  }

  @Test("a short seeded training run on 256 movie sentences, as the chapter trains, lowers the loss and repeats exactly")
  func trainingLowersTheLoss() throws {
    let all = try Datasets.textClassification("movie-sentiment", .train)
    let texts = all.subset(Array(0..<256)), held = all.subset(Array(256..<320))
    /// The chapter's recipe (clipped gradients, the best validation accuracy kept) with bucketed
    /// or shuffled batches; also how many LSTM steps training computed.
    func run(bucketed: Bool) throws -> (history: TrainingHistory, computedSteps: Int) {
      let vocabulary = Vocabulary(trainingTexts: texts.texts, maxSize: 1500)
      let model = Self.smallModel(seed: 3, vocabularySize: vocabulary.count)
      let sequences = vocabulary.encode(texts.texts, length: 64)
      var computedSteps = 0
      let training = ClassificationData(sequences: sequences, labels: texts.labels) { batch in
        computedSteps += batch.count * batch.length
        return model(batch)
      }
      let validation = lengthSortedData(vocabulary.encode(held.texts, length: 64), labels: held.labels) { model($0) }
      var settings = TrainingSettings(epochs: 6, batchSize: 32, seed: 4, keepsBest: .highestValidationAccuracy,
                                      maxGradientNorm: 5)
      if bucketed {
        let lengths = sequences.lengths
        settings.batchOrder = { bucketedBatches(lengths: lengths, batchSize: 32, using: &$0) }
      }
      let history = try train(model, on: training, validation: validation.data,
                              optimizer: Adam(model.parameters, learningRate: 0.01), settings: settings)
      return (history, computedSteps)
    }
    let (history, bucketedSteps) = try run(bucketed: true)
    let losses = history.epochs.map(\.trainLoss)
    #expect(losses.last! < 0.8 * losses.first!, "training losses \(losses)")
    #expect(history.gradientNorms.count == 6 * 8)
    let accuracies = history.epochs.map { $0.validationAccuracy! }
    #expect(history.bestEpoch == 1 + accuracies.firstIndex(of: accuracies.max()!)!, "\(accuracies)")
    let (again, _) = try run(bucketed: true)
    #expect(again.epochs.map(\.trainLoss) == losses, "the same seed must give the same losses")
    let (_, shuffledSteps) = try run(bucketed: false)
    #expect(Double(bucketedSteps) < 0.8 * Double(shuffledSteps), "bucketed \(bucketedSteps), shuffled \(shuffledSteps)")
  }

  // MARK: Exercises

  @Test("exercise: the last real step of the outputs is the LSTM's final hidden state", arguments: [1, 3, 7])
  func exerciseLastRealStep(steps: Int) {
    var generator = RandomGenerator(seed: UInt64(steps))
    let lstm = LSTM(inputSize: 3, hiddenSize: 4, using: &generator)
    let input = Tensor.randomNormal([5, steps, 3], using: &generator)
    let lengths = (0..<5).map { ($0 * 3) % (steps + 1) }  // includes 0 and full-length rows
    let output = lstm(input, lengths: lengths)
    let yours = lastRealStep(output.outputs, lengths: lengths)
    #expect(yours.shape == [5, 4])
    let gap = zip(yours.data, output.hidden.data).map { abs($0 - $1) }.max() ?? 1
    #expect(gap < 1e-6, "lengths \(lengths): largest difference \(gap)")
  }

  @Test("exercise: mean pooling averages the real steps only, and lets gradients through")
  func exerciseMeanOverRealSteps() {
    // Two sequences of 3 steps, H = 2; the second has 2 real steps (its third output is zero).
    let outputs = Tensor(shape: [2, 3, 2], data: [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 0, 0], requiresGrad: true)
    let pooled = meanOverRealSteps(outputs, lengths: [3, 2])
    #expect(pooled.shape == [2, 2])
    #expect(pooled.data == [3, 4, 20, 30])
    pooled.sum().backward()
    let third: Float = 1 / 3
    #expect(outputs.grad?.data == [third, third, third, third, third, third, 0.5, 0.5, 0.5, 0.5, 0, 0])
    #expect(meanOverRealSteps(Tensor.ones([1, 4, 3]), lengths: [0]).data == [0, 0, 0])
  }

  // MARK: The program

  @Test("a quick run prints every section, both accuracies and the figures")
  func chapterRuns() throws {
    let run = try ChapterRunner.run("Chapter09", ["--subset", "300", "--epochs", "2"])
    try ChapterRunner.expectCompleteRun(
      run, folder: "09-LSTMTextClassifier", figures: ["09-lengths.svg", "09-loss.svg", "09-accuracy.svg"])
    #expect(run.line(startingWith: "fc(lstm_out)", in: "9.1 The model, and where the outline's code goes wrong")?
      .contains("[32, ") == true)
    let accuracy = run.numbers(inLineStartingWith: "LSTM: test accuracy").first ?? -1
    #expect((40...100).contains(accuracy), "\(run.output)")
    #expect(run.line(startingWith: "bag-of-words logistic regression", in: "9.5 Test accuracy against the baseline") != nil)
    let bad = try ChapterRunner.run("Chapter09", ["--batching", "sorted"])
    #expect(bad.status == 2 && bad.errors.contains("--batching expects one of bucketed, shuffled"), "\(bad.errors)")
  }

  @Test("training texts with a header only, or test texts without one of the labels, are refused before training")
  func incompleteData() throws {
    let datasets = try ChapterRunner.copyOfDatasets(["sms-spam"])
    defer { ChapterRunner.removeCopyOfDatasets(datasets) }
    let train = datasets.appendingPathComponent("sms-spam/train.tsv")
    let original = try String(contentsOf: train, encoding: .utf8)
    try "label\ttext\n".write(to: train, atomically: true, encoding: .utf8)
    let empty = try ChapterRunner.run("Chapter09", ["--subset", "300", "--epochs", "1"],
                                      environment: ["COURSE_DATASETS": datasets.path])
    ChapterRunner.expectDataError(empty, ["sms-spam/train.tsv:2: expected at least one text after the header line, found none"])

    try original.write(to: train, atomically: true, encoding: .utf8)
    try "label\ttext\nham\tsee you\nham\tok\n".write(
      to: datasets.appendingPathComponent("sms-spam/test.tsv"), atomically: true, encoding: .utf8)
    let oneLabel = try ChapterRunner.run("Chapter09", ["--subset", "300", "--epochs", "1"],
                                         environment: ["COURSE_DATASETS": datasets.path])
    ChapterRunner.expectDataError(oneLabel, [
      "sms-spam/test.tsv: expected texts of every class, found 0 of class \"spam\" among 2 texts",
    ])
  }

  @Test("every numeric option runs, warns or is refused at both ends of its range, and never crashes")
  func optionRanges() throws {
    try OptionWalk.expectCleanEnds("Chapter09")
  }
}
