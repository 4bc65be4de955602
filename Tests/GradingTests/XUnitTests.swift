// xUnit parsing, on files recorded from a real run.
//
// The samples below were written by Swift 6.3.1 on Linux for a package whose suite
//   @Suite("Chapter01 · Sample", .serialized) struct Chapter01Tests {
//     @Test("passes") func passing() { #expect(double(2) == 4) }
//     @Test("fails") func failing() { #expect(double(2) == 5, "double is wrong") }
//     @Test("crashes") func crashing() { #expect(notWritten() == 1) }   // fatalError
//   }
// sits in module SampleTests, by `swift test --skip-build --filter … --xunit-output out/NAME.xml`.
// Each run wrote only out/NAME-swift-testing.xml (never out/NAME.xml: XCTest writes that one
// only with --parallel).

import Foundation
import Testing

@testable import Grading

@Suite struct XUnitTests {
  /// `--filter Chapter01Tests`: the crash killed the process; the file stops after <testsuites>.
  static let crashedRun = """
    <?xml version="1.0" encoding="UTF-8"?>
    <testsuites>

    """

  /// `--filter Chapter01Tests --skip crashing`.
  static let wholeRun = """
    <?xml version="1.0" encoding="UTF-8"?>
    <testsuites>
      <testsuite name="TestResults" errors="0" tests="2" failures="1" skipped="0" time="0.002628174">
        <testcase classname="SampleTests.Chapter01Tests" name="failing()" time="0.000952281" >
          <failure message="Expectation failed: (double(2) &#8594; 4) == 5 (error): double is wrong" />
        </testcase>
        <testcase classname="SampleTests.Chapter01Tests" name="passing()" time="0.000475644" />
      </testsuite>
    </testsuites>

    """

  /// `--parallel --filter Chapter03XCTests`, an XCTest case class: out/NAME.xml.
  static let xctestRun = """
    <?xml version="1.0" encoding="UTF-8"?>

    <testsuites>
    <testsuite name="TestResults" errors="0" tests="2" failures="1" time="0.034155164">
    <testcase classname="SampleTests.Chapter03XCTests" name="testDouble" time="0.0171771">
    </testcase>
    <testcase classname="SampleTests.Chapter03XCTests" name="testWrong" time="0.016978064">
    <failure message="failure"></failure>
    </testcase>
    </testsuite>
    </testsuites>

    """

  @Test func readsPassAndFailure() throws {
    let cases = try parseXUnit(Data(Self.wholeRun.utf8))
    #expect(cases.map(\.key) == ["Chapter01Tests/failing()", "Chapter01Tests/passing()"])
    #expect(cases[0].failures == ["Expectation failed: (double(2) → 4) == 5 (error): double is wrong"])
    #expect(cases[1].failures.isEmpty)
    #expect(TestOutcome(cases[0]) == .failed("Expectation failed: (double(2) → 4) == 5 (error): double is wrong"))
    #expect(TestOutcome(cases[1]) == .passed)
  }

  @Test func theStumpOfACrashedRunIsNotAWholeFile() {
    #expect(throws: XUnitError.self) { try parseXUnit(Data(Self.crashedRun.utf8)) }
    #expect(throws: XUnitError.self) { try parseXUnit(Data()) }
  }

  @Test func readsXCTestFilesAndSkippedOrErrorElements() throws {
    let cases = try parseXUnit(Data(Self.xctestRun.utf8))
    #expect(cases.map(\.key) == ["Chapter03XCTests/testDouble", "Chapter03XCTests/testWrong"])
    #expect(cases[1].failures == ["failure"])
    let other = try parseXUnit(Data("""
      <testsuite><testcase classname="M.S" name="a()"><skipped/></testcase>
      <testcase classname="M.S" name="b()"><error message="boom">trace</error></testcase></testsuite>
      """.utf8))
    #expect(TestOutcome(other[0]) == .failed("skipped"))
    #expect(other[1].failures == ["boom\ntrace"])
  }

  @Test func readsBothFilesAndTellsACrashedRun() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xunit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let base = folder.appendingPathComponent("Chapter01.xml")
    #expect(xunitFiles(for: base).map(\.lastPathComponent) == ["Chapter01.xml", "Chapter01-swift-testing.xml"])

    #expect(readXUnitResults(base: base).complete == false)  // no file at all
    try Data(Self.wholeRun.utf8).write(to: folder.appendingPathComponent("Chapter01-swift-testing.xml"))
    var results = readXUnitResults(base: base)
    #expect(results.complete && results.cases.count == 2)
    try Data(Self.xctestRun.utf8).write(to: base)
    results = readXUnitResults(base: base)
    #expect(results.complete && results.cases.count == 4)
    try Data(Self.crashedRun.utf8).write(to: folder.appendingPathComponent("Chapter01-swift-testing.xml"))
    results = readXUnitResults(base: base)
    #expect(!results.complete && results.cases.count == 2)  // the XCTest cases are still there
    #expect(outcome(of: "Chapter03XCTests/testWrong", in: results) == .failed("failure"))
    #expect(outcome(of: "Chapter01Tests/passing()", in: results) == nil)  // crashed: run it alone

    try Data(Self.wholeRun.utf8).write(to: folder.appendingPathComponent("Chapter01-swift-testing.xml"))
    results = readXUnitResults(base: base)
    #expect(outcome(of: "Chapter01Tests/passing()", in: results) == .passed)
    #expect(outcome(of: "Chapter01Tests/misspelt()", in: results) == .notFound)  // a whole run without it
  }

  @Test func filtersAndLogs() {
    #expect(singleTestFilter("Chapter05Tests/parameterCounts(sizes:)") == #"(^|\.)Chapter05Tests/parameterCounts\(sizes:\)(/|$)"#)
    let log = "Compiling\n/x/E.swift:3:5: error: cannot find 'y' in scope\n   |  `- error: cannot find 'y' in scope\n"
      + "warning: w\n/x/E.swift:9:1: error: expected '}'\n/x/E.swift:3:5: error: cannot find 'y' in scope\n"
    #expect(firstErrors(inBuildLog: log) == "/x/E.swift:3:5: error: cannot find 'y' in scope\n/x/E.swift:9:1: error: expected '}'")
    #expect(firstErrors(inBuildLog: "a\nb\nc", limit: 2) == "b\nc")
  }
}
