// An option's advertised range is a promise: every value the parser accepts must run. The walk
// reads a chapter's options from the chapter itself (`--describe-options`, not a list kept here)
// and runs it with each numeric option at each end of its range, on top of the chapter's quick
// settings; each run must end cleanly (exit 0, or an `error:` message with exit 1 or 2), never by
// a signal. An end that makes the chapter far slower is not run: the chapter must say so, with a
// warning and its estimate, which `--dry-run` shows without running anything.
//
// To keep the walk short, the seed rides along: every run at an option's minimum also uses
// `--seed 0`, every run at a maximum the largest seed; runs with the same arguments are run once;
// and the seed gets a run of its own only where no other option's end is run in full.

import Foundation
import Testing

/// A chapter's options as its `--describe-options` prints them.
public struct ChapterDescription: Decodable, Sendable {
  /// One option: name, kind (`integer`, `number`, `choice`, `text`, `switch`), default, range or choices.
  public struct Option: Decodable, Sendable {
    public let name: String
    public let kind: String
    public let `default`: String?
    public let min: String?
    public let max: String?
    public let choices: [String]?
  }

  public let chapter: String
  public let quickRun: [String]
  public let options: [Option]
}

/// What `--dry-run` prints: the run's estimate and the warnings it gave.
public struct DryRunEstimate: Decodable, Sendable {
  public let seconds: Double?
  public let bytes: Double?
  public let warnings: [String]
}

public enum OptionWalk {
  /// An end of a range.
  public enum End: String, Sendable, CaseIterable {
    case minimum, maximum
  }

  /// One planned run: its arguments and the option ends it stands for (`--epochs 1000 (maximum)`).
  public struct Step: Sendable, Equatable {
    public var arguments: [String]
    public var covers: [String]
    public var end: End
  }

  /// How a step ended.
  public enum Outcome: Sendable, Equatable {
    /// Refused by the option parser or the chapter, exit 2 with an `error:` line.
    case rejected(String)
    /// Not run: `--dry-run` gave a warning with the estimate.
    case warned(String)
    /// Run in full: exit 0, or exit 1 with an `error:` line (e.g. a loss that diverged), in `seconds`.
    case ran(status: Int32, seconds: Double)
  }

  /// The options of `chapter`, from its own `--describe-options`.
  public static func describe(_ chapter: String) throws -> ChapterDescription {
    let run = try ChapterRunner.run(chapter, ["--describe-options"], timeout: 30)
    guard run.status == 0, let data = run.output.data(using: .utf8) else {
      throw ChapterRunnerError(description: "\(run.command) exited with \(run.status): \(run.errors)")
    }
    return try JSONDecoder().decode(ChapterDescription.self, from: data)
  }

  /// `arguments` with `option` set to `value`: replaced where it is given, appended otherwise.
  public static func setting(_ option: String, to value: String, in arguments: [String]) -> [String] {
    var result = arguments
    if let index = result.firstIndex(of: option), index + 1 < result.count {
      result[index + 1] = value
    } else {
      result += [option, value]
    }
    return result
  }

  /// The runs of the walk, before any is made: for each end, every numeric option other than the
  /// seed at that end (with the seed at the same end), duplicates merged; the seed alone where it
  /// is the only numeric option.
  public static func plan(_ description: ChapterDescription) -> [Step] {
    let ranged = description.options.filter { $0.min != nil && $0.max != nil }
    let seed = ranged.first { $0.name == "--seed" }
    var steps: [Step] = []
    // An option at its default, not among the quick settings, adds nothing to the command line.
    func set(_ option: ChapterDescription.Option, to value: String, in arguments: [String]) -> [String] {
      !arguments.contains(option.name) && value == option.default ? arguments : setting(option.name, to: value, in: arguments)
    }
    for end in End.allCases {
      func value(_ option: ChapterDescription.Option) -> String { (end == .minimum ? option.min : option.max)! }
      let seedArguments = seed.map { set($0, to: value($0), in: description.quickRun) } ?? description.quickRun
      let others = ranged.filter { $0.name != "--seed" }
      for option in others {
        let arguments = set(option, to: value(option), in: seedArguments)
        let cover = "\(option.name) \(value(option)) (\(end.rawValue))"
        if let index = steps.firstIndex(where: { $0.arguments == arguments }) {
          steps[index].covers.append(cover)
        } else {
          steps.append(Step(arguments: arguments, covers: [cover], end: end))
        }
      }
      if others.isEmpty, let seed {
        steps.append(Step(arguments: seedArguments, covers: ["--seed \(value(seed)) (\(end.rawValue))"], end: end))
      }
    }
    return steps
  }

  /// Walks `chapter`'s numeric options at both ends of their ranges (see the file's comment) and
  /// records an issue for any run that crashes or ends unclearly; returns each step's outcome.
  @discardableResult
  public static func expectCleanEnds(_ chapter: String, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> [(step: Step, outcome: Outcome)]
  {
    let description = try describe(chapter)
    #expect(description.chapter == chapter, sourceLocation: sourceLocation)
    var results: [(step: Step, outcome: Outcome)] = []
    var steps = plan(description)
    var index = 0
    while index < steps.count {
      let step = steps[index]
      index += 1
      results.append((step, try outcome(of: step, chapter: chapter, sourceLocation: sourceLocation)))
      // After the last planned step of an end: if no step of that end ran in full, the seed's end gets its own run.
      let endIsOver = index == steps.count || steps[index].end != step.end
      let ranAtThisEnd = results.contains { result in
        if case .ran = result.outcome { return result.step.end == step.end }
        return false
      }
      let seedRunPlanned = steps.contains { $0.end == step.end && $0.covers.contains { $0.hasPrefix("--seed ") } }
      if endIsOver && !ranAtThisEnd && !seedRunPlanned,
         let seed = description.options.first(where: { $0.name == "--seed" }),
         let value = step.end == .minimum ? seed.min : seed.max
      {
        steps.insert(
          Step(arguments: setting("--seed", to: value, in: description.quickRun),
               covers: ["--seed \(value) (\(step.end.rawValue))"], end: step.end),
          at: index)
      }
    }
    return results
  }

  /// Runs one step: first `--dry-run` (a refusal or a warning ends it there), then in full.
  static func outcome(of step: Step, chapter: String, sourceLocation: SourceLocation) throws -> Outcome {
    let covers = step.covers.joined(separator: ", ")
    let dry = try ChapterRunner.run(chapter, step.arguments + ["--dry-run"], timeout: 60)
    #expect(!dry.crashed, "\(dry.command) crashed (signal \(dry.status)) for \(covers):\n\(dry.errors)",
            sourceLocation: sourceLocation)
    if dry.status == 2 {
      #expect(dry.errors.hasPrefix("error: ") && !dry.errors.contains("Fatal error"),
              "\(dry.command) refused \(covers) without a clear message:\n\(dry.errors)", sourceLocation: sourceLocation)
      return .rejected(dry.errors.split(separator: "\n").first.map(String.init) ?? "")
    }
    guard dry.status == 0, let data = dry.output.data(using: .utf8),
          let estimate = try? JSONDecoder().decode(DryRunEstimate.self, from: data)
    else {
      Issue.record("\(dry.command) for \(covers) exited with \(dry.status) and printed no estimate:\n\(dry.output)\(dry.errors)",
                   sourceLocation: sourceLocation)
      return .ran(status: dry.status, seconds: 0)
    }
    if let warning = estimate.warnings.first {
      #expect(dry.errors.contains("warning: " + warning), "\(dry.command): the warning must reach the learner",
              sourceLocation: sourceLocation)
      return .warned(warning)
    }
    let started = Date()
    let run = try ChapterRunner.run(chapter, step.arguments, timeout: 180)
    let seconds = Date().timeIntervalSince(started)
    #expect(!run.crashed, "\(run.command) crashed (signal \(run.status)) for \(covers):\n\(run.errors.suffix(2000))",
            sourceLocation: sourceLocation)
    if !run.crashed {
      if run.status == 0 {
        #expect(run.errors.isEmpty, "\(run.command) wrote to standard error for \(covers):\n\(run.errors)",
                sourceLocation: sourceLocation)
      } else {
        #expect((run.status == 1 || run.status == 2) && run.errors.hasPrefix("error: ")
                  && !run.errors.contains("Fatal error"),
                "\(run.command) for \(covers) exited with \(run.status) without a clear message:\n\(run.errors)",
                sourceLocation: sourceLocation)
      }
    }
    return .ran(status: run.status, seconds: seconds)
  }
}
