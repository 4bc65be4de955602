// Chapter 2 · Loss functions
//
// Mean squared error, binary cross-entropy and softmax cross-entropy, computed by hand and by
// the engine; why softmax must subtract the largest score (log-sum-exp); the gradient of each
// loss; and how each loss punishes a wrong prediction. Run it with `swift run Chapter02`.

import DeepLearning
import Foundation

var options = ChapterOptions(
  chapter: "Chapter02", summary: "Loss functions: mean squared error, cross-entropy, log-sum-exp")
let seed = options.seed(default: 42)
options.parse()

runChapter {
  // MARK: - 2.1 Mean squared error

  section("2.1 Mean squared error")
  // snippet: mse-by-hand
  let predicted: [Float] = [21, 24, 33, 22]  // tomorrow's temperature, °C
  let actual: [Float] = [20, 25, 30, 22]
  var squaredErrors: [Float] = []
  for (p, t) in zip(predicted, actual) { squaredErrors.append((p - t) * (p - t)) }
  let mse = squaredErrors.reduce(0, +) / Float(squaredErrors.count)
  // end snippet
  printTable(
    headers: ["day", "predicted °C", "actual °C", "error °C", "squared °C²"],
    rows: (0..<predicted.count).map { i in
      ["\(i + 1)", format(predicted[i], decimals: 1), format(actual[i], decimals: 1),
       format(predicted[i] - actual[i], decimals: 1), format(squaredErrors[i], decimals: 2)]
    })
  let mseEngine = meanSquaredError(Tensor(predicted), Tensor(actual)).item
  print("MSE by hand  \(format(mse, decimals: 4)) °C²")
  print("MSE engine   \(format(mseEngine, decimals: 4)) °C²")
  print("root of MSE  \(format(mse.squareRoot(), decimals: 4)) °C   (back in the units of the data)")
  print("day 3 alone gives \(formatPercent(squaredErrors[2] / squaredErrors.reduce(0, +))) "
        + "of the total: squaring makes big errors count most")

  // MARK: - 2.2 Binary cross-entropy

  section("2.2 Binary cross-entropy")
  // snippet: bce-by-hand
  let spamProbability: [Float] = [0.9, 0.2, 0.6, 0.01]  // the model's belief that each email is spam
  let isSpam: [Float] = [1, 0, 1, 1]                    // the truth
  var bceTerms: [Float] = []
  for (p, t) in zip(spamProbability, isSpam) {
    bceTerms.append(t == 1 ? -log(p) : -log(1 - p))  // −log of the probability given to the truth
  }
  let bce = bceTerms.reduce(0, +) / Float(bceTerms.count)
  // end snippet
  printTable(
    headers: ["email", "p(spam)", "spam?", "p(truth)", "−log p(truth)"],
    rows: (0..<isSpam.count).map { i in
      let truth = isSpam[i] == 1 ? spamProbability[i] : 1 - spamProbability[i]
      return ["\(i + 1)", format(spamProbability[i], decimals: 2), isSpam[i] == 1 ? "yes" : "no",
              format(truth, decimals: 2), format(bceTerms[i], decimals: 4)]
    })
  let logits = spamProbability.map { log($0 / (1 - $0)) }  // z with σ(z) = p
  let bceEngine = binaryCrossEntropy(Tensor(spamProbability), Tensor(isSpam)).item
  let bceFromLogits = binaryCrossEntropy(logits: Tensor(logits), targets: Tensor(isSpam)).item
  print("BCE by hand              \(format(bce, decimals: 4)) nats")
  print("BCE engine, from p       \(format(bceEngine, decimals: 4)) nats")
  print("BCE engine, from logits  \(format(bceFromLogits, decimals: 4)) nats")

  // A model sure of the wrong answer: logit 20 for an email that is not spam.
  let sure = sigmoid(Tensor([20]))
  let fromProbability = binaryCrossEntropy(sure, Tensor([0])).item
  let fromLogit = binaryCrossEntropy(logits: Tensor([20]), targets: Tensor([0])).item
  print("logit 20, not spam: σ(20) rounds to \(format(sure.item, decimals: 7)) in Float32")
  printTable(
    headers: ["loss computed from", "formula", "loss"],
    rows: [["the probability p = 1", "−log(1 − p)", format(fromProbability, decimals: 4)],
           ["the logit z = 20", "max(z, 0) − z·t + log(1 + e^−|z|)", format(fromLogit, decimals: 4)]])

  // MARK: - 2.3 Softmax and cross-entropy

  section("2.3 Softmax and cross-entropy")
  let classes = ["cat", "dog", "bird"]
  let scores: [[Float]] = [[2.0, 1.0, 0.1],   // a photo of a cat
                           [0.5, 2.5, 0.3]]   // a photo of a bird, which the model takes for a dog
  let labels = [0, 2]
  // snippet: cross-entropy-by-hand
  var crossEntropyTerms: [Float] = []
  for (row, label) in zip(scores, labels) {
    let probabilities = stableSoftmax(row)
    crossEntropyTerms.append(-log(probabilities[label]))
  }
  let crossEntropyByHand = crossEntropyTerms.reduce(0, +) / Float(labels.count)
  // end snippet
  printTable(
    headers: ["photo", "scores", "softmax", "label", "−log p(label)"],
    rows: (0..<labels.count).map { i in
      ["\(i + 1)", formatList(scores[i], decimals: 1), formatList(stableSoftmax(scores[i])),
       classes[labels[i]], format(crossEntropyTerms[i], decimals: 4)]
    })
  let scoreTensor = Tensor(scores)
  print("cross-entropy by hand  \(format(crossEntropyByHand, decimals: 4)) nats")
  print("engine crossEntropy    \(format(crossEntropy(logits: scoreTensor, labels: labels).item, decimals: 4)) nats")
  print("engine softmax rows    \(scoreTensor.rows.map { formatList(softmax(Tensor($0)).data) }.joined(separator: " "))")
  print("a model that knows nothing gives each class 1/3: loss ln 3 = \(format(log(Float(3)), decimals: 4)) nats")

  // MARK: - 2.4 Why log-sum-exp

  section("2.4 Why log-sum-exp")
  print("e^x overflows Float32 above x = ln(\(format(Double(Float.greatestFiniteMagnitude) / 1e38, decimals: 2))e38) "
        + "= \(format(log(Float.greatestFiniteMagnitude), decimals: 2))")
  let large: [Float] = [1000, 1001, 1002]
  let small: [Float] = [-1000, -1001, -1002]
  printTable(
    headers: ["scores", "naive softmax", "stable softmax", "engine softmax"],
    rows: [large, small].map { z in
      [formatList(z, decimals: 0), formatList(naiveSoftmax(z)), formatList(stableSoftmax(z)),
       formatList(softmax(Tensor(z)).data)]
    })
  print("naive, large scores: e^1000 = \(format(exp(Float(1000)), decimals: 0)), and inf / inf = nan")
  print("naive, small scores: e^−1000 = \(format(exp(Float(-1000)), decimals: 0)), and 0 / 0 = nan")
  let naiveLoss = -log(naiveSoftmax(large)[0])
  let stableLoss = crossEntropy(logits: Tensor([large]), labels: [0]).item
  print("cross-entropy of label 0: naive \(format(naiveLoss, decimals: 4)), engine "
        + "\(format(stableLoss, decimals: 4)) nats (= log(1 + e^1 + e^2), as for scores [0, 1, 2])")

  // MARK: - 2.5 The gradients of the losses

  section("2.5 The gradients of the losses")
  // Each formula below is the whole backward rule of its loss; the engine's autograd must agree.
  let prediction = Tensor(predicted, requiresGrad: true)
  meanSquaredError(prediction, Tensor(actual)).backward()
  let mseFormula = zip(predicted, actual).map { 2 * ($0 - $1) / Float(predicted.count) }

  let logitTensor = Tensor(logits, requiresGrad: true)
  binaryCrossEntropy(logits: logitTensor, targets: Tensor(isSpam)).backward()
  let bceFormula = zip(logits, isSpam).map { (sigmoid($0) - $1) / Float(logits.count) }

  var generator = RandomGenerator(seed: seed)
  let randomScores = Tensor.randomNormal([4, 3], std: 2, using: &generator, requiresGrad: true)
  let randomLabels = (0..<4).map { _ in generator.nextInt(below: 3) }
  crossEntropy(logits: randomScores, labels: randomLabels).backward()
  var crossEntropyFormula: [Float] = []
  for (row, label) in zip(randomScores.rows, randomLabels) {
    let probabilities = stableSoftmax(row)
    for (j, p) in probabilities.enumerated() { crossEntropyFormula.append((p - (j == label ? 1 : 0)) / 4) }
  }
  printTable(
    headers: ["gradient", "by the formula (first values)", "max |formula − autograd|"],
    rows: [
      ["MSE  ∂L/∂p", formatList(mseFormula),
       format(maxDifference(mseFormula, prediction.grad!.data), decimals: 7)],
      ["BCE  ∂L/∂z", formatList(bceFormula),
       format(maxDifference(bceFormula, logitTensor.grad!.data), decimals: 7)],
      ["cross-entropy  ∂L/∂z", formatList(Array(crossEntropyFormula.prefix(3))),
       format(maxDifference(crossEntropyFormula, randomScores.grad!.data), decimals: 7)],
    ])
  print("(cross-entropy on random [4, 3] scores drawn with --seed \(seed); first row shown)")

  // MARK: - 2.6 Loss against prediction

  section("2.6 Loss against prediction")
  // For a true label 1: how each loss, and its slope with respect to the logit, depend on the prediction.
  let ps = Array(stride(from: Float(0.005), through: 0.995, by: 0.005))
  var lossChart = LineChart(title: "Loss for a true label 1", xLabel: "predicted probability p",
                            yLabel: "loss")
  lossChart.addSeries("binary cross-entropy −log p", x: ps, y: ps.map { -log($0) })
  lossChart.addSeries("squared error (1 − p)²", x: ps, y: ps.map { (1 - $0) * (1 - $0) })
  lossChart.xRange = 0...1
  lossChart.yRange = 0...5
  // Above the plot, not in a corner box: the box is sized from estimated text widths, and the
  // longer name overran it where the font runs wider than the estimate.
  lossChart.legendPosition = .above
  print("figure: \(try lossChart.write(to: figurePath("02-loss-vs-prediction.svg")))")

  // snippet: slopes-at-the-logit
  // With p = σ(z): dL/dz = dL/dp · σ′(z), and σ′(z) = p(1 − p).
  let mseSlope = { (z: Float) -> Float in let p = sigmoid(z); return 2 * (p - 1) * p * (1 - p) }
  let bceSlope = { (z: Float) -> Float in sigmoid(z) - 1 }  // −1/p · p(1 − p) = p − 1
  // end snippet
  let zs = Array(stride(from: Float(-8), through: 4, by: 0.05))
  var slopeChart = LineChart(title: "How hard each loss pushes the logit (true label 1)",
                             xLabel: "logit z (p = σ(z))", yLabel: "dL/dz")
  slopeChart.addSeries("binary cross-entropy", x: zs, y: zs.map(bceSlope))
  slopeChart.addSeries("squared error", x: zs, y: zs.map(mseSlope))
  slopeChart.addReferenceLine(y: 0)
  slopeChart.legendPosition = .bottomRight
  printTable(
    headers: ["logit z", "p = σ(z)", "squared error dL/dz", "cross-entropy dL/dz"],
    rows: [Float(-8), -4, -2, 0, 2, 4].map { z in
      [format(z, decimals: 1), format(sigmoid(z), decimals: 4), format(mseSlope(z), decimals: 4),
       format(bceSlope(z), decimals: 4)]
    })
  print("confidently wrong (z = −8): squared error barely pushes, cross-entropy pushes with full force")
  print("figure: \(try slopeChart.write(to: figurePath("02-slope-vs-logit.svg")))")
}
