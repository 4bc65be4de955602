// Chapter 4 · Automatic differentiation: the exercises (the chain rule through a tanh neuron, the
// backward rule of softplus) and the chapter program. `swift test --filter Chapter04`.

import Foundation
import Testing

@testable import Chapter04
@testable import DeepLearning
@testable import Core
import TestSupport

@Suite("Chapter 4: automatic differentiation", .serialized)
struct Chapter04Tests {
  // MARK: Exercises

  @Test("the tanh neuron's gradients equal backward()'s and central differences'", arguments: [1, 3, 10])
  func tanhNeuronGradientsMatch(inputs: Int) {
    for seed in 0..<4 {
      let x = randomInput([inputs], seed: 1000 + seed)
      let w0 = randomInput([inputs], seed: 1100 + seed, low: -1, high: 1)
      let (b0, target): (Float, Float) = (0.2 * Float(seed) - 0.3, seed % 2 == 0 ? 0.5 : -0.8)
      let w = Tensor(w0.data, requiresGrad: true), b = Tensor([b0], requiresGrad: true)
      pow(tanh((x * w).sum() + b) - target, 2).backward()
      let yours = tanhNeuronGradients(x: x.data, w: w0.data, b: b0, target: target)
      #expect(maxDifference(yours.dw, w.grad!.data) < 1e-5, "∂L/∂w: yours \(yours.dw), backward() \(w.grad!.data)")
      #expect(abs(yours.db - b.grad!.item) < 1e-5, "∂L/∂b: yours \(yours.db), backward() \(b.grad!.item)")

      // Central differences in Double, independent of the engine.
      func loss(_ w: [Double], _ b: Double) -> Double {
        let z = zip(x.data, w).reduce(b) { $0 + Double($1.0) * $1.1 }
        return (Foundation.tanh(z) - Double(target)) * (Foundation.tanh(z) - Double(target))
      }
      let h = 1e-5, wd = w0.data.map(Double.init)
      for i in 0..<inputs {
        var above = wd, below = wd
        above[i] += h
        below[i] -= h
        let measured = (loss(above, Double(b0)) - loss(below, Double(b0))) / (2 * h)
        #expect(abs(Double(yours.dw[i]) - measured) < 1e-4, "∂L/∂w\(i): yours \(yours.dw[i]), measured \(measured)")
      }
    }
  }

  @Test("softplus' backward rule equals autograd through log(1 + eˣ)", arguments: [[5], [3, 4], [2, 3, 2]])
  func softplusBackwardMatches(shape: [Int]) {
    let x = randomInput(shape, seed: 1200 + shape.count, low: -6, high: 6)
    let g = randomInput(shape, seed: 1300 + shape.count)
    let leaf = Tensor(shape: shape, data: x.data, requiresGrad: true)
    (log(1 + exp(leaf)) * g).sum().backward()
    let yours = softplusBackward(x, outputGradient: g)
    #expect(yours.shape == shape, "the gradient must have the input's shape \(shape), got \(yours.shape)")
    #expect(maxDifference(yours.data, leaf.grad!.data) < 1e-5, "yours \(yours.data), autograd \(leaf.grad!.data)")
    // And against the derivative's definition, element by element, in Double.
    for i in 0..<x.count {
      let xi = Double(x.data[i]), h = 1e-5
      let measured = (Foundation.log1p(Foundation.exp(xi + h)) - Foundation.log1p(Foundation.exp(xi - h))) / (2 * h)
      #expect(abs(Double(yours.data[i]) - Double(g.data[i]) * measured) < 1e-4)
    }
  }

  // MARK: The chapter's own code

  @Test("the autograd model takes the same steps as chapter 3's hand-derived one")
  func autogradModelMatchesHandModel() {
    let x = randomInput([12, 64], seed: 21, low: 0, high: 1)
    let y = Tensor(shape: [12, 1], data: (0..<12).map { Float($0 % 2) })
    var hand = HandLogisticRegression()
    let autograd = AutogradLogisticRegression()
    for _ in 0..<20 {
      let handGradient = hand.gradients(x, y), autogradGradient = autograd.gradients(x, y)
      #expect(maxDifference(handGradient.weights.data, autogradGradient.weights.data) < 1e-6)
      #expect(autograd.weights.grad == nil, "gradients() must leave no gradient behind for the next step")
      hand.apply(handGradient, learningRate: 0.5)
      autograd.apply(autogradGradient, learningRate: 0.5)
    }
    #expect(maxDifference(hand.weights.data, autograd.weights.data) < 1e-5)
    #expect(abs(hand.loss(x, y) - autograd.loss(x, y)) < 1e-6)
  }

  // MARK: The program

  @Test("the chapter's hand chain rule, gradient checks and two trainings agree")
  func chapterRuns() throws {
    let run = try ChapterRunner.run("Chapter04", ["--seed", "7", "--data", "uci-digits"])
    try ChapterRunner.expectCompleteRun(run, folder: "04-AutomaticDifferentiation", figures: ["04-hand-vs-autograd.svg"])

    // 4.1: the graph's nodes, each after its inputs, with the operation that made it.
    let graph = "4.1 Recording the graph"
    let operations = ["x": "leaf", "w": "leaf", "products": "multiply", "weightedSum": "sum", "z": "add",
                      "p": "sigmoid", "loss": "square"]
    for (node, operation) in operations {
      let line = run.line(startingWith: node + " ", in: graph) ?? ""
      #expect(line.split(separator: " ").dropFirst().first.map(String.init) == operation, "\(line)")
    }
    #expect(run.line(startingWith: "loss ", in: graph)?.contains("[0.6435]") == true)

    // 4.2: the chain rule by hand equals backward().
    let backward = "4.2 Backward: the chain rule in reverse"
    #expect((run.numbers(inLineStartingWith: "max |hand − backward()|", in: backward).first ?? 1) < 1e-6)
    for row in ["dL/dw1", "dL/dw2", "dL/db"] {
      let values = run.numbers(inLineStartingWith: row, in: backward)
      #expect(values.count >= 2 && values[values.count - 2] == values[values.count - 1], "\(row): \(values)")
    }
    #expect(run.numbers(inLineStartingWith: "dL/dw1", in: backward).last == 0.203671)

    // 4.3: a value used twice gets both gradients; two backward() add up; zeroGrad() clears.
    let twice = "4.3 A value used twice"
    #expect(run.numbers(inLineStartingWith: "one backward()", in: twice) == [7])
    #expect(run.numbers(inLineStartingWith: "two backward()", in: twice) == [14])
    #expect(run.line(startingWith: "zeroGrad()", in: twice)?.hasSuffix("nil") == true)

    // 4.4: every check passes; the mistaken derivation is far from the central difference.
    let check = "4.4 The gradient check"
    let checkRows = run.section(check).filter { $0.hasSuffix("passed") || $0.hasSuffix("FAILED") }
    #expect(checkRows.count == 9 && checkRows.allSatisfy { $0.hasSuffix("passed") }, "\(run.section(check))")
    let w1 = run.numbers(inLineStartingWith: "w1 ", in: check)
    #expect(w1.count == 3 && w1[0] == w1[2] && abs(w1[1] - w1[2]) > 0.5, "chain rule, mistaken, measured: \(w1)")

    // 4.5: the same training with hand gradients and with autograd ends at the same weights.
    let training = "4.5 Logistic regression with autograd"
    let parameterGap = run.numbers(inLineStartingWith: "max |hand − autograd| over all 65 parameters", in: training)
    let gradientGap = run.numbers(inLineStartingWith: "max |hand − autograd| gradient", in: training)
    #expect(parameterGap.count == 1 && parameterGap[0] < 1e-5, "\(parameterGap)")
    #expect(gradientGap.count == 1 && gradientGap[0] < 1e-5, "\(gradientGap)")
    let final = run.numbers(inLineStartingWith: " 300", in: training)
    #expect(final.count == 3 && final[0] < 0.06 && abs(final[0] - final[1]) < 1e-5, "\(final)")
  }

  @Test("a damaged data file stops the chapter before it prints or writes anything")
  func damagedData() throws {
    let datasets = try ChapterRunner.copyOfDatasets(["uci-digits"])
    defer { ChapterRunner.removeCopyOfDatasets(datasets) }
    try ChapterRunner.replaceField(0, ofLine: 7, in: datasets.appendingPathComponent("uci-digits/train.csv"), with: "11")
    let run = try ChapterRunner.run("Chapter04", [], environment: ["COURSE_DATASETS": datasets.path])
    ChapterRunner.expectDataError(run, [
      "uci-digits/train.csv:7: expected pixels 0…16 and labels 0…9, found the label 11",
      "fix: restore it with `git checkout -- Datasets/uci-digits/train.csv`",
    ])
  }

  @Test("--help prints the usage; an unknown option exits with status 2")
  func options() throws {
    try ChapterRunner.expectStandardOptions("Chapter04")
  }

  @Test("every numeric option runs, warns or is refused at both ends of its range, and never crashes")
  func optionRanges() throws {
    try OptionWalk.expectCleanEnds("Chapter04")
  }
}
