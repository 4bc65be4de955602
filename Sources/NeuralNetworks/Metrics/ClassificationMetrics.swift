import Foundation
import Core

// Accuracy alone hides how a classifier fails: on a test set with 90% negatives, answering
// "negative" every time scores 90%. The confusion matrix shows every kind of mistake, and
// precision, recall and F1 summarise it per class.

/// The fraction of predictions equal to their label, between 0 and 1 (0 for no predictions).
public func accuracy(predictions: [Int], labels: [Int]) -> Float {
  checkSameCount(predictions, labels, in: "accuracy")
  if labels.isEmpty { return 0 }
  return Float(zip(predictions, labels).filter { $0 == $1 }.count) / Float(labels.count)
}

// snippet: confusion-matrix
/// Counts of (true class, predicted class) pairs: `counts[t][p]` is how many examples of class
/// t were predicted as class p. Rows are true classes and columns predictions, as in
/// scikit-learn; the diagonal holds the correct answers.
///
/// For class k, with TP = counts[k][k], FP = the rest of column k, FN = the rest of row k:
///
///     precision = TP / (TP + FP)    of the examples predicted k, the fraction that are k
///     recall    = TP / (TP + FN)    of the examples that are k, the fraction found
///     F1        = 2 · precision · recall / (precision + recall)
///
/// A ratio whose denominator is 0 (a class never predicted, or never present) is 0, scikit-learn's
/// default (`zero_division=0`), so a classifier that ignores a class is not rewarded for it.
public struct ConfusionMatrix: Sendable, CustomStringConvertible {
  /// `counts[trueClass][predictedClass]`.
  public let counts: [[Int]]

  /// Counts the pairs; `classCount` defaults to one more than the largest class seen.
  public init(predictions: [Int], labels: [Int], classCount: Int? = nil) {
    checkSameCount(predictions, labels, in: "ConfusionMatrix")
    let classes = classCount ?? ((predictions + labels).max() ?? -1) + 1
    var counts = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
    for (index, (predicted, label)) in zip(predictions, labels).enumerated() {
      if predicted < 0 || predicted >= classes || label < 0 || label >= classes {
        fatalError("ConfusionMatrix: example \(index) has prediction \(predicted) and label " +
                   "\(label), outside the classes 0..<\(classes)")
      }
      counts[label][predicted] += 1
    }
    self.counts = counts
  }

  public var classCount: Int { counts.count }
  /// The number of examples.
  public var total: Int { counts.joined().reduce(0, +) }
  /// The number of correct predictions: the diagonal.
  public var correct: Int { (0..<classCount).reduce(0) { $0 + counts[$1][$1] } }
  /// correct / total (0 for no examples).
  public var accuracy: Float { ratio(correct, total) }

  public func truePositives(_ k: Int) -> Int { counts[k][k] }
  /// Examples predicted k that are not k: the rest of column k.
  public func falsePositives(_ k: Int) -> Int {
    (0..<classCount).reduce(0) { $0 + counts[$1][k] } - counts[k][k]
  }
  /// Examples of class k predicted as something else: the rest of row k.
  public func falseNegatives(_ k: Int) -> Int { counts[k].reduce(0, +) - counts[k][k] }
  /// How many examples truly belong to class k: the sum of row k.
  public func support(_ k: Int) -> Int { counts[k].reduce(0, +) }

  /// TP / (TP + FP), or 0 when class k is never predicted.
  public func precision(_ k: Int) -> Float {
    ratio(truePositives(k), truePositives(k) + falsePositives(k))
  }
  /// TP / (TP + FN), or 0 when class k never occurs.
  public func recall(_ k: Int) -> Float {
    ratio(truePositives(k), truePositives(k) + falseNegatives(k))
  }
  /// The harmonic mean of precision and recall, or 0 when both are 0.
  public func f1(_ k: Int) -> Float {
    let (p, r) = (precision(k), recall(k))
    return p + r == 0 ? 0 : 2 * p * r / (p + r)
  }

  /// The unweighted mean over classes, so that a rare class counts as much as a common one.
  public var macroPrecision: Float { mean((0..<classCount).map(precision)) }
  public var macroRecall: Float { mean((0..<classCount).map(recall)) }
  /// The mean of the per-class F1 scores (scikit-learn's macro F1), not the F1 of the macro
  /// precision and recall.
  public var macroF1: Float { mean((0..<classCount).map(f1)) }

  /// The matrix as an aligned table, true classes down and predictions across.
  public var description: String { table(classNames: nil) }

  /// The matrix as an aligned table with the classes named.
  public func table(classNames: [String]?) -> String {
    let names = checkedNames(classNames, classCount: classCount)
    let corner = "true \\ predicted"
    let labelWidth = max(names.map(\.count).max() ?? 0, corner.count)
    let widestCount = counts.joined().map { String($0).count }.max() ?? 1
    let width = max(names.map(\.count).max() ?? 0, widestCount) + 2
    var lines = [pad(corner, labelWidth, left: true) + names.map { pad($0, width) }.joined()]
    for (k, row) in counts.enumerated() {
      lines.append(pad(names[k], labelWidth, left: true) + row.map { pad(String($0), width) }.joined())
    }
    return lines.joined(separator: "\n")
  }
}
// end snippet

// snippet: classification-report
/// Precision, recall, F1 and support of every class, then accuracy and the macro averages, as
/// an aligned table like scikit-learn's `classification_report`:
///
///               precision    recall  f1-score   support
///
///      negative    0.8000    0.6667    0.7273         6
///      positive    0.7143    0.8333    0.7692         6
///
///      accuracy                        0.7500        12
///     macro avg    0.7571    0.7500    0.7483        12
public func classificationReport(predictions: [Int], labels: [Int], classNames: [String]? = nil,
                                 digits: Int = 4) -> String {
  let matrix = ConfusionMatrix(predictions: predictions, labels: labels,
                               classCount: classNames?.count)
  let names = checkedNames(classNames, classCount: matrix.classCount)
  let nameWidth = max(names.map(\.count).max() ?? 0, "macro avg".count)
  let columnWidth = max(digits + 6, "precision".count + 1)
  func number(_ x: Float) -> String { pad(String(format: "%.\(digits)f", x), columnWidth) }
  func count(_ n: Int) -> String { pad(String(n), columnWidth) }
  let blank = String(repeating: " ", count: columnWidth)
  let headings = ["precision", "recall", "f1-score", "support"].map { pad($0, columnWidth) }
  var lines = [String(repeating: " ", count: nameWidth) + headings.joined(), ""]
  for k in 0..<matrix.classCount {
    lines.append(pad(names[k], nameWidth) + number(matrix.precision(k)) + number(matrix.recall(k)) +
                 number(matrix.f1(k)) + count(matrix.support(k)))
  }
  lines.append("")
  lines.append(pad("accuracy", nameWidth) + blank + blank + number(matrix.accuracy) +
               count(matrix.total))
  lines.append(pad("macro avg", nameWidth) + number(matrix.macroPrecision) +
               number(matrix.macroRecall) + number(matrix.macroF1) + count(matrix.total))
  return lines.joined(separator: "\n")
}
// end snippet

/// `numerator / denominator`, or 0 when the denominator is 0 (the zero-division convention).
private func ratio(_ numerator: Int, _ denominator: Int) -> Float {
  denominator == 0 ? 0 : Float(numerator) / Float(denominator)
}

private func mean(_ values: [Float]) -> Float {
  values.isEmpty ? 0 : values.reduce(0, +) / Float(values.count)
}

/// Right-aligns `text` in a field of `width` characters (left-aligns when `left`).
private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
  let space = String(repeating: " ", count: max(0, width - text.count))
  return left ? text + space : space + text
}

private func checkedNames(_ names: [String]?, classCount: Int) -> [String] {
  guard let names else { return (0..<classCount).map(String.init) }
  if names.count != classCount {
    fatalError("classification metrics: \(names.count) class names for \(classCount) classes")
  }
  return names
}

private func checkSameCount(_ predictions: [Int], _ labels: [Int], in metric: String) {
  if predictions.count != labels.count {
    fatalError("\(metric): \(predictions.count) predictions but \(labels.count) labels; " +
               "there must be one prediction per label")
  }
}
