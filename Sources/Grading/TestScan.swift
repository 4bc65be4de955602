// Finding the `@Test` functions of the course's test files without compiling them, to check
// points.json against them and to know which tests are hidden.

import Foundation

/// A `@Test` function found in a source file.
public struct DiscoveredTest: Sendable, Equatable {
  /// `Suite/function(labels:)`, as Swift Testing names it in xUnit and in points.json.
  public var key: String
  /// The innermost type around the function.
  public var suite: String
  /// Relative path and 1-based line of the `func`.
  public var file: String
  public var line: Int
  /// Whether the student version leaves the test out (see `CourseLayout.isHiddenTest`).
  public var hidden: Bool

  /// The `ChapterNN` its suite belongs to, or nil for engine tests outside chapter suites.
  public var chapter: String? { chapterName(ofSuite: suite) }
}

/// `Chapter05` for `Chapter05Tests`: the suite's name if it starts with `Chapter` and two digits.
public func chapterName(ofSuite suite: String) -> String? {
  let prefix = String(suite.prefix(9))
  return isChapterName(prefix) ? prefix : nil
}

/// Whether `name` matches `^Chapter\d\d$`.
public func isChapterName(_ name: String) -> Bool {
  name.count == 9 && name.hasPrefix("Chapter") && name.suffix(2).allSatisfy { ("0"..."9").contains($0) }
}

/// Every `@Test` function in the Swift files under `root/Tests`.
public func scanTests(in root: URL) throws -> [DiscoveredTest] {
  var tests: [DiscoveredTest] = []
  for relative in try CourseLayout.files(under: root) where relative.hasPrefix("Tests/") && relative.hasSuffix(".swift") {
    let text = try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    let hidden = CourseLayout.isHiddenTest(relative, text: text)
    tests += scanTests(source: text).map {
      DiscoveredTest(key: $0.suite + "/" + $0.name, suite: $0.suite, file: relative, line: $0.line, hidden: hidden)
    }
  }
  return tests
}

/// The `@Test` functions of one Swift source: innermost enclosing type, `name(labels:)`, line.
///
/// A light reading, not a compiler: comments and string literals are blanked first (so braces
/// in them do not count), then braces are tracked to know which type a function is in.
/// Raw strings (`#"…"#`) are not understood; the course's tests do not use them.
public func scanTests(source: String) -> [(suite: String, name: String, line: Int)] {
  let code = Array(blankCommentsAndStrings(source))
  var found: [(suite: String, name: String, line: Int)] = []
  var scopes: [String?] = []  // one entry per open brace: the type it opens, if any
  var pendingType: String?, pendingTest = false
  var index = 0, line = 1
  while index < code.count {
    let c = code[index]
    if c == "\n" { line += 1 }
    if c == "{" { scopes.append(pendingType); pendingType = nil }
    if c == "}" { _ = scopes.popLast(); pendingType = nil }
    guard c.isLetter || c == "_" || c == "@" else { index += 1; continue }
    let word = String(code[index...].prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "@" })
    index += word.count
    switch word {
    case "@Test": pendingTest = true
    case "struct", "class", "enum", "actor", "extension":
      // `class func`, `class var`: a modifier, not a declaration; leave the next word to the loop.
      var after = index, afterLine = line
      let name = nextWord(in: code, from: &after, line: &afterLine)
      if let name, !["func", "var", "let", "subscript", "init"].contains(name) {
        pendingType = name
        index = after
        line = afterLine
      }
    case "func" where pendingTest:
      pendingTest = false
      let funcLine = line
      guard let name = nextWord(in: code, from: &index, line: &line),
            let suite = scopes.last(where: { $0 != nil }) ?? nil else { continue }
      found.append((suite, name + "(" + parameterLabels(in: code, from: index).map { $0 + ":" }.joined() + ")", funcLine))
    default: break
    }
  }
  return found
}

/// The identifier after `index` (skipping spaces), moving `index` past it.
private func nextWord(in code: [Character], from index: inout Int, line: inout Int) -> String? {
  while index < code.count, code[index].isWhitespace {
    if code[index] == "\n" { line += 1 }
    index += 1
  }
  let word = String(code[index...].prefix { $0.isLetter || $0.isNumber || $0 == "_" })
  index += word.count
  return word.isEmpty ? nil : word
}

/// The argument labels of the parameter list that starts at the next `(`: `_` for unlabelled.
private func parameterLabels(in code: [Character], from start: Int) -> [String] {
  guard let open = code[start...].firstIndex(of: "(") else { return [] }
  var depth = 0, parameters: [String] = [], current = ""
  var previous: Character = " "
  for c in code[open...] {
    defer { previous = c }
    if "([<".contains(c) { depth += 1; if depth == 1 { continue } }
    if ")]".contains(c) || (c == ">" && previous != "-") { depth -= 1; if depth == 0 { break } }
    if c == "," && depth == 1 { parameters.append(current); current = ""; continue }
    current.append(c)
  }
  parameters.append(current)
  return parameters.compactMap { parameter in
    let beforeColon = parameter.split(separator: ":", maxSplits: 1).first ?? ""
    return beforeColon.split(whereSeparator: \.isWhitespace).first.map(String.init)
  }
}

/// `source` with comments and string literals replaced by spaces, newlines kept (for lines).
/// String interpolations are blanked with their string: a test's name never hides in one.
func blankCommentsAndStrings(_ source: String) -> String {
  let s = Array(source)
  var out: [Character] = []
  out.reserveCapacity(s.count)
  var i = 0
  func blank(_ c: Character) -> Character { c == "\n" ? "\n" : " " }
  while i < s.count {
    if s[i] == "/", i + 1 < s.count, s[i + 1] == "/" {
      while i < s.count, s[i] != "\n" { out.append(" "); i += 1 }
    } else if s[i] == "/", i + 1 < s.count, s[i + 1] == "*" {
      var depth = 0
      repeat {
        if s[i] == "/", i + 1 < s.count, s[i + 1] == "*" { depth += 1; out += "  "; i += 2; continue }
        if s[i] == "*", i + 1 < s.count, s[i + 1] == "/" { depth -= 1; out += "  "; i += 2; continue }
        out.append(blank(s[i])); i += 1
      } while depth > 0 && i < s.count
    } else if s[i] == "\"" {
      let triple = i + 2 < s.count && s[i + 1] == "\"" && s[i + 2] == "\""
      let quote = triple ? 3 : 1
      out += Array(repeating: " ", count: quote); i += quote
      var parens = 0  // inside \( … ), quotes belong to the interpolation, not the string
      while i < s.count {
        if s[i] == "\\", i + 1 < s.count {
          if s[i + 1] == "(" { parens += 1 }
          out += [" ", blank(s[i + 1])]; i += 2; continue
        }
        if parens > 0, s[i] == "(" { parens += 1 }
        if parens > 0, s[i] == ")" { parens -= 1 }
        if parens == 0, s[i] == "\"", !triple || (i + 2 < s.count && s[i + 1] == "\"" && s[i + 2] == "\"") {
          out += Array(repeating: " ", count: quote); i += quote; break
        }
        if parens == 0, !triple, s[i] == "\n" { break }  // unterminated: stop at the line's end
        out.append(blank(s[i])); i += 1
      }
    } else {
      out.append(s[i]); i += 1
    }
  }
  return String(out)
}
