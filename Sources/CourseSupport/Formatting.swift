// Timing and number formatting for chapter output.
//
// Every number a chapter prints goes through these helpers, so the output is the same on every
// machine: fixed decimals, no locale (always a decimal point, never a comma), durations a person
// can read at a glance.

/// A monotonic stopwatch, so that timings are not disturbed when the wall clock is adjusted.
public struct Stopwatch: Sendable {
  private var start: ContinuousClock.Instant

  /// Starts a stopwatch now, so that `seconds` counts from this moment.
  public init() {
    start = ContinuousClock.now
  }

  /// The time since the stopwatch was started or last reset, as a `Duration`.
  public var elapsed: Duration {
    ContinuousClock.now - start
  }

  /// The time since the stopwatch was started or last reset, in seconds, for arithmetic and printing.
  public var seconds: Double {
    seconds(of: elapsed)
  }

  /// Restarts the stopwatch from zero, so one stopwatch can time several phases in turn.
  public mutating func reset() {
    start = ContinuousClock.now
  }

  /// Returns the seconds elapsed and restarts from zero, so a loop can time each lap in one call.
  public mutating func lap() -> Double {
    let now = ContinuousClock.now
    let lapSeconds = seconds(of: now - start)
    start = now
    return lapSeconds
  }

  private func seconds(of duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
  }
}

/// Runs `body` once and returns its result with the seconds it took, to time one step of a chapter.
public func timed<Result>(_ body: () throws -> Result) rethrows -> (result: Result, seconds: Double) {
  let stopwatch = Stopwatch()
  let result = try body()
  return (result, stopwatch.seconds)
}

/// Formats a number with exactly `decimals` digits after the point, independent of locale, so outputs compare across machines.
///
/// `format(0.123456, decimals: 4)` is `"0.1235"`; `format(-0.00001, decimals: 2)` is `"0.00"` (no negative zero);
/// NaN and infinities are written `nan`, `inf`, `-inf`.
public func format(_ value: Double, decimals: Int) -> String {
  if value.isNaN { return "nan" }
  if value.isInfinite { return value < 0 ? "-inf" : "inf" }
  let places = min(max(decimals, 0), 15)
  var power: UInt64 = 1
  for _ in 0..<places { power *= 10 }
  let scaled = (value.magnitude * Double(power)).rounded(.toNearestOrAwayFromZero)
  // Beyond 2^53 a Double no longer holds every integer; such magnitudes are printed as Swift writes them.
  guard scaled < 9_007_199_254_740_992 else { return "\(value)" }
  let digits = UInt64(scaled)
  let whole = digits / power
  let fraction = digits % power
  var text = (value < 0 && digits != 0) ? "-" : ""
  text += String(whole)
  if places > 0 {
    let fractionDigits = String(fraction)
    text += "."
    text += String(repeating: "0", count: places - fractionDigits.count)
    text += fractionDigits
  }
  return text
}

/// Formats a `Float` with exactly `decimals` digits after the point, independent of locale (see the `Double` version).
/// (Disfavoured so that a bare literal such as `format(42, decimals: 2)` picks the `Double` version instead of being ambiguous.)
@_disfavoredOverload
public func format(_ value: Float, decimals: Int) -> String {
  format(Double(value), decimals: decimals)
}

/// Formats a fraction as a percentage, so that `formatPercent(0.9561)` reads `"95.6%"`.
public func formatPercent(_ fraction: Double, decimals: Int = 1) -> String {
  format(fraction * 100, decimals: decimals) + "%"
}

/// Formats a `Float` fraction as a percentage, so that `formatPercent(0.9561)` reads `"95.6%"`.
@_disfavoredOverload
public func formatPercent(_ fraction: Float, decimals: Int = 1) -> String {
  formatPercent(Double(fraction), decimals: decimals)
}

/// A count with its noun, singular or plural: `counted(1, "epoch")` is `"1 epoch"`, `counted(20, "epoch")` is
/// `"20 epochs"` (the plural adds an s).
public func counted(_ count: Int, _ noun: String) -> String {
  "\(count) \(noun)" + (count == 1 ? "" : "s")
}

/// A size in bytes for people: `"27.0 MB"`, `"3.8 GB"`, `"268.8 kB"`, `"512 B"` (powers of 1000).
public func formatBytes(_ bytes: Double) -> String {
  if bytes >= 1e9 { return format(bytes / 1e9, decimals: 1) + " GB" }
  if bytes >= 1e6 { return format(bytes / 1e6, decimals: 1) + " MB" }
  if bytes >= 1e3 { return format(bytes / 1e3, decimals: 1) + " kB" }
  return format(max(bytes, 0), decimals: 0) + " B"
}

/// A size in bytes for people, from an integer count of bytes (see the `Double` version).
public func formatBytes(_ bytes: Int) -> String {
  formatBytes(Double(bytes))
}

/// Formats a duration for people: `"350 µs"`, `"12.3 ms"`, `"0.8 s"`, `"1 min 05 s"`, `"2 h 03 min"`.
public func formatDuration(_ seconds: Double) -> String {
  guard seconds.isFinite else { return "?" }
  let seconds = max(seconds, 0)
  // Each threshold compares the rounded value, so 0.09996 s becomes "0.1 s" rather than "100.0 ms".
  if (seconds * 1_000_000).rounded() < 1000 {
    return format(seconds * 1_000_000, decimals: 0) + " µs"
  }
  if (seconds * 10_000).rounded() < 1000 {
    return format(seconds * 1000, decimals: 1) + " ms"
  }
  if (seconds * 10).rounded() < 600 {
    return format(seconds, decimals: 1) + " s"
  }
  let totalSeconds = Int(seconds.rounded())
  if totalSeconds < 3600 {
    return "\(totalSeconds / 60) min \(twoDigits(totalSeconds % 60)) s"
  }
  let totalMinutes = Int((seconds / 60).rounded())
  return "\(totalMinutes / 60) h \(twoDigits(totalMinutes % 60)) min"
}

/// Formats a duration given as a `Duration`, for use with `Stopwatch.elapsed` or `ContinuousClock.measure`.
public func formatDuration(_ duration: Duration) -> String {
  let parts = duration.components
  return formatDuration(Double(parts.seconds) + Double(parts.attoseconds) * 1e-18)
}

/// Formats a duration compactly for a progress line: `"0:07"`, `"12:34"`, `"1:02:03"`.
func formatClock(_ seconds: Double) -> String {
  guard seconds.isFinite else { return "?:??" }
  let total = Int(max(seconds, 0).rounded())
  let hours = total / 3600
  let minutes = (total / 60) % 60
  let secs = total % 60
  if hours > 0 {
    return "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))"
  }
  return "\(minutes):\(twoDigits(secs))"
}

private func twoDigits(_ value: Int) -> String {
  value < 10 ? "0\(value)" : "\(value)"
}
