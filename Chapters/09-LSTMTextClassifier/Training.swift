import DeepLearning
import Foundation

/// How the training texts are grouped into mini-batches.
enum Batching: String {
  /// Texts of similar length together (`bucketedBatches`).
  case bucketed
  /// Any texts together, as `MiniBatches` draws them.
  case shuffled
}

/// The numbers of one epoch of training.
struct EpochResult {
  let epoch: Int
  let trainLoss: Float, trainAccuracy: Float
  let validationLoss: Float, validationAccuracy: Float
  let seconds: Double
}

/// What `trainLSTMClassifier` did: every epoch, the epoch whose weights were kept, and the
/// gradient norm of every step before clipping.
struct LSTMTraining {
  var epochs: [EpochResult] = []
  var bestEpoch = 0
  var gradientNorms: [Float] = []
  /// Time steps computed (batch rows × trimmed length) and how many of them were real tokens.
  var computedSteps = 0, realSteps = 0
  var seconds: Double { epochs.reduce(0) { $0 + $1.seconds } }
}

// snippet: lstm-training-loop
/// Trains `model` on the padded training texts with Adam and softmax cross-entropy, clipping the
/// gradients' global norm to `maxGradientNorm` before each step; after every epoch it measures
/// the validation texts and, at the end, puts back the weights of the epoch with the best
/// validation accuracy.
func trainLSTMClassifier(_ model: LSTMClassifier, sequences: PaddedSequences, labels: [Int],
                         validation: ClassificationData, epochs: Int, batchSize: Int,
                         learningRate: Float, maxGradientNorm: Float, batching: Batching,
                         seed: Int) throws -> LSTMTraining {
  let optimizer = Adam(model.parameters, learningRate: learningRate)
  var generator = RandomGenerator(seed: seed)
  var training = LSTMTraining()
  var bestWeights: [[Float]] = []
  for epoch in 1...epochs {
    let stopwatch = Stopwatch()
    model.train()
    let batches = batching == .bucketed
      ? bucketedBatches(lengths: sequences.lengths, batchSize: batchSize, using: &generator)
      : Array(MiniBatches(indices: Array(0..<sequences.count), batchSize: batchSize,
                          shuffledBy: &generator))
    let epochText = String(repeating: " ", count: String(epochs).count - String(epoch).count) + "\(epoch)"
    let progress = ProgressLine("epoch \(epochText)/\(epochs)")
    var (lossSum, correct, seen) = (Float(0), 0, 0)
    for (step, rows) in batches.enumerated() {
      let batch = sequences[rows].trimmedToLongest()  // compute no step that is padding in every row
      let batchLabels = rows.map { labels[$0] }
      let logits = model(batch)
      let loss = crossEntropy(logits: logits, labels: batchLabels)
      try checkFinite(loss.item, what: "the training loss at epoch \(epoch), batch \(step + 1)")
      optimizer.zeroGrad()
      loss.backward()
      training.gradientNorms.append(clipGradientNorm(optimizer.parameters, maxNorm: maxGradientNorm))
      optimizer.step()

      training.computedSteps += batch.count * batch.length
      training.realSteps += batch.lengths.reduce(0, +)
      lossSum += loss.item * Float(rows.count)
      correct += zip(logits.argmax(), batchLabels).filter { $0 == $1 }.count
      seen += rows.count
      progress.update(step: step + 1, of: batches.count, metrics: [
        .value("loss", lossSum / Float(seen)), .percent("acc", Float(correct) / Float(seen))])
    }
    model.eval()
    let measured = evaluate(validation)
    progress.finish(metrics: [
      .value("loss", lossSum / Float(seen)), .percent("acc", Float(correct) / Float(seen)),
      .value("val loss", measured.loss), .percent("val acc", measured.accuracy)])
    training.epochs.append(EpochResult(
      epoch: epoch, trainLoss: lossSum / Float(seen), trainAccuracy: Float(correct) / Float(seen),
      validationLoss: measured.loss, validationAccuracy: measured.accuracy, seconds: stopwatch.seconds))
    if training.bestEpoch == 0 || measured.accuracy > training.epochs[training.bestEpoch - 1].validationAccuracy {
      training.bestEpoch = epoch
      bestWeights = model.parameters.map(\.data)
    }
  }
  for (parameter, weights) in zip(model.parameters, bestWeights) { parameter.update { $0 = weights } }
  return training
}
// end snippet

/// Labelled sequences for `evaluate`, visited from the shortest text to the longest so that each
/// evaluation batch, trimmed to its longest text, carries little padding. `order[k]` is the text
/// at position k, to map the predictions back.
func lengthSortedData(_ sequences: PaddedSequences, labels: [Int],
                      logits: @escaping (PaddedSequences) -> Tensor) -> (data: ClassificationData, order: [Int]) {
  let order = (0..<sequences.count).sorted { (sequences.lengths[$0], $0) < (sequences.lengths[$1], $1) }
  let data = ClassificationData(labels: order.map { labels[$0] }) { positions in
    logits(sequences[positions.map { order[$0] }].trimmedToLongest())
  }
  return (data, order)
}

/// The loss and accuracy curves, train against validation, with the kept epoch marked.
func writeCurves(_ training: LSTMTraining, title: String, lossPath: String, accuracyPath: String) throws -> [String] {
  let x = training.epochs.map { Double($0.epoch) }
  var loss = LineChart(title: "\(title): loss", xLabel: "epoch", yLabel: "cross-entropy")
  loss.addSeries("train", x: x, y: training.epochs.map { Double($0.trainLoss) })
  loss.addSeries("validation", x: x, y: training.epochs.map { Double($0.validationLoss) }, dashed: true)
  var accuracy = LineChart(title: "\(title): accuracy", xLabel: "epoch", yLabel: "accuracy (%)")
  accuracy.addSeries("train", x: x, y: training.epochs.map { Double($0.trainAccuracy) * 100 })
  accuracy.addSeries("validation", x: x, y: training.epochs.map { Double($0.validationAccuracy) * 100 },
                     dashed: true)
  for chart in [0, 1] where training.bestEpoch > 0 {
    if chart == 0 { loss.addReferenceLine(x: Double(training.bestEpoch), label: "kept") }
    else { accuracy.addReferenceLine(x: Double(training.bestEpoch), label: "kept") }
  }
  return [try loss.write(to: lossPath), try accuracy.write(to: accuracyPath)]
}
