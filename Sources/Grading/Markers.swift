// Solution markers: finding the reference solutions in a file, and writing the file without them.
//
// The conventions (fixed; the course's files and the tests rely on them):
//
// 1. In a `.swift` file under `Chapters/`, a solution is the lines between
//        // BEGIN SOLUTION 5.1
//        // END SOLUTION
//    The id (`5.1`: chapter.exercise) is required: one word of letters, digits, `.`, `-`, `_`.
//    In the student version the block, markers included, becomes one line at the indentation of
//    the BEGIN line:
//        fatalError("Exercise 5.1: not written yet (see book.md, exercise 5.1)")
//    unless the block starts with `// STUB: <code>` lines, directly after BEGIN: then those code
//    lines, uncommented and at the same indentation, are the replacement (for an exercise that is
//    not a function body, e.g. `// STUB: let learningRate: Float = 0  // your value`).
// 2. In Markdown (book.md), the same `//` markers work inside fenced code blocks, and
//        <!-- BEGIN SOLUTION 5.1 -->   …   <!-- END SOLUTION -->
//    outside code blocks mark a prose answer, which becomes
//        *(Solution in the instructors' edition.)*
// 3. Errors, each naming file:line and how to fix it: END without BEGIN; BEGIN without END (a
//    BEGIN inside an open block counts, and so does a code block that closes first); BEGIN
//    without an id; the same id twice in one file; a STUB line not directly after BEGIN.
//    The same id may appear in different files (Exercises.swift and book.md show the same code).

import Foundation

/// Which marker forms a file uses.
public enum MarkerSyntax: Sendable {
  /// `//` markers on any line.
  case swift
  /// `//` markers inside fenced code blocks, `<!-- -->` markers outside them.
  case markdown
}

/// One reference solution found in a file.
public struct SolutionBlock: Sendable, Equatable {
  public enum Kind: Sendable { case code, prose }

  public var id: String
  public var kind: Kind
  /// The file's path as given to the parser (relative to the course root in the tool).
  public var file: String
  /// 1-based lines of the BEGIN and END markers.
  public var beginLine: Int
  public var endLine: Int
  /// The whitespace before the BEGIN marker; the replacement is written at this indentation.
  public var indentation: String
  /// The code of the `// STUB:` lines, without the marker; empty when the stub is a fatalError.
  public var stub: [String]
  /// The solution itself: the lines between the markers (and after the STUB lines), unchanged.
  public var body: [String]

  /// The lines that replace the block in the student version.
  public var replacement: [String] {
    switch kind {
    case .prose:
      return [indentation + "*(Solution in the instructors' edition.)*"]
    case .code where stub.isEmpty:
      return [indentation + "fatalError(\"Exercise \(id): not written yet (see book.md, exercise \(id))\")"]
    case .code:
      return stub.map { indentation + $0 }
    }
  }
}

/// A mistake in the markers, with where it is and how to fix it.
public struct MarkerError: Error, CustomStringConvertible, Equatable {
  public var file: String
  public var line: Int
  public var problem: String
  public var fix: String

  public var description: String { "\(file):\(line): \(problem). Fix: \(fix)." }
}

/// The solutions of a file and the file's text without them.
public struct MarkedFile: Sendable {
  public var blocks: [SolutionBlock]
  public var studentText: String

  /// Reads `text` (the contents of `file`) and replaces every solution block by its stub.
  /// Throws the first `MarkerError`, so a broken file never yields a half-stubbed version.
  public init(text: String, file: String, syntax: MarkerSyntax) throws {
    var scanner = MarkerScanner(file: file, syntax: syntax)
    let lines = text.components(separatedBy: "\n")  // keeps a final empty line: same text back
    for (index, line) in lines.enumerated() {
      try scanner.read(line, number: index + 1)
    }
    try scanner.finish()
    blocks = scanner.blocks
    studentText = scanner.output.joined(separator: "\n")
  }
}

/// One marker line, recognised by its trimmed text.
enum Marker: Equatable {
  case begin(SolutionBlock.Kind, id: String)
  case end(SolutionBlock.Kind)
  case stub(code: String)

  /// The marker on `trimmed`, if any. `inCode` says whether the line is inside a fenced code
  /// block (always true for Swift files): `//` markers count there, `<!-- -->` markers outside.
  init?(trimmed: String, inCode: Bool) {
    if inCode {
      if let id = Marker.argument(of: trimmed, after: "// BEGIN SOLUTION") {
        self = .begin(.code, id: id)
      } else if Marker.argument(of: trimmed, after: "// END SOLUTION") != nil {
        self = .end(.code)
      } else if trimmed.hasPrefix("// STUB:") {
        var code = trimmed.dropFirst("// STUB:".count)
        if code.first == " " { code = code.dropFirst() }
        self = .stub(code: String(code))
      } else {
        return nil
      }
    } else {
      guard trimmed.hasPrefix("<!--"), trimmed.hasSuffix("-->") else { return nil }
      let inner = trimmed.dropFirst(4).dropLast(3).trimmingCharacters(in: .whitespaces)
      if let id = Marker.argument(of: inner, after: "BEGIN SOLUTION") {
        self = .begin(.prose, id: id)
      } else if Marker.argument(of: inner, after: "END SOLUTION") != nil {
        self = .end(.prose)
      } else {
        return nil
      }
    }
  }

  /// What follows `prefix` in `text` (trimmed, maybe empty), or nil when `text` does not start
  /// with `prefix` as a whole word (`// BEGIN SOLUTIONS` is not a marker).
  static func argument(of text: String, after prefix: String) -> String? {
    guard text.hasPrefix(prefix) else { return nil }
    let rest = text.dropFirst(prefix.count)
    guard rest.isEmpty || rest.first!.isWhitespace else { return nil }
    return rest.trimmingCharacters(in: .whitespaces)
  }
}

/// Reads a file line by line, collecting solution blocks and the student version's lines.
struct MarkerScanner {
  let file: String
  let syntax: MarkerSyntax
  var blocks: [SolutionBlock] = []
  var output: [String] = []
  /// The block being read, between its BEGIN and its END.
  var open: SolutionBlock?
  /// Whether the open code block is still at the place where STUB lines may be.
  var stubsAllowed = false
  /// The fence (```` ``` ```` or `~~~`, maybe longer) of the Markdown code block we are in.
  var fence: String?
  /// First line of each id, to report duplicates.
  var firstLineOfID: [String: Int] = [:]

  init(file: String, syntax: MarkerSyntax) {
    self.file = file
    self.syntax = syntax
  }

  func error(_ line: Int, _ problem: String, fix: String) -> MarkerError {
    MarkerError(file: file, line: line, problem: problem, fix: fix)
  }

  mutating func read(_ line: String, number: Int) throws {
    let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
    let inCode = syntax == .swift || fence != nil
    if let marker = Marker(trimmed: trimmed, inCode: inCode) {
      try handle(marker, line: line, number: number)
      return
    }
    if syntax == .markdown { try trackFence(trimmed, number: number) }
    if open != nil {
      open!.body.append(line)
      stubsAllowed = false
    } else {
      output.append(line)
    }
  }

  mutating func handle(_ marker: Marker, line: String, number: Int) throws {
    switch marker {
    case .begin(let kind, let id):
      if let block = open {
        throw error(block.beginLine, "BEGIN SOLUTION \(block.id) has no END SOLUTION before the next BEGIN SOLUTION at line \(number)",
                    fix: "add an END SOLUTION line after the last line of solution \(block.id); solutions do not nest")
      }
      guard !id.isEmpty else {
        throw error(number, "BEGIN SOLUTION has no exercise id",
                    fix: "write the exercise's id after it, e.g. `BEGIN SOLUTION 5.1` for chapter 5, exercise 1")
      }
      guard id.allSatisfy({ $0.isLetter || $0.isNumber || ".-_".contains($0) }) else {
        throw error(number, "BEGIN SOLUTION id '\(id)' is not one word",
                    fix: "use one word of letters, digits, '.', '-' or '_', e.g. `BEGIN SOLUTION 5.1`")
      }
      if let first = firstLineOfID[id] {
        throw error(number, "exercise \(id) already has a solution at line \(first) of this file",
                    fix: "give this block its own id (e.g. \(id)b), or merge the two blocks")
      }
      firstLineOfID[id] = number
      let indentation = String(line.prefix { $0 == " " || $0 == "\t" })
      open = SolutionBlock(id: id, kind: kind, file: file, beginLine: number, endLine: number,
                           indentation: indentation, stub: [], body: [])
      stubsAllowed = kind == .code
    case .stub(let code):
      guard open != nil, stubsAllowed else {
        throw error(number, "this STUB line is not directly after a BEGIN SOLUTION line",
                    fix: "move it up to just below `// BEGIN SOLUTION <id>`, before the first solution line")
      }
      open!.stub.append(code)
    case .end(let kind):
      guard var block = open, block.kind == kind else {
        throw error(number, "END SOLUTION without a BEGIN SOLUTION",
                    fix: "remove it, or add `BEGIN SOLUTION <id>` (same comment style) where the solution starts")
      }
      block.endLine = number
      blocks.append(block)
      output += block.replacement
      open = nil
    }
  }

  /// Keeps `fence` up to date; a code block that closes inside an open code solution is an error.
  mutating func trackFence(_ trimmed: String, number: Int) throws {
    if let current = fence {
      guard trimmed.hasPrefix(current), trimmed.allSatisfy({ $0 == current.first }) else { return }
      if let block = open, block.kind == .code {
        throw error(block.beginLine, "BEGIN SOLUTION \(block.id) has no END SOLUTION inside its code block (the block closes at line \(number))",
                    fix: "add `// END SOLUTION` before the closing fence")
      }
      fence = nil
    } else if let first = trimmed.first, first == "`" || first == "~" {
      let run = trimmed.prefix { $0 == first }
      if run.count >= 3 { fence = String(run) }
    }
  }

  mutating func finish() throws {
    if let block = open {
      throw error(block.beginLine, "BEGIN SOLUTION \(block.id) has no END SOLUTION",
                  fix: "add an END SOLUTION line after the last line of solution \(block.id)")
    }
  }
}
