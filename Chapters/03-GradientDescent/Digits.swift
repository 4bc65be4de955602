import DeepLearning

// The digits come from the engine's `DigitPair` (Sources/ChapterSupport/Recipes/DigitPair.swift).

/// What a run costs on a 2-core machine: a tenth of a second for 3.1–3.3 and 3.5, and per epoch
/// of 3.4 the three batch sizes' passes over the training images (SGD's 285 updates dominate).
func estimatedCost(epochs: Int) -> RunCost {
  RunCost(seconds: 0.1 + 0.0063 * Double(epochs))
}

/// The average image of the examples with label 0 and with label 1, as 64 values each.
func averageImages(_ data: DigitPair) -> (first: [Float], second: [Float]) {
  var sums = ([Float](repeating: 0, count: 64), [Float](repeating: 0, count: 64))
  var counts: (Float, Float) = (0, 0)
  for (row, label) in zip(data.features.rows, data.labels.data) {
    if label == 0 {
      for i in 0..<64 { sums.0[i] += row[i] }
      counts.0 += 1
    } else {
      for i in 0..<64 { sums.1[i] += row[i] }
      counts.1 += 1
    }
  }
  return (sums.0.map { $0 / max(counts.0, 1) }, sums.1.map { $0 / max(counts.1, 1) })
}
