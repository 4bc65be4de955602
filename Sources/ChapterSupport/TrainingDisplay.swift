import Foundation
import NeuralNetworks
import CourseSupport
import Plotting

// How a training run looks to the learner: one updating progress line per epoch, and the
// loss and accuracy curves as figures. The training loop itself (NeuralNetworks) prints nothing.

/// Shows each epoch on one updating line: epoch, batch, running loss and accuracy, and on a
/// terminal, after the first epoch, the estimated time left for the whole run. Elsewhere (a pipe,
/// a log file) each epoch is one plain final line, without the estimate, which is stale by the
/// time anyone reads it.
public final class ProgressLineObserver: TrainingObserver {
  private var line: ProgressLine?
  private let output: ProgressOutput

  /// Shows the progress on `output`, standard output by default.
  public init(output: ProgressOutput = .standardOutput) {
    self.output = output
  }

  public func epochWillStart(_ epoch: Int, of epochs: Int, history: TrainingHistory) {
    line = ProgressLine(epochLabel(epoch, of: epochs, history: history, showsTimeLeft: output.isTerminal),
                        output: output)
  }

  public func batchDidFinish(_ batch: Int, of batches: Int, loss: Float, accuracy: Float) {
    line?.update(step: batch, of: batches, metrics: [.value("loss", loss), .percent("acc", accuracy)])
  }

  public func epochDidFinish(_ record: EpochRecord) {
    var metrics: [ProgressMetric] = [.value("loss", record.trainLoss), .percent("acc", record.trainAccuracy)]
    if let loss = record.validationLoss, let accuracy = record.validationAccuracy {
      metrics += [.value("val loss", loss), .percent("val acc", accuracy)]
    }
    line?.finish(metrics: metrics)
    line = nil
  }
}

extension TrainingObserver where Self == ProgressLineObserver {
  /// The progress line: `train(…, observer: .progressLine)`.
  public static var progressLine: ProgressLineObserver { ProgressLineObserver() }
}

/// "epoch 3/20", followed after the first epoch by the estimated time left for the whole run
/// when `showsTimeLeft`.
func epochLabel(_ epoch: Int, of epochs: Int, history: TrainingHistory, showsTimeLeft: Bool) -> String {
  let width = String(epochs).count
  let label = "epoch " + String(repeating: " ", count: width - String(epoch).count) + "\(epoch)/\(epochs)"
  guard showsTimeLeft, !history.epochs.isEmpty else { return label }
  let perEpoch = history.seconds / Double(history.epochs.count)
  return label + " (~\(formatDuration(perEpoch * Double(epochs - epoch + 1))) left)"
}

extension TrainingHistory {
  /// Draws the loss and accuracy curves, train against validation, side by side in two
  /// figures, and returns their paths. A gap that opens between the two curves is overfitting.
  public func writeCurves(lossPath: String, accuracyPath: String, title: String) throws -> [String] {
    let epochNumbers = epochs.map { Double($0.epoch) }
    var loss = LineChart(title: "\(title): loss", xLabel: "epoch", yLabel: "cross-entropy")
    var accuracy = LineChart(title: "\(title): accuracy", xLabel: "epoch", yLabel: "accuracy (%)")
    loss.addSeries("train", x: epochNumbers, y: epochs.map { Double($0.trainLoss) })
    accuracy.addSeries("train", x: epochNumbers, y: epochs.map { Double($0.trainAccuracy) * 100 })
    if epochs.contains(where: { $0.validationLoss != nil }) {
      loss.addSeries("validation", x: epochNumbers, y: epochs.map { Double($0.validationLoss ?? .nan) }, dashed: true)
      accuracy.addSeries("validation", x: epochNumbers,
                         y: epochs.map { Double(($0.validationAccuracy ?? .nan) * 100) }, dashed: true)
    }
    if stoppedEarly || bestEpoch != epochs.last?.epoch {
      loss.addReferenceLine(x: Double(bestEpoch), label: "best epoch")
      accuracy.addReferenceLine(x: Double(bestEpoch), label: "best epoch")
    }
    return [try loss.write(to: lossPath), try accuracy.write(to: accuracyPath)]
  }
}

