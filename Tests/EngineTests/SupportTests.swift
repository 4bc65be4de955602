import Foundation
import Testing

@testable import DeepLearning
@testable import CourseSupport
import TestSupport

/// A chapter's typical options, declared against `arguments`, with the values the declarations returned.
private struct Declared {
  var options: ChapterOptions
  var seed: UInt64
  var epochs: Int
  var data: String
  var rate: Float
  var quick: Bool

  init(_ arguments: [String]) {
    options = ChapterOptions(chapter: "Chapter05", summary: "The multilayer perceptron", arguments: arguments)
    seed = options.seed(default: 7)
    epochs = options.int("--epochs", default: 20, help: "passes over the data", range: 1...1000)
    data = options.choice("--data", default: "mnist", among: ["mnist", "fashion-mnist"], help: "which data set")
    rate = options.float("--lr", default: 0.001, help: "learning rate", range: 0...1)
    quick = options.flag("--quick", help: "a short run")
  }

  /// The error `parse(_:)` throws for the declared arguments, or `nil` if they are fine.
  func parseError() -> UsageError? {
    do {
      _ = try options.parse(options.arguments)
      return nil
    } catch {
      return error
    }
  }
}

/// Collects what a progress line writes, in place of standard output.
private final class Sink {
  var text = ""
  func output(terminal: Bool, columns: Int = 100) -> ProgressOutput {
    ProgressOutput(isTerminal: terminal, columns: columns) { self.text += $0 }
  }
}

/// A clock the test moves by hand.
private final class ManualClock {
  var time = 0.0
}

/// A fresh empty directory under the system's temporary directory.
private func temporaryDirectory() throws -> String {
  let path = NSTemporaryDirectory() + "support-tests-" + UUID().uuidString
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

@Suite("Chapter support")
struct SupportTests {
  // MARK: Options

  @Test("Options take their defaults when the command line is empty")
  func optionDefaults() throws {
    let declared = Declared([])
    #expect(declared.seed == 7)
    #expect(declared.epochs == 20)
    #expect(declared.data == "mnist")
    #expect(declared.rate == 0.001)
    #expect(declared.quick == false)
    let parsed = try declared.options.parse([])
    #expect(parsed.helpRequested == false)
    #expect(parsed.values["--epochs"] == .int(20))
    #expect(parsed.values["--seed"] == .int(7))
    #expect(parsed.values["--quick"] == .flag(false))
  }

  @Test("Options accept both --flag value and --flag=value")
  func optionForms() throws {
    let declared = Declared(["--epochs", "5", "--data=fashion-mnist", "--lr=0.05", "--quick", "--seed", "123"])
    #expect(declared.epochs == 5)
    #expect(declared.data == "fashion-mnist")
    #expect(declared.rate == 0.05)
    #expect(declared.quick == true)
    #expect(declared.seed == 123)
    let parsed = try declared.options.parse(declared.options.arguments)
    #expect(parsed.values["--epochs"] == .int(5))
    #expect(parsed.values["--data"] == .string("fashion-mnist"))
    #expect(parsed.values["--lr"] == .float(0.05))
    #expect(parsed.values["--quick"] == .flag(true))
  }

  @Test("The last occurrence of an option wins, in declarations and in parse")
  func lastOccurrenceWins() throws {
    let declared = Declared(["--epochs=3", "--epochs", "9"])
    #expect(declared.epochs == 9)
    #expect(try declared.options.parse(declared.options.arguments).values["--epochs"] == .int(9))
  }

  @Test("A negative number is a value, not an option")
  func negativeValue() throws {
    var options = ChapterOptions(chapter: "T", summary: "s", arguments: ["--shift", "-2.5"])
    let shift = options.float("--shift", default: 0, help: "offset")
    #expect(shift == -2.5)
    #expect(try options.parse(options.arguments).values["--shift"] == .float(-2.5))
  }

  @Test("An unknown option is an error naming it, with a suggestion when one is close")
  func unknownOption() {
    let error = Declared(["--epoch", "5"]).parseError()
    #expect(error == .unknownOption("--epoch", suggestion: "--epochs"))
    #expect(error?.option == "--epoch")
    #expect(error?.description == "unknown option --epoch (did you mean --epochs?)")
    #expect(Declared(["--banana"]).parseError() == .unknownOption("--banana", suggestion: nil))
  }

  @Test("A missing value is an error naming the option, also when another option follows")
  func missingValue() {
    let atEnd = Declared(["--epochs"]).parseError()
    #expect(atEnd == .missingValue(option: "--epochs", expected: "an integer in 1...1000"))
    #expect(atEnd?.description.contains("--epochs") == true)
    let beforeAnother = Declared(["--lr", "--quick"]).parseError()
    #expect(beforeAnother?.option == "--lr")
    if case .missingValue? = beforeAnother {} else { Issue.record("expected missingValue, got \(String(describing: beforeAnother))") }
  }

  @Test("A value that is not a number is an error naming the option and the value")
  func notANumber() {
    let declared = Declared(["--epochs=abc"])
    #expect(declared.epochs == 20, "a bad value leaves the default until parse() reports it")
    let error = declared.parseError()
    #expect(error == .invalidValue(option: "--epochs", value: "abc", expected: "an integer in 1...1000"))
    #expect(error?.description == "--epochs expects an integer in 1...1000, got \"abc\"")
    #expect(Declared(["--lr", "fast"]).parseError()?.option == "--lr")
    #expect(Declared(["--lr", "nan"]).parseError()?.option == "--lr")
  }

  @Test("A value out of range is an error naming the option and the range")
  func outOfRange() {
    let error = Declared(["--epochs", "0"]).parseError()
    #expect(error?.option == "--epochs")
    #expect(error?.description.contains("1...1000") == true)
    #expect(Declared(["--lr", "1.5"]).parseError()?.option == "--lr")
    #expect(Declared(["--seed", "-1"]).parseError()?.option == "--seed")
  }

  @Test("A choice outside the list is an error listing the choices")
  func badChoice() {
    let error = Declared(["--data", "cifar"]).parseError()
    #expect(error == .invalidValue(option: "--data", value: "cifar", expected: "one of mnist, fashion-mnist"))
    #expect(error?.description.contains("--data") == true)
    #expect(error?.description.contains("fashion-mnist") == true)
  }

  @Test("A switch given a value, or a stray word, is an error")
  func switchValueAndStrayWord() {
    #expect(Declared(["--quick=yes"]).parseError() == .unexpectedValue(option: "--quick", value: "yes"))
    #expect(Declared(["--quick", "extra"]).parseError() == .unexpectedArgument("extra"))
    #expect(Declared(["-5"]).parseError() == .unexpectedArgument("-5"))
  }

  @Test("-h and --help request the usage, even next to mistakes")
  func helpRequested() throws {
    for arguments in [["--help"], ["-h"], ["--epochs=abc", "--help"]] {
      let declared = Declared(arguments)
      #expect(try declared.options.parse(arguments).helpRequested, "for \(arguments)")
    }
  }

  @Test("The usage names the chapter, the summary and every option with its help and default")
  func usageText() {
    let usage = Declared([]).options.usage
    #expect(usage.hasPrefix("Chapter05: The multilayer perceptron\n"))
    #expect(usage.contains("usage: swift run Chapter05 [options]"))
    let epochsLine = usage.split(separator: "\n").first { $0.contains("--epochs") }
    #expect(epochsLine?.contains("passes over the data") == true)
    #expect(epochsLine?.contains("default 20") == true)
    #expect(usage.contains("<mnist|fashion-mnist>"))
    #expect(usage.contains("default 0.001"))
    #expect(usage.contains("--seed"))
    #expect(usage.contains("--quick"))
    #expect(usage.contains("-h, --help"))
  }

  @Test("parse() exits with status 2 and prints the error and usage to standard error on a mistake")
  func parseExitsOnMistake() async {
    let result = await #expect(processExitsWith: .exitCode(2), observing: [\.standardErrorContent]) {
      var options = ChapterOptions(chapter: "Chapter05", summary: "s", arguments: ["--epochs=abc"])
      _ = options.int("--epochs", default: 20, help: "passes")
      options.parse()
    }
    let standardError = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(standardError.hasPrefix("error: --epochs expects an integer, got \"abc\""))
    #expect(standardError.contains("usage: swift run Chapter05"))
  }

  @Test("parse() prints the usage to standard output and exits with status 0 on --help")
  func parseExitsOnHelp() async {
    let result = await #expect(processExitsWith: .exitCode(0), observing: [\.standardOutputContent]) {
      var options = ChapterOptions(chapter: "Chapter05", summary: "s", arguments: ["--help"])
      _ = options.int("--epochs", default: 20, help: "passes")
      options.parse()
    }
    let standardOutput = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
    #expect(standardOutput.contains("--epochs <integer>"))
  }

  @Test("An optional integer is nil unless given, checked against its range, and says what leaving it out means")
  func optionalInteger() throws {
    func declared(_ arguments: [String]) -> (ChapterOptions, Int?) {
      var options = ChapterOptions(chapter: "Chapter09", summary: "s", arguments: arguments)
      let subset = options.optionalInt("--subset", help: "texts to train on", range: 32...1000, absent: "all of them")
      return (options, subset)
    }
    let (absent, none) = declared([])
    let absentValue = try absent.parse([]).values["--subset"]
    #expect(none == nil && absentValue == .unset)
    #expect(absent.usage.contains("texts to train on (32...1000, default: all of them)"))
    let (given, value) = declared(["--subset", "40"])
    let givenValue = try given.parse(given.arguments).values["--subset"]
    #expect(value == 40 && givenValue == .int(40))
    let (small, _) = declared(["--subset", "31"])
    #expect(throws: UsageError.invalidValue(option: "--subset", value: "31", expected: "an integer in 32...1000")) {
      try small.parse(small.arguments)
    }
  }

  @Test("A rule between options is checked by parse, like a range")
  func rulesBetweenOptions() {
    func parseError(_ arguments: [String]) -> UsageError? {
      var options = ChapterOptions(chapter: "Chapter03", summary: "s", arguments: arguments)
      let first = options.int("--first", default: 3, help: "a digit", range: 0...9)
      let second = options.int("--second", default: 8, help: "another digit", range: 0...9)
      options.require(second != first, option: "--second", value: "\(second)", expected: "a digit other than \(first)")
      do { _ = try options.parse(arguments); return nil } catch { return error }
    }
    #expect(parseError(["--first", "4"]) == nil)
    #expect(parseError(["--first", "8"]) == .invalidValue(option: "--second", value: "8", expected: "a digit other than 8"))
    #expect(parseError(["--first", "11", "--second", "3"])?.description.contains("0...9") == true,
            "a value's own range is reported first")
  }

  @Test("--describe-options lists every option with its kind, default and range or choices, and the quick run")
  func describeOptions() throws {
    var declared = Declared([])
    declared.options.quickRun = ["--epochs", "1"]
    struct Description: Decodable {
      struct Option: Decodable { let name, kind: String; let `default`, min, max: String?; let choices: [String]? }
      let chapter: String, quickRun: [String], options: [Option]
    }
    let description = try JSONDecoder().decode(Description.self, from: Data(declared.options.optionsDescription.utf8))
    #expect(description.chapter == "Chapter05" && description.quickRun == ["--epochs", "1"])
    #expect(description.options.map(\.name) == ["--seed", "--epochs", "--data", "--lr", "--quick"])
    let epochs = description.options[1], rate = description.options[3]
    #expect(epochs.kind == "integer" && epochs.min == "1" && epochs.max == "1000" && epochs.default == "20")
    #expect(rate.kind == "number" && rate.min == "0.0" && rate.max == "1.0" && Float(rate.max!) == 1)
    #expect(description.options[2].choices == ["mnist", "fashion-mnist"] && description.options[4].kind == "switch")
    #expect(description.options[0].max == String(Int.max))
    #expect(try declared.options.parse(["--describe-options"]).describeRequested)
    #expect(declared.options.usage.contains("a quick run: swift run Chapter05 --epochs 1"))
    #expect(declared.options.usage.hasSuffix("writes them to figures/other-runs/, so that the book's figures stay as they are"))
  }

  @Test("A run far longer or larger than the default one is warned about, with the options given")
  func costWarnings() {
    let usual = RunCost(seconds: 15, bytes: 2e8)
    #expect(RunCost(seconds: 29, bytes: 2e8).warnings(comparedWith: usual, given: "--epochs 38").isEmpty)
    let slow = RunCost(seconds: 2100).warnings(comparedWith: usual, given: "--epochs 1000")
    #expect(slow == ["with --epochs 1000 this run takes about 35 min 00 s on a 2-core machine (about 15.0 s with "
                     + "the default settings); press Ctrl-C to stop it"])
    #expect(RunCost(seconds: 8).warnings(comparedWith: RunCost(seconds: 0.1), given: "").isEmpty,
            "under 10 s a run is never worth a warning")
    let large = RunCost(seconds: 15, bytes: 3.8e9).warnings(comparedWith: usual, given: "--length 10000")
    #expect(large.count == 1 && large[0].hasPrefix("with --length 10000 this run needs about 3.8 GB of memory"))
  }

  @Test("--dry-run prints the estimate and its warnings as JSON and stops; a default run costs what usualCost says")
  func dryRun() async {
    let result = await #expect(processExitsWith: .exitCode(0), observing: [\.standardOutputContent, \.standardErrorContent]) {
      var options = ChapterOptions(chapter: "Chapter05", summary: "s", arguments: ["--epochs", "1000", "--dry-run"])
      let epochs = options.int("--epochs", default: 20, help: "passes", range: 1...1000)
      options.parse(cost: RunCost(seconds: 0.75 * Double(epochs)), usualCost: RunCost(seconds: 15))
      print("the chapter ran")
    }
    let output = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
    let errors = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(output.hasPrefix(#"{"bytes":0,"seconds":750,"warnings":["with --epochs 1000 this run takes about 12 min 30 s"#))
    #expect(!output.contains("the chapter ran"))
    #expect(errors.hasPrefix("warning: with --epochs 1000 this run takes about 12 min 30 s"))

    await #expect(processExitsWith: .failure) {
      var options = ChapterOptions(chapter: "Chapter05", summary: "s", arguments: [])
      let epochs = options.int("--epochs", default: 20, help: "passes", range: 1...1000)
      options.parse(cost: RunCost(seconds: 0.75 * Double(epochs)), usualCost: RunCost(seconds: 14))
    }
  }

  @Test("The hidden switches cannot be declared by a chapter")
  func hiddenSwitchesAreReserved() async {
    await #expect(processExitsWith: .failure) {
      var options = ChapterOptions(chapter: "T", summary: "s", arguments: [])
      _ = options.flag("--dry-run", help: "mine")
    }
  }

  // MARK: Errors

  @Test("A CourseError says where, what and how to fix")
  func courseErrorDescription() {
    let error = CourseError(
      "expected 785 values, found 784", path: "Datasets/train.csv", line: 17, fix: "download the file again")
    #expect(error.description == "Datasets/train.csv:17: expected 785 values, found 784\n  fix: download the file again")
    let binary = CourseError("the file ends early", path: "images.idx", byteOffset: 16)
    #expect(binary.description == "images.idx (byte 16): the file ends early")
    #expect(CourseError("no data").description == "no data")
  }

  @Test("checkFinite throws a CourseError on NaN and infinity, and passes finite values")
  func checkFiniteValues() throws {
    #expect(throws: CourseError.self) { try checkFinite(Float.nan, what: "the loss") }
    #expect(throws: CourseError.self) { try checkFinite(Double.infinity, what: "the loss") }
    do {
      try checkFinite(Float.nan, what: "the loss at epoch 3")
      Issue.record("checkFinite accepted NaN")
    } catch {
      #expect(error.description.contains("the loss at epoch 3"))
      #expect(error.fix?.contains("learning rate") == true)
    }
    try checkFinite(Float(0.25), what: "the loss")
    try checkFinite(-Float.greatestFiniteMagnitude, what: "the loss")
  }

  @Test("runChapter prints error: and exits with status 1 when the body throws")
  func runChapterExits() async {
    let result = await #expect(processExitsWith: .exitCode(1), observing: [\.standardErrorContent]) {
      runChapter {
        throw CourseError("the file is empty", path: "Datasets/x.csv")
      }
    }
    let standardError = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(standardError == "error: Datasets/x.csv: the file is empty\n")
  }

  // MARK: Files

  @Test("An atomic write creates missing directories and leaves no temporary file behind")
  func atomicWrite() throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let path = root + "/a/b/result.csv"
    try writeFileAtomically("x,y\n1,2\n", to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "x,y\n1,2\n")
    try writeFileAtomically(Data([1, 2, 3]), to: path)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([1, 2, 3]))
    #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/a/b") == ["result.csv"])
  }

  @Test("A write to an impossible path throws a CourseError naming the path")
  func impossibleWrite() throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    // A regular file cannot be a directory, whoever runs the test (even root).
    try writeFileAtomically("not a directory", to: root + "/plain")
    let path = root + "/plain/sub/out.svg"
    do {
      try writeFileAtomically("<svg/>", to: path)
      Issue.record("writing under a regular file succeeded")
    } catch {
      #expect(error.path == path)
      #expect(error.description.contains(path))
      #expect(error.description.contains("not a directory"))
    }
    #expect(throws: CourseError.self) { try writeFileAtomically("x", to: root + "/") }
    #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["plain"])
  }

  @Test("figurePath puts figures under figures/")
  func figurePaths() {
    #expect(figurePath("05-curves.svg") == "figures/05-curves.svg")
    var isDirectory: ObjCBool = false
    #expect(FileManager.default.fileExists(atPath: figuresDirectory, isDirectory: &isDirectory))
    #expect(isDirectory.boolValue)
  }

  @Test("only the book's runs redraw the book's figures in the package")
  func figureFolders() {
    // Anywhere else (a test's temporary folder, a learner's own folder) every figure goes to figures/.
    for defaults in [true, false] {
      for measured in [true, false] {
        #expect(figureFolder(inPackageRoot: false, defaultOptions: defaults, measured: measured, bookRun: false)
                == "figures")
      }
    }
    // In the package: the default run redraws the book's figures, except this machine's timings,
    // which only BookSync's run may redraw; any other options draw beside them.
    #expect(figureFolder(inPackageRoot: true, defaultOptions: true, measured: false, bookRun: false) == "figures")
    #expect(figureFolder(inPackageRoot: true, defaultOptions: true, measured: true, bookRun: true) == "figures")
    #expect(figureFolder(inPackageRoot: true, defaultOptions: true, measured: true, bookRun: false)
            == "figures/other-runs")
    #expect(figureFolder(inPackageRoot: true, defaultOptions: false, measured: false, bookRun: true)
            == "figures/other-runs")
  }

  @Test("parentDirectory splits slash-separated paths")
  func parentDirectories() {
    #expect(parentDirectory(of: "a/b/c.txt") == "a/b")
    #expect(parentDirectory(of: "c.txt") == "")
    #expect(parentDirectory(of: "/c") == "/")
    #expect(parentDirectory(of: "a//b/") == "a")
  }

  // MARK: Console and formatting

  @Test("A section header is exactly 60 characters, with the title after two rules")
  func sectionHeaders() {
    let header = sectionHeader("3.2 Learning rate")
    #expect(header.count == 60)
    #expect(header.hasPrefix("── 3.2 Learning rate ───"))
    #expect(sectionHeader("Äpfel – und Birnen").count == 60)
    let long = sectionHeader(String(repeating: "x", count: 70))
    #expect(long.hasSuffix(" ──"))
    #expect(long.count == 3 + 70 + 1 + 2)
  }

  @Test("Durations read naturally at every scale")
  func durations() {
    #expect(formatDuration(0.8) == "0.8 s")
    #expect(formatDuration(65) == "1 min 05 s")
    #expect(formatDuration(12.34) == "12.3 s")
    #expect(formatDuration(0.0123) == "12.3 ms")
    #expect(formatDuration(0.00035) == "350 µs")
    #expect(formatDuration(59.97) == "1 min 00 s")
    #expect(formatDuration(3725) == "1 h 02 min")
    #expect(formatDuration(.milliseconds(1500)) == "1.5 s")
    #expect(formatClock(75) == "1:15")
    #expect(formatClock(3723) == "1:02:03")
  }

  @Test("Counts take the plural only when they are not one; sizes read in B, kB, MB, GB")
  func countsAndSizes() {
    #expect(counted(1, "epoch") == "1 epoch" && counted(0, "epoch") == "0 epochs" && counted(20, "epoch") == "20 epochs")
    #expect(formatBytes(512) == "512 B" && formatBytes(268_800) == "268.8 kB")
    #expect(formatBytes(27_000_000) == "27.0 MB" && formatBytes(3.8e9) == "3.8 GB")
  }

  @Test("Percentages and fixed decimals do not depend on locale")
  func numbers() {
    #expect(formatPercent(0.9561) == "95.6%")
    #expect(formatPercent(Float(1)) == "100.0%")
    #expect(formatPercent(0.12345, decimals: 2) == "12.35%")
    #expect(format(0.123456, decimals: 4) == "0.1235")
    #expect(format(Float(2.5), decimals: 0) == "3")
    #expect(format(-1.25, decimals: 1) == "-1.3")
    #expect(format(-0.00001, decimals: 2) == "0.00")
    #expect(format(42, decimals: 2) == "42.00")
    #expect(format(Double.nan, decimals: 2) == "nan")
    #expect(format(-Double.infinity, decimals: 2) == "-inf")
  }

  @Test("Tables align columns, numbers and their headers on the right")
  func tables() {
    let text = tableText(
      headers: ["rate", "loss", "note"],
      rows: [["0.1", "0.4012", "diverges"], ["0.01", "12.2345", "best"]])
    #expect(
      text == """
        rate     loss  note
        ────  ───────  ────────
         0.1   0.4012  diverges
        0.01  12.2345  best
        """)
  }

  // MARK: Progress

  @Test("Off a terminal, a progress line writes one plain line per finish and nothing per batch")
  func plainProgress() {
    let sink = Sink()
    for epoch in 1...2 {
      let progress = ProgressLine("epoch \(epoch)/2", output: sink.output(terminal: false))
      var evaluated = 0
      for batch in 1...50 {
        progress.update(step: batch, of: 50, metrics: { evaluated += 1; return [.value("loss", 0.5)] }())
      }
      #expect(evaluated == 0, "metrics are not computed when nothing is drawn")
      progress.finish(metrics: [.value("loss", Float(0.2345)), .percent("acc", 0.931)])
    }
    let lines = sink.text.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 3)
    #expect(lines[2].isEmpty)
    #expect(lines[0].hasPrefix("epoch 1/2  50/50  loss 0.2345  acc 93.1%  "))
    #expect(lines[1].hasPrefix("epoch 2/2  50/50  loss 0.2345  acc 93.1%  "))
    #expect(!sink.text.contains("\r"))
    #expect(!sink.text.contains("\u{1B}"))
  }

  @Test("On a terminal, a progress line redraws in place at most every 0.1 s and ends with a newline")
  func terminalProgress() {
    let sink = Sink()
    let clock = ManualClock()
    let progress = ProgressLine(
      "epoch 1/1", output: sink.output(terminal: true), minimumInterval: 0.1, clock: { clock.time })
    var evaluated = 0
    for batch in 1...100 {
      clock.time = Double(batch) * 0.01  // 100 batches in 1 s: about 10 redraws
      progress.update(step: batch, of: 100, metrics: { evaluated += 1; return [.value("loss", 0.5)] }())
    }
    let redraws = sink.text.components(separatedBy: "\r\u{1B}[2K").count - 1
    #expect((9...11).contains(redraws))
    #expect(evaluated == redraws)
    #expect(sink.text.contains("left"))
    #expect(sink.text.contains("loss 0.5000"))
    #expect(!sink.text.contains("\n"))
    progress.finish(metrics: [.value("loss", 0.25)])
    #expect(sink.text.hasSuffix("100/100  loss 0.2500  1.0 s\n"))
    #expect(sink.text.contains("█"))
  }

  @Test("On a narrow terminal the progress line drops its bar rather than wrap")
  func narrowTerminal() {
    let sink = Sink()
    let progress = ProgressLine("epoch 1/1", output: sink.output(terminal: true, columns: 40))
    progress.update(step: 5, of: 10, metrics: [.value("loss", 0.5)])
    let drawn = sink.text.replacingOccurrences(of: "\r\u{1B}[2K", with: "")
    #expect(drawn.count <= 39)
    #expect(!drawn.contains("█"))
  }

  @Test("A stopwatch measures monotonic, non-negative time")
  func stopwatch() {
    var stopwatch = Stopwatch()
    let first = stopwatch.seconds
    let second = stopwatch.seconds
    #expect(first >= 0)
    #expect(second >= first)
    let lap = stopwatch.lap()
    #expect(lap >= second)
    let (value, seconds) = timed { (1...1000).reduce(0, +) }
    #expect(value == 500_500)
    #expect(seconds >= 0)
  }
}
