import Testing
@testable import DeepLearning
import TestSupport

// Every differentiable operation of the engine, checked against central differences (the
// helpers and the tolerance are in Tests/TestSupport/GradientChecking.swift).

let elementwiseShapes: [[Int]] = [[1], [7], [3, 4], [2, 3, 5]]

@Suite("Chapter04 gradient checks: elementwise operations")
struct Chapter04ElementwiseGradientTests {
  @Test(arguments: elementwiseShapes)
  func arithmetic(shape: [Int]) {
    let a = randomInput(shape, seed: 1), b = randomInput(shape, seed: 2, low: 0.5, high: 2)
    expectGradientsMatch("add", [a, b]) { $0[0] + $0[1] }
    expectGradientsMatch("subtract", [a, b]) { $0[0] - $0[1] }
    expectGradientsMatch("multiply", [a, b]) { $0[0] * $0[1] }
    expectGradientsMatch("divide", [a, b]) { $0[0] / $0[1] }
    expectGradientsMatch("negate", [a]) { -$0[0] }
    expectGradientsMatch("scalar operands", [a]) { 3 - 2 * $0[0] / 4 + 1 }
  }

  @Test(arguments: elementwiseShapes)
  func mathematicalFunctions(shape: [Int]) {
    let x = randomInput(shape, seed: 3)
    let positive = randomInput(shape, seed: 4, low: 0.3, high: 3)
    expectGradientsMatch("exp", [x]) { exp($0[0]) }
    expectGradientsMatch("log", [positive]) { log($0[0]) }
    expectGradientsMatch("sqrt", [positive]) { sqrt($0[0]) }
    expectGradientsMatch("pow 2", [x]) { pow($0[0], 2) }
    expectGradientsMatch("pow 3", [x]) { pow($0[0], 3) }
    expectGradientsMatch("pow −1.5", [positive]) { pow($0[0], -1.5) }
    expectGradientsMatch("abs", [randomInput(shape, seed: 5, awayFromZero: 0.05)]) { abs($0[0]) }
  }

  @Test(arguments: elementwiseShapes)
  func activations(shape: [Int]) {
    let x = randomInput(shape, seed: 6, low: -4, high: 4)
    expectGradientsMatch("sigmoid", [x]) { sigmoid($0[0]) }
    expectGradientsMatch("tanh", [x]) { tanh($0[0]) }
    expectGradientsMatch("relu", [randomInput(shape, seed: 7, awayFromZero: 0.05)]) { relu($0[0]) }
  }

  /// Broadcasting: the small operand's gradient must be summed over the copied axes.
  @Test(arguments: [([4, 3], [3]), ([4, 3], [4, 1]), ([2, 3, 4], [3, 1]), ([3], []), ([1, 3], [2, 1])])
  func broadcasting(shapes: ([Int], [Int])) {
    let a = randomInput(shapes.0, seed: 8), b = randomInput(shapes.1, seed: 9, low: 0.5, high: 2)
    expectGradientsMatch("add (broadcast)", [a, b]) { $0[0] + $0[1] }
    expectGradientsMatch("subtract (broadcast)", [a, b]) { $0[0] - $0[1] }
    expectGradientsMatch("multiply (broadcast)", [a, b]) { $0[0] * $0[1] }
    expectGradientsMatch("divide (broadcast)", [a, b]) { $0[0] / $0[1] }
    expectGradientsMatch("divide (broadcast, other way)", [b, a.map { $0 + 3 }]) { $0[0] / $0[1] }
  }
}

@Suite("Chapter04 gradient checks: reductions, products, shapes")
struct Chapter04StructuralGradientTests {
  @Test(arguments: [[5], [3, 4], [2, 3, 4]])
  func reductions(shape: [Int]) {
    let x = randomInput(shape, seed: 10)
    expectGradientsMatch("sum", [x]) { $0[0].sum() }
    expectGradientsMatch("mean", [x]) { $0[0].mean() }
    for axis in -shape.count..<shape.count {
      expectGradientsMatch("sum(axis: \(axis))", [x]) { $0[0].sum(axis: axis) }
      expectGradientsMatch("mean(axis: \(axis), keepDims)", [x]) { $0[0].mean(axis: axis, keepDims: true) }
      // Distinct values spaced wider than 2ε, so the maximum does not change under the nudge.
      var generator = RandomGenerator(seed: 11)
      let spaced = Tensor(shape: shape, data: generator.permutation(x.count).map { Float($0) * 0.1 })
      expectGradientsMatch("max(axis: \(axis))", [spaced]) { $0[0].max(axis: axis) }
    }
  }

  @Test(arguments: [([3, 4], [4, 5]), ([1, 7], [7, 1]), ([2, 3, 4], [4, 6]), ([2, 3, 4], [2, 4, 5]),
                    ([2, 2, 3, 4], [2, 2, 4, 3]), ([17, 33], [33, 9])])
  func matrixProduct(shapes: ([Int], [Int])) {
    let a = randomInput(shapes.0, seed: 12), b = randomInput(shapes.1, seed: 13)
    expectGradientsMatch("matmul", [a, b]) { matmul($0[0], $0[1]) }
  }

  @Test func shapeOperations() {
    let x = randomInput([2, 3, 4], seed: 14)
    expectGradientsMatch("reshape", [x]) { $0[0].reshaped(4, -1) * 2 }
    expectGradientsMatch("permute", [x]) { $0[0].permuted([2, 0, 1]) }
    expectGradientsMatch("transpose", [x]) { $0[0].transposed() }
    expectGradientsMatch("transpose(0, 2)", [x]) { $0[0].transposed(0, 2) }
    expectGradientsMatch("slice axis 1", [x]) { $0[0].slice(axis: 1, 1..<3) }
    expectGradientsMatch("subscript", [x]) { $0[0][1] }
    expectGradientsMatch("range subscript", [x]) { $0[0][0..<1] }
    expectGradientsMatch("split", [x]) { t in
      let parts = t[0].split(sizes: [1, 3], axis: -1)
      return parts[0] * 2 + parts[1].sum(axis: -1, keepDims: true)
    }
    expectGradientsMatch("chunked", [x]) { t in
      let parts = t[0].chunked(3, axis: 1)
      return parts[0] * parts[1] - parts[2]
    }
    let y = randomInput([2, 2, 4], seed: 15)
    expectGradientsMatch("concatenate", [x, y]) { concatenate([$0[0], $0[1]], axis: 1) }
    expectGradientsMatch("stack", [y, y.map { $0 * 2 }]) { stack([$0[0], $0[1]], axis: 1) }
    expectGradientsMatch("gatherRows (a row used twice)", [randomInput([5, 3], seed: 16)]) {
      $0[0].gatherRows([4, 0, 4, 2])
    }
  }
}

@Suite("Chapter02 gradient checks: softmax and losses")
struct Chapter02LossGradientTests {
  @Test(arguments: [[5], [4, 3], [2, 3, 6]])
  func softmaxFamily(shape: [Int]) {
    let x = randomInput(shape, seed: 17, low: -3, high: 3)
    expectGradientsMatch("softmax", [x]) { softmax($0[0]) }
    expectGradientsMatch("logSoftmax", [x]) { logSoftmax($0[0]) }
  }

  @Test func losses() {
    let prediction = randomInput([6, 2], seed: 18), target = randomInput([6, 2], seed: 19)
    expectGradientsMatch("meanSquaredError", [prediction, target]) { meanSquaredError($0[0], $0[1]) }
    let probabilities = randomInput([8], seed: 20, low: 0.05, high: 0.95)
    var generator = RandomGenerator(seed: 21)
    let labels = Tensor((0..<8).map { _ in Float(generator.nextInt(below: 2)) })
    expectGradientsMatch("binaryCrossEntropy", [probabilities]) { binaryCrossEntropy($0[0], labels) }
    let logits = randomInput([8], seed: 22, low: -4, high: 4)
    expectGradientsMatch("binaryCrossEntropy(logits:)", [logits]) {
      binaryCrossEntropy(logits: $0[0], targets: labels)
    }
    let scores = randomInput([5, 4], seed: 23, low: -3, high: 3)
    expectGradientsMatch("crossEntropy", [scores]) { crossEntropy(logits: $0[0], labels: [0, 3, 1, 1, 2]) }
  }
}

@Suite("Chapter04 the gradient checker itself")
struct Chapter04GradientCheckerTests {
  /// mean(x), with a backward rule that forgets the gradient arriving from above: 1/n instead of
  /// g/n. It is right only when backward() starts at the loss itself, with g = 1.
  static func forgetfulMean(_ x: Tensor) -> Tensor {
    let n = Float(x.count)
    return .record(Tensor(x.data.reduce(0, +) / n), operation: "forgetfulMean", inputs: [x]) { _ in
      [Tensor(shape: x.shape, data: [Float](repeating: 1 / n, count: x.count))]
    }
  }

  @Test("a backward rule that ignores the incoming gradient fails, also for a one-number output",
        arguments: [[1], [4], [3, 5]])
  func ignoringTheIncomingGradientIsCaught(shape: [Int]) {
    let x = randomInput(shape, seed: 31)
    let forgetful = checkGradients(of: { Self.forgetfulMean($0[0]) }, at: [x])
    #expect(!forgetful.passed, "the checker must catch a rule that ignores the gradient from above:\n\(forgetful)")
    // Used inside a larger expression (a scaled loss), the same bug is caught too.
    let scaled = checkGradients(of: { 3 * Self.forgetfulMean($0[0]) + 1 }, at: [x])
    #expect(!scaled.passed, "\(scaled)")
    // The correct rule passes. A loss gets the weight 1.40: the difference quotient sees 1.4/n.
    #expect(checkGradients(of: { $0[0].mean() }, at: [x]).passed)
    let worst = forgetful.inputs[0]
    #expect(abs(worst.numeric / worst.analytic - 1.4019) < 1e-2, "\(forgetful)")
  }
}
