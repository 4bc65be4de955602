// The marker parser and the student text it writes, and every marker error.

import Testing

@testable import Grading

@Suite struct MarkersTests {
  static let exercises = """
    /// Exercise 1.
    func parameterCount(layerSizes: [Int]) -> Int {
      // BEGIN SOLUTION 5.1
      zip(layerSizes, layerSizes.dropFirst())
        .reduce(0) { $0 + ($1.0 + 1) * $1.1 }
      // END SOLUTION
    }

    // BEGIN SOLUTION 5.2
    // STUB: let learningRate: Float = 0  // your value
    let learningRate: Float = 0.01
    // END SOLUTION

    """

  @Test func findsBlocksWithTheirLinesAndBodies() throws {
    let file = try MarkedFile(text: Self.exercises, file: "Chapters/05-MLP/Exercises.swift", syntax: .swift)
    #expect(file.blocks.map(\.id) == ["5.1", "5.2"])
    let first = file.blocks[0]
    #expect(first.kind == .code)
    #expect(first.beginLine == 3 && first.endLine == 6)
    #expect(first.indentation == "  ")
    #expect(first.stub.isEmpty)
    #expect(first.body == ["  zip(layerSizes, layerSizes.dropFirst())", "    .reduce(0) { $0 + ($1.0 + 1) * $1.1 }"])
    #expect(file.blocks[1].stub == ["let learningRate: Float = 0  // your value"])
    #expect(file.blocks[1].body == ["let learningRate: Float = 0.01"])
  }

  @Test func studentTextHasFatalErrorOrStubAtTheBeginIndentation() throws {
    let file = try MarkedFile(text: Self.exercises, file: "E.swift", syntax: .swift)
    #expect(file.studentText == """
      /// Exercise 1.
      func parameterCount(layerSizes: [Int]) -> Int {
        fatalError("Exercise 5.1: not written yet (see book.md, exercise 5.1)")
      }

      let learningRate: Float = 0  // your value

      """)
  }

  @Test func severalStubLinesAndATextWithoutMarkers() throws {
    let text = "    // BEGIN SOLUTION 2.3\n    // STUB: var a = 0\n    // STUB: var b = 1\n    var a = 5, b = 6\n    // END SOLUTION"
    #expect(try MarkedFile(text: text, file: "E.swift", syntax: .swift).studentText == "    var a = 0\n    var b = 1")
    let plain = "func f() {}\n// BEGIN SOLUTIONS are not markers\n"
    #expect(try MarkedFile(text: plain, file: "E.swift", syntax: .swift).studentText == plain)
  }

  @Test func markdownCodeAndProse() throws {
    let book = """
      **1 · Count.**

      ```swift
      func parameterCount(layerSizes: [Int]) -> Int {
        // BEGIN SOLUTION 5.1
        0
        // END SOLUTION
      }
      ```

      <!-- BEGIN SOLUTION 5.3 -->
      The first layer holds most: 785,000 of 795,010.
      <!-- END SOLUTION -->

      ```markdown
      <!-- BEGIN SOLUTION shown as an example, not a marker -->
      ```
      """
    let file = try MarkedFile(text: book, file: "book.md", syntax: .markdown)
    #expect(file.blocks.map(\.id) == ["5.1", "5.3"])
    #expect(file.blocks[1].kind == .prose)
    #expect(file.blocks[1].body == ["The first layer holds most: 785,000 of 795,010."])
    #expect(file.studentText.contains("  fatalError(\"Exercise 5.1: not written yet (see book.md, exercise 5.1)\")\n}\n```"))
    #expect(file.studentText.contains("\n*(Solution in the instructors' edition.)*\n"))
    #expect(!file.studentText.contains("785,000"))
    #expect(file.studentText.contains("<!-- BEGIN SOLUTION shown as an example, not a marker -->"))
  }

  @Test func swiftMarkersOutsideCodeAreProseInMarkdown() throws {
    let text = "Write `// BEGIN SOLUTION 1.1` in your file.\n// END SOLUTION\n"
    #expect(try MarkedFile(text: text, file: "book.md", syntax: .markdown).blocks.isEmpty)
  }

  /// The error `text` raises, as file:line and problem.
  func error(_ text: String, syntax: MarkerSyntax = .swift) -> MarkerError? {
    do {
      _ = try MarkedFile(text: text, file: "F.swift", syntax: syntax)
      return nil
    } catch {
      return error as? MarkerError
    }
  }

  @Test func endWithoutBegin() throws {
    let found = try #require(error("let a = 1\n// END SOLUTION\n"))
    #expect(found.line == 2)
    #expect(found.problem == "END SOLUTION without a BEGIN SOLUTION")
    #expect(found.description.hasPrefix("F.swift:2: END SOLUTION without a BEGIN SOLUTION. Fix: "))
  }

  @Test func beginWithoutEndAtTheEndOfTheFile() throws {
    let found = try #require(error("a\n  // BEGIN SOLUTION 1.1\n  x\n"))
    #expect(found.line == 2)
    #expect(found.problem == "BEGIN SOLUTION 1.1 has no END SOLUTION")
  }

  @Test func nestedBeginIsABeginWithoutEnd() throws {
    let found = try #require(error("// BEGIN SOLUTION 1.1\nx\n// BEGIN SOLUTION 1.2\ny\n// END SOLUTION\n"))
    #expect(found.line == 1)
    #expect(found.problem.contains("no END SOLUTION before the next BEGIN SOLUTION at line 3"))
  }

  @Test func codeBlockClosingBeforeEnd() throws {
    let found = try #require(error("```swift\n// BEGIN SOLUTION 1.1\nx\n```\n", syntax: .markdown))
    #expect(found.line == 2)
    #expect(found.problem.contains("the block closes at line 4"))
  }

  @Test func beginWithoutIDOrWithTwoWords() throws {
    let missing = try #require(error("// BEGIN SOLUTION\nx\n// END SOLUTION\n"))
    #expect(missing.line == 1 && missing.problem == "BEGIN SOLUTION has no exercise id")
    let prose = try #require(error("<!-- BEGIN SOLUTION -->\nx\n<!-- END SOLUTION -->\n", syntax: .markdown))
    #expect(prose.problem == "BEGIN SOLUTION has no exercise id")
    let twoWords = try #require(error("// BEGIN SOLUTION 1.1 and more\nx\n// END SOLUTION\n"))
    #expect(twoWords.problem.contains("is not one word"))
  }

  @Test func duplicateIDInOneFile() throws {
    let found = try #require(error("// BEGIN SOLUTION 1.1\nx\n// END SOLUTION\n// BEGIN SOLUTION 1.1\ny\n// END SOLUTION\n"))
    #expect(found.line == 4)
    #expect(found.problem == "exercise 1.1 already has a solution at line 1 of this file")
  }

  @Test func stubNotDirectlyAfterBegin() throws {
    let late = try #require(error("// BEGIN SOLUTION 1.1\nlet a = 1\n// STUB: let a = 0\n// END SOLUTION\n"))
    #expect(late.line == 3 && late.problem == "this STUB line is not directly after a BEGIN SOLUTION line")
    let outside = try #require(error("// STUB: let a = 0\n"))
    #expect(outside.line == 1)
  }

  @Test func solutionsAppendixSortsIDsAsNumbers() {
    let block = { (id: String, file: String) in
      SolutionBlock(id: id, kind: .code, file: file, beginLine: 3, endLine: 5, indentation: "  ", stub: [], body: ["  x + x"])
    }
    let text = solutionsMarkdown([block("10.1", "a"), block("2.10", "b"), block("2.2", "c"), block("2.2", "book.md")])
    let headings = text.split(separator: "\n").filter { $0.hasPrefix("## ") }
    #expect(headings == ["## Exercise 2.2", "## Exercise 2.10", "## Exercise 10.1"])
    #expect(text.contains("`c`, line 3:\n\n```swift\nx + x\n```\n\n`book.md`, line 3:"))
  }
}
