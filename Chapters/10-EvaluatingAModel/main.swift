// Chapter 10 · Evaluating a model
//
// What a test accuracy does and does not say: the confusion matrix, precision, recall and F1 per
// class and averaged, why accuracy misleads when one class is rare, the decision threshold and
// the precision–recall curve, and why choices are made on the validation set and the test set is
// read once. The models are chapter 8's bag-of-words classifiers, trained here in a few seconds.
// Run it with `swift run Chapter10` from the package root.

import DeepLearning
import Foundation

var options = ChapterOptions(
  chapter: "Chapter10", summary: "Evaluating a model: confusion matrix, precision, recall, F1, thresholds")
let seed = options.seed(default: 42)
let balancedName = options.choice(
  "--data", default: "movie-sentiment", among: ["movie-sentiment", "chinese-sentiment"],
  help: "the balanced data set of 10.1 and 10.2 (10.3 to 10.5 use sms-spam)")
let epochs = options.int(
  "--epochs", default: 30, help: "most passes over the training texts (early stopping may end sooner)",
  range: 1...1000)
options.quickRun = ["--epochs", "1"]
options.parse(cost: estimatedCost(epochs: epochs), usualCost: estimatedCost(epochs: 30))

runChapter {
  // Both models first (a second each): a damaged data file stops the chapter before it prints or
  // writes anything.
  let balanced = try TrainedBaseline(balancedName, seed: seed, epochs: epochs)
  let spam = try TrainedBaseline("sms-spam", seed: seed, epochs: epochs)

  // MARK: - 10.1 Accuracy and the confusion matrix

  section("10.1 Accuracy and the confusion matrix")
  let balancedScores = balanced.scores(balanced.test)
  let balancedPredictions = balancedScores.map { $0 >= 0.5 ? 1 : 0 }
  // snippet: confusion-matrix-use
  let matrix = ConfusionMatrix(predictions: balancedPredictions, labels: balanced.test.labels, classCount: 2)
  // end snippet
  print("\(balancedName): bag-of-words model trained in \(formatDuration(balanced.seconds)) "
        + "(weights of epoch \(balanced.bestEpoch)), \(balanced.test.count) test texts")
  print(matrix.table(classNames: balanced.classNames))
  print("accuracy = (\(matrix.truePositives(0)) + \(matrix.truePositives(1))) / \(matrix.total) = "
        + formatPercent(matrix.accuracy))
  var heatmap = HeatmapGrid.confusionMatrix(
    matrix.counts, classNames: balanced.classNames, title: "\(balancedName), test")
  heatmap.cellSize = 90
  print("figure: \(try heatmap.write(to: figurePath("10-confusion-\(balancedName).svg")))")

  // MARK: - 10.2 Precision, recall and F1

  section("10.2 Precision, recall and F1")
  printTable(
    headers: ["class", "TP", "FP", "FN", "precision TP/(TP+FP)", "recall TP/(TP+FN)", "F1"],
    rows: (0..<2).map { k in
      [balanced.classNames[k], "\(matrix.truePositives(k))", "\(matrix.falsePositives(k))",
       "\(matrix.falseNegatives(k))", format(matrix.precision(k), decimals: 4),
       format(matrix.recall(k), decimals: 4), format(matrix.f1(k), decimals: 4)]
    })
  print(classificationReport(predictions: balancedPredictions, labels: balanced.test.labels,
                             classNames: balanced.classNames))

  // MARK: - 10.3 When accuracy misleads

  section("10.3 When accuracy misleads")
  let spamCounts = spam.test.labelCounts
  print("sms-spam test: \(spamCounts[0]) ham, \(spamCounts[1]) spam "
        + "(\(formatPercent(Double(spamCounts[1]) / Double(spam.test.count))) spam)")
  let testScores = spam.scores(spam.test)
  let modelPredictions = testScores.map { $0 >= 0.5 ? 1 : 0 }
  let allHam = [Int](repeating: 0, count: spam.test.count)
  var rows: [[String]] = []
  for (name, predictions) in [("always ham", allHam), ("bag of words", modelPredictions)] {
    let m = ConfusionMatrix(predictions: predictions, labels: spam.test.labels, classCount: 2)
    rows.append([name, formatPercent(m.accuracy), format(m.precision(1), decimals: 3),
                 format(m.recall(1), decimals: 3), format(m.f1(1), decimals: 3), format(m.macroF1, decimals: 3)])
  }
  printTable(headers: ["classifier", "accuracy", "spam precision", "spam recall", "spam F1", "macro F1"], rows: rows)
  let spamMatrix = ConfusionMatrix(predictions: modelPredictions, labels: spam.test.labels, classCount: 2)
  print(spamMatrix.table(classNames: spam.classNames))
  var spamHeatmap = HeatmapGrid.confusionMatrix(
    spamMatrix.counts, classNames: spam.classNames, title: "sms-spam, test")
  spamHeatmap.cellSize = 90
  print("figure: \(try spamHeatmap.write(to: figurePath("10-confusion-sms-spam.svg")))")

  // MARK: - 10.4 The decision threshold

  section("10.4 The decision threshold")
  // On the validation texts: the threshold is a choice, and choices are made on validation.
  let validationScores = spam.scores(spam.validation)
  let validationLabels = spam.validation.labels
  // snippet: precision-recall-use
  let curve = precisionRecallCurve(scores: validationScores, labels: validationLabels)
  let area = averagePrecision(scores: validationScores, labels: validationLabels)
  // end snippet
  printTable(
    headers: ["threshold", "predicted spam", "precision", "recall", "F1"],
    rows: [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9].map { threshold in
      let m = ConfusionMatrix(predictions: validationScores.map { $0 >= Float(threshold) ? 1 : 0 },
                              labels: validationLabels, classCount: 2)
      return [format(threshold, decimals: 2), "\(m.truePositives(1) + m.falsePositives(1))",
              format(m.precision(1), decimals: 3), format(m.recall(1), decimals: 3), format(m.f1(1), decimals: 3)]
    })
  let spamShare = Double(validationLabels.reduce(0, +)) / Double(validationLabels.count)
  print("validation: \(validationLabels.count) texts, \(validationLabels.reduce(0, +)) spam; "
        + "average precision \(format(area, decimals: 3)) (a random ranking scores about \(format(spamShare, decimals: 3)))")
  var chart = LineChart(title: "Precision–recall curve, bag of words on sms-spam (validation)",
                        xLabel: "recall (share of spam caught)", yLabel: "precision (share of alarms that are spam)")
  chart.addSeries("every threshold", x: curve.map { Double($0.recall) }, y: curve.map { Double($0.precision) })
  let atHalf = curve.last { $0.threshold >= 0.5 } ?? curve[0]
  chart.addSeries("threshold 0.5", x: [Double(atHalf.recall)], y: [Double(atHalf.precision)], markers: true)
  chart.addReferenceLine(y: spamShare, label: "random ranking")
  chart.xRange = 0...1
  chart.yRange = 0...1.05
  // Above the plot: inside, any corner would cover the curve's drop at recall 1 or the reference line.
  chart.legendPosition = .above
  print("figure: \(try chart.write(to: figurePath("10-precision-recall.svg")))")

  // MARK: - 10.5 Validation for choices, the test set once

  section("10.5 Validation for choices, the test set once")
  // Choose the threshold with the best spam F1 on validation, then read the test set once.
  let chosen = bestF1Threshold(scores: validationScores, labels: validationLabels)
  let testAtHalf = ConfusionMatrix(predictions: modelPredictions, labels: spam.test.labels, classCount: 2)
  let testAtChosen = ConfusionMatrix(predictions: testScores.map { $0 >= chosen.threshold ? 1 : 0 },
                                     labels: spam.test.labels, classCount: 2)
  // The mistake: choosing the threshold on the test set itself.
  let peeked = bestF1Threshold(scores: testScores, labels: spam.test.labels)
  printTable(
    headers: ["threshold", "chosen on", "validation F1", "test accuracy", "test precision", "test recall", "test F1"],
    rows: [
      ["0.50", "(the default)", "", formatPercent(testAtHalf.accuracy), format(testAtHalf.precision(1), decimals: 3),
       format(testAtHalf.recall(1), decimals: 3), format(testAtHalf.f1(1), decimals: 3)],
      [format(chosen.threshold, decimals: 3), "validation", format(chosen.f1, decimals: 3),
       formatPercent(testAtChosen.accuracy), format(testAtChosen.precision(1), decimals: 3),
       format(testAtChosen.recall(1), decimals: 3), format(testAtChosen.f1(1), decimals: 3)],
      [format(peeked.threshold, decimals: 3), "test (a leak)", "", "", "", "", format(peeked.f1, decimals: 3)],
    ])
  print("reported: bag of words on sms-spam, threshold \(format(chosen.threshold, decimals: 3)) chosen on "
        + "validation: test accuracy \(formatPercent(testAtChosen.accuracy)), spam F1 "
        + "\(format(testAtChosen.f1(1), decimals: 3)) (\(spam.test.count) texts, read once)")
}
