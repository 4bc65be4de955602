// Chapter 5 · The multilayer perceptron
//
// A network that reads handwritten digits, in the five steps of every supervised project:
// prepare the data, build the model, train it while watching a validation set, choose by
// validation, and test once. Run it with `swift run Chapter05`; `--data fashion-mnist` or
// `--data uci-digits` swaps the images.

import DeepLearning
import Foundation

var options = ChapterOptions(
  chapter: "Chapter05", summary: "The multilayer perceptron: a network that reads handwritten digits")
let seed = options.seed()
let dataName = options.choice(
  "--data", default: "mnist", among: Datasets.imageNames, help: "the images to learn")
let epochs = options.int("--epochs", default: 20, help: "passes over the training images", range: 1...1000)
let batchSize = options.int("--batch-size", default: 64, help: "images per gradient step", range: 1...10_000)
let learningRate = options.float("--lr", default: 0.001, help: "Adam's learning rate", range: 0.000001...1)
options.quickRun = ["--data", "uci-digits", "--epochs", "1"]
options.parse(cost: estimatedCost(data: dataName, epochs: epochs, batchSize: batchSize),
              usualCost: estimatedCost(data: "mnist", epochs: 20, batchSize: 64))

runChapter {
  // The data first: a damaged file stops the chapter before it prints or writes anything.
  let trainingFile = try Datasets.images(dataName, .train)
  let testImages = try Datasets.images(dataName, .test)  // put aside until 5.7

  // MARK: - 5.1 The data
  section("5.1 The data")
  let check = checkImages(trainingFile)
  print("\(trainingFile.name): \(trainingFile.count) images of \(trainingFile.rows)×\(trainingFile.columns) pixels, "
        + "\(trainingFile.classNames.count) classes")
  print("images per class: " + trainingFile.classCounts.map(String.init).joined(separator: " "))
  print("pixel values \(Int(check.pixelRange.lowerBound))…\(Int(check.pixelRange.upperBound)); "
        + "\(check.constantPixels) of \(trainingFile.rows * trainingFile.columns) pixel positions "
        + "never change")
  print("blank images: \(check.blankImages.count); exact duplicates: \(check.duplicates.count)")
  // Cleaning: a duplicate could land in training and validation at once, so only the first copy stays.
  let duplicates = Set(check.duplicates)
  let trainingImages = duplicates.isEmpty
    ? trainingFile : trainingFile.subset((0..<trainingFile.count).filter { !duplicates.contains($0) })
  if !duplicates.isEmpty { print("dropped \(duplicates.count) duplicates: \(trainingImages.count) images remain") }
  print("\(testImages.name): \(testImages.count) images, put aside until 5.7")

  var samples = ImageGrid(title: "\(dataName): the first three training images of each class", columns: 10,
                          range: 0...trainingImages.maxPixelValue)
  samples.inverted = true
  for row in 0..<3 {
    for label in trainingImages.classNames.indices {
      let index = trainingImages.labels.indices.filter { trainingImages.labels[$0] == label }[row]
      samples.add(trainingImages.images.rows(at: [index]).data, width: trainingImages.columns,
                  height: trainingImages.rows, caption: trainingImages.classNames[label])
    }
  }
  print("figure: " + (try samples.write(to: figurePath("05-\(dataName)-samples.svg"))))

  // MARK: - 5.2 Preparing the inputs
  section("5.2 Preparing the inputs")
  // snippet: mnist-split-and-scale
  let split = StratifiedSplit(labels: trainingImages.labels, validation: 0.1, seed: seed)
  let pixels = trainingImages.inputs(.flat, scaled: false)        // [5000, 784], 0…255
  let standardizer = Standardizer.fit(pixels, rows: split.train)  // μ and σ of the training rows only
  let scalings: [(name: String, apply: (ImageDataset) -> Tensor)] = [
    ("pixels / \(Int(trainingImages.maxPixelValue))", { $0.inputs(.flat) }),  // known range: nothing to fit
    ("standardised", { standardizer.transform($0.inputs(.flat, scaled: false)) }),
  ]
  // end snippet
  let labels = trainingImages.labels
  let validationLabels = split.validation.map { trainingImages.labels[$0] }
  print("split (seed \(seed)): \(split.train.count) training, \(split.validation.count) validation images; "
        + "every class in the same proportion")
  let prepared = scalings.map { $0.apply(trainingImages) }
  var rows: [[String]] = []
  for (scaling, inputs) in zip(scalings, prepared) {
    let trainPart = summary(inputs.rows(at: split.train)), validationPart = summary(inputs.rows(at: split.validation))
    rows.append([scaling.name, format(trainPart.mean, decimals: 3), format(trainPart.std, decimals: 3),
                 format(validationPart.mean, decimals: 3), format(validationPart.std, decimals: 3),
                 format(trainPart.max, decimals: 1)])
  }
  printTable(headers: ["inputs", "train mean", "train std", "val mean", "val std", "largest"], rows: rows)

  // MARK: - 5.3 The model
  section("5.3 The model")
  let classCount = trainingImages.classNames.count
  let inputSize = trainingImages.rows * trainingImages.columns
  let model = multilayerPerceptron(inputs: inputSize, hidden: [256, 128], classes: classCount, seed: seed)
  for line in layerDescriptions(model) { print("  " + line) }
  print("parameters: \(model.parameterCount)")
  // One batch through the network, layer by layer: each Linear layer is one matrix product.
  var activation = prepared[0].rows(at: Array(split.train.prefix(batchSize)))
  var shapes = ["\(activation.shape)"]
  for layer in model.layers {
    activation = withoutGradients { layer(activation) }
    if layer is Linear { shapes.append("\(activation.shape)") }
  }
  print("a batch flows through as " + shapes.joined(separator: " → "))
  model.eval()
  let untrained = evaluate(ClassificationData(
    inputs: prepared[0].rows(at: split.validation), labels: validationLabels, model: model))
  print("before training: validation loss \(format(untrained.loss, decimals: 4)) "
        + "(guessing uniformly gives ln \(classCount) = \(format(log(Double(classCount)), decimals: 4))), "
        + "accuracy \(formatPercent(untrained.accuracy))")

  // MARK: - 5.4 Training
  section("5.4 Training")
  // snippet: mnist-training
  /// Trains a fresh network (the same seed every time) on `rows` of `inputs`; with `validate`,
  /// measures the validation rows after every epoch.
  func trainNetwork(on inputs: Tensor, rows: [Int], validate: Bool, showsProgress: Bool) throws
    -> (model: Sequential, history: TrainingHistory)
  {
    let model = multilayerPerceptron(inputs: inputSize, hidden: [256, 128], classes: classCount, seed: seed)
    let history = try train(
      model,
      on: ClassificationData(inputs: inputs.rows(at: rows), labels: rows.map { labels[$0] }, model: model),
      validation: validate
        ? ClassificationData(inputs: inputs.rows(at: split.validation), labels: validationLabels, model: model)
        : nil,
      optimizer: Adam(model.parameters, learningRate: learningRate),
      settings: TrainingSettings(epochs: epochs, batchSize: batchSize, seed: Int(seed)),
      observer: showsProgress ? ProgressLineObserver() : nil)
    return (model, history)
  }
  // end snippet
  print("\(scalings[0].name), Adam (learning rate \(learningRate)), batches of \(batchSize), " + counted(epochs, "epoch"))
  var runs = [try trainNetwork(on: prepared[0], rows: split.train, validate: true, showsProgress: true)]
  let history = runs[0].history
  print("one epoch (\(split.train.count) images, then the validation pass): "
        + formatDuration(history.seconds / Double(history.epochs.count)))
  let curves = try history.writeCurves(
    lossPath: figurePath("05-\(dataName)-loss.svg"), accuracyPath: figurePath("05-\(dataName)-accuracy.svg"),
    title: "\(dataName), \(inputSize)-256-128-\(classCount)")
  for path in curves { print("figure: " + path) }

  // MARK: - 5.5 Choosing by validation
  section("5.5 Choosing by validation")
  print("the same network, seed and settings on \(scalings[1].name) inputs:")
  runs.append(try trainNetwork(on: prepared[1], rows: split.train, validate: true, showsProgress: false))
  printTable(
    headers: ["inputs", "train loss", "val loss", "val accuracy", "best val accuracy (epoch)"],
    rows: zip(scalings, runs).map { scaling, run in
      let last = run.history.last!
      let best = run.history.epochs.max { $0.validationAccuracy! < $1.validationAccuracy! }!
      return [scaling.name, format(last.trainLoss, decimals: 4), format(last.validationLoss!, decimals: 4),
              formatPercent(last.validationAccuracy!),
              "\(formatPercent(best.validationAccuracy!)) (\(best.epoch))"]
    })
  // snippet: choose-by-validation
  // The validation loss decides: it sees how confident each answer is, not only whether it is
  // right, so it is steadier than the accuracy of 500 images (one image = 0.2%).
  let chosen = runs.indices.min { runs[$0].history.last!.validationLoss! < runs[$1].history.last!.validationLoss! }!
  // end snippet
  print("chosen: \(scalings[chosen].name) (lower validation loss after \(counted(epochs, "epoch")))")

  // MARK: - 5.6 The final model
  section("5.6 The final model")
  // Validation has done its job: its images now join the training set, for 10% more data.
  let allRows = Array(0..<trainingImages.count)
  print("\(scalings[chosen].name), all \(allRows.count) training images, the same seed and \(counted(epochs, "epoch"))")
  let final = try trainNetwork(on: prepared[chosen], rows: allRows, validate: false, showsProgress: false)
  let perEpoch = final.history.seconds / Double(final.history.epochs.count)
  print("trained in \(formatDuration(final.history.seconds)): train loss "
        + "\(format(final.history.last!.trainLoss, decimals: 4)), train accuracy "
        + "\(formatPercent(final.history.last!.trainAccuracy)), one epoch \(formatDuration(perEpoch))")

  // MARK: - 5.7 Testing once
  section("5.7 Testing once")
  let network = final.model
  network.eval()
  let testResult = evaluate(ClassificationData(
    inputs: scalings[chosen].apply(testImages), labels: testImages.labels, model: network))
  let mistakes = testImages.labels.indices.filter { testResult.predictions[$0] != testImages.labels[$0] }
  print("\(mistakes.count) of \(testImages.count) test images misclassified; test loss "
        + format(testResult.loss, decimals: 4))
  var grid = ImageGrid(title: "\(dataName): misclassified test images (predicted / true)", columns: 10,
                       range: 0...testImages.maxPixelValue)
  grid.inverted = true
  for index in mistakes.prefix(30) {
    grid.add(testImages.images.rows(at: [index]).data, width: testImages.columns, height: testImages.rows,
             caption: "\(testImages.classNames[testResult.predictions[index]]) / "
               + testImages.classNames[testImages.labels[index]], highlighted: true)
  }
  print("figure: " + (try grid.write(to: figurePath("05-\(dataName)-mistakes.svg"))))
  print("test accuracy \(formatPercent(testResult.accuracy)) (\(testImages.count) images), "
        + "trained in \(formatDuration(final.history.seconds)) "
        + "(\(counted(epochs, "epoch")) of \(allRows.count) images, \(formatDuration(perEpoch)) per epoch)")
}
