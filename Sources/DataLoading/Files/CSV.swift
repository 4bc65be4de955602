// Numeric CSV: a header line of column names, then one example per line, all numbers.

import Core
import CourseSupport

/// A numeric table read from a CSV file: the feature columns as a [rows, columns] tensor and,
/// if a label column was named, the class label of each row.
///
/// Missing values (an empty field, `NA`, `?`, by default) are kept as `Float.nan` in `features`
/// and as `-1` in `labels`, so that `cleaned(validRange:classCount:)` can report and drop them.
public struct NumericTable {
  /// The file the table was read from, for messages.
  public var path: String
  /// The feature columns' names, from the header, in order (the label column left out).
  public var columnNames: [String]
  /// The label column's name, or `nil` if the table has no labels.
  public var labelColumn: String?
  /// The features, shape [rows, columnNames.count]; `Float.nan` marks a missing value.
  public var features: Tensor
  /// The class label of each row (a whole number ≥ 0; `-1` marks a missing label), or `[]` if
  /// the table has no label column.
  public var labels: [Int]
  /// The 1-based line of the file each row came from (the header is line 1), for messages.
  public var lineNumbers: [Int]

  /// Creates a table from its parts; `features` must be [rows, columnNames.count].
  public init(
    path: String, columnNames: [String], labelColumn: String?, features: Tensor, labels: [Int],
    lineNumbers: [Int]
  ) {
    if features.rank != 2 || features.shape[1] != columnNames.count || lineNumbers.count != features.shape[0]
      || (labelColumn != nil && labels.count != features.shape[0])
    {
      fatalError(
        "NumericTable: features \(features.shape) must be [rows, \(columnNames.count)] with one line number "
          + "(\(lineNumbers.count) given) and one label (\(labels.count) given) per row")
    }
    self.path = path
    self.columnNames = columnNames
    self.labelColumn = labelColumn
    self.features = features
    self.labels = labels
    self.lineNumbers = lineNumbers
  }

  /// The number of rows (examples).
  public var rowCount: Int { features.shape[0] }
}

/// The fields a CSV reader takes as "no value" by default.
public let defaultMissingValueMarkers: Set<String> = ["", "NA", "N/A", "?"]

/// Reads a CSV file whose first line names the columns and whose other lines hold numbers.
///
/// ```swift
/// let table = try readNumericCSV("Datasets/uci-digits/train.csv", labelColumn: "label")
/// table.features.shape   // [1438, 64]
/// ```
/// - Parameters:
///   - labelColumn: the column holding integer class labels, taken out of the features; `nil`
///     keeps every column as a feature.
///   - missingValueMarkers: fields that mean "no value" (read as `Float.nan`, label `-1`); pass
///     `[]` to make any such field an error.
///   - separator: the byte between fields, `,` by default (`;` for some spreadsheets).
/// - Throws: a `CourseError` naming the file and line when the file is missing or empty, the
///   label column is not in the header, a row has the wrong number of fields, a field is not a
///   finite number (`nan` and `inf` are not data), or a label is not a whole number ≥ 0.
public func readNumericCSV(
  _ path: String, labelColumn: String? = "label",
  missingValueMarkers: Set<String> = defaultMissingValueMarkers, separator: Character = ","
) throws(CourseError) -> NumericTable {
  guard let separatorByte = separator.asciiValue else {
    fatalError("readNumericCSV: the separator \(separator) must be one ASCII character, such as , or ;")
  }
  let bytes = try readFileBytes(path, what: "CSV")
  let lines = lineRanges(of: bytes)
  guard let headerLine = lines.first else {
    throw CourseError(
      "the CSV file is empty: expected a header line naming the columns", path: path, line: 1,
      fix: restoreAdvice(for: path))
  }
  let header = try fieldRanges(in: headerLine, of: bytes, separator: separatorByte).map {
    (field) throws(CourseError) in trimmedField(try decodeUTF8(bytes, field, path: path, line: 1))
  }
  var labelIndex: Int?
  if let labelColumn {
    labelIndex = header.firstIndex(of: labelColumn)
    if labelIndex == nil {
      throw CourseError(
        "expected a column named \(quotedField(labelColumn)) in the header, found the columns "
          + header.prefix(8).map { quotedField($0) }.joined(separator: ", ") + (header.count > 8 ? ", …" : ""),
        path: path, line: 1,
        fix: "name the label column with labelColumn: (or pass labelColumn: nil if the file has no labels)")
    }
  }
  let columnNames = header.enumerated().filter { $0.offset != labelIndex }.map(\.element)
  let width = columnNames.count
  let separatorName = separator == "," ? "comma" : "\(quotedField(String(separator)))"

  var values: [Float] = []
  var labels: [Int] = []
  var lineNumbers: [Int] = []
  values.reserveCapacity((lines.count - 1) * width)
  for (index, line) in lines.enumerated().dropFirst() {
    let lineNumber = index + 1
    // A blank line at the very end is harmless (an editor's extra newline); elsewhere it is a row with no fields.
    if line.isEmpty && lines[(index + 1)...].allSatisfy(\.isEmpty) { break }
    let fields = fieldRanges(in: line, of: bytes, separator: separatorByte)
    if fields.count != header.count {
      throw CourseError(
        "expected \(header.count) \(separatorName)-separated fields (as in the header), found \(fields.count)",
        path: path, line: lineNumber, byteOffset: line.lowerBound,
        fix: "give this row one value per header column, delete the row, or " + restoreAdvice(for: path))
    }
    for (column, field) in fields.enumerated() {
      let text = trimmedField(try decodeUTF8(bytes, field, path: path, line: lineNumber))
      let name = header[column]
      let value: Float
      if missingValueMarkers.contains(text) {
        value = .nan
      } else if let number = Float(text), number.isFinite {
        value = number
      } else if Float(text) != nil {
        throw CourseError(
          "expected a finite number in column \(column + 1) (\(quotedField(name))), found \(quotedField(text))",
          path: path, line: lineNumber, byteOffset: field.lowerBound,
          fix: "write a number there"
            + (missingValueMarkers.isEmpty ? ", or " : " (a missing value may be left empty), or ")
            + restoreAdvice(for: path))
      } else {
        throw CourseError(
          "expected a number in column \(column + 1) (\(quotedField(name))), found \(quotedField(text))",
          path: path, line: lineNumber, byteOffset: field.lowerBound,
          fix: "write a number there"
            + (missingValueMarkers.isEmpty ? ", or " : " (a missing value may be left empty), or ")
            + restoreAdvice(for: path))
      }
      if column == labelIndex {
        if value.isNaN {
          labels.append(-1)
        } else if value < 0 || value != value.rounded() || value > 1e9 {
          throw CourseError(
            "expected a class label (a whole number 0, 1, 2, …) in column \(quotedField(name)), found \(quotedField(text))",
            path: path, line: lineNumber, byteOffset: field.lowerBound,
            fix: "labels are class indices counted from 0; " + restoreAdvice(for: path))
        } else {
          labels.append(Int(value))
        }
      } else {
        values.append(value)
      }
    }
    lineNumbers.append(lineNumber)
  }
  if lineNumbers.isEmpty {
    throw CourseError(
      "expected at least one row of numbers after the header line, found none", path: path, line: 2,
      fix: restoreAdvice(for: path))
  }
  return NumericTable(
    path: path, columnNames: columnNames, labelColumn: labelColumn,
    features: Tensor(shape: [lineNumbers.count, width], data: values), labels: labels,
    lineNumbers: lineNumbers)
}

/// A field without surrounding spaces and double quotes, as spreadsheets sometimes write them.
private func trimmedField(_ text: String) -> String {
  var field = Substring(text)
  while let first = field.first, first == " " { field = field.dropFirst() }
  while let last = field.last, last == " " { field = field.dropLast() }
  if field.count >= 2 && field.first == "\"" && field.last == "\"" { field = field.dropFirst().dropLast() }
  return String(field)
}
