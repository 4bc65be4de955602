// The book and the code must not drift: code shown in book.md comes from the sources, and each chapter's
// main.swift has the sections the book's chapter has. The unit tests use small in-memory texts;
// the last test checks the real book.md against the real sources.

import Foundation
import Testing

@testable import BookSnippets
import Grading

@Suite("Book")
struct BookTests {
  // MARK: Snippets in the sources

  @Test("a snippet is the code between its markers, dedented")
  func extraction() throws {
    let source = SourceFile(
      path: "Sources/DeepLearning/Activations.swift",
      text: """
        public enum Activations {
            // snippet: relu
            /// Zero below zero.
            public static func relu(_ x: Float) -> Float {

                max(0, x)
            }
            // end snippet
        }
        """)
    let found = extractSnippets(from: [source])
    #expect(found.problems.isEmpty)
    let snippet = try #require(found.snippets["relu"])
    #expect(snippet.firstLine == 3 && snippet.lastLine == 7)
    #expect(snippet.location == "Sources/DeepLearning/Activations.swift:3-7")
    #expect(
      snippet.code == [
        "/// Zero below zero.",
        "public static func relu(_ x: Float) -> Float {",
        "",
        "    max(0, x)",
        "}",
      ])
  }

  @Test("dedent removes only the whitespace all non-blank lines share")
  func dedenting() {
    #expect(dedent(["    a", "      b", "  ", "    c"]) == ["a", "  b", "", "c"])
    #expect(dedent(["\tx", "\t\ty"]) == ["x", "\ty"])
    #expect(dedent(["\tx", "  y"]) == ["\tx", "  y"])
    #expect(dedent(["a"]) == ["a"])
  }

  @Test("a snippet name marked twice is an error naming both files and lines")
  func duplicateNames() {
    let sources = [
      SourceFile(path: "Sources/DeepLearning/A.swift", text: "// snippet: step\nlet a = 1\n// end snippet\n"),
      SourceFile(path: "Chapters/03-GradientDescent/main.swift", text: "\n\n// snippet: step\nlet b = 2\n// end snippet\n"),
    ]
    let found = extractSnippets(from: sources)
    #expect(found.snippets["step"] == nil)
    #expect(found.duplicated == ["step"])
    #expect(found.problems.count == 1)
    let problem = found.problems.first ?? ""
    #expect(problem.contains("Sources/DeepLearning/A.swift:1") && problem.contains("Chapters/03-GradientDescent/main.swift:3"))

    // The book using that name is not also told the name is unknown.
    let project = BookProject(book: "<!-- snippet: step -->\n```swift\nlet a = 1\n```\n", sources: sources)
    #expect(project.problems() == found.problems)
  }

  @Test("badly placed markers are problems with a file and a line")
  func malformedMarkers() {
    let text = """
      // end snippet
      // snippet: outer
      let a = 1
      // snippet: inner
      let b = 2
      // end snippet
      // snippet: two words
      let c = 3
      // end snippet
      // snippet: empty
      // end snippet
      // snippet: open
      let d = 4
      """
    let problems = extractSnippets(from: [SourceFile(path: "F.swift", text: text)]).problems
    #expect(problems.count == 5, "\(problems)")
    #expect(problems.contains { $0.hasPrefix("F.swift:1: `// end snippet` without") })
    #expect(problems.contains { $0.hasPrefix("F.swift:4: snippet `inner` starts inside snippet `outer`") })
    #expect(problems.contains { $0.hasPrefix("F.swift:7: `two words` is not a snippet name") })
    #expect(problems.contains { $0.hasPrefix("F.swift:10: snippet `empty` is empty") })
    #expect(problems.contains { $0.hasPrefix("F.swift:12: snippet `open` is never closed") })
  }

  // MARK: Snippets in the book

  /// A source with one snippet, `step`, at lines 3-4 of its file.
  static let stepSource = SourceFile(
    path: "Chapters/03-GradientDescent/main.swift",
    text: """
      var w: Float = 3
      for _ in 0..<10 {
        // snippet: step
        let gradient = 2 * w
        w -= 0.1 * gradient
        // end snippet
      }
      """)

  @Test("a book block naming no snippet is an unknown snippet")
  func unknownSnippet() {
    let book = """
      # Book

      <!-- snippet: step -->
      ```swift
      let gradient = 2 * w
      w -= 0.1 * gradient
      ```

      <!-- snippet: foo -->
      ```swift
      foo()
      ```
      """
    let problems = BookProject(book: book, sources: [Self.stepSource]).problems()
    #expect(problems.count == 1)
    #expect(problems.first?.hasPrefix("book.md line 9: unknown snippet `foo`") == true)
  }

  @Test("an out-of-date block is detected, then rewritten, and the rest of the book is kept")
  func mismatchRewritten() {
    let book = """
      # Book

      <!-- snippet: step -->
      ```swift
      w -= 0.1 * 2 * w
      ```

      Then run it:

      ```sh
      swift run Chapter03
      ```

      """
    let project = BookProject(book: book, sources: [Self.stepSource])
    #expect(
      project.problems() == [
        "book.md line 3: snippet `step` differs from Chapters/03-GradientDescent/main.swift:4-5 — "
          + "run `swift run BookSync` to update the book"
      ])

    let (updated, changes) = project.synchronized()
    #expect(changes == ["book.md line 3: updated snippet `step` from Chapters/03-GradientDescent/main.swift:4-5"])
    #expect(updated == book.replacingOccurrences(of: "w -= 0.1 * 2 * w", with: "let gradient = 2 * w\nw -= 0.1 * gradient"))
    let fixed = BookProject(book: updated, sources: [Self.stepSource])
    #expect(fixed.problems().isEmpty)
    #expect(fixed.synchronized().book == updated && fixed.synchronized().changes.isEmpty)
  }

  @Test("a snippet the book does not show is a dead marker")
  func unusedSnippet() {
    let problems = BookProject(book: "# Book\n", sources: [Self.stepSource]).problems()
    #expect(problems.count == 1)
    #expect(
      problems.first?.hasPrefix("Chapters/03-GradientDescent/main.swift:3: snippet `step` is not shown in book.md") == true)
  }

  @Test("a marker must sit directly above a swift block; markers inside code blocks are text")
  func markerPlacement() {
    let book = """
      <!-- snippet: step -->

      ```swift
      w -= 1
      ```

      <!-- snippet: step -->
      ```sh
      swift run Chapter03
      ```

      ````markdown
      <!-- snippet: example -->
      ```swift
      ```
      ````
      """
    let problems = BookProject(book: book, sources: [Self.stepSource]).problems()
    #expect(problems.count == 3, "\(problems)")
    #expect(problems.contains { $0.hasPrefix("book.md line 1: `<!-- snippet: step -->` must be directly followed") })
    #expect(problems.contains { $0.hasPrefix("book.md line 7: `<!-- snippet: step -->` must be directly followed") })
    #expect(problems.contains { $0.contains("snippet `step` is not shown") })
  }

  // MARK: Sections and headings

  /// Chapter 3's main.swift with sections 3.1 and 3.2, and a MARK that is not a numbered section.
  static let chapter3 = SourceFile(
    path: "Chapters/03-GradientDescent/main.swift",
    text: """
      import DeepLearning

      // MARK: - 3.1 A slope
      var w: Float = 3
      // MARK: - Helpers
      // MARK: - 3.2 Learning rate
      w -= 0.1 * 2 * w
      """)

  @Test("sections of a chapter's main.swift and headings of its chapter in the book agree")
  func sectionsAgree() {
    let book = """
      # Build Your First Large Model

      ## Chapter 3 · Gradient descent

      ```sh
      ### 3.9 Not a heading, a line of a shell block
      ```

      ### 3.1 A slope
      ### 3.2 Learning rate
      ### Exercises

      ## Chapter 4 · Not written yet

      ### 4.1 No main.swift, no check
      """
    #expect(BookProject(book: book, sources: [Self.chapter3]).problems() == [])
    #expect(chapterNumber(ofMain: "Chapters/03-GradientDescent/main.swift") == 3)
    #expect(chapterNumber(ofMain: "Chapters/03-GradientDescent/Helpers.swift") == nil)
    #expect(chapterNumber(ofMain: "Sources/DeepLearning/main.swift") == nil)
    #expect(sectionChapter("12.3 Attention") == 12)
    #expect(sectionChapter("Exercises") == nil && sectionChapter("3.2") == nil && sectionChapter("3.x Title") == nil)
  }

  @Test("a section without a heading, a heading without a section, and the wrong order are problems")
  func sectionsDisagree() {
    let missingHeading = "## Chapter 3 · Gradient descent\n\n### 3.1 A slope\n### 3.3 Momentum\n"
    #expect(
      BookProject(book: missingHeading, sources: [Self.chapter3]).problems() == [
        "Chapters/03-GradientDescent/main.swift:6: section `3.2 Learning rate` has no heading "
          + "`### 3.2 Learning rate` in chapter 3 of book.md",
        "book.md line 4: heading `### 3.3 Momentum` has no section `// MARK: - 3.3 Momentum` "
          + "in Chapters/03-GradientDescent/main.swift",
      ])

    let swapped = "## Chapter 3 · Gradient descent\n### 3.2 Learning rate\n### 3.1 A slope\n"
    #expect(
      BookProject(book: swapped, sources: [Self.chapter3]).problems() == [
        "book.md line 1: the sections of chapter 3 are in another order than in Chapters/03-GradientDescent/main.swift"
      ])

    let misplaced = "## Chapter 3 · Gradient descent\n### 3.1 A slope\n### 3.2 Learning rate\n### 4.1 Backward\n"
    #expect(
      BookProject(book: misplaced, sources: [Self.chapter3]).problems() == [
        "book.md line 4: heading `### 4.1 Backward` is not under `## Chapter 4`"
      ])
  }

  @Test("a chapter main.swift without sections makes the book's headings for it problems")
  func chapterWithoutSections() {
    let stub = SourceFile(path: "Chapters/03-GradientDescent/main.swift", text: "print(\"coming soon\")\n")
    let book = "## Chapter 3 · Gradient descent\n### 3.1 A slope\n"
    let problems = BookProject(book: book, sources: [stub]).problems()
    #expect(problems.count == 1 && problems.first?.hasPrefix("book.md line 2: heading `### 3.1 A slope` has no section") == true)
  }

  // MARK: The real book

  /// The package root: this file is `<root>/Tests/BookTests/BookTests.swift`.
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  @Test("book.md agrees with Sources/ and Chapters/")
  func realBook() {
    let project: BookProject
    do {
      project = try BookProject.load(packageRoot: Self.packageRoot)
    } catch {
      Issue.record(Comment(rawValue: error.description))
      return
    }
    let problems = project.problems()
    #expect(
      problems.count == 0,
      Comment(
        rawValue: "\(problems.count) problem(s) between book.md and the sources:\n"
          + problems.map { "  " + $0 }.joined(separator: "\n")))
  }

  @Test("the book shows every exercise as its stub, never its solution")
  func exercisesShowStubs() throws {
    let book = try String(contentsOfFile: Self.packageRoot + "/book.md", encoding: .utf8)
    #expect(!book.contains("BEGIN SOLUTION"), "book.md shows a solution marker: run `swift run BookSync`")
    let root = URL(fileURLWithPath: Self.packageRoot)
    let exercises = Set(try solutionBlocks(in: root).filter { $0.file.hasPrefix("Chapters/") }.map(\.id))
    for id in exercises.sorted() {
      #expect(book.contains("Exercise \(id): not written yet"), "book.md does not show exercise \(id)'s stub")
    }
  }

  @Test("Tests/solutions.md, the instructors' appendix, is generated from the current solutions")
  func solutionsAppendixIsCurrent() throws {
    let root = URL(fileURLWithPath: Self.packageRoot)
    let blocks = try solutionBlocks(in: root)
    let found = try? String(contentsOfFile: Self.packageRoot + "/" + CourseLayout.solutionsPath, encoding: .utf8)
    if blocks.isEmpty && found == nil { return }  // the student version: no solutions, no appendix
    let expected = solutionsMarkdown(blocks)
    #expect(found == expected, "\(CourseLayout.solutionsPath) is out of date: run `swift run BookSync`")
  }
}
