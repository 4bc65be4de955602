// Exercises of chapter 5 — yours to write; `swift test --filter Chapter05` checks them.
//
// In the course you are given, each body is a `fatalError` stub: replace it with your own code.
// (In the instructors' copy the reference solution sits between BEGIN SOLUTION and END SOLUTION;
// `swift run Course student-version` replaces it by the stub.)

import DeepLearning

// snippet: exercise-parameter-count
/// Exercise 1: the number of parameters of a multilayer perceptron whose layer sizes are
/// `layerSizes`, inputs first and classes last. A `Linear` layer from n to m features holds an
/// n × m weight matrix and m biases: (n + 1) · m numbers.
///
///     parameterCount(layerSizes: [784, 256, 128, 10])   // 235146
func parameterCount(layerSizes: [Int]) -> Int {
  // BEGIN SOLUTION 5.1
  zip(layerSizes, layerSizes.dropFirst()).reduce(0) { total, layer in total + (layer.0 + 1) * layer.1 }
  // END SOLUTION
}
// end snippet

// snippet: exercise-top-predictions
/// Exercise 2: the `k` most probable classes of each row of `logits` ([N, classes]), with their
/// softmax probabilities, most probable first (the lower class first when two are equal).
///
///     topPredictions(logits: model(x), k: 3)[0]   // [(4, 0.61), (9, 0.37), (7, 0.01)]
func topPredictions(logits: Tensor, k: Int) -> [[(label: Int, probability: Float)]] {
  // BEGIN SOLUTION 5.2
  let probabilities = withoutGradients { softmax(logits) }
  return probabilities.rows.map { row in
    let order = row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
    return order.prefix(k).map { (label: $0, probability: row[$0]) }
  }
  // END SOLUTION
}
// end snippet
