// Chapter 17 · The Transformer's engine: layer normalisation, GELU, batched matrix products,
// masking and attention, the GPT model, AdamW and the learning-rate schedule.
// Every operation is checked against central differences on random shapes drawn from a fixed
// seed, and its forward pass against values computed here independently, in Double.
// `swift test --filter Chapter17` runs exactly these.

import Foundation
import Testing

@testable import DeepLearning
@testable import Core
@testable import NeuralNetworks
import TestSupport

/// `count` shapes drawn from a seeded generator by `draw`, so every run tests the same shapes.
private func randomShapes(_ count: Int, seed: Int, _ draw: (inout RandomGenerator) -> [Int]) -> [[Int]] {
  var generator = RandomGenerator(seed: seed)
  return (0..<count).map { _ in draw(&generator) }
}

/// A size in `range`, drawn from `generator`.
private func size(_ range: ClosedRange<Int>, _ generator: inout RandomGenerator) -> Int {
  range.lowerBound + generator.nextInt(below: range.count)
}

/// The attention of one [T, D] query matrix on [S, D] keys and [S, Dv] values, written out with
/// loops in Double: softmax(q·kᵀ/√D, masked) · v.
private func naiveAttention(_ q: [Double], _ k: [Double], _ v: [Double], t: Int, s: Int, d: Int,
                            dv: Int, causal: Bool) -> [Double] {
  var out = [Double](repeating: 0, count: t * dv)
  for i in 0..<t {
    var scores = (0..<s).map { j in
      (0..<d).reduce(0.0) { $0 + q[i * d + $1] * k[j * d + $1] } / Double(d).squareRoot()
    }
    if causal { for j in 0..<s where j > i + (s - t) { scores[j] = -.infinity } }
    let largest = scores.max()!
    let weights = scores.map { Foundation.exp($0 - largest) }
    let total = weights.reduce(0, +)
    for j in 0..<s {
      for c in 0..<dv { out[i * dv + c] += weights[j] / total * v[j * dv + c] }
    }
  }
  return out
}

/// `checkGradients` for a model's own parameters: autograd's gradient of `loss()` for every
/// parameter against central differences, nudging each parameter element in place (the model
/// reads its parameters itself, so they cannot be handed over as copies). Same error measure.
private func checkParameterGradients(_ parameters: [Tensor], epsilon: Float = 1e-2,
                                     tolerance: Float = gradientTolerance,
                                     loss: () -> Tensor) -> GradientCheckReport {
  for parameter in parameters { parameter.zeroGrad() }
  loss().backward()
  func objective() -> Double { withoutGradients { Double(loss().item) } }
  let results = parameters.enumerated().map { index, parameter in
    let analytic = parameter.grad?.data ?? [Float](repeating: 0, count: parameter.count)
    var worst: (error: Float, element: Int, analytic: Float, numeric: Float) = (0, 0, 0, 0)
    for element in 0..<parameter.count {
      let original = parameter.data[element]
      parameter.data[element] = original + epsilon
      let above = objective()
      parameter.data[element] = original - epsilon
      let below = objective()
      parameter.data[element] = original
      let numeric = Float((above - below) / Double(2 * epsilon))
      let error = Swift.abs(analytic[element] - numeric)
        / Swift.max(Swift.abs(analytic[element]), Swift.abs(numeric), 1)
      if error > worst.error || error.isNaN { worst = (error, element, analytic[element], numeric) }
    }
    return GradientCheckReport.InputResult(input: index, worstError: worst.error,
                                           worstElement: worst.element,
                                           analytic: worst.analytic, numeric: worst.numeric)
  }
  return GradientCheckReport(inputs: results, tolerance: tolerance)
}

/// Expects `fast` and `reference` to give the same values and the same gradients of every
/// input (through fixed random output weights), within `tolerance` by `worstDifference`.
private func expectSameValuesAndGradients(_ name: String, _ inputs: [Tensor], tolerance: Float = 1e-5,
                                          sourceLocation: SourceLocation = #_sourceLocation,
                                          _ fast: ([Tensor]) -> Tensor,
                                          _ reference: ([Tensor]) -> Tensor) {
  func run(_ function: ([Tensor]) -> Tensor) -> [[Float]] {
    let leaves = inputs.map { Tensor(shape: $0.shape, data: $0.data, requiresGrad: true) }
    let y = function(leaves)
    var generator = RandomGenerator(seed: 99)
    (y * Tensor.randomNormal(y.shape, using: &generator)).sum().backward()
    return [y.data] + leaves.map { $0.grad?.data ?? [] }
  }
  let (a, b) = (run(fast), run(reference))
  for (index, (x, y)) in zip(a, b).enumerated() {
    let what = index == 0 ? "values" : "gradient of input \(index - 1)"
    #expect(x.count == y.count && worstDifference(x, y) <= tolerance,
            "\(name) \(what): worst difference \(worstDifference(x, y))", sourceLocation: sourceLocation)
  }
}

@Suite("Chapter17 · Transformer engine")
struct Chapter17EngineTests {
  // MARK: - Layer normalisation

  /// Ranks 1 to 3, rows of 2 to 9 features.
  static let normalizationShapes = randomShapes(4, seed: 1701) { g in
    (0..<size(0...2, &g)).map { _ in size(1...3, &g) } + [size(2...9, &g)]
  }

  @Test("layerNorm's gradients match central differences", arguments: normalizationShapes)
  func layerNormGradients(shape: [Int]) {
    let features = shape.last!
    let x = randomInput(shape, seed: 1)
    let weight = randomInput([features], seed: 2, low: 0.5, high: 1.5)
    let bias = randomInput([features], seed: 3)
    expectGradientsMatch("layerNorm with bias", [x, weight, bias]) {
      layerNorm($0[0], weight: $0[1], bias: $0[2])
    }
    expectGradientsMatch("layerNorm without bias", [x, weight]) { layerNorm($0[0], weight: $0[1]) }
  }

  @Test("layerNorm equals its composition from mean, subtraction and sqrt, gradients included",
        arguments: normalizationShapes)
  func layerNormMatchesComposition(shape: [Int]) {
    let features = shape.last!
    let inputs = [randomInput(shape, seed: 4), randomInput([features], seed: 5, low: 0.5, high: 1.5),
                  randomInput([features], seed: 6)]
    func run(_ function: ([Tensor]) -> Tensor) -> [[Float]] {
      let leaves = inputs.map { Tensor(shape: $0.shape, data: $0.data, requiresGrad: true) }
      let y = function(leaves)
      (y * randomInput(shape, seed: 7)).sum().backward()
      return [y.data] + leaves.map { $0.grad!.data }
    }
    let fused = run { layerNorm($0[0], weight: $0[1], bias: $0[2]) }
    let composed = run { t in
      let centred = t[0] - t[0].mean(axis: -1, keepDims: true)
      let variance = (centred * centred).mean(axis: -1, keepDims: true)
      return centred / sqrt(variance + 1e-5) * t[1] + t[2]
    }
    for (name, (a, b)) in zip(["value", "∂x", "∂weight", "∂bias"], zip(fused, composed)) {
      #expect(worstDifference(a, b) < 1e-4, "layerNorm \(name) for shape \(shape): fused \(a), composed \(b)")
    }
  }

  @Test("layerNorm of a hand-made row: (x − mean)/√(variance + ε)·γ + β")
  func layerNormByHand() {
    let row: [Double] = [2, -1, 0.5, 4, 3]
    let mean = row.reduce(0, +) / 5
    let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 5  // biased, as PyTorch
    let gamma: [Double] = [1, 2, 0.5, -1, 1.5], beta: [Double] = [0, 1, -1, 0.25, 0]
    let expected = (0..<5).map { i in (row[i] - mean) / (variance + 1e-5).squareRoot() * gamma[i] + beta[i] }
    // Two identical rows: each row is normalised on its own.
    let x = Tensor(shape: [2, 5], data: (row + row).map(Float.init))
    let layer = LayerNorm(features: 5, bias: true)
    #expect(layer.weight.data == [1, 1, 1, 1, 1] && layer.bias!.data == [0, 0, 0, 0, 0])
    #expect(LayerNorm(features: 5).bias == nil && LayerNorm(features: 5).parameters.count == 1)
    layer.weight.update { $0 = gamma.map(Float.init) }
    layer.bias!.update { $0 = beta.map(Float.init) }
    let y = layer(x).data
    for i in 0..<10 {
      #expect(Swift.abs(Double(y[i]) - expected[i % 5]) < 1e-5,
              "element \(i): layerNorm gave \(y[i]), expected \(expected[i % 5])")
    }
  }

  // MARK: - GELU

  static let elementwiseShapes = randomShapes(3, seed: 1702) { g in
    (0..<size(1...3, &g)).map { _ in size(1...6, &g) }
  }

  @Test("gelu's gradient matches central differences", arguments: elementwiseShapes)
  func geluGradients(shape: [Int]) {
    expectGradientsMatch("gelu", [randomInput(shape, seed: 8, low: -4, high: 4)]) { gelu($0[0]) }
  }

  @Test("gelu and its slope at chosen points against GPT-2's formula in Double")
  func geluByFormula() {
    let points: [Double] = [-6, -3, -1.5, -1, -0.5, -0.1, 0, 0.1, 0.3, 0.7, 1, 2, 3.5, 8]
    let c = (2 / Double.pi).squareRoot(), a = 0.044715
    func value(_ x: Double) -> Double { 0.5 * x * (1 + Foundation.tanh(c * (x + a * x * x * x))) }
    func slope(_ x: Double) -> Double {
      let t = Foundation.tanh(c * (x + a * x * x * x))
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * a * x * x)
    }
    let x = Tensor(points.map(Float.init), requiresGrad: true)
    let y = GELU()(x)
    y.sum().backward()
    for (i, point) in points.enumerated() {
      #expect(Swift.abs(Double(y.data[i]) - value(point)) < 2e-6 * Swift.max(1, Swift.abs(point)),
              "gelu(\(point)) = \(y.data[i]), formula \(value(point))")
      #expect(Swift.abs(Double(x.grad!.data[i]) - slope(point)) < 2e-6,
              "gelu′(\(point)) = \(x.grad!.data[i]), formula \(slope(point))")
    }
  }

  // MARK: - Batched matrix product

  /// [B, H, M, K] × [B, H, K, N] with every size from 1 to 7.
  static let productShapes = randomShapes(4, seed: 1703) { g in (0..<5).map { _ in size(1...7, &g) } }

  /// The operand shapes for batch [b, h], sizes m, k, n, stored transposed or not.
  private func operandShapes(_ sizes: [Int], transposeA: Bool, transposeB: Bool) -> ([Int], [Int]) {
    let (b, h, m, k, n) = (sizes[0], sizes[1], sizes[2], sizes[3], sizes[4])
    return ([b, h] + (transposeA ? [k, m] : [m, k]), [b, h] + (transposeB ? [n, k] : [k, n]))
  }

  @Test("batchedMatmul's gradients match central differences, operands transposed or not",
        arguments: productShapes)
  func batchedMatmulGradients(sizes: [Int]) {
    for (transposeA, transposeB) in [(false, false), (false, true), (true, false), (true, true)] {
      let (shapeA, shapeB) = operandShapes(sizes, transposeA: transposeA, transposeB: transposeB)
      expectGradientsMatch("batchedMatmul transposeA \(transposeA) transposeB \(transposeB)",
                           [randomInput(shapeA, seed: 9), randomInput(shapeB, seed: 10)]) {
        batchedMatmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB)
      }
    }
    // One [K, N] matrix for the whole batch (the tied head of a GPT), stored transposed or not.
    let (b, h, m, k, n) = (sizes[0], sizes[1], sizes[2], sizes[3], sizes[4])
    for transposeB in [false, true] {
      expectGradientsMatch("batchedMatmul with a shared right operand, transposeB \(transposeB)",
                           [randomInput([b, h, m, k], seed: 11),
                            randomInput(transposeB ? [n, k] : [k, n], seed: 12)]) {
        batchedMatmul($0[0], $0[1], transposeB: transposeB)
      }
    }
  }

  @Test("batchedMatmul equals the triple loop, in Double, for every batch and transpose",
        arguments: productShapes + [[2, 3, 64, 16, 64], [1, 2, 70, 33, 130]])
  func batchedMatmulByLoops(sizes: [Int]) {
    let (batch, m, k, n) = (sizes[0] * sizes[1], sizes[2], sizes[3], sizes[4])
    for (transposeA, transposeB) in [(false, false), (false, true), (true, false), (true, true)] {
      let (shapeA, shapeB) = operandShapes(sizes, transposeA: transposeA, transposeB: transposeB)
      let a = randomInput(shapeA, seed: 13), b = randomInput(shapeB, seed: 14)
      let c = batchedMatmul(a, b, transposeA: transposeA, transposeB: transposeB)
      #expect(c.shape == Array(sizes.prefix(2)) + [m, n])
      var worst: Double = 0
      for index in 0..<batch {
        for i in 0..<m {
          for j in 0..<n {
            var sum: Double = 0
            for p in 0..<k {
              let x = a.data[index * m * k + (transposeA ? p * m + i : i * k + p)]
              let y = b.data[index * k * n + (transposeB ? j * k + p : p * n + j)]
              sum += Double(x) * Double(y)
            }
            worst = Swift.max(worst, Swift.abs(sum - Double(c.data[(index * m + i) * n + j])))
          }
        }
      }
      #expect(worst < 1e-4 * Double(k),
              "sizes \(sizes) transposeA \(transposeA) transposeB \(transposeB): worst \(worst)")
    }
  }

  // MARK: - Softmax, masks and attention

  /// [B, H, T, T] attention scores.
  static let scoreShapes = randomShapes(3, seed: 1704) { g in
    let t = size(1...6, &g)
    return [size(1...3, &g), size(1...3, &g), t, t]
  }

  @Test("softmax over the last axis of a 4-D tensor: gradients, and each row by hand",
        arguments: scoreShapes)
  func softmaxFourDimensional(shape: [Int]) {
    let x = randomInput(shape, seed: 15, low: -4, high: 4)
    expectGradientsMatch("softmax 4-D", [x]) { softmax($0[0]) }
    let y = softmax(x)
    let width = shape[3]
    for row in 0..<x.count / width {
      let scores = (0..<width).map { Double(x.data[row * width + $0]) }
      let total = scores.map { Foundation.exp($0) }.reduce(0, +)
      for j in 0..<width {
        let expected = Foundation.exp(scores[j]) / total
        #expect(Swift.abs(Double(y.data[row * width + j]) - expected) < 1e-6,
                "row \(row) column \(j): \(y.data[row * width + j]), expected \(expected)")
      }
    }
  }

  @Test("causalMask hides later positions; maskedFill writes the value there and passes no gradient",
        arguments: scoreShapes)
  func maskedFillGradients(shape: [Int]) {
    let t = shape[3]
    let mask = causalMask(t)
    let x = randomInput(shape, seed: 16)
    // A finite fill value: −∞ in the output would make the checker's weighted sum infinite.
    expectGradientsMatch("maskedFill", [x]) { maskedFill($0[0], mask: mask, value: -3) }
    expectGradientsMatch("softmax(maskedFill(−∞))", [x]) { softmax(maskedFill($0[0], mask: mask)) }
    expectGradientsMatch("maskedFill(where:)", [x]) { maskedFill($0[0], value: 7) { $1 < $0 } }
    let y = maskedFill(x, mask: mask)
    for index in 0..<x.count {
      let (row, column) = (index / t % t, index % t)
      #expect(column > row ? y.data[index] == -.infinity : y.data[index] == x.data[index],
              "element \(index) (row \(row), column \(column)): \(y.data[index])")
    }
  }

  @Test("causalMask by hand, square and for the last rows of a longer sequence")
  func causalMaskByHand() {
    #expect(causalMask(3) == [false, true, true,
                              false, false, true,
                              false, false, false])
    #expect(causalMask(rows: 2, columns: 4) == [false, false, false, true,
                                                false, false, false, false])
  }

  @Test("attentionSoftmax: gradients, and equal to softmax(maskedFill(x·s)) composed",
        arguments: scoreShapes + [[1, 2, 3, 5]])  // the last: 3 queries after 2 cached positions
  func attentionSoftmaxGradients(shape: [Int]) {
    let x = randomInput(shape, seed: 30, low: -3, high: 3)
    let (t, s) = (shape[2], shape[3])
    for causal in [true, false] {
      expectGradientsMatch("attentionSoftmax causal \(causal)", [x]) {
        attentionSoftmax($0[0], scale: 0.7, causal: causal)
      }
      expectSameValuesAndGradients("attentionSoftmax causal \(causal)", [x], { attentionSoftmax($0[0], scale: 0.7, causal: causal) }) {
        let scaled = $0[0] * 0.7
        return softmax(causal ? maskedFill(scaled, mask: causalMask(rows: t, columns: s)) : scaled)
      }
    }
  }

  @Test("scaledDotProductAttention equals its composition from batchedMatmul, maskedFill and softmax",
        arguments: [[2, 3, 5, 4], [1, 2, 7, 8]])
  func attentionMatchesComposition(shape: [Int]) {
    let inputs = [randomInput(shape, seed: 31), randomInput(shape, seed: 32), randomInput(shape, seed: 33)]
    expectSameValuesAndGradients("scaledDotProductAttention", inputs, {
      scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2])
    }) { t in
      let scores = batchedMatmul(t[0], t[1].transposed()) / Float(shape[3]).squareRoot()
      return batchedMatmul(softmax(maskedFill(scores, mask: causalMask(shape[2]))), t[2])
    }
  }

  /// Large enough that layerNorm, gelu, attentionSoftmax and batchedMatmul share the rows between
  /// the cores (and layerNorm's rows have ragged SIMD tails): the same answers as composed.
  @Test("the multi-core paths of large tensors give the composed operations' values and gradients")
  func largeTensors() {
    let x = randomInput([600, 67], seed: 34), weight = randomInput([67], seed: 35, low: 0.5, high: 1.5)
    let bias = randomInput([67], seed: 36)
    expectSameValuesAndGradients("layerNorm [600, 67]", [x, weight, bias], {
      layerNorm($0[0], weight: $0[1], bias: $0[2])
    }) { t in
      let centred = t[0] - t[0].mean(axis: -1, keepDims: true)
      return centred / sqrt((centred * centred).mean(axis: -1, keepDims: true) + 1e-5) * t[1] + t[2]
    }
    expectSameValuesAndGradients("gelu [41, 1001]", [randomInput([41, 1001], seed: 37, low: -5, high: 5)],
                                 { gelu($0[0]) }) { t in
      0.5 * t[0] * (1 + tanh(0.797_884_56 * (t[0] + 0.044_715 * t[0] * t[0] * t[0])))
    }
    let scores = randomInput([2, 4, 64, 64], seed: 38, low: -3, high: 3)
    expectSameValuesAndGradients("attentionSoftmax [2, 4, 64, 64]", [scores], {
      attentionSoftmax($0[0], scale: 0.25, causal: true)
    }) { softmax(maskedFill($0[0] * 0.25, mask: causalMask(64))) }
    let tokens = randomInput([4, 64, 96], seed: 39)
    expectSameValuesAndGradients("splitHeads [4, 64, 96]", [tokens], { $0[0].splitHeads(6) * 1 }) {
      $0[0].reshaped([4, 64, 6, 16]).permuted([0, 2, 1, 3]) * 1
    }
    let q = randomInput([2, 4, 64, 16], seed: 40), k = randomInput([2, 4, 64, 16], seed: 41)
    expectSameValuesAndGradients("batchedMatmul q·kᵀ [2, 4, 64, 16]", [q, k], {
      batchedMatmul($0[0], $0[1], transposeB: true)
    }) { matmul($0[0], $0[1].transposed()) }
  }

  /// [B, H, T, D] queries, keys and values.
  static let attentionShapes = randomShapes(3, seed: 1705) { g in
    [size(1...2, &g), size(1...3, &g), size(1...6, &g), size(1...5, &g)]
  }

  @Test("scaledDotProductAttention: gradients of query, key and value, causal or not",
        arguments: attentionShapes)
  func attentionGradients(shape: [Int]) {
    let q = randomInput(shape, seed: 17), k = randomInput(shape, seed: 18), v = randomInput(shape, seed: 19)
    for causal in [true, false] {
      expectGradientsMatch("scaledDotProductAttention causal \(causal)", [q, k, v]) {
        scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], causal: causal)
      }
    }
  }

  /// [B, H, T, S, D, Dv]: T queries on S keys and values (S > T: a continuation).
  static let attentionSizes = attentionShapes.map { [$0[0], $0[1], $0[2], $0[2], $0[3], $0[3]] }
    + [[2, 4, 64, 64, 16, 16], [1, 2, 3, 7, 4, 5]]

  @Test("scaledDotProductAttention equals softmax(q·kᵀ/√D)·v written out in Double",
        arguments: attentionSizes)
  func attentionByLoops(sizes: [Int]) {
    let (b, h, t, s, d, dv) = (sizes[0], sizes[1], sizes[2], sizes[3], sizes[4], sizes[5])
    let q = randomInput([b, h, t, d], seed: 20), k = randomInput([b, h, s, d], seed: 21)
    let v = randomInput([b, h, s, dv], seed: 22)
    for causal in [true, false] {
      let y = scaledDotProductAttention(query: q, key: k, value: v, causal: causal)
      #expect(y.shape == [b, h, t, dv])
      var worst: Double = 0
      for head in 0..<b * h {
        func part(_ x: Tensor, _ rows: Int, _ width: Int) -> [Double] {
          x.data[head * rows * width..<(head + 1) * rows * width].map(Double.init)
        }
        let expected = naiveAttention(part(q, t, d), part(k, s, d), part(v, s, dv), t: t, s: s,
                                      d: d, dv: dv, causal: causal)
        for (e, actual) in zip(expected, part(y, t, dv)) { worst = Swift.max(worst, Swift.abs(e - actual)) }
      }
      #expect(worst < 1e-5, "sizes \(sizes) causal \(causal): worst difference \(worst)")
    }
  }

  @Test("splitHeads and mergeHeads: element positions, inverse of each other, gradients")
  func splitAndMergeHeads() {
    let (b, t, h, d) = (2, 3, 4, 5)
    let x = Tensor(shape: [b, t, h * d], data: (0..<b * t * h * d).map(Float.init))
    let split = x.splitHeads(h)
    #expect(split.shape == [b, h, t, d])
    // Element [n, head, i, j] of the split is feature head·D + j of position i of sequence n.
    for n in 0..<b { for head in 0..<h { for i in 0..<t { for j in 0..<d {
      #expect(split.data[((n * h + head) * t + i) * d + j] == x.data[(n * t + i) * h * d + head * d + j])
    } } } }
    #expect(split.mergeHeads().data == x.data && split.mergeHeads().shape == x.shape)
    expectGradientsMatch("splitHeads", [randomInput([2, 3, 8], seed: 23)]) { $0[0].splitHeads(2) }
    // One block of a fused [B, T, 3C] projection: the same as chunking it out first.
    let qkv = randomInput([2, 3, 3 * 8], seed: 42)
    for part in 0..<3 {
      #expect(qkv.splitHeads(2, part: part, of: 3).data == qkv.chunked(3, axis: -1)[part].splitHeads(2).data)
      expectGradientsMatch("splitHeads part \(part) of 3", [qkv]) { $0[0].splitHeads(2, part: part, of: 3) }
    }
    expectGradientsMatch("mergeHeads", [randomInput([2, 2, 3, 4], seed: 24)]) { $0[0].mergeHeads() }
  }

  // MARK: - The GPT

  @Test("a tiny GPT's loss: gradients of all parameters, tied embedding included",
        arguments: [(layers: 1, heads: 1, embedding: 4), (layers: 2, heads: 2, embedding: 8)])
  func gptGradients(size: (layers: Int, heads: Int, embedding: Int)) {
    var generator = RandomGenerator(seed: 25)
    let configuration = GPT.Configuration(vocabularySize: 7, blockSize: 6, layers: size.layers,
                                          heads: size.heads, embedding: size.embedding)
    let model = GPT(configuration, using: &generator)
    // Weights far larger than nanoGPT's 0.02 (std 0.3), so every gradient is large enough to
    // tell a wrong rule from rounding (the checker's error is absolute below 1), and LayerNorm
    // scales ≠ 1. Not larger: the central difference's own error grows with the curvature. With
    // embeddings at std 0.4 a row of the first LayerNorm's input had so small a spread that the
    // difference was 3% off at ε = 1e-2 (4× less per halving of ε, autograd unchanged), hence
    // std 1 for them; with matrices at 0.4 the worst was 6.5e-3, at 0.3 it is 8e-4.
    for (index, parameter) in model.parameters.enumerated() {
      let (mean, std): (Float, Float) = index < 2 ? (0, 1) : (parameter.rank == 1 ? 1 : 0, 0.3)
      parameter.update { values in
        for i in values.indices { values[i] = mean + std * generator.nextNormal() }
      }
    }
    let tokens = (0..<2 * 5).map { _ in generator.nextInt(below: 7) }
    let targets = (0..<2 * 5).map { _ in generator.nextInt(below: 7) }
    // ×10 makes the gradients ≥ 1 (relative error) without Float32 rounding of the loss mattering.
    let report = checkParameterGradients(model.parameters) {
      model.loss(tokens, targets: targets, shape: [2, 5]) * 10
    }
    #expect(report.passed, "GPT \(configuration):\n\(report)")
    #expect(model.parameters[0] === model.tokenEmbedding.weight)
  }

  @Test("the tied head: the token embedding's gradient is the embedding's plus the head's")
  func tiedEmbeddingGradient() {
    var generator = RandomGenerator(seed: 26)
    let model = GPT(.init(vocabularySize: 5, blockSize: 4, layers: 1, heads: 1, embedding: 4),
                    using: &generator)
    let tokens = [0, 3, 3, 1], targets = [3, 3, 1, 4]
    model.loss(tokens, targets: targets, shape: [1, 4]).backward()
    let tied = model.tokenEmbedding.weight.grad!.data
    // The same computation with the head's use of the weight cut off (a detached copy), and
    // with the embedding's use cut off: the two gradients must add up to the tied one.
    func gradient(detachingHead: Bool) -> [Float] {
      let weight = model.tokenEmbedding.weight
      let table = Tensor(shape: weight.shape, data: weight.data, requiresGrad: true)
      let input = detachingHead ? table : table.detached()
      let head = detachingHead ? table.detached() : table
      var x = Embedding(weight: input)(tokens, shape: [1, 4])
        + model.positionEmbedding(Array(0..<4), shape: [4])
      for block in model.blocks { x = block(x) }
      let logits = batchedMatmul(model.finalNorm(x), head, transposeB: true)
      crossEntropy(logits: logits.reshaped(4, 5), labels: targets).backward()
      return table.grad!.data
    }
    let parts = zip(gradient(detachingHead: true), gradient(detachingHead: false)).map { $0 + $1 }
    #expect(worstDifference(parts, tied) < 1e-6, "tied \(tied), parts summed \(parts)")
    #expect(Set(tied).count > 1)
  }

  @Test("parameter counts: vocabulary 76, block 64, tied head, no biases",
        arguments: [(layers: 2, heads: 4, embedding: 64, expected: 107_584),
                    (layers: 4, heads: 4, embedding: 128, expected: 805_504)])
  func parameterCounts(sizes: (layers: Int, heads: Int, embedding: Int, expected: Int)) {
    var generator = RandomGenerator(seed: 27)
    let model = GPT(.init(vocabularySize: 76, blockSize: 64, layers: sizes.layers,
                          heads: sizes.heads, embedding: sizes.embedding), using: &generator)
    #expect(model.parameterCount == sizes.expected)
    // Embeddings, 6 matrices or scales per block, the final LayerNorm: each tensor once.
    #expect(model.parameters.count == 2 + 6 * sizes.layers + 1)
    #expect(Set(model.parameters.map(ObjectIdentifier.init)).count == model.parameters.count)
  }

  @Test("nanoGPT's initialisation: std 0.02, residual projections 0.02/√(2·layers), scales 1")
  func initialisation() {
    var generator = RandomGenerator(seed: 28)
    let model = GPT(.init(vocabularySize: 76, blockSize: 64, layers: 4, heads: 4, embedding: 128),
                    using: &generator)
    func std(_ t: Tensor) -> Double {
      let mean = t.data.reduce(0.0) { $0 + Double($1) } / Double(t.count)
      return (t.data.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(t.count)).squareRoot()
    }
    let residual = 0.02 / (2.0 * 4).squareRoot()
    let block = model.blocks[0]
    for (name, tensor, expected) in [
      ("token embedding", model.tokenEmbedding.weight, 0.02), ("positions", model.positionEmbedding.weight, 0.02),
      ("qkv", block.attention.attention.weight, 0.02), ("attention projection", block.attention.projection.weight, residual),
      ("mlp expand", block.mlp.expand.weight, 0.02), ("mlp projection", block.mlp.project.weight, residual),
    ] {
      #expect(Swift.abs(std(tensor) / expected - 1) < 0.05, "\(name): std \(std(tensor)), expected \(expected)")
    }
    #expect(model.blocks.allSatisfy { $0.norm1.weight.data.allSatisfy { $0 == 1 } })
    #expect(model.blocks.allSatisfy { $0.attention.attention.bias == nil && $0.mlp.expand.bias == nil })
  }

  @Test("a tiny GPT learns to continue a repeated sequence with AdamW")
  func gptLearns() {
    var generator = RandomGenerator(seed: 29)
    let model = GPT(.init(vocabularySize: 6, blockSize: 8, layers: 1, heads: 2, embedding: 16),
                    using: &generator)
    let text = Array(repeating: [0, 1, 2, 3, 4, 5], count: 4).flatMap { $0 }
    let tokens = [Array(text[0..<8]), Array(text[3..<11])]
    let targets = [Array(text[1..<9]), Array(text[4..<12])]
    let optimizer = AdamW(model.parameters, learningRate: 1e-2)
    let first = model.loss(tokens, targets: targets).item
    var last = first
    for _ in 0..<60 {
      optimizer.zeroGrad()
      let loss = model.loss(tokens, targets: targets)
      loss.backward()
      optimizer.step()
      last = loss.item
    }
    #expect(Swift.abs(first - Foundation.log(6)) < 0.1, "an untrained model guesses: \(first) vs ln 6")
    #expect(last < 0.05, "loss after 60 steps: \(last)")
  }

  // MARK: - AdamW and the schedule

  @Test("AdamW follows θ ← θ − α(m̂/(√v̂ + ε) + λθ) for 3 steps, with and without decay groups",
        arguments: [true, false])
  func adamWByHand(decayMatrices: Bool) {
    let matrix = Tensor(shape: [2, 2], data: [0.5, -1, 2, 0.25], requiresGrad: true)
    let vector = Tensor([1, -0.5], requiresGrad: true)
    let (beta1, beta2, epsilon, lambda): (Double, Double, Double, Double) = (0.9, 0.99, 1e-8, 0.1)
    let optimizer = decayMatrices
      ? AdamW([matrix, vector], learningRate: 0.01, weightDecay: Float(lambda))
      : AdamW(groups: [.init([matrix, vector], weightDecay: 0)], learningRate: 0.01)
    // The expected values, in Double: (parameter, decay) pairs, with their moments.
    var expected = [(matrix.data.map(Double.init), decayMatrices ? lambda : 0),
                    (vector.data.map(Double.init), 0.0)]
    var m = expected.map { [Double](repeating: 0, count: $0.0.count) }, v = m
    let learningRates: [Double] = [0.01, 0.02, 0.005]  // changed between steps, as a schedule does
    for step in 1...3 {
      optimizer.learningRate = Float(learningRates[step - 1])
      let gradients: [[Float]] = [[0.3, -0.2, 0.1 * Float(step), 1], [-0.5, 0.05 * Float(step)]]
      for (parameter, gradient) in zip([matrix, vector], gradients) {
        parameter.grad = Tensor(shape: parameter.shape, data: gradient)
      }
      optimizer.step()
      let alpha = learningRates[step - 1]
      for p in 0..<2 {
        for i in expected[p].0.indices {
          let g = Double(gradients[p][i])
          m[p][i] = beta1 * m[p][i] + (1 - beta1) * g
          v[p][i] = beta2 * v[p][i] + (1 - beta2) * g * g
          let mHat = m[p][i] / (1 - Foundation.pow(beta1, Double(step)))
          let vHat = v[p][i] / (1 - Foundation.pow(beta2, Double(step)))
          let theta = expected[p].0[i]
          expected[p].0[i] = theta - alpha * (mHat / (vHat.squareRoot() + epsilon) + expected[p].1 * theta)
        }
      }
      for (parameter, (values, _)) in zip([matrix, vector], expected) {
        #expect(worstDifference(parameter.data, values.map(Float.init)) < 1e-6,
                "step \(step): AdamW gave \(parameter.data), the rule \(values)")
      }
    }
    #expect(optimizer.parameters.count == 2)
  }

  @Test("AdamW without weight decay takes Adam's steps")
  func adamWWithoutDecayIsAdam() {
    let a = Tensor(shape: [3, 2], data: [1, 2, 3, -1, -2, -3], requiresGrad: true)
    let b = a.detached()
    b.requiresGrad = true
    let adamW = AdamW(groups: [.init([a], weightDecay: 0)], learningRate: 0.05)
    let adam = Adam([b], learningRate: 0.05, beta1: 0.9, beta2: 0.99)
    for step in 0..<5 {
      for (t, optimizer) in [(a, adamW as any Optimizer), (b, adam as any Optimizer)] {
        optimizer.zeroGrad()
        (t * t * Float(step + 1)).sum().backward()
        optimizer.step()
      }
    }
    #expect(worstDifference(a.data, b.data) < 1e-6, "AdamW \(a.data), Adam \(b.data)")
  }

  @Test("the warm-up and cosine schedule at step 0, the end of warm-up, the midpoint and the end")
  func learningRateSchedule() {
    let schedule = WarmupCosineSchedule(maximumLearningRate: 1e-3, minimumLearningRate: 1e-4,
                                        warmupSteps: 100, decaySteps: 5000)
    let checks: [(step: Int, expected: Double)] = [
      (0, 1e-3 / 101), (50, 1e-3 * 51 / 101), (99, 1e-3 * 100 / 101),  // warm-up
      (100, 1e-3),                                                     // its end: the maximum
      (2550, 5.5e-4),                                                  // halfway down the cosine
      (1325, 1e-4 + 0.5 * (1 + Foundation.cos(Double.pi / 4)) * 9e-4),  // a quarter of the way
      (5000, 1e-4), (7000, 1e-4),                                      // the end, and after
    ]
    for (step, expected) in checks {
      #expect(Swift.abs(Double(schedule(step)) - expected) < 1e-6 * expected,
              "step \(step): \(schedule(step)), expected \(expected)")
    }
  }
}
