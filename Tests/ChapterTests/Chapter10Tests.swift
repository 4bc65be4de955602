// Chapter 10 · Evaluating a model: the threshold chosen for the best F1, the exercises (balanced
// accuracy, the threshold for a precision) against brute force, and the chapter program.
// `swift test --filter Chapter10`.

import Foundation
import Testing

@testable import Chapter10
@testable import DeepLearning
import TestSupport

@Suite("Chapter 10: evaluating a model", .serialized)
struct Chapter10Tests {
  /// Scores and labels where positives tend to score higher, with ties.
  static func scoredExamples(seed: UInt64, count: Int) -> (scores: [Float], labels: [Int]) {
    var generator = RandomGenerator(seed: seed)
    let labels = (0..<count).map { _ in generator.nextFloat() < 0.3 ? 1 : 0 }
    let scores = labels.map { label in
      (Float(label) * 0.4 + generator.nextFloat() * 0.6 * 20).rounded() / 20  // steps of 0.05
    }
    return (scores, labels)
  }

  /// Precision, recall and F1 of "positive when score ≥ threshold", counted directly.
  static func counted(_ threshold: Float, _ scores: [Float], _ labels: [Int]) -> (precision: Float, recall: Float, f1: Float) {
    let predictions = scores.map { $0 >= threshold ? 1 : 0 }
    let matrix = ConfusionMatrix(predictions: predictions, labels: labels, classCount: 2)
    return (matrix.precision(1), matrix.recall(1), matrix.f1(1))
  }

  @Test("the threshold with the best F1 is the best of every candidate threshold", arguments: [1, 2, 3])
  func bestF1ThresholdIsBest(seed: Int) {
    let (scores, labels) = Self.scoredExamples(seed: UInt64(seed), count: 300)
    let best = bestF1Threshold(scores: scores, labels: labels)
    let candidates = Set(scores)
    let bruteForce = candidates.map { Self.counted($0, scores, labels).f1 }.max() ?? 0
    #expect(abs(best.f1 - bruteForce) < 1e-6, "\(best.f1) vs \(bruteForce)")
    #expect(abs(Self.counted(best.threshold, scores, labels).f1 - best.f1) < 1e-6)
  }

  // MARK: Exercises

  @Test("exercise: balanced accuracy is the mean recall; always-ham scores one half")
  func exerciseBalancedAccuracy() {
    let labels = [Int](repeating: 0, count: 795) + [Int](repeating: 1, count: 112)
    let allHam = ConfusionMatrix(predictions: [Int](repeating: 0, count: 907), labels: labels, classCount: 2)
    #expect(abs(allHam.accuracy - 795 / 907) < 1e-6)
    #expect(abs(balancedAccuracy(allHam) - 0.5) < 1e-6)
    let perfect = ConfusionMatrix(predictions: labels, labels: labels, classCount: 2)
    #expect(balancedAccuracy(perfect) == 1)
    // Three classes: recalls 1/2, 2/3 and 0 → mean 7/18.
    let matrix = ConfusionMatrix(predictions: [0, 1, 1, 1, 0, 2, 0], labels: [0, 0, 1, 1, 1, 2, 2], classCount: 3)
    #expect(abs(balancedAccuracy(matrix) - (0.5 + 2.0 / 3 + 0.5) / 3) < 1e-6, "\(balancedAccuracy(matrix))")
  }

  @Test("exercise: the threshold for a precision catches the most positives among precise-enough thresholds",
        arguments: [Float(0.5), 0.8, 0.95])
  func exerciseThresholdForPrecision(target: Float) {
    let (scores, labels) = Self.scoredExamples(seed: 7, count: 400)
    let yours = threshold(forPrecision: target, scores: scores, labels: labels)
    let precise = Set(scores).filter { Self.counted($0, scores, labels).precision >= target }
    #expect(yours == precise.min(), "target \(target): yours \(String(describing: yours)), expected \(String(describing: precise.min()))")
    #expect(threshold(forPrecision: 1.01, scores: scores, labels: labels) == nil)
  }

  // MARK: The program

  @Test("the chapter evaluates both models, shows why accuracy misleads, and chooses on validation")
  func chapterRuns() throws {
    let run = try ChapterRunner.run("Chapter10")
    try ChapterRunner.expectCompleteRun(
      run, folder: "10-EvaluatingAModel",
      figures: ["10-confusion-movie-sentiment.svg", "10-confusion-sms-spam.svg", "10-precision-recall.svg"])
    let misleads = "10.3 When accuracy misleads"
    #expect(run.numbers(inLineStartingWith: "always ham", in: misleads) == [87.7, 0, 0, 0, 0.467])
    let model = run.numbers(inLineStartingWith: "bag of words", in: misleads)
    #expect(model.count == 5 && model[0] > 95 && model[3] > 0.85, "\(model)")
    let reported = run.numbers(inLineStartingWith: "reported:", in: "10.5 Validation for choices, the test set once")
    #expect(reported.count >= 3, "\(reported)")
    let bad = try ChapterRunner.run("Chapter10", ["--data", "sms-spam"])
    #expect(bad.status == 2 && bad.errors.contains("--data expects one of movie-sentiment, chinese-sentiment"))
  }

  @Test("every numeric option runs, warns or is refused at both ends of its range, and never crashes")
  func optionRanges() throws {
    try OptionWalk.expectCleanEnds("Chapter10")
  }
}
