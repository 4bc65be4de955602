// Tests/points.json: which tests are graded and what each is worth.
//
//   {"chapters": {"Chapter05": {"Chapter05Tests/parameterCountByHand()": 2,
//                               "Chapter05Tests/topPredictionsByHand()": 3}}}
//
// Keys are `SuiteTypeName/testFunctionName(labels:)`, the names Swift Testing writes in its
// xUnit results. A test not in the file is not graded (the engine tests). A test's suite must
// start with its chapter's name, so that `swift test --filter Chapter05` runs all of a chapter.

import Foundation

/// One graded test.
public struct GradedTest: Sendable, Equatable {
  /// `Chapter05`.
  public var chapter: String
  /// `Chapter05Tests/parameterCountByHand()`.
  public var key: String
  public var points: Double

  public var suite: String { String(key.prefix { $0 != "/" }) }
  public init(chapter: String, key: String, points: Double) {
    self.chapter = chapter
    self.key = key
    self.points = points
  }
}

/// The contents of points.json, in file order.
public struct PointsTable: Sendable, Equatable {
  public static let relativePath = "Tests/points.json"
  public var tests: [GradedTest]

  public init(tests: [GradedTest]) { self.tests = tests }

  /// The chapters with points, in file order.
  public var chapters: [String] {
    var seen: Set<String> = []
    return tests.map(\.chapter).filter { seen.insert($0).inserted }
  }

  public func tests(of chapter: String) -> [GradedTest] { tests.filter { $0.chapter == chapter } }

  /// Reads and validates `Tests/points.json` under the course root.
  public static func load(courseRoot: URL) throws -> PointsTable {
    let url = courseRoot.appendingPathComponent(relativePath)
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
      throw PointsError(problems: ["\(relativePath): cannot read it (is --package the course root?)"])
    }
    return try PointsTable(json: text, file: relativePath)
  }

  /// Parses and validates the text of a points file; every problem found is in the error.
  public init(json text: String, file: String = PointsTable.relativePath) throws {
    let root: JSONValue
    do {
      root = try parseJSON(text)
    } catch let error as JSONSyntaxError {
      throw PointsError(problems: ["\(file):\(error.line):\(error.column): JSON syntax error: \(error.message)"])
    }
    var problems: [String] = []
    var tests: [GradedTest] = []
    guard case .object(let top) = root, let chapters = top.first(where: { $0.key == "chapters" }) else {
      throw PointsError(problems: ["\(file):1: expected an object with a \"chapters\" key: {\"chapters\": {\"Chapter05\": {…}}}"])
    }
    for member in top where member.key != "chapters" {
      problems.append("\(file):\(member.line): unknown key \"\(member.key)\"; the only key is \"chapters\"")
    }
    guard case .object(let chapterMembers) = chapters.value else {
      throw PointsError(problems: ["\(file):\(chapters.line): \"chapters\" must be an object, not \(chapters.value.kindName)"])
    }
    var seen: [String: Int] = [:]
    for chapter in chapterMembers {
      guard isChapterName(chapter.key) else {
        problems.append("\(file):\(chapter.line): chapter key \"\(chapter.key)\" does not match ^Chapter\\d\\d$; write e.g. \"Chapter05\"")
        continue
      }
      guard case .object(let entries) = chapter.value else {
        problems.append("\(file):\(chapter.line): \(chapter.key) must be an object of test names and points, not \(chapter.value.kindName)")
        continue
      }
      for entry in entries {
        let at = "\(file):\(entry.line): \(chapter.key): \"\(entry.key)\""
        if let problem = testKeyProblem(entry.key, chapter: chapter.key) {
          problems.append("\(at) \(problem)")
        }
        guard case .number(let points) = entry.value, points > 0, points.isFinite else {
          let value = if case .number(let x) = entry.value { "\(formatPoints(x))" } else { entry.value.kindName }
          problems.append("\(at): points must be a positive number, not \(value)")
          continue
        }
        if let first = seen[entry.key] {
          problems.append("\(at) is already given points at line \(first); name each test once")
          continue
        }
        seen[entry.key] = entry.line
        tests.append(GradedTest(chapter: chapter.key, key: entry.key, points: points))
      }
    }
    if !problems.isEmpty { throw PointsError(problems: problems) }
    self.tests = tests
  }

  /// Graded tests that no `@Test` function in the sources declares (errors for points-check).
  public func missing(from discovered: [DiscoveredTest]) -> [GradedTest] {
    let keys = Set(discovered.map(\.key))
    return tests.filter { !keys.contains($0.key) }
  }

  /// Tests of chapter suites that have no points: not an error (a chapter may have ungraded
  /// tests, like its program's output), but worth a warning in case one was forgotten.
  public func ungraded(in discovered: [DiscoveredTest]) -> [DiscoveredTest] {
    let keys = Set(tests.map(\.key))
    return discovered.filter { $0.chapter != nil && !keys.contains($0.key) }
  }
}

/// What is wrong with a test key in points.json, or nil: it must be `Suite/function(…)` with a
/// suite starting with its chapter's name.
func testKeyProblem(_ key: String, chapter: String) -> String? {
  let parts = key.split(separator: "/", omittingEmptySubsequences: false)
  guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("("), parts[1].hasSuffix(")") else {
    return "is not a test name like \"\(chapter)Tests/someTest()\" (suite type, '/', function with its argument labels)"
  }
  guard parts[0].hasPrefix(chapter) else {
    return "names suite \(parts[0]), which does not start with \(chapter): `swift test --filter \(chapter)` would not run it"
  }
  return nil
}

/// Problems found in points.json, one per line, each naming file:line.
public struct PointsError: Error, CustomStringConvertible, Equatable {
  public var problems: [String]
  public var description: String { problems.joined(separator: "\n") }
}

/// `2` for 2.0 and `1.5` for 1.5: points as people write them.
public func formatPoints(_ points: Double) -> String {
  points == points.rounded() && abs(points) < 1e15 ? String(Int(points)) : String(points)
}

/// "1 point", "2.5 points".
public func pointsPhrase(_ points: Double) -> String {
  "\(formatPoints(points)) point\(points == 1 ? "" : "s")"
}
