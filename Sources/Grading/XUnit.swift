// Reading the xUnit files that `swift test --xunit-output <path>.xml` writes.
//
// Observed with Swift 6.3.1 on Linux:
// - Swift Testing writes `<path>-swift-testing.xml` (`out/c1.xml` → `out/c1-swift-testing.xml`),
//   with `<testcase classname="Module.Suite" name="function(labels:)">` and, for each issue,
//   `<failure message="…"/>`.
// - XCTest writes `<path>.xml` itself, but only with `--parallel`; without it no such file appears.
// - When the test process crashes (a stub's fatalError), the Swift Testing file holds only
//   `<?xml …?>\n<testsuites>`: not well-formed, so the run counts as incomplete.

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One `<testcase>` of an xUnit file.
public struct XUnitCase: Sendable, Equatable {
  /// `SampleTests.Chapter01Tests`: the module, then the suite type.
  public var className: String
  /// `failing()`.
  public var name: String
  /// The messages of the `<failure>` and `<error>` elements (their `message`, then their text).
  public var failures: [String]
  /// Whether the case has a `<skipped>` element.
  public var skipped: Bool

  /// `Chapter01Tests/failing()`, the key of points.json: the suite without its module.
  public var key: String {
    let suite = className.split(separator: ".").last.map(String.init) ?? className
    return suite + "/" + name
  }
}

/// The results of one `swift test` run: every case found, and whether the files were whole.
public struct XUnitResults: Sendable {
  public var cases: [String: XUnitCase] = [:]
  /// False when no result file appeared or one was not well-formed: the run crashed.
  public var complete: Bool = false
}

/// The two files `swift test --xunit-output base` may write: `base` (XCTest) and
/// `base` with `-swift-testing` before its extension (Swift Testing).
public func xunitFiles(for base: URL) -> [URL] {
  let stem = base.deletingPathExtension().lastPathComponent
  let swiftTesting = base.deletingLastPathComponent().appendingPathComponent("\(stem)-swift-testing.\(base.pathExtension)")
  return [base, swiftTesting]
}

/// Reads whichever of the two result files exist.
public func readXUnitResults(base: URL) -> XUnitResults {
  var results = XUnitResults()
  var anyFile = false, allWhole = true
  for file in xunitFiles(for: base) {
    guard let data = FileManager.default.contents(atPath: file.path) else { continue }
    anyFile = true
    do {
      for testCase in try parseXUnit(data) { results.cases[testCase.key] = testCase }
    } catch {
      allWhole = false
    }
  }
  results.complete = anyFile && allWhole
  return results
}

/// A file that is not well-formed xUnit XML, such as the stump a crashed run leaves.
public struct XUnitError: Error, CustomStringConvertible {
  public var description: String
}

/// The test cases of an xUnit document. Throws `XUnitError` if the XML is not well-formed.
public func parseXUnit(_ data: Data) throws -> [XUnitCase] {
  let reader = XUnitReader()
  let parser = XMLParser(data: data)
  parser.delegate = reader
  // On Linux, XMLParser accepts a document that stops with elements still open (what a crash
  // leaves), so we also check that every element was closed.
  guard parser.parse(), reader.sawRoot, reader.depth == 0 else {
    let reason = parser.parserError.map { "\($0)" }
      ?? (reader.sawRoot ? "it ends with elements still open" : "no <testsuites> or <testsuite> element")
    throw XUnitError(description: "not a whole xUnit file (line \(parser.lineNumber)): \(reason)")
  }
  return reader.cases
}

/// XMLParser's delegate: collects `<testcase>` elements and what is inside them.
private final class XUnitReader: NSObject, XMLParserDelegate {
  var cases: [XUnitCase] = []
  var sawRoot = false
  /// How many elements are open.
  var depth = 0
  private var current: XUnitCase?
  /// The `message` attribute and the text of the <failure> or <error> being read.
  private var failure: (message: String, text: String)?

  func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
              qualifiedName: String?, attributes: [String: String] = [:]) {
    depth += 1
    switch name {
    case "testsuites", "testsuite":
      sawRoot = true
    case "testcase":
      current = XUnitCase(className: attributes["classname"] ?? "", name: attributes["name"] ?? "",
                          failures: [], skipped: false)
    case "failure", "error":
      failure = (attributes["message"] ?? "", "")
    case "skipped":
      current?.skipped = true
    default:
      break
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    failure?.text += string
  }

  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
    depth -= 1
    switch name {
    case "failure", "error":
      let parts = [failure?.message ?? "", failure?.text ?? ""]
        .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
      current?.failures.append(parts.isEmpty ? name : parts.joined(separator: "\n"))
      failure = nil
    case "testcase":
      if let finished = current { cases.append(finished) }
      current = nil
    default:
      break
    }
  }
}
