// Chapter 3 · Gradient descent
//
// θ ← θ − α∇J with every gradient derived by hand: on a parabola, on linear regression and on
// logistic regression for two digits of the UCI handwritten digits; full-batch, stochastic and
// mini-batch descent; and learning rates that are too small, right and too large.
// Run it with `swift run Chapter03` (it reads the UCI digits from Datasets/uci-digits).

import DeepLearning
import Foundation

var options = ChapterOptions(
  chapter: "Chapter03", summary: "Gradient descent: by hand, in batches, and the learning rate")
let seed = options.seed(default: 42)
let dataName = options.choice(
  "--data", default: "uci-digits", among: ["uci-digits"], help: "the images whose digits 3.3 and 3.4 tell apart")
let firstDigit = options.int("--first", default: 3, help: "the digit labelled 0", range: 0...9)
let secondDigit = options.int("--second", default: 8, help: "the digit labelled 1", range: 0...9)
let epochs = options.int("--epochs", default: 10, help: "passes over the data in 3.4", range: 1...100)
options.require(secondDigit != firstDigit, option: "--second", value: "\(secondDigit)",
                expected: "a digit other than --first (\(firstDigit))")
options.quickRun = ["--epochs", "1"]
options.parse(cost: estimatedCost(epochs: epochs), usualCost: estimatedCost(epochs: 10))

runChapter {
  // The data first: a damaged file stops the chapter before it prints or writes anything.
  let digits = (train: try Datasets.images(dataName, .train, format: .csv),
                test: try Datasets.images(dataName, .test, format: .csv))
  var generator = RandomGenerator(seed: seed)

  // MARK: - 3.1 Walking downhill

  section("3.1 Walking downhill")
  // J(θ) = (θ − 3)² has its minimum at θ = 3; its slope is dJ/dθ = 2(θ − 3).
  var trajectory: [(step: Int, theta: Float)] = [(0, 0)]
  // snippet: descent-1d
  var theta: Float = 0
  let alpha: Float = 0.1
  for step in 1...30 {
    let slope = 2 * (theta - 3)  // dJ/dθ
    theta -= alpha * slope       // θ ← θ − α·dJ/dθ
    trajectory.append((step, theta))
  }
  // end snippet
  printTable(
    headers: ["step", "θ", "J(θ)", "distance to 3"],
    rows: trajectory.filter { [0, 1, 2, 3, 5, 10, 20, 30].contains($0.step) }.map { step, theta in
      ["\(step)", format(theta, decimals: 4), format((theta - 3) * (theta - 3), decimals: 6),
       format(3 - theta, decimals: 4)]
    })
  print("each step multiplies the distance by 1 − 2α = \(format(1 - 2 * alpha, decimals: 1))")

  // MARK: - 3.2 Linear regression by hand

  section("3.2 Linear regression by hand")
  let line = makeLineData(count: 100, using: &generator)
  let linear = trainLinearRegression(x: line.x, y: line.y, learningRate: 0.3, steps: 200)
  let exact = leastSquares(x: line.x, y: line.y)
  let minimumLoss = meanSquaredError(x: line.x, y: line.y, w: exact.w, b: exact.b)
  print("100 points y = 3x + 1 + noise (σ = 0.5), learning rate 0.3, 200 steps")
  printTable(
    headers: ["step", "loss J(w, b)"],
    rows: [0, 10, 50, 100, 200].map { ["\($0)", format(linear.losses[$0], decimals: 6)] })
  printTable(
    headers: ["", "w", "b", "loss"],
    rows: [["generating line", "3.0000", "1.0000",
            format(meanSquaredError(x: line.x, y: line.y, w: 3, b: 1), decimals: 6)],
           ["gradient descent", format(linear.w, decimals: 4), format(linear.b, decimals: 4),
            format(linear.losses.last!, decimals: 6)],
           ["least squares (exact)", format(exact.w, decimals: 4), format(exact.b, decimals: 4),
            format(minimumLoss, decimals: 6)]])
  var fit = LineChart(title: "Linear regression by gradient descent", xLabel: "x", yLabel: "y")
  fit.series.append(.init("data", x: line.x, y: line.y, markers: true, lineWidth: 0))
  fit.addSeries("fitted: y = \(format(linear.w, decimals: 2))x + \(format(linear.b, decimals: 2))",
                x: [Float(0), 2], y: [linear.b, 2 * linear.w + linear.b])
  fit.addSeries("generating: y = 3x + 1", x: [Float(0), 2], y: [Float(1), 7], dashed: true)
  fit.legendPosition = .topLeft
  print("figure: \(try fit.write(to: figurePath("03-linear-fit.svg")))")

  // MARK: - 3.3 Logistic regression by hand

  section("3.3 Logistic regression by hand")
  let train = try DigitPair(digits.train, first: firstDigit, second: secondDigit)
  let test = try DigitPair(digits.test, first: firstDigit, second: secondDigit)
  print("digits \(firstDigit) (label 0) and \(secondDigit) (label 1): \(train.count) training and "
        + "\(test.count) test images of 64 pixels in [0, 1]")
  var model = LogisticRegression(features: 64)
  var logisticLosses: [(step: Int, loss: Float)] = [(0, model.loss(train.features, train.labels))]
  let stopwatch = Stopwatch()
  for step in 1...300 {
    model.step(train.features, train.labels, learningRate: 0.5)
    if [25, 50, 100, 200, 300].contains(step) {
      logisticLosses.append((step, model.loss(train.features, train.labels)))
    }
  }
  let seconds = stopwatch.seconds
  printTable(headers: ["step", "training loss"],
             rows: logisticLosses.map { ["\($0.step)", format($0.loss, decimals: 4)] })
  print("training accuracy \(formatPercent(model.accuracy(train.features, train.labels)))  "
        + "test accuracy \(formatPercent(model.accuracy(test.features, test.labels))) "
        + "(\(test.count) images), trained in \(formatDuration(seconds))")
  let averages = averageImages(train)
  var weightsFigure = HeatmapGrid(title: "What the neuron looks at", columns: 3)
  weightsFigure.sharedScale = false
  weightsFigure.add(averages.first, width: 8, height: 8, caption: "average \(firstDigit)")
  weightsFigure.add(averages.second, width: 8, height: 8, caption: "average \(secondDigit)")
  weightsFigure.add(model.weights.data, width: 8, height: 8,
                    caption: "weights (red: \(secondDigit), blue: \(firstDigit))")
  print("figure: \(try weightsFigure.write(to: figurePath("03-logistic-weights.svg")))")

  // MARK: - 3.4 Full batch, stochastic and mini-batch

  section("3.4 Full batch, stochastic and mini-batch")
  print("\(counted(epochs, "epoch")) over the \(train.count) training images, learning rate 0.5, from zero")
  let runs = [train.count, 32, 1].map { batchSize in
    trainInBatches(train, batchSize: batchSize, epochs: epochs, learningRate: 0.5, using: &generator)
  }
  printTable(
    headers: ["batch size", "updates", "final training loss", "test accuracy", "training time"],
    rows: runs.map { run in
      ["\(run.batchSize)\(run.batchSize == train.count ? " (full)" : run.batchSize == 1 ? " (SGD)" : "")",
       "\(run.updates)", format(run.losses.last!, decimals: 4),
       formatPercent(run.model.accuracy(test.features, test.labels)), formatDuration(run.trainingSeconds)]
    })
  var batchChart = LineChart(title: "Loss against examples seen (logistic regression, digits)",
                             xLabel: "epochs (examples seen / \(train.count))",
                             yLabel: "training loss (log scale)")
  for run in runs {
    let name = run.batchSize == train.count ? "full batch (\(run.batchSize))"
      : run.batchSize == 1 ? "stochastic (1)" : "mini-batch (\(run.batchSize))"
    batchChart.addSeries(name, x: run.examplesSeen.map { Double($0) / Double(train.count) }, y: run.losses)
  }
  batchChart.logScaleY = true
  print("figure: \(try batchChart.write(to: figurePath("03-batch-sizes.svg")))")

  // MARK: - 3.5 The learning rate

  section("3.5 The learning rate")
  let curvature = largestCurvature(x: line.x)
  let limit = 2 / curvature
  print("largest curvature of J (Hessian eigenvalue) λmax = \(format(curvature, decimals: 3)); "
        + "descent converges for α < 2/λmax = \(format(limit, decimals: 3))")
  let rates: [Float] = [0.01, 0.1, 0.4, (limit * 1.1 * 100).rounded() / 100]
  var rateChart = LineChart(title: "Learning rates on linear regression", xLabel: "step",
                            yLabel: "loss (log scale)")
  var rateRows: [[String]] = []
  for rate in rates {
    let run = trainLinearRegression(x: line.x, y: line.y, learningRate: rate, steps: 100)
    let final = run.losses.last!
    let reached = firstStep(within: 0.01, of: minimumLoss, in: run.losses)
    let verdict = !final.isFinite || final > run.losses[0] ? "diverges: α > 2/λmax"
      : reached == nil ? "too small: still \(format(final - minimumLoss, decimals: 4)) above the minimum"
      : "converges"
    rateRows.append([format(rate, decimals: 2), formatLoss(final), reached.map { "\($0)" } ?? "—", verdict])
    rateChart.addSeries("α = \(format(rate, decimals: 2))", y: run.losses)
  }
  printTable(headers: ["learning rate α", "loss after 100 steps", "steps to within 1%", ""],
             rows: rateRows)
  rateChart.addReferenceLine(y: Double(minimumLoss), label: "least-squares minimum")
  rateChart.logScaleY = true
  rateChart.yRange = 0.1...1000
  print("figure: \(try rateChart.write(to: figurePath("03-learning-rates.svg")))")
}
