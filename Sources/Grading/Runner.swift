// Running `swift build` and `swift test` on a course tree and turning the results into outcomes.
//
// Why one process per chapter, and sometimes per test: a stub's `fatalError` kills the whole
// test process, and Swift Testing then leaves an unfinished xUnit file. So a chapter whose run
// did not finish is run again one graded test at a time, and a crash costs only that test.
//
// Filters (Swift Testing on Linux, Swift 6.3.1): `--filter` is a regular expression matched
// against the test's id `Module.Suite/function(labels:)` followed by more components (a
// pattern ending in `$` right after `()` matches nothing), so we anchor both ends as
//   chapter:  (^|\.)(Chapter05Tests)/
//   one test: (^|\.)Chapter05Tests/topPredictions\(\)(/|$)
// with the parentheses escaped (`topPredictions()` unescaped would also match `topPredictionsX`).

import Foundation

/// Runs `swift` subcommands in one course tree, keeping the logs and xUnit files in `workFolder`.
public struct TestRunner {
  public var package: URL
  public var workFolder: URL
  /// Where progress goes (standard error in the tool, nothing in tests).
  public var log: (String) -> Void

  public init(package: URL, workFolder: URL, log: @escaping (String) -> Void) {
    self.package = package
    self.workFolder = workFolder
    self.log = log
  }

  /// Runs `swift <arguments>` in the package, output (both streams) into `logFile`; returns the exit status.
  public func swift(_ arguments: [String], logFile: URL) throws -> Int32 {
    guard FileManager.default.createFile(atPath: logFile.path, contents: nil) else {
      throw GradingError("cannot write the log \(logFile.path)")
    }
    let output = try FileHandle(forWritingTo: logFile)
    defer { try? output.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["swift"] + arguments + ["--package-path", package.path]
    process.currentDirectoryURL = package
    process.standardOutput = output
    process.standardError = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
  }

  /// `swift build --build-tests`; throws `BuildFailure` with the compiler's first errors.
  public func build() throws {
    try FileManager.default.createDirectory(at: workFolder, withIntermediateDirectories: true)
    let logFile = workFolder.appendingPathComponent("build.log")
    log("Building \(package.path) (swift build --build-tests)…")
    let status = try swift(["build", "--build-tests"], logFile: logFile)
    guard status != 0 else { return }
    let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    throw BuildFailure(firstErrors: firstErrors(inBuildLog: text), logFile: logFile.path)
  }

  /// The outcome of every graded test, chapter by chapter. Call `build()` first.
  public func run(_ points: PointsTable) throws -> [String: TestOutcome] {
    var outcomes: [String: TestOutcome] = [:]
    for chapter in points.chapters {
      let tests = points.tests(of: chapter)
      var suites: [String] = []
      for test in tests where !suites.contains(test.suite) { suites.append(test.suite) }
      let filter = "(^|\\.)(" + suites.map(regexEscaped).joined(separator: "|") + ")/"
      let results = try runTests(filter: filter, name: chapter)
      log(results.complete ? "\(chapter): \(tests.count) graded test\(tests.count == 1 ? "" : "s") run together."
                           : "\(chapter): the test process crashed; running each graded test on its own.")
      for (number, test) in tests.enumerated() {
        if let outcome = outcome(of: test.key, in: results) {
          outcomes[test.key] = outcome
          continue
        }
        let name = "\(chapter)-test\(number + 1)"
        let alone = try runTests(filter: singleTestFilter(test.key), name: name)
        outcomes[test.key] = outcome(of: test.key, in: alone)
          ?? .crashed(crashLine(inLog: workFolder.appendingPathComponent(name + ".log")))
      }
    }
    return outcomes
  }

  /// One `swift test --skip-build` run; its log and xUnit files are `workFolder/name.*`.
  func runTests(filter: String, name: String) throws -> XUnitResults {
    let base = workFolder.appendingPathComponent(name + ".xml")
    for stale in xunitFiles(for: base) { try? FileManager.default.removeItem(at: stale) }  // presence is evidence
    _ = try swift(["test", "--skip-build", "--filter", filter, "--xunit-output", base.path],
                  logFile: workFolder.appendingPathComponent(name + ".log"))
    return readXUnitResults(base: base)
  }
}

/// What a run says of a test: its case if reported; `.notFound` if the run finished without it
/// (no such test); nil if the run crashed first (run it again on its own to know).
public func outcome(of key: String, in results: XUnitResults) -> TestOutcome? {
  if let testCase = results.cases[key] { return TestOutcome(testCase) }
  return results.complete ? .notFound : nil
}

/// The filter that selects exactly one test, given its points.json key `Suite/function()`.
public func singleTestFilter(_ key: String) -> String {
  "(^|\\.)" + regexEscaped(key) + "(/|$)"
}

/// `text` with a backslash before each regular-expression metacharacter, so it matches itself.
func regexEscaped(_ text: String) -> String {
  String(text.flatMap { "\\^$.|?*+()[]{}".contains($0) ? ["\\", $0] : [$0] })
}

/// The package did not compile.
public struct BuildFailure: Error, CustomStringConvertible {
  public var firstErrors: String
  public var logFile: String
  public var description: String {
    """
    The package does not build. The compiler's first errors:
    \(firstErrors)
    Fix: run `swift build --build-tests` in the package and correct the first error (a stub \
    must still compile: fatalError(…) fits any function body). Full log: \(logFile)
    """
  }
}

/// The first distinct `file:line:column: error: …` lines of a build log (or its last lines if
/// none): the compiler's source excerpts under each error ("`- error: …") are left out.
public func firstErrors(inBuildLog log: String, limit: Int = 8) -> String {
  let lines = log.split(separator: "\n").map(String.init)
  var seen: Set<String> = []
  let errors = lines.filter { ($0.contains(": error:") || $0.hasPrefix("error:")) && seen.insert($0).inserted }
  return (errors.isEmpty ? Array(lines.suffix(limit)) : Array(errors.prefix(limit))).joined(separator: "\n")
}

/// The line that says why a test process died (`Fatal error: …`), or empty.
func crashLine(inLog file: URL) -> String {
  let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
  let lines = text.split(separator: "\n")
  let line = lines.first { $0.contains("Fatal error") } ?? lines.first { $0.contains("crashed") }
  return line.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
}

/// Builds and tests the tree at `package`: the outcome of every graded test. A build failure
/// gives every test `.notBuilt` (so that a report can still be written) and is returned too.
public func gradeTree(_ package: URL, points: PointsTable, workFolder: URL,
                      log: @escaping (String) -> Void) throws -> (outcomes: [String: TestOutcome], buildFailure: BuildFailure?) {
  let runner = TestRunner(package: package, workFolder: workFolder, log: log)
  do {
    try runner.build()
  } catch let failure as BuildFailure {
    let outcomes = Dictionary(uniqueKeysWithValues: points.tests.map { ($0.key, TestOutcome.notBuilt(failure.firstErrors)) })
    return (outcomes, failure)
  }
  return (try runner.run(points), nil)
}
