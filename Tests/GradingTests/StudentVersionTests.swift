// The student version of a small course tree made in a temporary folder.

import Foundation
import Testing

@testable import Grading

@Suite struct StudentVersionTests {
  /// A fresh temporary folder holding a tiny course; removed by the caller.
  static func makeCourse() throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("grading-tests-\(UUID().uuidString)")
    let files: [String: String] = [
      "Package.swift": "// swift-tools-version:6.0\n",
      "book.md": "```swift\n// BEGIN SOLUTION 1.1\nx\n// END SOLUTION\n```\n<!-- BEGIN SOLUTION 1.2 -->\nWhy.\n<!-- END SOLUTION -->\n",
      "Tests/solutions.md": "# old appendix\n",
      "Chapters/01-X/Exercises.swift": "func f() -> Int {\n  // BEGIN SOLUTION 1.1\n  1\n  // END SOLUTION\n}\n",
      "Chapters/01-X/main.swift": "print(f())\n",
      "Tests/points.json": "{\"chapters\": {}}\n",
      "Tests/T/Chapter01Tests.swift": "import Testing\n",
      "Tests/T/Chapter01HiddenTests.swift": "\n  // INSTRUCTOR ONLY\nimport Testing\n",
      "Tests/T/Hidden/Extra.swift": "import Testing\n",
      "Tests/T/Notes.swift": "// Not instructor only: the marker must be the first non-blank line.\n// INSTRUCTOR ONLY\n",
      ".build/debug/junk": "x",
      ".git/HEAD": "ref",
    ]
    for (path, text) in files {
      let url = root.appendingPathComponent(path)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(text.utf8).write(to: url)
    }
    return root
  }

  /// Every file under `root`, relative, sorted.
  static func listing(_ root: URL) -> [String] {
    (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).filter { path in
      var isFolder: ObjCBool = false
      let exists = FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isFolder)
      return exists && !isFolder.boolValue
    }.sorted()
  }

  @Test func copiesWithStubsAndWithoutHiddenAndExcludedFiles() throws {
    let source = try Self.makeCourse()
    defer { try? FileManager.default.removeItem(at: source) }
    let before = Self.listing(source)
    let destination = source.deletingLastPathComponent().appendingPathComponent(source.lastPathComponent + "-student")
    defer { try? FileManager.default.removeItem(at: destination) }

    #expect(try writeStudentVersion(from: source, to: destination) == 3)
    #expect(Self.listing(destination) == [
      "Chapters/01-X/Exercises.swift", "Chapters/01-X/main.swift", "Package.swift", "Tests/T/Chapter01Tests.swift",
      "Tests/T/Notes.swift", "Tests/points.json", "book.md",
    ])
    let exercises = try String(contentsOf: destination.appendingPathComponent("Chapters/01-X/Exercises.swift"), encoding: .utf8)
    #expect(exercises == "func f() -> Int {\n  fatalError(\"Exercise 1.1: not written yet (see book.md, exercise 1.1)\")\n}\n")
    let book = try String(contentsOf: destination.appendingPathComponent("book.md"), encoding: .utf8)
    #expect(book.hasSuffix("```\n*(Solution in the instructors' edition.)*\n"))
    #expect(Self.listing(source) == before)  // the source is untouched
    #expect(!FileManager.default.fileExists(atPath: destination.path + ".partial"))
  }

  @Test func refusesANonEmptyDestinationOrOneInsideTheSource() throws {
    let source = try Self.makeCourse()
    defer { try? FileManager.default.removeItem(at: source) }
    #expect(throws: GradingError.self) {
      try writeStudentVersion(from: source, to: source.appendingPathComponent("student"))
    }
    #expect(throws: GradingError.self) {
      try writeStudentVersion(from: source, to: source.appendingPathComponent("Chapters"))  // not empty, and inside
    }
    let other = try Self.makeCourse()
    defer { try? FileManager.default.removeItem(at: other) }
    #expect(throws: GradingError.self) { try writeStudentVersion(from: source, to: other) }
    #expect(!FileManager.default.fileExists(atPath: source.appendingPathComponent("student").path))
  }

  @Test func anEmptyDestinationIsFilled() throws {
    let source = try Self.makeCourse()
    let destination = source.deletingLastPathComponent().appendingPathComponent(source.lastPathComponent + "-empty")
    defer {
      try? FileManager.default.removeItem(at: source)
      try? FileManager.default.removeItem(at: destination)
    }
    try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
    #expect(try writeStudentVersion(from: source, to: destination) == 3)
    #expect(Self.listing(destination).contains("book.md"))
  }

  @Test func aMarkerErrorLeavesNoTree() throws {
    let source = try Self.makeCourse()
    let destination = source.deletingLastPathComponent().appendingPathComponent(source.lastPathComponent + "-broken")
    defer {
      try? FileManager.default.removeItem(at: source)
      try? FileManager.default.removeItem(at: destination)
    }
    try Data("// BEGIN SOLUTION 2.1\nlet a = 1\n".utf8)
      .write(to: source.appendingPathComponent("Chapters/01-X/Zlast.swift"))  // after Exercises.swift: a partial copy exists
    let error = #expect(throws: MarkerError.self) { try writeStudentVersion(from: source, to: destination) }
    #expect(error?.description.hasPrefix("Chapters/01-X/Zlast.swift:1: BEGIN SOLUTION 2.1 has no END SOLUTION") == true)
    #expect(!FileManager.default.fileExists(atPath: destination.path))
    #expect(!FileManager.default.fileExists(atPath: destination.path + ".partial"))
  }

  @Test func hiddenAndExcludedPathRules() {
    #expect(CourseLayout.isHiddenTest("Tests/T/Hidden/A.swift", text: nil))
    #expect(CourseLayout.isHiddenTest("Tests/Hidden/data.json", text: nil))
    #expect(!CourseLayout.isHiddenTest("Tests/T/HiddenLayerTests.swift", text: "import Testing"))
    #expect(CourseLayout.isHiddenTest("Tests/T/A.swift", text: "\n\n// INSTRUCTOR ONLY\nimport Testing"))
    #expect(!CourseLayout.isHiddenTest("Chapters/01/A.swift", text: "// INSTRUCTOR ONLY\n"))  // not a test file
    #expect(CourseLayout.isExcluded("Tests/solutions.md"))
    #expect(!CourseLayout.isExcluded("solutions.md"))
    #expect(!CourseLayout.isExcluded("Chapters/01/solutions.md"))
    #expect(CourseLayout.isExcluded("Chapters/01/.build"))
    #expect(CourseLayout.markerSyntax(of: "Chapters/01-X/Exercises.swift") == .swift)
    #expect(CourseLayout.markerSyntax(of: "book.md") == .markdown)
    #expect(CourseLayout.markerSyntax(of: "Sources/DeepLearning/Tensor.swift") == nil)
  }
}
