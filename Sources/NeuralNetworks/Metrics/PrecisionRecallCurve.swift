import Foundation
import Core

// A binary classifier outputs a score (a probability, a logit); the decision "positive" is
// score ≥ threshold. Raising the threshold trades recall for precision. The precision–recall
// curve shows the whole trade-off at once, instead of the single point that threshold 0.5 gives.

/// One point of a precision–recall curve: predicting positive when score ≥ `threshold` gives
/// this precision and recall.
public struct PrecisionRecallPoint: Sendable, Equatable {
  public let threshold: Float
  public let precision: Float
  public let recall: Float
}

// snippet: precision-recall-curve
/// The precision and recall of the rule "positive when score ≥ threshold", for every distinct
/// score as the threshold, from the highest threshold (few positives: high precision, low
/// recall) to the lowest (everything positive: recall 1). `labels` are 1 for positive and 0 for
/// negative. Sorting the scores once and sweeping the threshold down costs O(n log n).
///
/// Recall is 0 at every threshold when there are no positive labels (the zero-division
/// convention); precision is always defined, because each threshold is a score that some
/// example has.
public func precisionRecallCurve(scores: [Float], labels: [Int]) -> [PrecisionRecallPoint] {
  if scores.count != labels.count {
    fatalError("precisionRecallCurve: \(scores.count) scores but \(labels.count) labels")
  }
  for (index, label) in labels.enumerated() where label != 0 && label != 1 {
    fatalError("precisionRecallCurve: label \(label) of example \(index) is not 0 or 1")
  }
  for (index, score) in scores.enumerated() where score.isNaN {
    fatalError("precisionRecallCurve: score \(index) is NaN")
  }
  let positives = labels.reduce(0, +)
  let order = scores.indices.sorted { scores[$0] > scores[$1] }
  var points: [PrecisionRecallPoint] = []
  var (truePositives, predictedPositives) = (0, 0)
  var position = 0
  while position < order.count {
    // Every example with this score switches to "positive" together.
    let threshold = scores[order[position]]
    while position < order.count && scores[order[position]] == threshold {
      truePositives += labels[order[position]]
      predictedPositives += 1
      position += 1
    }
    points.append(PrecisionRecallPoint(
      threshold: threshold,
      precision: Float(truePositives) / Float(predictedPositives),
      recall: positives == 0 ? 0 : Float(truePositives) / Float(positives)))
  }
  return points
}

/// The area under the precision–recall curve as scikit-learn's average precision computes it:
/// Σₖ (Rₖ − Rₖ₋₁) · Pₖ over the thresholds from the highest down, with R₀ = 0. A perfect
/// ranking gives 1; random scores give about the fraction of positives.
public func averagePrecision(scores: [Float], labels: [Int]) -> Float {
  var (area, previousRecall): (Float, Float) = (0, 0)
  for point in precisionRecallCurve(scores: scores, labels: labels) {
    area += (point.recall - previousRecall) * point.precision
    previousRecall = point.recall
  }
  return area
}
// end snippet
