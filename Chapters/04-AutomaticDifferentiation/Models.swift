import DeepLearning
import Foundation

/// What a run costs on a 2-core machine: a few hundredths of a second for 4.1–4.4, and per step
/// of 4.5 a loss and a gradient each way, hand-derived and by autograd.
func estimatedCost(steps: Int) -> RunCost {
  RunCost(seconds: 0.05 + 0.00016 * Double(steps))
}

/// Chapter 3's logistic regression with its hand-derived gradient, unchanged (a copy of
/// Chapters/03-GradientDescent/LogisticRegression.swift), to train side by side with autograd.
struct HandLogisticRegression {
  var weights: Tensor = .zeros([64, 1])
  var bias: Tensor = .zeros([1])

  func logits(_ x: Tensor) -> Tensor { x.matmul(weights) + bias }

  func loss(_ x: Tensor, _ y: Tensor) -> Float {
    binaryCrossEntropy(logits: logits(x), targets: y).item
  }

  /// ∂L/∂w = Xᵀ(σ(Xw + b) − y)/n,   ∂L/∂b = Σᵢ(σ(zᵢ) − yᵢ)/n
  func gradients(_ x: Tensor, _ y: Tensor) -> (weights: Tensor, bias: Tensor) {
    let n = Float(x.size(0))
    let error = sigmoid(logits(x)) - y
    return (x.transposed().matmul(error) / n, error.sum(axis: 0) / n)
  }

  /// θ ← θ − α∇L
  mutating func apply(_ gradient: (weights: Tensor, bias: Tensor), learningRate: Float) {
    weights = weights - learningRate * gradient.weights
    bias = bias - learningRate * gradient.bias
  }
}

/// The same model, with parameters that require gradients: `backward()` finds ∂L/∂w and ∂L/∂b.
final class AutogradLogisticRegression {
  let weights = Tensor.zeros([64, 1], requiresGrad: true)
  let bias = Tensor.zeros([1], requiresGrad: true)

  /// The mean binary cross-entropy, without recording a graph.
  func loss(_ x: Tensor, _ y: Tensor) -> Float {
    withoutGradients { binaryCrossEntropy(logits: x.matmul(weights) + bias, targets: y).item }
  }

  // snippet: logistic-regression-autograd
  /// The gradient of the loss with respect to the weights and the bias, found by backward().
  func gradients(_ x: Tensor, _ y: Tensor) -> (weights: Tensor, bias: Tensor) {
    let loss = binaryCrossEntropy(logits: x.matmul(weights) + bias, targets: y)
    loss.backward()  // fills weights.grad and bias.grad: no derivative written by hand
    defer { weights.zeroGrad(); bias.zeroGrad() }  // gradients add up over backward() calls
    return (weights.grad!, bias.grad!)
  }

  /// θ ← θ − α∇L, in place: the parameters stay the same leaves of every future graph.
  func apply(_ gradient: (weights: Tensor, bias: Tensor), learningRate: Float) {
    for (parameter, g) in [(weights, gradient.weights), (bias, gradient.bias)] {
      parameter.update { theta in
        for i in theta.indices { theta[i] -= learningRate * g.data[i] }
      }
    }
  }
  // end snippet
}

/// The neuron of chapter 1 with a squared-error loss, L = (σ(w·x + b) − t)², in plain numbers:
/// the function the central differences of section 4.4 nudge.
func neuronLoss(x: [Float], w: [Float], b: Float, target: Float) -> Float {
  var z = b
  for (xi, wi) in zip(x, w) { z += xi * wi }
  let p = 1 / (1 + exp(-z))
  return (p - target) * (p - target)
}

/// (f(w + h·eᵢ) − f(w − h·eᵢ)) / 2h for every i: the slope measured along each weight.
func centralDifferences(of f: ([Float]) -> Float, at w: [Float], step h: Float = 0.01) -> [Float] {
  w.indices.map { i in
    var above = w, below = w
    above[i] += h
    below[i] -= h
    return (f(above) - f(below)) / (2 * h)
  }
}

/// Uniform random values in [−2, 2) at least 0.05 away from zero, where ReLU has its kink.
func randomCheckInput(_ shape: [Int], using generator: inout RandomGenerator) -> Tensor {
  let values = (0..<shape.product).map { _ -> Float in
    var x = generator.nextFloat(in: -2..<2)
    while abs(x) < 0.05 { x = generator.nextFloat(in: -2..<2) }
    return x
  }
  return Tensor(shape: shape, data: values)
}

/// A small number in scientific notation, `3.7e-08`, for differences that should be tiny.
func formatSmall(_ value: Float) -> String { String(format: "%.1e", Double(value)) }

/// The indices of the `count` weights of largest magnitude, in index order.
func largestWeights(_ weights: [Float], count: Int) -> [Int] {
  Array(weights.indices.sorted { abs(weights[$0]) > abs(weights[$1]) }.prefix(count)).sorted()
}
