import DeepLearning
import Foundation

// The three activation functions and their derivatives for one number at a time, written straight
// from the formulas, so that the chapter can print them next to what the engine computes for a
// whole tensor (Sources/DeepLearning/Operations/Activations.swift).

// snippet: activations-by-hand
/// σ(x) = 1 / (1 + e⁻ˣ)
func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

/// σ′(x) = σ(x) · (1 − σ(x))
func sigmoidDerivative(_ x: Float) -> Float { sigmoid(x) * (1 - sigmoid(x)) }

/// tanh′(x) = 1 − tanh²(x)
func tanhDerivative(_ x: Float) -> Float { 1 - tanh(x) * tanh(x) }

/// relu(x) = max(0, x)
func relu(_ x: Float) -> Float { max(0, x) }

/// relu′(x) = 1 for x > 0, else 0 (at the kink x = 0 we choose 0, as the engine does)
func reluDerivative(_ x: Float) -> Float { x > 0 ? 1 : 0 }
// end snippet

// snippet: central-difference
/// The slope of `f` at `x` measured, not derived: (f(x + h) − f(x − h)) / 2h.
/// Its error shrinks like h², so h = 0.01 gives about four correct decimals in Float32.
func centralDifference(at x: Float, step h: Float = 0.01, of f: (Float) -> Float) -> Float {
  (f(x + h) - f(x - h)) / (2 * h)
}
// end snippet

/// One activation function with its derivative, for the tables and figures of sections 1.2–1.4.
struct Activation {
  let name: String
  let value: (Float) -> Float
  let derivative: (Float) -> Float
  /// The engine's version, for a whole tensor.
  let engine: (Tensor) -> Tensor
}

/// Prints x, f(x), f′(x) from the formula and the measured slope, one row per point.
func printDerivativeTable(_ activation: Activation, at points: [Float]) {
  let rows = points.map { x in
    [format(x, decimals: 1), format(activation.value(x), decimals: 4),
     format(activation.derivative(x), decimals: 4),
     format(centralDifference(at: x, of: activation.value), decimals: 4)]
  }
  printTable(headers: ["x", "\(activation.name)(x)", "slope (formula)", "slope (measured)"],
             rows: rows)
}

/// Draws `activation` and its derivative for x in −5…5 and returns the path written.
func plot(_ activation: Activation, title: String, symbol: String, file: String) throws -> String {
  let xs = Array(stride(from: Float(-5), through: 5, by: 0.05))
  var chart = LineChart(title: title, xLabel: "x", yLabel: "y")
  chart.xRange = -5...5
  chart.addSeries("\(symbol)(x)", x: xs, y: xs.map(activation.value))
  chart.addSeries("\(symbol)′(x)", x: xs, y: xs.map(activation.derivative), dashed: true)
  chart.addReferenceLine(y: 0)
  chart.legendPosition = .topLeft
  return try chart.write(to: figurePath(file))
}

