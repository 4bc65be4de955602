// Chapter 6 · Training better: the claims of the chapter on real digits (optimisers learn,
// zero initialisation keeps units identical, He keeps the signal's size, dropout switches off in
// evaluation), the exercises, and the chapter program. `swift test --filter Chapter06`.

import Foundation
import Testing

@testable import Chapter06
@testable import DeepLearning
import TestSupport

@Suite("Chapter06 · Training better", .serialized)
struct Chapter06Tests {
  /// The UCI digits ÷ 16 with a seeded stratified split: training rows, validation rows, and the labels.
  static func digits() throws -> (x: Tensor, labels: [Int], split: StratifiedSplit) {
    let train = try Datasets.uciDigits(.train)
    return (train.inputs(.flat), train.labels, StratifiedSplit(labels: train.labels, validation: 0.1, seed: 42))
  }

  /// Trains `model` on the digits' training rows with `optimizer`, and returns the history (with
  /// validation after each epoch).
  static func train(_ model: Sequential, optimizer: any Optimizer, epochs: Int = 5, batchSize: Int = 32) throws
    -> TrainingHistory
  {
    let (x, labels, split) = try digits()
    return try DeepLearning.train(
      model,
      on: ClassificationData(inputs: x.rows(at: split.train), labels: split.train.map { labels[$0] }, model: model),
      validation: ClassificationData(inputs: x.rows(at: split.validation),
                                     labels: split.validation.map { labels[$0] }, model: model),
      optimizer: optimizer,
      settings: TrainingSettings(epochs: epochs, batchSize: batchSize, seed: 42))
  }

  // MARK: Optimisers and initialisation on real digits

  @Test("SGD with momentum and Adam both learn the UCI digits in 5 epochs; full-batch descent barely starts")
  func optimizersLearn() throws {
    let momentum = network(inputs: 64, hidden: [64], classes: 10, seed: 42)
    let sgd = try Self.train(momentum, optimizer: SGD(momentum.parameters, learningRate: 0.05, momentum: 0.9))
    // Measured: 95.9% validation accuracy (95.9–97.2% over three seeds); chance is 10%.
    #expect(sgd.last!.validationAccuracy! >= 0.92, "SGD + momentum: \(sgd.last!.validationAccuracy!)")
    let adamModel = network(inputs: 64, hidden: [64], classes: 10, seed: 42)
    let adam = try Self.train(adamModel, optimizer: Adam(adamModel.parameters, learningRate: 0.01))
    #expect(adam.last!.validationAccuracy! >= 0.92, "Adam: \(adam.last!.validationAccuracy!)")
    // Five full-batch steps: the loss falls, but far less than after five epochs of mini-batches.
    let gdModel = network(inputs: 64, hidden: [64], classes: 10, seed: 42)
    let gd = try Self.train(gdModel, optimizer: SGD(gdModel.parameters, learningRate: 0.2), batchSize: 100_000)
    #expect(gd.last!.trainLoss < gd.epochs[0].trainLoss)
    #expect(gd.last!.trainLoss > sgd.last!.trainLoss * 3, "GD \(gd.last!.trainLoss), SGD \(sgd.last!.trainLoss)")
  }

  @Test("zero initialisation: every unit stays a copy of the first, and the network only learns the class priors")
  func zerosStayIdentical() throws {
    let model = network(inputs: 64, hidden: [32, 32], classes: 10, initialization: .zeros, seed: 42)
    let history = try Self.train(model, optimizer: Adam(model.parameters, learningRate: 0.01), epochs: 3)
    for layer in model.layers.compactMap({ $0 as? Linear }) {
      #expect(largestUnitDifference(layer.weight) == 0)
    }
    #expect(history.last!.validationAccuracy! < 0.2, "\(history.last!.validationAccuracy!)")
  }

  @Test("a constant initialisation also keeps the units identical, although they learn")
  func constantStaysSymmetric() throws {
    let model = network(inputs: 64, hidden: [32, 32], classes: 10, seed: 42)
    // Every weight 0.01, in every layer: a random last layer alone would send each hidden unit a
    // different gradient and break the symmetry.
    let linears = model.layers.compactMap { $0 as? Linear }
    for layer in linears { layer.weight.update { for i in $0.indices { $0[i] = 0.01 } } }
    let hidden = linears.dropLast()
    let before = hidden.map { $0.weight.data }
    _ = try Self.train(model, optimizer: SGD(model.parameters, learningRate: 0.05, momentum: 0.9), epochs: 2)
    for (layer, old) in zip(hidden, before) {
      #expect(layer.weight.data != old, "the weights moved")
      #expect(largestUnitDifference(layer.weight) == 0, "but every unit moved the same way")
    }
    // He initialisation breaks the symmetry from the start.
    let he = network(inputs: 64, hidden: [32, 32], classes: 10, seed: 42)
    #expect(largestUnitDifference((he.layers[0] as! Linear).weight) > 0.1)
  }

  @Test("activation spread at initialisation: He keeps it, Xavier lets it shrink, std 1 explodes, zeros kill it")
  func activationSpreadByScheme() throws {
    let probe = try Self.digits().x.rows(at: Array(0..<256))
    func spread(_ initialization: Initialization) -> [Float] {
      activationSpread(
        network(inputs: 64, hidden: [128, 128, 128, 128], classes: 10, initialization: initialization, seed: 42),
        input: probe)
    }
    let he = spread(.he), xavier = spread(.xavier), large = spread(.normal(std: 1)), zeros = spread(.zeros)
    #expect(he.count == 5)  // four ReLU layers and the logits
    let hidden = he.prefix(4)
    #expect(hidden.max()! / hidden.min()! < 1.6, "He: \(he)")
    #expect(xavier[3] < xavier[0] * 0.6, "Xavier: \(xavier)")
    for layer in 1..<4 { #expect(large[layer] > large[layer - 1] * 4, "std 1: \(large)") }
    #expect(zeros.allSatisfy { $0 == 0 })
  }

  @Test("the network puts Dropout after each ReLU; it is active in training and off in evaluation")
  func dropoutInTheNetwork() {
    let model = network(inputs: 8, hidden: [16, 16], classes: 3, dropout: 0.5, seed: 3)
    let kinds = model.layers.map { String(describing: type(of: $0)) }
    #expect(kinds == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"])
    let x = Tensor(shape: [4, 8], data: (0..<32).map { Float($0 % 7) / 7 })
    model.train()
    let a = model(x).data, b = model(x).data
    #expect(a != b, "two training passes draw different masks")
    model.eval()
    #expect(model(x).data == model(x).data)
    #expect(network(inputs: 8, hidden: [16], classes: 3, seed: 3).layers.count == 3)
  }

  @Test("counted(_:_:) says 1 epoch and 10 epochs")
  func plurals() {
    #expect(counted(1, "epoch") == "1 epoch")
    #expect(counted(10, "epoch") == "10 epochs" && counted(0, "step") == "0 steps")
  }

  // MARK: Exercises

  @Test("exercise 1: RMSProp follows v ← ρv + (1 − ρ)g², θ ← θ − αg/(√v + ε), step by step")
  func rmsPropByHand() {
    let theta = Tensor([1, -2], requiresGrad: true)
    let optimizer = RMSProp([theta], learningRate: 0.1, decay: 0.9)
    theta.grad = Tensor([0.5, -1])
    optimizer.step()
    // v = 0.1·g² → step = α·g/√(0.1 g²) = α·sign(g)·√10 = 0.316228 in size.
    let firstStep: Float = 0.316_228
    #expect(Swift.abs(theta.data[0] - (1 - firstStep)) < 1e-5, "\(theta.data)")
    #expect(Swift.abs(theta.data[1] - (-2 + firstStep)) < 1e-5, "\(theta.data)")
    optimizer.step()
    // v = 0.9·0.025 + 0.1·0.25 = 0.0475 → step 0.1·0.5/√0.0475 = 0.229416.
    let secondStep: Float = 0.229_416
    #expect(Swift.abs(theta.data[0] - (1 - firstStep - secondStep)) < 1e-5, "\(theta.data)")
    // A parameter without a gradient is left alone.
    let frozen = Tensor([3], requiresGrad: true)
    RMSProp([frozen]).step()
    #expect(frozen.data == [3])
    #expect(optimizer.learningRate == 0.1)
  }

  @Test("exercise 1: RMSProp trains the UCI digits")
  func rmsPropLearns() throws {
    let model = network(inputs: 64, hidden: [64], classes: 10, seed: 42)
    let history = try Self.train(model, optimizer: RMSProp(model.parameters, learningRate: 0.003))
    #expect(history.last!.validationAccuracy! >= 0.92, "\(history.last!.validationAccuracy!)")
  }

  @Test("exercise 2: the cosine schedule starts at the peak, passes the middle halfway and ends at the minimum")
  func cosineSchedule() {
    #expect(cosineLearningRate(step: 0, totalSteps: 100, peak: 0.1) == 0.1)
    #expect(Swift.abs(cosineLearningRate(step: 50, totalSteps: 100, peak: 0.1) - 0.05) < 1e-7)
    #expect(Swift.abs(cosineLearningRate(step: 100, totalSteps: 100, peak: 0.1, minimum: 0.001) - 0.001) < 1e-7)
    let quarter = Float((1 + 0.5.squareRoot()) / 2)  // cos(π/4) = √½
    #expect(Swift.abs(cosineLearningRate(step: 25, totalSteps: 100, peak: 1) - quarter) < 1e-6)
    #expect(cosineLearningRate(step: 150, totalSteps: 100, peak: 0.1, minimum: 0.01) == 0.01, "past the end it stays")
    let rates = (0...10).map { cosineLearningRate(step: $0, totalSteps: 10, peak: 1) }
    #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 > $1 }, "it only goes down: \(rates)")
  }

  // MARK: The program

  @Test("the chapter runs, small: sections, figures, and the claims of its tables")
  func chapterRuns() throws {
    let run = try ChapterRunner.run("Chapter06", ["--epochs", "1", "--small", "100", "--overfit-epochs", "8"])
    try ChapterRunner.expectCompleteRun(
      run, folder: "06-TrainingBetter",
      figures: ["06-optimizers.svg", "06-initialization.svg", "06-overfitting-loss.svg",
                "06-overfitting-accuracy.svg", "06-weight-decay.svg", "06-dropout.svg", "06-early-stopping.svg"])
    let optimizers = "6.1 Optimisers side by side"
    #expect(run.numbers(inLineStartingWith: "gradient descent (full batch)", in: optimizers).prefix(2) == [0.2, 1],
            "one step per epoch")
    #expect(run.numbers(inLineStartingWith: "Adam", in: optimizers).prefix(2) == [0.001, 71])

    let initialization = "6.2 Initialisation"
    let spreads = run.section(initialization).filter { $0.hasPrefix("He ") }
    #expect(spreads.count == 2)
    let he = ChapterRunner.numbers(in: String(spreads.first?.dropFirst(2) ?? ""))
    #expect(he.count == 5 && he.prefix(4).max()! / he.prefix(4).min()! < 1.3, "\(he)")
    let large = run.numbers(inLineStartingWith: "normal, std 1", in: initialization)
    #expect((large.dropFirst().first ?? 0) > 1 && (large.last ?? 0) > 1000, "std 1 explodes: \(large)")
    let zeros = run.section(initialization).filter { $0.hasPrefix("zeros ") }
    let zeroAfter = ChapterRunner.numbers(in: String(zeros.last?.dropFirst(5) ?? ""))
    #expect(zeroAfter.count == 4 && zeroAfter[1] == 2.3026 && zeroAfter[3] == 0, "zeros: \(zeros)")

    let cures = "6.4 Cures: weight decay, dropout, early stopping"
    for name in ["no cure", "weight decay 0.0001", "weight decay 0.001", "weight decay 0.01", "dropout 0.5",
                 "early stopping (patience 5)", "more data: 4500 images (6.1)"] {
      #expect(run.line(startingWith: name, in: cures) != nil, "no row \(name) in 6.4")
    }
    #expect(run.errors.isEmpty)
  }

  @Test("--help and a mistyped option are reported clearly; a too-small subset is refused")
  func options() throws {
    try ChapterRunner.expectStandardOptions("Chapter06")
    let wrong = try ChapterRunner.run("Chapter06", ["--small", "5"])
    #expect(wrong.status == 2 && wrong.errors.contains("--small expects an integer in 20...4500"), "\(wrong.errors)")
  }

  @Test("every numeric option runs, warns or is refused at both ends of its range, and never crashes")
  func optionRanges() throws {
    try OptionWalk.expectCleanEnds("Chapter06")
  }
}
