// Command-line options for chapters: declared in a few readable lines, checked strictly, explained by --help.
//
// An option's range is a promise: the parser rejects any value outside it, and every value inside it
// runs (the course's tests run each chapter with every numeric option at both ends of its range,
// reading the options from `--describe-options`). A value that is valid but makes the run far slower
// or larger than usual gets a warning with the estimate, before the run starts (`parse(cost:usualCost:)`).

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A mistake on the command line, with the option it concerns, so the learner can correct the command.
public enum UsageError: Error, CustomStringConvertible, Sendable, Equatable {
  /// An option no one declared, with the closest declared name if one is near.
  case unknownOption(String, suggestion: String?)
  /// An option that needs a value was given without one; `expected` says what kind of value.
  case missingValue(option: String, expected: String)
  /// An option's value could not be used; `expected` says what would have been accepted.
  case invalidValue(option: String, value: String, expected: String)
  /// A switch (an option without a value) was given a value with `=`.
  case unexpectedValue(option: String, value: String)
  /// A word that is not an option and not the value of one.
  case unexpectedArgument(String)

  /// The option the error concerns, if any.
  public var option: String? {
    switch self {
    case .unknownOption(let name, _): return name
    case .missingValue(let name, _), .invalidValue(let name, _, _), .unexpectedValue(let name, _): return name
    case .unexpectedArgument: return nil
    }
  }

  /// One line saying which option was wrong and what was expected.
  public var description: String {
    switch self {
    case .unknownOption(let name, let suggestion):
      let hint = suggestion.map { " (did you mean \($0)?)" } ?? ""
      return "unknown option \(name)\(hint)"
    case .missingValue(let name, let expected):
      return "\(name) needs a value: \(expected)"
    case .invalidValue(let name, let value, let expected):
      return "\(name) expects \(expected), got \"\(value)\""
    case .unexpectedValue(let name, let value):
      return "\(name) is a switch and takes no value, got \"\(value)\""
    case .unexpectedArgument(let word):
      return "unexpected argument \"\(word)\" (options start with --, e.g. --epochs 5)"
    }
  }
}

/// The value of one option after parsing, as `ChapterOptions.parse(_:)` reports it.
public enum OptionValue: Sendable, Equatable {
  /// An integer option's value.
  case int(Int)
  /// A number option's value.
  case float(Float)
  /// A choice or text option's value.
  case string(String)
  /// A switch: `true` when it was given.
  case flag(Bool)
  /// An optional option (`optionalInt`) that was not given.
  case unset
}

/// The outcome of parsing a command line: whether help was asked for, and every declared option's value.
public struct ParsedOptions: Sendable, Equatable {
  /// Whether `-h` or `--help` was given; then nothing else is checked.
  public var helpRequested: Bool
  /// Every declared option's value, given or default, by name (e.g. `"--epochs"`); empty when help was requested.
  public var values: [String: OptionValue]
  /// Whether the hidden `--describe-options` was given: print the options as JSON and stop (for tests and tools).
  public var describeRequested = false
  /// Whether the hidden `--dry-run` was given: check the options, print the run's estimated cost as JSON, and stop.
  public var dryRun = false
  /// The declared options given on the command line, in the order first given (for warnings).
  public var given: [String] = []
}

/// What a run will cost, estimated from its options before it starts: seconds on a 2-core machine
/// (the course's reference) and the most memory it holds at once, in bytes.
public struct RunCost: Sendable, Equatable, Codable {
  /// Estimated wall-clock seconds on a 2-core machine.
  public var seconds: Double
  /// Estimated peak memory in bytes (0 when it stays small whatever the options).
  public var bytes: Double

  /// Creates an estimate.
  public init(seconds: Double, bytes: Double = 0) {
    self.seconds = seconds
    self.bytes = bytes
  }

  /// The warnings this cost deserves next to the usual (default) run's: one for time when it is more
  /// than twice the usual and over 10 s, one for memory when it is more than twice the usual and
  /// over 1 GB. `given` is the options as typed, e.g. `"--epochs 1000"`.
  public func warnings(comparedWith usual: RunCost, given: String) -> [String] {
    let with = given.isEmpty ? "with these settings" : "with " + given
    var warnings: [String] = []
    if seconds > Swift.max(10, 2 * usual.seconds) {
      warnings.append(
        "\(with) this run takes about \(formatDuration(seconds)) on a 2-core machine "
          + "(about \(formatDuration(usual.seconds)) with the default settings); press Ctrl-C to stop it")
    }
    if bytes > Swift.max(1e9, 2 * usual.bytes) {
      warnings.append(
        "\(with) this run needs about \(formatBytes(bytes)) of memory "
          + "(about \(formatBytes(usual.bytes)) with the default settings); press Ctrl-C to stop it")
    }
    return warnings
  }
}

/// A chapter's command-line options: each declaration returns its value at once, and `parse()` checks the whole line.
///
/// ```swift
/// var options = ChapterOptions(chapter: "Chapter05", summary: "The multilayer perceptron on MNIST digits")
/// let seed = options.seed(default: 42)
/// let epochs = options.int("--epochs", default: 20, help: "passes over the training set", range: 1...1000)
/// let data = options.choice("--data", default: "mnist", among: ["mnist", "fashion-mnist"], help: "which data set")
/// let rate = options.float("--lr", default: 0.001, help: "learning rate")
/// let quick = options.flag("--quick", help: "train on a small subset, for a fast first run")
/// options.parse()
/// ```
/// Both `--epochs 5` and `--epochs=5` work. `--help` prints the usage and exits with status 0; a mistake
/// prints `error: …` and the usage to standard error and exits with status 2. Until `parse()` runs, a
/// declaration with a bad value returns its default, so call `parse()` right after the declarations.
///
/// Two hidden switches serve the course's tests and tools: `--describe-options` prints every option
/// (name, kind, range or choices, default) and the quick run as JSON; `--dry-run` checks the command
/// line, prints any warning and the estimated cost (`parse(cost:usualCost:)`) as JSON, and stops.
public struct ChapterOptions: Sendable {
  /// The chapter's executable name, e.g. `Chapter05`, shown in the usage.
  public let chapter: String
  /// One line saying what the chapter does, shown in the usage.
  public let summary: String
  /// The command-line words after the program name, which declarations read and `parse()` checks.
  public let arguments: [String]

  /// The arguments of a quick run of the chapter (a few seconds, e.g. `["--epochs", "1"]`), shown
  /// in the usage; the course's tests start from them when they walk the options' ranges.
  public var quickRun: [String] = []

  private var specs: [OptionSpec] = []
  /// Rules between options (`require`) that failed, checked by `parse` after each value's own range.
  private var brokenRules: [UsageError] = []

  /// The hidden switches every chapter understands, which no chapter may declare.
  static let hiddenSwitches = ["--describe-options", "--dry-run"]

  /// Creates the options of a chapter, reading `arguments` (by default the process's command line without the program name).
  public init(chapter: String, summary: String, arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
    self.chapter = chapter
    self.summary = summary
    self.arguments = arguments
  }

  /// Declares an integer option, optionally limited to `range`, and returns its value from the command line or `default`.
  public mutating func int(_ name: String, default value: Int, help: String, range: ClosedRange<Int>? = nil) -> Int {
    if let range, !range.contains(value) {
      fatalError("ChapterOptions: the default \(value) of \(name) is outside its range \(range)")
    }
    let spec = declare(OptionSpec(name: name, kind: .int(range), defaultValue: .int(value), help: help))
    if case .int(let given)? = lookUp(spec) { return given }
    return value
  }

  /// Declares an integer option that may be left out, limited to `range`, and returns its value or `nil`;
  /// `absent` says in the usage what leaving it out means (e.g. `"all of them"`).
  public mutating func optionalInt(_ name: String, help: String, range: ClosedRange<Int>, absent: String) -> Int? {
    let spec = declare(OptionSpec(name: name, kind: .int(range), defaultValue: .unset, help: help, absent: absent))
    if case .int(let given)? = lookUp(spec) { return given }
    return nil
  }

  /// Declares a number option, optionally limited to `range`, and returns its value from the command line or `default`.
  public mutating func float(_ name: String, default value: Float, help: String, range: ClosedRange<Float>? = nil)
    -> Float
  {
    if let range, !range.contains(value) {
      fatalError("ChapterOptions: the default \(value) of \(name) is outside its range \(range)")
    }
    let spec = declare(OptionSpec(name: name, kind: .float(range), defaultValue: .float(value), help: help))
    if case .float(let given)? = lookUp(spec) { return given }
    return value
  }

  /// Declares an option whose value must be one of `among`, and returns it from the command line or `default`.
  public mutating func choice(_ name: String, default value: String, among choices: [String], help: String) -> String {
    if !choices.contains(value) {
      fatalError("ChapterOptions: the default \"\(value)\" of \(name) is not among \(choices)")
    }
    let spec = declare(OptionSpec(name: name, kind: .choice(choices), defaultValue: .string(value), help: help))
    if case .string(let given)? = lookUp(spec) { return given }
    return value
  }

  /// Declares a free-text option (a file path, a prompt), and returns its value from the command line or `default`.
  public mutating func string(_ name: String, default value: String, help: String) -> String {
    let spec = declare(OptionSpec(name: name, kind: .string, defaultValue: .string(value), help: help))
    if case .string(let given)? = lookUp(spec) { return given }
    return value
  }

  /// Declares a switch, an option without a value, and returns whether it was given.
  public mutating func flag(_ name: String, help: String) -> Bool {
    let spec = declare(OptionSpec(name: name, kind: .flag, defaultValue: .flag(false), help: help))
    if case .flag(let given)? = lookUp(spec) { return given }
    return false
  }

  /// A rule that relates options, such as two digits that must differ: when `condition` is false,
  /// `parse` rejects the command line with `option` expecting `expected`, like a value out of range.
  ///
  /// ```swift
  /// options.require(second != first, option: "--second", value: "\(second)",
  ///                 expected: "a digit other than --first (\(first))")
  /// ```
  public mutating func require(_ condition: Bool, option: String, value: String, expected: String) {
    if !condition { brokenRules.append(.invalidValue(option: option, value: value, expected: expected)) }
  }

  /// Declares the standard `--seed` option every chapter has, and returns the seed for the random number generator.
  public mutating func seed(default value: UInt64 = 42) -> UInt64 {
    if value > UInt64(Int.max) {
      fatalError("ChapterOptions: the default seed \(value) is larger than \(Int.max)")
    }
    let given = int(
      "--seed", default: Int(value), help: "random seed: the same seed gives the same numbers", range: 0...Int.max)
    return UInt64(given)
  }

  /// Checks `arguments` against the declared options and returns every option's value, or throws the first mistake.
  ///
  /// When `-h` or `--help` is among the arguments, nothing else is checked and `helpRequested` is `true`.
  public func parse(_ arguments: [String]) throws(UsageError) -> ParsedOptions {
    if arguments.contains(where: { $0 == "-h" || $0 == "--help" }) {
      return ParsedOptions(helpRequested: true, values: [:])
    }
    if arguments.contains("--describe-options") {
      return ParsedOptions(helpRequested: false, values: [:], describeRequested: true)
    }
    var values: [String: OptionValue] = [:]
    for spec in specs {
      values[spec.name] = spec.defaultValue
    }
    var dryRun = false
    var given: [String] = []
    var index = 0
    while index < arguments.count {
      let word = arguments[index]
      index += 1
      if word == "--" { continue }
      if word == "--dry-run" {
        dryRun = true
        continue
      }
      guard word.hasPrefix("-") && !startsLikeNumber(word) else {
        throw .unexpectedArgument(word)
      }
      let (name, inlineValue) = splitOption(word)
      guard let spec = specs.first(where: { $0.name == name }) else {
        throw .unknownOption(name, suggestion: suggestion(for: name))
      }
      if !given.contains(name) { given.append(name) }
      if case .flag = spec.kind {
        if let inlineValue { throw .unexpectedValue(option: name, value: inlineValue) }
        values[name] = .flag(true)
        continue
      }
      var text = inlineValue
      if text == nil, index < arguments.count, !arguments[index].hasPrefix("--") {
        text = arguments[index]
        index += 1
      }
      guard let text else {
        throw .missingValue(option: name, expected: spec.expectation)
      }
      values[name] = try spec.convert(text)
    }
    if let broken = brokenRules.first { throw broken }
    return ParsedOptions(helpRequested: false, values: values, dryRun: dryRun, given: given)
  }

  /// Checks the command line: prints the usage and exits 0 on `--help`, prints the error and usage and exits 2 on a mistake.
  ///
  /// For a chapter whose cost does not depend on its options; `--dry-run` then prints no estimate.
  public func parse() {
    _ = check(cost: nil, usualCost: nil)
  }

  /// Checks the command line as `parse()` does, then compares `cost`, what this run will take, with
  /// `usualCost`, what the default settings take, and prints a `warning:` to standard error when this
  /// run is far slower or larger (see `RunCost.warnings`). With `--dry-run` it prints the estimate as
  /// JSON (`{"seconds":…,"bytes":…,"warnings":[…]}`) and exits 0 without running the chapter.
  ///
  /// ```swift
  /// options.parse(cost: RunCost(seconds: 0.7 * Double(epochs)), usualCost: RunCost(seconds: 0.7 * 20))
  /// ```
  public func parse(cost: RunCost, usualCost: RunCost) {
    let parsed = check(cost: cost, usualCost: usualCost)
    // A run with every option at its default must cost what `usualCost` says: one formula, one default.
    if parsed.given.allSatisfy({ $0 == "--seed" }) && cost != usualCost {
      fatalError("ChapterOptions: \(chapter)'s usualCost \(usualCost) differs from the cost of its default settings \(cost)")
    }
  }

  /// Parses, handles `--help`, `--describe-options`, mistakes, warnings and `--dry-run`, and returns what was parsed.
  private func check(cost: RunCost?, usualCost: RunCost?) -> ParsedOptions {
    let parsed: ParsedOptions
    do {
      parsed = try parse(arguments)
    } catch {
      writeToStandardError("error: \(error)\n\n\(usage)\n")
      exit(2)
    }
    if parsed.helpRequested {
      print(usage)
      exit(0)
    }
    if parsed.describeRequested {
      print(optionsDescription)
      exit(0)
    }
    var warnings: [String] = []
    if let cost, let usualCost {
      warnings = cost.warnings(comparedWith: usualCost, given: givenText(parsed))
      for warning in warnings { writeToStandardError("warning: " + warning + "\n") }
    }
    if parsed.dryRun {
      struct Estimate: Encodable {
        var seconds: Double?, bytes: Double?, warnings: [String]
      }
      print(jsonText(Estimate(seconds: cost?.seconds, bytes: cost?.bytes, warnings: warnings)))
      exit(0)
    }
    setRunUsesDefaultOptions(parsed.given.isEmpty)
    return parsed
  }

  /// The options given on the command line other than `--seed`, as typed: `--epochs 1000 --batch-size 1`.
  private func givenText(_ parsed: ParsedOptions) -> String {
    parsed.given.filter { $0 != "--seed" }.compactMap { name -> String? in
      switch parsed.values[name] {
      case .int(let value)?: return "\(name) \(value)"
      case .float(let value)?: return "\(name) \(value)"
      case .string(let value)?: return "\(name) \(value)"
      case .flag(true)?: return name
      default: return nil
      }
    }.joined(separator: " ")
  }

  /// Every declared option as JSON, for tests and tools: the chapter, its quick run, and for each
  /// option its name, kind, default, and range (as text the parser accepts) or choices.
  ///
  /// ```json
  /// {"chapter":"Chapter05","options":[{"default":"20","kind":"integer","max":"1000","min":"1",
  ///  "name":"--epochs"},…],"quickRun":["--data","uci-digits","--epochs","1"]}
  /// ```
  public var optionsDescription: String {
    struct Option: Encodable {
      var name: String, kind: String
      var `default`: String?, min: String?, max: String?, choices: [String]?
    }
    struct Description: Encodable {
      var chapter: String, quickRun: [String], options: [Option]
    }
    let options = specs.map { spec -> Option in
      var option = Option(name: spec.name, kind: "")
      switch spec.defaultValue {
      case .int(let value): option.default = String(value)
      case .float(let value): option.default = "\(value)"
      case .string(let value): option.default = value
      case .flag, .unset: break
      }
      switch spec.kind {
      case .int(let range):
        option.kind = "integer"
        (option.min, option.max) = (range.map { String($0.lowerBound) }, range.map { String($0.upperBound) })
      case .float(let range):
        option.kind = "number"
        (option.min, option.max) = (range.map { "\($0.lowerBound)" }, range.map { "\($0.upperBound)" })
      case .choice(let choices):
        option.kind = "choice"
        option.choices = choices
      case .string: option.kind = "text"
      case .flag: option.kind = "switch"
      }
      return option
    }
    return jsonText(Description(chapter: chapter, quickRun: quickRun, options: options))
  }

  /// The help text: chapter, summary, and each option with its kind of value, help and default.
  public var usage: String {
    var rows = specs.map { spec in
      (left: spec.name + (spec.metavariable.map { " " + $0 } ?? ""), right: spec.helpWithDefault)
    }
    rows.append((left: "-h, --help", right: "show this help and exit"))
    let width = rows.map(\.left.count).max() ?? 0
    var lines = [
      "\(chapter): \(summary)",
      "",
      "usage: swift run \(chapter) [options]",
      "",
      "options:",
    ]
    for row in rows {
      lines.append("  " + row.left + String(repeating: " ", count: width - row.left.count + 3) + row.right)
    }
    lines.append("")
    if !quickRun.isEmpty {
      lines.append("a quick run: swift run \(chapter) " + quickRun.joined(separator: " "))
    }
    lines.append("figures are written to figures/ in the current directory; in the course folder, a run with options")
    lines.append("other than the defaults writes them to figures/other-runs/, so that the book's figures stay as they are")
    return lines.joined(separator: "\n")
  }

  /// Adds a declaration, stopping the program if the name is malformed or already taken (a mistake in the chapter's code).
  private mutating func declare(_ spec: OptionSpec) -> OptionSpec {
    if !spec.name.hasPrefix("--") || spec.name.count < 3 || spec.name.contains("=") || spec.name.contains(" ") {
      fatalError("ChapterOptions: an option name must look like --name, got \"\(spec.name)\"")
    }
    if Self.hiddenSwitches.contains(spec.name) {
      fatalError("ChapterOptions: \(spec.name) is reserved for the course's tools; choose another name")
    }
    if spec.name == "--help" || specs.contains(where: { $0.name == spec.name }) {
      fatalError("ChapterOptions: the option \(spec.name) is declared twice")
    }
    specs.append(spec)
    return spec
  }

  /// The value given for `spec` on the command line (the last occurrence wins), or `nil` if absent or unusable.
  ///
  /// This follows the same rules as `parse(_:)`: a value is `--name=value` or the next word, if that word does not start with `--`.
  private func lookUp(_ spec: OptionSpec) -> OptionValue? {
    var found: OptionValue?
    var index = 0
    while index < arguments.count {
      let word = arguments[index]
      index += 1
      let (name, inlineValue) = splitOption(word)
      guard name == spec.name else { continue }
      if case .flag = spec.kind {
        found = inlineValue == nil ? .flag(true) : nil
        continue
      }
      var text = inlineValue
      if text == nil, index < arguments.count, !arguments[index].hasPrefix("--") {
        text = arguments[index]
        index += 1
      }
      found = text.flatMap { try? spec.convert($0) }
    }
    return found
  }

  /// The declared name closest to a mistyped one, if it is within two edits or the typed name is a prefix of it.
  private func suggestion(for name: String) -> String? {
    let typed = Array(name.drop(while: { $0 == "-" }))
    guard !typed.isEmpty else { return nil }
    var best: (name: String, distance: Int)?
    for candidate in specs.map(\.name) + ["--help"] {
      let target = Array(candidate.dropFirst(2))
      let distance = target.starts(with: typed) ? 1 : editDistance(typed, target)
      if distance <= 2, distance < (best?.distance ?? Int.max) {
        best = (candidate, distance)
      }
    }
    return best?.name
  }
}

/// One declared option: name, kind of value, default and help.
struct OptionSpec: Sendable {
  enum Kind: Sendable {
    case int(ClosedRange<Int>?)
    case float(ClosedRange<Float>?)
    case choice([String])
    case string
    case flag
  }

  var name: String
  var kind: Kind
  var defaultValue: OptionValue
  var help: String
  /// What leaving out an optional option means, for the usage (`"all of them"`).
  var absent: String? = nil

  /// What kind of value the option takes, as shown after its name in the usage.
  var metavariable: String? {
    switch kind {
    case .int: return "<integer>"
    case .float: return "<number>"
    case .choice(let choices): return "<" + choices.joined(separator: "|") + ">"
    case .string: return "<text>"
    case .flag: return nil
    }
  }

  /// The help text followed by the range or choices and the default, as shown in the usage.
  var helpWithDefault: String {
    switch (kind, defaultValue) {
    case (.int(let range?), .int(let value)):
      let limits =
        range.upperBound == Int.max ? "at least \(range.lowerBound)" : "\(range.lowerBound)...\(range.upperBound)"
      return help + " (\(limits), default \(value))"
    case (.float(let range?), .float(let value)):
      return help + " (\(range.lowerBound)...\(range.upperBound), default \(value))"
    case (_, .int(let value)): return help + " (default \(value))"
    case (_, .float(let value)): return help + " (default \(value))"
    case (.string, .string(let value)): return help + (value.isEmpty ? "" : " (default \"\(value)\")")
    case (_, .string(let value)): return help + " (default \(value))"
    case (.int(let range?), .unset):
      return help + " (\(range.lowerBound)...\(range.upperBound), default: \(absent ?? "none"))"
    case (_, .unset): return help + " (default: \(absent ?? "none"))"
    case (_, .flag): return help
    }
  }

  /// What the option accepts, in words, for error messages: "an integer in 1...1000", "one of mnist, fashion-mnist".
  var expectation: String {
    switch kind {
    case .int(let range?):
      return range.upperBound == Int.max
        ? "an integer of at least \(range.lowerBound)" : "an integer in \(range.lowerBound)...\(range.upperBound)"
    case .int(nil): return "an integer"
    case .float(let range?): return "a number in \(range.lowerBound)...\(range.upperBound)"
    case .float(nil): return "a number"
    case .choice(let choices): return "one of " + choices.joined(separator: ", ")
    case .string: return "some text"
    case .flag: return "nothing"
    }
  }

  /// Converts the text given on the command line to the option's value, or throws saying what was expected.
  func convert(_ text: String) throws(UsageError) -> OptionValue {
    switch kind {
    case .int(let range):
      guard let value = Int(text), range?.contains(value) ?? true else {
        throw .invalidValue(option: name, value: text, expected: expectation)
      }
      return .int(value)
    case .float(let range):
      guard let value = Float(text), value.isFinite, range?.contains(value) ?? true else {
        throw .invalidValue(option: name, value: text, expected: expectation)
      }
      return .float(value)
    case .choice(let choices):
      guard choices.contains(text) else {
        throw .invalidValue(option: name, value: text, expected: expectation)
      }
      return .string(text)
    case .string:
      return .string(text)
    case .flag:
      throw .unexpectedValue(option: name, value: text)
    }
  }
}

/// `value` as compact JSON with sorted keys, for `--describe-options` and `--dry-run`.
private func jsonText<Value: Encodable>(_ value: Value) -> String {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
  guard let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) else {
    fatalError("ChapterOptions: cannot encode \(value) as JSON")
  }
  return text
}

/// Splits `--name=value` into name and value; any other word is returned whole with no value.
private func splitOption(_ word: String) -> (name: String, value: String?) {
  guard word.hasPrefix("--"), let equals = word.firstIndex(of: "=") else { return (word, nil) }
  return (String(word[..<equals]), String(word[word.index(after: equals)...]))
}

/// Whether a word is a negative number such as `-3` or `-.5`, which is a value, not an option.
private func startsLikeNumber(_ word: String) -> Bool {
  let rest = word.dropFirst()
  guard let first = rest.first else { return false }
  return first.isASCII && (first.isNumber || (first == "." && rest.count > 1))
}

/// The number of single-character insertions, deletions and substitutions that turn `a` into `b`.
private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
      current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}
