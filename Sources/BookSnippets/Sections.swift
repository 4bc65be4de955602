// Sections: each chapter's main.swift and the book's chapter are divided the same way.
//
// In Chapters/NN-Topic/main.swift a section starts at a line `// MARK: - N.M Title`; in the book at a heading
// `### N.M Title` under `## Chapter N · Topic`. Only numbered ones count: a `// MARK: - Helpers` or a
// `### Exercises` is free. A chapter the book describes but whose main.swift does not exist yet is not checked.

/// A numbered section, `3.2 Learning rate`, with the 1-based line it starts at.
struct Section: Equatable {
  /// The chapter number, the `N` of `N.M`.
  var chapter: Int
  /// The number and the title, as both the `// MARK: -` line and the `###` heading spell them: `3.2 Learning rate`.
  var title: String
  var line: Int
}

/// The chapter number of a section title `N.M Title`, or `nil` if the title does not start with such a number.
func sectionChapter(_ title: String) -> Int? {
  let number = title.prefix { !$0.isWhitespace }
  let parts = number.split(separator: ".", omittingEmptySubsequences: false)
  let isDigits = { (part: Substring) in !part.isEmpty && part.allSatisfy { $0.isASCII && $0.isNumber } }
  guard number.count < title.count, parts.count == 2, parts.allSatisfy(isDigits) else { return nil }
  return Int(parts[0])
}

/// The chapter number of `Chapters/NN-Topic/main.swift` (its folder's leading digits), or `nil` for any other path.
func chapterNumber(ofMain path: String) -> Int? {
  let components = path.split(separator: "/")
  guard components.count >= 3, components[components.count - 3] == "Chapters", components.last == "main.swift"
  else { return nil }
  let folder = components[components.count - 2]
  let digits = folder.prefix { $0.isASCII && $0.isNumber }
  guard !digits.isEmpty, folder.dropFirst(digits.count).hasPrefix("-") else { return nil }
  return Int(digits)
}

/// A chapter executable's `main.swift` and its numbered sections, in order.
struct ChapterCode {
  var number: Int
  var path: String
  var sections: [Section]
}

/// The chapters' main.swift files among `sources`, with their `// MARK: - N.M Title` sections,
/// and the sections numbered for another chapter than their folder's.
func chapterCode(in sources: [SourceFile]) -> (chapters: [ChapterCode], problems: [String]) {
  var chapters: [ChapterCode] = []
  var problems: [String] = []
  for source in sources {
    guard let number = chapterNumber(ofMain: source.path) else { continue }
    var chapter = ChapterCode(number: number, path: source.path, sections: [])
    for (index, line) in splitLines(source.text).enumerated() {
      let text = line.trimmed
      guard text.hasPrefix("// MARK: - ") else { continue }
      let title = text.dropFirst("// MARK: - ".count).trimmed
      guard let sectionNumber = sectionChapter(title) else { continue }
      if sectionNumber == number {
        chapter.sections.append(Section(chapter: number, title: title, line: index + 1))
      } else {
        problems.append(
          "\(source.path):\(index + 1): section `\(title)` is numbered for chapter \(sectionNumber), "
            + "but this is chapter \(number)")
      }
    }
    if let other = chapters.first(where: { $0.number == number }) {
      problems.append("\(source.path): chapter \(number) is also \(other.path) — chapter numbers must be unique")
    }
    chapters.append(chapter)
  }
  return (chapters, problems)
}

/// A chapter of the book: the line of its `## Chapter N` heading and its `### N.M Title` headings, in order.
struct BookChapter {
  var number: Int
  var line: Int
  var sections: [Section]
}

/// The chapters of the book, keyed by number, and the problems with their headings:
/// a chapter heading repeated, or a `### N.M` heading outside `## Chapter N`.
func bookChapters(in book: Markdown, bookPath: String) -> (chapters: [Int: BookChapter], problems: [String]) {
  var chapters: [Int: BookChapter] = [:]
  var problems: [String] = []
  var current: Int?  // the chapter whose headings come next; `nil` outside chapters (preface, appendix…)
  for (index, line) in book.lines.enumerated() where !book.isCode[index] {
    let level = line.prefix { $0 == "#" }.count
    guard level > 0, line.dropFirst(level).first == " " else { continue }
    let title = line.dropFirst(level).trimmed
    switch level {
    case 1, 2:
      current = nil
      guard level == 2, title.hasPrefix("Chapter ") else { continue }
      let digits = title.dropFirst("Chapter ".count).prefix { $0.isASCII && $0.isNumber }
      guard let number = Int(digits) else { continue }
      if let first = chapters[number] {
        problems.append("\(bookPath) line \(index + 1): chapter \(number) already starts at line \(first.line)")
      } else {
        chapters[number] = BookChapter(number: number, line: index + 1, sections: [])
      }
      current = number
    case 3:
      guard let number = sectionChapter(title) else { continue }
      if let current, current == number {
        chapters[current]?.sections.append(Section(chapter: number, title: title, line: index + 1))
      } else {
        problems.append("\(bookPath) line \(index + 1): heading `### \(title)` is not under `## Chapter \(number)`")
      }
    default:
      continue
    }
  }
  return (chapters, problems)
}

/// The differences between the sections of each chapter's main.swift and the headings of that chapter in the book:
/// a section without a heading, a heading without a section, the same title twice, or the same sections in
/// another order. Chapters of the book without a main.swift are not compared.
func sectionProblems(sources: [SourceFile], book: Markdown, bookPath: String) -> [String] {
  let code = chapterCode(in: sources)
  let written = bookChapters(in: book, bookPath: bookPath)
  var problems = code.problems + written.problems

  for chapter in code.chapters {
    let headings = written.chapters[chapter.number]?.sections ?? []
    problems += repeatedTitles(chapter.sections) { "\(chapter.path):\($0.line): section `\($0.title)` appears twice" }
    problems += repeatedTitles(headings) { "\(bookPath) line \($0.line): heading `### \($0.title)` appears twice" }

    let headingTitles = Set(headings.map(\.title))
    let sectionTitles = Set(chapter.sections.map(\.title))
    for section in chapter.sections where !headingTitles.contains(section.title) {
      problems.append(
        "\(chapter.path):\(section.line): section `\(section.title)` has no heading `### \(section.title)` "
          + "in chapter \(chapter.number) of \(bookPath)")
    }
    for heading in headings where !sectionTitles.contains(heading.title) {
      problems.append(
        "\(bookPath) line \(heading.line): heading `### \(heading.title)` has no section "
          + "`// MARK: - \(heading.title)` in \(chapter.path)")
    }
    let noRepeats = headingTitles.count == headings.count && sectionTitles.count == chapter.sections.count
    if noRepeats && headingTitles == sectionTitles && headings.map(\.title) != chapter.sections.map(\.title),
      let start = written.chapters[chapter.number]
    {
      problems.append(
        "\(bookPath) line \(start.line): the sections of chapter \(chapter.number) are in another order "
          + "than in \(chapter.path)")
    }
  }
  return problems
}

/// One problem for each section whose title an earlier section already has.
private func repeatedTitles(_ sections: [Section], problem: (Section) -> String) -> [String] {
  var seen: Set<String> = []
  return sections.compactMap { seen.insert($0.title).inserted ? nil : problem($0) }
}
