import Foundation
import Testing
@testable import DeepLearning
@testable import Core
import TestSupport

// Convolution and pooling: forward values against a hand-computed example and against the
// seven nested loops of the definition; gradients against central differences; shape errors.
//
// Tolerances. Forward values agree with the direct loops to 1e-4 relative (both sum the same
// Float32 products, in a different order). Gradient checks use the shared `gradientTolerance`
// (1e-2, see GradientCheckTests.swift): convolution and pooling are linear (max pooling
// piecewise linear, with its winners kept ≥ 0.1 apart so ±ε never changes them), so the central
// difference is exact up to Float32 rounding; the worst error measured over the checks below
// is 2e-4 (conv2d) and 2e-5 (pooling).

private let convolutionCases: [ConvolutionCase] = [
  .init(batch: 1, channels: 1, height: 5, width: 5, outputs: 1, kernelHeight: 3, kernelWidth: 3,
        stride: 1, padding: 0),
  // Non-square image and kernel, several channels, padding 1.
  .init(batch: 2, channels: 3, height: 6, width: 5, outputs: 4, kernelHeight: 3, kernelWidth: 2,
        stride: 1, padding: 1),
  // Stride 2 with padding 1, the usual down-sampling convolution.
  .init(batch: 2, channels: 2, height: 7, width: 7, outputs: 3, kernelHeight: 3, kernelWidth: 3,
        stride: 2, padding: 1),
  // A 1×1 convolution: a linear layer applied at every pixel.
  .init(batch: 3, channels: 2, height: 5, width: 8, outputs: 2, kernelHeight: 1, kernelWidth: 1,
        stride: 1, padding: 0),
  // Stride 2 that does not divide the image: the last row and column are never read.
  .init(batch: 2, channels: 3, height: 6, width: 7, outputs: 2, kernelHeight: 2, kernelWidth: 3,
        stride: 2, padding: 0),
  // A kernel as large as the image with padding 2: most windows hang over the border.
  .init(batch: 2, channels: 1, height: 4, width: 4, outputs: 2, kernelHeight: 4, kernelWidth: 4,
        stride: 1, padding: 2),
  // Stride 3 with padding 1 and a wide kernel.
  .init(batch: 1, channels: 2, height: 8, width: 9, outputs: 3, kernelHeight: 2, kernelWidth: 4,
        stride: 3, padding: 1),
]

/// Large enough (2¹⁷ or more entries in the im2col matrix) that im2col and col2im share the
/// batch between threads, with an odd batch so that the two shares differ. Too large for a
/// gradient check; the forward and adjoint tests cover it.
private let threadedConvolutionCase = ConvolutionCase(
  batch: 9, channels: 4, height: 20, width: 21, outputs: 5, kernelHeight: 3, kernelWidth: 3,
  stride: 1, padding: 1)

/// The definition, as seven nested loops: out[n, o, y, x] = bias[o] +
/// Σ_(c, i, j) weight[o, c, i, j] · input[n, c, y·s + i − p, x·s + j − p], zero outside the image.
private func directConvolution(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: Int,
                       padding: Int) -> Tensor {
  let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2],
                                          input.shape[3])
  let (outputs, kernelHeight, kernelWidth) = (weight.shape[0], weight.shape[2], weight.shape[3])
  let outputHeight = (height + 2 * padding - kernelHeight) / stride + 1
  let outputWidth = (width + 2 * padding - kernelWidth) / stride + 1
  var out: [Float] = []
  for n in 0..<batch {
    for o in 0..<outputs {
      for y in 0..<outputHeight {
        for x in 0..<outputWidth {
          var sum = bias?.data[o] ?? 0
          for c in 0..<channels {
            for i in 0..<kernelHeight {
              for j in 0..<kernelWidth {
                let row = y * stride + i - padding, column = x * stride + j - padding
                guard (0..<height).contains(row), (0..<width).contains(column) else { continue }
                sum += input.data[((n * channels + c) * height + row) * width + column]
                  * weight.data[((o * channels + c) * kernelHeight + i) * kernelWidth + j]
              }
            }
          }
          out.append(sum)
        }
      }
    }
  }
  return Tensor(shape: [batch, outputs, outputHeight, outputWidth], data: out)
}

/// A [N, C, H, W] tensor holding a shuffled 0, 0.1, 0.2, …: distinct values at least 0.1 apart,
/// so a window's maximum stays the same element when any value moves by ±ε.
private func spacedInput(_ shape: [Int], seed: Int) -> Tensor {
  var generator = RandomGenerator(seed: seed)
  return Tensor(shape: shape, data: generator.permutation(shape.product).map { Float($0) * 0.1 })
}

@Suite("Chapter07 convolution")
struct Chapter07ConvolutionTests {
  // MARK: Forward values

  /// A 3×3 image and a 2×2 kernel, worked out by hand: each output is the dot product of the
  /// kernel with the 2×2 window under it.
  @Test func handComputedExample() {
    let image = Tensor(shape: [1, 1, 3, 3], data: [1, 2, 3,
                                                   4, 5, 6,
                                                   7, 8, 9])
    let kernel = Tensor(shape: [1, 1, 2, 2], data: [1, 2,
                                                    3, 4])
    // 1·1 + 2·2 + 3·4 + 4·5 = 37, 2 + 6 + 15 + 24 = 47, 4 + 10 + 21 + 32 = 67, 5 + 12 + 24 + 36 = 77
    let plain = conv2d(image, weight: kernel, bias: Tensor([0.5]))
    #expect(plain.shape == [1, 1, 2, 2])
    #expect(plain.data == [37.5, 47.5, 67.5, 77.5])

    // Padding 1, stride 2: the windows start at (−1, −1), (−1, 1), (1, −1), (1, 1), so the first
    // three see only part of the image: 4·1 = 4, 3·2 + 4·3 = 18, 2·4 + 4·7 = 36, and 77.
    let strided = conv2d(image, weight: kernel, stride: 2, padding: 1)
    #expect(strided.shape == [1, 1, 2, 2])
    #expect(strided.data == [4, 18, 36, 77])

    // Gradients of the sum of the unpadded outputs: each weight collects the sum of the pixels
    // it met, each pixel the sum of the weights that met it, and the bias one per output.
    let x = Tensor(shape: [1, 1, 3, 3], data: image.data, requiresGrad: true)
    let w = Tensor(shape: [1, 1, 2, 2], data: kernel.data, requiresGrad: true)
    let b = Tensor([0.5], requiresGrad: true)
    conv2d(x, weight: w, bias: b).sum().backward()
    // Weight (0, 0) met 1, 2, 4, 5; weight (0, 1) met 2, 3, 5, 6; and so on.
    let expectedWeightGradient: [Float] = [12, 16, 24, 28]
    // The centre pixel met all four weights (1 + 2 + 3 + 4), a corner only one.
    let expectedInputGradient: [Float] = [1, 3, 2,
                                          4, 10, 6,
                                          3, 7, 4]
    #expect(w.grad?.data == expectedWeightGradient)
    #expect(x.grad?.data == expectedInputGradient)
    #expect(b.grad?.data == [4])
  }

  /// im2col of the same 3×3 image: one column per window position, one row per kernel cell.
  @Test func im2colLaysOutTheReceptiveFieldsAsColumns() {
    let image = Tensor(shape: [1, 1, 3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9])
    let cols = im2col(image, kernelHeight: 2, kernelWidth: 2)
    #expect(cols.shape == [4, 4])
    #expect(cols.rows == [[1, 2, 4, 5],    // top-left cell of each window
                          [2, 3, 5, 6],    // top-right
                          [4, 5, 7, 8],    // bottom-left
                          [5, 6, 8, 9]])   // bottom-right
    // With padding 1 the corner window hangs over the border and reads zeros.
    let padded = im2col(image, kernelHeight: 2, kernelWidth: 2, padding: 1)
    #expect(padded.shape == [4, 16])
    #expect(padded.rows[0].prefix(4) == [0, 0, 0, 0])
    #expect(padded.rows[3].prefix(4) == [1, 2, 3, 0])
  }

  /// col2im is the adjoint (the transpose) of im2col: ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩ for every
  /// x and y, which is exactly what makes it the right backward pass.
  @Test(arguments: convolutionCases + [threadedConvolutionCase])
  func col2imIsTheAdjointOfIm2col(shapes: ConvolutionCase) {
    let g = ConvolutionGeometry(input: shapes.inputShape,
                                kernel: (shapes.kernelHeight, shapes.kernelWidth),
                                stride: shapes.stride, padding: shapes.padding, operation: "test")
    let x = randomInput(shapes.inputShape, seed: 70).data
    let y = randomInput([g.patchSize * g.columns], seed: 71).data
    let left = zip(im2col(x, g), y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let right = zip(x, col2im(y, g)).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    #expect(Swift.abs(left - right) <= 1e-4 * Swift.max(1, Swift.abs(left)),
            "⟨im2col(x), y⟩ = \(left) but ⟨x, col2im(y)⟩ = \(right)")
  }

  @Test(arguments: convolutionCases + [threadedConvolutionCase])
  func forwardMatchesTheDirectLoops(shapes: ConvolutionCase) {
    let input = randomInput(shapes.inputShape, seed: 72)
    let weight = randomInput(shapes.weightShape, seed: 73)
    let bias = randomInput([shapes.outputs], seed: 74)
    for b in [bias, nil] {
      let fast = conv2d(input, weight: weight, bias: b, stride: shapes.stride,
                        padding: shapes.padding)
      let direct = directConvolution(input, weight, b, stride: shapes.stride,
                                     padding: shapes.padding)
      #expect(fast.shape == direct.shape)
      let difference = worstDifference(fast.data, direct.data)
      #expect(difference < 1e-4, "\(shapes): worst difference \(difference) from the direct loops")
    }
  }

  // MARK: Gradients

  @Test(arguments: convolutionCases)
  func convolutionGradients(shapes: ConvolutionCase) {
    let input = randomInput(shapes.inputShape, seed: 75)
    let weight = randomInput(shapes.weightShape, seed: 76)
    let bias = randomInput([shapes.outputs], seed: 77)
    let (stride, padding) = (shapes.stride, shapes.padding)
    expectGradientsMatch("conv2d \(shapes.testDescription) with bias", [input, weight, bias]) {
      conv2d($0[0], weight: $0[1], bias: $0[2], stride: stride, padding: padding)
    }
    expectGradientsMatch("conv2d \(shapes.testDescription) without bias", [input, weight]) {
      conv2d($0[0], weight: $0[1], stride: stride, padding: padding)
    }
  }

  /// Two convolutions in a row with a nonlinearity between them, the input used twice: the
  /// gradient must flow through both col2im passes and add up.
  @Test func stackedConvolutionGradients() {
    let input = randomInput([2, 2, 6, 6], seed: 78)
    let first = randomInput([3, 2, 3, 3], seed: 79), second = randomInput([2, 3, 2, 2], seed: 80)
    expectGradientsMatch("conv2d → tanh → conv2d (stride 2) + input", [input, first, second]) {
      let hidden = tanh(conv2d($0[0], weight: $0[1], padding: 1))
      return conv2d(hidden, weight: $0[2], stride: 2) + avgPool2d($0[0], kernelSize: 2).sum()
    }
  }

  /// (input shape, kernel size, stride); nil stride means "the kernel size".
  static let poolingCases: [([Int], Int, Int?)] = [
    ([1, 1, 4, 4], 2, nil),
    ([2, 3, 5, 7], 2, 2),   // odd sizes: the last row and column fall outside every window
    ([2, 2, 5, 5], 3, 2),   // overlapping windows
    ([1, 2, 4, 6], 2, 1),   // overlapping, stride 1
    ([2, 1, 6, 4], 3, nil),
  ]

  @Test(arguments: poolingCases)
  func poolingGradients(shape: [Int], kernelSize: Int, stride: Int?) {
    expectGradientsMatch("maxPool2d \(kernelSize)×\(kernelSize) stride \(stride ?? kernelSize)",
                         [spacedInput(shape, seed: 81)]) {
      maxPool2d($0[0], kernelSize: kernelSize, stride: stride)
    }
    expectGradientsMatch("avgPool2d \(kernelSize)×\(kernelSize) stride \(stride ?? kernelSize)",
                         [randomInput(shape, seed: 82)]) {
      avgPool2d($0[0], kernelSize: kernelSize, stride: stride)
    }
  }

  @Test func poolingHandComputed() {
    let x = Tensor(shape: [1, 1, 4, 4], data: [1, 3, 2, 0,
                                               4, 2, 1, 5,
                                               0, 1, 9, 8,
                                               7, 6, 8, 2], requiresGrad: true)
    let pooled = maxPool2d(x, kernelSize: 2)
    #expect(pooled.shape == [1, 1, 2, 2])
    #expect(pooled.data == [4, 5, 7, 9])
    (pooled * Tensor(shape: [1, 1, 2, 2], data: [10, 20, 30, 40])).sum().backward()
    // Each window's gradient lands on its maximum only.
    #expect(x.grad?.data == [0, 0, 0, 0,
                             10, 0, 0, 20,
                             0, 0, 40, 0,
                             30, 0, 0, 0])
    let averaged = avgPool2d(x, kernelSize: 2)
    #expect(averaged.data == [2.5, 2, 3.5, 6.75])
    let overlapping = maxPool2d(x, kernelSize: 3, stride: 1)
    #expect(overlapping.data == [9, 9, 9, 9])
  }

  // MARK: Layers

  @Test func conv2dLayerShapesAndInitialisation() {
    var generator = RandomGenerator(seed: 83)
    let layer = Conv2D(inputChannels: 1, outputChannels: 16, kernelSize: 3, padding: 1,
                       using: &generator)
    #expect(layer.weight.shape == [16, 1, 3, 3])
    #expect(layer.bias?.data == [Float](repeating: 0, count: 16))
    #expect(layer.parameterCount == 16 * 9 + 16)
    #expect(layer(Tensor.zeros([2, 1, 28, 28])).shape == [2, 16, 28, 28])
    let strided = Conv2D(inputChannels: 3, outputChannels: 8, kernelSize: 3, stride: 2,
                         padding: 1, bias: false, using: &generator)
    #expect(strided.parameters.count == 1)
    #expect(strided(Tensor.zeros([1, 3, 28, 28])).shape == [1, 8, 14, 14])

    // He initialisation: standard deviation √(2 / fan-in) with fan-in C·k·k = 64·9.
    let wide = Conv2D(inputChannels: 64, outputChannels: 64, kernelSize: 3, using: &generator)
    let values = wide.weight.data
    let mean = values.reduce(0, +) / Float(values.count)
    let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count))
      .squareRoot()
    let expected = (2 / Float(64 * 9)).squareRoot()
    #expect(Swift.abs(std - expected) / expected < 0.03, "std \(std), He expects \(expected)")

    // Same seed, same filters.
    var again = RandomGenerator(seed: 83)
    let twin = Conv2D(inputChannels: 1, outputChannels: 16, kernelSize: 3, padding: 1, using: &again)
    #expect(twin.weight.data == layer.weight.data)
  }

  @Test func poolingLayersAndGlobalAverage() {
    let x = randomInput([2, 3, 8, 6], seed: 84)
    #expect(MaxPool2D(kernelSize: 2)(x).shape == [2, 3, 4, 3])
    #expect(AvgPool2D(kernelSize: 3, stride: 1)(x).shape == [2, 3, 6, 4])
    let global = GlobalAveragePool()(x)
    #expect(global.shape == [2, 3])
    let firstChannel = x.data[0..<48].reduce(0, +) / 48
    #expect(Swift.abs(global.data[0] - firstChannel) < 1e-5)
    expectGradientsMatch("GlobalAveragePool", [x]) { GlobalAveragePool()($0[0]) }
  }

  /// The network of chapter 7 has the expected shapes and parameter count, and a small CNN
  /// learns to tell horizontal from vertical bars, on images it has not seen.
  @Test func aSmallNetworkLearnsBarOrientation() {
    var generator = RandomGenerator(seed: 85)
    let mnistNetwork = Sequential(
      Conv2D(inputChannels: 1, outputChannels: 16, kernelSize: 3, padding: 1, using: &generator),
      ReLU(), MaxPool2D(kernelSize: 2),
      Conv2D(inputChannels: 16, outputChannels: 32, kernelSize: 3, padding: 1, using: &generator),
      ReLU(), MaxPool2D(kernelSize: 2),
      Flatten(), Linear(inputs: 32 * 7 * 7, outputs: 10, using: &generator))
    #expect(mnistNetwork(Tensor.zeros([3, 1, 28, 28])).shape == [3, 10])
    #expect(mnistNetwork.parameterCount == (16 * 9 + 16) + (32 * 16 * 9 + 32) + (1568 * 10 + 10))

    /// 8×8 images with one bright bar (horizontal: label 0, vertical: label 1) plus noise.
    func bars(_ count: Int) -> (Tensor, [Int]) {
      var pixels: [Float] = [], labels: [Int] = []
      for _ in 0..<count {
        let vertical = generator.nextInt(below: 2), line = generator.nextInt(below: 8)
        for y in 0..<8 {
          for x in 0..<8 {
            let on = (vertical == 1 ? x : y) == line
            pixels.append((on ? 1 : 0) + 0.2 * generator.nextFloat(in: -1..<1))
          }
        }
        labels.append(vertical)
      }
      return (Tensor(shape: [count, 1, 8, 8], data: pixels), labels)
    }
    let (trainImages, trainLabels) = bars(32), (testImages, testLabels) = bars(64)
    let model = Sequential(
      Conv2D(inputChannels: 1, outputChannels: 4, kernelSize: 3, padding: 1, using: &generator),
      ReLU(), MaxPool2D(kernelSize: 2), Flatten(), Linear(inputs: 4 * 4 * 4, outputs: 2,
                                                          using: &generator))
    let optimizer = Adam(model.parameters, learningRate: 0.01)
    var firstLoss: Float = 0, lastLoss: Float = 0
    for step in 0..<60 {
      optimizer.zeroGrad()
      let loss = crossEntropy(logits: model(trainImages), labels: trainLabels)
      loss.backward()
      optimizer.step()
      if step == 0 { firstLoss = loss.item }
      lastLoss = loss.item
    }
    let predictions = withoutGradients { model(testImages).argmax() }
    let correct = zip(predictions, testLabels).filter { $0 == $1 }.count
    #expect(lastLoss < 0.1 * firstLoss, "loss \(firstLoss) → \(lastLoss)")
    #expect(correct >= 60, "\(correct) of 64 unseen images classified correctly")
  }

  // MARK: Errors

  @Test func shapeErrorsNameTheOperationAndShapes() async {
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = conv2d(Tensor.zeros([8, 3, 28, 28]), weight: Tensor.zeros([16, 1, 3, 3]))
    }.map { result in
      let message = String(decoding: result.standardErrorContent, as: UTF8.self)
      #expect(message.contains(
        "conv2d: input [8, 3, 28, 28] has 3 channels but the weight [16, 1, 3, 3] expects 1"))
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = conv2d(Tensor.zeros([3, 28, 28]), weight: Tensor.zeros([16, 3, 3, 3]))
    }.map { result in
      let message = String(decoding: result.standardErrorContent, as: UTF8.self)
      #expect(message.contains("conv2d: input [3, 28, 28] must have 4 axes"))
      #expect(message.contains("reshape a single image [C, H, W] to [1, C, H, W]"))
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = conv2d(Tensor.zeros([1, 1, 2, 5]), weight: Tensor.zeros([1, 1, 3, 3]))
    }.map { result in
      let message = String(decoding: result.standardErrorContent, as: UTF8.self)
      #expect(message.contains(
        "conv2d: the 3×3 window does not fit in the 2×5 image of input [1, 1, 2, 5] with padding 0"))
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = conv2d(Tensor.zeros([1, 3, 8, 8]), weight: Tensor.zeros([16, 3, 3, 3]),
                 bias: Tensor.zeros([3]))
    }.map { result in
      let message = String(decoding: result.standardErrorContent, as: UTF8.self)
      #expect(message.contains("conv2d: bias [3] must be [16]"))
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = conv2d(Tensor.zeros([1, 3, 8, 8]), weight: Tensor.zeros([16, 3, 3, 3]), stride: 0)
    }.map { result in
      let message = String(decoding: result.standardErrorContent, as: UTF8.self)
      #expect(message.contains("conv2d: stride 0 must be at least 1"))
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = maxPool2d(Tensor.zeros([4, 32, 1, 1]), kernelSize: 2)
    }.map { result in
      let message = String(decoding: result.standardErrorContent, as: UTF8.self)
      #expect(message.contains(
        "maxPool2d: the 2×2 window does not fit in the 1×1 image of input [4, 32, 1, 1]"))
    }
  }
}
