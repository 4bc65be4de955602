import Testing
@testable import DeepLearning
@testable import NeuralNetworks
import TestSupport

private func close(_ a: Float, _ b: Float) -> Bool { Swift.abs(a - b) < 1e-6 }

@Suite("Chapter10 metrics")
struct Chapter10MetricsTests {
  /// Three classes, ten examples.
  ///
  ///     labels      0 0 0 0 1 1 1 2 2 2
  ///     predictions 0 0 1 2 1 1 0 2 2 1
  ///
  /// Confusion matrix (rows = true class, columns = predicted):
  ///
  ///               pred 0  pred 1  pred 2   row sum
  ///     true 0       2       1       1        4
  ///     true 1       1       2       0        3
  ///     true 2       0       1       2        3
  ///     col sum      3       4       3       10
  ///
  /// accuracy = (2 + 2 + 2)/10 = 0.6
  /// class 0: TP 2, FP 3 − 2 = 1, FN 4 − 2 = 2: P = 2/3, R = 2/4 = 1/2, F1 = 2·(2/3)(1/2)/(7/6) = 4/7
  /// class 1: TP 2, FP 4 − 2 = 2, FN 3 − 2 = 1: P = 1/2, R = 2/3,       F1 = 4/7
  /// class 2: TP 2, FP 3 − 2 = 1, FN 3 − 2 = 1: P = 2/3, R = 2/3,       F1 = 2/3
  /// macro P = (2/3 + 1/2 + 2/3)/3 = 11/18, macro R = (1/2 + 2/3 + 2/3)/3 = 11/18,
  /// macro F1 = (4/7 + 4/7 + 2/3)/3 = 38/63
  @Test func threeClassesByHand() {
    let labels = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    let predictions = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1]
    let matrix = ConfusionMatrix(predictions: predictions, labels: labels)
    #expect(matrix.counts == [[2, 1, 1], [1, 2, 0], [0, 1, 2]])
    #expect(matrix.total == 10 && matrix.correct == 6)
    #expect(close(matrix.accuracy, 0.6))
    #expect(close(accuracy(predictions: predictions, labels: labels), 0.6))
    #expect((0..<3).map(matrix.falsePositives) == [1, 2, 1])
    #expect((0..<3).map(matrix.falseNegatives) == [2, 1, 1])
    #expect((0..<3).map(matrix.support) == [4, 3, 3])
    let expected: [(p: Float, r: Float, f1: Float)] = [(2 / 3, 1 / 2, 4 / 7), (1 / 2, 2 / 3, 4 / 7),
                                                       (2 / 3, 2 / 3, 2 / 3)]
    for (k, e) in expected.enumerated() {
      #expect(close(matrix.precision(k), e.p) && close(matrix.recall(k), e.r) && close(matrix.f1(k), e.f1),
              "class \(k): P \(matrix.precision(k)) R \(matrix.recall(k)) F1 \(matrix.f1(k))")
    }
    #expect(close(matrix.macroPrecision, 11 / 18))
    #expect(close(matrix.macroRecall, 11 / 18))
    #expect(close(matrix.macroF1, 38 / 63))
  }

  /// Zero division gives 0, as scikit-learn's default does.
  ///
  ///     labels      0 0 1 1,  predictions 0 0 0 0,  three classes
  ///     matrix [[2, 0, 0], [2, 0, 0], [0, 0, 0]]
  ///
  /// class 0: P = 2/4, R = 2/2 = 1, F1 = 2·0.5·1/1.5 = 2/3
  /// class 1: never predicted → P = 0/0 → 0; R = 0/2 = 0; F1 = 0
  /// class 2: never predicted, never present → P = 0, R = 0/0 → 0, F1 = 0/0 → 0
  /// macro F1 = (2/3 + 0 + 0)/3 = 2/9
  @Test func zeroDivisionIsZero() {
    let matrix = ConfusionMatrix(predictions: [0, 0, 0, 0], labels: [0, 0, 1, 1], classCount: 3)
    #expect(matrix.counts == [[2, 0, 0], [2, 0, 0], [0, 0, 0]])
    #expect(close(matrix.precision(0), 0.5) && close(matrix.recall(0), 1) && close(matrix.f1(0), 2 / 3))
    #expect(matrix.precision(1) == 0 && matrix.recall(1) == 0 && matrix.f1(1) == 0)
    #expect(matrix.precision(2) == 0 && matrix.recall(2) == 0 && matrix.f1(2) == 0)
    #expect(close(matrix.macroF1, 2 / 9))
    // No examples at all.
    #expect(accuracy(predictions: [], labels: []) == 0)
    #expect(ConfusionMatrix(predictions: [], labels: [], classCount: 2).accuracy == 0)
  }

  /// Binary, with names:
  ///
  ///     labels      0 0 0 0 1 1,  predictions 0 0 0 1 1 0  →  [[3, 1], [1, 1]]
  ///     negative: TP 3, FP 1, FN 1 → P = R = F1 = 0.75, support 4
  ///     positive: TP 1, FP 1, FN 1 → P = R = F1 = 0.5,  support 2
  ///     accuracy 4/6 = 0.6667, macro averages 0.625
  @Test func classificationReportIsAnAlignedTable() {
    let report = classificationReport(predictions: [0, 0, 0, 1, 1, 0], labels: [0, 0, 0, 0, 1, 1],
                                      classNames: ["negative", "positive"])
    let expected = [
      "          precision    recall  f1-score   support",
      "",
      " negative    0.7500    0.7500    0.7500         4",
      " positive    0.5000    0.5000    0.5000         2",
      "",
      " accuracy                        0.6667         6",
      "macro avg    0.6250    0.6250    0.6250         6",
    ].joined(separator: "\n")
    #expect(report == expected, "got\n\(report)")
    let table = ConfusionMatrix(predictions: [0, 0, 0, 1, 1, 0], labels: [0, 0, 0, 0, 1, 1])
      .table(classNames: ["negative", "positive"])
    #expect(table == [
      "true \\ predicted  negative  positive",
      "negative                 3         1",
      "positive                 1         1",
    ].joined(separator: "\n"), "got\n\(table)")
  }

  /// Scores 0.9 0.8 0.7 0.6 0.55 0.4 with labels 1 0 1 1 0 0 (three positives). Lowering the
  /// threshold to each score in turn:
  ///
  ///     threshold  predicted positive  true positives  precision  recall
  ///     0.9        1                   1               1          1/3
  ///     0.8        2                   1               1/2        1/3
  ///     0.7        3                   2               2/3        2/3
  ///     0.6        4                   3               3/4        1
  ///     0.55       5                   3               3/5        1
  ///     0.4        6                   3               1/2        1
  ///
  /// average precision = 1/3·1 + 0·1/2 + 1/3·2/3 + 1/3·3/4 + 0 + 0 = 29/36
  @Test func precisionRecallCurveByHand() {
    let scores: [Float] = [0.55, 0.9, 0.4, 0.7, 0.8, 0.6]  // shuffled: the order must not matter
    let labels = [0, 1, 0, 1, 0, 1]
    let curve = precisionRecallCurve(scores: scores, labels: labels)
    #expect(curve.map(\.threshold) == [0.9, 0.8, 0.7, 0.6, 0.55, 0.4])
    let expected: [(Float, Float)] = [(1, 1 / 3), (1 / 2, 1 / 3), (2 / 3, 2 / 3), (3 / 4, 1),
                                      (3 / 5, 1), (1 / 2, 1)]
    for (point, (precision, recall)) in zip(curve, expected) {
      #expect(close(point.precision, precision) && close(point.recall, recall), "\(point)")
    }
    #expect(close(averagePrecision(scores: scores, labels: labels), 29 / 36))
  }

  /// Tied scores cross the threshold together; with no positives, recall is 0.
  @Test func precisionRecallCurveTiesAndNoPositives() {
    let curve = precisionRecallCurve(scores: [0.5, 0.2, 0.5], labels: [1, 1, 0])
    #expect(curve == [PrecisionRecallPoint(threshold: 0.5, precision: 0.5, recall: 0.5),
                      PrecisionRecallPoint(threshold: 0.2, precision: 2 / 3, recall: 1)])
    let none = precisionRecallCurve(scores: [0.3, 0.1], labels: [0, 0])
    #expect(none.map(\.precision) == [0, 0] && none.map(\.recall) == [0, 0])
    #expect(precisionRecallCurve(scores: [], labels: []).isEmpty)
  }
}
