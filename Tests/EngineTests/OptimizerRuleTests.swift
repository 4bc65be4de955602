import Foundation
import Testing
@testable import DeepLearning
import TestSupport

// Every option of every optimiser, checked against its update rule written out by hand, in
// Double, for several steps with gradients that change from step to step. Each option is tested
// where it changes the result, so an optimiser that ignores it (Adam without its weight decay, SGD
// without momentum, Adam without bias correction) fails here.

/// The gradient at step t (1-based) for each of three parameters: different signs and sizes,
/// changing every step, so that momentum, the running averages and their corrections all matter.
private func gradient(step t: Int) -> [Double] {
  [0.5 - 0.1 * Double(t), -2.0 + 0.3 * Double(t * t % 5), 0.01 * Double(t)]
}

private let start: [Double] = [1.0, -0.5, 3.0]

/// Runs `optimizer` (built on one parameter holding `start`) for `steps` steps with `gradient(step:)`
/// and returns the parameter after each step.
private func trajectory(steps: Int, _ makeOptimizer: ([Tensor]) -> any Optimizer) -> [[Double]] {
  let theta = Tensor(start.map(Float.init), requiresGrad: true)
  let optimizer = makeOptimizer([theta])
  var path: [[Double]] = []
  for t in 1...steps {
    theta.grad = Tensor(gradient(step: t).map(Float.init))
    optimizer.step()
    path.append(theta.data.map(Double.init))
  }
  return path
}

/// SGD by hand: g = ∇ + λθ, v ← μv + g, θ ← θ − αv.
private func sgdByHand(steps: Int, rate α: Double, momentum μ: Double, weightDecay λ: Double) -> [[Double]] {
  var (θ, v) = (start, [Double](repeating: 0, count: start.count))
  var path: [[Double]] = []
  for t in 1...steps {
    let g = zip(gradient(step: t), θ).map { $0 + λ * $1 }
    v = zip(v, g).map { μ * $0 + $1 }
    θ = zip(θ, v).map { $0 - α * $1 }
    path.append(θ)
  }
  return path
}

/// Adam by hand: g = ∇ + λθ, m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
/// m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), θ ← θ − α m̂/(√v̂ + ε).
private func adamByHand(steps: Int, rate α: Double, β1: Double, β2: Double, ε: Double, weightDecay λ: Double)
  -> [[Double]]
{
  var θ = start
  var (m, v) = ([Double](repeating: 0, count: start.count), [Double](repeating: 0, count: start.count))
  var path: [[Double]] = []
  for t in 1...steps {
    let g = zip(gradient(step: t), θ).map { $0 + λ * $1 }
    m = zip(m, g).map { β1 * $0 + (1 - β1) * $1 }
    v = zip(v, g).map { β2 * $0 + (1 - β2) * $1 * $1 }
    let mHat = m.map { $0 / (1 - pow(β1, Double(t))) }
    let vHat = v.map { $0 / (1 - pow(β2, Double(t))) }
    θ = θ.indices.map { θ[$0] - α * mHat[$0] / (vHat[$0].squareRoot() + ε) }
    path.append(θ)
  }
  return path
}

/// Records an issue for the first step where the two trajectories differ by more than `tolerance`.
private func expectSamePath(_ engine: [[Double]], _ hand: [[Double]], _ name: String, tolerance: Double = 1e-5,
                            sourceLocation: SourceLocation = #_sourceLocation) {
  for (t, (a, b)) in zip(engine, hand).enumerated() {
    let gap = zip(a, b).map { abs($0 - $1) }.max() ?? 0
    if gap > tolerance {
      Issue.record("\(name): after step \(t + 1) the engine has \(a), the rule by hand \(b)",
                   sourceLocation: sourceLocation)
      return
    }
  }
}

@Suite("Chapter06 optimisers follow their update rules")
struct Chapter06OptimizerRuleTests {
  @Test("SGD: plain, with momentum, with weight decay, and both", arguments: [
    (0.0, 0.0), (0.9, 0.0), (0.0, 0.1), (0.9, 0.05),
  ])
  func sgd(settings: (momentum: Double, weightDecay: Double)) {
    let engine = trajectory(steps: 6) {
      SGD($0, learningRate: 0.1, momentum: Float(settings.momentum), weightDecay: Float(settings.weightDecay))
    }
    let hand = sgdByHand(steps: 6, rate: 0.1, momentum: settings.momentum, weightDecay: settings.weightDecay)
    expectSamePath(engine, hand, "SGD momentum \(settings.momentum), weight decay \(settings.weightDecay)")
  }

  @Test("Adam: its bias correction, its betas and epsilon, and its weight decay", arguments: [
    (0.9, 0.999, 1e-8, 0.0), (0.5, 0.9, 1e-8, 0.0), (0.9, 0.999, 0.1, 0.0), (0.9, 0.999, 1e-8, 0.1),
    (0.8, 0.99, 1e-3, 0.05),
  ])
  func adam(settings: (beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double)) {
    let engine = trajectory(steps: 6) {
      Adam($0, learningRate: 0.01, beta1: Float(settings.beta1), beta2: Float(settings.beta2),
           epsilon: Float(settings.epsilon), weightDecay: Float(settings.weightDecay))
    }
    let hand = adamByHand(steps: 6, rate: 0.01, β1: settings.beta1, β2: settings.beta2, ε: settings.epsilon,
                          weightDecay: settings.weightDecay)
    expectSamePath(engine, hand, "Adam β₁ \(settings.beta1), β₂ \(settings.beta2), ε \(settings.epsilon), "
                   + "weight decay \(settings.weightDecay)")
  }

  @Test("each option changes the path, so the comparisons above can fail")
  func optionsMatter() {
    func gap(_ a: [[Double]], _ b: [[Double]]) -> Double {
      zip(a.joined(), b.joined()).map { abs($0 - $1) }.max() ?? 0
    }
    let plain = sgdByHand(steps: 6, rate: 0.1, momentum: 0, weightDecay: 0)
    #expect(gap(plain, sgdByHand(steps: 6, rate: 0.1, momentum: 0.9, weightDecay: 0)) > 1e-2)
    #expect(gap(plain, sgdByHand(steps: 6, rate: 0.1, momentum: 0, weightDecay: 0.1)) > 1e-2)
    let adam = adamByHand(steps: 6, rate: 0.01, β1: 0.9, β2: 0.999, ε: 1e-8, weightDecay: 0)
    #expect(gap(adam, adamByHand(steps: 6, rate: 0.01, β1: 0.9, β2: 0.999, ε: 1e-8, weightDecay: 0.1)) > 1e-3)
    #expect(gap(adam, adamByHand(steps: 6, rate: 0.01, β1: 0.5, β2: 0.999, ε: 1e-8, weightDecay: 0)) > 1e-3)
    #expect(gap(adam, adamByHand(steps: 6, rate: 0.01, β1: 0.9, β2: 0.999, ε: 0.1, weightDecay: 0)) > 1e-3)
    // Without the bias correction the first steps are about (1 − β₁)/√(1 − β₂) ≈ 3× too large.
    let uncorrected = trajectory(steps: 1) { Adam($0, learningRate: 0.01) }
    #expect(abs((uncorrected[0][0] - start[0]) + 0.01) < 1e-4, "Adam's first step is α·sign(g), corrected")
  }
}
