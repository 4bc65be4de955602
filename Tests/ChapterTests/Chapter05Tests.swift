// Chapter 5 · The multilayer perceptron: the chapter's network learns real digits, its data check
// finds what it claims to, the exercises, and the chapter program. `swift test --filter Chapter05`.

import Foundation
import Testing

@testable import Chapter05
@testable import DeepLearning
import TestSupport

@Suite("Chapter05 · The multilayer perceptron", .serialized)
struct Chapter05Tests {
  // MARK: The network

  @Test("the book's network: Linear-ReLU-Linear-ReLU-Linear, 784-256-128-10, 235,146 parameters, fixed by its seed")
  func networkOfTheBook() {
    let model = multilayerPerceptron(inputs: 784, hidden: [256, 128], classes: 10, seed: 42)
    let kinds = model.layers.map { String(describing: type(of: $0)) }
    #expect(kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"])
    let shapes = model.layers.compactMap { ($0 as? Linear)?.weight.shape }
    #expect(shapes == [[784, 256], [256, 128], [128, 10]])
    #expect(model.parameterCount == 235_146)
    #expect(model(Tensor.zeros([3, 784])).shape == [3, 10])

    // He initialisation: weights of standard deviation √(2 / fan-in), biases zero.
    let first = model.layers[0] as! Linear
    let std = (first.weight.data.reduce(0) { $0 + $1 * $1 } / Float(first.weight.count)).squareRoot()
    #expect(Swift.abs(std - (2 / Float(784)).squareRoot()) < 0.002, "std \(std)")
    #expect(first.bias!.data.allSatisfy { $0 == 0 })

    let again = multilayerPerceptron(inputs: 784, hidden: [256, 128], classes: 10, seed: 42)
    let other = multilayerPerceptron(inputs: 784, hidden: [256, 128], classes: 10, seed: 43)
    #expect(again.parameters.map(\.data) == model.parameters.map(\.data))
    #expect(other.parameters[0].data != model.parameters[0].data)
  }

  /// The chapter's recipe, small: UCI digits ÷ 16, a seeded stratified split, a 64-64-10 network
  /// from `multilayerPerceptron`, Adam 0.01, 5 epochs of batches of 32; then the test images once.
  func trainDigits(seed: UInt64) throws -> (history: TrainingHistory, test: Evaluation) {
    let train = try Datasets.uciDigits(.train), test = try Datasets.uciDigits(.test)
    let split = StratifiedSplit(labels: train.labels, validation: 0.1, seed: seed)
    let x = train.inputs(.flat)
    let model = multilayerPerceptron(inputs: 64, hidden: [64], classes: 10, seed: seed)
    let history = try DeepLearning.train(
      model,
      on: ClassificationData(inputs: x.rows(at: split.train), labels: split.train.map { train.labels[$0] },
                             model: model),
      validation: ClassificationData(inputs: x.rows(at: split.validation),
                                     labels: split.validation.map { train.labels[$0] }, model: model),
      optimizer: Adam(model.parameters, learningRate: 0.01),
      settings: TrainingSettings(epochs: 5, batchSize: 32, seed: Int(seed)))
    model.eval()
    return (history, evaluate(ClassificationData(inputs: test.inputs(.flat), labels: test.labels, model: model)))
  }

  @Test("a small MLP learns the UCI digits in 5 epochs: far above the 10% of guessing, reproducibly")
  func learnsDigits() throws {
    let (history, test) = try trainDigits(seed: 42)
    // Measured: 96.1% on the 359 test images (95.8–97.5% for seeds 42, 1, 2); a broken layer,
    // gradient or optimiser step lands far below.
    #expect(test.accuracy >= 0.93, "test accuracy \(test.accuracy)")
    #expect(history.last!.validationAccuracy! >= 0.93, "validation accuracy \(history.last!.validationAccuracy!)")
    #expect(history.last!.trainLoss < history.epochs[0].trainLoss * 0.5,
            "training loss \(history.epochs.map(\.trainLoss))")
    let (again, testAgain) = try trainDigits(seed: 42)
    #expect(again.epochs.map(\.trainLoss) == history.epochs.map(\.trainLoss))
    #expect(testAgain.predictions == test.predictions)
  }

  // MARK: The data check

  @Test("checkImages finds blank images, exact duplicates and pixels that never change")
  func imageCheck() {
    // Five 2×2 images: image 1 is blank, image 3 repeats image 0, the top-left pixel is always 0.
    let pixels: [[Float]] = [[0, 5, 9, 1], [0, 0, 0, 0], [0, 7, 2, 3], [0, 5, 9, 1], [0, 255, 4, 4]]
    let data = ImageDataset(name: "tiny", images: Tensor(shape: [5, 2, 2], data: pixels.flatMap { $0 }),
                            labels: [0, 1, 0, 0, 1], classNames: ["a", "b"], maxPixelValue: 255)
    let check = checkImages(data)
    #expect(check.blankImages == [1])
    #expect(check.duplicates == [3])
    #expect(check.constantPixels == 1)
    #expect(check.pixelRange == 0...255)
  }

  @Test("the MNIST training file is clean: no blank images, no duplicates")
  func mnistIsClean() throws {
    let check = checkImages(try Datasets.mnist(.train))
    #expect(check.blankImages.isEmpty && check.duplicates.isEmpty)
    #expect(check.pixelRange == 0...255)
    #expect(check.constantPixels == 123)  // the empty border, as the chapter prints
  }

  // MARK: Exercises

  @Test("exercise 1: parameterCount(layerSizes:) counts (n + 1) · m per layer",
        arguments: [[784, 256, 128, 10], [64, 64, 10], [2, 1], [784, 10], [784, 512, 256, 128, 10]])
  func parameterCounts(sizes: [Int]) {
    let model = multilayerPerceptron(
      inputs: sizes.first!, hidden: Array(sizes.dropFirst().dropLast()), classes: sizes.last!, seed: 1)
    #expect(parameterCount(layerSizes: sizes) == model.parameterCount, "\(sizes)")
  }

  @Test("exercise 1: the book's network holds 235,146 numbers; one layer size alone holds none")
  func parameterCountByHand() {
    #expect(parameterCount(layerSizes: [784, 256, 128, 10]) == 785 * 256 + 257 * 128 + 129 * 10)
    #expect(parameterCount(layerSizes: [784, 256, 128, 10]) == 235_146)
    #expect(parameterCount(layerSizes: [10]) == 0)
  }

  @Test("exercise 2: topPredictions gives the k most probable classes with their softmax probabilities")
  func topPredictionsByHand() {
    // Row 0: probabilities proportional to 1, 2, 4 → 1/7, 2/7, 4/7. Row 1: a tie between 0 and 2.
    let logits = Tensor([[0, Float(log(2.0)), Float(log(4.0))], [3, 1, 3]])
    let top = topPredictions(logits: logits, k: 2)
    #expect(top.count == 2)
    #expect(top[0].map(\.label) == [2, 1])
    #expect(Swift.abs(top[0][0].probability - 4 / 7) < 1e-6 && Swift.abs(top[0][1].probability - 2 / 7) < 1e-6)
    #expect(top[1].map(\.label) == [0, 2], "equal probabilities: the lower class first")
    let all = topPredictions(logits: logits, k: 5)
    #expect(all.map(\.count) == [3, 3])
    #expect(Swift.abs(all[0].reduce(0) { $0 + $1.probability } - 1) < 1e-6)
    // Large logits must not overflow: softmax subtracts the largest first.
    let large = topPredictions(logits: Tensor([[1000, 999]]), k: 1)
    #expect(large[0][0].label == 0 && Swift.abs(large[0][0].probability - 0.7310586) < 1e-5)
  }

  // MARK: The program

  @Test("the chapter runs on the UCI digits: sections, figures, a test accuracy, the same numbers twice")
  func chapterRuns() throws {
    let arguments = ["--data", "uci-digits", "--epochs", "3"]
    let run = try ChapterRunner.run("Chapter05", arguments)
    try ChapterRunner.expectCompleteRun(
      run, folder: "05-MultilayerPerceptron",
      figures: ["05-uci-digits-samples.svg", "05-uci-digits-loss.svg", "05-uci-digits-accuracy.svg",
                "05-uci-digits-mistakes.svg"])
    #expect(run.line(startingWith: "uci-digits train: 1438 images of 8×8 pixels", in: "5.1 The data") != nil,
            "\(run.section("5.1 The data"))")
    #expect(run.numbers(inLineStartingWith: "parameters:", in: "5.3 The model") == [50_826])
    #expect(run.line(startingWith: "split (seed 42): 1293 training, 145 validation", in: "5.2 Preparing the inputs")
              != nil)
    // Before training the loss is close to ln 10: the network guesses.
    let before = run.numbers(inLineStartingWith: "before training: validation loss", in: "5.3 The model")
    #expect(before.count >= 1 && Swift.abs(before[0] - 2.3026) < 0.3, "\(before)")
    #expect(run.section("5.4 Training").filter { $0.hasPrefix("epoch ") }.count == 3)
    let result = try #require(run.line(startingWith: "test accuracy"))
    let accuracy = ChapterRunner.numbers(in: String(result.dropFirst("test accuracy".count))).first ?? 0
    #expect(accuracy >= 90, "\(result)")  // measured 96.1% after 3 epochs
    #expect(result.contains("(359 images), trained in"))

    // Same seed, same numbers (times aside).
    let again = try ChapterRunner.run("Chapter05", arguments)
    #expect(Self.withoutTimes(again.output) == Self.withoutTimes(run.output))
  }

  @Test("--help, a mistyped option and an unknown data set are reported clearly")
  func options() throws {
    try ChapterRunner.expectStandardOptions("Chapter05")
    let wrong = try ChapterRunner.run("Chapter05", ["--data", "cifar"])
    #expect(wrong.status == 2)
    #expect(wrong.errors.contains("--data expects one of mnist, fashion-mnist, uci-digits"), "\(wrong.errors)")
  }

  /// The output with durations replaced by `<time>` and spaces collapsed, so two runs compare.
  static func withoutTimes(_ text: String) -> [String] {
    text.split(separator: "\n").map { line in
      line.replacingOccurrences(of: #"[0-9.]+ (µs|ms|s|min)\b"#, with: "<time>", options: .regularExpression)
        .replacingOccurrences(of: #"~<time> left"#, with: "", options: .regularExpression)
        .replacingOccurrences(of: #" +"#, with: " ", options: .regularExpression)
    }.filter { !$0.allSatisfy { $0 == "─" || $0 == " " } }
  }

  @Test("an IDX file of zero images, for training or for testing, is refused before anything is written",
        arguments: ["train", "test"])
  func emptyImageFile(part: String) throws {
    let datasets = try ChapterRunner.copyOfDatasets(["uci-digits"])
    defer { ChapterRunner.removeCopyOfDatasets(datasets) }
    let file = "uci-digits/\(part)-images-idx3-ubyte"
    try Data([0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 8]).write(to: datasets.appendingPathComponent(file))
    let run = try ChapterRunner.run("Chapter05", ["--data", "uci-digits", "--epochs", "1"],
                                    environment: ["COURSE_DATASETS": datasets.path])
    ChapterRunner.expectDataError(run, [
      "\(file) (byte 4): the header promises 0 images: the file holds no data",
      "fix: restore it with `git checkout -- Datasets/\(file)`",
    ])
  }

  @Test("every numeric option runs, warns or is refused at both ends of its range, and never crashes")
  func optionRanges() throws {
    try OptionWalk.expectCleanEnds("Chapter05")
  }
}
