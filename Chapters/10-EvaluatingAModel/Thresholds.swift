import DeepLearning
import Foundation

// snippet: best-f1-threshold
/// The threshold whose rule "positive when score ≥ threshold" has the highest F1 for the positive
/// class on these scores, and that F1; on a tie, the higher threshold (fewer alarms).
func bestF1Threshold(scores: [Float], labels: [Int]) -> (threshold: Float, f1: Float) {
  var best: (threshold: Float, f1: Float) = (1, 0)
  for point in precisionRecallCurve(scores: scores, labels: labels) {
    let f1 = point.precision + point.recall == 0
      ? 0 : 2 * point.precision * point.recall / (point.precision + point.recall)
    if f1 > best.f1 { best = (point.threshold, f1) }
  }
  return best
}
// end snippet
