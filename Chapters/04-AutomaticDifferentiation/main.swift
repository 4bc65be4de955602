// Chapter 4 · Automatic differentiation
//
// How the engine records a computation as a graph and runs the chain rule backwards through it;
// the chain rule by hand next to backward(); the gradient check against central differences; and
// chapter 3's logistic regression trained again, this time with autograd, to the same weights.
// Run it with `swift run Chapter04` (section 4.5 reads the UCI digits from Datasets/uci-digits).

import DeepLearning
import Foundation

var options = ChapterOptions(
  chapter: "Chapter04", summary: "Automatic differentiation: the graph, backward() and the gradient check")
let seed = options.seed(default: 42)
let dataName = options.choice(
  "--data", default: "uci-digits", among: ["uci-digits"], help: "the images whose digits 4.5 tells apart")
let firstDigit = options.int("--first", default: 3, help: "the digit labelled 0", range: 0...9)
let secondDigit = options.int("--second", default: 8, help: "the digit labelled 1", range: 0...9)
let steps = options.int("--steps", default: 300, help: "gradient descent steps in 4.5", range: 1...100_000)
options.require(secondDigit != firstDigit, option: "--second", value: "\(secondDigit)",
                expected: "a digit other than --first (\(firstDigit))")
options.quickRun = ["--steps", "10"]
options.parse(cost: estimatedCost(steps: steps), usualCost: estimatedCost(steps: 300))

runChapter {
  // The data first: a damaged file stops the chapter before it prints or writes anything.
  let digits = try Datasets.images(dataName, .train, format: .csv)

  // MARK: - 4.1 Recording the graph

  section("4.1 Recording the graph")
  // Chapter 1's umbrella neuron said "take it" (p = 0.80), and it stayed dry: the target is 0.
  // snippet: neuron-graph
  let x = Tensor([0.8, 0.6, 0.0])
  let w = Tensor([2.0, 3.0, -1.5], requiresGrad: true)
  let b = Tensor([-2.0], requiresGrad: true)
  let t = Tensor([0.0])
  let products = x * w              // multiply
  let weightedSum = products.sum()  // sum
  let z = weightedSum + b           // add
  let p = sigmoid(z)                // sigmoid
  let error = p - t                 // subtract
  let loss = pow(error, 2)          // square: L = (σ(w·x + b) − t)²
  // end snippet
  let nodes: [(name: String, tensor: Tensor)] = [
    ("x", x), ("w", w), ("b", b), ("t", t), ("products", products), ("weightedSum", weightedSum),
    ("z", z), ("p", p), ("error", error), ("loss", loss),
  ]
  // Each node's `inputs` are the edges the engine recorded; name them by identity (===).
  func name(of tensor: Tensor) -> String { nodes.first { $0.tensor === tensor }?.name ?? "?" }
  printTable(
    headers: ["node", "operation", "computed from", "value", "requiresGrad"],
    rows: nodes.map { node in
      [node.name, node.tensor.operation, node.tensor.inputs.map(name).joined(separator: ", "),
       formatList(node.tensor.data), node.tensor.requiresGrad ? "yes" : "no"]
    })
  print("the nodes are listed in the order they were recorded: every node after its inputs")

  // MARK: - 4.2 Backward: the chain rule in reverse

  section("4.2 Backward: the chain rule in reverse")
  // The chain rule, from the loss back to the leaves, one local derivative per node.
  // snippet: neuron-chain-rule
  let (pValue, tValue) = (p.item, t.item)
  let dLossDp = 2 * (pValue - tValue)            // L = (p − t)²   → dL/dp = 2(p − t)
  let dLossDz = dLossDp * pValue * (1 - pValue)  // p = σ(z)       → dp/dz = p(1 − p)
  let dLossDb = dLossDz                          // z = Σ + b      → dz/db = 1
  let dLossDw = x.data.map { dLossDz * $0 }      // Σ = Σᵢ xᵢ·wᵢ   → dΣ/dwᵢ = xᵢ
  // end snippet
  // snippet: neuron-backward
  loss.backward()
  let autogradW = w.grad!.data, autogradB = b.grad!.item
  // end snippet
  printTable(
    headers: ["derivative", "chain rule", "by hand", "backward()"],
    rows: [["dL/dp", "2(p − t)", format(dLossDp, decimals: 6), "(not kept)"],
           ["dL/dz", "dL/dp · p(1 − p)", format(dLossDz, decimals: 6), "(not kept)"]]
      + (0..<3).map { i in
        ["dL/dw\(i + 1)", "dL/dz · x\(i + 1)", format(dLossDw[i], decimals: 6), format(autogradW[i], decimals: 6)]
      }
      + [["dL/db", "dL/dz · 1", format(dLossDb, decimals: 6), format(autogradB, decimals: 6)]])
  print("max |hand − backward()| = \(formatSmall(maxDifference(dLossDw + [dLossDb], autogradW + [autogradB])))")
  let stepped = neuronLoss(x: x.data, w: zip(w.data, autogradW).map { $0 - $1 }, b: b.item - autogradB,
                           target: 0)
  print("one step θ ← θ − 1.0·∇L lowers the loss from \(format(loss.item, decimals: 4)) to "
        + "\(format(stepped, decimals: 4))")

  // MARK: - 4.3 A value used twice

  section("4.3 A value used twice")
  // snippet: used-twice
  let u = Tensor([3.0], requiresGrad: true)
  let y = u * u + u  // u feeds two operations: dy/du = 2u + 1 = 7
  y.backward(retainGraph: true)
  let once = u.grad!.item
  y.backward()       // a second backward() adds to the first, as in PyTorch
  let twice = u.grad!.item
  u.zeroGrad()       // so a training step starts from zero
  // end snippet
  printTable(
    headers: ["after", "u.grad"],
    rows: [["one backward()", format(once, decimals: 1)], ["two backward()", format(twice, decimals: 1)],
           ["zeroGrad()", u.grad.map { format($0.item, decimals: 1) } ?? "nil"]])

  // MARK: - 4.4 The gradient check

  section("4.4 The gradient check")
  var generator = RandomGenerator(seed: seed)
  let digitsSample = Tensor.randomUniform([8, 64], using: &generator)
  let digitLabels = Tensor(shape: [8, 1], data: (0..<8).map { Float($0 % 2) })
  let checks: [(name: String, inputs: [Tensor], function: ([Tensor]) -> Tensor)] = [
    ("sigmoid", [randomCheckInput([3, 4], using: &generator)], { sigmoid($0[0]) }),
    ("tanh", [randomCheckInput([3, 4], using: &generator)], { tanh($0[0]) }),
    ("relu", [randomCheckInput([3, 4], using: &generator)], { relu($0[0]) }),
    ("a · b + a", [randomCheckInput([3, 4], using: &generator), randomCheckInput([4], using: &generator)],
     { $0[0] * $0[1] + $0[0] }),
    ("matmul", [randomCheckInput([3, 4], using: &generator), randomCheckInput([4, 2], using: &generator)],
     { matmul($0[0], $0[1]) }),
    ("softmax", [randomCheckInput([2, 5], using: &generator)], { softmax($0[0]) }),
    ("crossEntropy", [randomCheckInput([4, 3], using: &generator)],
     { crossEntropy(logits: $0[0], labels: [0, 2, 1, 2]) }),
    ("the neuron's loss", [Tensor([2.0, 3.0, -1.5]), Tensor([-2.0])],
     { pow(sigmoid((x * $0[0]).sum() + $0[1]) - t, 2) }),
    ("logistic regression's loss", [randomCheckInput([64, 1], using: &generator), Tensor([0.1])],
     { binaryCrossEntropy(logits: digitsSample.matmul($0[0]) + $0[1], targets: digitLabels) }),
  ]
  var checkRows: [[String]] = []
  for check in checks {
    // snippet: run-gradient-check
    let report = checkGradients(of: check.function, at: check.inputs)
    // end snippet
    checkRows.append([check.name, check.inputs.map { "\($0.shape)" }.joined(separator: " "),
                      formatSmall(report.worstError), report.passed ? "passed" : "FAILED"])
  }
  printTable(headers: ["function", "input shapes", "worst error", "check (tolerance 1e-2)"], rows: checkRows)

  // A derivation with a mistake: the σ′ factor forgotten in dL/dz. Central differences catch it.
  let measured = centralDifferences(of: { neuronLoss(x: x.data, w: $0, b: -2, target: 0) }, at: w.data)
  let mistaken = x.data.map { dLossDp * $0 }  // dL/dz taken as dL/dp
  printTable(
    headers: ["weight", "chain rule", "σ′ forgotten", "central difference"],
    rows: (0..<3).map { i in
      ["w\(i + 1)", format(dLossDw[i], decimals: 4), format(mistaken[i], decimals: 4), format(measured[i], decimals: 4)]
    })

  // MARK: - 4.5 Logistic regression with autograd

  section("4.5 Logistic regression with autograd")
  let train = try DigitPair(digits, first: firstDigit, second: secondDigit)
  print("digits \(firstDigit) and \(secondDigit): \(train.count) training images, learning rate 0.5, "
        + "\(counted(steps, "full-batch step")) from zero, twice")
  var hand = HandLogisticRegression()
  let autograd = AutogradLogisticRegression()
  var handLosses: [Float] = [], autogradLosses: [Float] = []
  var largestGradientGap: Float = 0
  var handSeconds = 0.0, autogradSeconds = 0.0
  for step in 0...steps {
    handLosses.append(hand.loss(train.features, train.labels))
    autogradLosses.append(autograd.loss(train.features, train.labels))
    if step == steps { break }
    var stopwatch = Stopwatch()
    let handGradient = hand.gradients(train.features, train.labels)
    hand.apply(handGradient, learningRate: 0.5)
    handSeconds += stopwatch.lap()
    let autogradGradient = autograd.gradients(train.features, train.labels)
    autograd.apply(autogradGradient, learningRate: 0.5)
    autogradSeconds += stopwatch.lap()
    largestGradientGap = max(largestGradientGap, maxDifference(
      handGradient.weights.data + handGradient.bias.data,
      autogradGradient.weights.data + autogradGradient.bias.data))
  }
  let checkpoints = [0, 50, 100, 200, steps].filter { $0 <= steps }
  printTable(
    headers: ["step", "loss, hand gradients", "loss, autograd", "difference"],
    rows: Array(Set(checkpoints)).sorted().map { s in
      ["\(s)", format(handLosses[s], decimals: 6), format(autogradLosses[s], decimals: 6),
       formatSmall(abs(handLosses[s] - autogradLosses[s]))]
    })
  let handParameters = hand.weights.data + hand.bias.data
  let autogradParameters = autograd.weights.data + autograd.bias.data
  printTable(
    headers: ["parameter (largest)", "hand gradients", "autograd"],
    rows: largestWeights(hand.weights.data, count: 4).map { i in
      ["w\(i)", format(handParameters[i], decimals: 6), format(autogradParameters[i], decimals: 6)]
    } + [["b", format(handParameters[64], decimals: 6), format(autogradParameters[64], decimals: 6)]])
  print("max |hand − autograd| over all 65 parameters  \(formatSmall(maxDifference(handParameters, autogradParameters)))")
  print("max |hand − autograd| gradient, over all steps  \(formatSmall(largestGradientGap))")
  print("time for \(counted(steps, "step")): hand gradients \(formatDuration(handSeconds)), "
        + "autograd \(formatDuration(autogradSeconds))")
  var chart = LineChart(title: "Chapter 3's logistic regression, two ways", xLabel: "step",
                        yLabel: "training loss (log scale)")
  chart.series.append(.init("hand-derived gradients", y: handLosses, lineWidth: 6))
  chart.series.append(.init("autograd", y: autogradLosses, dashed: true))
  chart.logScaleY = true
  print("figure: \(try chart.write(to: figurePath("04-hand-vs-autograd.svg")))")
}
