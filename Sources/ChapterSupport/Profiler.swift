import Foundation
import Core
import CourseSupport
import NeuralNetworks
import DataLoading
import Plotting

// Where does the time of a training step go? The profiler answers per operation without
// touching any operation's code: every operation ends by calling `Tensor.record`, so the time
// since the previous `record` is the time that operation's forward pass took; and `backward()`
// times each backward rule as it calls it.

/// Collects forward and backward time per operation while `profile { … }` runs.
public final class Profiler: GraphObserver, @unchecked Sendable {
  /// Calls and seconds spent in one operation.
  public struct Entry: Sendable {
    public var calls = 0
    public var seconds = 0.0
  }

  public private(set) var forward: [String: Entry] = [:]
  public private(set) var backward: [String: Entry] = [:]
  public internal(set) var totalSeconds = 0.0
  private var lastMark = DispatchTime.now().uptimeNanoseconds
  private var insideBackwardRule = false
  private var backwardRuleStart: UInt64 = 0

  private static func seconds(since start: UInt64) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  /// Called by `record`: the time since the last mark belongs to this operation's forward pass.
  public func didRecord(_ operation: String) {
    guard !insideBackwardRule else { return }  // operations run by a backward rule count there
    forward[operation, default: Entry()].calls += 1
    forward[operation, default: Entry()].seconds += Self.seconds(since: lastMark)
    lastMark = DispatchTime.now().uptimeNanoseconds
  }

  /// Called by `backward()` before each operation's backward rule.
  public func willRunBackward(_ operation: String) {
    backwardRuleStart = DispatchTime.now().uptimeNanoseconds
    insideBackwardRule = true
  }

  /// Called by `backward()` after each operation's backward rule.
  public func didRunBackward(_ operation: String) {
    insideBackwardRule = false
    backward[operation, default: Entry()].calls += 1
    backward[operation, default: Entry()].seconds += Self.seconds(since: backwardRuleStart)
    lastMark = DispatchTime.now().uptimeNanoseconds
  }

  /// Time not inside any operation: the optimiser, data preparation, the graph walk itself.
  public var otherSeconds: Double {
    totalSeconds - (Array(forward.values) + Array(backward.values)).reduce(0) { $0 + $1.seconds }
  }

  /// A table of the operations, most expensive first, with forward and backward milliseconds
  /// per profiled run and their share of the total.
  public func report(runs: Int = 1) -> String {
    let names = Set(forward.keys).union(backward.keys)
    let rows = names.map { name in
      (name, (forward[name]?.seconds ?? 0) / Double(runs), (backward[name]?.seconds ?? 0) / Double(runs),
       (forward[name]?.calls ?? 0) / runs)
    }.sorted { $0.1 + $0.2 > $1.1 + $1.2 }
    let total = totalSeconds / Double(runs)
    var lines = [tableText(
      headers: ["operation", "calls", "forward ms", "backward ms", "share"],
      rows: rows.map { name, f, b, calls in
        [name, "\(calls)", format(f * 1000, decimals: 3), format(b * 1000, decimals: 3),
         formatPercent((f + b) / Swift.max(total, 1e-12))]
      } + [["other (optimiser, graph walk)", "", "", "", formatPercent(otherSeconds / Swift.max(totalSeconds, 1e-12))]])]
    lines.append("total \(format(total * 1000, decimals: 2)) ms per run")
    return lines.joined(separator: "\n")
  }
}

/// Runs `body` with the profiler on and returns its result with the profile.
public func profile<Result>(_ body: () throws -> Result) rethrows -> (result: Result, profile: Profiler) {
  let profiler = Profiler()
  let start = DispatchTime.now().uptimeNanoseconds
  let result = try GraphObservation.$observer.withValue(profiler, operation: body)
  profiler.totalSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  return (result, profiler)
}
