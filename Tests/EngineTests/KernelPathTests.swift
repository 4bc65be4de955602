import Foundation
import Testing
@testable import DeepLearning
@testable import Kernels
@testable import Core
import TestSupport

// The engine has an 8-wide and a 16-wide version of its hot loops (Kernels/KernelPath.swift) and
// picks one per machine. Both run on every machine (16-wide code becomes pairs of 8-wide
// instructions without AVX-512), so these tests run both and require the same bits: the same
// seed must give the same numbers on a laptop with AVX2 and on a server with AVX-512.
// The matrix product's own tests (MatrixMultiplyTests.swift) and the vector functions' and sums'
// (ChapterTests/Chapter11Tests.swift) check each path against a reference too.

@Suite("Chapter11 kernel paths")
struct Chapter11KernelPathTests {
  /// The parameters of a model after a few training steps (forward, backward, update).
  static func trainedParameters(_ makeStep: (inout RandomGenerator) -> TrainingStep,
                                steps: Int = 2) -> [[Float]] {
    var generator = RandomGenerator(seed: 31)
    let step = makeStep(&generator)
    for _ in 0..<steps { step.run() }
    return step.optimizer.parameters.map(\.data)
  }

  @Test("a training step of each model gives bit-identical parameters on both paths",
        arguments: ["MLP", "CNN", "LSTM"])
  func trainingStepsAgree(model: String) {
    let makeStep: (inout RandomGenerator) -> TrainingStep = { generator in
      switch model {
      case "MLP": multilayerPerceptronTrainingStep(using: &generator)
      case "CNN": convolutionalNetworkTrainingStep(using: &generator)
      default: lstmClassifierTrainingStep(using: &generator)
      }
    }
    let results = KernelPath.allCases.map { path in
      KernelPath.withPath(path) { Self.trainedParameters(makeStep) }
    }
    #expect(results[0].count == results[1].count && !results[0].isEmpty)
    for (index, (narrow, wide)) in zip(results[0], results[1]).enumerated() {
      let difference = worstDifference(narrow, wide)
      #expect(narrow == wide,
              "\(model): parameter \(index) differs between the paths by up to \(difference)")
    }
  }

  /// One LSTM step, forward and backward, with ended sequences, on both paths and with the rows
  /// split between cores or not: the same bits.
  @Test("an LSTM step gives bit-identical state and gradients on both paths",
        arguments: [(3, 5), (32, 200), (13, 40)])
  func lstmStepAgrees(rows: Int, hidden h: Int) {
    let x = randomInput([rows, 4 * h], seed: 90).data
    let u = randomInput([h, 4 * h], seed: 91, low: -0.3, high: 0.3).data
    let bias = randomInput([4 * h], seed: 92).data
    let previous = randomInput([2, rows, h], seed: 93).data
    let nextGradient = randomInput([2, rows, h], seed: 94).data
    let active = (0..<rows).map { $0 % 5 != 3 }
    var results: [[Float]] = []
    for path in KernelPath.allCases {
      let record = x.withUnsafeBufferPointer { x in
        lstmStepForward(x: x.baseAddress!, xRowStride: 4 * h, bias: bias,
                        recurrentWeight: packRecurrentWeight(u, hidden: h, rows: rows, path: path),
                        previous: previous, rows: rows, hidden: h, active: active)
      }
      var dGates = [Float](repeating: .nan, count: rows * 4 * h)
      let dPrevious = dGates.withUnsafeMutableBufferPointer { dGates in
        lstmStepBackward(record, previous: previous, nextGradient: nextGradient,
                         transposedRecurrentWeight: packTransposedRecurrentWeight(
                           u, hidden: h, rows: rows, path: path),
                         gatesGradient: dGates.baseAddress!, gatesRowStride: 4 * h, rows: rows,
                         hidden: h, active: active, needsPreviousGradient: true)!
      }
      results.append(record.gates + record.tanhCell + record.next + dGates + dPrevious)
    }
    #expect(results[0].allSatisfy { $0.isFinite })
    let difference = worstDifference(results[0], results[1])
    #expect(results[0] == results[1], "the paths differ by up to \(difference)")
  }

  /// The convolution kernels copy receptive fields straight into the product's panels instead
  /// of building im2col's matrix; they must give the bits of the products of that matrix, as
  /// conv2d computed them before (W · cols, then + bias; G · colsᵀ; col2im(Wᵀ · G)), on both
  /// paths and with the batch shared between cores. Shapes with padding, stride 2, more than one
  /// block of k (C·kH·kW > 512) and of N·P (> 512), and the benchmark CNN's two layers.
  @Test("convolution kernels give the bits of the im2col products, on both paths",
        arguments: [[3, 2, 7, 6, 5, 3, 1, 1], [2, 3, 9, 8, 4, 2, 2, 0], [2, 64, 6, 5, 3, 3, 1, 1],
                    [64, 1, 28, 28, 8, 3, 1, 0], [64, 8, 13, 13, 16, 3, 1, 0]])
  func convolutionMatchesIm2colProducts(sizes: [Int]) {
    let (n, c, h, w, o, k, stride, padding) =
      (sizes[0], sizes[1], sizes[2], sizes[3], sizes[4], sizes[5], sizes[6], sizes[7])
    let input = randomInput([n, c, h, w], seed: 95).data
    let weight = randomInput([o, c, k, k], seed: 96).data
    let bias = randomInput([o], seed: 97).data
    let g = ConvolutionGeometry(input: [n, c, h, w], kernel: (k, k), stride: stride,
                                padding: padding, operation: "test")
    let (patch, columns, positions) = (g.patchSize, g.columns, g.positions)
    let outputGradient = randomInput([n, o, positions], seed: 98).data
    // The im2col formulation, with the engine's matrix product.
    let cols = im2col(input, g)
    var product = [Float](repeating: 0, count: o * columns)
    matrixMultiply(m: o, n: columns, k: patch, a: weight, aRowStride: patch, aColStride: 1,
                   b: cols, bRowStride: columns, bColStride: 1, c: &product, ldc: columns,
                   accumulate: false)
    var expectedOutput = [Float](repeating: 0, count: n * o * positions)
    var gradientByChannel = [Float](repeating: 0, count: o * columns)  // G as [O, N·P]
    for image in 0..<n {
      for channel in 0..<o {
        for p in 0..<positions {
          expectedOutput[(image * o + channel) * positions + p] =
            product[channel * columns + image * positions + p] + bias[channel]
          gradientByChannel[channel * columns + image * positions + p] =
            outputGradient[(image * o + channel) * positions + p]
        }
      }
    }
    var expectedWeightGradient = [Float](repeating: 0, count: o * patch)
    matrixMultiply(m: o, n: patch, k: columns, a: gradientByChannel, aRowStride: columns,
                   aColStride: 1, b: cols, bRowStride: 1, bColStride: columns,
                   c: &expectedWeightGradient, ldc: patch, accumulate: false)
    var columnsGradient = [Float](repeating: 0, count: patch * columns)
    matrixMultiply(m: patch, n: columns, k: o, a: weight, aRowStride: 1, aColStride: patch,
                   b: gradientByChannel, bRowStride: columns, bColStride: 1, c: &columnsGradient,
                   ldc: columns, accumulate: false)
    let expectedInputGradient = col2im(columnsGradient, g)

    let shape = g.withOutputChannels(o)
    for path in KernelPath.allCases {
      var output = [Float](repeating: .nan, count: n * o * positions)
      var weightGradient = [Float](repeating: .nan, count: o * patch)
      var inputGradient = [Float](repeating: .nan, count: input.count)
      convolutionForward(input: input, weight: weight, bias: bias, shape: shape, output: &output,
                         path: path)
      convolutionWeightGradient(input: input, outputGradient: outputGradient, shape: shape,
                                weightGradient: &weightGradient, path: path)
      convolutionInputGradient(weight: weight, outputGradient: outputGradient, shape: shape,
                               inputGradient: &inputGradient, path: path)
      #expect(output == expectedOutput, "\(sizes), \(path): forward")
      #expect(weightGradient == expectedWeightGradient, "\(sizes), \(path): ∂L/∂W")
      #expect(inputGradient == expectedInputGradient, "\(sizes), \(path): ∂L/∂input")
    }
  }
}
