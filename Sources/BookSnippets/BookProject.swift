// The book check as a whole: the book and the sources in, readable problems (or a rewritten book) out.

import Foundation
import Grading

/// A Swift source file: its path relative to the package root, as problems print it, and its text.
public struct SourceFile: Sendable, Equatable {
  /// The path relative to the package root, for example `Chapters/03-GradientDescent/main.swift`.
  public var path: String
  /// The whole text of the file.
  public var text: String

  public init(path: String, text: String) {
    self.path = path
    self.text = text
  }
}

/// A failure to read the book or the sources, with a message that says which file and what to do.
public struct BookError: Error, CustomStringConvertible {
  public var description: String

  public init(description: String) {
    self.description = description
  }
}

/// The course book and the Swift sources of a package, and the checks that keep them in step.
///
/// The rule is that code shown in the book comes from the sources:
/// - a source marks a snippet with a line `// snippet: name` before it and `// end snippet` after it;
/// - the book shows it in a ```` ```swift ```` block directly preceded by the line `<!-- snippet: name -->`;
/// - each numbered `// MARK: - N.M Title` of `Chapters/NN-Topic/main.swift` has a heading `### N.M Title`
///   under `## Chapter N` of the book, and the other way round.
///
/// ``problems()`` lists every disagreement; ``synchronized()`` fixes the ones that can be fixed
/// automatically, the snippet blocks whose code is out of date.
public struct BookProject: Sendable {
  /// The book's path as problems print it.
  public var bookPath: String
  /// The text of the book (Markdown).
  public var book: String
  /// The Swift sources that snippets and sections come from.
  public var sources: [SourceFile]

  public init(book: String, sources: [SourceFile], bookPath: String = "book.md") {
    self.book = book
    self.sources = sources
    self.bookPath = bookPath
  }

  /// Reads `book.md` and every `.swift` file under `Sources/` and `Chapters/` of the package at `root`.
  ///
  /// Source paths are relative to `root` and sorted, so problems come out in the same order on every machine.
  /// Throws a ``BookError`` naming the path if `book.md` is missing or a file cannot be read.
  public static func load(packageRoot root: String, bookPath: String = "book.md") throws(BookError)
    -> BookProject
  {
    let bookFile = root + "/" + bookPath
    guard FileManager.default.fileExists(atPath: bookFile) else {
      throw BookError(
        description: "\(bookFile) does not exist: the course book must be at the package root, "
          + "with each code block it shows from the sources preceded by `<!-- snippet: name -->`")
    }
    let book = try read(bookFile)
    var sources: [SourceFile] = []
    for folder in ["Sources", "Chapters"] {
      let directory = root + "/" + folder
      let paths = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
      for path in paths.sorted() where path.hasSuffix(".swift") {
        var text = try read(directory + "/" + path)
        if folder == "Chapters" {
          // The book is the learner's: every exercise shows its stub, never the solution
          // (the solutions are in the instructors' appendix, Tests/solutions.md).
          do {
            text = try MarkedFile(text: text, file: folder + "/" + path, syntax: .swift).studentText
          } catch {
            throw BookError(description: "\(error)")
          }
        }
        sources.append(SourceFile(path: folder + "/" + path, text: text))
      }
    }
    return BookProject(book: book, sources: sources, bookPath: bookPath)
  }

  /// Every way the book and the sources disagree, one sentence each, starting with the place to look at.
  ///
  /// Empty when they are in step. The order is: problems with snippet markers, snippet blocks of the book
  /// (unknown or out of date), snippets the book does not show, then sections and headings.
  public func problems() -> [String] {
    let markdown = Markdown(book)
    let marked = extractSnippets(from: sources)
    let shown = snippetBlocks(in: markdown, bookPath: bookPath)
    var problems = marked.problems + shown.problems + outputBlocks(in: book, bookPath: bookPath).problems

    for block in shown.blocks {
      guard let snippet = marked.snippets[block.name] else {
        if !marked.duplicated.contains(block.name) {
          problems.append(
            "\(bookPath) line \(block.markerLine): unknown snippet `\(block.name)` — "
              + "no file under Sources/ or Chapters/ marks it with `// snippet: \(block.name)`")
        }
        continue
      }
      if Array(markdown.lines[block.code]) != snippet.code {
        problems.append(
          "\(bookPath) line \(block.markerLine): snippet `\(block.name)` differs from \(snippet.location) — "
            + "run `swift run BookSync` to update the book")
      }
    }

    let used = Set(shown.blocks.map(\.name))
    let unused = marked.snippets.values.filter { !used.contains($0.name) }
    for snippet in unused.sorted(by: { ($0.path, $0.firstLine) < ($1.path, $1.firstLine) }) {
      problems.append(
        "\(snippet.path):\(snippet.firstLine - 1): snippet `\(snippet.name)` is not shown in \(bookPath) — "
          + "show it after a line `<!-- snippet: \(snippet.name) -->`, or remove its markers")
    }

    problems += sectionProblems(sources: sources, book: markdown, bookPath: bookPath)
    return problems
  }

  /// The book with the code of every snippet block replaced by the snippet's current code,
  /// and one line for each block that changed, saying where and from what.
  ///
  /// Only blocks whose snippet is known and marked once are touched; everything else in the book is kept
  /// byte for byte (except that Windows line ends become `\n`). Rewriting an up-to-date book changes nothing.
  public func synchronized() -> (book: String, changes: [String]) {
    let markdown = Markdown(book)
    let snippets = extractSnippets(from: sources).snippets
    var lines: [String] = []
    var changes: [String] = []
    var next = 0  // the first line of the old book not copied yet
    for block in snippetBlocks(in: markdown, bookPath: bookPath).blocks {
      guard let snippet = snippets[block.name], Array(markdown.lines[block.code]) != snippet.code else {
        continue
      }
      lines += markdown.lines[next..<block.code.lowerBound]
      // The marker line's number in the new book: the lines copied so far, minus the fence after the marker.
      changes.append(
        "\(bookPath) line \(lines.count - 1): updated snippet `\(block.name)` from \(snippet.location)")
      lines += snippet.code
      next = block.code.upperBound
    }
    lines += markdown.lines[next...]
    return (lines.joined(separator: "\n"), changes)
  }
}

private func read(_ path: String) throws(BookError) -> String {
  do {
    return try String(contentsOfFile: path, encoding: .utf8)
  } catch {
    throw BookError(description: "cannot read \(path) as UTF-8 text: \(error.localizedDescription)")
  }
}

/// Splits `text` into lines without their line breaks; `"a\nb\n"` gives `["a", "b", ""]`,
/// so joining the lines with `"\n"` gives the text back.
func splitLines(_ text: String) -> [String] {
  text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.map(String.init)
}

extension StringProtocol {
  /// The text without spaces and tabs at either end.
  var trimmed: String { trimmingCharacters(in: .whitespaces) }
}
