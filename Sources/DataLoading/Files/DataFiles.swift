// Reading data files: whole files as bytes, lines as byte ranges, UTF-8 text with the place of a
// bad byte, and the advice every data error ends with.
//
// Every loader reads the whole file into memory first (the largest course file is 4 MB), then
// parses bytes: splitting bytes on "\n" and "\t" is fast and exact, whereas splitting a Swift
// `String` works on grapheme clusters (where "\r\n" is one `Character`).

import Foundation
import Core
import CourseSupport

/// Reads the whole file at `path`, or throws a `CourseError` saying whether it is missing, a
/// directory or unreadable; `what` names the file's role ("IDX images", "CSV") in the message.
func readFileBytes(_ path: String, what: String) throws(CourseError) -> [UInt8] {
  var isDirectory: ObjCBool = false
  if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
    throw CourseError("the \(what) file does not exist", path: path, fix: restoreAdvice(for: path))
  }
  if isDirectory.boolValue {
    throw CourseError(
      "expected the \(what) file, found a directory", path: path,
      fix: "give the path of a file, not of a folder")
  }
  guard let data = FileManager.default.contents(atPath: path) else {
    throw CourseError(
      "cannot read the \(what) file", path: path,
      fix: "check that you may read it (ls -l \(path))")
  }
  return [UInt8](data)
}

/// What to do about a damaged or missing data file: the course's own files (under a `Datasets`
/// folder) come back with `git checkout`; anyone else's must be checked by their owner.
public func restoreAdvice(for path: String) -> String {
  let parts = path.split(separator: "/", omittingEmptySubsequences: true)
  if let datasets = parts.lastIndex(of: "Datasets") {
    let relative = parts[datasets...].joined(separator: "/")
    return "restore it with `git checkout -- \(relative)` in the package root (the folder with Package.swift)"
  }
  return "check the file (was it cut short, or written by another program?) and run again"
}

/// The lines of a text file as byte ranges, without their line ends (`\n` or `\r\n`).
/// A UTF-8 byte-order mark at the start is skipped, and the empty "line" after a final `\n` is
/// not one; line `k` (1-based, as in an editor) is element `k - 1`.
func lineRanges(of bytes: [UInt8]) -> [Range<Int>] {
  var start = 0
  if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
  var lines: [Range<Int>] = []
  bytes.withUnsafeBufferPointer { buffer in
    var lineStart = start
    for i in start..<buffer.count where buffer[i] == UInt8(ascii: "\n") {
      let end = i > lineStart && buffer[i - 1] == UInt8(ascii: "\r") ? i - 1 : i
      lines.append(lineStart..<end)
      lineStart = i + 1
    }
    if lineStart < buffer.count {
      let end = buffer[buffer.count - 1] == UInt8(ascii: "\r") ? buffer.count - 1 : buffer.count
      lines.append(lineStart..<end)
    }
  }
  return lines
}

/// Splits `range` of `bytes` at every `separator` byte, keeping empty fields (`a,,b` has three).
func fieldRanges(in range: Range<Int>, of bytes: [UInt8], separator: UInt8) -> [Range<Int>] {
  var fields: [Range<Int>] = []
  var fieldStart = range.lowerBound
  for i in range where bytes[i] == separator {
    fields.append(fieldStart..<i)
    fieldStart = i + 1
  }
  fields.append(fieldStart..<range.upperBound)
  return fields
}

/// Decodes `bytes[range]` as UTF-8, or throws a `CourseError` with the byte offset of the first
/// byte that is not valid UTF-8 (a file saved in another encoding, or damaged).
func decodeUTF8(_ bytes: [UInt8], _ range: Range<Int>, path: String, line: Int? = nil) throws(CourseError)
  -> String
{
  if let text = String(validating: bytes[range], as: UTF8.self) { return text }
  // Find the first bad byte: decode scalar by scalar and add up their encoded widths.
  var offset = range.lowerBound
  var decoder = UTF8()
  var iterator = bytes[range].makeIterator()
  decoding: while true {
    switch decoder.decode(&iterator) {
    case .scalarValue(let scalar): offset += UTF8.width(scalar)
    case .emptyInput, .error: break decoding
    }
  }
  let found = offset < bytes.count ? String(format: "0x%02X", bytes[offset]) : "the end of the text"
  throw CourseError(
    "expected UTF-8 text, found the byte \(found), which cannot start or continue a UTF-8 character",
    path: path, line: line, byteOffset: offset,
    fix: "save the file as UTF-8 (most editors offer it under \"Save with encoding\"), or "
      + restoreAdvice(for: path))
}

/// Shows a field in an error message: quoted, with tabs visible and long fields cut short.
func quotedField(_ text: String, limit: Int = 40) -> String {
  let visible = text.replacingOccurrences(of: "\t", with: "\\t")
  if visible.count <= limit { return "\"\(visible)\"" }
  return "\"\(visible.prefix(limit))…\""
}
