import Foundation
import Testing
@testable import DeepLearning
@testable import NeuralNetworks
import TestSupport

/// Three Gaussian blobs in 2-D: a small classification task with a known answer.
func blobs(count: Int, seed: Int) -> (inputs: Tensor, labels: [Int]) {
  var generator = RandomGenerator(seed: seed)
  let centres: [(Float, Float)] = [(-2, 0), (2, 0), (0, 2.5)]
  var values: [Float] = [], labels: [Int] = []
  for i in 0..<count {
    let label = i % 3
    values += [centres[label].0 + 0.8 * generator.nextNormal(), centres[label].1 + 0.8 * generator.nextNormal()]
    labels.append(label)
  }
  return (Tensor(shape: [count, 2], data: values), labels)
}

/// A 2-16-3 ReLU network for the blobs.
func blobClassifier(seed: Int) -> Sequential {
  var generator = RandomGenerator(seed: seed)
  return Sequential(Linear(inputs: 2, outputs: 16, using: &generator), ReLU(),
                    Linear(inputs: 16, outputs: 3, using: &generator))
}

@Suite("Chapter05 training loop")
struct Chapter05TrainingLoopTests {
  @Test func trainsToHighAccuracyAndIsReproducible() throws {
    func run() throws -> (TrainingHistory, Evaluation) {
      let train = blobs(count: 300, seed: 1), test = blobs(count: 150, seed: 2)
      let network = blobClassifier(seed: 3)
      let history = try DeepLearning.train(
        network, on: ClassificationData(inputs: train.inputs, labels: train.labels, model: network),
        validation: ClassificationData(inputs: test.inputs, labels: test.labels, model: network),
        optimizer: Adam(network.parameters, learningRate: 0.01),
        settings: TrainingSettings(epochs: 15, batchSize: 32, seed: 4))
      return (history, evaluate(ClassificationData(inputs: test.inputs, labels: test.labels, model: network)))
    }
    let (history, result) = try run()
    #expect(history.epochs.count == 15)
    #expect(history.epochs.last!.trainLoss < history.epochs.first!.trainLoss * 0.5)
    // The blobs overlap a little: a good classifier gets about 96%; chance is 33%.
    #expect(result.accuracy > 0.9, "test accuracy \(result.accuracy)")
    let (again, resultAgain) = try run()
    #expect(again.epochs.map(\.trainLoss) == history.epochs.map(\.trainLoss))
    #expect(resultAgain.predictions == result.predictions)
  }

  @Test func earlyStoppingRestoresTheBestWeights() throws {
    // Memorising 30 noisy points with a large learning rate: validation loss soon rises.
    let train = blobs(count: 30, seed: 5), validation = blobs(count: 300, seed: 6)
    let network = blobClassifier(seed: 7)
    let validationData = ClassificationData(inputs: validation.inputs, labels: validation.labels, model: network)
    let history = try DeepLearning.train(
      network, on: ClassificationData(inputs: train.inputs, labels: train.labels, model: network),
      validation: validationData, optimizer: Adam(network.parameters, learningRate: 0.05),
      settings: TrainingSettings(epochs: 200, batchSize: 8, seed: 8, patience: 5))
    #expect(history.stoppedEarly)
    let best = history.epochs.min { $0.validationLoss! < $1.validationLoss! }!
    #expect(history.bestEpoch == best.epoch)
    #expect(history.epochs.count == best.epoch + 5)
    network.eval()
    #expect(Swift.abs(evaluate(validationData).loss - best.validationLoss!) < 1e-5)
  }

  @Test func aDivergingLossStopsWithAClearError() {
    let train = blobs(count: 60, seed: 9)
    let network = blobClassifier(seed: 10)
    #expect {
      _ = try DeepLearning.train(
        network, on: ClassificationData(inputs: train.inputs, labels: train.labels, model: network),
        optimizer: SGD(network.parameters, learningRate: 1e30),
        settings: TrainingSettings(epochs: 3, batchSize: 60, seed: 11))
    } throws: { error in
      "\(error)".contains("the training loss at epoch") && "\(error)".contains("learning rate")
    }
  }

  @Test func optimisersFollowTheirUpdateRules() {
    // One step by hand: θ = 1, g = 0.5.
    let theta = Tensor([1], requiresGrad: true)
    theta.grad = Tensor([0.5])
    SGD([theta], learningRate: 0.1).step()
    #expect(theta.data == [1 - 0.1 * 0.5])
    let withMomentum = Tensor([1], requiresGrad: true)
    let sgd = SGD([withMomentum], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
    withMomentum.grad = Tensor([0.5])
    sgd.step()  // g = 0.5 + 0.01·1 = 0.51, v = 0.51, θ = 1 − 0.051
    sgd.step()  // g = 0.5 + 0.01·0.949 = 0.50949, v = 0.9·0.51 + 0.50949 = 0.96849, θ = 0.949 − 0.096849
    #expect(Swift.abs(withMomentum.data[0] - 0.852151) < 1e-6)
    // Adam's first step moves every parameter by about the learning rate, whatever g's size.
    let a = Tensor([1, 1], requiresGrad: true)
    a.grad = Tensor([1e-4, 100])
    Adam([a], learningRate: 0.01).step()
    #expect(Swift.abs(a.data[0] - 0.99) < 1e-4 && Swift.abs(a.data[1] - 0.99) < 1e-6)
  }

  @Test("the progress line: one plain line per epoch, without a time-left estimate, when not on a terminal")
  func progressLineOffTerminal() throws {
    let train = blobs(count: 60, seed: 3)
    final class Sink { var text = "" }
    for terminal in [false, true] {
      let sink = Sink()
      let network = blobClassifier(seed: 4)
      _ = try DeepLearning.train(
        network, on: ClassificationData(inputs: train.inputs, labels: train.labels, model: network),
        optimizer: SGD(network.parameters, learningRate: 0.1),
        settings: TrainingSettings(epochs: 3, batchSize: 20, seed: 5),
        observer: ProgressLineObserver(output: ProgressOutput(isTerminal: terminal) { sink.text += $0 }))
      let lines = sink.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
      if terminal {
        #expect(sink.text.contains("\r") && sink.text.contains(" left)"), "on a terminal: \(sink.text)")
      } else {
        #expect(lines.count == 3 && lines.first?.hasPrefix("epoch 1/3  3/3  loss ") == true, "\(sink.text)")
        #expect(!sink.text.contains("\r") && !sink.text.contains("\u{1B}") && !sink.text.contains("left"),
                "in a log the epoch lines carry no carriage return and no stale estimate: \(sink.text)")
        #expect(lines.last?.hasPrefix("epoch 3/3  3/3  loss ") == true, "\(sink.text)")
      }
    }
  }

  @Test func gradientClippingScalesTheGlobalNorm() {
    let a = Tensor([0, 0], requiresGrad: true), b = Tensor([0], requiresGrad: true)
    a.grad = Tensor([3, 0]); b.grad = Tensor([4])
    let norm = clipGradientNorm([a, b], maxNorm: 1)
    #expect(norm == 5)
    #expect(Swift.abs(a.grad!.data[0] - 0.6) < 1e-5 && Swift.abs(b.grad!.data[0] - 0.8) < 1e-5)
  }

  @Test func dropoutKeepsTheExpectedValueAndSwitchesOffInEvaluation() {
    let dropout = Dropout(rate: 0.5, seed: 1)
    let ones = Tensor.ones([10_000])
    let dropped = dropout(ones)
    let zeros = dropped.data.filter { $0 == 0 }.count
    #expect(zeros > 4_800 && zeros < 5_200)
    #expect(Swift.abs(dropped.mean().item - 1) < 0.05)
    dropout.eval()
    #expect(dropout(ones).data == ones.data)
  }
}

@Suite("Chapter05 layer gradient checks")
struct Chapter05LayerGradientTests {
  @Test(arguments: [(1, 3, 2), (4, 5, 3), (7, 2, 6)])
  func linear(sizes: (batch: Int, inputs: Int, outputs: Int)) {
    var generator = RandomGenerator(seed: sizes.batch)
    let layer = Linear(inputs: sizes.inputs, outputs: sizes.outputs, using: &generator)
    layer.bias!.update { for i in $0.indices { $0[i] = Float(i) * 0.1 } }
    let x = randomInput([sizes.batch, sizes.inputs], seed: 40)
    expectGradientsMatch("Linear", [x, layer.weight, layer.bias!]) { t in
      matmul(t[0], t[1]) + t[2]
    }
    // The layer's own forward agrees with that formula.
    let direct = matmul(x, layer.weight) + layer.bias!
    #expect(layer(x).data == direct.data)
  }

  @Test func sequentialWithActivations() {
    var generator = RandomGenerator(seed: 41)
    let network = Sequential(Linear(inputs: 3, outputs: 4, using: &generator), Tanh(),
                             Linear(inputs: 4, outputs: 2, using: &generator), Sigmoid())
    let x = randomInput([5, 3], seed: 42)
    let report = checkGradients(of: { t in network(t[0]) }, at: [x])
    #expect(report.passed, "\(report)")
    #expect(network.parameters.count == 4 && network.parameterCount == 3 * 4 + 4 + 4 * 2 + 2)
  }
}

@Suite("Chapter05 training curves")
struct Chapter05TrainingCurveTests {
  @Test func historyDrawsTrainAndValidationCurves() throws {
    var history = TrainingHistory()
    for epoch in 1...4 {
      history.epochs.append(EpochRecord(epoch: epoch, trainLoss: 1 / Float(epoch), trainAccuracy: 0.5 + Float(epoch) / 10,
                                        validationLoss: 1.2 / Float(epoch), validationAccuracy: 0.45 + Float(epoch) / 10,
                                        seconds: 0.1))
    }
    history.bestEpoch = 3
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("curves-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let paths = try history.writeCurves(lossPath: folder + "/loss.svg", accuracyPath: folder + "/acc.svg", title: "test")
    let loss = try String(contentsOfFile: paths[0], encoding: .utf8)
    #expect(loss.contains("validation") && loss.contains("train") && loss.contains("best epoch"))
    #expect(try String(contentsOfFile: paths[1], encoding: .utf8).contains("accuracy (%)"))
  }
}

@Suite("Chapter09 training loop settings: batch order, best epoch, gradient norms")
struct Chapter09TrainingSettingsTests {
  @Test func aCustomBatchOrderIsWhatTheLoopTrainsOn() throws {
    let data = blobs(count: 30, seed: 12)
    let network = blobClassifier(seed: 13)
    var rowsSeen: [[Int]] = []
    let training = ClassificationData(labels: data.labels) { rows in
      rowsSeen.append(rows)
      return network(data.inputs.rows(at: rows))
    }
    // Odd rows in batches of 4, each epoch in a new order drawn from the loop's generator.
    let order: @Sendable (inout RandomGenerator) -> [[Int]] = { generator in
      let odd = generator.permutation(15).map { 2 * $0 + 1 }
      return stride(from: 0, to: odd.count, by: 4).map { Array(odd[$0..<Swift.min($0 + 4, odd.count)]) }
    }
    let history = try DeepLearning.train(
      network, on: training, optimizer: SGD(network.parameters, learningRate: 0.1),
      settings: TrainingSettings(epochs: 3, batchSize: 10, seed: 14, batchOrder: order))
    // The generator seeded by `seed`, asked once per epoch, gives the batches the loop trained on.
    var generator = RandomGenerator(seed: 14)
    let expected = (1...3).flatMap { _ in order(&generator) }
    #expect(rowsSeen == expected)
    #expect(rowsSeen.allSatisfy { $0.allSatisfy { $0 % 2 == 1 } && $0.count <= 4 })
    #expect(history.epochs.count == 3)
  }

  @Test func withoutABatchOrderTheRowsAreShuffledIntoMiniBatches() throws {
    let data = blobs(count: 25, seed: 15)
    let network = blobClassifier(seed: 16)
    var rowsSeen: [[Int]] = []
    let training = ClassificationData(labels: data.labels) { rows in
      rowsSeen.append(rows)
      return network(data.inputs.rows(at: rows))
    }
    _ = try DeepLearning.train(
      network, on: training, optimizer: SGD(network.parameters, learningRate: 0.1),
      settings: TrainingSettings(epochs: 2, batchSize: 10, seed: 17))
    var generator = RandomGenerator(seed: 17)
    let expected = (1...2).flatMap { _ in
      Array(MiniBatches(indices: Array(0..<25), batchSize: 10, shuffledBy: &generator))
    }
    #expect(rowsSeen == expected)
  }

  /// Memorising 30 noisy points with a large learning rate: validation figures rise and fall.
  func noisyRun(settings: TrainingSettings) throws -> (TrainingHistory, Evaluation) {
    let train = blobs(count: 30, seed: 5), validation = blobs(count: 300, seed: 6)
    let network = blobClassifier(seed: 7)
    let validationData = ClassificationData(inputs: validation.inputs, labels: validation.labels, model: network)
    let history = try DeepLearning.train(
      network, on: ClassificationData(inputs: train.inputs, labels: train.labels, model: network),
      validation: validationData, optimizer: Adam(network.parameters, learningRate: 0.05), settings: settings)
    network.eval()
    return (history, evaluate(validationData))
  }

  @Test func theBestEpochByAccuracyIsRestoredWithoutEarlyStopping() throws {
    let (history, final) = try noisyRun(settings: TrainingSettings(
      epochs: 40, batchSize: 8, seed: 8, keepsBest: .highestValidationAccuracy))
    #expect(history.epochs.count == 40 && !history.stoppedEarly)
    let accuracies = history.epochs.map { $0.validationAccuracy! }
    let best = 1 + accuracies.firstIndex(of: accuracies.max()!)!  // the first epoch with the highest
    #expect(history.bestEpoch == best, "\(accuracies)")
    #expect(best < 40, "the test needs a best epoch before the last: \(accuracies)")
    // The model holds that epoch's weights: it measures exactly what that epoch measured.
    #expect(final.accuracy == accuracies[best - 1])
    #expect(Swift.abs(final.loss - history.epochs[best - 1].validationLoss!) < 1e-5)
  }

  @Test func theBestEpochByLossIsRestoredWithoutEarlyStopping() throws {
    let (history, final) = try noisyRun(settings: TrainingSettings(
      epochs: 40, batchSize: 8, seed: 8, keepsBest: .lowestValidationLoss))
    #expect(history.epochs.count == 40 && !history.stoppedEarly)
    let best = history.epochs.min { $0.validationLoss! < $1.validationLoss! }!
    #expect(history.bestEpoch == best.epoch && best.epoch < 40)
    #expect(Swift.abs(final.loss - best.validationLoss!) < 1e-5)
  }

  @Test func patienceStopsOnTheMeasureKeepsBestNames() throws {
    let (history, final) = try noisyRun(settings: TrainingSettings(
      epochs: 200, batchSize: 8, seed: 8, patience: 4, keepsBest: .highestValidationAccuracy))
    #expect(history.stoppedEarly)
    let accuracies = history.epochs.map { $0.validationAccuracy! }
    let best = 1 + accuracies.firstIndex(of: accuracies.max()!)!
    #expect(history.bestEpoch == best)
    #expect(history.epochs.count == best + 4, "4 epochs without a higher accuracy: \(accuracies)")
    #expect(final.accuracy == accuracies[best - 1])
  }

  @Test func gradientNormsAreRecordedBeforeClippingOnlyWhenClipping() throws {
    let data = blobs(count: 40, seed: 18)
    func run(maxGradientNorm: Float?) throws -> TrainingHistory {
      let network = blobClassifier(seed: 19)
      return try DeepLearning.train(
        network, on: ClassificationData(inputs: data.inputs, labels: data.labels, model: network),
        optimizer: SGD(network.parameters, learningRate: 0.1),
        settings: TrainingSettings(epochs: 3, batchSize: 16, seed: 20, maxGradientNorm: maxGradientNorm))
    }
    #expect(try run(maxGradientNorm: nil).gradientNorms.isEmpty)
    let clipped = try run(maxGradientNorm: 0.01)
    #expect(clipped.gradientNorms.count == 3 * 3, "3 epochs of 3 batches")
    // The first norm is the untouched gradient's: the same first batch on the same start, by hand.
    let network = blobClassifier(seed: 19)
    var generator = RandomGenerator(seed: 20)
    let rows = MiniBatches(indices: Array(0..<40), batchSize: 16, shuffledBy: &generator)[0]
    crossEntropy(logits: network(data.inputs.rows(at: rows)), labels: rows.map { data.labels[$0] }).backward()
    let squares = network.parameters.reduce(Float(0)) { sum, p in sum + p.grad!.data.reduce(0) { $0 + $1 * $1 } }
    #expect(Swift.abs(clipped.gradientNorms[0] - squares.squareRoot()) < 1e-5 * Swift.max(1, squares.squareRoot()))
    #expect(clipped.gradientNorms.allSatisfy { $0 > 0.01 }, "every step was longer than 0.01, so all were clipped")
  }
}
