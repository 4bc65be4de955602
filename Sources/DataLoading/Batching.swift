// Splitting the examples into train / validation / test, and walking them in mini-batches.
//
// Both work on indices (row numbers), not on copies of the data: a split is three index lists,
// a mini-batch is a list of row numbers, and only the batch being trained on is copied out.

import Core
import CourseSupport

/// The three parts of a data set as row indices, each sorted ascending; together they hold every
/// index exactly once.
public struct StratifiedSplit: Sendable, Equatable {
  /// The rows to fit the model (and any scaler) on.
  public var train: [Int]
  /// The rows to choose hyperparameters and stop early on.
  public var validation: [Int]
  /// The rows held back for the final figure (empty when the files already give a test set).
  public var test: [Int]

  /// Splits `labels`' rows so that every class is in the same proportion in every part: within
  /// each class, a seeded shuffle sends `round(validation × n)` rows to validation,
  /// `round(test × n)` to test and the rest to train.
  ///
  /// ```swift
  /// let split = StratifiedSplit(labels: train.labels, validation: 0.1, seed: 42)
  /// let x = train.inputs().rows(at: split.train)
  /// ```
  /// The same labels, fractions and seed give the same split on every machine.
  public init(labels: [Int], validation: Double, test: Double = 0, seed: UInt64) {
    var generator = RandomGenerator(seed: seed)
    self.init(labels: labels, validation: validation, test: test, using: &generator)
  }

  /// Splits as `init(labels:validation:test:seed:)` does, drawing the shuffles from `generator`.
  public init(labels: [Int], validation: Double, test: Double = 0, using generator: inout RandomGenerator) {
    if !(validation >= 0 && test >= 0 && validation + test < 1) {
      fatalError(
        "StratifiedSplit: the validation (\(validation)) and test (\(test)) fractions must be ≥ 0 "
          + "and add up to less than 1, leaving rows to train on")
    }
    var rowsOfClass: [Int: [Int]] = [:]
    for (row, label) in labels.enumerated() { rowsOfClass[label, default: []].append(row) }
    var train: [Int] = [], validationRows: [Int] = [], testRows: [Int] = []
    // Visit the classes in label order so the generator's draws do not depend on dictionary order.
    for label in rowsOfClass.keys.sorted() {
      var rows = rowsOfClass[label]!
      generator.shuffle(&rows)
      let validationCount = Int((validation * Double(rows.count)).rounded())
      let testCount = Swift.min(Int((test * Double(rows.count)).rounded()), rows.count - validationCount)
      validationRows += rows[0..<validationCount]
      testRows += rows[validationCount..<validationCount + testCount]
      train += rows[(validationCount + testCount)...]
    }
    self.train = train.sorted()
    self.validation = validationRows.sorted()
    self.test = testRows.sorted()
  }
}

/// About `count` of `rows`, drawn class by class in the proportions their `labels[row]` have
/// (seeded, rounded per class), in ascending order; all of `rows` when `count` is at least their number.
///
/// ```swift
/// let small = stratifiedSample(of: split.train, labels: images.labels, count: 500, seed: 42)  // 50 per digit
/// ```
public func stratifiedSample(of rows: [Int], labels: [Int], count: Int, seed: UInt64) -> [Int] {
  if count >= rows.count { return rows }
  // The "validation" part of a split of the rows is a stratified sample of the right size.
  let split = StratifiedSplit(labels: rows.map { labels[$0] }, validation: Double(count) / Double(rows.count), seed: seed)
  return split.validation.map { rows[$0] }
}

/// The inputs and labels of the examples at `rows`: `inputs.rows(at: rows)` (a copy outside
/// the autograd graph) and the matching labels.
public func makeBatch(_ rows: [Int], inputs: Tensor, labels: [Int]) -> (inputs: Tensor, labels: [Int]) {
  if inputs.rank == 0 || inputs.shape[0] != labels.count {
    fatalError("makeBatch: inputs \(inputs.shape) must have one row per label (\(labels.count) labels)")
  }
  return (inputs.rows(at: rows), rows.map { labels[$0] })
}
