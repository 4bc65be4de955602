import DeepLearning
import Foundation

// ─────────────────────────────────────────────────────────────────────────────────────────────
// Exercises of chapter 9 — yours to write.
//
// In the course you are given, each body is a `fatalError` stub: replace it with your own code.
// (In the instructors' copy the reference solution sits between BEGIN SOLUTION and END SOLUTION;
// `swift run Course student-version` replaces it by the stub.)
//
// For each function: write your own from engine
// operations (so that gradients flow through it), and check it with
//
//     swift test --filter Chapter09
//
// ─────────────────────────────────────────────────────────────────────────────────────────────

// snippet: exercise-last-real-step
/// From the LSTM's hidden states of every step, [N, T, H], the state at each sequence's last real
/// step, [N, H]: row n is outputs[n, lengths[n] − 1]. It must equal `LSTMOutput.hidden` (for a
/// length of 0, return zeros, the initial state).
func lastRealStep(_ outputs: Tensor, lengths: [Int]) -> Tensor {
  // BEGIN SOLUTION 9.1
  let (n, t, h) = (outputs.shape[0], outputs.shape[1], outputs.shape[2])
  // A one-hot [N, T, 1] selector: 1 at each row's last real step, multiplied in and summed over T.
  var selector = [Float](repeating: 0, count: n * t)
  for (row, length) in lengths.enumerated() where length > 0 { selector[row * t + length - 1] = 1 }
  return (outputs * Tensor(shape: [n, t, 1], data: selector)).sum(axis: 1).reshaped([n, h])
  // END SOLUTION
}
// end snippet

// snippet: exercise-mean-over-real-steps
/// Mean pooling: the mean of the hidden states over each sequence's real steps, [N, T, H] → [N, H],
/// ignoring the steps after its end (the LSTM's outputs are zero there, but dividing by T instead
/// of the real length would still shrink short texts' summaries). A length of 0 gives zeros.
func meanOverRealSteps(_ outputs: Tensor, lengths: [Int]) -> Tensor {
  // BEGIN SOLUTION 9.2
  let n = outputs.shape[0], t = outputs.shape[1]
  var weights = [Float](repeating: 0, count: n * t)
  for (row, length) in lengths.enumerated() {
    for step in 0..<min(length, t) { weights[row * t + step] = 1 / Float(length) }
  }
  return (outputs * Tensor(shape: [n, t, 1], data: weights)).sum(axis: 1)
  // END SOLUTION
}
// end snippet
