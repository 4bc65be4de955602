import Foundation
import Testing
@testable import DeepLearning
import TestSupport

// Tolerances. The gradient checks use the engine's `gradientTolerance` (1e-2 with ε = 1e-2, see
// GradientCheckTests.swift); the worst errors measured here are 2e-5 for the fused cell and 7e-5
// for the layer through three steps, while a wrong backward rule is off by 10% or more.
// The fused cell and the cell composed from engine operations compute the same arithmetic in a
// different order (and the fused one with its own SIMD σ and tanh, accurate to 1e-6), so their
// values and gradients agree to 1e-5.

/// An LSTM's parameters and input, drawn at random: W [in, 4H], U [H, 4H], b [4H], x [N, T, in].
private func randomLSTMInputs(rows: Int, steps: Int, inputSize: Int, hidden: Int,
                              seed: Int) -> [Tensor] {
  [randomInput([rows, steps, inputSize], seed: seed),
   randomInput([inputSize, 4 * hidden], seed: seed + 1, low: -0.8, high: 0.8),
   randomInput([hidden, 4 * hidden], seed: seed + 2, low: -0.8, high: 0.8),
   randomInput([4 * hidden], seed: seed + 3, low: -0.5, high: 0.5)]
}

@Suite("Chapter09 LSTM")
struct Chapter09LSTMTests {
  // MARK: The fused cell

  /// Every input of the fused cell: x W, the state (h and c), U and b.
  @Test(arguments: [(1, 1), (2, 3), (3, 5)])
  func fusedCellGradients(shape: (rows: Int, hidden: Int)) {
    let (n, h) = shape
    let x = randomInput([n, 4 * h], seed: 40, low: -2, high: 2)
    let state = randomInput([2, n, h], seed: 41, low: -1, high: 1)
    let u = randomInput([h, 4 * h], seed: 42, low: -1, high: 1)
    let b = randomInput([4 * h], seed: 43, low: -1, high: 1)
    expectGradientsMatch("lstmCell", [x, state, u, b]) {
      lstmCell($0[0], state: $0[1], recurrentWeight: $0[2], bias: $0[3])
    }
    // The composed cell passes the same check, so the comparison below compares two right answers.
    expectGradientsMatch("composedLSTMCell", [x, state, u, b]) {
      composedLSTMCell($0[0], state: $0[1], recurrentWeight: $0[2], bias: $0[3])
    }
  }

  /// The fused cell and the same cell composed from engine operations: same values, same
  /// gradients for every input.
  @Test(arguments: [(1, 2), (4, 3), (5, 8)])
  func fusedCellMatchesComposedCell(shape: (rows: Int, hidden: Int)) {
    let (n, h) = shape
    let inputs = [randomInput([n, 4 * h], seed: 50, low: -3, high: 3),
                  randomInput([2, n, h], seed: 51, low: -1.5, high: 1.5),
                  randomInput([h, 4 * h], seed: 52), randomInput([4 * h], seed: 53)]
    var generator = RandomGenerator(seed: 54)
    let weights = Tensor.randomNormal([2, n, h], using: &generator)
    var results: [(value: [Float], gradients: [[Float]])] = []
    for cell in [lstmCell, composedLSTMCell] {
      let leaves = inputs.map { Tensor(shape: $0.shape, data: $0.data, requiresGrad: true) }
      let next = cell(leaves[0], leaves[1], leaves[2], leaves[3])
      (next * weights).sum().backward()
      results.append((next.data, leaves.map { $0.grad?.data ?? [] }))
    }
    #expect(worstDifference(results[0].value, results[1].value) < 1e-5)
    for (index, name) in ["x W", "state", "U", "b"].enumerated() {
      let (fused, composed) = (results[0].gradients[index], results[1].gradients[index])
      #expect(fused.count == composed.count && !fused.isEmpty)
      #expect(worstDifference(fused, composed) < 1e-5,
              "gradient of \(name): fused \(fused.prefix(4)), composed \(composed.prefix(4))")
    }
  }

  @Test func layerGradientsThroughTime() {
    let inputs = randomLSTMInputs(rows: 3, steps: 3, inputSize: 4, hidden: 3, seed: 60)
    let lengths = [3, 1, 0]
    func run(_ t: [Tensor]) -> LSTMOutput {
      LSTM(inputWeight: t[1], recurrentWeight: t[2], bias: t[3])(t[0], lengths: lengths)
    }
    expectGradientsMatch("LSTM outputs", inputs) { run($0).outputs }
    expectGradientsMatch("LSTM last hidden", inputs) { run($0).hidden }
    expectGradientsMatch("LSTM last cell", inputs) { run($0).cell }
    // Full-length sequences (no lengths), and a given initial state.
    let state = [randomInput([2, 2], seed: 64), randomInput([2, 2], seed: 65)]
    let more = randomLSTMInputs(rows: 2, steps: 4, inputSize: 3, hidden: 2, seed: 66) + state
    expectGradientsMatch("LSTM with an initial state", more) { t in
      let out = LSTM(inputWeight: t[1], recurrentWeight: t[2], bias: t[3])(
        t[0], initialState: (t[4], t[5]))
      return out.outputs.sum(axis: 1) + out.cell
    }
  }

  /// The layer's steps write their gate gradients into a buffer that the parameters node reads,
  /// which is right only if backward() runs that node's rule after every step's. It does because
  /// the node is an input of every step and backward() walks the reverse of a topological order;
  /// this checks that order on the real graph, with padding and an initial state.
  @Test("the parameters node comes after every step in backward()")
  func parametersNodeComesAfterEveryStep() throws {
    let t = randomLSTMInputs(rows: 3, steps: 6, inputSize: 2, hidden: 3, seed: 75)
    let initial = randomInput([3, 3], seed: 76)
    for tensor in t + [initial] { tensor.requiresGrad = true }
    let output = LSTM(inputWeight: t[1], recurrentWeight: t[2], bias: t[3])(
      t[0], lengths: [6, 1, 4], initialState: (initial, initial))
    let loss = (output.outputs.sum() + output.hidden.sum())
    let backwardOrder = Array(loss.topologicalOrder().reversed())
    let steps = backwardOrder.indices.filter { backwardOrder[$0].operation == "lstmStep" }
    let weights = backwardOrder.indices.filter { backwardOrder[$0].operation == "lstmWeights" }
    try #require(steps.count == 6 && weights.count == 1)
    #expect(weights[0] > steps.max()!, "lstmWeights at \(weights[0]), steps at \(steps)")
  }

  /// The layer computes what a plain loop of composed cells computes, row by row on each
  /// sequence's real steps.
  @Test func layerMatchesAnUnrolledLoopOfComposedCells() {
    let (rows, steps, inputSize, h) = (3, 5, 4, 3)
    let t = randomLSTMInputs(rows: rows, steps: steps, inputSize: inputSize, hidden: h, seed: 70)
    let lengths = [5, 2, 4]
    let output = LSTM(inputWeight: t[1], recurrentWeight: t[2], bias: t[3])(t[0], lengths: lengths)
    #expect(output.outputs.shape == [rows, steps, h])
    #expect(output.hidden.shape == [rows, h] && output.cell.shape == [rows, h])
    for n in 0..<rows {
      var state = Tensor.zeros([2, 1, h])
      for step in 0..<lengths[n] {
        let x = t[0][n].slice(axis: 0, step..<step + 1)  // [1, inputSize]
        state = composedLSTMCell(matmul(x, t[1]), state: state, recurrentWeight: t[2], bias: t[3])
        let layerOutput = Array(output.outputs.data[(n * steps + step) * h..<(n * steps + step + 1) * h])
        #expect(worstDifference(layerOutput, state[0].data) < 1e-5, "row \(n) step \(step)")
      }
      #expect(worstDifference(output.hidden[n].data, state[0].data) < 1e-5,
              "the last hidden state of row \(n) is the one at step length − 1")
      #expect(worstDifference(output.cell[n].data, state[1].data) < 1e-5)
      // After the end of the sequence the outputs are zero.
      for step in lengths[n]..<steps {
        #expect(output.outputs.data[(n * steps + step) * h..<(n * steps + step + 1) * h]
          .allSatisfy { $0 == 0 })
      }
    }
  }

  /// Two backward passes through one graph add up, as for every other operation: the shared
  /// gradient buffer of the unrolled steps must not carry over from one pass to the next.
  @Test func retainedGraphGivesTwiceTheGradient() {
    let t = randomLSTMInputs(rows: 2, steps: 4, inputSize: 3, hidden: 2, seed: 80)
      .map { Tensor(shape: $0.shape, data: $0.data, requiresGrad: true) }
    let loss = LSTM(inputWeight: t[1], recurrentWeight: t[2], bias: t[3])(t[0], lengths: [4, 2])
      .hidden.sum()
    loss.backward(retainGraph: true)
    let once = t.map { $0.grad!.data }
    loss.backward()
    for (index, tensor) in t.enumerated() {
      #expect(worstDifference(tensor.grad!.data, once[index].map { 2 * $0 }) < 1e-6)
    }
  }

  @Test func evaluationWithoutGradientsGivesTheSameValues() {
    var generator = RandomGenerator(seed: 90)
    let lstm = LSTM(inputSize: 3, hiddenSize: 4, using: &generator)
    let x = randomInput([2, 5, 3], seed: 91)
    let training = lstm(x, lengths: [5, 3])
    let evaluation = withoutGradients { lstm(x, lengths: [5, 3]) }
    #expect(training.outputs.data == evaluation.outputs.data)
    #expect(training.hidden.requiresGrad && !evaluation.hidden.requiresGrad)
  }

  @Test func initialisation() {
    var generator = RandomGenerator(seed: 1)
    let lstm = LSTM(inputSize: 10, hiddenSize: 25, using: &generator)
    #expect(lstm.inputWeight.shape == [10, 100] && lstm.recurrentWeight.shape == [25, 100])
    #expect(lstm.parameterCount == 10 * 100 + 25 * 100 + 100)
    let limit: Float = 1 / 5  // 1/√H
    #expect((lstm.inputWeight.data + lstm.recurrentWeight.data).allSatisfy { Swift.abs($0) <= limit })
    #expect((lstm.inputWeight.data.map { Swift.abs($0) }.max() ?? 0) > 0.9 * limit)
    // Bias blocks i | f | g | o: only the forget gate's is 1.
    #expect(lstm.bias.data[0..<25].allSatisfy { $0 == 0 })
    #expect(lstm.bias.data[25..<50].allSatisfy { $0 == 1 })
    #expect(lstm.bias.data[50..<100].allSatisfy { $0 == 0 })
  }

  // MARK: Embedding

  @Test func embeddingGradientWithARepeatedIndex() {
    let table = randomInput([6, 3], seed: 100)
    // Index 4 appears three times: its row must collect all three gradients.
    expectGradientsMatch("Embedding", [table]) { Embedding(weight: $0[0])([[4, 0, 4], [2, 4, 5]]) }
    expectGradientsMatch("Embedding (flat indices)", [table]) {
      Embedding(weight: $0[0])([4, 0, 4, 2, 4, 5], shape: [3, 2])
    }
    var generator = RandomGenerator(seed: 101)
    let embedding = Embedding(vocabularySize: 6, dimension: 3, using: &generator)
    let looked = embedding([[4, 0, 4], [2, 4, 5]])
    #expect(looked.shape == [2, 3, 3])
    #expect(Array(looked.data[0..<3]) == Array(embedding.weight.data[12..<15]))
    looked.sum().backward()
    // d(sum)/d(row) = how many times the row was looked up.
    let uses: [Float] = [1, 0, 1, 0, 3, 1]
    for row in 0..<6 {
      #expect(embedding.weight.grad!.data[row * 3..<row * 3 + 3].allSatisfy { $0 == uses[row] })
    }
  }

  @Test func paddingRowStaysZeroAndGetsNoGradient() {
    var generator = RandomGenerator(seed: 102)
    let embedding = Embedding(vocabularySize: 5, dimension: 4, paddingIndex: 0, using: &generator)
    #expect(embedding.weight.data[0..<4].allSatisfy { $0 == 0 })
    let batch = PaddedSequences([[3, 2], [4]], length: 3)
    let looked = embedding(batch)
    #expect(looked.shape == [2, 3, 4])
    (looked * looked + looked).sum().backward()
    let grad = embedding.weight.grad!.data
    #expect(grad[0..<4].allSatisfy { $0 == 0 }, "the padding row got a gradient: \(grad[0..<4])")
    #expect(grad[12..<16].allSatisfy { $0 != 0 })
    let optimizer = Adam(embedding.parameters, learningRate: 0.1)
    optimizer.step()
    #expect(embedding.weight.data[0..<4].allSatisfy { $0 == 0 })
  }

  // MARK: Training

  /// A tiny task only a sequence model solves: does token 7 occur anywhere in the sequence?
  /// Sequences of 3 to 12 tokens (2…11), padded to 12, half of them containing a 7.
  /// Embedding(12, 8) → LSTM(8, 16) → Linear(16, 2) on the last real hidden state, Adam.
  @Test func learnsWhetherATokenOccurs() {
    var generator = RandomGenerator(seed: 2024)
    func makeData(_ count: Int) -> (PaddedSequences, [Int]) {
      var sequences: [[Int]] = [], labels: [Int] = []
      for index in 0..<count {
        let length = 3 + generator.nextInt(below: 10)
        var sequence = (0..<length).map { _ in [2, 3, 4, 5, 6, 8, 9, 10, 11][generator.nextInt(below: 9)] }
        let label = index % 2
        if label == 1 { sequence[generator.nextInt(below: length)] = 7 }
        sequences.append(sequence)
        labels.append(label)
      }
      return (PaddedSequences(sequences, length: 12), labels)
    }
    let (train, trainLabels) = makeData(1024)
    let (test, testLabels) = makeData(256)

    let embedding = Embedding(vocabularySize: 12, dimension: 8, paddingIndex: 0, using: &generator)
    let lstm = LSTM(inputSize: 8, hiddenSize: 16, using: &generator)
    let head = Linear(inputs: 16, outputs: 2, initialization: .xavier, using: &generator)
    func logits(_ batch: PaddedSequences) -> Tensor {
      head(lstm(embedding(batch), lengths: batch.lengths).hidden)
    }
    let optimizer = Adam(embedding.parameters + lstm.parameters + head.parameters,
                         learningRate: 0.02)
    var losses: [Float] = []
    for _ in 0..<4 {
      for rows in MiniBatches(indices: Array(0..<train.count), batchSize: 32, shuffledBy: &generator) {
        let loss = crossEntropy(logits: logits(train[rows]), labels: rows.map { trainLabels[$0] })
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item)
      }
    }
    let first = losses[0], last = losses.suffix(10).reduce(0, +) / 10
    let predictions = withoutGradients { logits(test).argmax() }
    let testAccuracy = accuracy(predictions: predictions, labels: testLabels)
    #expect(first > 0.6 && first < 0.8, "an untrained model should be near log 2 = 0.69, got \(first)")
    #expect(last < 0.1, "the loss fell only from \(first) to \(last) (mean of the last 10 steps)")
    #expect(testAccuracy > 0.95, "test accuracy \(testAccuracy)")
  }
}
