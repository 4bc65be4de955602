import DeepLearning
import Foundation

// ─────────────────────────────────────────────────────────────────────────────────────────────
// Exercises of chapter 10 — yours to rewrite.
//
// Each function below holds a reference solution. Delete its body, write your own, and check it
// with
//
//     swift test --filter Chapter10
//
// ─────────────────────────────────────────────────────────────────────────────────────────────

// snippet: exercise-balanced-accuracy
/// Balanced accuracy: the mean over classes of the recall, so that every class counts as much
/// as every other whatever its size. Answering "ham" to every SMS scores 50%, not 87.7%.
/// A class with no examples has recall 0 (the zero-division convention) but still counts.
func balancedAccuracy(_ matrix: ConfusionMatrix) -> Float {
  guard matrix.classCount > 0 else { return 0 }
  return (0..<matrix.classCount).reduce(Float(0)) { $0 + matrix.recall($1) } / Float(matrix.classCount)
}
// end snippet

// snippet: exercise-threshold-for-precision
/// The lowest threshold at which the rule "positive when score ≥ threshold" reaches at least
/// `minimumPrecision`: of all thresholds precise enough, the one that catches the most positives.
/// nil when no threshold is precise enough.
func threshold(forPrecision minimumPrecision: Float, scores: [Float], labels: [Int]) -> Float? {
  precisionRecallCurve(scores: scores, labels: labels)
    .filter { $0.precision >= minimumPrecision }
    .map(\.threshold)
    .min()
}
// end snippet
