import DeepLearning
import Foundation

// ─────────────────────────────────────────────────────────────────────────────────────────────
// Exercises of chapter 10 — yours to write.
//
// In the course you are given, each body is a `fatalError` stub: replace it with your own code.
// (In the instructors' copy the reference solution sits between BEGIN SOLUTION and END SOLUTION;
// `swift run Course student-version` replaces it by the stub.)
//
// For each function: write your own, and check it
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
  // BEGIN SOLUTION 10.1
  guard matrix.classCount > 0 else { return 0 }
  return (0..<matrix.classCount).reduce(Float(0)) { $0 + matrix.recall($1) } / Float(matrix.classCount)
  // END SOLUTION
}
// end snippet

// snippet: exercise-threshold-for-precision
/// The lowest threshold at which the rule "positive when score ≥ threshold" reaches at least
/// `minimumPrecision`: of all thresholds precise enough, the one that catches the most positives.
/// nil when no threshold is precise enough.
func threshold(forPrecision minimumPrecision: Float, scores: [Float], labels: [Int]) -> Float? {
  // BEGIN SOLUTION 10.2
  precisionRecallCurve(scores: scores, labels: labels)
    .filter { $0.precision >= minimumPrecision }
    .map(\.threshold)
    .min()
  // END SOLUTION
}
// end snippet
