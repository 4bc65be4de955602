// Chapter 1 · Activation functions
//
// One neuron computed by hand, then the three classic activation functions — sigmoid, tanh and
// ReLU — with their derivatives, checked against measured slopes and against the engine, and
// drawn. Run it with `swift run Chapter01`; it writes its figures to figures/.

import DeepLearning
import Foundation

var options = ChapterOptions(
  chapter: "Chapter01", summary: "Activation functions: one neuron, sigmoid, tanh and ReLU")
let seed = options.seed(default: 42)
options.parse()

runChapter {
  // MARK: - 1.1 One neuron

  section("1.1 One neuron")
  // Should I take an umbrella? Three observations, each with a weight saying how much it matters.
  // snippet: neuron-by-hand
  let inputs: [(name: String, value: Float, weight: Float)] = [
    ("cloud cover", 0.8, 2.0),     // fraction of the sky
    ("chance of rain", 0.6, 3.0),  // from the forecast
    ("heavy bag", 0.0, -1.5),      // 1 if I already carry a lot
  ]
  let bias: Float = -2.0
  var weightedSum = bias
  for input in inputs { weightedSum += input.value * input.weight }
  let decision = sigmoid(weightedSum)
  // end snippet
  printTable(
    headers: ["input", "x", "w", "x · w"],
    rows: inputs.map { [$0.name, format($0.value, decimals: 2), format($0.weight, decimals: 2),
                        format($0.value * $0.weight, decimals: 2)] }
      + [["bias b", "", "", format(bias, decimals: 2)],
         ["weighted sum z", "", "", format(weightedSum, decimals: 2)]])
  print("σ(z) = \(format(decision, decimals: 4))  → \(decision > 0.5 ? "take" : "leave") the umbrella")

  // The same neuron in the engine, for two days at once: each row of X is one day.
  // snippet: neuron-in-engine
  let days = Tensor([[0.8, 0.6, 0.0],    // cloudy, rain likely
                     [0.1, 0.05, 1.0]])  // sunny, and my bag is heavy
  let weights = Tensor([[2.0], [3.0], [-1.5]])
  let probability = sigmoid(days.matmul(weights) + bias)  // [2, 3] · [3, 1] → [2, 1]
  // end snippet
  for (day, p) in probability.data.enumerated() {
    print("engine, day \(day + 1): σ(z) = \(format(p, decimals: 4))  → "
          + "\(p > 0.5 ? "take" : "leave") the umbrella")
  }

  let points: [Float] = [-4, -2, -1, -0.5, 0, 0.5, 1, 2, 4]
  let activations = [
    Activation(name: "sigmoid", value: sigmoid, derivative: sigmoidDerivative, engine: DeepLearning.sigmoid),
    Activation(name: "tanh", value: { tanh($0) }, derivative: tanhDerivative, engine: DeepLearning.tanh),
    Activation(name: "relu", value: relu, derivative: reluDerivative, engine: DeepLearning.relu),
  ]

  // MARK: - 1.2 Sigmoid

  section("1.2 Sigmoid")
  printDerivativeTable(activations[0], at: points)
  print("largest slope: σ′(0) = \(format(sigmoidDerivative(0), decimals: 4)); "
        + "at x = 8 it is \(format(sigmoidDerivative(8), decimals: 6)) (saturated)")
  let sigmoidFigure = try plot(activations[0], title: "Sigmoid and its derivative", symbol: "σ", file: "01-sigmoid.svg")
  print("figure: \(sigmoidFigure)")

  // MARK: - 1.3 Tanh

  section("1.3 Tanh")
  printDerivativeTable(activations[1], at: points)
  print("tanh(x) = 2σ(2x) − 1: largest difference on the points above "
        + format(maxDifference(points.map { tanh($0) }, points.map { 2 * sigmoid(2 * $0) - 1 }),
                 decimals: 7))
  let tanhFigure = try plot(activations[1], title: "Tanh and its derivative", symbol: "tanh", file: "01-tanh.svg")
  print("figure: \(tanhFigure)")

  // MARK: - 1.4 ReLU

  section("1.4 ReLU")
  printDerivativeTable(activations[2], at: points)
  print("at x = 0 the measured slope is 0.5: ReLU has a kink there, and no derivative;")
  print("the formula (and the engine) use 0; any value in [0, 1] would do")
  let reluFigure = try plot(activations[2], title: "ReLU and its derivative", symbol: "relu", file: "01-relu.svg")
  print("figure: \(reluFigure)")

  // MARK: - 1.5 The same functions in the engine

  section("1.5 The same functions in the engine")
  var rows: [[String]] = []
  for activation in activations {
    // snippet: engine-slopes
    let x = Tensor(points, requiresGrad: true)
    let y = activation.engine(x)
    y.sum().backward()  // chapter 4 explains how; x.grad now holds each point's slope
    // end snippet
    let slopes = x.grad!.data
    rows.append([activation.name,
                 format(maxDifference(y.data, points.map(activation.value)), decimals: 7),
                 format(maxDifference(slopes, points.map(activation.derivative)), decimals: 7)])
  }
  printTable(headers: ["function", "max |engine − formula| value", "max |engine − formula| slope"],
             rows: rows)

  // MARK: - 1.6 Why the non-linearity matters

  section("1.6 Why the non-linearity matters")
  var generator = RandomGenerator(seed: seed)
  let first = Tensor.randomNormal([3, 4], using: &generator)   // 3 inputs → 4 hidden units
  let second = Tensor.randomNormal([4, 2], using: &generator)  // 4 hidden units → 2 outputs
  let a = Tensor.randomNormal([5, 3], using: &generator)       // five inputs, as rows
  let b = Tensor.randomNormal([5, 3], using: &generator)
  // snippet: linear-collapse
  let twoLayers = { (x: Tensor) in x.matmul(first).matmul(second) }
  let oneLayer = { (x: Tensor) in x.matmul(first.matmul(second)) }  // a single [3, 2] matrix
  let withReLU = { (x: Tensor) in relu(x.matmul(first)).matmul(second) }
  // end snippet
  let collapse = maxDifference(twoLayers(a).data, oneLayer(a).data)
  // A linear map satisfies f(a + b) = f(a) + f(b); ReLU breaks that, which is what lets a network
  // bend its decision boundary.
  let linearGap = maxDifference(twoLayers(a + b).data, (twoLayers(a) + twoLayers(b)).data)
  let reluGap = maxDifference(withReLU(a + b).data, (withReLU(a) + withReLU(b)).data)
  printTable(
    headers: ["network", "max |f(a + b) − f(a) − f(b)|"],
    rows: [["linear · linear", format(linearGap, decimals: 6)],
           ["linear · relu · linear", format(reluGap, decimals: 6)]])
  print("two linear layers equal one [3, 2] matrix: max difference \(format(collapse, decimals: 6))")
}
