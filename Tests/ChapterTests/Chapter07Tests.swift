// Chapter 7 · Convolutional networks: the exercises (the output-size formula, a convolution by
// nested loops), the chapter's own code (shuffled pixels, the CNN, its training recipe) and the
// chapter program. `swift test --filter Chapter07`.

import Foundation
import Testing

@testable import Chapter07
@testable import DeepLearning
import TestSupport

/// The rows of a [1, 1, H, W] tensor as a 2-D array, for the learner's functions.
private func image2D(_ tensor: Tensor) -> [[Float]] {
  let (height, width) = (tensor.shape[2], tensor.shape[3])
  return (0..<height).map { y in Array(tensor.data[y * width..<(y + 1) * width]) }
}

/// One case of the convolution exercise: an image, a kernel, padding and stride.
struct Chapter07ConvolutionCase: Sendable, CustomTestStringConvertible {
  let height: Int, width: Int, kernelHeight: Int, kernelWidth: Int, padding: Int, stride: Int
  var testDescription: String {
    "\(height)×\(width) image, \(kernelHeight)×\(kernelWidth) kernel, padding \(padding), stride \(stride)"
  }
}

@Suite("Chapter 7: convolutional networks", .serialized)
struct Chapter07Tests {
  // MARK: Exercises

  @Test("the output size formula gives the size conv2d produces, and 0 when the window does not fit",
        arguments: [1, 2, 3])
  func outputSizeMatchesConv2d(stride: Int) {
    for input in 1...12 {
      for kernel in 1...5 {
        for padding in 0...2 {
          let yours = convolutionOutputSize(inputSize: input, kernelSize: kernel, padding: padding, stride: stride)
          guard input + 2 * padding >= kernel else {
            #expect(yours == 0, "input \(input), kernel \(kernel), padding \(padding): the window does not fit")
            continue
          }
          let output = conv2d(Tensor.zeros([1, 1, input, input + 1]), weight: Tensor.zeros([1, 1, kernel, kernel]),
                              stride: stride, padding: padding)
          #expect(yours == output.shape[2],
                  "input \(input), kernel \(kernel), padding \(padding), stride \(stride): yours \(yours), conv2d \(output.shape[2])")
        }
      }
    }
    // The sizes the chapter names.
    #expect(convolutionOutputSize(inputSize: 28, kernelSize: 3, padding: 1) == 28)
    #expect(convolutionOutputSize(inputSize: 28, kernelSize: 2, stride: 2) == 14)
    #expect(convolutionOutputSize(inputSize: 7, kernelSize: 2, stride: 2) == 3)  // ⌊5/2⌋ + 1: the last row is dropped
  }

  static let convolutionCases: [Chapter07ConvolutionCase] = [
    .init(height: 6, width: 6, kernelHeight: 3, kernelWidth: 3, padding: 0, stride: 1),
    .init(height: 5, width: 7, kernelHeight: 3, kernelWidth: 3, padding: 1, stride: 1),
    .init(height: 8, width: 8, kernelHeight: 3, kernelWidth: 3, padding: 1, stride: 2),
    .init(height: 7, width: 9, kernelHeight: 2, kernelWidth: 3, padding: 0, stride: 2),
    .init(height: 4, width: 4, kernelHeight: 5, kernelWidth: 5, padding: 2, stride: 1),
    .init(height: 9, width: 6, kernelHeight: 1, kernelWidth: 1, padding: 0, stride: 3),
  ]

  @Test("the convolution by loops equals the engine's conv2d", arguments: convolutionCases)
  func convolutionByLoopsMatchesConv2d(_ c: Chapter07ConvolutionCase) {
    let image = randomInput([1, 1, c.height, c.width], seed: 700 + c.height * c.width)
    let kernel = randomInput([1, 1, c.kernelHeight, c.kernelWidth], seed: 710 + c.kernelHeight * c.kernelWidth)
    let expected = conv2d(image, weight: kernel, stride: c.stride, padding: c.padding)
    let yours = convolve(image2D(image), with: image2D(kernel), padding: c.padding, stride: c.stride)
    #expect(yours.count == expected.shape[2] && yours.allSatisfy { $0.count == expected.shape[3] },
            "output \(yours.count)×\(yours.first?.count ?? 0), conv2d gives \(expected.shape[2])×\(expected.shape[3])")
    let flat = yours.flatMap { $0 }
    if flat.count == expected.count {
      #expect(maxDifference(flat, expected.data) < 1e-5, "yours \(flat)\nconv2d \(expected.data)")
    }
  }

  @Test("the by-hand example: a vertical-edge kernel answers +3 on a stroke's left edge and −3 on its right")
  func verticalEdges() {
    let stroke: [[Float]] = (0..<5).map { _ in [0, 0, 1, 0, 0] }
    let edges = convolve(stroke, with: [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]])
    #expect(edges == [[3, 0, -3], [3, 0, -3], [3, 0, -3]])
    #expect(convolve(stroke, with: [[1]], stride: 2) == [[0, 1, 0], [0, 1, 0], [0, 1, 0]])
  }

  // MARK: The chapter's own code

  @Test("an MLP cannot tell shuffled pixels: with its first weights' rows shuffled alike, it computes the same")
  func shuffledPixelsAreTheSameProblemForAnMLP() {
    var generator = RandomGenerator(seed: 5)
    let images = randomInput([6, 784], seed: 71, low: 0, high: 1)
    let permutation = generator.permutation(784)
    let shuffled = shufflePixels(images, by: permutation)
    #expect(shuffled.data[3 * 784 + 10] == images.data[3 * 784 + permutation[10]])
    #expect(shuffled.data.sorted() == images.data.sorted(), "shuffling moves pixels, it changes none")

    let mlp = makeMLP(using: &generator)
    let first = mlp.layers[0] as! Linear
    let original = withoutGradients { mlp(images) }
    // Pixel k of a shuffled image is pixel permutation[k]: give its weights row k.
    let weights = first.weight.rows
    first.weight.update { values in values = permutation.flatMap { weights[$0] } }
    let onShuffled = withoutGradients { mlp(shuffled) }
    #expect(maxDifference(original.data, onShuffled.data) < 1e-4)
  }

  @Test("the CNN has the chapter's layers: 20,490 parameters, [N, 10] logits")
  func cnnShapes() {
    var generator = RandomGenerator(seed: 1)
    let cnn = makeCNN(using: &generator)
    #expect(cnn.parameterCount == 160 + 4640 + 15690)
    let outputs = layerOutputs(cnn, Tensor.zeros([3, 1, 28, 28]))
    #expect(outputs.map(\.shape) == [[3, 16, 28, 28], [3, 16, 28, 28], [3, 16, 14, 14], [3, 32, 14, 14],
                                     [3, 32, 14, 14], [3, 32, 7, 7], [3, 1568], [3, 10]])
    var mlpGenerator = RandomGenerator(seed: 1)
    #expect(makeMLP(using: &mlpGenerator).parameterCount == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10)
  }

  @Test("four seeded epochs on 2,000 MNIST images: the CNN reads 90% of 500 test digits, 2 points more than the MLP")
  func shortTrainingLearns() throws {
    let train = try Datasets.mnist(.train), test = try Datasets.mnist(.test)
    let rows = Array(0..<2000), testRows = Array(0..<500)
    let labels = rows.map { train.labels[$0] }, testLabels = testRows.map { test.labels[$0] }
    let split = StratifiedSplit(labels: labels, validation: 0.1, seed: 3)
    var generator = RandomGenerator(seed: 3)
    let cnn = try fitAndTest(
      makeCNN(using: &generator), inputs: train.inputs(.channels).rows(at: rows), labels: labels, split: split,
      testInputs: test.inputs(.channels).rows(at: testRows), testLabels: testLabels, epochs: 4, seed: 3)
    var mlpGenerator = RandomGenerator(seed: 3)
    let mlp = try fitAndTest(
      makeMLP(using: &mlpGenerator), inputs: train.inputs(.flat).rows(at: rows), labels: labels, split: split,
      testInputs: test.inputs(.flat).rows(at: testRows), testLabels: testLabels, epochs: 4, seed: 3)
    // Measured: CNN 93.2%, MLP 89.0% (a network that learned nothing reads 10%).
    #expect(cnn.test.accuracy >= 0.9, "CNN test accuracy \(cnn.test.accuracy) after 4 epochs on 1,800 images")
    #expect(cnn.test.accuracy >= mlp.test.accuracy + 0.02, "CNN \(cnn.test.accuracy), MLP \(mlp.test.accuracy)")
    #expect(cnn.history.epochs.map(\.trainLoss) == cnn.history.epochs.map(\.trainLoss).sorted(by: >),
            "the training loss falls every epoch: \(cnn.history.epochs.map(\.trainLoss))")
  }

  // MARK: The program

  @Test("the chapter's hand convolution, im2col and one epoch of training agree with the book")
  func chapterRuns() throws {
    let run = try ChapterRunner.run("Chapter07", ["--epochs", "1", "--seed", "42"])
    try ChapterRunner.expectCompleteRun(
      run, folder: "07-ConvolutionalNetworks",
      figures: ["07-shuffled-pixels.svg", "07-cnn-loss.svg", "07-cnn-accuracy.svg", "07-cnn-vs-mlp.svg",
                "07-filters.svg", "07-feature-maps-1.svg", "07-feature-maps-2.svg", "07-mistakes.svg"])

    // 7.2: the loops and conv2d agree; the output-size formula and conv2d agree on every row.
    let byHand = "7.2 A convolution by hand"
    #expect(run.line(startingWith: "0 0 1 0 0 0    -1  0  1         3  0 -3  0", in: byHand) != nil,
            "\(run.section(byHand))")
    #expect(run.numbers(inLineStartingWith: "conv2d gives shape [1, 2, 4, 4]; max |loops − conv2d| =", in: byHand) == [0])
    #expect(run.line(startingWith: "vertical output at row 2, column 1", in: byHand)?.hasSuffix("= 1") == true)
    let lines = run.section(byHand)
    let header = lines.firstIndex { $0.hasPrefix("input  kernel  padding  stride  output  conv2d") } ?? lines.endIndex
    let sizeRows = Array(lines.dropFirst(header + 2).prefix(5))
    #expect(sizeRows.count == 5, "\(sizeRows)")
    for row in sizeRows {
      let numbers = ChapterRunner.numbers(in: row)
      #expect(numbers.count >= 6 && numbers[4] == numbers[5], "formula and conv2d differ: \(row)")
    }

    // 7.3: filters · im2col(image) is the convolution.
    let matrix = "7.3 Convolution as a matrix product"
    #expect(run.numbers(inLineStartingWith: "max |filters · cols − conv2d| =", in: matrix) == [0])
    #expect(run.line(startingWith: "vertical    [6, 6, 6, 6]      [6, 6, 6, 6]", in: matrix) != nil)
    #expect(run.line(startingWith: "(2, 2)          11      12      15      16", in: matrix) != nil)

    // 7.4: max pooling keeps each window's largest value; its gradient marks where it was.
    let pooling = "7.4 Pooling"
    #expect(run.line(startingWith: "1 3 2 0            5 2             2.75 1.00           0 0 1 0", in: pooling) != nil,
            "\(run.section(pooling))")

    // 7.5: the CNN's size, and its convolutions timed.
    let cnn = "7.5 A small CNN"
    #expect(run.numbers(inLineStartingWith: "total", in: cnn) == [20490])
    #expect(run.line(startingWith: "conv2d ", in: cnn) != nil, "the profiler's table names conv2d")
    for layer in ["conv 1 ", "conv 2 "] {  // forward, backward, and their sum (to rounding)
      let times = run.numbers(inLineStartingWith: layer, in: cnn).suffix(3)
      #expect(times.count == 3 && times.allSatisfy { $0 > 0 } && abs(times[times.startIndex] + times[times.startIndex + 1] - times[times.startIndex + 2]) < 0.015,
              "\(run.line(startingWith: layer, in: cnn) ?? "no line for \(layer)")")
    }

    // 7.7 and the last line: after one epoch the CNN already reads most digits, better than the MLP.
    let last = run.lines.last(where: { !$0.isEmpty }) ?? ""
    #expect(last.hasPrefix("CNN test accuracy ") && last.contains("% (1000 images), trained in "), "\(last)")
    let cnnAccuracy = run.numbers(inLineStartingWith: "CNN test accuracy").first ?? 0
    let mlpAccuracy = run.numbers(inLineStartingWith: "MLP test accuracy").first ?? 0
    #expect(cnnAccuracy >= 85, "CNN test accuracy after one epoch: \(cnnAccuracy)%")
    #expect(mlpAccuracy >= 80, "MLP test accuracy after one epoch: \(mlpAccuracy)%")
  }

  @Test("--help, a mistyped option and an unknown data set are reported, not run")
  func options() throws {
    try ChapterRunner.expectStandardOptions("Chapter07")
    let wrong = try ChapterRunner.run("Chapter07", ["--data", "cifar"])
    #expect(wrong.status == 2, "exit status \(wrong.status)")
    #expect(wrong.errors.contains("--data expects one of mnist, fashion-mnist, got \"cifar\""), "\(wrong.errors)")
  }

  @Test("every numeric option runs, warns or is refused at both ends of its range, and never crashes")
  func optionRanges() throws {
    try OptionWalk.expectCleanEnds("Chapter07")
  }
}
