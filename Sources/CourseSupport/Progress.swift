// A training progress line: redrawn in place on a terminal, one plain line per epoch in logs and tests.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A named number shown on a progress line, such as `loss 0.2345` or `acc 93.1%`.
public struct ProgressMetric: Sendable, Equatable {
  /// How a metric's value is written.
  public enum Style: Sendable, Equatable {
    /// A plain number with this many decimals.
    case decimals(Int)
    /// A fraction written as a percentage with this many decimals.
    case percent(Int)
  }

  /// The short name shown before the value, e.g. `loss`.
  public var name: String
  /// The value, kept as `Double` so both `Float` and `Double` metrics fit.
  public var value: Double
  /// How the value is written.
  public var style: Style

  /// Creates a metric from its name, value and style.
  public init(name: String, value: Double, style: Style) {
    self.name = name
    self.value = value
    self.style = style
  }

  /// A plain number metric, e.g. `.value("loss", loss)` shows `loss 0.2345`.
  public static func value(_ name: String, _ value: Double, decimals: Int = 4) -> ProgressMetric {
    ProgressMetric(name: name, value: value, style: .decimals(decimals))
  }

  /// A plain number metric from a `Float`, e.g. `.value("loss", loss)` shows `loss 0.2345`.
  @_disfavoredOverload
  public static func value(_ name: String, _ value: Float, decimals: Int = 4) -> ProgressMetric {
    ProgressMetric(name: name, value: Double(value), style: .decimals(decimals))
  }

  /// A fraction shown as a percentage, e.g. `.percent("acc", 0.931)` shows `acc 93.1%`.
  public static func percent(_ name: String, _ fraction: Double, decimals: Int = 1) -> ProgressMetric {
    ProgressMetric(name: name, value: fraction, style: .percent(decimals))
  }

  /// A `Float` fraction shown as a percentage, e.g. `.percent("acc", 0.931)` shows `acc 93.1%`.
  @_disfavoredOverload
  public static func percent(_ name: String, _ fraction: Float, decimals: Int = 1) -> ProgressMetric {
    ProgressMetric(name: name, value: Double(fraction), style: .percent(decimals))
  }

  /// The metric as printed: name, a space, the formatted value.
  public var text: String {
    switch style {
    case .decimals(let decimals): return name + " " + format(value, decimals: decimals)
    case .percent(let decimals): return name + " " + formatPercent(value, decimals: decimals)
    }
  }
}

/// Where a progress line writes, and whether that place is a terminal that understands redrawing a line in place.
public struct ProgressOutput {
  /// Whether to redraw one line in place (`\r` and clear-line); otherwise plain lines are written at the end only.
  public var isTerminal: Bool
  /// The widest line to draw on a terminal, so a long line never wraps and breaks the in-place redraw.
  public var columns: Int
  /// Receives each piece of text, including any `\r`, escape codes and newlines.
  public var write: (String) -> Void

  /// Creates an output from a writer, for tests and for sending progress somewhere other than standard output.
  public init(isTerminal: Bool, columns: Int = 100, write: @escaping (String) -> Void) {
    self.isTerminal = isTerminal
    self.columns = columns
    self.write = write
  }

  /// Standard output, drawn in place only when it is a terminal (not a pipe or file, and `TERM` is not `dumb`).
  public static var standardOutput: ProgressOutput {
    let terminal = isatty(1) == 1 && getenv("TERM").map { String(cString: $0) } != "dumb"
    return ProgressOutput(
      isTerminal: terminal, columns: terminal ? terminalColumns() : 100, write: writeToStandardOutput)
  }
}

/// One line of training progress: label, batch i/n, a bar, metrics, elapsed and estimated time left.
///
/// On a terminal the line is redrawn in place at most every 0.1 s; elsewhere (a pipe, a log file, a test)
/// nothing is written until `finish`, which writes one plain line. Typical use, one line per epoch:
/// ```swift
/// for epoch in 1...epochs {
///   let progress = ProgressLine("epoch \(epoch)/\(epochs)")
///   for batch in 0..<batchCount {
///     let loss = trainStep(batch)
///     progress.update(step: batch + 1, of: batchCount, metrics: [.value("loss", loss)])
///   }
///   progress.finish(metrics: [.value("loss", meanLoss), .percent("acc", accuracy)])
/// }
/// ```
/// `update` is cheap: the `metrics` argument is only evaluated when the line is actually redrawn.
public final class ProgressLine {
  /// The text at the start of the line, e.g. `epoch 3/20`.
  public var label: String

  private let output: ProgressOutput
  private let minimumInterval: Double
  private let now: () -> Double
  private let startTime: Double
  private var lastDrawTime = -Double.infinity
  private var step = 0
  private var total = 0
  private var lineIsOpen = false
  private var finished = false

  /// The number of cells in the bar.
  static let barWidth = 20

  /// Starts a progress line with `label`, writing to standard output and redrawing at most every `minimumInterval` seconds.
  public convenience init(_ label: String, output: ProgressOutput = .standardOutput, minimumInterval: Double = 0.1) {
    let stopwatch = Stopwatch()
    self.init(label, output: output, minimumInterval: minimumInterval, clock: { stopwatch.seconds })
  }

  /// Starts a progress line that reads time from `clock` (seconds), so tests can control the pace.
  init(_ label: String, output: ProgressOutput, minimumInterval: Double, clock: @escaping () -> Double) {
    self.label = label
    self.output = output
    self.minimumInterval = minimumInterval
    self.now = clock
    self.startTime = clock()
  }

  deinit {
    // A line drawn in place but never finished would swallow the next print; end it.
    if lineIsOpen { output.write("\n") }
  }

  /// Records that `step` of `total` steps are done, redrawing the terminal line if 0.1 s have passed since the last redraw.
  public func update(step: Int, of total: Int, metrics: @autoclosure () -> [ProgressMetric] = []) {
    self.step = step
    self.total = total
    guard output.isTerminal, !finished else { return }
    let time = now()
    if time - lastDrawTime < minimumInterval { return }
    lastDrawTime = time
    let line = render(metrics: metrics(), elapsed: time - startTime, final: false)
    output.write("\r\u{1B}[2K" + clip(line))
    lineIsOpen = true
  }

  /// Writes the final line, with these metrics and the total time, and a newline; later calls do nothing.
  public func finish(metrics: [ProgressMetric] = []) {
    guard !finished else { return }
    finished = true
    let line = render(metrics: metrics, elapsed: now() - startTime, final: true)
    if output.isTerminal {
      output.write("\r\u{1B}[2K" + clip(line) + "\n")
    } else {
      output.write(line + "\n")
    }
    lineIsOpen = false
  }

  /// The text of the line; on a terminal it has a bar sized to fit the width and, while running, the time left.
  func render(metrics: [ProgressMetric], elapsed: Double, final: Bool) -> String {
    var head = [label]
    var tail: [String] = []
    var fraction: Double?
    if total > 0 {
      let done = min(max(step, 0), total)
      fraction = Double(done) / Double(total)
      let count = String(total)
      tail.append(String(repeating: " ", count: count.count - String(done).count) + "\(done)/\(count)")
    }
    for metric in metrics {
      tail.append(metric.text)
    }
    if final || !output.isTerminal {
      tail.append(formatDuration(elapsed))
    } else if step > 0 && step < total {
      let left = elapsed / Double(step) * Double(total - step)
      tail.append(formatClock(elapsed) + ", ~" + formatClock(left) + " left")
    } else {
      tail.append(formatClock(elapsed))
    }
    if output.isTerminal, let fraction {
      // The bar takes what room is left on the line, up to `barWidth` cells, and is dropped below 5.
      let separators = 2 * (head.count + tail.count)
      let room = output.columns - 1 - separators - (head + tail).reduce(0) { $0 + $1.count }
      let width = min(Self.barWidth, room)
      if width >= 5 {
        let filled = Int(fraction * Double(width))
        head.append(String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled))
      }
    }
    return (head + tail).joined(separator: "  ")
  }

  /// Cuts the line to the terminal's width, so it never wraps (a wrapped line cannot be redrawn in place).
  private func clip(_ line: String) -> String {
    let limit = max(output.columns - 1, 20)
    return line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
  }
}

/// The width of the terminal on standard output, or 80 when it cannot be found out.
private func terminalColumns() -> Int {
  if let text = getenv("COLUMNS").map({ String(cString: $0) }), let columns = Int(text), columns > 0 {
    return columns
  }
  #if os(Linux)
  var size = winsize()
  if ioctl(1, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 {
    return Int(size.ws_col)
  }
  #elseif canImport(Darwin)
  var size = winsize()
  if ioctl(1, 0x4008_7468 /* TIOCGWINSZ */, &size) == 0 && size.ws_col > 0 {
    return Int(size.ws_col)
  }
  #endif
  return 80
}
