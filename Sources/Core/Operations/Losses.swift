import Foundation

// Loss functions: one number that says how wrong a prediction is, which training makes smaller.

/// Stops with a message when a loss is given a prediction and a target of different shapes:
/// broadcasting [N, 1] against [N] would silently compare every prediction with every target.
func checkSameShape(_ prediction: Tensor, _ target: Tensor, in loss: String) {
  if prediction.shape != target.shape {
    fatalError("\(loss): prediction shape \(prediction.shape) and target shape \(target.shape) " +
               "differ; reshape one of them (e.g. target.reshaped(\(prediction.shape)))")
  }
}

// snippet: losses
/// Mean squared error, mean((prediction − target)²): the loss of regression.
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
  checkSameShape(prediction, target, in: "meanSquaredError")
  return pow(prediction - target, 2).mean()
}

/// Binary cross-entropy of probabilities p against 0/1 targets t:
/// −mean(t·log p + (1 − t)·log(1 − p)). It is infinite when a wrong answer has probability 1,
/// which is why `binaryCrossEntropy(logits:targets:)` exists.
public func binaryCrossEntropy(_ probabilities: Tensor, _ targets: Tensor) -> Tensor {
  checkSameShape(probabilities, targets, in: "binaryCrossEntropy")
  return -(targets * log(probabilities) + (1 - targets) * log(1 - probabilities)).mean()
}

/// Binary cross-entropy computed from logits z (before the sigmoid), in the stable form
/// max(z, 0) − z·t + log(1 + e^(−|z|)).  ∂L/∂z = (σ(z) − t)/n
public func binaryCrossEntropy(logits: Tensor, targets: Tensor) -> Tensor {
  checkSameShape(logits, targets, in: "binaryCrossEntropy(logits:targets:)")
  let n = Float(logits.count)
  var total: Float = 0
  for (z, t) in zip(logits.data, targets.data) {
    total += Swift.max(z, 0) - z * t + Foundation.log1p(Foundation.exp(-Swift.abs(z)))
  }
  return .record(Tensor(total / n), operation: "binaryCrossEntropy", inputs: [logits, targets]) { grad in
    let scale = grad.item / n
    let dz = zip(logits.data, targets.data).map { z, t in
      (1 / (1 + Foundation.exp(-z)) - t) * scale
    }
    return [Tensor(shape: logits.shape, data: dz), nil]
  }
}

/// Softmax cross-entropy of [N, C] logits against N integer class labels: the mean over rows
/// of −log softmax(z)[label], the loss of classification. Fused with the log-softmax so that it
/// is stable and its gradient is simply (softmax(z) − onehot(label))/N.
public func crossEntropy(logits: Tensor, labels: [Int]) -> Tensor {
  guard logits.rank == 2, logits.shape[0] == labels.count else {
    fatalError("crossEntropy: logits of shape \(logits.shape) need the shape [N, classes] " +
               "with N = \(labels.count), the number of labels")
  }
  let (rows, classes) = (logits.shape[0], logits.shape[1])
  for (row, label) in labels.enumerated() where label < 0 || label >= classes {
    fatalError("crossEntropy: label \(label) of row \(row) is outside 0..<\(classes)")
  }
  var logProbabilities = logits.data
  logSoftmaxRows(&logProbabilities, width: classes)
  var total: Float = 0
  for (row, label) in labels.enumerated() { total -= logProbabilities[row * classes + label] }
  let value = Tensor(total / Float(Swift.max(rows, 1)))
  return .record(value, operation: "crossEntropy", inputs: [logits]) { grad in
    let scale = grad.item / Float(Swift.max(rows, 1))
    var dz = logProbabilities.map { Foundation.exp($0) * scale }
    for (row, label) in labels.enumerated() { dz[row * classes + label] -= scale }
    return [Tensor(shape: logits.shape, data: dz)]
  }
}
// end snippet
