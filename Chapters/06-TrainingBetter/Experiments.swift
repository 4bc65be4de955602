// The chapter's helpers: the network with a choice of initialisation and dropout, and the
// measurements the experiments print. Outside main.swift so that the tests can call them
// (`@testable import Chapter06`).

import DeepLearning

/// What a run costs on a 2-core machine: 6.1 and 6.2 train eight networks for `epochs` epochs on
/// 4,500 images; 6.3 and 6.4 train six for up to `overfitEpochs` epochs on `small` images in
/// batches of 32, each epoch also measuring the 450 validation images.
func estimatedCost(epochs: Int, small: Int, overfitEpochs: Int) -> RunCost {
  let perOverfitEpoch = 0.061 + Double(min(small, 4500)) * 0.00064
  return RunCost(seconds: 0.3 + 2.5 * Double(epochs) + Double(overfitEpochs) * perOverfitEpoch)
}

// snippet: network-with-options
/// A multilayer perceptron whose initialisation and dropout can be chosen: `Linear → ReLU
/// (→ Dropout)` for each hidden width, then a `Linear` layer to the class scores.
func network(inputs: Int, hidden: [Int], classes: Int, initialization: Initialization = .he,
             dropout: Float = 0, seed: UInt64) -> Sequential {
  var generator = RandomGenerator(seed: seed)
  var layers: [any Layer] = []
  var width = inputs
  for (index, size) in hidden.enumerated() {
    layers += [Linear(inputs: width, outputs: size, initialization: initialization, using: &generator), ReLU()]
    // &+ wraps around where + would overflow: --seed may be as large as Int.max.
    if dropout > 0 { layers.append(Dropout(rate: dropout, seed: Int(seed) &+ index)) }
    width = size
  }
  layers.append(Linear(inputs: width, outputs: classes, initialization: initialization, using: &generator))
  return Sequential(layers)
}
// end snippet

/// The standard deviation of the output of every `ReLU` layer of `model` for the batch `input`,
/// and of the final scores (the logits), computed without gradients: how large the signal is at
/// each depth.
func activationSpread(_ model: Sequential, input: Tensor) -> [Float] {
  withoutGradients {
    var x = input
    var spreads: [Float] = []
    for layer in model.layers {
      x = layer(x)
      if layer is ReLU { spreads.append(standardDeviation(x)) }
    }
    spreads.append(standardDeviation(x))
    return spreads
  }
}

/// The population standard deviation of all the elements of `x`.
func standardDeviation(_ x: Tensor) -> Float {
  let n = Double(Swift.max(x.count, 1))
  let mean = x.data.reduce(0.0) { $0 + Double($1) } / n
  let variance = x.data.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
  return Float(variance.squareRoot())
}

/// The largest difference between the incoming weights of any unit of a `Linear` layer and those
/// of its first unit: 0 when every unit is a copy of the first. `weight` is [inputs, units], one
/// column per unit.
func largestUnitDifference(_ weight: Tensor) -> Float {
  let (inputs, units) = (weight.shape[0], weight.shape[1])
  var largest: Float = 0
  for i in 0..<inputs {
    let first = weight.data[i * units]
    for j in 1..<units { largest = Swift.max(largest, Swift.abs(weight.data[i * units + j] - first)) }
  }
  return largest
}

/// A chart of the training (solid) and validation (dashed) loss of a baseline run, in grey, and
/// of a run with a cure for overfitting, in colour, epoch by epoch.
func cureChart(_ title: String, baseline: TrainingHistory, cure: TrainingHistory, cureName: String) -> LineChart {
  var chart = LineChart(title: title, xLabel: "epoch", yLabel: "cross-entropy")
  chart.logScaleY = true
  for (name, history, color) in [("no cure", baseline, "#999999"), (cureName, cure, "#0072b2")] {
    let epochs = history.epochs.map { Double($0.epoch) }
    chart.addSeries("\(name): train", x: epochs, y: history.epochs.map { Double($0.trainLoss) }, color: color)
    chart.addSeries("\(name): validation", x: epochs, y: history.epochs.map { Double($0.validationLoss ?? .nan) },
                    color: color, dashed: true)
  }
  return chart
}
