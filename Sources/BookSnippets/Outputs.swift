// What a chapter prints, as the book shows it: every ```text block of book.md under a marker
//
//     <!-- output: Chapter05 -->
//
// holds one section of chapter 5's output from a real run with its default options, header line
// first. `swift run BookSync --outputs` runs the chapters and rewrites these blocks (and copies the
// figures the run drew); the book test runs them again and fails when a block no longer matches.
//
// Machine-dependent values are shown but never compared:
// - a number with a unit of time or speed (`4.2 s`, `35.6 ms`, `92.7 GFLOP/s`, `1.8×`);
// - anything a chapter prints through `measured(…)` (CourseSupport), which a run made by these
//   tools (COURSE_MARK_MEASURED=1) wraps in ⟨ ⟩;
// - the whole body of a block whose marker says `measured` (`<!-- output: Chapter11 measured -->`),
//   for sections that are nothing but timings: only their header is compared.

import Foundation

/// One marked output block of the book.
public struct OutputBlock: Sendable, Equatable {
  /// The chapter executable, `Chapter05`.
  public var chapter: String
  /// Whether only the header is compared (a section of timings).
  public var measured: Bool
  /// 1-based line of the marker; the block's lines follow the ```text line after it.
  public var markerLine: Int
  /// The lines inside the block.
  public var lines: [String]

  /// The section title of the block's header line (`── 5.6 The final model ───` → `5.6 The final model`).
  public var title: String? { lines.first.flatMap(sectionTitle) }
}

/// The title of a section header line as chapters print it, or nil if `line` is not one.
public func sectionTitle(_ line: String) -> String? {
  guard line.hasPrefix("── ") else { return nil }
  var title = Substring(line.dropFirst(3))
  while title.last == "─" || title.last == " " { title = title.dropLast() }
  return String(title)
}

/// The output markers of `book` and their blocks, with a problem for each marker that is not
/// directly followed by a ```text block starting with a section header.
public func outputBlocks(in book: String, bookPath: String = "book.md") -> (blocks: [OutputBlock], problems: [String]) {
  let lines = splitLines(book)
  var blocks: [OutputBlock] = [], problems: [String] = []
  var index = 0
  while index < lines.count {
    defer { index += 1 }
    let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
    guard trimmed.hasPrefix("<!-- output:"), trimmed.hasSuffix("-->") else { continue }
    let words = trimmed.dropFirst("<!-- output:".count).dropLast(3).split(separator: " ").map(String.init)
    guard let chapter = words.first, chapter.hasPrefix("Chapter"), words.count <= 2,
          words.count == 1 || words[1] == "measured" else {
      problems.append("\(bookPath) line \(index + 1): an output marker reads `<!-- output: ChapterNN -->` or "
                      + "`<!-- output: ChapterNN measured -->`, not `\(trimmed)`")
      continue
    }
    guard index + 1 < lines.count, lines[index + 1] == "```text",
          let end = lines[(index + 2)...].firstIndex(of: "```") else {
      problems.append("\(bookPath) line \(index + 1): the output marker must stand directly above a ```text block")
      continue
    }
    let block = OutputBlock(chapter: chapter, measured: words.count == 2, markerLine: index + 1,
                            lines: Array(lines[(index + 2)..<end]))
    if block.title == nil {
      problems.append("\(bookPath) line \(index + 3): an output block starts with its section's header line "
                      + "(`── 5.6 The final model ───`)")
      continue
    }
    blocks.append(block)
  }
  return (blocks, problems)
}

/// The sections of a chapter's standard output by title, each with its header line first; lines
/// a progress display rewrote in place (carriage returns) keep only their final text.
public func outputSections(_ output: String) -> [String: [String]] {
  var sections: [String: [String]] = [:]
  var current: String?
  for rawLine in splitLines(output) {
    let line = rawLine.split(separator: "\r", omittingEmptySubsequences: false).last.map(String.init) ?? rawLine
    if let title = sectionTitle(line) {
      current = title
      sections[title] = [line]
    } else if let current {
      sections[current]!.append(line)
    }
  }
  // A section's output ends at its last printed line, not at the blank lines before the next header.
  for (title, lines) in sections {
    var trimmed = lines
    while trimmed.count > 1 && trimmed.last!.trimmingCharacters(in: .whitespaces).isEmpty { trimmed.removeLast() }
    sections[title] = trimmed
  }
  return sections
}

/// A line as the comparison sees it: measured values replaced by `#`, runs of spaces and of table
/// rules folded, so that a timing one character wider does not move the columns after it.
public func comparableLine(_ line: String) -> String {
  var text = line.replacingOccurrences(of: #"⟨[^⟩]*⟩"#, with: "#", options: .regularExpression)
  let number = #"[-−]?[0-9]+(?:[.,][0-9]+)?(?:e[-+]?[0-9]+)?"#
  let units = #"(?:ms|µs|ns|s|min|h|GFLOP/s|GB/s|MB/s|tokens/s|chars/s|texts/s|images/s|steps/s|×)"#
  text = text.replacingOccurrences(of: number + #" ?"# + units + #"(?![A-Za-z])"#, with: "#",
                                   options: .regularExpression)
  text = text.replacingOccurrences(of: "#( #)+", with: "#", options: .regularExpression)  // 1 min 10 s
  text = text.replacingOccurrences(of: "─+", with: "─", options: .regularExpression)
  text = text.replacingOccurrences(of: " +", with: " ", options: .regularExpression)
  return text.trimmingCharacters(in: .whitespaces)
}

/// The text a run printed, without the ⟨ ⟩ marks of measured values, as the book shows it.
public func withoutMeasuredMarks(_ line: String) -> String {
  line.replacingOccurrences(of: "⟨", with: "").replacingOccurrences(of: "⟩", with: "")
}

/// The problems of `block` against a run's sections (nil sections: the chapter did not run).
public func outputProblems(_ block: OutputBlock, sections: [String: [String]], bookPath: String = "book.md")
  -> [String] {
  let place = "\(bookPath) line \(block.markerLine)"
  guard let title = block.title, let run = sections[title] else {
    return ["\(place): \(block.chapter) printed no section `\(block.title ?? "?")`; fix the block's header "
            + "or run `swift run BookSync --outputs`"]
  }
  if block.measured { return [] }
  let (shown, printed) = (block.lines.map(comparableLine), run.map(comparableLine))
  if shown == printed { return [] }
  let index = (0..<min(shown.count, printed.count)).first { shown[$0] != printed[$0] }
    ?? min(shown.count, printed.count)
  let bookLine = index < block.lines.count ? "`\(block.lines[index])`" : "(nothing)"
  let runLine = index < run.count ? "`\(withoutMeasuredMarks(run[index]))`" : "(nothing)"
  return ["\(place): the output of \(block.chapter) section \(title) differs from a run at its line \(index + 1): "
          + "the book shows \(bookLine), the run printed \(runLine) — run `swift run BookSync --outputs`"]
}

/// `book` with every output block replaced by what the runs printed; `outputs` maps a chapter to
/// its standard output. Returns the new book and one line per block that changed.
public func withOutputs(_ book: String, outputs: [String: String], bookPath: String = "book.md")
  -> (book: String, changes: [String]) {
  var lines = splitLines(book)
  var changes: [String] = []
  let sectionsByChapter = outputs.mapValues(outputSections)
  // From the last block to the first, so that earlier line numbers stay valid.
  for block in outputBlocks(in: book, bookPath: bookPath).blocks.reversed() {
    guard let title = block.title, let run = sectionsByChapter[block.chapter]?[title] else { continue }
    let new = run.map(withoutMeasuredMarks)
    if new == block.lines { continue }
    let start = block.markerLine + 1  // 0-based index of the first line inside the block
    lines.replaceSubrange(start..<start + block.lines.count, with: new)
    changes.append("\(bookPath) line \(block.markerLine): updated the output of \(block.chapter) section \(title)")
  }
  return (lines.joined(separator: "\n"), changes.reversed())
}
