import Foundation
import Testing
@testable import DeepLearning
@testable import ChapterSupport
@testable import Core
import TestSupport

@Suite("Chapter04 autograd")
struct Chapter04AutogradTests {
  /// A check that cannot fail proves nothing: an operation with a deliberately wrong backward
  /// rule (the derivative of x³ taken as 2x²) must be caught.
  @Test func checkerCatchesAWrongGradient() {
    func wrongCube(_ x: Tensor) -> Tensor {
      let y = x.map { $0 * $0 * $0 }
      return .record(y, operation: "wrongCube", inputs: [x]) { grad in [grad * 2 * x * x] }
    }
    let x = randomInput([6], seed: 30, low: 0.5, high: 2)
    let report = checkGradients(of: { wrongCube($0[0]) }, at: [x])
    #expect(!report.passed, "the checker accepted a wrong gradient:\n\(report)")
    #expect(report.worstError > 0.1)
    #expect(report.description.contains("FAILED"))
    // And the right rule passes the same check.
    let right = checkGradients(of: { pow($0[0], 3) }, at: [x])
    #expect(right.passed, "\(right)")
  }

  /// micrograd's issue #2: a value used twice must receive both gradients.
  @Test func aValueUsedTwiceGetsBothGradients() {
    let x = Tensor([3], requiresGrad: true)
    let y = x * x + x  // dy/dx = 2x + 1 = 7
    y.sum().backward()
    #expect(x.grad?.data == [7])
  }

  @Test func gradientsAccumulateUntilCleared() {
    let w = Tensor([2], requiresGrad: true)
    let loss = (w * 5).sum()
    loss.backward(retainGraph: true)
    loss.backward()
    #expect(w.grad?.data == [10], "two backward passes add their gradients, as in PyTorch")
    w.zeroGrad()
    #expect(w.grad == nil)
    (w * 5).sum().backward()
    #expect(w.grad?.data == [5])
  }

  /// Intermediate values keep no gradient, so a second pass cannot double-count through them
  /// (micrograd's issue #53).
  @Test func intermediateValuesKeepNoGradient() {
    let x = Tensor([1, 2], requiresGrad: true)
    let hidden = x * 3
    let loss = (hidden * hidden).sum()
    loss.backward()
    #expect(hidden.grad == nil)
    #expect(x.grad?.data == [18, 36])
  }

  @Test func noGradientModeRecordsNothing() {
    let w = Tensor([1, 2], requiresGrad: true)
    let y = withoutGradients { (w * w).sum() }
    #expect(!y.requiresGrad)
    #expect(y.inputs.isEmpty)
    #expect(isGradientRecordingEnabled)
    #expect((w * w).sum().requiresGrad)
  }

  @Test func aLongChainDoesNotOverflowTheStack() {
    let x = Tensor([0.5], requiresGrad: true)
    var y = x
    for _ in 0..<20_000 { y = y * 1.0001 }
    y.sum().backward()
    let expected = Float(Foundation.pow(1.0001, 20_000.0))
    #expect(Swift.abs(x.grad!.item - expected) / expected < 1e-3)
  }

  @Test func releasedGraphFreesItsLinks() {
    let x = Tensor([1], requiresGrad: true)
    let y = exp(x)
    let loss = y.sum()
    loss.backward()
    #expect(loss.inputs.isEmpty && y.inputs.isEmpty)
  }

  @Test func errorsNameTheOperationAndShapes() async {
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = matmul(Tensor.zeros([64, 784]), Tensor.zeros([128, 10]))
    }.map { result in
      let message = String(decoding: result.standardErrorContent, as: UTF8.self)
      #expect(message.contains("matmul: [64, 784] × [128, 10]: inner dimensions 784 and 128 differ"))
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      Tensor.zeros([2, 3], requiresGrad: true).backward()
    }.map { result in
      let message = String(decoding: result.standardErrorContent, as: UTF8.self)
      #expect(message.contains("backward(): called on a tensor of shape [2, 3]"))
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([4, 3]) + Tensor.zeros([4])
    }.map { result in
      let message = String(decoding: result.standardErrorContent, as: UTF8.self)
      #expect(message.contains("add: shapes [4, 3] and [4] cannot be broadcast together"))
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([4, 3]).sum(axis: 2)
    }.map { result in
      let message = String(decoding: result.standardErrorContent, as: UTF8.self)
      #expect(message.contains("sum(axis:): axis 2 is out of range for a tensor of rank 2"))
    }
  }
}

@Suite("Chapter02 forward values")
struct Chapter02ForwardValueTests {
  /// Known values computed by hand (and with Python's math module, to 7 digits).
  @Test func softmaxOfAKnownVector() {
    let y = softmax(Tensor([1, 2, 3]))
    // e^1, e^2, e^3 over their sum 30.192874
    let expected: [Float] = [0.09003057, 0.24472847, 0.66524096]
    for (a, b) in zip(y.data, expected) { #expect(Swift.abs(a - b) < 1e-5) }
    // Shifting every score by 1000 changes nothing, and does not overflow.
    // (Float32 spacing near 1000 is 6e-5, so the shifted scores themselves carry that error.)
    let shifted = softmax(Tensor([1001, 1002, 1003]))
    for (a, b) in zip(shifted.data, expected) { #expect(Swift.abs(a - b) < 2e-5) }
    let logY = logSoftmax(Tensor([1001, 1002, 1003]))
    #expect(Swift.abs(logY.data[0] - (-2.40760596)) < 1e-4)
  }

  @Test func crossEntropyOfAKnownCase() {
    // Rows [2, 1, 0.1] with label 0 and [0.5, 2.5, 0.3] with label 1:
    // −log softmax: 0.4170300 and 0.2200495 (Python's math module); mean 0.3185398.
    let loss = crossEntropy(logits: Tensor([[2, 1, 0.1], [0.5, 2.5, 0.3]]), labels: [0, 1])
    #expect(Swift.abs(loss.item - 0.3185398) < 1e-6)
    // The fused loss equals the one composed from primitives.
    let composed = -(logSoftmax(Tensor([[2, 1, 0.1], [0.5, 2.5, 0.3]])) *
                     Tensor([[1, 0, 0], [0, 1, 0]])).sum() / 2
    #expect(Swift.abs(loss.item - composed.item) < 1e-6)
  }

  @Test func binaryLossesOfAKnownCase() {
    // p = 0.8 for label 1 and p = 0.3 for label 0: −(ln 0.8 + ln 0.7)/2 = 0.2899092
    let bce = binaryCrossEntropy(Tensor([0.8, 0.3]), Tensor([1, 0]))
    #expect(Swift.abs(bce.item - 0.2899092) < 1e-6)
    // The logits of 0.8 and 0.3 give the same loss through the stable form.
    let logits = Tensor([Float(Foundation.log(0.8 / 0.2)), Float(Foundation.log(0.3 / 0.7))])
    #expect(Swift.abs(binaryCrossEntropy(logits: logits, targets: Tensor([1, 0])).item - 0.2899092) < 1e-6)
    // A confident wrong logit stays finite.
    #expect(binaryCrossEntropy(logits: Tensor([-100]), targets: Tensor([1])).item == 100)
    #expect(meanSquaredError(Tensor([1, 2, 3]), Tensor([1, 0, 6])).item == Float(0 + 4 + 9) / 3)
  }

  @Test func fusedSoftmaxMatchesComposedInValueAndGradient() {
    let x = randomInput([3, 5], seed: 31, low: -3, high: 3)
    func composed(_ x: Tensor) -> Tensor {
      let e = exp(x - x.max(axis: -1, keepDims: true))
      return e / e.sum(axis: -1, keepDims: true)
    }
    for (a, b) in zip(softmax(x).data, composed(x).data) { #expect(Swift.abs(a - b) < 1e-6) }
    var generator = RandomGenerator(seed: 32)
    let weights = Tensor.randomNormal([3, 5], using: &generator)
    let x1 = Tensor(shape: x.shape, data: x.data, requiresGrad: true)
    let x2 = Tensor(shape: x.shape, data: x.data, requiresGrad: true)
    (softmax(x1) * weights).sum().backward()
    (composed(x2) * weights).sum().backward()
    for (a, b) in zip(x1.grad!.data, x2.grad!.data) { #expect(Swift.abs(a - b) < 1e-5) }
  }

  @Test func matmulOfAKnownCase() {
    let c = matmul(Tensor([[1, 2], [3, 4], [5, 6]]), Tensor([[1, 0, 2], [0, 1, 3]]))
    #expect(c.shape == [3, 3])
    #expect(c.data == [1, 2, 8, 3, 4, 18, 5, 6, 28])
  }

  @Test func broadcastingAddsABiasToEveryRow() {
    let y = Tensor([[1, 2, 3], [4, 5, 6]]) + Tensor([10, 20, 30])
    #expect(y.data == [11, 22, 33, 14, 25, 36])
    let column = Tensor([[1, 2, 3], [4, 5, 6]]) * Tensor(shape: [2, 1], data: [1, -1])
    #expect(column.data == [1, 2, 3, -4, -5, -6])
  }
}

@Suite("Chapter04 reproducibility")
struct Chapter04ReproducibilityTests {
  @Test func theSameSeedGivesTheSameNumbers() {
    var g1 = RandomGenerator(seed: 7), g2 = RandomGenerator(seed: 7), g3 = RandomGenerator(seed: 8)
    let a = Tensor.randomNormal([100], using: &g1), b = Tensor.randomNormal([100], using: &g2)
    #expect(a.data == b.data)
    #expect(a.data != Tensor.randomNormal([100], using: &g3).data)
    // Reference values from an independent Python implementation of SplitMix64 + xoshiro256**:
    // they must never change, on any platform, or every chapter's numbers would.
    var g = RandomGenerator(seed: 42)
    #expect([g.next(), g.next(), g.next()] == [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E,
                                               0xAE17_5332_39E4_99A1])
  }

  @Test func theSameSeedGivesBitIdenticalGradients() {
    func gradients(seed: Int) -> [Float] {
      var generator = RandomGenerator(seed: seed)
      let w = Tensor.randomNormal([30, 20], using: &generator, requiresGrad: true)
      let x = Tensor.randomNormal([16, 30], using: &generator)
      crossEntropy(logits: tanh(matmul(x, w)), labels: (0..<16).map { $0 % 20 }).backward()
      return w.grad!.data
    }
    #expect(gradients(seed: 3) == gradients(seed: 3))
    #expect(gradients(seed: 3) != gradients(seed: 4))
  }

  @Test func randomNumbersHaveTheRightDistribution() {
    var generator = RandomGenerator(seed: 1)
    let samples = Tensor.randomNormal([20_000], mean: 1, std: 2, using: &generator)
    let mean = samples.mean().item
    let variance = pow(samples - mean, 2).mean().item
    #expect(Swift.abs(mean - 1) < 0.05 && Swift.abs(variance.squareRoot() - 2) < 0.05)
    let uniform = Tensor.randomUniform([20_000], low: -1, high: 3, using: &generator)
    #expect(uniform.data.allSatisfy { $0 >= -1 && $0 < 3 })
    #expect(Swift.abs(uniform.mean().item - 1) < 0.05)
    var counts = [Int](repeating: 0, count: 5)
    for _ in 0..<10_000 { counts[generator.nextInt(below: 5)] += 1 }
    #expect(counts.allSatisfy { $0 > 1_850 && $0 < 2_150 }, "\(counts)")
  }
}

@Suite("Chapter11 profiler")
struct Chapter11ProfilerTests {
  @Test func profilerAttributesTimeToOperations() {
    var generator = RandomGenerator(seed: 50)
    let w = Tensor.randomNormal([256, 256], using: &generator, requiresGrad: true)
    let x = Tensor.randomNormal([128, 256], using: &generator)
    let (_, profiler) = profile {
      for _ in 0..<3 { tanh(matmul(x, w)).sum().backward() }
    }
    #expect(profiler.forward["matmul"]?.calls == 3)
    #expect(profiler.backward["matmul"]?.calls == 3)
    #expect(profiler.forward["tanh"]?.calls == 3)
    // Operations run inside a backward rule (the multiply in tanh's rule, say) are not counted
    // as forward calls.
    #expect(profiler.forward["multiply"] == nil)
    #expect(profiler.totalSeconds > 0 && profiler.forward["matmul"]!.seconds > 0)
    #expect(profiler.report(runs: 3).contains("matmul"))
    // Outside `profile`, nothing is recorded.
    #expect(GraphObservation.observer == nil)
  }
}
