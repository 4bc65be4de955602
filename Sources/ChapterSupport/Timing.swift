import CourseSupport

// How the course times things: the median of several runs, so that one run slowed by another
// process does not move the figure.

/// The median time of `runs` timed runs of `body`, in seconds, after `warmUp` untimed ones.
public func medianSeconds(runs: Int, warmUp: Int = 0, _ body: () throws -> Void) rethrows -> Double {
  if runs < 1 { fatalError("medianSeconds: runs must be at least 1, got \(runs)") }
  for _ in 0..<warmUp { try body() }
  var times: [Double] = []
  for _ in 0..<runs {
    let stopwatch = Stopwatch()
    try body()
    times.append(stopwatch.seconds)
  }
  times.sort()
  return runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2
}

/// The median time of `body` in seconds over enough runs to fill about `budget` seconds (at
/// least three, at most fifty), after one untimed warm-up run that also tells how long a run takes.
public func medianSeconds(budget: Double, _ body: () throws -> Void) rethrows -> Double {
  let warmUp = Stopwatch()
  try body()
  let runs = max(3, min(50, Int(budget / max(warmUp.seconds, 1e-6))))
  return try medianSeconds(runs: runs, body)
}
