// Snippets: the pieces of source code that the book shows, marked in the sources themselves.

/// A piece of a source file that the book shows, found between a line `// snippet: name` and a line `// end snippet`.
///
/// The marker lines are not part of the snippet, and its code is dedented by the leading whitespace its
/// lines have in common, so a method marked inside a type is shown starting at the left margin.
struct Snippet: Sendable, Equatable {
  /// The name after `// snippet:`, unique across the package.
  var name: String
  /// The file it is marked in, relative to the package root.
  var path: String
  /// The 1-based numbers of its first and last lines of code in that file (the markers are the lines around them).
  var firstLine: Int
  var lastLine: Int
  /// The code, dedented, one element per line.
  var code: [String]

  /// Where the snippet comes from, as problems print it: `Sources/Core/Operations/Activations.swift:40-52`.
  var location: String { "\(path):\(firstLine)-\(lastLine)" }
}

/// The line that opens a snippet, followed by its name (after leading whitespace is trimmed).
let snippetStartMarker = "// snippet:"
/// The line that closes a snippet (after leading and trailing whitespace are trimmed).
let snippetEndMarker = "// end snippet"

/// The snippets marked in `sources`, keyed by name, and the problems with their markers.
///
/// Problems are: a name marked twice (naming both places), a snippet that is never closed, an `// end snippet`
/// without a snippet, a snippet opened inside another, an empty snippet and a name that is not a plain word.
/// A name marked twice is left out of `snippets` and put in `duplicated`, so the book is neither compared
/// with nor rewritten from either copy.
func extractSnippets(from sources: [SourceFile]) -> (
  snippets: [String: Snippet], duplicated: Set<String>, problems: [String]
) {
  var found: [Snippet] = []
  var problems: [String] = []

  for source in sources {
    var open: (name: String, line: Int)?  // the snippet being read, and the number of its start marker
    var body: [String] = []
    for (index, line) in splitLines(source.text).enumerated() {
      let number = index + 1
      let text = line.trimmed
      if text.hasPrefix(snippetStartMarker) {
        let name = text.dropFirst(snippetStartMarker.count).trimmed
        if let outer = open {
          problems.append(
            "\(source.path):\(number): snippet `\(name)` starts inside snippet `\(outer.name)` "
              + "(line \(outer.line)) — close that one first with `\(snippetEndMarker)`")
        }
        if !isSnippetName(name) {
          problems.append(
            "\(source.path):\(number): `\(name)` is not a snippet name — "
              + "use letters, digits, `-`, `_` and `.`, for example `// snippet: tanh-forward`")
        }
        open = (name, number)
        body = []
      } else if text == snippetEndMarker {
        guard let snippet = open else {
          problems.append(
            "\(source.path):\(number): `\(snippetEndMarker)` without a `\(snippetStartMarker) name` before it")
          continue
        }
        open = nil
        if body.isEmpty {
          problems.append("\(source.path):\(snippet.line): snippet `\(snippet.name)` is empty")
        } else if isSnippetName(snippet.name) {
          found.append(
            Snippet(
              name: snippet.name, path: source.path, firstLine: snippet.line + 1, lastLine: number - 1,
              code: dedent(body)))
        }
      } else if open != nil {
        body.append(line)
      }
    }
    if let snippet = open {
      problems.append(
        "\(source.path):\(snippet.line): snippet `\(snippet.name)` is never closed — "
          + "add a line `\(snippetEndMarker)` after its last line")
    }
  }

  var snippets: [String: Snippet] = [:]
  var duplicated: Set<String> = []
  for (name, copies) in Dictionary(grouping: found, by: \.name).sorted(by: { $0.key < $1.key }) {
    if copies.count == 1 {
      snippets[name] = copies[0]
    } else {
      let places = copies.map { "\($0.path):\($0.firstLine - 1)" }
      problems.append(
        "\(places[0]): snippet `\(name)` is marked more than once, also at "
          + places.dropFirst().joined(separator: " and ") + " — snippet names must be unique")
      duplicated.insert(name)
    }
  }
  return (snippets, duplicated, problems)
}

/// Whether `name` can name a snippet: a non-empty word of letters, digits, `-`, `_` and `.`,
/// which reads well in both markers and cannot end the book's HTML comment early.
func isSnippetName(_ name: String) -> Bool {
  !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
}

/// Removes the leading whitespace that all non-blank lines have in common; blank lines become empty.
///
/// Only an identical prefix counts as common, so a line indented with a tab and one indented with spaces
/// keep their indentation.
func dedent(_ lines: [String]) -> [String] {
  func isBlank(_ line: String) -> Bool { line.allSatisfy(\.isWhitespace) }
  let indents = lines.filter { !isBlank($0) }.map { $0.prefix { $0 == " " || $0 == "\t" } }
  let first = indents.first ?? ""
  let width = indents.map { indent in zip(first, indent).prefix { $0 == $1 }.count }.min() ?? 0
  return lines.map { isBlank($0) ? "" : String($0.dropFirst(width)) }
}
