import DeepLearning
import Foundation

// Linear regression with one input, ŷ = w·x + b, trained on the mean squared error with its
// gradient written out as two sums. Plain Swift arrays: at this size the loops are the clearest.

/// Points (x, y) on the line y = 3x + 1 with Gaussian noise of standard deviation 0.5, x in [0, 2).
func makeLineData(count: Int, using generator: inout RandomGenerator) -> (x: [Float], y: [Float]) {
  var xs: [Float] = [], ys: [Float] = []
  for _ in 0..<count {
    let x = generator.nextFloat(in: 0..<2)
    xs.append(x)
    ys.append(3 * x + 1 + 0.5 * generator.nextNormal())
  }
  return (xs, ys)
}

/// J(w, b) = mean((w·xᵢ + b − yᵢ)²)
func meanSquaredError(x: [Float], y: [Float], w: Float, b: Float) -> Float {
  var total: Float = 0
  for (xi, yi) in zip(x, y) { total += (w * xi + b - yi) * (w * xi + b - yi) }
  return total / Float(x.count)
}

/// Full-batch gradient descent from w = b = 0; returns the parameters and the loss before each
/// step and after the last (so `losses.count == steps + 1`).
func trainLinearRegression(x: [Float], y: [Float], learningRate: Float, steps: Int)
  -> (w: Float, b: Float, losses: [Float]) {
  var w: Float = 0, b: Float = 0
  var losses = [meanSquaredError(x: x, y: y, w: w, b: b)]
  let n = Float(x.count)
  for _ in 0..<steps {
    // snippet: linear-regression-step
    // ∂J/∂w = (2/n) Σ (w·xᵢ + b − yᵢ)·xᵢ      ∂J/∂b = (2/n) Σ (w·xᵢ + b − yᵢ)
    var dw: Float = 0, db: Float = 0
    for (xi, yi) in zip(x, y) {
      let error = w * xi + b - yi
      dw += 2 * error * xi / n
      db += 2 * error / n
    }
    w -= learningRate * dw
    b -= learningRate * db
    // end snippet
    losses.append(meanSquaredError(x: x, y: y, w: w, b: b))
  }
  return (w, b, losses)
}

/// The exact minimum of the mean squared error (least squares): w = cov(x, y)/var(x), b = ȳ − w·x̄.
func leastSquares(x: [Float], y: [Float]) -> (w: Float, b: Float) {
  let n = Double(x.count)
  let meanX = x.reduce(0.0) { $0 + Double($1) } / n
  let meanY = y.reduce(0.0) { $0 + Double($1) } / n
  var covariance = 0.0, variance = 0.0
  for (xi, yi) in zip(x, y) {
    covariance += (Double(xi) - meanX) * (Double(yi) - meanY)
    variance += (Double(xi) - meanX) * (Double(xi) - meanX)
  }
  let w = covariance / variance
  return (Float(w), Float(meanY - w * meanX))
}

/// The largest eigenvalue of the Hessian of J, the 2 × 2 matrix (2/n)·[[Σx², Σx], [Σx, n]]:
/// the curvature of the loss in its steepest direction. Gradient descent on J converges exactly
/// when the learning rate is below 2/λmax.
func largestCurvature(x: [Float]) -> Float {
  let n = Double(x.count)
  let a = 2 * x.reduce(0.0) { $0 + Double($1) * Double($1) } / n  // ∂²J/∂w²
  let c = 2 * x.reduce(0.0) { $0 + Double($1) } / n               // ∂²J/∂w∂b
  let d = 2.0                                                       // ∂²J/∂b²
  return Float((a + d) / 2 + (((a - d) / 2) * ((a - d) / 2) + c * c).squareRoot())
}

/// A loss with four decimals, or in scientific notation once it has blown up (`3.41e+18`).
func formatLoss(_ loss: Float) -> String {
  loss.isFinite && abs(loss) >= 1e5 ? String(format: "%.2e", Double(loss)) : format(loss, decimals: 4)
}

/// The first step whose loss is within `fraction` of `minimum`, or nil if none is.
func firstStep(within fraction: Float, of minimum: Float, in losses: [Float]) -> Int? {
  losses.firstIndex { $0.isFinite && $0 - minimum <= fraction * minimum }
}
