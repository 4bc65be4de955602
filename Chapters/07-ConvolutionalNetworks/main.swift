// Chapter 7 · Convolutional networks
//
// Why a multilayer perceptron ignores where pixels are; a convolution by hand on a tiny image;
// im2col, which makes a convolution one matrix product; pooling; and a small CNN trained on the
// MNIST digits next to an MLP trained the same way on the same split.
// Run it with `swift run Chapter07` from the package root (it reads Datasets/mnist).

import DeepLearning
import Foundation

var options = ChapterOptions(
  chapter: "Chapter07", summary: "Convolutional networks: convolution, im2col, pooling and a small CNN")
let seed = options.seed(default: 42)
let epochs = options.int("--epochs", default: 20, help: "passes over the training images, for both networks",
                         range: 1...1000)
let dataName = options.choice("--data", default: "mnist", among: ["mnist", "fashion-mnist"],
                              help: "which 28 × 28 image data set")
options.quickRun = ["--epochs", "1"]
options.parse(cost: estimatedCost(epochs: epochs), usualCost: estimatedCost(epochs: 20))

runChapter {
  // The data first: a damaged file stops the chapter before it prints or writes anything.
  let train = try Datasets.images(dataName, .train)
  let test = try Datasets.images(dataName, .test)

  // MARK: - 7.1 What an MLP does not see

  section("7.1 What an MLP does not see")
  // snippet: cnn-split
  // 10% of each class held out for validation; the rest trains both networks.
  let split = StratifiedSplit(labels: train.labels, validation: 0.1, seed: seed)
  // end snippet
  print("\(dataName): \(train.count) training images → \(split.train.count) train + " +
        "\(split.validation.count) validation (stratified, seed \(seed)); \(test.count) test images")
  print("both networks: Adam, learning rate 0.001, batches of 64, \(counted(epochs, "epoch")), no early stopping")

  // snippet: shuffled-pixels
  var shuffler = RandomGenerator(seed: seed)
  let permutation = shuffler.permutation(train.rows * train.columns)  // one order for every image
  let flatTrain = train.inputs(.flat), flatTest = test.inputs(.flat)
  let shuffledTrain = shufflePixels(flatTrain, by: permutation)
  let shuffledTest = shufflePixels(flatTest, by: permutation)
  // end snippet
  var mlps: [(pixels: String, outcome: Outcome)] = []
  for (pixels, inputs, testInputs) in [("in place", flatTrain, flatTest), ("shuffled", shuffledTrain, shuffledTest)] {
    var generator = RandomGenerator(seed: seed)  // the same starting weights for both
    let mlp = makeMLP(inputs: train.rows * train.columns, classes: train.classNames.count, using: &generator)
    mlps.append((pixels, try fitAndTest(mlp, inputs: inputs, labels: train.labels, split: split,
                                        testInputs: testInputs, testLabels: test.labels, epochs: epochs,
                                        seed: seed)))
  }
  printTable(
    headers: ["MLP 784-256-128-10, pixels", "validation accuracy", "test accuracy", "training time"],
    rows: mlps.map { pixels, outcome in
      [pixels, formatPercent(outcome.validationAccuracy), formatPercent(outcome.test.accuracy),
       formatDuration(outcome.seconds)]
    })
  var shuffledFigure = ImageGrid(title: "The same test images, pixels in place and shuffled", columns: 8,
                                 range: 0...1)
  for (name, images) in [("", flatTest), ("shuffled ", shuffledTest)] {
    for n in 0..<8 {
      shuffledFigure.add(Array(images.data[n * 784..<(n + 1) * 784]), width: 28, height: 28,
                         caption: name + test.classNames[test.labels[n]])
    }
  }
  print("figure: \(try shuffledFigure.write(to: figurePath("07-shuffled-pixels.svg")))")

  // MARK: - 7.2 A convolution by hand

  section("7.2 A convolution by hand")
  // snippet: edge-kernels
  let image: [[Float]] = [
    [0, 0, 1, 0, 0, 0],
    [0, 0, 1, 0, 0, 0],
    [0, 0, 1, 0, 0, 0],
    [0, 0, 1, 0, 0, 0],
    [0, 0, 1, 1, 1, 1],
    [0, 0, 0, 0, 0, 0],
  ]
  let vertical: [[Float]] = [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]    // dark → bright, left to right
  let horizontal: [[Float]] = [[-1, -1, -1], [0, 0, 0], [1, 1, 1]]  // dark → bright, top to bottom
  // end snippet
  let verticalEdges = slide(vertical, over: image)
  let horizontalEdges = slide(horizontal, over: image)
  printSideBySide([
    ("image 6×6", matrixLines(image)), ("vertical 3×3", matrixLines(vertical)),
    ("output 4×4", matrixLines(verticalEdges)), ("horizontal 3×3", matrixLines(horizontal)),
    ("output 4×4", matrixLines(horizontalEdges)),
  ])
  // One output by hand: the window whose top-left corner is at row y, column x.
  let (y, x) = (2, 1)
  // snippet: one-window-by-hand
  var sum: Float = 0
  for i in 0..<3 {
    for j in 0..<3 { sum += vertical[i][j] * image[y + i][x + j] }  // kernel · window
  }
  // end snippet
  let products = (0..<3).flatMap { i in
    (0..<3).map { j in "(\(format(vertical[i][j], decimals: 0)))·\(format(image[y + i][x + j], decimals: 0))" }
  }
  print("vertical output at row \(y), column \(x) = " + products.joined(separator: " + ") +
        " = \(format(sum, decimals: 0))")
  // The engine's conv2d on the same numbers: a batch of one image with one channel, two filters.
  let engineOutput = conv2d(Tensor(shape: [1, 1, 6, 6], data: image.flatMap { $0 }),
                            weight: Tensor(shape: [2, 1, 3, 3], data: (vertical + horizontal).flatMap { $0 }))
  let loops = (verticalEdges + horizontalEdges).flatMap { $0 }
  print("conv2d gives shape \(engineOutput.shape); max |loops − conv2d| = " +
        "\(format(maxDifference(loops, engineOutput.data), decimals: 6))")
  let sizeCases: [(input: Int, kernel: Int, padding: Int, stride: Int, note: String)] = [
    (6, 3, 0, 1, "this section"),
    (28, 3, 1, 1, "the CNN's convolutions: same size"),
    (28, 2, 0, 2, "2×2 pooling: half the size"),
    (28, 5, 0, 1, "a 5×5 kernel without padding"),
    (28, 3, 1, 2, "a convolution with stride 2"),
  ]
  printTable(
    headers: ["input", "kernel", "padding", "stride", "output", "conv2d", "note"],
    rows: sizeCases.map { c in
      let formula = (c.input + 2 * c.padding - c.kernel) / c.stride + 1  // exercise 1's formula
      let measured = conv2d(Tensor.zeros([1, 1, c.input, c.input]), weight: Tensor.zeros([1, 1, c.kernel, c.kernel]),
                            stride: c.stride, padding: c.padding).shape[3]
      return ["\(c.input)", "\(c.kernel)", "\(c.padding)", "\(c.stride)", "\(formula)", "\(measured)", c.note]
    })

  // MARK: - 7.3 Convolution as a matrix product

  section("7.3 Convolution as a matrix product")
  // snippet: im2col-tiny
  let pixels = Tensor(shape: [1, 1, 4, 4], data: (1...16).map { Float($0) })  // 1 … 16, row by row
  let cols = im2col(pixels, kernelHeight: 3, kernelWidth: 3)                  // [1·3·3, 1·2·2] = [9, 4]
  let filters = Tensor([vertical.flatMap { $0 }, horizontal.flatMap { $0 }])  // a filter per row: [2, 9]
  let asProduct = matmul(filters, cols)                                       // [2, 9] · [9, 4] = [2, 4]
  let asConvolution = conv2d(pixels, weight: filters.reshaped([2, 1, 3, 3]))  // [1, 2, 2, 2]
  // end snippet
  printSideBySide([("image 4×4", matrixLines(grid(pixels, rows: 4, columns: 4)))])
  print()
  print("im2col: one column per window position (y, x), one row per kernel position (i, j)")
  printTable(
    headers: ["row (i, j)", "(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)", "vertical", "horizontal"],
    rows: (0..<9).map { r -> [String] in
      let window: [String] = (0..<4).map { format(cols.data[r * 4 + $0], decimals: 0) }
      let weights: [String] = [format(filters.data[r], decimals: 0), format(filters.data[9 + r], decimals: 0)]
      return ["(\(r / 3), \(r % 3))"] + window + weights
    })
  printTable(
    headers: ["filter", "filters · cols", "conv2d"],
    rows: (0..<2).map { o in
      [o == 0 ? "vertical" : "horizontal", formatValues(Array(asProduct.data[o * 4..<(o + 1) * 4])),
       formatValues(Array(asConvolution.data[o * 4..<(o + 1) * 4]))]
    })
  print("max |filters · cols − conv2d| = \(format(maxDifference(asProduct.data, asConvolution.data), decimals: 6))")
  // The two convolutions of section 7.5's network on a batch of 64 MNIST images.
  let batch = 64
  let layers: [(name: String, inputChannels: Int, outputChannels: Int, size: Int)] = [
    ("conv 1", 1, 16, 28), ("conv 2", 16, 32, 14),
  ]
  printTable(
    headers: ["batch of 64", "weights W", "im2col matrix", "W · cols", "multiply-adds", "im2col memory"],
    rows: layers.map { layer in
      let rows = layer.inputChannels * 9, columns = batch * layer.size * layer.size
      return [layer.name, "[\(layer.outputChannels), \(rows)]", "[\(rows), \(columns)]",
              "[\(layer.outputChannels), \(columns)]",
              format(Double(layer.outputChannels * rows * columns) / 1e6, decimals: 1) + " million",
              format(Double(rows * columns * 4) / 1_048_576, decimals: 1) + " MiB"]
    })

  // MARK: - 7.4 Pooling

  section("7.4 Pooling")
  // snippet: pooling-tiny
  let featureMap = Tensor(shape: [1, 1, 4, 4], data: [1, 3, 2, 0,
                                                      5, 2, 1, 1,
                                                      0, 1, 4, 6,
                                                      2, 2, 7, 3], requiresGrad: true)
  let maxPooled = maxPool2d(featureMap, kernelSize: 2)  // [1, 1, 2, 2]
  let averagePooled = avgPool2d(featureMap, kernelSize: 2)
  maxPooled.sum().backward()                            // which inputs does the maximum depend on?
  // end snippet
  printSideBySide([
    ("feature map 4×4", matrixLines(grid(featureMap, rows: 4, columns: 4))),
    ("max pool 2×2", matrixLines(grid(maxPooled, rows: 2, columns: 2))),
    ("average pool 2×2", matrixLines(grid(averagePooled, rows: 2, columns: 2), decimals: 2)),
    ("gradient of Σ max pool", matrixLines(grid(featureMap.grad!, rows: 4, columns: 4))),
  ])

  // MARK: - 7.5 A small CNN

  section("7.5 A small CNN")
  var cnnGenerator = RandomGenerator(seed: seed)
  let cnn = makeCNN(classes: train.classNames.count, using: &cnnGenerator)
  let channelTrain = train.inputs(.channels), channelTest = test.inputs(.channels)
  let firstBatch = channelTrain.rows(at: Array(split.train.prefix(batch)))
  let firstLabels = split.train.prefix(batch).map { train.labels[$0] }
  let outputs = layerOutputs(cnn, firstBatch)
  printTable(
    headers: ["layer", "output shape", "parameters"],
    rows: [["input", "\(firstBatch.shape)", ""]] + zip(cnn.layers, outputs).map { layer, output in
      [describe(layer), "\(output.shape)", layer.parameterCount == 0 ? "" : "\(layer.parameterCount)"]
    } + [["total", "", "\(cnn.parameterCount)"]])
  print("the MLP of 7.1 has \(mlps[0].outcome.model.parameterCount) parameters, " +
        "\(format(Double(mlps[0].outcome.model.parameterCount) / Double(cnn.parameterCount), decimals: 1))× as many")
  // Where the time of one training step goes, on a copy (so the model to train is untouched).
  var copyGenerator = RandomGenerator(seed: seed)
  let runs = 5
  let profiler = profileTrainingStep(makeCNN(classes: train.classNames.count, using: &copyGenerator),
                                     inputs: firstBatch, labels: firstLabels, runs: runs)
  print("one training step on a batch of \(batch), averaged over \(runs) steps:")
  print(profiler.report(runs: runs))
  let convolutions = cnn.layers.compactMap { $0 as? Conv2D }
  let convolutionInputs = [firstBatch, Tensor(shape: outputs[2].shape, data: outputs[2].data, requiresGrad: true)]
  var convolutionRows: [[String]] = []
  for (index, (layer, input)) in zip(convolutions, convolutionInputs).enumerated() {
    let time = convolutionMilliseconds(layer, input: input, runs: runs)
    convolutionRows.append([
      "conv \(index + 1)", describe(layer), format(time.forward, decimals: 2), format(time.backward, decimals: 2),
      format(time.forward + time.backward, decimals: 2)])
  }
  printTable(headers: ["one batch of 64", "layer", "forward ms", "backward ms", "forward + backward ms"],
             rows: convolutionRows)

  // MARK: - 7.6 Training the CNN

  section("7.6 Training the CNN")
  // snippet: train-cnn
  let cnnOutcome = try fitAndTest(cnn, inputs: channelTrain, labels: train.labels, split: split,
                                  testInputs: channelTest, testLabels: test.labels, epochs: epochs,
                                  seed: seed, showsProgress: true)
  // end snippet
  let curves = try cnnOutcome.history.writeCurves(
    lossPath: figurePath("07-cnn-loss.svg"), accuracyPath: figurePath("07-cnn-accuracy.svg"),
    title: "CNN on \(dataName)")
  for path in curves { print("figure: \(path)") }

  // MARK: - 7.7 The CNN against the MLP

  section("7.7 The CNN against the MLP")
  let contenders = [("MLP 784-256-128-10", "MLP", mlps[0].outcome),
                    ("MLP, shuffled pixels", "MLP, shuffled", mlps[1].outcome), ("CNN", "CNN", cnnOutcome)]
  printTable(
    headers: ["model", "parameters", "time per epoch", "training time", "validation", "test accuracy", "test errors"],
    rows: contenders.map { name, _, outcome in
      let errors = zip(outcome.test.predictions, test.labels).filter { $0 != $1 }.count
      return [name, "\(outcome.model.parameterCount)", formatDuration(outcome.seconds / Double(epochs)),
              formatDuration(outcome.seconds), formatPercent(outcome.validationAccuracy),
              formatPercent(outcome.test.accuracy), "\(errors) of \(test.count)"]
    })
  var comparison = BarChart(
    title: "Test error on \(dataName) (\(test.count) images), \(counted(epochs, "epoch")) each",
    xLabel: "model (parameters)", yLabel: "test error (%)",
    labels: contenders.map { _, short, outcome in "\(short) (\(outcome.model.parameterCount / 1000)k)" },
    values: contenders.map { Double(1 - $0.2.test.accuracy) * 100 })
  comparison.valueDecimals = 1
  print("figure: \(try comparison.write(to: figurePath("07-cnn-vs-mlp.svg")))")

  // MARK: - 7.8 What the CNN learned

  section("7.8 What the CNN learned")
  print("filters of conv 1: \(convolutions[0].weight.shape), " +
        "largest |weight| \(format(convolutions[0].weight.data.map(abs).max() ?? 0, decimals: 3))")
  let filterFigurePath = try filterFigure(
    convolutions[0], title: "The 16 learned 3×3 filters of conv 1").write(to: figurePath("07-filters.svg"))
  print("figure: \(filterFigurePath)")
  let example = 2  // a 5 in the MNIST test file: curves and straight strokes
  let exampleOutputs = layerOutputs(cnn, channelTest.rows(at: [example]))
  print("test image \(example), a \(test.classNames[test.labels[example]]): conv 1 + ReLU gives " +
        "\(exampleOutputs[1].shape), conv 2 + ReLU gives \(exampleOutputs[4].shape)")
  for (figureName, output, label) in [("07-feature-maps-1.svg", exampleOutputs[1], "conv 1"),
                                      ("07-feature-maps-2.svg", exampleOutputs[4], "conv 2")] {
    let figure = featureMapFigure(
      output, title: "Test image \(example) (a \(test.classNames[test.labels[example]])) after \(label) + ReLU",
      captionPrefix: "map ")
    print("figure: \(try figure.write(to: figurePath(figureName)))")
  }
  let mistakes = mistakesFigure(test, predictions: cnnOutcome.test.predictions, limit: 16,
                                title: "Test images the CNN gets wrong")
  let errors = zip(cnnOutcome.test.predictions, test.labels).filter { $0 != $1 }.count
  print("the CNN gets \(errors) of \(test.count) test images wrong; the figure shows the first \(mistakes.images.count)")
  print("figure: \(try mistakes.write(to: figurePath("07-mistakes.svg")))")
  print()
  print("MLP test accuracy \(formatPercent(mlps[0].outcome.test.accuracy)) (\(test.count) images), " +
        "trained in \(formatDuration(mlps[0].outcome.seconds))")
  print("CNN test accuracy \(formatPercent(cnnOutcome.test.accuracy)) (\(test.count) images), " +
        "trained in \(formatDuration(cnnOutcome.seconds))")
}
