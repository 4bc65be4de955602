// The tool's commands: each prints what it did and returns the exit status
// (0 success, 1 failure or defect; 2, misuse, is main.swift's).

import Foundation

/// Where a command prints: standard output for results, standard error for progress and errors.
public struct Console: Sendable {
  public var out: @Sendable (String) -> Void
  public var err: @Sendable (String) -> Void
  public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
    self.out = out
    self.err = err
  }
}

/// `Course student-version <dir> [--source <root>]`.
public func studentVersionCommand(source: URL, destination: URL, console: Console) -> Int32 {
  do {
    let replaced = try writeStudentVersion(from: source, to: destination)
    console.out("Wrote the student version to \(destination.path): \(replaced) solution blocks replaced by stubs.")
    return 0
  } catch {
    console.err("error: \(error)")
    return 1
  }
}

/// `Course solutions [--source <root>] [--out <file>]`: the instructors' appendix.
public func solutionsCommand(source: URL, output: URL, console: Console) -> Int32 {
  do {
    let blocks = try solutionBlocks(in: source)
    try Data(solutionsMarkdown(blocks).utf8).write(to: output, options: .atomic)
    console.out("Wrote \(output.path): \(blocks.count) solution blocks, \(Set(blocks.map(\.id)).count) exercises.")
    return 0
  } catch {
    console.err("error: \(error)")
    return 1
  }
}

/// `Course grade [--package <root>] [--out <dir>]`.
public func gradeCommand(package: URL, out: URL, console: Console) -> Int32 {
  do {
    let points = try PointsTable.load(courseRoot: package)
    let hidden = try hiddenKeys(points: points, tree: package)
    let (outcomes, buildFailure) = try gradeTree(package, points: points, workFolder: out.appendingPathComponent("logs"),
                                                 log: console.err)
    let report = GradeReport(points: points, outcomes: outcomes, hiddenKeys: hidden)
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    try report.gradesJSON.write(to: out.appendingPathComponent("grades.json"))
    try Data(report.csv.utf8).write(to: out.appendingPathComponent("grades.csv"))
    try report.gradescopeJSON.write(to: out.appendingPathComponent("results.json"))
    console.out(report.table)
    console.out("Wrote grades.json, grades.csv and results.json (Gradescope) to \(out.path).")
    if let buildFailure {
      console.err(buildFailure.description)
      return 1
    }
    // A whole run that reports no test of a graded name: points.json names a test that does not
    // exist here (a typo, or a hidden test not copied into this tree before grading).
    let unknown = report.tests.filter { $0.outcome == .notFound }
    for grade in unknown {
      console.err("error: \(PointsTable.relativePath) names \(grade.test.key), but the xUnit results of the run have no such "
                  + "test. Fix the name (see Course points-check), or copy the hidden tests into this tree before grading.")
    }
    return unknown.isEmpty ? 0 : 1
  } catch {
    console.err("error: \(error)")
    return 1
  }
}

/// The graded tests that students do not see: those in hidden test files, and those the tree
/// does not have at all (the student version, which lacks the hidden files).
func hiddenKeys(points: PointsTable, tree: URL) throws -> Set<String> {
  let discovered = try scanTests(in: tree)
  let present = Set(discovered.map(\.key))
  return Set(discovered.filter(\.hidden).map(\.key)).union(points.tests.map(\.key).filter { !present.contains($0) })
}

/// `Course validate [--package <root>] [--student <dir>]`: nbgrader's validate and validate --invert
/// in one. Every graded test must pass on the reference solutions and fail on the stubs.
public func validateCommand(package: URL, student: URL?, console: Console) -> Int32 {
  let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("course-validate-\(UUID().uuidString)")
  defer { try? FileManager.default.removeItem(at: temporary) }
  do {
    let points = try PointsTable.load(courseRoot: package)
    var defects: [String] = []
    console.err("== The reference solutions")
    let reference = try gradeTree(package, points: points, workFolder: temporary.appendingPathComponent("reference"),
                                  log: console.err)
    if let failure = reference.buildFailure { defects.append("the reference tree does not build:\n\(failure)") }

    let studentTree = student ?? temporary.appendingPathComponent("student")
    if student == nil {
      let replaced = try writeStudentVersion(from: package, to: studentTree)
      console.err("== The student version (\(replaced) stubs, in \(studentTree.path))")
    } else {
      console.err("== The student version in \(studentTree.path)")
    }
    let stubs = try gradeTree(studentTree, points: points, workFolder: temporary.appendingPathComponent("student-logs"),
                              log: console.err)
    if let failure = stubs.buildFailure { defects.append("the student version does not build:\n\(failure)") }

    for chapter in points.chapters {
      let tests = points.tests(of: chapter)
      let passing = tests.filter { reference.outcomes[$0.key] == .passed }
      let failing = tests.filter { stubs.outcomes[$0.key] != .passed }
      console.out("\(chapter)  reference: \(passing.count)/\(tests.count) pass   student version: \(failing.count)/\(tests.count) fail")
      for test in tests where reference.buildFailure == nil && reference.outcomes[test.key] != .passed {
        let outcome = reference.outcomes[test.key] ?? .crashed("")
        if outcome == .notFound {
          defects.append("\(test.key) is in points.json, but the reference run has no test of that name")
        } else {
          defects.append("\(test.key) fails on the reference solution: \(outcome.output.split(separator: "\n").first ?? "")")
        }
      }
      for test in tests where stubs.outcomes[test.key] == .passed {
        defects.append("\(test.key) passes on the student version: the stub earns its \(pointsPhrase(test.points))")
      }
    }
    if defects.isEmpty {
      console.out("Valid: every graded test passes on the reference solutions and fails on the student version.")
      return 0
    }
    console.out("\(defects.count) defect\(defects.count == 1 ? "" : "s"):")
    for defect in defects { console.out("  " + defect) }
    return 1
  } catch {
    console.err("error: \(error)")
    return 1
  }
}

/// `Course points-check [--package <root>] [--verbose]`: points.json against the `@Test`
/// functions in Tests/. Tests without points (the engine's and the chapter programs' checks) are
/// counted, and listed with `verbose`.
public func pointsCheckCommand(package: URL, verbose: Bool = false, console: Console) -> Int32 {
  do {
    let points = try PointsTable.load(courseRoot: package)
    let discovered = try scanTests(in: package)
    let missing = points.missing(from: discovered)
    for test in missing {
      console.out("error: \(PointsTable.relativePath) gives \(pointsPhrase(test.points)) to \(test.key), "
                  + "but no @Test func of that name is in a \(test.suite) suite under Tests/; fix the name or remove the entry")
    }
    let ungraded = points.ungraded(in: discovered)
    if verbose {
      for test in ungraded {
        console.out("note: \(test.key) (\(test.file):\(test.line)) has no points: it is not graded")
      }
    }
    let total = points.tests.reduce(0) { $0 + $1.points }
    console.out("\(points.tests.count) graded tests, \(formatPoints(total)) points in \(points.chapters.count) chapters; "
                + "\(missing.count) unknown; \(ungraded.count) tests in chapter suites are not graded"
                + (verbose ? "." : " (--verbose lists them)."))
    return missing.isEmpty ? 0 : 1
  } catch {
    console.err("error: \(error)")
    return 1
  }
}
