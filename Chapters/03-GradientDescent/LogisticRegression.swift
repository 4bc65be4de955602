import DeepLearning
import Foundation

/// Logistic regression, p = σ(x·w + b), trained with its gradient written out by hand: the
/// tensors below never record a graph (none of them requires a gradient).
struct LogisticRegression {
  var weights: Tensor  // [features, 1]
  var bias: Tensor     // [1]

  /// A model that starts knowing nothing: every weight and the bias are zero, so p = 0.5.
  init(features: Int) {
    weights = .zeros([features, 1])
    bias = .zeros([1])
  }

  /// The logits z = x·w + b of a batch x [n, features], as [n, 1].
  func logits(_ x: Tensor) -> Tensor { x.matmul(weights) + bias }

  /// The mean binary cross-entropy of the batch (chapter 2).
  func loss(_ x: Tensor, _ y: Tensor) -> Float {
    binaryCrossEntropy(logits: logits(x), targets: y).item
  }

  /// The fraction of examples on the right side of p = 0.5, that is of z = 0.
  func accuracy(_ x: Tensor, _ y: Tensor) -> Float {
    let correct = zip(logits(x).data, y.data).filter { ($0 > 0) == ($1 == 1) }.count
    return Float(correct) / Float(y.count)
  }

  // snippet: logistic-regression-gradient
  /// The gradient of the mean binary cross-entropy L with respect to w and b. With zᵢ = xᵢ·w + b,
  /// ∂L/∂zᵢ = (σ(zᵢ) − yᵢ)/n (section 2.5), and the chain rule through zᵢ gives
  /// ∂L/∂w = Xᵀ(σ(Xw + b) − y)/n,   ∂L/∂b = Σᵢ(σ(zᵢ) − yᵢ)/n.
  func gradients(_ x: Tensor, _ y: Tensor) -> (weights: Tensor, bias: Tensor) {
    let n = Float(x.size(0))
    let error = sigmoid(logits(x)) - y  // [n, 1]: how far each probability is from its label
    return (x.transposed().matmul(error) / n, error.sum(axis: 0) / n)
  }

  /// One step of gradient descent: θ ← θ − α∇L.
  mutating func step(_ x: Tensor, _ y: Tensor, learningRate: Float) {
    let gradient = gradients(x, y)
    weights = weights - learningRate * gradient.weights
    bias = bias - learningRate * gradient.bias
  }
  // end snippet
}

/// One training run of section 3.4: the training loss against the number of examples seen.
struct BatchRun {
  let batchSize: Int
  let updates: Int
  let examplesSeen: [Int]
  let losses: [Float]
  let trainingSeconds: Double
  let model: LogisticRegression
}

/// Trains from zero for `epochs` passes over `data` in shuffled mini-batches of `batchSize`,
/// keeping a copy of the model at least every 16 examples (after every update for larger
/// batches); their losses on the whole training set are computed after the clock has stopped.
func trainInBatches(_ data: DigitPair, batchSize: Int, epochs: Int, learningRate: Float,
                    using generator: inout RandomGenerator) -> BatchRun {
  var model = LogisticRegression(features: 64)
  var snapshots = [(seen: 0, model: model)]
  var seen = 0, updates = 0
  let stopwatch = Stopwatch()
  // snippet: mini-batch-loop
  for _ in 0..<epochs {
    let order = generator.permutation(data.count)  // a fresh shuffle every epoch
    for start in stride(from: 0, to: data.count, by: batchSize) {
      let batch = Array(order[start..<min(start + batchSize, data.count)])
      model.step(data.features.gatherRows(batch), data.labels.gatherRows(batch),
                 learningRate: learningRate)
      seen += batch.count
      updates += 1
      if seen - snapshots.last!.seen >= 16 { snapshots.append((seen, model)) }
    }
  }
  // end snippet
  let seconds = stopwatch.seconds
  if snapshots.last!.seen != seen { snapshots.append((seen, model)) }
  return BatchRun(batchSize: batchSize, updates: updates, examplesSeen: snapshots.map(\.seen),
                  losses: snapshots.map { $0.model.loss(data.features, data.labels) },
                  trainingSeconds: seconds, model: model)
}
