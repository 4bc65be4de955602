import Foundation

// Row-wise operations (layer normalisation, a softmax over attention scores, GELU) on a whole
// batch touch a few hundred thousand numbers: enough to share between the cores. These helpers
// cut the rows into one range per core and run them on the engine's worker threads.

/// How many parts to cut `rows` into for `work` elements touched: one per core when the work is
/// worth handing to another core (at least 32 768 elements, ~20 µs), else one.
public func rowParts(_ rows: Int, work: Int) -> Int {
  work < 1 << 15 ? 1 : Swift.max(1, Swift.min(rows, ProcessInfo.processInfo.activeProcessorCount))
}

/// Runs `body(part, range)` for `parts` ranges that together cover 0..<rows, side by side on
/// the worker threads. `body` must only write what belongs to its own rows (or its own part).
public func splitRows(_ rows: Int, parts: Int, _ body: @escaping (_ part: Int, _ rows: Range<Int>) -> Void) {
  if parts <= 1 { return body(0, 0..<rows) }
  parallelFor(parts: parts) { part in body(part, rows * part / parts..<rows * (part + 1) / parts) }
}

/// Runs `body` on ranges that together cover 0..<rows, one per core when `work` is large enough.
public func splitRows(_ rows: Int, work: Int, _ body: @escaping (Range<Int>) -> Void) {
  splitRows(rows, parts: rowParts(rows, work: work)) { _, range in body(range) }
}

/// The lanes of an eight-wide vector that hold the first `lanes` elements: true for 0..<lanes.
@inlinable @inline(__always)
public func leadingLanes(_ lanes: Int) -> SIMDMask<SIMD8<Int32>> {
  SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) .< Int32(lanes)
}
