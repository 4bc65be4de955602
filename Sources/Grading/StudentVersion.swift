// The student version of the course: the same tree with every solution replaced by its stub,
// without the hidden tests and the instructors' files.

import Foundation

/// What the student version leaves out and which files carry solution markers.
public enum CourseLayout {
  /// Paths (relative to the course root) never copied: the instructors' appendix of solutions.
  public static let excludedPaths: Set<String> = [solutionsPath]
  /// Where the instructors' appendix of every solution lives (written by `swift run BookSync`).
  public static let solutionsPath = "Tests/solutions.md"
  /// Folder names skipped wherever they are: build products and version control.
  public static let skippedFolderNames: Set<String> = [".build", ".git", ".swiftpm"]
  /// A folder of this name holds hidden (instructor-only) tests, wherever it is.
  public static let hiddenFolderName = "Hidden"
  /// The first non-blank line of a Swift test file that the student version leaves out.
  public static let instructorOnlyLine = "// INSTRUCTOR ONLY"
  /// The Markdown files with solution markers.
  public static let markdownFiles: Set<String> = ["book.md"]

  /// How a file's markers are read, or nil if it has none to replace.
  public static func markerSyntax(of relativePath: String) -> MarkerSyntax? {
    if markdownFiles.contains(relativePath) { return .markdown }
    if relativePath.hasPrefix("Chapters/") && relativePath.hasSuffix(".swift") { return .swift }
    return nil
  }

  /// Whether a Swift file is a hidden test: under a `Hidden` folder, or a test file whose first
  /// non-blank line is `// INSTRUCTOR ONLY`. `text` is the file's contents.
  public static func isHiddenTest(_ relativePath: String, text: String?) -> Bool {
    if relativePath.split(separator: "/").dropLast().contains(Substring(hiddenFolderName)) { return true }
    guard relativePath.hasPrefix("Tests/"), relativePath.hasSuffix(".swift"), let text else { return false }
    let firstLine = text.split(separator: "\n", omittingEmptySubsequences: false)
      .lazy.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.first { !$0.isEmpty }
    return firstLine == instructorOnlyLine
  }

  /// Whether the walk leaves out `relativePath` (a file or a folder) entirely.
  public static func isExcluded(_ relativePath: String) -> Bool {
    if relativePath.split(separator: "/").contains(where: { skippedFolderNames.contains(String($0)) }) { return true }
    return excludedPaths.contains { relativePath == $0 || relativePath.hasPrefix($0 + "/") }
  }

  /// The course's files, relative to `root`, sorted, without the skipped folders and excluded paths.
  public static func files(under root: URL) throws -> [String] {
    let rootPath = root.standardizedFileURL.path
    guard let walk = FileManager.default.enumerator(atPath: rootPath) else {
      throw GradingError("cannot read the folder \(rootPath)")
    }
    var files: [String] = []
    while let relative = walk.nextObject() as? String {
      var isFolder: ObjCBool = false
      _ = FileManager.default.fileExists(atPath: rootPath + "/" + relative, isDirectory: &isFolder)
      if isExcluded(relative) {
        if isFolder.boolValue { walk.skipDescendants() }
        continue
      }
      if !isFolder.boolValue { files.append(relative) }
    }
    return files.sorted()
  }
}

/// A problem the tool reports and stops on (bad arguments, unreadable files, a failed build).
public struct GradingError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Every solution block of the course, in file order (for solutions.md and for counting).
public func solutionBlocks(in root: URL) throws -> [SolutionBlock] {
  var blocks: [SolutionBlock] = []
  for relative in try CourseLayout.files(under: root) {
    guard let syntax = CourseLayout.markerSyntax(of: relative) else { continue }
    let text = try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    blocks += try MarkedFile(text: text, file: relative, syntax: syntax).blocks
  }
  return blocks
}

/// Writes the student version of the course at `source` into `destination`.
///
/// Refuses when `destination` is not empty or lies inside `source` (a copy inside the tree
/// would copy itself next time). Everything is written into `<destination>.partial` first and
/// renamed at the end, so a failure (a marker error, a full disk) leaves no half-written tree.
/// Returns the number of solution blocks replaced. Never writes under `source`.
@discardableResult
public func writeStudentVersion(from source: URL, to destination: URL) throws -> Int {
  let manager = FileManager.default
  let sourcePath = source.standardizedFileURL.resolvingSymlinksInPath().path
  let destinationURL = destination.standardizedFileURL
  let destinationPath = destinationURL.resolvingSymlinksInPath().path
  if destinationPath == sourcePath || destinationPath.hasPrefix(sourcePath + "/") {
    throw GradingError("\(destination.path) is inside the course tree \(sourcePath): choose a folder outside it")
  }
  var isFolder: ObjCBool = false
  if manager.fileExists(atPath: destinationPath, isDirectory: &isFolder) {
    guard isFolder.boolValue, try manager.contentsOfDirectory(atPath: destinationPath).isEmpty else {
      throw GradingError("\(destination.path) exists and is not empty: remove it or choose another folder")
    }
  }
  let partial = URL(fileURLWithPath: destinationPath + ".partial")
  if manager.fileExists(atPath: partial.path) {
    throw GradingError("\(partial.path) is left from an interrupted run: remove it, then run again")
  }

  var replaced = 0
  do {
    try manager.createDirectory(at: partial, withIntermediateDirectories: true)
    for relative in try CourseLayout.files(under: source) {
      let from = source.appendingPathComponent(relative), to = partial.appendingPathComponent(relative)
      let syntax = CourseLayout.markerSyntax(of: relative)
      let text = relative.hasSuffix(".swift") || syntax != nil
        ? try? String(contentsOf: from, encoding: .utf8) : nil
      if relative.hasSuffix(".swift") && CourseLayout.isHiddenTest(relative, text: text) { continue }
      if CourseLayout.isHiddenTest(relative, text: nil) { continue }  // anything under Hidden/
      try manager.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
      if let syntax, let text {
        let marked = try MarkedFile(text: text, file: relative, syntax: syntax)
        replaced += marked.blocks.count
        try Data(marked.studentText.utf8).write(to: to)
      } else {
        try manager.copyItem(at: from, to: to)
      }
    }
    if manager.fileExists(atPath: destinationPath) { try manager.removeItem(atPath: destinationPath) }  // empty
    try manager.moveItem(at: partial, to: URL(fileURLWithPath: destinationPath))
  } catch {
    try? manager.removeItem(at: partial)
    throw error
  }
  return replaced
}

/// The instructors' appendix: every solution, by exercise id, with where it is.
/// Ids sort as version numbers (5.2 before 5.10); blocks of one id keep their file order.
public func solutionsMarkdown(_ blocks: [SolutionBlock]) -> String {
  var text = "# Solutions (instructors' edition)\n\n"
  text += "Written by `swift run BookSync` (or `swift run Course solutions`) from the BEGIN SOLUTION blocks of the course; do not edit by hand.\n"
  let byID = Dictionary(grouping: blocks, by: \.id)
  for id in byID.keys.sorted(by: exerciseOrder) {
    text += "\n## Exercise \(id)\n"
    for block in byID[id]! {
      // The body without the block's indentation, so that it reads as at the left margin.
      let body = block.body.map { $0.hasPrefix(block.indentation) ? String($0.dropFirst(block.indentation.count)) : $0 }
      text += "\n`\(block.file)`, line \(block.beginLine):\n\n"
      switch block.kind {
      case .code: text += "```swift\n" + body.joined(separator: "\n") + "\n```\n"
      case .prose: text += body.joined(separator: "\n") + "\n"
      }
    }
  }
  return text
}

/// Orders exercise ids part by part, numerically where both parts are numbers: 2.1 < 2.10 < 10.1.
public func exerciseOrder(_ a: String, _ b: String) -> Bool {
  let left = a.split(separator: "."), right = b.split(separator: ".")
  for (x, y) in zip(left, right) where x != y {
    if let i = Int(x), let j = Int(y) { return i < j }
    return x < y
  }
  return left.count < right.count
}
