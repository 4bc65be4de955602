// Errors a learner can act on: what went wrong, where, and how to fix it, printed without a stack trace.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An error for the learner, saying what was wrong, where (file, line, byte offset) and how to fix it.
///
/// ```swift
/// throw CourseError("expected 785 comma-separated values, found 784",
///                   path: "Datasets/mnist_train.csv", line: 17,
///                   fix: "the download was probably cut short: run Datasets/download.sh again")
/// ```
/// prints, through `runChapter`, as
/// ```text
/// error: Datasets/mnist_train.csv:17: expected 785 comma-separated values, found 784
///   fix: the download was probably cut short: run Datasets/download.sh again
/// ```
public struct CourseError: Error, CustomStringConvertible, Sendable, Equatable {
  /// What was wrong, as one sentence a learner understands.
  public var problem: String
  /// The file the problem is in, if any, so the learner knows where to look.
  public var path: String?
  /// The 1-based line in `path`, for text files.
  public var line: Int?
  /// The 0-based byte offset in `path`, for binary files.
  public var byteOffset: Int?
  /// What the learner can do about it, if we know.
  public var fix: String?

  /// Creates an error from what was wrong, where it was and how to fix it.
  public init(
    _ problem: String, path: String? = nil, line: Int? = nil, byteOffset: Int? = nil, fix: String? = nil
  ) {
    self.problem = problem
    self.path = path
    self.line = line
    self.byteOffset = byteOffset
    self.fix = fix
  }

  /// Where the problem is, written like a compiler does (`file:17`, `file (byte 16)`), or `nil` if nowhere in particular.
  public var location: String? {
    var text = path ?? ""
    if let line {
      text += path == nil ? "line \(line)" : ":\(line)"
    }
    if let byteOffset {
      text += text.isEmpty ? "byte \(byteOffset)" : " (byte \(byteOffset))"
    }
    return text.isEmpty ? nil : text
  }

  /// The full message: location, problem, and on a second line the fix.
  public var description: String {
    var text = problem
    if let location {
      text = location + ": " + text
    }
    if let fix {
      text += "\n  fix: " + fix
    }
    return text
  }
}

/// The advice `checkFinite` gives by default, because a loss that blows up almost always means too large a step.
public let lowerLearningRateHint =
  "lower the learning rate (try a tenth of it, e.g. --lr 0.0001) and run again; if it still happens, look for huge or missing values in the inputs"

/// Throws a `CourseError` if `value` is NaN or infinite, so training stops at the first step where the numbers blow up.
///
/// ```swift
/// try checkFinite(loss, what: "the loss at epoch \(epoch), batch \(batch)")
/// ```
public func checkFinite<Value: BinaryFloatingPoint>(
  _ value: Value, what: String, hint: String = lowerLearningRateHint
) throws(CourseError) {
  if value.isFinite { return }
  let shown = value.isNaN ? "NaN (not a number)" : (value < 0 ? "-infinity" : "+infinity")
  throw CourseError("\(what) is \(shown): the numbers have blown up", fix: hint)
}

/// Runs a chapter's body; on a thrown error it prints `error: …` to standard error, without a stack trace, and exits with status 1.
///
/// ```swift
/// runChapter {
///   let images = try loadImages("Datasets/mnist/train-images-idx3-ubyte")
///   …
/// }
/// ```
public func runChapter(_ body: () throws -> Void) {
  do {
    try body()
  } catch {
    exitWithError(error)
  }
}

/// Prints `error: …` for `error` to standard error and exits (status 2 for a `UsageError`, 1 otherwise), for errors caught by hand.
public func exitWithError(_ error: any Error) -> Never {
  writeToStandardError("error: " + describeError(error) + "\n")
  exit(error is UsageError ? 2 : 1)
}

/// The text printed after `error:` for any error: our own errors' descriptions, Foundation's localized messages.
func describeError(_ error: any Error) -> String {
  switch error {
  case let error as CourseError: return error.description
  case let error as UsageError: return error.description
  case let error as CocoaError: return error.localizedDescription
  default: return String(describing: error)
  }
}
