import Foundation

// ─────────────────────────────────────────────────────────────────────────────────────────────
// Exercises of chapter 3 — yours to write.
//
// In the course you are given, each body is a `fatalError` stub: replace it with your own code.
// (In the instructors' copy the reference solution sits between BEGIN SOLUTION and END SOLUTION;
// `swift run Course student-version` replaces it by the stub.)
//
// For each function: derive the gradient on paper,
// write it with plain loops, and check it with
//
//     swift test --filter Chapter03
//
// The tests compare your gradients with the engine's autograd and with central differences on
// random data.
// ─────────────────────────────────────────────────────────────────────────────────────────────

// snippet: exercise-ridge-gradient
/// The gradient of J(w, b) = mean((w·xᵢ + b − yᵢ)²) + λw², linear regression with a penalty on
/// large weights (ridge regression, or "weight decay"): the penalty adds 2λw to ∂J/∂w.
func ridgeGradient(x: [Float], y: [Float], w: Float, b: Float, lambda: Float)
  -> (dw: Float, db: Float) {
  // BEGIN SOLUTION 3.1
  let n = Float(x.count)
  var dw: Float = 0, db: Float = 0
  for (xi, yi) in zip(x, y) {
    let error = w * xi + b - yi
    dw += 2 * error * xi / n
    db += 2 * error / n
  }
  return (dw + 2 * lambda * w, db)
  // END SOLUTION
}
// end snippet

// snippet: exercise-logistic-gradient
/// The gradient of the mean binary cross-entropy of p = σ(xᵢ·w + b) against labels yᵢ ∈ {0, 1},
/// for examples given as rows of plain arrays: ∂L/∂wⱼ = Σᵢ (pᵢ − yᵢ)·xᵢⱼ / n, ∂L/∂b = Σᵢ (pᵢ − yᵢ) / n.
func logisticRegressionGradient(x: [[Float]], y: [Float], w: [Float], b: Float)
  -> (dw: [Float], db: Float) {
  // BEGIN SOLUTION 3.2
  let n = Float(x.count)
  var dw = [Float](repeating: 0, count: w.count)
  var db: Float = 0
  for (row, label) in zip(x, y) {
    var z = b
    for j in 0..<w.count { z += row[j] * w[j] }
    let error = 1 / (1 + exp(-z)) - label
    for j in 0..<w.count { dw[j] += error * row[j] / n }
    db += error / n
  }
  return (dw, db)
  // END SOLUTION
}
// end snippet
