// Chapter 9 · An LSTM text classifier
//
// The outline's Embedding → LSTM → Linear model, built for real: what its PyTorch code gets
// wrong, the LSTM cell, not computing on padding, training with clipped gradients, and the test
// accuracy set beside chapter 8's bag-of-words baseline.
// Run it with `swift run Chapter09` from the package root (it trains for about a minute).

import DeepLearning
import Foundation

var options = ChapterOptions(
  chapter: "Chapter09", summary: "An LSTM text classifier: Embedding → LSTM → Linear, trained with Adam")
let seed = options.seed(default: 42)
let dataName = options.choice(
  "--data", default: "sms-spam", among: Datasets.textClassificationLabels.map(\.name),
  help: "the labelled texts (Chinese is read character by character)")
let epochs = options.int("--epochs", default: 10, help: "passes over the training texts", range: 1...1000)
let maxLength = options.int("--length", default: 64, help: "tokens kept of each text", range: 1...1000)
let batching = options.choice(
  "--batching", default: Batching.bucketed.rawValue, among: [Batching.bucketed.rawValue, Batching.shuffled.rawValue],
  help: "texts of similar length in a batch, or any texts")
let dropoutRate = options.float(
  "--dropout", default: 0, help: "dropout on the LSTM's summary before the linear layer", range: 0...0.9)
let subset = options.optionalInt(
  "--subset", help: "train on only this many training texts (stratified), for a quick run", range: 32...1_000_000,
  absent: "all of them")
options.quickRun = ["--subset", "300", "--epochs", "1"]
options.parse(cost: estimatedCost(data: dataName, epochs: epochs, length: maxLength, subset: subset),
              usualCost: estimatedCost(data: "sms-spam", epochs: 10, length: 64, subset: nil))

runChapter {
  let all = try Datasets.textClassification(dataName, .train)
  let test = try Datasets.textClassification(dataName, .test)
  let split = StratifiedSplit(labels: all.labels, validation: 0.1, seed: seed)
  let training = all.subset(stratifiedSample(of: split.train, labels: all.labels, count: subset ?? .max, seed: seed))
  let validation = all.subset(split.validation)
  let classes = all.labelNames.count
  let tokenizer = Tokenizer()
  let vocabulary = Vocabulary(trainingTexts: training.texts, tokenizer: tokenizer, maxSize: 10_000)
  let trainingSequences = vocabulary.encode(training.texts, tokenizer: tokenizer, length: maxLength)
  let validationSequences = vocabulary.encode(validation.texts, tokenizer: tokenizer, length: maxLength)
  let testSequences = vocabulary.encode(test.texts, tokenizer: tokenizer, length: maxLength)
  var generator = RandomGenerator(seed: seed)

  // MARK: - 9.1 The model, and where the outline's code goes wrong

  section("9.1 The model, and where the outline's code goes wrong")
  print("\(dataName): \(training.count) training, \(validation.count) validation, \(test.count) test texts; "
        + "vocabulary \(vocabulary.count) (from the training texts), texts cut to \(counted(maxLength, "token"))")
  // snippet: make-lstm-classifier
  let model = LSTMClassifier(vocabularySize: vocabulary.count, embeddingDimension: 100, hiddenSize: 200,
                             classes: classes, dropout: dropoutRate, using: &generator)
  // end snippet
  let firstBatch = trainingSequences[Array(0..<min(32, trainingSequences.count))].trimmedToLongest()
  let (n, t) = (firstBatch.count, firstBatch.length)
  let shapes = withoutGradients { () -> [[String]] in
    let embedded = model.embedding(firstBatch)
    let output = model.lstm(embedded, lengths: firstBatch.lengths)
    let everyStep = model.classifier(output.outputs)
    let corrected = model(firstBatch)
    return [
      ["x", "\([n, t])", "token indices: \(counted(n, "text")) (batch) × \(counted(t, "token")) (time)"],
      ["embedding(x)", "\(embedded.shape)", "one 100-number vector per token"],
      ["nn.LSTM, time first", "(reads \([n, t, 100]) as \([t, n, 100]))", "\(n) steps over \(t) “texts”, each the k-th word of every text"],
      ["lstm_out", "\(output.outputs.shape)", "the hidden state after every step"],
      ["fc(lstm_out)", "\(everyStep.shape)", "a prediction for every token, but there is one label per text"],
      ["hidden after the last real token", "\(output.hidden.shape)", "one summary per text"],
      ["fc(hidden): our model", "\(corrected.shape)", "one prediction per label, as cross-entropy needs"],
    ]
  }
  printTable(headers: ["the outline's forward", "shape", "what it holds"], rows: shapes)
  printTable(
    headers: ["layer", "parameters"],
    rows: [["Embedding(\(vocabulary.count), 100)", "\(model.embedding.parameterCount)"],
           ["LSTM(100 → 200): W, U, b", "\(model.lstm.parameterCount)"],
           ["Linear(200 → \(classes))", "\(model.classifier.parameterCount)"],
           ["total", "\(model.parameterCount)"]])

  // MARK: - 9.2 Inside the LSTM cell

  section("9.2 Inside the LSTM cell")
  // One step for a batch of 32 with H = 200, fused and composed from engine operations.
  var cellGenerator = RandomGenerator(seed: seed + 1)
  let projected = Tensor.randomNormal([32, 800], using: &cellGenerator, requiresGrad: true)
  let state = Tensor.randomNormal([2, 32, 200], std: 0.5, using: &cellGenerator, requiresGrad: true)
  let cellRows = try [("fused lstmCell", lstmCell), ("composed of engine operations", composedLSTMCell)].map {
    (name, cell) -> (name: String, nodes: Int, seconds: Double, value: [Float], gradient: [Float]) in
    var (nodes, value, gradient) = (0, [Float](), [Float]())
    let seconds = medianSeconds(runs: 21) {
      projected.zeroGrad()
      let next = cell(projected, state, model.lstm.recurrentWeight, model.lstm.bias)
      let loss = (next * next).sum()
      nodes = next.topologicalOrder().filter { !$0.inputs.isEmpty }.count  // operations, not inputs
      loss.backward()
      (value, gradient) = (next.data, projected.grad?.data ?? [])
    }
    try checkFinite(value.reduce(0, +), what: "the \(name) cell's output")
    return (name, nodes, seconds, value, gradient)
  }
  model.zeroGrad()
  printTable(
    headers: ["one step, N = 32, H = 200", "graph nodes", "forward + backward"],
    rows: cellRows.map { [$0.name, "\($0.nodes)", formatDuration($0.seconds)] })
  let valueGap = zip(cellRows[0].value, cellRows[1].value).map { abs($0 - $1) }.max() ?? 0
  let gradientGap = zip(cellRows[0].gradient, cellRows[1].gradient).map { abs($0 - $1) }.max() ?? 0
  print("largest difference: new state \(format(valueGap, decimals: 7)), gradient \(format(gradientGap, decimals: 7))")
  print("the forget gate's bias starts at 1: σ(1) = \(format(1 / (1 + exp(-1)), decimals: 3)) of the cell is kept per step")

  // MARK: - 9.3 Don't compute on padding

  section("9.3 Don't compute on padding")
  let rawLengths = tokenizer.tokens(training.texts).map(\.count)
  let sortedLengths = rawLengths.sorted()
  func percentile(_ p: Int) -> Int { sortedLengths[min(sortedLengths.count - 1, sortedLengths.count * p / 100)] }
  print("tokens per training text: median \(percentile(50)), 90th percentile \(percentile(90)), "
        + "99th \(percentile(99)), longest \(sortedLengths.last ?? 0); "
        + "\(rawLengths.filter { $0 > maxLength }.count) texts are cut to \(maxLength)")
  let binWidth = max(1, (maxLength + 7) / 8)
  let bins = (0..<8).map { b in (b * binWidth + 1)...((b + 1) * binWidth) }
  var histogram = BarChart(
    title: "Tokens per training text (\(dataName))", xLabel: "tokens", yLabel: "texts",
    labels: bins.map { "\($0.lowerBound)–\($0.upperBound)" },
    values: bins.map { bin in Double(trainingSequences.lengths.filter { bin.contains($0) }.count) })
  histogram.valueDecimals = 0
  // How many LSTM steps one epoch computes, and how many of them read a real token.
  var countingGenerator = RandomGenerator(seed: seed + 2)
  let realSteps = trainingSequences.lengths.reduce(0, +)
  let strategies: [(name: String, batches: [[Int]], trims: Bool)] = [
    ("every text padded to \(maxLength)", Array(MiniBatches(indices: Array(0..<training.count), batchSize: 32,
                                                             shuffledBy: &countingGenerator)), false),
    ("shuffled batches, trimmed", Array(MiniBatches(indices: Array(0..<training.count), batchSize: 32,
                                                   shuffledBy: &countingGenerator)), true),
    ("bucketed batches, trimmed", bucketedBatches(lengths: trainingSequences.lengths, batchSize: 32,
                                                  using: &countingGenerator), true),
  ]
  // One training step of a copy of the model, at full length and at the median length.
  var timingGenerator = RandomGenerator(seed: seed + 3)
  let timingModel = LSTMClassifier(vocabularySize: vocabulary.count, classes: classes, using: &timingGenerator)
  let timingOptimizer = Adam(timingModel.parameters)
  func stepSeconds(length: Int) -> Double {
    let rows = (0..<32).map { _ in (0..<length).map { _ in 2 + timingGenerator.nextInt(below: vocabulary.count - 2) } }
    let batch = PaddedSequences(rows, length: length)
    return medianSeconds(runs: 5) {
      let loss = crossEntropy(logits: timingModel(batch), labels: (0..<32).map { $0 % classes })
      timingOptimizer.zeroGrad()
      loss.backward()
      clipGradientNorm(timingOptimizer.parameters, maxNorm: 5)
      timingOptimizer.step()
    }
  }
  // Timed at most at the longest training text: a longer --length would only add padding.
  let full = min(maxLength, max(1, sortedLengths.last ?? 1))
  let short = min(max(1, percentile(50)), full)
  let (shortSeconds, fullSeconds) = (stepSeconds(length: short), stepSeconds(length: full))
  // A step costs a fixed part plus a part per time step: fit both from the two measurements.
  let perStep = (fullSeconds - shortSeconds) / Double(max(full - short, 1))
  let fixed = max(0, shortSeconds - perStep * Double(short))
  printTable(
    headers: ["batches of 32", "LSTM steps per epoch", "of them padding", "estimated epoch"],
    rows: strategies.map { strategy in
      let lengths = strategy.batches.map { rows in strategy.trims ? max(1, rows.map { trainingSequences.lengths[$0] }.max() ?? 1) : maxLength }
      let computed = zip(strategy.batches, lengths).reduce(0) { $0 + $1.0.count * $1.1 }
      let seconds = lengths.reduce(0.0) { $0 + fixed + perStep * Double($1) }
      return [strategy.name, "\(computed)", formatPercent(1 - Double(realSteps) / Double(computed)), formatDuration(seconds)]
    })
  print("one training step of 32 texts: \(counted(full, "token")) \(formatDuration(fullSeconds)), "
        + "\(counted(short, "token")) \(formatDuration(shortSeconds))")
  print("figure: \(try histogram.write(to: figurePath("09-lengths.svg")))")

  // MARK: - 9.4 Training with clipped gradients

  section("9.4 Training with clipped gradients")
  // snippet: train-lstm-classifier
  // The LSTM steps training computes (rows × trimmed length), and how many of them read a real token.
  var (computedSteps, realTokenSteps) = (0, 0)
  let trainingData = ClassificationData(sequences: trainingSequences, labels: training.labels) { batch in
    computedSteps += batch.count * batch.length
    realTokenSteps += batch.lengths.reduce(0, +)
    return model(batch)
  }
  let validationData = lengthSortedData(validationSequences, labels: validation.labels) { model($0) }.data
  var settings = TrainingSettings(epochs: epochs, batchSize: 32, seed: Int(seed),
                                  keepsBest: .highestValidationAccuracy, maxGradientNorm: 5)
  if batching == Batching.bucketed.rawValue {
    let lengths = trainingSequences.lengths
    settings.batchOrder = { generator in bucketedBatches(lengths: lengths, batchSize: 32, using: &generator) }
  }
  let history = try train(model, on: trainingData, validation: validationData,
                          optimizer: Adam(model.parameters, learningRate: 0.001), settings: settings,
                          observer: .progressLine)
  // end snippet
  let norms = history.gradientNorms.sorted()
  print("kept the weights of epoch \(history.bestEpoch) (best validation accuracy "
        + "\(formatPercent(history.epochs[history.bestEpoch - 1].validationAccuracy ?? 0)))")
  print("gradient norm before clipping: median \(format(norms[norms.count / 2], decimals: 2)), "
        + "99th percentile \(format(norms[norms.count * 99 / 100], decimals: 2)), "
        + "largest \(format(norms.last ?? 0, decimals: 2)); "
        + "\(norms.filter { $0 > 5 }.count) of \(norms.count) steps clipped to 5")
  print("computed \(computedSteps) LSTM steps, "
        + "\(formatPercent(1 - Double(realTokenSteps) / Double(computedSteps))) of them padding")
  for path in try history.writeCurves(lossPath: figurePath("09-loss.svg"), accuracyPath: figurePath("09-accuracy.svg"),
                                      title: "LSTM on \(dataName)") {
    print("figure: \(path)")
  }

  // MARK: - 9.5 Test accuracy against the baseline

  section("9.5 Test accuracy against the baseline")
  let (testData, testOrder) = lengthSortedData(testSequences, labels: test.labels) { model($0) }
  let (evaluation, evaluationSeconds) = timed { evaluate(testData) }
  var predictions = [Int](repeating: 0, count: test.count)
  for (position, text) in testOrder.enumerated() { predictions[text] = evaluation.predictions[position] }
  // Chapter 8's baseline, trained as chapter 8 trains it, on the same split and vocabulary.
  let baseline = try trainBagOfWords(training: training, validation: validation, vocabulary: vocabulary,
                                     tokenizer: tokenizer, seed: Int(seed))
  let baselineTest = ClassificationData(sequences: vocabulary.encodeWhole(test.texts, tokenizer: tokenizer),
                                        labels: test.labels) { baseline.model($0) }
  let lstmMatrix = ConfusionMatrix(predictions: predictions, labels: test.labels, classCount: classes)
  let baselineMatrix = ConfusionMatrix(predictions: evaluate(baselineTest).predictions, labels: test.labels,
                                       classCount: classes)
  printTable(
    headers: ["model", "parameters", "test accuracy", "\(all.labelNames[1]) F1", "macro F1", "training"],
    rows: [
      ["Embedding → LSTM → Linear", "\(model.parameterCount)", formatPercent(lstmMatrix.accuracy),
       format(lstmMatrix.f1(1), decimals: 3), format(lstmMatrix.macroF1, decimals: 3), formatDuration(history.seconds)],
      ["bag-of-words logistic regression", "\(baseline.model.parameterCount)", formatPercent(baselineMatrix.accuracy),
       format(baselineMatrix.f1(1), decimals: 3), format(baselineMatrix.macroF1, decimals: 3),
       formatDuration(baseline.history.seconds)],
    ])
  print(classificationReport(predictions: predictions, labels: test.labels, classNames: all.labelNames))
  print("LSTM: test accuracy \(formatPercent(lstmMatrix.accuracy)) (\(test.count) texts), "
        + "\(all.labelNames[1]) F1 \(format(lstmMatrix.f1(1), decimals: 3)), trained in \(formatDuration(history.seconds)), "
        + "test set read in \(formatDuration(evaluationSeconds))")

  // MARK: - 9.6 A few test texts

  section("9.6 A few test texts")
  // The first three texts of each class, and the first two mistakes.
  let firstOfEach = (0..<classes).flatMap { k in test.labels.indices.filter { test.labels[$0] == k }.prefix(3) }
  let mistakes = test.labels.indices.filter { predictions[$0] != test.labels[$0] && !firstOfEach.contains($0) }
  let shownTexts = (firstOfEach + mistakes.prefix(2)).sorted()
  let probabilities = withoutGradients { softmax(model(testSequences[shownTexts].trimmedToLongest())).data }
  printTable(
    headers: ["P(\(all.labelNames[1]))", "predicted", "true", "", "text"],
    rows: shownTexts.enumerated().map { (k, index) in
      let text = test.texts[index]
      return [format(probabilities[k * classes + 1], decimals: 2), all.labelNames[predictions[index]],
              all.labelNames[test.labels[index]], predictions[index] == test.labels[index] ? "✓" : "✗",
              text.count > 80 ? String(text.prefix(79)) + "…" : text]
    })
}
