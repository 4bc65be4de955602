// The book shows what the chapters print and draw: every `<!-- output: ChapterNN -->` block of
// book.md must match a run of the chapter with its default options (measured values aside), and
// every figure the run draws must be the committed one the book shows. `swift run BookSync
// --outputs` brings both up to date after a change.

import Foundation
import Testing
import BookSnippets
import TestSupport

@Suite("Book outputs")
struct BookOutputTests {
  static let book = (try? String(contentsOf: ChapterRunner.packageRoot.appendingPathComponent("book.md"),
                                 encoding: .utf8)) ?? ""
  static let chapters = Set(outputBlocks(in: book).blocks.map(\.chapter)).sorted()

  @Test("each chapter prints what the book shows and draws its figures", arguments: chapters)
  func chapterMatchesTheBook(_ chapter: String) throws {
    let run = try ChapterRunner.run(chapter, [], environment: ["COURSE_MARK_MEASURED": "1"], timeout: 600)
    try #require(run.status == 0, "\(run.command) exited with \(run.status):\n\(run.errors)")
    let sections = outputSections(run.output)
    let blocks = outputBlocks(in: Self.book).blocks.filter { $0.chapter == chapter }
    for block in blocks {
      for problem in outputProblems(block, sections: sections) { Issue.record(Comment(rawValue: problem)) }
    }
    // A figure drawn in a section of timings shows this machine's speed: shown, never compared.
    let measuredFigures = Set(blocks.filter(\.measured).flatMap { block in
      (block.title.flatMap { sections[$0] } ?? []).filter { $0.hasPrefix("figure: ") }.map { String($0.dropFirst(8)) }
    })
    for figure in run.figures where !measuredFigures.contains(figure) {
      let drawn = run.file(figure)
      let committed = try? String(contentsOf: ChapterRunner.packageRoot.appendingPathComponent(figure), encoding: .utf8)
      let same = drawn == committed  // (not compared inside #expect, which would print both files)
      #expect(same, Comment(rawValue: "\(figure) as drawn by \(chapter) differs from the "
              + "committed one: run `swift run BookSync --outputs` (after `swift build`) and commit the figure"))
    }
  }
}
