// A small JSON reader for points.json.
//
// Why not JSONDecoder or JSONSerialization: on Linux their syntax errors name no line
// ("The given data was not valid JSON"), JSONSerialization gives `1` and `true` the same type
// (NSNumber), and both lose the order of keys, which we keep so that reports follow the file.

import Foundation

/// A JSON value; objects keep their keys in file order, and each value its line.
public indirect enum JSONValue: Equatable, Sendable {
  case object([(key: String, value: JSONValue, line: Int)])
  case array([JSONValue])
  case string(String)
  case number(Double)
  case bool(Bool)
  case null

  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.object(let x), .object(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    case (.array(let x), .array(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.number(let x), .number(let y)): return x == y
    case (.bool(let x), .bool(let y)): return x == y
    case (.null, .null): return true
    default: return false
    }
  }

  /// What the value is, for error messages: "a string", "an object"…
  public var kindName: String {
    switch self {
    case .object: "an object"
    case .array: "an array"
    case .string: "a string"
    case .number: "a number"
    case .bool: "true or false"
    case .null: "null"
    }
  }
}

/// A JSON syntax error at a 1-based line and column.
public struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
  public var line: Int
  public var column: Int
  public var message: String
  public var description: String { "line \(line), column \(column): \(message)" }
}

/// Parses a whole JSON document.
public func parseJSON(_ text: String) throws -> JSONValue {
  var reader = JSONReader(characters: Array(text.unicodeScalars))
  reader.skipSpace()
  let value = try reader.value()
  reader.skipSpace()
  if reader.index < reader.characters.count { throw reader.error("unexpected text after the end of the document") }
  return value
}

/// Recursive descent over the text's Unicode scalars, counting lines as it goes.
struct JSONReader {
  let characters: [Unicode.Scalar]
  var index = 0
  var line = 1
  var lineStart = 0

  var current: Unicode.Scalar? { index < characters.count ? characters[index] : nil }

  func error(_ message: String) -> JSONSyntaxError {
    JSONSyntaxError(line: line, column: index - lineStart + 1, message: message)
  }

  mutating func advance() {
    if current == "\n" { line += 1; lineStart = index + 1 }
    index += 1
  }

  mutating func skipSpace() {
    while let c = current, c == " " || c == "\t" || c == "\n" || c == "\r" { advance() }
  }

  mutating func expect(_ c: Unicode.Scalar, _ what: String) throws {
    guard current == c else { throw error(current == nil ? "the file ends where \(what) was expected" : "expected \(what)") }
    advance()
  }

  mutating func value() throws -> JSONValue {
    switch current {
    case "{": return try object()
    case "[": return try array()
    case "\"": return .string(try string())
    case "t": try word("true"); return .bool(true)
    case "f": try word("false"); return .bool(false)
    case "n": try word("null"); return .null
    case let c? where c == "-" || ("0"..."9").contains(c): return try number()
    case nil: throw error("the file ends where a value was expected")
    default: throw error("expected a value (an object, array, string, number, true, false or null)")
    }
  }

  mutating func object() throws -> JSONValue {
    advance()  // {
    var members: [(key: String, value: JSONValue, line: Int)] = []
    skipSpace()
    if current == "}" { advance(); return .object(members) }
    while true {
      skipSpace()
      guard current == "\"" else { throw error("expected a key in double quotes") }
      let keyLine = line
      let key = try string()
      skipSpace()
      try expect(":", "':' after the key")
      skipSpace()
      members.append((key, try value(), keyLine))
      skipSpace()
      if current == "," { advance(); continue }
      try expect("}", "',' or '}' after a member of an object")
      return .object(members)
    }
  }

  mutating func array() throws -> JSONValue {
    advance()  // [
    var elements: [JSONValue] = []
    skipSpace()
    if current == "]" { advance(); return .array(elements) }
    while true {
      skipSpace()
      elements.append(try value())
      skipSpace()
      if current == "," { advance(); continue }
      try expect("]", "',' or ']' after an element of an array")
      return .array(elements)
    }
  }

  mutating func string() throws -> String {
    advance()  // opening quote
    var result = String.UnicodeScalarView()
    while let c = current {
      advance()
      switch c {
      case "\"": return String(result)
      case "\n": throw error("a string does not end on its line")
      case "\\":
        guard let escaped = current else { break }
        advance()
        switch escaped {
        case "n": result.append("\n")
        case "t": result.append("\t")
        case "r": result.append("\r")
        case "b": result.append("\u{8}")
        case "f": result.append("\u{C}")
        case "u":
          let hex = String(String.UnicodeScalarView(characters[index..<min(index + 4, characters.count)]))
          guard hex.count == 4, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
            throw error("expected four hexadecimal digits after \\u")
          }
          for _ in 0..<4 { advance() }
          result.append(scalar)
        case "\"", "\\", "/": result.append(escaped)
        default: throw error("unknown escape \\\(escaped)")
        }
      default: result.append(c)
      }
    }
    throw error("the file ends inside a string")
  }

  mutating func number() throws -> JSONValue {
    let start = index
    while let c = current, "+-.eE0123456789".unicodeScalars.contains(c) { advance() }
    let text = String(String.UnicodeScalarView(characters[start..<index]))
    guard let number = Double(text), text.first != "+" else { throw error("'\(text)' is not a number") }
    return .number(number)
  }

  mutating func word(_ word: String) throws {
    for expected in word.unicodeScalars {
      guard current == expected else { throw error("expected \(word)") }
      advance()
    }
  }
}
