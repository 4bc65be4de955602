import DeepLearning
import Foundation

// What the benchmark times: the matrix product alone, and one training step (forward, backward,
// optimiser update) of the three models of the course. pytorch_reference.py builds the same
// models with the same shapes, initialisation style and optimisers.

/// The median of `repetitions` timed runs of `body`, in seconds, after `warmUp` untimed runs.
/// The median, not the mean, so that one run slowed by another process does not move it.
func medianSeconds(repetitions: Int, warmUp: Int = 3, _ body: () -> Void) -> Double {
  for _ in 0..<warmUp { body() }
  var times: [Double] = []
  for _ in 0..<repetitions {
    let stopwatch = Stopwatch()
    body()
    times.append(stopwatch.seconds)
  }
  times.sort()
  return times.count % 2 == 1 ? times[times.count / 2]
    : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
}

/// GFLOP/s of an n×n by n×n Float32 product on `threads` threads: 2n³ floating-point
/// operations (a multiply and an add per term) per product.
func matrixMultiplyGFLOPS(size n: Int, threads: Int, using generator: inout RandomGenerator) -> Double {
  let a = Tensor.randomNormal([n, n], using: &generator).data
  let b = Tensor.randomNormal([n, n], using: &generator).data
  var c = [Float](repeating: 0, count: n * n)
  // About two billion operations per size: enough runs for a stable median, a second at most.
  let repetitions = max(5, 2_000_000_000 / (n * n * n))
  let seconds = medianSeconds(repetitions: repetitions) {
    matrixMultiply(m: n, n: n, k: n, a: a, aRowStride: n, aColStride: 1,
                   b: b, bRowStride: n, bColStride: 1, c: &c, ldc: n, accumulate: false,
                   threads: threads)
  }
  return 2 * Double(n * n * n) / seconds / 1e9
}

/// Milliseconds of one training step: zero the gradients, forward, softmax cross-entropy,
/// backward, optimiser update.
func stepMilliseconds(repetitions: Int, optimizer: any Optimizer, labels: [Int],
                      forward: () -> Tensor) -> Double {
  1000 * medianSeconds(repetitions: repetitions) {
    optimizer.zeroGrad()
    let loss = crossEntropy(logits: forward(), labels: labels)
    loss.backward()
    optimizer.step()
  }
}

/// MLP 784-256-128-10 with ReLU, batch 128, SGD.
func multilayerPerceptronStep(using generator: inout RandomGenerator) -> Double {
  let model = Sequential(
    Linear(inputs: 784, outputs: 256, using: &generator), ReLU(),
    Linear(inputs: 256, outputs: 128, using: &generator), ReLU(),
    Linear(inputs: 128, outputs: 10, using: &generator))
  let images = Tensor.randomNormal([128, 784], using: &generator)
  let labels = (0..<128).map { _ in generator.nextInt(below: 10) }
  return stepMilliseconds(repetitions: 50, optimizer: SGD(model.parameters, learningRate: 0.01),
                          labels: labels) { model(images) }
}

/// CNN on 1×28×28, batch 64: conv 1→8 3×3 → ReLU → max-pool 2 → conv 8→16 3×3 → ReLU →
/// max-pool 2 → linear 400→10, SGD. (28 → 26 → 13 → 11 → 5, and 16·5·5 = 400.)
func convolutionalNetworkStep(using generator: inout RandomGenerator) -> Double {
  let model = Sequential(
    Conv2D(inputChannels: 1, outputChannels: 8, kernelSize: 3, using: &generator), ReLU(),
    MaxPool2D(kernelSize: 2),
    Conv2D(inputChannels: 8, outputChannels: 16, kernelSize: 3, using: &generator), ReLU(),
    MaxPool2D(kernelSize: 2),
    Flatten(), Linear(inputs: 400, outputs: 10, using: &generator))
  let images = Tensor.randomNormal([64, 1, 28, 28], using: &generator)
  let labels = (0..<64).map { _ in generator.nextInt(below: 10) }
  return stepMilliseconds(repetitions: 30, optimizer: SGD(model.parameters, learningRate: 0.01),
                          labels: labels) { model(images) }
}

/// Chapter 9's classifier, Embedding(10 000, 100) → LSTM(hidden 200) → Linear(200, 2) on the
/// last hidden state, over a batch of 32 sequences of 64 tokens, Adam.
func lstmClassifierStep(using generator: inout RandomGenerator) -> Double {
  let embedding = Embedding(vocabularySize: 10_000, dimension: 100, using: &generator)
  let lstm = LSTM(inputSize: 100, hiddenSize: 200, using: &generator)
  let head = Linear(inputs: 200, outputs: 2, using: &generator)
  let tokens = (0..<32 * 64).map { _ in generator.nextInt(below: 10_000) }
  let labels = (0..<32).map { _ in generator.nextInt(below: 2) }
  let optimizer = Adam(embedding.parameters + lstm.parameters + head.parameters)
  return stepMilliseconds(repetitions: 15, optimizer: optimizer, labels: labels) {
    head(lstm(embedding(tokens, shape: [32, 64])).hidden)
  }
}
