import Foundation
import Core
import CourseSupport

// The training loop of every classifier in the course, written once so that chapters can show
// what changes between experiments (data, model, optimiser) rather than the same loop again:
// shuffle, take mini-batches, forward, loss, backward, step; after each epoch, measure on the
// validation split; stop early when validation loss stops improving, and keep the best weights.
// Chapter 9's LSTM adds three settings: its own batch order, the best epoch by validation
// accuracy, and the gradient norms of clipping.

/// Examples a classifier can be trained or evaluated on: their labels, and how to compute the
/// model's logits [batch, classes] for any subset of them (by index). The closure hides whether
/// an example is an image, a sentence or a row of numbers.
public struct ClassificationData {
  public let labels: [Int]
  public let logits: (_ indices: [Int]) -> Tensor

  public init(labels: [Int], logits: @escaping (_ indices: [Int]) -> Tensor) {
    self.labels = labels
    self.logits = logits
  }

  /// Rows of `inputs` (the first axis indexes examples) fed through `model`.
  public init(inputs: Tensor, labels: [Int], model: any Layer) {
    if inputs.shape.first != labels.count {
      fatalError("ClassificationData: inputs of shape \(inputs.shape) but \(labels.count) labels")
    }
    self.init(labels: labels) { indices in model(inputs.rows(at: indices)) }
  }

  public var count: Int { labels.count }
}

/// Which epoch's weights `train` keeps, judged on the validation set after each epoch.
public enum BestEpoch: Sendable {
  /// The epoch with the lowest validation loss: the probabilities that fit the labels best.
  case lowestValidationLoss
  /// The epoch with the highest validation accuracy: for when accuracy is the figure reported.
  case highestValidationAccuracy

  /// The validation figure this choice makes as large as possible: −loss, or the accuracy.
  func score(_ evaluation: Evaluation) -> Float {
    switch self {
    case .lowestValidationLoss: -evaluation.loss
    case .highestValidationAccuracy: evaluation.accuracy
    }
  }
}

/// How to train: the loop's settings.
public struct TrainingSettings: Sendable {
  public var epochs: Int
  public var batchSize: Int
  /// Seeds the order of the training examples in every epoch.
  public var seed: Int
  /// Stop after this many epochs without a better validation figure (the one `keepsBest` names,
  /// the loss by default) and restore the best weights; `nil` trains for every epoch.
  public var patience: Int?
  /// Restore, at the end, the weights of the best epoch by this measure, with or without early
  /// stopping; `nil` keeps the last epoch's weights (or, with `patience`, the lowest loss's).
  public var keepsBest: BestEpoch?
  /// Clip the gradients' global norm to this value before each step (recurrent networks); the
  /// norms before clipping are recorded in `TrainingHistory.gradientNorms`.
  public var maxGradientNorm: Float?
  /// The mini-batches of one epoch, as rows of the training data, drawn from the loop's
  /// generator (seeded by `seed`): for batches of texts of similar length. `nil` shuffles all
  /// rows into `MiniBatches` of `batchSize`.
  public var batchOrder: (@Sendable (_ generator: inout RandomGenerator) -> [[Int]])?

  public init(epochs: Int, batchSize: Int, seed: Int, patience: Int? = nil,
              keepsBest: BestEpoch? = nil, maxGradientNorm: Float? = nil,
              batchOrder: (@Sendable (_ generator: inout RandomGenerator) -> [[Int]])? = nil) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.seed = seed
    self.patience = patience
    self.keepsBest = keepsBest
    self.maxGradientNorm = maxGradientNorm
    self.batchOrder = batchOrder
  }

  /// What the best epoch is judged by: `keepsBest`, else the validation loss when `patience`
  /// is set, else nothing (the last epoch is kept).
  var bestBy: BestEpoch? { keepsBest ?? (patience == nil ? nil : .lowestValidationLoss) }
}

/// Watches a training run as it goes, for a progress line or a log; the loop itself prints
/// nothing. Every method has a default that does nothing, so an observer implements only what
/// it shows.
public protocol TrainingObserver: AnyObject {
  /// Epoch `epoch` of `epochs` starts; `history` holds the epochs before it.
  func epochWillStart(_ epoch: Int, of epochs: Int, history: TrainingHistory)
  /// A batch is done: the running averages over the epoch so far.
  func batchDidFinish(_ batch: Int, of batches: Int, loss: Float, accuracy: Float)
  /// The epoch is done and measured.
  func epochDidFinish(_ record: EpochRecord)
}

extension TrainingObserver {
  public func epochWillStart(_ epoch: Int, of epochs: Int, history: TrainingHistory) {}
  public func batchDidFinish(_ batch: Int, of batches: Int, loss: Float, accuracy: Float) {}
  public func epochDidFinish(_ record: EpochRecord) {}
}

/// Loss and accuracy of one pass over a data set.
public struct Evaluation: Sendable {
  public let loss: Float
  public let accuracy: Float
  public let predictions: [Int]
}

/// The numbers of one epoch. The training loss and accuracy are running averages over the
/// epoch's batches, taken in training mode (dropout on, weights still moving), so they are not
/// what `evaluate` would give at the epoch's end; the validation figures are.
public struct EpochRecord: Sendable {
  public let epoch: Int
  public let trainLoss: Float, trainAccuracy: Float
  public let validationLoss: Float?, validationAccuracy: Float?
  public let seconds: Double
}

/// What happened during training, epoch by epoch.
public struct TrainingHistory: Sendable {
  public internal(set) var epochs: [EpochRecord] = []
  /// The epoch whose weights the model holds at the end: the best on validation (see
  /// `TrainingSettings.keepsBest` and `patience`), else the last.
  public internal(set) var bestEpoch = 0
  public internal(set) var stoppedEarly = false
  /// The global norm of the gradient at every step, before clipping (recorded only when
  /// `TrainingSettings.maxGradientNorm` is set): how often, and how far, it was clipped.
  public internal(set) var gradientNorms: [Float] = []
  public var seconds: Double { epochs.reduce(0) { $0 + $1.seconds } }
  public var last: EpochRecord? { epochs.last }
}

/// Runs `data` through the model without gradients, in batches, and returns the mean
/// cross-entropy, the accuracy and each example's predicted class.
public func evaluate(_ data: ClassificationData, batchSize: Int = 256) -> Evaluation {
  // A loss or an accuracy over no examples is no measurement; the data loaders guarantee examples.
  if data.count == 0 { fatalError("evaluate: no examples to evaluate") }
  return withoutGradients {
    var totalLoss: Float = 0
    var predictions: [Int] = []
    predictions.reserveCapacity(data.count)
    for start in stride(from: 0, to: data.count, by: batchSize) {
      let indices = Array(start..<Swift.min(start + batchSize, data.count))
      let logits = data.logits(indices)
      let labels = indices.map { data.labels[$0] }
      totalLoss += crossEntropy(logits: logits, labels: labels).item * Float(indices.count)
      predictions += logits.argmax()
    }
    let correct = zip(predictions, data.labels).filter { $0 == $1 }.count
    return Evaluation(loss: totalLoss / Float(data.count), accuracy: Float(correct) / Float(data.count),
                      predictions: predictions)
  }
}

// snippet: training-loop
/// Trains `model` on `training` with `optimizer`, minimising softmax cross-entropy, and
/// measures `validation` after every epoch. Throws when the loss becomes NaN or infinite.
/// `observer` sees every batch and epoch (`.progressLine` shows them on one updating line).
public func train(_ model: any Module, on training: ClassificationData,
                  validation: ClassificationData? = nil, optimizer: any Optimizer,
                  settings: TrainingSettings,
                  observer: (any TrainingObserver)? = nil) throws -> TrainingHistory {
  if training.count == 0 || settings.epochs < 1 || settings.batchSize < 1 {
    fatalError("train: \(training.count) training examples, \(settings.epochs) epochs and batches of "
               + "\(settings.batchSize): each must be at least 1 (the data loaders guarantee examples)")
  }
  if settings.keepsBest != nil && validation == nil {
    fatalError("train: keepsBest chooses an epoch by its validation figures; pass validation: data")
  }
  var history = TrainingHistory()
  var generator = RandomGenerator(seed: settings.seed)
  var best: (score: Float, epoch: Int, weights: [[Float]])?

  for epoch in 1...settings.epochs {
    let start = ContinuousClock.now
    model.train()
    // A new order every epoch: the settings' own, or every row shuffled into mini-batches.
    let batches = settings.batchOrder?(&generator)
      ?? Array(MiniBatches(indices: Array(0..<training.count), batchSize: settings.batchSize,
                           shuffledBy: &generator))
    if batches.contains(where: \.isEmpty) { fatalError("train: batchOrder gave an empty batch") }
    observer?.epochWillStart(epoch, of: settings.epochs, history: history)
    var (lossSum, correct, seen) = (Float(0), 0, 0)

    for (batch, indices) in batches.enumerated() {
      let labels = indices.map { training.labels[$0] }
      let logits = training.logits(indices)                  // forward
      let loss = crossEntropy(logits: logits, labels: labels)
      try checkFinite(loss.item, what: "the training loss at epoch \(epoch), batch \(batch + 1)")
      optimizer.zeroGrad()
      loss.backward()                                        // backward
      if let maxNorm = settings.maxGradientNorm {            // clip, keeping the norm before
        history.gradientNorms.append(clipGradientNorm(optimizer.parameters, maxNorm: maxNorm))
      }
      optimizer.step()                                       // update

      lossSum += loss.item * Float(indices.count)
      correct += zip(logits.argmax(), labels).filter { $0 == $1 }.count
      seen += indices.count
      observer?.batchDidFinish(batch + 1, of: batches.count, loss: lossSum / Float(seen),
                               accuracy: Float(correct) / Float(seen))
    }

    model.eval()
    let measured = validation.map { evaluate($0) }
    let elapsed = ContinuousClock.now - start
    history.epochs.append(EpochRecord(
      epoch: epoch, trainLoss: lossSum / Float(seen), trainAccuracy: Float(correct) / Float(seen),
      validationLoss: measured?.loss, validationAccuracy: measured?.accuracy,
      seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18))
    observer?.epochDidFinish(history.epochs[history.epochs.count - 1])
    history.bestEpoch = epoch

    // Remember the best weights; early stopping gives up after `patience` epochs without progress.
    if let bestBy = settings.bestBy, let measured {
      let score = bestBy.score(measured)  // higher is better
      if best == nil || score > best!.score {
        best = (score, epoch, model.parameters.map(\.data))
      } else if let patience = settings.patience, epoch - best!.epoch >= patience {
        history.stoppedEarly = true
        break
      }
    }
  }
  if let best {
    for (parameter, weights) in zip(model.parameters, best.weights) { parameter.update { $0 = weights } }
    history.bestEpoch = best.epoch
  }
  return history
}
// end snippet
