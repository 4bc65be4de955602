// Tab-separated text: a header line naming the columns, then one record per line, fields
// separated by exactly one tab. Texts never contain a tab or a newline, so no quoting is needed.

import Core
import CourseSupport

/// A table read from a tab-separated file: the header's column names and every row's fields as text.
public struct TSVTable: Sendable {
  /// The file the table was read from, for messages.
  public var path: String
  /// The column names from the header line.
  public var columns: [String]
  /// The rows after the header, each with exactly `columns.count` fields.
  public var rows: [[String]]
  /// The 1-based line of the file each row came from (the header is line 1), for messages.
  public var lineNumbers: [Int]

  /// The position of the column called `name`, or `nil` if the header has no such column.
  public func columnIndex(_ name: String) -> Int? { columns.firstIndex(of: name) }

  /// Every row's field in column `name`, or `nil` if the header has no such column.
  public func column(_ name: String) -> [String]? {
    guard let index = columnIndex(name) else { return nil }
    return rows.map { $0[index] }
  }
}

/// Reads a UTF-8 tab-separated file with a header line.
///
/// - Parameter requiredColumns: columns the header must have; a missing one is an error that
///   lists the columns found.
/// - Throws: a `CourseError` naming the file and line when the file is missing, empty or not
///   UTF-8, lacks a required column, or a line has more or fewer fields than the header (a line
///   without a tab, a text containing a tab).
public func readTSV(_ path: String, requiredColumns: [String] = []) throws(CourseError) -> TSVTable {
  let bytes = try readFileBytes(path, what: "TSV")
  let lines = lineRanges(of: bytes)
  let tab = UInt8(ascii: "\t")
  guard let headerLine = lines.first, !headerLine.isEmpty else {
    throw CourseError(
      "expected a header line naming the tab-separated columns (such as label<TAB>text), found "
        + (lines.isEmpty ? "an empty file" : "an empty line"),
      path: path, line: 1, fix: restoreAdvice(for: path))
  }
  let columns = try fieldRanges(in: headerLine, of: bytes, separator: tab).map {
    (field) throws(CourseError) in try decodeUTF8(bytes, field, path: path, line: 1)
  }
  for required in requiredColumns where !columns.contains(required) {
    throw CourseError(
      "expected a column named \(quotedField(required)) in the header, found "
        + columns.map { quotedField($0) }.joined(separator: ", "),
      path: path, line: 1,
      fix: "the first line must name the columns, separated by tabs: "
        + requiredColumns.joined(separator: "<TAB>") + "; " + restoreAdvice(for: path))
  }
  let layout = columns.joined(separator: "<TAB>")

  var rows: [[String]] = []
  var lineNumbers: [Int] = []
  rows.reserveCapacity(lines.count - 1)
  for (index, line) in lines.enumerated().dropFirst() {
    let lineNumber = index + 1
    if line.isEmpty && lines[(index + 1)...].allSatisfy(\.isEmpty) { break }
    let fields = fieldRanges(in: line, of: bytes, separator: tab)
    if fields.count != columns.count {
      let problem: String
      if fields.count == 1 {
        problem = line.isEmpty ? "the line is empty" : "the line has no tab"
      } else if fields.count < columns.count {
        problem = "a field is missing"
      } else {
        problem = "a field contains a tab"
      }
      let start = try decodeUTF8(bytes, line.lowerBound..<Swift.min(line.upperBound, line.lowerBound + 120),
                                 path: path, line: lineNumber).prefix(40)
      throw CourseError(
        "expected \(columns.count) tab-separated fields (\(layout)), found \(fields.count): \(problem) "
          + "(it starts \(quotedField(String(start))))",
        path: path, line: lineNumber, byteOffset: line.lowerBound,
        fix: "separate the fields with one tab (editors may turn tabs into spaces), or "
          + restoreAdvice(for: path))
    }
    rows.append(
      try fields.map { (field) throws(CourseError) in try decodeUTF8(bytes, field, path: path, line: lineNumber) })
    lineNumbers.append(lineNumber)
  }
  return TSVTable(path: path, columns: columns, rows: rows, lineNumbers: lineNumbers)
}

/// Labelled texts for classification: each text, the index of its label, and the label names.
public struct TextDataset: Sendable {
  /// A short name for printing, such as `"movie-sentiment train"`.
  public var name: String
  /// The texts, one per example.
  public var texts: [String]
  /// The label of each example, as an index into `labelNames`.
  public var labels: [Int]
  /// The label names, in index order (`["neg", "pos"]`).
  public var labelNames: [String]
  /// Every other column of the file by name (such as movie-sentiment's `"rating"`), one field per example.
  public var otherColumns: [String: [String]]

  /// Creates a data set from its parts; every label must index `labelNames`.
  public init(
    name: String, texts: [String], labels: [Int], labelNames: [String], otherColumns: [String: [String]] = [:]
  ) {
    if texts.count != labels.count || labels.contains(where: { $0 < 0 || $0 >= labelNames.count }) {
      fatalError(
        "TextDataset(\(name)): \(texts.count) texts need \(texts.count) labels (got \(labels.count)), "
          + "each in 0..<\(labelNames.count)")
    }
    self.name = name
    self.texts = texts
    self.labels = labels
    self.labelNames = labelNames
    self.otherColumns = otherColumns
  }

  /// The number of examples.
  public var count: Int { texts.count }

  /// Each example as its label name and text.
  public var pairs: [(label: String, text: String)] {
    zip(labels, texts).map { (label: labelNames[$0], text: $1) }
  }

  /// How many examples each label has, in label order.
  public var labelCounts: [Int] { classCounts(labels, classCount: labelNames.count) }

  /// The examples at `indices`, in that order (a split's part, a batch).
  public func subset(_ indices: [Int]) -> TextDataset {
    TextDataset(
      name: name, texts: indices.map { texts[$0] }, labels: indices.map { labels[$0] }, labelNames: labelNames,
      otherColumns: otherColumns.mapValues { column in indices.map { column[$0] } })
  }
}

/// Reads a labelled-text TSV file (a header naming at least `labelColumn` and `textColumn`).
///
/// ```swift
/// let train = try readLabelledText("Datasets/sms-spam/train.tsv", labelNames: ["ham", "spam"])
/// ```
/// - Parameter labelNames: the labels allowed, in index order; any other label in the file is an
///   error. `nil` takes the labels found, sorted.
/// - Throws: what `readTSV` throws, and a `CourseError` naming the line of a label not in `labelNames`,
///   or saying that the file holds no texts after its header.
public func readLabelledText(
  _ path: String, labelNames: [String]? = nil, labelColumn: String = "label", textColumn: String = "text",
  name: String? = nil
) throws(CourseError) -> TextDataset {
  let table = try readTSV(path, requiredColumns: [labelColumn, textColumn])
  let labelIndex = table.columnIndex(labelColumn)!
  let textIndex = table.columnIndex(textColumn)!
  let names = labelNames ?? Array(Set(table.rows.map { $0[labelIndex] })).sorted()
  let indexOfName = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })

  var labels: [Int] = []
  labels.reserveCapacity(table.rows.count)
  for (row, fields) in table.rows.enumerated() {
    guard let label = indexOfName[fields[labelIndex]] else {
      throw CourseError(
        "expected a label among \(names.map { quotedField($0) }.joined(separator: ", ")), "
          + "found \(quotedField(fields[labelIndex]))",
        path: path, line: table.lineNumbers[row],
        fix: "correct the label at the start of the line, or " + restoreAdvice(for: path))
    }
    labels.append(label)
  }
  if table.rows.isEmpty {
    throw CourseError(
      "expected at least one text after the header line, found none", path: path, line: 2,
      fix: "add lines of \(labelColumn)<TAB>\(textColumn), or " + restoreAdvice(for: path))
  }
  var otherColumns: [String: [String]] = [:]
  for (index, column) in table.columns.enumerated() where index != labelIndex && index != textIndex {
    otherColumns[column] = table.rows.map { $0[index] }
  }
  return TextDataset(
    name: name ?? path, texts: table.rows.map { $0[textIndex] }, labels: labels, labelNames: names,
    otherColumns: otherColumns)
}

/// Reads a whole UTF-8 text file (a corpus for a language model), with a `CourseError` naming the
/// file when it is missing, empty or not UTF-8.
public func readText(_ path: String) throws(CourseError) -> String {
  let bytes = try readFileBytes(path, what: "text")
  if bytes.isEmpty {
    throw CourseError("the text file is empty", path: path, fix: restoreAdvice(for: path))
  }
  let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
  return try decodeUTF8(bytes, start..<bytes.count, path: path)
}
