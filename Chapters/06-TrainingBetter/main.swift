// Chapter 6 · Training better
//
// The same network as chapter 5, trained in different ways: four optimisers side by side, four
// ways to draw the first weights, and a network that memorises a small training set, with three
// cures. Every run uses the same seed, so the only difference between two rows of a table is
// the thing being compared. Run it with `swift run Chapter06`.

import DeepLearning
import Foundation

var options = ChapterOptions(
  chapter: "Chapter06", summary: "Training better: optimisers, initialisation, overfitting and its cures")
let seed = options.seed()
let epochs = options.int("--epochs", default: 10, help: "epochs of each run in 6.1 and 6.2", range: 1...200)
let smallSize = options.int(
  "--small", default: 500, help: "training images in 6.3 and 6.4 (a small set overfits)", range: 20...4500)
let overfitEpochs = options.int(
  "--overfit-epochs", default: 60, help: "epochs of each run in 6.3 and 6.4", range: 1...1000)
options.quickRun = ["--epochs", "1", "--small", "100", "--overfit-epochs", "2"]
options.parse(cost: estimatedCost(epochs: epochs, small: smallSize, overfitEpochs: overfitEpochs),
              usualCost: estimatedCost(epochs: 10, small: 500, overfitEpochs: 60))

runChapter {
  let images = try Datasets.mnist(.train)
  let split = StratifiedSplit(labels: images.labels, validation: 0.1, seed: seed)
  let x = images.inputs(.flat)  // pixels / 255, as chapter 5 chose
  func data(_ rows: [Int], _ model: Sequential) -> ClassificationData {
    ClassificationData(inputs: x.rows(at: rows), labels: rows.map { images.labels[$0] }, model: model)
  }
  print("MNIST: \(split.train.count) training and \(split.validation.count) validation images (seed \(seed)); "
        + "the test images stay untouched in this chapter")

  // MARK: - 6.1 Optimisers side by side
  section("6.1 Optimisers side by side")
  // snippet: optimizer-contenders
  let contenders: [(name: String, batchSize: Int, make: ([Tensor]) -> any Optimizer)] = [
    ("gradient descent (full batch)", split.train.count, { SGD($0, learningRate: 0.2) }),
    ("SGD, batches of 64", 64, { SGD($0, learningRate: 0.05) }),
    ("SGD + momentum 0.9", 64, { SGD($0, learningRate: 0.05, momentum: 0.9) }),
    ("Adam", 64, { Adam($0, learningRate: 0.001) }),
  ]
  // end snippet
  var optimizerChart = LineChart(title: "Four optimisers, the same network and seed",
                                 xLabel: "epoch", yLabel: "training loss (cross-entropy)")
  optimizerChart.logScaleY = true
  var optimizerRows: [[String]] = []
  var adamRun: (model: Sequential, history: TrainingHistory)?
  for contender in contenders {
    let model = network(inputs: 784, hidden: [256, 128], classes: 10, seed: seed)
    let optimizer = contender.make(model.parameters)
    let history = try train(
      model, on: data(split.train, model), validation: data(split.validation, model), optimizer: optimizer,
      settings: TrainingSettings(epochs: epochs, batchSize: contender.batchSize, seed: Int(seed)))
    if contender.name == "Adam" { adamRun = (model, history) }
    let steps = history.epochs.count * ((split.train.count + contender.batchSize - 1) / contender.batchSize)
    optimizerChart.addSeries(contender.name, x: history.epochs.map { Double($0.epoch) },
                             y: history.epochs.map { Double($0.trainLoss) }, markers: true)
    optimizerRows.append([contender.name, "\(optimizer.learningRate)", "\(steps)",
                          format(history.last!.trainLoss, decimals: 4),
                          format(history.last!.validationLoss!, decimals: 4),
                          formatPercent(history.last!.validationAccuracy!), formatDuration(history.seconds)])
  }
  printTable(headers: ["optimiser", "rate", "steps", "train loss", "val loss", "val accuracy", "time"],
             rows: optimizerRows)
  print("figure: " + (try optimizerChart.write(to: figurePath("06-optimizers.svg"))))

  // MARK: - 6.2 Initialisation
  section("6.2 Initialisation")
  let deep = [256, 256, 256, 256]
  // snippet: initialization-schemes
  let schemes: [(name: String, initialization: Initialization)] = [
    ("zeros", .zeros), ("normal, std 1", .normal(std: 1)), ("Xavier", .xavier), ("He", .he),
  ]
  // end snippet
  print("a deeper network, 784-\(deep.map(String.init).joined(separator: "-"))-10, Adam 0.001, "
        + counted(epochs, "epoch"))
  let probe = x.rows(at: Array(split.train.prefix(256)))
  // Counted in hidden layers, as the text does: "6-layer" would count the input and the output too.
  var initializationChart = LineChart(
    title: "Four initialisations of a ReLU network with \(deep.count) hidden layers",
    xLabel: "epoch", yLabel: "validation loss (cross-entropy)")
  initializationChart.logScaleY = true
  var spreadRows: [[String]] = [], initializationRows: [[String]] = [], identicalUnits: [String] = []
  for scheme in schemes {
    let model = network(inputs: 784, hidden: deep, classes: 10, initialization: scheme.initialization, seed: seed)
    let spread = activationSpread(model, input: probe)
    spreadRows.append([scheme.name] + spread.map { format($0, decimals: $0 < 100 ? 3 : 0) })
    model.eval()
    let before = evaluate(data(split.validation, model))
    let history = try train(
      model, on: data(split.train, model), validation: data(split.validation, model),
      optimizer: Adam(model.parameters, learningRate: 0.001),
      settings: TrainingSettings(epochs: epochs, batchSize: 64, seed: Int(seed)))
    initializationChart.addSeries(
      scheme.name, x: [0] + history.epochs.map { Double($0.epoch) },
      y: [Double(before.loss)] + history.epochs.map { Double($0.validationLoss!) }, markers: true)
    // How different the units of each hidden layer are: 0 means every unit is a copy of the first.
    let hiddenLayers = model.layers.compactMap { $0 as? Linear }.dropLast()
    let unitSpread = hiddenLayers.map { largestUnitDifference($0.weight) }
    initializationRows.append([scheme.name, format(before.loss, decimals: 2),
                               format(history.last!.validationLoss!, decimals: 4),
                               formatPercent(history.last!.validationAccuracy!),
                               format(unitSpread.min()!, decimals: 4)])
    if unitSpread.allSatisfy({ $0 == 0 }) {
      identicalUnits.append(scheme.name)
    }
  }
  print("standard deviation of each layer's output at initialisation (256 training images):")
  printTable(headers: ["initialisation"] + deep.indices.map { "layer \($0 + 1)" } + ["logits"], rows: spreadRows)
  print("after \(counted(epochs, "epoch")):")
  printTable(headers: ["initialisation", "loss before", "val loss", "val accuracy", "unit spread"],
             rows: initializationRows)
  for name in identicalUnits {
    print("\(name): after training, every hidden layer is still \(deep[0]) copies of one unit")
  }
  print("figure: " + (try initializationChart.write(to: figurePath("06-initialization.svg"))))

  // MARK: - 6.3 Overfitting
  section("6.3 Overfitting")
  // A stratified sample of the training rows (all of them when --small asks for as many as there are).
  let smallRows = stratifiedSample(of: split.train, labels: images.labels, count: smallSize, seed: seed)
  print("\(smallRows.count) training images (\(smallRows.count / 10) per digit), the same \(split.validation.count) "
        + "validation images, 784-256-128-10, Adam 0.001, \(counted(overfitEpochs, "epoch"))")
  // snippet: overfitting-run
  func trainSmall(weightDecay: Float = 0, dropout: Float = 0, patience: Int? = nil) throws
    -> (model: Sequential, history: TrainingHistory)
  {
    let model = network(inputs: 784, hidden: [256, 128], classes: 10, dropout: dropout, seed: seed)
    let history = try train(
      model, on: data(smallRows, model), validation: data(split.validation, model),
      optimizer: Adam(model.parameters, learningRate: 0.001, weightDecay: weightDecay),
      settings: TrainingSettings(epochs: overfitEpochs, batchSize: 32, seed: Int(seed), patience: patience))
    return (model, history)
  }
  // end snippet
  let baseline = try trainSmall()
  let shownEpochs = [1, 2, 5, 10, 20, 40, 60, 100, 200].filter { $0 <= overfitEpochs }
  printTable(
    headers: ["epoch", "train loss", "val loss", "train accuracy", "val accuracy"],
    rows: shownEpochs.map { epoch in
      let record = baseline.history.epochs[epoch - 1]
      return ["\(epoch)", format(record.trainLoss, decimals: 4), format(record.validationLoss!, decimals: 4),
              formatPercent(record.trainAccuracy), formatPercent(record.validationAccuracy!)]
    })
  let lowest = baseline.history.epochs.min { $0.validationLoss! < $1.validationLoss! }!
  if lowest.epoch < overfitEpochs {
    print("validation loss is lowest at epoch \(lowest.epoch) (\(format(lowest.validationLoss!, decimals: 4))), "
          + "then rises while the training loss keeps falling")
  } else {
    print("validation loss is still falling at epoch \(lowest.epoch): train longer to see it turn")
  }
  for path in try baseline.history.writeCurves(
    lossPath: figurePath("06-overfitting-loss.svg"), accuracyPath: figurePath("06-overfitting-accuracy.svg"),
    title: "\(smallRows.count) training images")
  {
    print("figure: " + path)
  }

  // MARK: - 6.4 Cures: weight decay, dropout, early stopping
  section("6.4 Cures: weight decay, dropout, early stopping")
  var cureRows: [[String]] = []
  func report(_ name: String, _ run: (model: Sequential, history: TrainingHistory), trainedOn rows: [Int]? = nil) {
    run.model.eval()
    let trainResult = evaluate(data(rows ?? smallRows, run.model))
    let validationResult = evaluate(data(split.validation, run.model))
    cureRows.append([name, "\(run.history.epochs.count)", format(trainResult.loss, decimals: 4),
                     format(validationResult.loss, decimals: 4), formatPercent(trainResult.accuracy),
                     formatPercent(validationResult.accuracy)])
  }
  report("no cure", baseline)
  var decayRuns: [(decay: Float, run: (model: Sequential, history: TrainingHistory))] = []
  for decay: Float in [0.0001, 0.001, 0.01] {
    let run = try trainSmall(weightDecay: decay)
    report("weight decay \(decay)", run)
    decayRuns.append((decay, run))
  }
  let dropoutRun = try trainSmall(dropout: 0.5)
  report("dropout 0.5", dropoutRun)
  let stopped = try trainSmall(patience: 5)
  report("early stopping (patience 5)", stopped)
  if let adamRun { report("more data: \(split.train.count) images (6.1)", adamRun, trainedOn: split.train) }
  printTable(headers: ["run", "epochs", "train loss", "val loss", "train accuracy", "val accuracy"], rows: cureRows)
  if stopped.history.stoppedEarly {
    print("early stopping kept the weights of epoch \(stopped.history.bestEpoch) and stopped at epoch "
          + "\(stopped.history.epochs.count)")
  } else {
    print("early stopping did not trigger in \(counted(overfitEpochs, "epoch")); it kept the weights of epoch "
          + "\(stopped.history.bestEpoch)")
  }
  let bestDecay = decayRuns.min { $0.run.history.last!.validationLoss! < $1.run.history.last!.validationLoss! }!
  var charts = [
    ("06-weight-decay.svg", cureChart("Weight decay \(bestDecay.decay)", baseline: baseline.history,
                                      cure: bestDecay.run.history, cureName: "weight decay")),
    ("06-dropout.svg", cureChart("Dropout 0.5", baseline: baseline.history, cure: dropoutRun.history,
                                 cureName: "dropout")),
    ("06-early-stopping.svg", cureChart("Early stopping, patience 5", baseline: baseline.history,
                                        cure: stopped.history, cureName: "early stopping")),
  ]
  charts[2].1.addReferenceLine(x: Double(stopped.history.bestEpoch), label: "weights kept")
  for (name, chart) in charts { print("figure: " + (try chart.write(to: figurePath(name)))) }
}
