// The grade arithmetic and the files written from it.

import Foundation
import Testing

@testable import Grading

@Suite struct ReportTests {
  static let points = try! PointsTable(json: """
    {"chapters": {
      "Chapter01": {"Chapter01Tests/a()": 2, "Chapter01Tests/b()": 3, "Chapter01Tests/c()": 1.5},
      "Chapter02": {"Chapter02Tests/d()": 4, "Chapter02Tests/hidden()": 1}
    }}
    """)

  static let outcomes: [String: TestOutcome] = [
    "Chapter01Tests/a()": .passed,
    "Chapter01Tests/b()": .failed("Expectation failed: (double(2) → 4) == 5\nsecond line"),
    "Chapter01Tests/c()": .crashed("Exercises.swift:5: Fatal error: Exercise 1.1: not written yet"),
    "Chapter02Tests/d()": .passed,
    // Chapter02Tests/hidden() has no outcome: it never ran.
  ]

  static var report: GradeReport {
    GradeReport(points: points, outcomes: outcomes, hiddenKeys: ["Chapter02Tests/hidden()"])
  }

  @Test func onlyPassingTestsEarnTheirPoints() {
    let report = Self.report
    #expect(report.chapters.map(\.chapter) == ["Chapter01", "Chapter02"])
    #expect(report.chapters.map(\.earned) == [2, 4])
    #expect(report.chapters.map(\.possible) == [6.5, 5])
    #expect(report.earned == 6 && report.possible == 11.5)
    #expect(report.chapters[0].failed.map(\.test.key) == ["Chapter01Tests/b()", "Chapter01Tests/c()"])
  }

  @Test func aCrashedOrMissingTestFailsWithItsReason() {
    let tests = Self.report.tests
    #expect(tests[2].earned == 0)
    #expect(tests[2].outcome.output == "did not run (the test process crashed)\nExercises.swift:5: Fatal error: Exercise 1.1: not written yet")
    #expect(tests[4].outcome == .crashed("") && tests[4].outcome.output == "did not run (the test process crashed)")
    #expect(TestOutcome.notBuilt("E.swift:1: error: x").output == "did not run: the package does not build\nE.swift:1: error: x")
  }

  @Test func tableShowsChaptersAndFirstLinesOfFailures() {
    #expect(Self.report.table == """
      Chapter      Points
      Chapter01    2/6.5    1 of 3 tests passed
        ✘ Chapter01Tests/b() (3): Expectation failed: (double(2) → 4) == 5
        ✘ Chapter01Tests/c() (1.5): did not run (the test process crashed)
      Chapter02    4/5      1 of 2 tests passed
        ✘ Chapter02Tests/hidden() (1): did not run (the test process crashed)
      Total        6/11.5
      """)
  }

  @Test func gradescopeResultsHaveScoresAndVisibility() throws {
    let json = try #require(try JSONSerialization.jsonObject(with: Self.report.gradescopeJSON) as? [String: Any])
    #expect(json["score"] as? Double == 6)
    #expect(json["max_score"] as? Double == 11.5)
    let tests = try #require(json["tests"] as? [[String: Any]])
    #expect(tests.map { $0["name"] as? String } == [
      "Chapter01Tests/a()", "Chapter01Tests/b()", "Chapter01Tests/c()", "Chapter02Tests/d()", "Chapter02Tests/hidden()",
    ])
    #expect(tests.map { $0["score"] as? Double } == [2, 0, 0, 4, 0])
    #expect(tests.map { $0["max_score"] as? Double } == [2, 3, 1.5, 4, 1])
    #expect(tests.map { $0["visibility"] as? String } == ["visible", "visible", "visible", "visible", "after_published"])
    #expect(tests[0]["output"] as? String == "")
  }

  @Test func gradesJSONAndCSV() throws {
    let json = try #require(try JSONSerialization.jsonObject(with: Self.report.gradesJSON) as? [String: Any])
    let chapters = try #require(json["chapters"] as? [[String: Any]])
    #expect(chapters.map { $0["score"] as? Double } == [2, 4])
    let first = try #require((chapters[0]["tests"] as? [[String: Any]])?.first)
    #expect(first["status"] as? String == "passed")

    let rows = Self.report.csv.split(separator: "\n")
    #expect(rows[0] == "chapter,test,points,earned,status,output")
    #expect(rows[1] == "Chapter01,Chapter01Tests/a(),2,2,passed,")
    #expect(rows[3] == "Chapter01,Chapter01Tests/c(),1.5,0,crashed,did not run (the test process crashed)")
    #expect(csvField("a \"b\", c") == "\"a \"\"b\"\", c\"")
    #expect(formatPoints(2) == "2" && formatPoints(0.25) == "0.25")
  }
}
