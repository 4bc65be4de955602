// Chapter 1 · Activation functions: the exercises (leaky ReLU and softplus with their derivatives)
// and the chapter program itself. `swift test --filter Chapter01` runs exactly these.

import Foundation
import Testing

@testable import Chapter01
@testable import DeepLearning
import TestSupport

@Suite("Chapter 1: activation functions", .serialized)
struct Chapter01Tests {
  /// Points in [−6, 6] that stay 0.05 away from 0, where leaky ReLU has its kink.
  static let samplePoints: [Float] = stride(from: Float(-6), through: 6, by: 0.25).map { $0 == 0 ? 0.5 : $0 }

  /// A slope measured in Double from a Float function: (f(x + h) − f(x − h)) / 2h with h = 1e-3.
  static func measuredSlope(_ f: (Float) -> Float, at x: Float) -> Double {
    let h: Float = 1e-3
    return (Double(f(x + h)) - Double(f(x - h))) / Double(2 * h)
  }

  // MARK: Exercises

  @Test("leaky ReLU is x above zero and slope·x below")
  func leakyReLUValues() {
    #expect(leakyReLU(2) == 2)
    #expect(leakyReLU(-2) == -0.02)
    #expect(leakyReLU(-3, slope: 0.2) == -0.6)
    #expect(leakyReLU(0) == 0)
  }

  @Test("leaky ReLU's derivative matches measured slopes", arguments: [Float(0.01), 0.2])
  func leakyReLUDerivativeMatches(slope: Float) {
    for x in Self.samplePoints {
      let expected = Self.measuredSlope({ leakyReLU($0, slope: slope) }, at: x)
      let derivative = leakyReLUDerivative(x, slope: slope)
      #expect(abs(Double(derivative) - expected) < 1e-3,
              "leakyReLUDerivative(\(x), slope: \(slope)) = \(derivative), measured slope \(expected)")
    }
  }

  @Test("softplus is log(1 + eˣ) and stays finite and accurate for large |x|")
  func softplusValues() {
    for x in Self.samplePoints {
      let exact = Foundation.log(1 + Foundation.exp(Double(x)))
      #expect(abs(Double(softplus(x)) - exact) <= 1e-6 * max(1, exact), "softplus(\(x)) = \(softplus(x)), exact \(exact)")
    }
    #expect(abs(softplus(0) - Float(Foundation.log(2.0))) < 1e-6)
    // e^100 overflows Float32: the naive formula gives infinity here.
    #expect(softplus(100) == 100, "softplus(100) = \(softplus(100)); rewrite it so that e^x is never taken of a large x")
    // 1 + e^−20 rounds to 1 in Float32: the naive formula gives 0 here instead of 2.06e-9.
    let tiny = softplus(-20)
    #expect(abs(Double(tiny) - 2.0611536e-9) < 1e-3 * 2.0611536e-9,
            "softplus(−20) = \(tiny), expected 2.0611536e-9; log(1 + y) loses y below 1e-7: try log1p")
  }

  @Test("softplus' derivative is the sigmoid and matches measured slopes")
  func softplusDerivativeMatches() {
    for x in Self.samplePoints {
      let expected = Self.measuredSlope(softplus, at: x)
      #expect(abs(Double(softplusDerivative(x)) - expected) < 1e-3,
              "softplusDerivative(\(x)) = \(softplusDerivative(x)), measured slope \(expected)")
      #expect(abs(softplusDerivative(x) - sigmoid(x)) < 1e-6)
    }
    #expect(softplusDerivative(100) == 1 && softplusDerivative(-100) >= 0 && softplusDerivative(-100) < 1e-30)
  }

  // MARK: The chapter's own helpers

  @Test("the hand-written derivatives agree with the engine's backward()")
  func handDerivativesMatchEngine() {
    let points = Self.samplePoints
    let pairs: [((Float) -> Float, (Tensor) -> Tensor)] = [
      (sigmoidDerivative, DeepLearning.sigmoid), (tanhDerivative, DeepLearning.tanh), (reluDerivative, DeepLearning.relu),
    ]
    for (derivative, engine) in pairs {
      let x = Tensor(points, requiresGrad: true)
      engine(x).sum().backward()
      #expect(maxDifference(x.grad!.data, points.map(derivative)) < 1e-6)
    }
  }

  // MARK: The program

  @Test("the chapter prints its sections, the neuron's decisions, matching derivatives, and its figures")
  func chapterRuns() throws {
    let run = try ChapterRunner.run("Chapter01", ["--seed", "7"])
    try ChapterRunner.expectCompleteRun(
      run, folder: "01-ActivationFunctions", figures: ["01-sigmoid.svg", "01-tanh.svg", "01-relu.svg"])

    // 1.1: z = 0.8·2 + 0.6·3 + 0·(−1.5) − 2 = 1.4, σ(1.4) = 0.8022.
    #expect(run.numbers(inLineStartingWith: "weighted sum z", in: "1.1 One neuron") == [1.4])
    #expect(run.line(startingWith: "σ(z) = 0.8022  → take the umbrella", in: "1.1 One neuron") != nil, "\(run.output)")
    #expect(run.line(startingWith: "engine, day 2: σ(z) = 0.0411  → leave", in: "1.1 One neuron") != nil)

    // 1.2–1.4: formula and measured slope agree to 4 decimals, except ReLU at its kink.
    for (title, name) in [("1.2 Sigmoid", "sigmoid"), ("1.3 Tanh", "tanh"), ("1.4 ReLU", "relu")] {
      let rows = run.section(title).map(ChapterRunner.numbers(in:)).filter { $0.count == 4 }
      #expect(rows.count == 9, "\(title): expected 9 table rows")
      for row in rows where !(name == "relu" && row[0] == 0) {
        #expect(abs(row[2] - row[3]) <= 1e-4, "\(title): x = \(row[0]): formula \(row[2]), measured \(row[3])")
      }
    }
    #expect(run.line(startingWith: " 0.0", in: "1.4 ReLU").map(ChapterRunner.numbers(in:)) == [0, 0, 0, 0.5])

    // 1.5: the engine's values and slopes equal the formulas.
    for name in ["sigmoid", "tanh", "relu"] {
      let differences = run.numbers(inLineStartingWith: name + " ", in: "1.5 The same functions in the engine")
      #expect(differences.count == 2 && differences.allSatisfy { $0 < 1e-6 }, "\(name): \(differences)")
    }

    // 1.6: stacked linear layers are linear; with ReLU they are not.
    let section = "1.6 Why the non-linearity matters"
    let linearGap = run.numbers(inLineStartingWith: "linear · linear", in: section)
    let reluGap = run.numbers(inLineStartingWith: "linear · relu · linear", in: section)
    #expect(linearGap.count == 1 && linearGap[0] < 1e-4, "\(linearGap)")
    #expect(reluGap.count == 1 && reluGap[0] > 0.01, "\(reluGap)")
  }

  @Test("--help prints the usage; an unknown option exits with status 2")
  func options() throws {
    try ChapterRunner.expectStandardOptions("Chapter01")
  }

  @Test("every numeric option runs, warns or is refused at both ends of its range, and never crashes")
  func optionRanges() throws {
    try OptionWalk.expectCleanEnds("Chapter01")
  }
}
