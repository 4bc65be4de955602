// Console output for chapters: section headers and aligned tables, so the terminal reads like the book.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The width, in characters, of section headers, so that every chapter's output lines up.
public let sectionWidth = 60

/// Returns the header line for a section, `── 3.2 Learning rate ────…`, padded with rules to `width` characters.
///
/// Width is counted in `Character`s (what a reader sees), so titles with accents or symbols line up too.
/// A title too long for the width still gets two rule characters after it.
public func sectionHeader(_ title: String, width: Int = sectionWidth) -> String {
  let lead = "── " + title + " "
  let fill = max(width - lead.count, 2)
  return lead + String(repeating: "─", count: fill)
}

/// Prints a blank line and a section header, so a chapter's output is divided like the book's sections.
public func section(_ title: String) {
  print()
  print(sectionHeader(title))
}

/// Returns `rows` laid out in aligned columns under `headers`, right-aligning columns that hold numbers.
///
/// A column counts as numeric when every non-empty cell starts with a digit (after an optional sign or point),
/// so formatted values such as `"95.6%"`, `"0.2345"` and `"1 min 05 s"` line up on their right edge.
/// Short rows are padded with empty cells.
public func tableText(headers: [String], rows: [[String]]) -> String {
  let columnCount = max(headers.count, rows.map(\.count).max() ?? 0)
  func cell(_ row: [String], _ column: Int) -> String {
    column < row.count ? row[column] : ""
  }
  var widths = [Int](repeating: 0, count: columnCount)
  var numeric = [Bool](repeating: true, count: columnCount)
  for column in 0..<columnCount {
    widths[column] = cell(headers, column).count
    var sawNumber = false
    for row in rows {
      let text = cell(row, column)
      widths[column] = max(widths[column], text.count)
      if text.isEmpty { continue }
      if looksNumeric(text) { sawNumber = true } else { numeric[column] = false }
    }
    numeric[column] = numeric[column] && sawNumber
  }
  func line(_ row: [String]) -> String {
    var parts: [String] = []
    for column in 0..<columnCount {
      let text = cell(row, column)
      let padding = String(repeating: " ", count: widths[column] - text.count)
      parts.append(numeric[column] ? padding + text : text + padding)
    }
    // Trailing spaces of the last, left-aligned column are invisible; drop them so logs diff cleanly.
    var joined = parts.joined(separator: "  ")
    while joined.last == " " { joined.removeLast() }
    return joined
  }
  var lines = [line(headers)]
  lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
  for row in rows {
    lines.append(line(row))
  }
  return lines.joined(separator: "\n")
}

/// Prints `rows` as an aligned table under `headers`, for side-by-side comparisons (see `tableText`).
///
/// ```swift
/// printTable(headers: ["learning rate", "final loss", "accuracy"],
///            rows: [["0.1", format(0.4012, decimals: 4), formatPercent(0.871)],
///                   ["0.01", format(0.2345, decimals: 4), formatPercent(0.931)]])
/// ```
public func printTable(headers: [String], rows: [[String]]) {
  print(tableText(headers: headers, rows: rows))
}

/// Whether a table cell reads as a number: an optional sign or point followed by a digit.
private func looksNumeric(_ text: String) -> Bool {
  var characters = Substring(text)
  if characters.first == "-" || characters.first == "+" || characters.first == "−" {
    characters = characters.dropFirst()
  }
  if characters.first == "." {
    characters = characters.dropFirst()
  }
  guard let first = characters.first else { return false }
  return first.isASCII && first.isNumber
}

/// Writes `text` to standard error unbuffered, after flushing standard output so the two streams stay in order.
func writeToStandardError(_ text: String) {
  fflush(nil)
  let bytes = Array(text.utf8)
  var offset = 0
  while offset < bytes.count {
    let written = bytes.withUnsafeBytes { buffer in
      write(2, buffer.baseAddress! + offset, buffer.count - offset)
    }
    if written < 0 && errno == EINTR { continue }
    if written <= 0 { break }
    offset += written
  }
}

/// Writes `text` to standard output through the same buffer as `print`, and flushes it so it shows at once.
func writeToStandardOutput(_ text: String) {
  print(text, terminator: "")
  fflush(nil)
}
