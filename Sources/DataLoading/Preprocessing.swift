// Preparing numbers for a model: dropping bad rows (and saying which and why), and rescaling
// each feature with statistics fitted on the training rows only.

import Core
import CourseSupport

// MARK: - Cleaning

/// What `NumericTable.cleaned` dropped and why: one reason per dropped row (the first problem
/// found in it), counted by kind.
public struct CleaningReport: CustomStringConvertible, Sendable {
  /// Why a row was dropped.
  public enum Reason: Hashable, Sendable, CustomStringConvertible {
    /// A feature had no value (an empty field, `NA`, `?`, NaN).
    case missingValue(column: String)
    /// A feature's value lay outside the valid range (or was infinite).
    case outOfRange(column: String, value: Float)
    /// The label field had no value.
    case missingLabel
    /// The label was not a class `0..<classCount`.
    case unknownLabel(Int)

    /// The kind of problem, for counting: `"missing value"`, `"value out of range"`, `"missing label"`, `"unknown label"`.
    public var kind: String {
      switch self {
      case .missingValue: "missing value"
      case .outOfRange: "value out of range"
      case .missingLabel: "missing label"
      case .unknownLabel: "unknown label"
      }
    }

    /// The reason in words, such as `p5 = 99 is outside 0…16` (without the range, which the report gives).
    public var description: String {
      switch self {
      case .missingValue(let column): "\(column) is missing"
      case .outOfRange(let column, let value): "\(column) = \(value) is out of range"
      case .missingLabel: "the label is missing"
      case .unknownLabel(let label): "the label \(label) is not a class"
      }
    }
  }

  /// A dropped row: its position in the table before cleaning, its line in the file, and why.
  public struct DroppedRow: Sendable {
    /// The row's position in the table before cleaning (0-based).
    public var row: Int
    /// The row's 1-based line in the file.
    public var line: Int
    /// The first problem found in the row.
    public var reason: Reason
  }

  /// The file the rows came from.
  public var path: String
  /// The number of rows before cleaning.
  public var rowsBefore: Int
  /// The positions (before cleaning) of the rows kept, ascending.
  public var keptRows: [Int]
  /// The rows dropped, in file order.
  public var dropped: [DroppedRow]
  /// The range values had to lie in, if one was given.
  public var validRange: ClosedRange<Float>?

  /// How many rows were dropped for each kind of problem (`Reason.kind`).
  public var countsByKind: [String: Int] {
    dropped.reduce(into: [:]) { counts, row in counts[row.reason.kind, default: 0] += 1 }
  }

  /// A summary and the first ten dropped rows, for printing:
  /// ```text
  /// kept 1436 of 1438 rows of train.csv; dropped 2: 1 missing value, 1 value out of range (valid 0.0…16.0)
  ///   line 4: p3 is missing
  ///   line 9: p0 = 99.0 is out of range
  /// ```
  public var description: String {
    let file = path.split(separator: "/").last.map(String.init) ?? path
    var text = "kept \(keptRows.count) of \(rowsBefore) rows of \(file)"
    if dropped.isEmpty { return text + "; dropped none" }
    let counts = countsByKind.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
    text += "; dropped \(dropped.count): " + counts.joined(separator: ", ")
    if let validRange { text += " (valid \(validRange.lowerBound)…\(validRange.upperBound))" }
    for row in dropped.prefix(10) { text += "\n  line \(row.line): \(row.reason)" }
    if dropped.count > 10 { text += "\n  … and \(dropped.count - 10) more" }
    return text
  }
}

extension NumericTable {
  /// The table without rows that have a missing value, a value outside `validRange` (or an
  /// infinite one), or a missing label or one outside `0..<classCount`; and a report of each
  /// dropped row with its line in the file.
  ///
  /// ```swift
  /// let (table, report) = try readNumericCSV(path).cleaned(validRange: 0...16, classCount: 10)
  /// print(report)   // kept 1436 of 1438 rows …; dropped 2: 1 missing value, 1 value out of range
  /// ```
  public func cleaned(validRange: ClosedRange<Float>? = nil, classCount: Int? = nil)
    -> (table: NumericTable, report: CleaningReport)
  {
    let width = columnNames.count
    var kept: [Int] = []
    var dropped: [CleaningReport.DroppedRow] = []
    features.data.withUnsafeBufferPointer { values in
      for row in 0..<rowCount {
        var reason: CleaningReport.Reason?
        if labelColumn != nil {
          let label = labels[row]
          if label < 0 {
            reason = .missingLabel
          } else if let classCount, label >= classCount {
            reason = .unknownLabel(label)
          }
        }
        var column = 0
        while reason == nil && column < width {
          let value = values[row * width + column]
          if value.isNaN {
            reason = .missingValue(column: columnNames[column])
          } else if !value.isFinite || (validRange.map { !$0.contains(value) } ?? false) {
            reason = .outOfRange(column: columnNames[column], value: value)
          }
          column += 1
        }
        if let reason {
          dropped.append(.init(row: row, line: lineNumbers[row], reason: reason))
        } else {
          kept.append(row)
        }
      }
    }
    let table = NumericTable(
      path: path, columnNames: columnNames, labelColumn: labelColumn, features: features.rows(at: kept),
      labels: labelColumn == nil ? [] : kept.map { labels[$0] }, lineNumbers: kept.map { lineNumbers[$0] })
    let report = CleaningReport(
      path: path, rowsBefore: rowCount, keptRows: kept, dropped: dropped, validRange: validRange)
    return (table, report)
  }
}

// MARK: - Scaling

/// Views `x` as [rows, features] (every axis after the first is a feature), checking that it has rows.
private func featureLayout(_ x: Tensor, _ operation: String) -> (rows: Int, features: Int) {
  if x.rank < 2 {
    fatalError("\(operation): expected a table [rows, features…], got shape \(x.shape)")
  }
  return (x.shape[0], Array(x.shape.dropFirst()).product)
}

/// Applies `y = (x − shift[j]) · scale[j] + offset` to every feature j of every row of `x`.
private func affinePerFeature(_ x: Tensor, shift: [Float], scale: [Float], offset: Float, _ operation: String)
  -> Tensor
{
  let (rows, features) = featureLayout(x, operation)
  if features != shift.count {
    fatalError(
      "\(operation): the scaler was fitted on \(shift.count) features, but this tensor \(x.shape) has \(features)")
  }
  let total = rows * features
  let values = [Float](unsafeUninitializedCapacity: total) { output, initialized in
    x.data.withUnsafeBufferPointer { input in
      shift.withUnsafeBufferPointer { shift in
        scale.withUnsafeBufferPointer { scale in
          for row in 0..<rows {
            let base = row * features
            for j in 0..<features { output[base + j] = (input[base + j] - shift[j]) * scale[j] + offset }
          }
        }
      }
    }
    initialized = total
  }
  return Tensor(shape: x.shape, data: values)
}

/// Per-feature sums over `rows` of `x` (all rows when `nil`), in `Double` so that thousands of
/// rows add up without rounding drift; stops if a value is not finite, since statistics of NaN
/// are NaN and would silently spoil every transformed value.
private func visitFeatures(
  _ x: Tensor, rows selected: [Int]?, _ operation: String, _ body: (_ feature: Int, _ value: Float) -> Void
) -> Int {
  let (rows, features) = featureLayout(x, operation)
  let chosen = selected ?? Array(0..<rows)
  if chosen.isEmpty { fatalError("\(operation): cannot fit on zero rows") }
  x.data.withUnsafeBufferPointer { values in
    for row in chosen {
      if row < 0 || row >= rows { fatalError("\(operation): row \(row) is out of range 0..<\(rows)") }
      for j in 0..<features {
        let value = values[row * features + j]
        if !value.isFinite {
          fatalError(
            "\(operation): row \(row), feature \(j) is \(value): drop such rows first (NumericTable.cleaned)")
        }
        body(j, value)
      }
    }
  }
  return chosen.count
}

/// Rescales each feature linearly so that its training minimum maps to `range.lowerBound` and its
/// training maximum to `range.upperBound`: y = lo + (x − min) · (hi − lo) / (max − min).
///
/// Fit it on the training rows only, then transform every split with the same numbers, so that
/// nothing about the validation or test data leaks into training:
/// ```swift
/// let scaler = MinMaxScaler.fit(x, rows: split.train)
/// let scaled = scaler.transform(x)       // all rows, train statistics
/// ```
/// A constant feature (max = min) maps to `range.lowerBound`; values outside the training range
/// map outside `range` (they are not clipped).
public struct MinMaxScaler: Sendable, Equatable {
  /// Each feature's smallest training value.
  public let minimum: [Float]
  /// Each feature's largest training value.
  public let maximum: [Float]
  /// The interval the training values are mapped onto.
  public let range: ClosedRange<Float>

  /// Finds each feature's minimum and maximum over `rows` of `x` ([rows, features…]; all rows when `nil`).
  public static func fit(_ x: Tensor, rows: [Int]? = nil, range: ClosedRange<Float> = 0...1) -> MinMaxScaler {
    let features = featureLayout(x, "MinMaxScaler.fit").features
    var minimum = [Float](repeating: .infinity, count: features)
    var maximum = [Float](repeating: -.infinity, count: features)
    _ = visitFeatures(x, rows: rows, "MinMaxScaler.fit") { j, value in
      if value < minimum[j] { minimum[j] = value }
      if value > maximum[j] { maximum[j] = value }
    }
    return MinMaxScaler(minimum: minimum, maximum: maximum, range: range)
  }

  /// A scaler with given statistics (to restore a saved one).
  public init(minimum: [Float], maximum: [Float], range: ClosedRange<Float> = 0...1) {
    if minimum.count != maximum.count {
      fatalError("MinMaxScaler: \(minimum.count) minima but \(maximum.count) maxima")
    }
    self.minimum = minimum
    self.maximum = maximum
    self.range = range
  }

  /// Rescales `x` ([rows, features…], any split) with the fitted minima and maxima; a new leaf tensor.
  public func transform(_ x: Tensor) -> Tensor {
    let width = range.upperBound - range.lowerBound
    // Guard zero spread: a constant feature would divide by zero.
    let scale = zip(minimum, maximum).map { low, high in high > low ? width / (high - low) : 0 }
    return affinePerFeature(x, shift: minimum, scale: scale, offset: range.lowerBound, "MinMaxScaler.transform")
  }
}

/// Standardises each feature to mean 0 and standard deviation 1 on the training rows:
/// y = (x − μ) / σ, with μ and σ (population standard deviation) measured on the training rows.
///
/// ```swift
/// let standardizer = Standardizer.fit(x, rows: split.train)
/// let z = standardizer.transform(x)
/// ```
/// A feature whose σ is below `minimumDeviation` (constant in training, such as MNIST's corner
/// pixels) is only centred, y = x − μ, instead of being divided by almost zero.
public struct Standardizer: Sendable, Equatable {
  /// Each feature's training mean μ.
  public let mean: [Float]
  /// Each feature's training standard deviation σ = √(mean of (x − μ)²).
  public let standardDeviation: [Float]
  /// The σ below which a feature is treated as constant.
  public let minimumDeviation: Float

  /// Measures each feature's mean and standard deviation over `rows` of `x` (all rows when `nil`),
  /// in two passes (mean, then squared deviations) for accuracy.
  public static func fit(_ x: Tensor, rows: [Int]? = nil, minimumDeviation: Float = 1e-6) -> Standardizer {
    let features = featureLayout(x, "Standardizer.fit").features
    var sums = [Double](repeating: 0, count: features)
    let n = visitFeatures(x, rows: rows, "Standardizer.fit") { j, value in sums[j] += Double(value) }
    let means = sums.map { $0 / Double(n) }
    var squares = [Double](repeating: 0, count: features)
    _ = visitFeatures(x, rows: rows, "Standardizer.fit") { j, value in
      let deviation = Double(value) - means[j]
      squares[j] += deviation * deviation
    }
    return Standardizer(
      mean: means.map { Float($0) }, standardDeviation: squares.map { Float(($0 / Double(n)).squareRoot()) },
      minimumDeviation: minimumDeviation)
  }

  /// A standardizer with given statistics (to restore a saved one).
  public init(mean: [Float], standardDeviation: [Float], minimumDeviation: Float = 1e-6) {
    if mean.count != standardDeviation.count {
      fatalError("Standardizer: \(mean.count) means but \(standardDeviation.count) standard deviations")
    }
    self.mean = mean
    self.standardDeviation = standardDeviation
    self.minimumDeviation = minimumDeviation
  }

  /// Standardises `x` ([rows, features…], any split) with the fitted means and deviations; a new leaf tensor.
  public func transform(_ x: Tensor) -> Tensor {
    let scale = standardDeviation.map { $0 >= minimumDeviation ? 1 / $0 : 1 }
    return affinePerFeature(x, shift: mean, scale: scale, offset: 0, "Standardizer.transform")
  }
}

// MARK: - Inspecting

extension Tensor {
  /// The smallest and the largest element, for checking what a data set holds (pixels 0…255?)
  /// before deciding how to scale it; `nil` for an empty tensor. NaN elements are skipped.
  public var valueRange: ClosedRange<Float>? {
    data.withUnsafeBufferPointer { values in
      var low = Float.infinity, high = -Float.infinity
      for value in values {
        if value < low { low = value }
        if value > high { high = value }
      }
      return low <= high ? low...high : nil
    }
  }
}
