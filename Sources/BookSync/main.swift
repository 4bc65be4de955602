// BookSync: brings the snippet blocks of book.md up to date with the sources, and lists what it cannot fix.
//
//   swift run BookSync            rewrite the out-of-date snippet blocks of book.md, then list the problems left
//   swift run BookSync --outputs  also run every chapter the book quotes (default options, from the
//                                 package root, so their figures are drawn again) and rewrite the
//                                 `<!-- output: ChapterNN -->` blocks with what they print
//   swift run BookSync --check    only list the problems, changing nothing
//
// Run it from the package root. The exit status is 0 when book.md and the sources agree (after the rewrite),
// 1 when problems remain (unknown snippets, markers without a use, sections without headings…), 2 on misuse.

import BookSnippets
import Foundation
import Grading

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints `text` to standard error.
func printError(_ text: String) {
  fflush(nil)  // first what was printed to standard output, to keep the order
  FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Prints the problems left, one per line, and exits with status 1; or exits with 0 if there are none.
func finish(_ problems: [String], bookPath: String) -> Never {
  if problems.isEmpty {
    print("\(bookPath) agrees with the sources.")
    exit(0)
  }
  printError("\(problems.count) problem\(problems.count == 1 ? "" : "s") between \(bookPath) and the sources:")
  for problem in problems {
    printError("  " + problem)
  }
  exit(1)
}

/// Replaces the file at `path` with `text` through a temporary file in the same directory and a rename,
/// so that an interrupted run leaves either the old book or the new one, never half of one.
/// An existing file keeps its permissions.
func replaceAtomically(_ path: String, with text: String) throws {
  let temporary = path + ".BookSync-\(getpid()).tmp"
  do {
    try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
    if FileManager.default.fileExists(atPath: path),
       let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] {
      try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: temporary)
    }
    guard rename(temporary, path) == 0 else {
      throw BookError(description: "cannot rename \(temporary) to \(path): \(String(cString: strerror(errno)))")
    }
  } catch {
    try? FileManager.default.removeItem(atPath: temporary)
    throw error
  }
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.isEmpty || arguments == ["--check"] || arguments == ["--outputs"] else {
  printError(
    """
    usage: swift run BookSync [--check | --outputs]
      Run from the package root. Without --check, rewrites the snippet blocks of book.md from the sources
      (`// snippet: name` … `// end snippet`, exercise solutions shown as their stubs), writes the
      instructors' appendix Tests/solutions.md, and lists the problems it cannot fix; with --check, only lists them.
      --outputs first runs every chapter the book quotes (build them with `swift build` before) and
      rewrites the book's output blocks and figures from those runs.
    """)
  exit(arguments.contains("--help") || arguments.contains("-h") ? 0 : 2)
}
let checkOnly = arguments == ["--check"]
let root = FileManager.default.currentDirectoryPath
guard FileManager.default.fileExists(atPath: root + "/Package.swift") else {
  printError("BookSync: no Package.swift in \(root) — run it from the package root: swift run BookSync")
  exit(2)
}

/// Runs the built chapter `name` from the package root, as a learner would with `swift run`, and
/// returns what it printed; COURSE_MARK_MEASURED=1 makes it mark its measured values.
func runChapter(_ name: String) throws -> String {
  let executable = root + "/.build/debug/" + name
  guard FileManager.default.isExecutableFile(atPath: executable) else {
    throw BookError(description: "\(executable) is not built: run `swift build` first, then `swift run BookSync --outputs`")
  }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.currentDirectoryURL = URL(fileURLWithPath: root)
  process.environment = ProcessInfo.processInfo.environment.merging(["COURSE_MARK_MEASURED": "1"]) { $1 }
  let output = Pipe()
  process.standardOutput = output
  print("running \(name)…")
  try process.run()
  let data = output.fileHandleForReading.readDataToEndOfFile()  // before waiting: a full pipe would block it
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    throw BookError(description: "\(name) exited with status \(process.terminationStatus); fix it, then run again")
  }
  return String(decoding: data, as: UTF8.self)
}

do {
  if arguments == ["--outputs"] {
    let bookPath = root + "/book.md"
    let book = try String(contentsOfFile: bookPath, encoding: .utf8)
    let chapters = Set(outputBlocks(in: book).blocks.map(\.chapter)).sorted()
    var outputs: [String: String] = [:]
    for chapter in chapters { outputs[chapter] = try runChapter(chapter) }
    let (updated, changes) = withOutputs(book, outputs: outputs)
    if !changes.isEmpty { try replaceAtomically(bookPath, with: updated) }
    for change in changes { print(change) }
    print("\(changes.count) output block(s) updated from runs of \(chapters.count) chapters; "
          + "their figures were drawn again in figures/ (see `git status`).")
  }
  var project = try BookProject.load(packageRoot: root)
  if checkOnly {
    finish(project.problems(), bookPath: project.bookPath)
  }
  let (book, changes) = project.synchronized()
  if changes.isEmpty {
    print("No snippet block of \(project.bookPath) needed updating.")
  } else {
    try replaceAtomically(root + "/" + project.bookPath, with: book)
    project.book = book
    for change in changes {
      print(change)
    }
  }
  // The instructors' appendix: every solution, generated from the same markers as the stubs.
  let solutions = solutionsMarkdown(try solutionBlocks(in: URL(fileURLWithPath: root)))
  let solutionsPath = root + "/" + CourseLayout.solutionsPath
  if (try? String(contentsOfFile: solutionsPath, encoding: .utf8)) != solutions {
    try replaceAtomically(solutionsPath, with: solutions)
    print("wrote \(CourseLayout.solutionsPath), the instructors' appendix of solutions")
  }
  finish(project.problems(), bookPath: project.bookPath)
} catch {
  printError("BookSync: \(error)")
  exit(1)
}
