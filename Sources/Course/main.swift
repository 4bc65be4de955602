// Course: the instructors' grading tool. Run it from the course root, e.g.
//   swift run Course grade
// This file only reads the arguments; the commands are in the Grading library.
// Exit status: 0 success, 1 failure or defect, 2 misuse (unknown command or option).

import Foundation
import Grading

let usage = """
  Usage: Course <command> [options]

  Commands:
    student-version <dir> [--source <root>]
        Copy the course (default: the current folder) to <dir>, every solution replaced by its
        stub, without hidden tests and Tests/solutions.md. <dir> must be empty or new.
    solutions [--source <root>] [--out <file>]
        Write the instructors' appendix of every solution (default: <root>/Tests/solutions.md).
    grade [--package <root>] [--out <dir>]
        Build, run the graded tests of Tests/points.json chapter by chapter, print a table and
        write grades.json, grades.csv and results.json (Gradescope) to <dir>
        (default: <root>/.build/grades).
    validate [--package <root>] [--student <dir>]
        Every graded test must pass on the reference solutions and fail on the student version
        (made in a temporary folder unless --student names one).
    points-check [--package <root>] [--verbose]
        Check Tests/points.json against the @Test functions under Tests/ (--verbose also lists
        the tests of chapter suites that carry no points).

  Exit status: 0 success, 1 failure or defect, 2 usage error.
  """

let console = Console(
  out: { print($0) },
  err: { text in
    fflush(nil)  // first what was printed to standard output, to keep the order
    FileHandle.standardError.write(Data((text + "\n").utf8))
  })

/// Reports a misuse with the usage text and exits with status 2.
func usageError(_ message: String) -> Never {
  console.err("error: \(message)\n\n\(usage)")
  exit(2)
}

/// The command's options (`--name value`) and positional arguments, checked against `allowed`.
func parseOptions(_ arguments: ArraySlice<String>, allowed: Set<String>) -> (options: [String: String], positional: [String]) {
  var options: [String: String] = [:], positional: [String] = []
  var rest = arguments
  while let argument = rest.popFirst() {
    if argument.hasPrefix("-") {
      guard allowed.contains(argument) else { usageError("unknown option \(argument)") }
      guard let value = rest.popFirst(), !value.hasPrefix("--") else { usageError("\(argument) needs a value") }
      options[argument] = value
    } else {
      positional.append(argument)
    }
  }
  return (options, positional)
}

/// A path argument as a URL, relative paths taken from the current folder.
func folder(_ path: String?) -> URL {
  let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
  guard let path else { return current.standardizedFileURL }
  return URL(fileURLWithPath: path, relativeTo: current).standardizedFileURL
}

let arguments = CommandLine.arguments.dropFirst()
guard let command = arguments.first else { usageError("no command given") }
let rest = arguments.dropFirst()

switch command {
case "student-version":
  let (options, positional) = parseOptions(rest, allowed: ["--source"])
  guard positional.count == 1 else { usageError("student-version needs exactly one destination folder") }
  exit(studentVersionCommand(source: folder(options["--source"]), destination: folder(positional[0]), console: console))
case "solutions":
  let (options, positional) = parseOptions(rest, allowed: ["--source", "--out"])
  guard positional.isEmpty else { usageError("solutions takes no arguments, only --source and --out") }
  let source = folder(options["--source"])
  let output = options["--out"].map { folder($0) } ?? source.appendingPathComponent(CourseLayout.solutionsPath)
  exit(solutionsCommand(source: source, output: output, console: console))
case "grade":
  let (options, positional) = parseOptions(rest, allowed: ["--package", "--out"])
  guard positional.isEmpty else { usageError("grade takes no arguments, only --package and --out") }
  let package = folder(options["--package"])
  let out = options["--out"].map { folder($0) } ?? package.appendingPathComponent(".build/grades")
  exit(gradeCommand(package: package, out: out, console: console))
case "validate":
  let (options, positional) = parseOptions(rest, allowed: ["--package", "--student"])
  guard positional.isEmpty else { usageError("validate takes no arguments, only --package and --student") }
  exit(validateCommand(package: folder(options["--package"]), student: options["--student"].map { folder($0) },
                       console: console))
case "points-check":
  let verbose = rest.contains("--verbose")
  let (options, positional) = parseOptions(rest.filter { $0 != "--verbose" }, allowed: ["--package"])
  guard positional.isEmpty else { usageError("points-check takes no arguments, only --package and --verbose") }
  exit(pointsCheckCommand(package: folder(options["--package"]), verbose: verbose, console: console))
case "help", "--help", "-h":
  print(usage)
default:
  usageError("unknown command \(command)")
}
