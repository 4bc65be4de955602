// Runs a chapter's executable the way a learner does, and hands its output to the chapter's tests.
//
// `swift test` builds every chapter executable next to the test bundle (.build/debug/Chapter03
// beside .build/debug/<package>PackageTests.xctest), so the runner looks there. Each run gets a
// fresh temporary working directory, so the figures a chapter writes land in <tmp>/figures and
// never in the repository; chapters that read Datasets/ are given the path with --data.

import Foundation
import Testing

/// A failure to run a chapter at all (not built, hung), with what to do about it.
public struct ChapterRunnerError: Error, CustomStringConvertible {
  public let description: String
}

/// What a chapter printed and left behind in one run.
public final class ChapterRun: Sendable {
  /// The command, as a learner would type it, for failure messages.
  public let command: String
  /// The exit status: 0 for success, 1 for an error the chapter reported, 2 for a usage mistake;
  /// the signal's number when `crashed`.
  public let status: Int32
  /// Whether the chapter was stopped by a signal (a crash such as `Fatal error`, an index out of
  /// range, or being killed), rather than exiting with a status.
  public let crashed: Bool
  /// Everything written to standard output.
  public let output: String
  /// Everything written to standard error.
  public let errors: String
  /// The working directory of the run; figures are under `figures/` in it. Removed when the run is released.
  public let directory: URL

  public init(command: String, status: Int32, crashed: Bool = false, output: String, errors: String,
              directory: URL) {
    self.command = command
    self.status = status
    self.crashed = crashed
    self.output = output
    self.errors = errors
    self.directory = directory
  }

  deinit { try? FileManager.default.removeItem(at: directory) }

  /// The output lines.
  public var lines: [String] { output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

  /// The titles of the section headers printed (`── 3.2 Linear regression by hand ───` → `3.2 Linear regression by hand`).
  public var sectionTitles: [String] {
    lines.filter { $0.hasPrefix("── ") }.map { line in
      var title = Substring(line.dropFirst(3))
      while title.last == "─" { title = title.dropLast() }
      return String(title.trimmingCharacters(in: .whitespaces))
    }
  }

  /// The lines printed under the header of section `title`, up to the next header.
  public func section(_ title: String) -> [String] {
    guard let start = lines.firstIndex(where: { $0.hasPrefix("── \(title) ") }) else { return [] }
    let rest = lines[(start + 1)...]
    let end = rest.firstIndex(where: { $0.hasPrefix("── ") }) ?? lines.endIndex
    return Array(lines[(start + 1)..<end])
  }

  /// The first line of section `title` (or of the whole output) that starts with `prefix`.
  public func line(startingWith prefix: String, in title: String? = nil) -> String? {
    (title.map(section) ?? lines).first { $0.hasPrefix(prefix) }
  }

  /// The numbers in the first line of section `title` that starts with `prefix`, after the prefix:
  /// for `w1  0.2037  1.2835  0.2037` and prefix `w1`, `[0.2037, 1.2835, 0.2037]`.
  public func numbers(inLineStartingWith prefix: String, in title: String? = nil) -> [Double] {
    guard let line = line(startingWith: prefix, in: title) else { return [] }
    return ChapterRunner.numbers(in: String(line.dropFirst(prefix.count)))
  }

  /// The paths printed after `figure: `.
  public var figures: [String] {
    lines.filter { $0.hasPrefix("figure: ") }.map { String($0.dropFirst("figure: ".count)) }
  }

  /// The contents of a file the run wrote, relative to its working directory, or nil.
  public func file(_ relativePath: String) -> String? {
    try? String(contentsOf: directory.appendingPathComponent(relativePath), encoding: .utf8)
  }
}

public enum ChapterRunner {
  /// The numbers in a piece of text, in order: `-1.5`, `3.6e-07`, `95.8%` (as 95.8), `[0.1, 0.2]`; `nan` and `inf` too.
  public static func numbers(in text: String) -> [Double] {
    let separators = CharacterSet(charactersIn: " \t,[]()%=:|").union(.whitespaces)
    return text.components(separatedBy: separators).compactMap { word -> Double? in
      word.isEmpty ? nil : Double(word.replacingOccurrences(of: "−", with: "-"))
    }
  }

  /// The package root: this file is `<root>/Tests/TestSupport/ChapterRunner.swift`.
  public static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The course's `Datasets` folder.
  public static let datasetsFolder = packageRoot.appendingPathComponent("Datasets").path

  /// A fresh copy of some of the course's data sets (`folders`, such as `["uci-digits"]`) in a new
  /// temporary folder `…/<unique>/Datasets`, for a test to damage and hand to a chapter through
  /// `COURSE_DATASETS`; the caller removes it (`removeCopyOfDatasets`).
  public static func copyOfDatasets(_ folders: [String]) throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("data-\(UUID().uuidString)/Datasets")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    for folder in folders {
      try FileManager.default.copyItem(
        at: URL(fileURLWithPath: datasetsFolder).appendingPathComponent(folder),
        to: root.appendingPathComponent(folder))
    }
    return root
  }

  /// Removes a folder made by `copyOfDatasets`, with its unique parent.
  public static func removeCopyOfDatasets(_ root: URL) {
    try? FileManager.default.removeItem(at: root.deletingLastPathComponent())
  }

  /// Replaces field `field` (0-based, comma-separated) of line `line` (1-based) of the text file at `url`.
  public static func replaceField(_ field: Int, ofLine line: Int, in url: URL, with text: String) throws {
    var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
    var fields = lines[line - 1].components(separatedBy: ",")
    fields[field] = text
    lines[line - 1] = fields.joined(separator: ",")
    try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
  }

  /// Checks that a run stopped on a data error: exit 1, the `error:` message containing each of
  /// `messages`, nothing printed to standard output and no figure written (nothing half-done).
  public static func expectDataError(_ run: ChapterRun, _ messages: [String],
                                     sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(run.status == 1 && !run.crashed, "\(run.command) exited with \(run.status):\n\(run.errors)",
            sourceLocation: sourceLocation)
    #expect(run.errors.hasPrefix("error: "), "\(run.errors)", sourceLocation: sourceLocation)
    for message in messages {
      #expect(run.errors.contains(message), "expected \"\(message)\" in:\n\(run.errors)", sourceLocation: sourceLocation)
    }
    #expect(run.output.isEmpty, "the chapter printed before checking its data:\n\(run.output)",
            sourceLocation: sourceLocation)
    #expect(!FileManager.default.fileExists(atPath: run.directory.appendingPathComponent("figures").path),
            "the chapter wrote figures before checking its data", sourceLocation: sourceLocation)
  }

  /// The built executable `name`, looked for next to the running test binary, then in .build/debug.
  public static func executable(_ name: String) throws -> URL {
    var folders: [URL] = []
    if let first = CommandLine.arguments.first {
      folders.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
    }
    // On macOS the test bundle is a folder (…/debug/X.xctest), and Bundle.main is the xctest tool.
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      folders.append(bundle.bundleURL.deletingLastPathComponent())
    }
    folders.append(Bundle.main.bundleURL)
    folders.append(packageRoot.appendingPathComponent(".build/debug"))
    for folder in folders {
      let candidate = folder.appendingPathComponent(name)
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw ChapterRunnerError(
      description: "cannot find the executable \(name) in " + folders.map(\.path).joined(separator: ", ")
        + "; build it with `swift build --product \(name)` and run the tests again")
  }

  /// The section titles of a chapter's main.swift, from its `// MARK: - N.M Title` lines, in order.
  public static func sectionsInSource(_ folder: String) throws -> [String] {
    let path = packageRoot.appendingPathComponent("Chapters/\(folder)/main.swift")
    let text = try String(contentsOf: path, encoding: .utf8)
    return text.split(separator: "\n").compactMap { line in
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      guard trimmed.hasPrefix("// MARK: - ") else { return nil }
      let title = String(trimmed.dropFirst("// MARK: - ".count))
      return title.first?.isNumber == true ? title : nil
    }
  }

  /// Runs chapter `name` with `arguments` in a fresh temporary directory, with `environment` added
  /// to this process's (e.g. `COURSE_DATASETS` to read a damaged copy of the data), stopping it
  /// after `timeout` seconds.
  public static func run(_ name: String, _ arguments: [String] = [], environment: [String: String] = [:],
                         timeout: Double = 120) throws -> ChapterRun {
    let program = try executable(name)
    let fileManager = FileManager.default
    let directory = fileManager.temporaryDirectory.appendingPathComponent("\(name)-run-\(UUID().uuidString)")
    let logs = fileManager.temporaryDirectory.appendingPathComponent("\(name)-logs-\(UUID().uuidString)")
    try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
    try fileManager.createDirectory(at: logs, withIntermediateDirectories: true)
    defer { try? fileManager.removeItem(at: logs) }
    let outputURL = logs.appendingPathComponent("stdout.txt")
    let errorURL = logs.appendingPathComponent("stderr.txt")
    _ = fileManager.createFile(atPath: outputURL.path, contents: nil)
    _ = fileManager.createFile(atPath: errorURL.path, contents: nil)
    // Files rather than pipes: a chapter that prints a lot can never block on a full pipe.
    let outputHandle = try FileHandle(forWritingTo: outputURL)
    let errorHandle = try FileHandle(forWritingTo: errorURL)

    let process = Process()
    process.executableURL = program
    process.arguments = arguments
    process.currentDirectoryURL = directory
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    process.standardOutput = outputHandle
    process.standardError = errorHandle
    process.standardInput = FileHandle.nullDevice
    let finished = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in finished.signal() }
    try process.run()
    let command = "swift run \(name) " + arguments.joined(separator: " ")
    if finished.wait(timeout: .now() + timeout) == .timedOut {
      process.terminate()
      _ = finished.wait(timeout: .now() + 5)
      try? outputHandle.close()
      try? errorHandle.close()
      try? fileManager.removeItem(at: directory)
      throw ChapterRunnerError(description: "`\(command)` did not finish within \(Int(timeout)) s")
    }
    try outputHandle.close()
    try errorHandle.close()
    return ChapterRun(
      command: command, status: process.terminationStatus, crashed: process.terminationReason == .uncaughtSignal,
      output: (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "",
      errors: (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "", directory: directory)
  }

  /// Checks the behaviour every chapter shares: `--help` prints the usage and exits 0; an unknown
  /// option exits 2 with the error, a suggestion and the usage on standard error.
  public static func expectStandardOptions(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let help = try run(name, ["--help"])
    #expect(help.status == 0, "\(help.command) exited with \(help.status)", sourceLocation: sourceLocation)
    #expect(help.output.contains("usage: swift run \(name)"), "\(help.output)", sourceLocation: sourceLocation)
    #expect(help.output.contains("--seed"), "\(help.output)", sourceLocation: sourceLocation)
    #expect(!help.output.contains("── "), "--help must not run the chapter", sourceLocation: sourceLocation)

    let wrong = try run(name, ["--sed", "3"])
    #expect(wrong.status == 2, "\(wrong.command) exited with \(wrong.status)", sourceLocation: sourceLocation)
    #expect(wrong.errors.contains("error: unknown option --sed (did you mean --seed?)"), "\(wrong.errors)",
            sourceLocation: sourceLocation)
    #expect(wrong.errors.contains("usage: swift run \(name)"), "\(wrong.errors)", sourceLocation: sourceLocation)
    #expect(wrong.output.isEmpty, "nothing may run after a usage error:\n\(wrong.output)",
            sourceLocation: sourceLocation)
  }

  /// Checks that a run succeeded, printed the sections of its main.swift in order, and wrote the
  /// figures it names (each a non-empty SVG under figures/).
  public static func expectCompleteRun(_ run: ChapterRun, folder: String, figures: [String],
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(run.status == 0, "\(run.command) exited with \(run.status):\n\(run.errors)",
            sourceLocation: sourceLocation)
    #expect(run.errors.isEmpty, "\(run.command) wrote to standard error:\n\(run.errors)",
            sourceLocation: sourceLocation)
    let sections = try sectionsInSource(folder)
    #expect(!sections.isEmpty, "no `// MARK: - N.M Title` sections in \(folder)/main.swift",
            sourceLocation: sourceLocation)
    #expect(run.sectionTitles == sections,
            "printed headers \(run.sectionTitles) differ from the MARK sections \(sections)",
            sourceLocation: sourceLocation)
    #expect(run.figures == figures.map { "figures/" + $0 }, "printed figures: \(run.figures)",
            sourceLocation: sourceLocation)
    for figure in figures {
      let svg = run.file("figures/" + figure) ?? ""
      #expect(svg.contains("<svg") && svg.contains("</svg>"), "figures/\(figure) is missing or not an SVG",
              sourceLocation: sourceLocation)
    }
  }
}
