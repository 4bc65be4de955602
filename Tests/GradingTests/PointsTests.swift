// points.json: reading, every validation error, and the checks against the tests that exist.

import Testing

@testable import Grading

@Suite struct PointsTests {
  static let valid = """
    {"chapters": {
      "Chapter05": {"Chapter05Tests/parameterCountByHand()": 2, "Chapter05Tests/parameterCounts(sizes:)": 1.5},
      "Chapter01": {"Chapter01Tests/leakyReLU()": 3}
    }}
    """

  /// The problems a points file has (empty if it is valid).
  func problems(_ json: String) -> [String] {
    do {
      _ = try PointsTable(json: json)
      return []
    } catch let error as PointsError {
      return error.problems
    } catch {
      return ["unexpected \(error)"]
    }
  }

  @Test func readsTestsInFileOrder() throws {
    let table = try PointsTable(json: Self.valid)
    #expect(table.chapters == ["Chapter05", "Chapter01"])
    #expect(table.tests.map(\.key) == [
      "Chapter05Tests/parameterCountByHand()", "Chapter05Tests/parameterCounts(sizes:)", "Chapter01Tests/leakyReLU()",
    ])
    #expect(table.tests.map(\.points) == [2, 1.5, 3])
    #expect(table.tests[0].suite == "Chapter05Tests")
  }

  @Test func syntaxErrorNamesItsLine() {
    #expect(problems("{\"chapters\": {\n  \"Chapter01\": {\"A/b()\": 1,}\n}}")
      == ["Tests/points.json:2:28: JSON syntax error: expected a key in double quotes"])
    #expect(problems("{\"chapters\": {}\n\n") == ["Tests/points.json:3:1: JSON syntax error: the file ends where ',' or '}' after a member of an object was expected"])
  }

  @Test func chapterKeysMustBeChapterAndTwoDigits() {
    let found = problems("{\"chapters\": {\n\"Chapter5\": {},\n\"chapter05\": {}, \"Chapter123\": {}}}")
    #expect(found.count == 3)
    #expect(found[0] == "Tests/points.json:2: chapter key \"Chapter5\" does not match ^Chapter\\d\\d$; write e.g. \"Chapter05\"")
    #expect(found[1].hasPrefix("Tests/points.json:3: chapter key \"chapter05\""))
  }

  @Test func pointsMustBePositiveNumbers() {
    let found = problems("""
      {"chapters": {"Chapter01": {
        "Chapter01Tests/a()": 0,
        "Chapter01Tests/b()": -2,
        "Chapter01Tests/c()": "3",
        "Chapter01Tests/d()": true,
        "Chapter01Tests/e()": null
      }}}
      """)
    #expect(found == [
      "Tests/points.json:2: Chapter01: \"Chapter01Tests/a()\": points must be a positive number, not 0",
      "Tests/points.json:3: Chapter01: \"Chapter01Tests/b()\": points must be a positive number, not -2",
      "Tests/points.json:4: Chapter01: \"Chapter01Tests/c()\": points must be a positive number, not a string",
      "Tests/points.json:5: Chapter01: \"Chapter01Tests/d()\": points must be a positive number, not true or false",
      "Tests/points.json:6: Chapter01: \"Chapter01Tests/e()\": points must be a positive number, not null",
    ])
  }

  @Test func testNamesMustBeSuiteSlashFunctionOfTheirChapter() {
    let found = problems("{\"chapters\": {\"Chapter01\": {\"leakyReLU\": 1, \"Chapter02Tests/a()\": 1, \"Chapter01Tests/a()\": 1}},\n \"extra\": 1}")
    #expect(found.count == 3)
    #expect(found[0].contains("unknown key \"extra\""))
    #expect(found[1].contains("\"leakyReLU\" is not a test name like \"Chapter01Tests/someTest()\""))
    #expect(found[2].contains("names suite Chapter02Tests, which does not start with Chapter01"))
  }

  @Test func aTestGradedTwiceAndAWrongShape() {
    let twice = problems("{\"chapters\": {\"Chapter01\": {\"Chapter01Tests/a()\": 1},\n\"Chapter02\": {}, \"Chapter03\": [] }}")
    #expect(twice == ["Tests/points.json:2: Chapter03 must be an object of test names and points, not an array"])
    let duplicate = problems("{\"chapters\": {\"Chapter01\": {\"Chapter01Tests/a()\": 1,\n\"Chapter01Tests/a()\": 2}}}")
    #expect(duplicate.count == 1 && duplicate[0].contains("is already given points at line 1"))
    #expect(problems("[1]") == ["Tests/points.json:1: expected an object with a \"chapters\" key: {\"chapters\": {\"Chapter05\": {…}}}"])
  }

  @Test func checksAgainstTheTestsThatExist() throws {
    let table = try PointsTable(json: Self.valid)
    let discovered = [
      DiscoveredTest(key: "Chapter05Tests/parameterCountByHand()", suite: "Chapter05Tests", file: "T.swift", line: 3, hidden: false),
      DiscoveredTest(key: "Chapter05Tests/networkOfTheBook()", suite: "Chapter05Tests", file: "T.swift", line: 9, hidden: false),
      DiscoveredTest(key: "AutogradTests/add()", suite: "AutogradTests", file: "A.swift", line: 2, hidden: false),
    ]
    #expect(table.missing(from: discovered).map(\.key) == ["Chapter05Tests/parameterCounts(sizes:)", "Chapter01Tests/leakyReLU()"])
    #expect(table.ungraded(in: discovered).map(\.key) == ["Chapter05Tests/networkOfTheBook()"])  // engine tests are not warned about
  }

  @Test func jsonReaderKeepsOrderTypesAndEscapes() throws {
    let value = try parseJSON(#"{"b": [1, -2.5e1, true, null], "a": "x\"\u00e9\n"}"#)
    #expect(value == .object([
      (key: "b", value: .array([.number(1), .number(-25), .bool(true), .null]), line: 1),
      (key: "a", value: .string("x\"é\n"), line: 1),
    ]))
    #expect(throws: JSONSyntaxError(line: 1, column: 8, message: "unexpected text after the end of the document")) {
      try parseJSON("{\"a\":1}x")
    }
  }

  @Test func scannerFindsTestsWithTheirSuitesAndLabels() {
    let source = """
      import Testing

      @Suite("Chapter05 · The MLP", .serialized)
      struct Chapter05Tests {
        struct Fixture { let n = "}" }  // a brace in a string or a comment: }
        @Test("exercise 1: { counts }", arguments: [[784, 10]])
        func parameterCounts(sizes: [Int]) {}

        @Test func pairs(_ a: Int, b c: (Int) -> Int, d: [String: Int] = [:], e: Dictionary<String, Int>) {}
        /* @Test func commented() {} */
        func helper() {}
        class func notATypeAfterAll() {}
        @Test func last() {}
      }

      extension Chapter05Tests {
        @Test func inAnExtension() async throws {}
      }
      """
    let found = scanTests(source: source)
    #expect(found.map { "\($0.suite)/\($0.name)" } == [
      "Chapter05Tests/parameterCounts(sizes:)", "Chapter05Tests/pairs(_:b:d:e:)", "Chapter05Tests/last()",
      "Chapter05Tests/inAnExtension()",
    ])
    #expect(found.map(\.line) == [7, 9, 13, 17])
    #expect(chapterName(ofSuite: "Chapter11KernelTests") == "Chapter11")
    #expect(chapterName(ofSuite: "AutogradTests") == nil)
  }
}
