// Chapter 3 · Gradient descent: the exercises (the gradient of ridge regression, the gradient of
// logistic regression with loops) and the chapter program. `swift test --filter Chapter03`.

import Foundation
import Testing

@testable import Chapter03
@testable import DeepLearning
@testable import DataLoading
import TestSupport

@Suite("Chapter 3: gradient descent", .serialized)
struct Chapter03Tests {
  /// The output with durations (`60.6 ms`, `0.2 s`, `350 µs`) replaced by `<time>`, runs of spaces
  /// collapsed and table rules dropped (a longer duration widens its column), so two runs compare.
  static func withoutTimes(_ text: String) -> [String] {
    text.split(separator: "\n").map { line in
      line.replacingOccurrences(of: #"[0-9.]+ (µs|ms|s|min)\b"#, with: "<time>", options: .regularExpression)
        .replacingOccurrences(of: #" +"#, with: " ", options: .regularExpression)
    }.filter { !$0.allSatisfy { $0 == "─" || $0 == " " } }
  }

  /// The largest absolute difference between two equally long arrays.
  static func largestGap(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
  }

  // MARK: Exercises

  @Test("the ridge-regression gradient equals autograd's and central differences'",
        arguments: [Float(0), 0.1, 2])
  func ridgeGradientMatches(lambda: Float) {
    for seed in 0..<3 {
      let x = randomInput([20], seed: 600 + seed, low: 0, high: 2)
      let y = randomInput([20], seed: 700 + seed, low: -1, high: 7)
      let (w0, b0): (Float, Float) = (Float(seed) - 1, 0.5)
      let w = Tensor([w0], requiresGrad: true), b = Tensor([b0], requiresGrad: true)
      let loss = meanSquaredError(x * w + b, y) + lambda * (w * w).sum()
      loss.backward()
      let yours = ridgeGradient(x: x.data, y: y.data, w: w0, b: b0, lambda: lambda)
      let autograd = (w.grad!.item, b.grad!.item)
      #expect(abs(yours.dw - autograd.0) <= 1e-4 * max(1, abs(autograd.0)), "∂J/∂w: yours \(yours.dw), autograd \(autograd.0)")
      #expect(abs(yours.db - autograd.1) <= 1e-4 * max(1, abs(autograd.1)), "∂J/∂b: yours \(yours.db), autograd \(autograd.1)")

      // The same in Double, by central differences, independent of the engine.
      func objective(_ w: Double, _ b: Double) -> Double {
        zip(x.data, y.data).reduce(0.0) { total, pair in
          let error = w * Double(pair.0) + b - Double(pair.1)
          return total + error * error
        } / Double(x.count) + Double(lambda) * w * w
      }
      let h = 1e-4
      let dw = (objective(Double(w0) + h, Double(b0)) - objective(Double(w0) - h, Double(b0))) / (2 * h)
      let db = (objective(Double(w0), Double(b0) + h) - objective(Double(w0), Double(b0) - h)) / (2 * h)
      #expect(abs(Double(yours.dw) - dw) <= 1e-4 * max(1, abs(dw)), "∂J/∂w: yours \(yours.dw), measured \(dw)")
      #expect(abs(Double(yours.db) - db) <= 1e-4 * max(1, abs(db)), "∂J/∂b: yours \(yours.db), measured \(db)")
    }
  }

  @Test("the logistic-regression gradient with loops equals autograd's", arguments: [(1, 3), (8, 5), (30, 64)])
  func logisticGradientMatches(shape: (examples: Int, features: Int)) {
    let x = randomInput([shape.examples, shape.features], seed: 800 + shape.features, low: 0, high: 1)
    let labels = (0..<shape.examples).map { Float(($0 * 7 + 3) % 2) }
    let w0 = randomInput([shape.features, 1], seed: 900 + shape.features)
    let w = Tensor(shape: w0.shape, data: w0.data, requiresGrad: true)
    let b = Tensor([0.3], requiresGrad: true)
    binaryCrossEntropy(logits: x.matmul(w) + b, targets: Tensor(shape: [shape.examples, 1], data: labels)).backward()
    let yours = logisticRegressionGradient(x: x.rows, y: labels, w: w0.data, b: 0.3)
    #expect(yours.dw.count == shape.features)
    #expect(Self.largestGap(yours.dw, w.grad!.data) < 1e-5, "∂L/∂w: yours \(yours.dw), autograd \(w.grad!.data)")
    #expect(abs(yours.db - b.grad!.item) < 1e-5, "∂L/∂b: yours \(yours.db), autograd \(b.grad!.item)")
  }

  // MARK: The chapter's own code

  @Test("the hand-derived logistic-regression gradient equals autograd's")
  func chapterGradientMatchesAutograd() {
    var model = LogisticRegression(features: 6)
    model.weights = randomInput([6, 1], seed: 11)
    model.bias = Tensor([-0.2])
    let x = randomInput([10, 6], seed: 12, low: 0, high: 1)
    let y = Tensor(shape: [10, 1], data: (0..<10).map { Float($0 % 3 == 0 ? 1 : 0) })
    let hand = model.gradients(x, y)
    let w = Tensor(shape: [6, 1], data: model.weights.data, requiresGrad: true)
    let b = Tensor([-0.2], requiresGrad: true)
    binaryCrossEntropy(logits: x.matmul(w) + b, targets: y).backward()
    #expect(Self.largestGap(hand.weights.data, w.grad!.data) < 1e-6)
    #expect(abs(hand.bias.item - b.grad!.item) < 1e-6)
  }

  @Test("linear regression by gradient descent reaches the least-squares solution")
  func linearRegressionConverges() {
    var generator = RandomGenerator(seed: 5)
    let data = makeLineData(count: 50, using: &generator)
    let trained = trainLinearRegression(x: data.x, y: data.y, learningRate: 0.3, steps: 300)
    let exact = leastSquares(x: data.x, y: data.y)
    #expect(abs(trained.w - exact.w) < 1e-3 && abs(trained.b - exact.b) < 1e-3, "\(trained) vs \(exact)")
    // Just above 2/λmax the same descent diverges.
    let limit = 2 / largestCurvature(x: data.x)
    let diverging = trainLinearRegression(x: data.x, y: data.y, learningRate: limit * 1.05, steps: 200)
    #expect(!(diverging.losses.last! < diverging.losses[0]), "α = 1.05 · 2/λmax should diverge")
    let converging = trainLinearRegression(x: data.x, y: data.y, learningRate: limit * 0.95, steps: 2000)
    #expect(converging.losses.last! < converging.losses[0])
  }

  // MARK: The program

  @Test("the chapter trains, prints its results, and writes its figures")
  func chapterRuns() throws {
    // From a fresh temporary directory, as every chapter run here: the data is found from anywhere.
    let run = try ChapterRunner.run("Chapter03", ["--seed", "7"])
    try ChapterRunner.expectCompleteRun(
      run, folder: "03-GradientDescent",
      figures: ["03-linear-fit.svg", "03-logistic-weights.svg", "03-batch-sizes.svg", "03-learning-rates.svg"])

    // 3.1: after 30 steps θ = 3 − 3·0.8³⁰ = 2.9963.
    #expect(run.numbers(inLineStartingWith: "  30", in: "3.1 Walking downhill").first == 2.9963)

    // 3.2: gradient descent lands on the least-squares solution.
    let linear = "3.2 Linear regression by hand"
    let descent = run.numbers(inLineStartingWith: "gradient descent", in: linear)
    let exact = run.numbers(inLineStartingWith: "least squares (exact)", in: linear)
    #expect(descent.count == 3 && descent == exact, "descent \(descent), exact \(exact)")
    #expect(descent.count == 3 && abs(descent[0] - 3) < 0.3 && abs(descent[1] - 1) < 0.3, "\(descent)")

    // 3.3: logistic regression on 3 vs 8 learns: low loss, high accuracy.
    let logistic = "3.3 Logistic regression by hand"
    #expect(run.numbers(inLineStartingWith: "   0", in: logistic) == [0.6931], "log 2 at the start")
    let finalLoss = run.numbers(inLineStartingWith: " 300", in: logistic).first ?? .nan
    #expect(finalLoss < 0.06, "training loss after 300 steps: \(finalLoss)")
    let accuracies = run.numbers(inLineStartingWith: "training accuracy", in: logistic)
    #expect(accuracies.count >= 2 && accuracies[0] >= 98 && accuracies[1] >= 90, "\(accuracies)")

    // 3.4: per example seen, smaller batches get further.
    let batches = "3.4 Full batch, stochastic and mini-batch"
    let full = run.numbers(inLineStartingWith: "285 (full)", in: batches)
    let mini = run.numbers(inLineStartingWith: "        32", in: batches)
    let sgd = run.numbers(inLineStartingWith: "   1 (SGD)", in: batches)
    #expect(full.count >= 3 && mini.count >= 3 && sgd.count >= 3, "\(run.section(batches))")
    if full.count >= 3 && mini.count >= 3 && sgd.count >= 3 {
      #expect(full[0] == 10 && mini[0] == 90 && sgd[0] == 2850, "updates")
      #expect(sgd[1] < mini[1] && mini[1] < full[1], "final losses \(sgd[1]), \(mini[1]), \(full[1])")
    }

    // 3.5: too small, right, too large.
    let rates = "3.5 The learning rate"
    let limit = run.numbers(inLineStartingWith: "largest curvature", in: rates).last ?? .nan
    let rows = run.section(rates).filter { $0.hasPrefix("           0.") }
    #expect(rows.count == 4, "\(run.section(rates))")
    if rows.count == 4 {
      #expect(rows[0].contains("too small") && rows[1].contains("converges") && rows[2].contains("converges"))
      #expect(rows[3].contains("diverges") && (ChapterRunner.numbers(in: rows[3]).first ?? 0) > limit, "\(rows[3]), limit \(limit)")
    }
  }

  @Test("the same seed gives the same numbers; another seed other data")
  func reproducible() throws {
    let arguments = ["--data", "uci-digits", "--epochs", "2"]
    let first = try ChapterRunner.run("Chapter03", arguments + ["--seed", "3"])
    let second = try ChapterRunner.run("Chapter03", arguments + ["--seed", "3"])
    let other = try ChapterRunner.run("Chapter03", arguments + ["--seed", "4"])
    #expect(first.status == 0 && second.status == 0 && other.status == 0)
    #expect(Self.withoutTimes(first.output) == Self.withoutTimes(second.output))
    #expect(first.section("3.2 Linear regression by hand") != other.section("3.2 Linear regression by hand"))
    let figure = "figures/03-learning-rates.svg"
    #expect(first.file(figure) != nil && first.file(figure) == second.file(figure))
  }

  @Test("a missing data folder is an error that says where it looked and what to do")
  func missingData() throws {
    let run = try ChapterRunner.run("Chapter03", [], environment: ["COURSE_DATASETS": "/nonexistent/Datasets"])
    ChapterRunner.expectDataError(run, [
      "error: the environment variable COURSE_DATASETS names the data folder /nonexistent/Datasets, which does not exist",
      "fix: set COURSE_DATASETS to the course's Datasets folder, or unset it",
    ])
  }

  @Test("a pixel that is no number (nan, inf, empty, ?) names the file, line and column; nothing is written",
        arguments: ["nan", "inf", "", "?"])
  func damagedData(pixel: String) throws {
    let datasets = try ChapterRunner.copyOfDatasets(["uci-digits"])
    defer { ChapterRunner.removeCopyOfDatasets(datasets) }
    try ChapterRunner.replaceField(5, ofLine: 4, in: datasets.appendingPathComponent("uci-digits/test.csv"), with: pixel)
    let run = try ChapterRunner.run("Chapter03", [], environment: ["COURSE_DATASETS": datasets.path])
    let kind = pixel == "nan" || pixel == "inf" ? "a finite number" : "a number"
    ChapterRunner.expectDataError(run, [
      "uci-digits/test.csv:4 (byte ", "): expected \(kind) in column 6 (\"p4\"), found \"\(pixel)\"",
      "fix: write a number there, or restore it with `git checkout -- Datasets/uci-digits/test.csv`",
    ])
  }

  @Test("a malformed line names the file and the line")
  func malformedData() throws {
    let datasets = try ChapterRunner.copyOfDatasets(["uci-digits"])
    defer { ChapterRunner.removeCopyOfDatasets(datasets) }
    let train = datasets.appendingPathComponent("uci-digits/train.csv")
    var lines = try String(contentsOf: train, encoding: .utf8).components(separatedBy: "\n")
    lines[2] = "3,1,2"
    try lines.joined(separator: "\n").write(to: train, atomically: true, encoding: .utf8)
    let run = try ChapterRunner.run("Chapter03", [], environment: ["COURSE_DATASETS": datasets.path])
    ChapterRunner.expectDataError(run, ["train.csv:3", "expected 65 comma-separated fields (as in the header), found 3"])
  }

  @Test("--help prints the usage; an unknown option, or two equal digits, exit with status 2")
  func options() throws {
    try ChapterRunner.expectStandardOptions("Chapter03")
    let same = try ChapterRunner.run("Chapter03", ["--first", "4", "--second", "4"])
    #expect(same.status == 2 && same.errors.contains("--second"), "\(same.errors)")
    // --data names a data set, as in every chapter, not a folder.
    let folder = try ChapterRunner.run("Chapter03", ["--data", "Datasets/uci-digits"])
    #expect(folder.status == 2 && folder.errors.hasPrefix("error: --data expects one of uci-digits"), "\(folder.errors)")
  }

  @Test("every numeric option runs, warns or is refused at both ends of its range, and never crashes")
  func optionRanges() throws {
    try OptionWalk.expectCleanEnds("Chapter03")
  }
}
