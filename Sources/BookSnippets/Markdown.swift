// The book's side: its fenced code blocks, and which of them show snippets.

/// The book split into lines, with its fenced code blocks found.
///
/// Knowing where code is matters because a `#` line inside a shell block is not a heading,
/// and a `<!-- snippet: … -->` line inside a Markdown example is not a marker.
struct Markdown {
  /// The lines of the book, without line breaks.
  var lines: [String]
  /// The fenced code blocks, in order.
  var codeBlocks: [CodeBlock]
  /// For each line, whether it belongs to a code block (its fences included).
  var isCode: [Bool]

  /// A fenced code block: the 0-based indices of its opening fence and of its closing fence
  /// (`nil` if the book ends first), and the first word after the opening fence (`swift`, `sh`, or empty).
  struct CodeBlock {
    var opening: Int
    var closing: Int?
    var language: String

    /// The indices of the lines between the fences.
    var code: Range<Int> { (opening + 1)..<(closing ?? opening + 1) }
  }

  init(_ text: String) {
    lines = splitLines(text)
    codeBlocks = []
    isCode = Array(repeating: false, count: lines.count)
    var open: (fence: String, block: CodeBlock)?
    for (index, line) in lines.enumerated() {
      let text = line.trimmed
      if let current = open {
        isCode[index] = true
        // A closing fence is at least as long as the opening one, of the same character, with nothing after it.
        if text.hasPrefix(current.fence) && text.allSatisfy({ $0 == current.fence.first }) {
          codeBlocks.append(CodeBlock(opening: current.block.opening, closing: index, language: current.block.language))
          open = nil
        }
      } else if let fenceCharacter = text.first, fenceCharacter == "`" || fenceCharacter == "~" {
        let fence = String(text.prefix { $0 == fenceCharacter })
        guard fence.count >= 3 else { continue }
        let info = text.dropFirst(fence.count).trimmed
        let language = String(info.prefix { !$0.isWhitespace })
        isCode[index] = true
        open = (fence, CodeBlock(opening: index, closing: nil, language: language))
      }
    }
    if let current = open {
      codeBlocks.append(current.block)
    }
  }
}

/// A code block of the book that shows a snippet, said by the line `<!-- snippet: name -->` just before its fence.
struct SnippetBlock {
  /// The snippet's name.
  var name: String
  /// The 1-based number of the `<!-- snippet: name -->` line, which problems point at.
  var markerLine: Int
  /// The 0-based indices of the code lines, between the fences.
  var code: Range<Int>
}

/// The name in a line `<!-- snippet: name -->`, or `nil` if the line is something else.
func snippetReference(in line: String) -> String? {
  let text = line.trimmed
  guard text.hasPrefix("<!--") && text.hasSuffix("-->") && text.count >= 7 else { return nil }
  let comment = text.dropFirst(4).dropLast(3).trimmed
  guard comment.hasPrefix("snippet:") else { return nil }
  return comment.dropFirst("snippet:".count).trimmed
}

/// The snippet blocks of the book, in order, and the problems with their markers:
/// a marker not directly followed by a ```` ```swift ```` fence, or whose block is never closed.
func snippetBlocks(in book: Markdown, bookPath: String) -> (blocks: [SnippetBlock], problems: [String]) {
  let blocksByOpening = Dictionary(uniqueKeysWithValues: book.codeBlocks.map { ($0.opening, $0) })
  var blocks: [SnippetBlock] = []
  var problems: [String] = []
  for (index, line) in book.lines.enumerated() where !book.isCode[index] {
    guard let name = snippetReference(in: line) else { continue }
    guard let block = blocksByOpening[index + 1], block.language == "swift" else {
      problems.append(
        "\(bookPath) line \(index + 1): `<!-- snippet: \(name) -->` must be directly followed by "
          + "a ```swift code block, on the next line")
      continue
    }
    guard block.closing != nil else {
      problems.append("\(bookPath) line \(index + 1): the code block of snippet `\(name)` is never closed with ```")
      continue
    }
    blocks.append(SnippetBlock(name: name, markerLine: index + 1, code: block.code))
  }
  return (blocks, problems)
}
