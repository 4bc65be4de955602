import Foundation
import Core
import Kernels
import NeuralNetworks

// What the benchmark (Sources/Benchmarks) times, and chapter 11 profiles: the matrix product
// alone, and one training step (forward, backward, optimiser update) of the three models of the
// course. Sources/Benchmarks/pytorch_reference.py builds the same models with the same shapes,
// initialisation style and optimisers.

/// GFLOP/s of an n×n by n×n Float32 product on `threads` threads: 2n³ floating-point
/// operations (a multiply and an add per term) per product.
public func matrixMultiplyGFLOPS(size n: Int, threads: Int, using generator: inout RandomGenerator) -> Double {
  let a = Tensor.randomNormal([n, n], using: &generator).data
  let b = Tensor.randomNormal([n, n], using: &generator).data
  var c = [Float](repeating: 0, count: n * n)
  // About two billion operations per size: enough runs for a stable median, a second at most.
  let repetitions = max(5, 2_000_000_000 / (n * n * n))
  let seconds = medianSeconds(runs: repetitions, warmUp: 3) {
    matrixMultiply(m: n, n: n, k: n, a: a, aRowStride: n, aColStride: 1,
                   b: b, bRowStride: n, bColStride: 1, c: &c, ldc: n, accumulate: false,
                   threads: threads)
  }
  return 2 * Double(n * n * n) / seconds / 1e9
}

/// One training step of a model: zero the gradients, forward, softmax cross-entropy, backward,
/// optimiser update. The benchmark times it; `Benchmarks --profile` shows where its time goes.
public struct TrainingStep {
  public let optimizer: any Optimizer
  public let labels: [Int]
  public let forward: () -> Tensor
  /// How many timed runs `milliseconds()` takes the median of.
  public let repetitions: Int

  public init(optimizer: any Optimizer, labels: [Int], repetitions: Int,
              forward: @escaping () -> Tensor) {
    (self.optimizer, self.labels, self.repetitions, self.forward) =
      (optimizer, labels, repetitions, forward)
  }

  /// Runs the step once.
  public func run() {
    forwardAndBackward()
    optimizer.step()
  }

  /// The step without the optimiser's update: zero the gradients, forward, loss, backward.
  public func forwardAndBackward() {
    optimizer.zeroGrad()
    let loss = crossEntropy(logits: forward(), labels: labels)
    loss.backward()
  }

  /// The median milliseconds of one step, after three warm-up steps.
  public func milliseconds() -> Double {
    1000 * medianSeconds(runs: repetitions, warmUp: 3) { run() }
  }
}

/// MLP 784-256-128-10 with ReLU, batch 128, SGD.
public func multilayerPerceptronTrainingStep(using generator: inout RandomGenerator) -> TrainingStep {
  let model = Sequential(
    Linear(inputs: 784, outputs: 256, using: &generator), ReLU(),
    Linear(inputs: 256, outputs: 128, using: &generator), ReLU(),
    Linear(inputs: 128, outputs: 10, using: &generator))
  let images = Tensor.randomNormal([128, 784], using: &generator)
  let labels = (0..<128).map { _ in generator.nextInt(below: 10) }
  return TrainingStep(optimizer: SGD(model.parameters, learningRate: 0.01), labels: labels,
                      repetitions: 50) { model(images) }
}

/// CNN on 1×28×28, batch 64: conv 1→8 3×3 → ReLU → max-pool 2 → conv 8→16 3×3 → ReLU →
/// max-pool 2 → linear 400→10, SGD. (28 → 26 → 13 → 11 → 5, and 16·5·5 = 400.)
public func convolutionalNetworkTrainingStep(using generator: inout RandomGenerator) -> TrainingStep {
  let model = Sequential(
    Conv2D(inputChannels: 1, outputChannels: 8, kernelSize: 3, using: &generator), ReLU(),
    MaxPool2D(kernelSize: 2),
    Conv2D(inputChannels: 8, outputChannels: 16, kernelSize: 3, using: &generator), ReLU(),
    MaxPool2D(kernelSize: 2),
    Flatten(), Linear(inputs: 400, outputs: 10, using: &generator))
  let images = Tensor.randomNormal([64, 1, 28, 28], using: &generator)
  let labels = (0..<64).map { _ in generator.nextInt(below: 10) }
  return TrainingStep(optimizer: SGD(model.parameters, learningRate: 0.01), labels: labels,
                      repetitions: 30) { model(images) }
}

/// Chapter 9's classifier, Embedding(10 000, 100) → LSTM(hidden 200) → Linear(200, 2) on the
/// last hidden state, over a batch of 32 sequences of 64 tokens, with Adam: its forward pass,
/// labels and optimiser.
public struct LSTMClassifierWorkload {
  public let embedding: Embedding, lstm: LSTM, head: Linear
  public let tokens: [Int], labels: [Int]
  public let optimizer: Adam

  public init(using generator: inout RandomGenerator) {
    embedding = Embedding(vocabularySize: 10_000, dimension: 100, using: &generator)
    lstm = LSTM(inputSize: 100, hiddenSize: 200, using: &generator)
    head = Linear(inputs: 200, outputs: 2, using: &generator)
    tokens = (0..<32 * 64).map { _ in generator.nextInt(below: 10_000) }
    labels = (0..<32).map { _ in generator.nextInt(below: 2) }
    optimizer = Adam(embedding.parameters + lstm.parameters + head.parameters)
  }

  /// The logits [32, 2].
  public func forward() -> Tensor { head(lstm(embedding(tokens, shape: [32, 64])).hidden) }

  public var parameterCount: Int { embedding.parameterCount + lstm.parameterCount + head.parameterCount }
}

/// One training step of chapter 9's classifier.
public func lstmClassifierTrainingStep(using generator: inout RandomGenerator) -> TrainingStep {
  let workload = LSTMClassifierWorkload(using: &generator)
  return TrainingStep(optimizer: workload.optimizer, labels: workload.labels, repetitions: 15) {
    workload.forward()
  }
}
