// Chapter 2 · Loss functions: the exercises (the gradient of MSE, a stable log-sum-exp, the
// gradient of softmax cross-entropy) and the chapter program. `swift test --filter Chapter02`.

import Foundation
import Testing

@testable import Chapter02
@testable import DeepLearning
import TestSupport

@Suite("Chapter 2: loss functions", .serialized)
struct Chapter02Tests {
  /// log Σ e^zⱼ in Double, exact enough to grade a Float32 answer for moderate scores.
  static func referenceLogSumExp(_ z: [Float]) -> Double {
    let m = Double(z.max()!)
    return m + Foundation.log(z.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) })
  }

  // MARK: Exercises

  @Test("the gradient of MSE equals autograd's", arguments: [1, 4, 37])
  func meanSquaredErrorGradientMatches(count: Int) {
    let predictions = randomInput([count], seed: 200 + count, low: -3, high: 3)
    let targets = randomInput([count], seed: 300 + count, low: -3, high: 3)
    let leaf = Tensor(predictions.data, requiresGrad: true)
    meanSquaredError(leaf, targets).backward()
    let yours = meanSquaredErrorGradient(predictions: predictions.data, targets: targets.data)
    #expect(yours.count == count)
    #expect(maxDifference(yours, leaf.grad!.data) < 1e-6,
            "yours \(yours), autograd \(leaf.grad!.data)")
  }

  @Test("log-sum-exp is right for ordinary scores and finite for huge and tiny ones")
  func logSumExpIsStable() {
    for seed in 0..<5 {
      let z = randomInput([2 + seed], seed: 400 + seed, low: -10, high: 10).data
      #expect(abs(Double(logSumExp(z)) - Self.referenceLogSumExp(z)) < 1e-5, "logSumExp(\(z))")
    }
    let ln2 = Float(Foundation.log(2.0))
    #expect(abs(logSumExp([1000, 1000]) - (1000 + ln2)) < 1e-3,
            "logSumExp([1000, 1000]) = \(logSumExp([1000, 1000])); subtract the largest score first")
    #expect(abs(logSumExp([-1000, -1000]) - (-1000 + ln2)) < 1e-3,
            "logSumExp([−1000, −1000]) = \(logSumExp([-1000, -1000])); subtract the largest score first")
    #expect(abs(logSumExp([5]) - 5) < 1e-6)
  }

  @Test("the gradient of softmax cross-entropy equals autograd's", arguments: [2, 3, 10])
  func crossEntropyGradientMatches(classes: Int) {
    for label in [0, classes - 1] {
      let scores = randomInput([1, classes], seed: 500 + classes + label, low: -4, high: 4)
      let leaf = Tensor(shape: [1, classes], data: scores.data, requiresGrad: true)
      crossEntropy(logits: leaf, labels: [label]).backward()
      let yours = crossEntropyGradient(scores: scores.data, label: label)
      #expect(maxDifference(yours, leaf.grad!.data) < 1e-6, "yours \(yours), autograd \(leaf.grad!.data)")
    }
    // Huge scores must not turn the gradient into NaN.
    let huge = crossEntropyGradient(scores: [1000, 0, -1000], label: 1)
    #expect(maxDifference(huge, [1, -1, 0]) < 1e-6, "crossEntropyGradient([1000, 0, −1000], label: 1) = \(huge)")
  }

  // MARK: The chapter's own helpers

  @Test("naive softmax overflows to NaN in Float32; the stable one equals the engine's")
  func softmaxByHand() {
    #expect(naiveSoftmax([1000, 1001, 1002]).allSatisfy { $0.isNaN })
    let z: [Float] = [1000, 1001, 1002]
    // The engine computes exp(z − (m + log Σ)), and m + log Σ ≈ 1002.4 is rounded to Float32's
    // spacing there (6e-5), so for scores this large the two agree to about 1e-5.
    #expect(maxDifference(stableSoftmax(z), softmax(Tensor(z)).data) < 1e-4)
    #expect(maxDifference(stableSoftmax([0, 1, 2]), naiveSoftmax([0, 1, 2])) < 1e-6)
  }

  // MARK: The program

  @Test("the chapter prints each loss by hand and by the engine, equal, and its figures")
  func chapterRuns() throws {
    let run = try ChapterRunner.run("Chapter02", ["--seed", "7"])
    try ChapterRunner.expectCompleteRun(
      run, folder: "02-LossFunctions", figures: ["02-loss-vs-prediction.svg", "02-slope-vs-logit.svg"])

    let mse = "2.1 Mean squared error"
    #expect(run.numbers(inLineStartingWith: "MSE by hand", in: mse) == [2.75])
    #expect(run.numbers(inLineStartingWith: "MSE engine", in: mse) == [2.75])

    let bce = "2.2 Binary cross-entropy"
    for prefix in ["BCE by hand", "BCE engine, from p", "BCE engine, from logits"] {
      #expect(run.numbers(inLineStartingWith: prefix, in: bce) == [1.3611], "\(prefix)")
    }
    #expect(run.line(startingWith: "the probability p = 1", in: bce)?.hasSuffix("inf") == true)
    #expect(run.numbers(inLineStartingWith: "the logit z = 20", in: bce).last == 20)

    let softmaxSection = "2.3 Softmax and cross-entropy"
    #expect(run.numbers(inLineStartingWith: "cross-entropy by hand", in: softmaxSection) == [1.4185])
    #expect(run.numbers(inLineStartingWith: "engine crossEntropy", in: softmaxSection) == [1.4185])

    // 2.4: the naive softmax gives NaN for scores ±1000; the stable one and the engine do not.
    let logSumExpSection = "2.4 Why log-sum-exp"
    for prefix in ["[1000, 1001, 1002]", "[-1000, -1001, -1002]"] {
      let line = run.line(startingWith: prefix, in: logSumExpSection) ?? ""
      let values = ChapterRunner.numbers(in: String(line.dropFirst(prefix.count)))
      #expect(values.count == 9, "\(line)")
      if values.count == 9 {
        #expect(values[0..<3].allSatisfy { $0.isNaN }, "naive softmax should be NaN: \(line)")
        #expect(Array(values[3..<6]) == Array(values[6..<9]), "stable and engine differ: \(line)")
        #expect(abs(values[3..<6].reduce(0, +) - 1) < 2e-4, "probabilities must add up to 1: \(line)")
      }
    }

    // 2.5: every gradient formula equals autograd.
    for prefix in ["MSE  ∂L/∂p", "BCE  ∂L/∂z", "cross-entropy  ∂L/∂z"] {
      let difference = run.numbers(inLineStartingWith: prefix, in: "2.5 The gradients of the losses").last
      #expect(difference.map { $0 < 1e-6 } == true, "\(prefix): \(String(describing: difference))")
    }

    // 2.6: confidently wrong, squared error hardly moves the logit and cross-entropy pushes fully.
    let slopes = run.numbers(inLineStartingWith: "   -8.0", in: "2.6 Loss against prediction")
    #expect(slopes.count == 3 && abs(slopes[1]) < 0.01 && abs(slopes[2]) > 0.99, "\(slopes)")
  }

  @Test("--help prints the usage; an unknown option exits with status 2")
  func options() throws {
    try ChapterRunner.expectStandardOptions("Chapter02")
  }

  @Test("every numeric option runs, warns or is refused at both ends of its range, and never crashes")
  func optionRanges() throws {
    try OptionWalk.expectCleanEnds("Chapter02")
  }
}
