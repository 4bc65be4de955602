// Grades from test outcomes: the arithmetic (pure, unit-tested) and the files and table written.

import Foundation

/// What became of one graded test.
public enum TestOutcome: Sendable, Equatable {
  case passed
  /// It ran and recorded issues (or was skipped); the messages.
  case failed(String)
  /// Its process crashed before reporting it, even when run alone; a detail such as the
  /// fatalError line, or empty.
  case crashed(String)
  /// A whole run reported no test of this name: wrong name in points.json, or a hidden test
  /// graded on the student version.
  case notFound
  /// The package did not build; the compiler's first error lines.
  case notBuilt(String)

  /// The outcome an xUnit case gives: it passes if it has no failure or error and was not skipped.
  public init(_ testCase: XUnitCase) {
    if !testCase.failures.isEmpty {
      self = .failed(testCase.failures.joined(separator: "\n"))
    } else if testCase.skipped {
      self = .failed("skipped")
    } else {
      self = .passed
    }
  }

  public var passed: Bool { self == .passed }

  /// The text shown to students and in the files: empty for a pass.
  public var output: String {
    switch self {
    case .passed: ""
    case .failed(let messages): messages
    case .crashed(let detail): "did not run (the test process crashed)" + (detail.isEmpty ? "" : "\n" + detail)
    case .notFound: "did not run: the run has no test of this name (a hidden test, or a wrong name in points.json)"
    case .notBuilt(let errors): "did not run: the package does not build\n" + errors
    }
  }

  /// `passed`, `failed`, `crashed`, `not found` or `not built`.
  public var status: String {
    switch self {
    case .passed: "passed"
    case .failed: "failed"
    case .crashed: "crashed"
    case .notFound: "not found"
    case .notBuilt: "not built"
    }
  }
}

/// One graded test and what it earned.
public struct TestGrade: Sendable, Equatable {
  public var test: GradedTest
  public var outcome: TestOutcome
  /// Hidden tests are shown to students only once grades are published.
  public var hidden: Bool
  public var earned: Double { outcome.passed ? test.points : 0 }
}

/// One chapter's graded tests.
public struct ChapterGrade: Sendable, Equatable {
  public var chapter: String
  public var tests: [TestGrade]
  public var earned: Double { tests.reduce(0) { $0 + $1.earned } }
  public var possible: Double { tests.reduce(0) { $0 + $1.test.points } }
  public var failed: [TestGrade] { tests.filter { !$0.outcome.passed } }
}

/// The grades of a whole run, chapter by chapter in points.json's order.
public struct GradeReport: Sendable, Equatable {
  public var chapters: [ChapterGrade]
  public var earned: Double { chapters.reduce(0) { $0 + $1.earned } }
  public var possible: Double { chapters.reduce(0) { $0 + $1.possible } }
  public var tests: [TestGrade] { chapters.flatMap(\.tests) }

  /// Gives each graded test its outcome (a test with none counts as crashed: it did not run).
  public init(points: PointsTable, outcomes: [String: TestOutcome], hiddenKeys: Set<String>) {
    chapters = points.chapters.map { chapter in
      ChapterGrade(chapter: chapter, tests: points.tests(of: chapter).map { test in
        TestGrade(test: test, outcome: outcomes[test.key] ?? .crashed(""), hidden: hiddenKeys.contains(test.key))
      })
    }
  }

  /// The table printed after grading: chapter, earned/possible, failed tests with their first line.
  public var table: String {
    var lines = ["Chapter      Points"]
    for chapter in chapters {
      let score = "\(formatPoints(chapter.earned))/\(formatPoints(chapter.possible))"
      lines.append(chapter.chapter.padding(toLength: 13, withPad: " ", startingAt: 0)
                   + score.padding(toLength: 9, withPad: " ", startingAt: 0)
                   + "\(chapter.tests.count - chapter.failed.count) of \(chapter.tests.count) tests passed")
      for grade in chapter.failed {
        let firstLine = grade.outcome.output.split(separator: "\n").first.map(String.init) ?? ""
        lines.append("  ✘ \(grade.test.key) (\(formatPoints(grade.test.points))): \(firstLine)")
      }
    }
    lines.append("Total        \(formatPoints(earned))/\(formatPoints(possible))")
    return lines.joined(separator: "\n")
  }

  /// grades.json: every chapter and test, with status and output.
  public var gradesJSON: Data {
    let object: [String: Any] = [
      "score": earned, "max_score": possible,
      "chapters": chapters.map { chapter in
        [
          "chapter": chapter.chapter, "score": chapter.earned, "max_score": chapter.possible,
          "tests": chapter.tests.map { grade in
            ["name": grade.test.key, "score": grade.earned, "max_score": grade.test.points,
             "status": grade.outcome.status, "output": grade.outcome.output, "hidden": grade.hidden] as [String: Any]
          },
        ] as [String: Any]
      },
    ]
    return jsonData(object)
  }

  /// results.json for Gradescope's autograder: score, max_score, and one entry per test.
  public var gradescopeJSON: Data {
    let object: [String: Any] = [
      "score": earned, "max_score": possible,
      "tests": tests.map { grade in
        ["name": grade.test.key, "score": grade.earned, "max_score": grade.test.points,
         "output": grade.outcome.output, "visibility": grade.hidden ? "after_published" : "visible"] as [String: Any]
      },
    ]
    return jsonData(object)
  }

  /// grades.csv: one row per test, for a spreadsheet.
  public var csv: String {
    var rows = ["chapter,test,points,earned,status,output"]
    for grade in tests {
      let firstLine = grade.outcome.output.split(separator: "\n").first.map(String.init) ?? ""
      rows.append([grade.test.chapter, grade.test.key, formatPoints(grade.test.points), formatPoints(grade.earned),
                   grade.outcome.status, firstLine].map(csvField).joined(separator: ","))
    }
    return rows.joined(separator: "\n") + "\n"
  }
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
func csvField(_ text: String) -> String {
  guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
  return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// Pretty JSON with sorted keys, so that two runs with the same grades give the same file.
private func jsonData(_ object: Any) -> Data {
  // The objects above hold only strings, numbers, booleans, arrays and dictionaries.
  let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
  return (data ?? Data()) + Data("\n".utf8)
}
