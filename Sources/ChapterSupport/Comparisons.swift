import CourseSupport

// Small helpers that several chapters use to set two computations of the same numbers side by
// side (a formula by hand against the engine, a loop against a kernel).

/// The largest |a[i] − b[i]| over two equally long arrays: how far two computations of the same
/// numbers are apart.
public func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
  if a.count != b.count { fatalError("maxDifference: \(a.count) values against \(b.count)") }
  return zip(a, b).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
}

/// `[0.1000, 0.2500]`: a short list of numbers, each with `decimals` decimals.
public func formatList(_ values: [Float], decimals: Int = 4) -> String {
  "[" + values.map { format($0, decimals: decimals) }.joined(separator: ", ") + "]"
}
