import Foundation
import Core
import Kernels

// A long short-term memory network reads a sequence one step at a time and carries two vectors
// from step to step: the hidden state h (what it outputs) and the cell c (its memory). Four
// gates, each a small layer of its own, decide what the cell forgets, what it writes and what
// it shows. With x the input of the step and h, c the state after the previous step:
//
//     i  = σ(x Wᵢ + h Uᵢ + bᵢ)         input gate: how much of the candidate to write
//     f  = σ(x W_f + h U_f + b_f)      forget gate: how much of the old cell to keep
//     g  = tanh(x W_g + h U_g + b_g)   candidate values to write
//     o  = σ(x W_o + h U_o + b_o)      output gate: how much of the cell to show
//     c' = f ⊙ c + i ⊙ g
//     h' = o ⊙ tanh(c')
//
// The four W are stored side by side as one [inputSize, 4H] matrix (blocks i | f | g | o, as in
// PyTorch), the four U as one [H, 4H] matrix and the four b as one [4H] vector, so that all four
// gates come out of one matrix product.
//
// Speed. x W does not depend on the state, so it is computed for all time steps in one big
// matrix product before the loop; each step then needs one [N, H] × [H, 4H] product and the
// cell's elementwise work, done by one fused operation (`lstmCell`) with a hand-written backward
// instead of a dozen small operations. The state h and c travels between steps as one [2, N, H]
// tensor (h stacked on c), because a graph node has one output.

// MARK: - The cell

// snippet: lstm-cell
/// One LSTM step composed from engine operations (matmul, +, chunked, sigmoid, tanh, *, stack):
/// the equations at the top of this file, line for line. From the input's projection x W
/// ([N, 4H]), the state [2, N, H] (h stacked on c), the recurrent weight U [H, 4H] and the bias
/// b [4H] to the next state [2, N, H]. It is the definition the fused `lstmCell` is tested against.
public func composedLSTMCell(_ projectedInput: Tensor, state: Tensor, recurrentWeight: Tensor,
                             bias: Tensor) -> Tensor {
  _ = checkCellShapes(projectedInput, state, recurrentWeight, bias)
  let (h, c) = (state[0], state[1])
  let preActivations = (projectedInput + matmul(h, recurrentWeight) + bias).chunked(4, axis: 1)
  let i = sigmoid(preActivations[0])
  let f = sigmoid(preActivations[1])
  let g = tanh(preActivations[2])
  let o = sigmoid(preActivations[3])
  let nextCell = f * c + i * g
  let nextHidden = o * tanh(nextCell)
  return stack([nextHidden, nextCell])
}

/// The same step as one graph node with a hand-written backward pass, some twenty nodes fewer:
/// the arithmetic is `lstmStepForward` and `lstmStepBackward` (Kernels/LSTMStep.swift), the one
/// definition of the step that the `LSTM` layer uses too.
///
/// Backward: the cell's rule gives dpre, the gradient of x W + h U + b; then
/// ∂L/∂(x W) = dpre, ∂L/∂b = Σ_rows dpre, ∂L/∂U = hᵀ · dpre, ∂L/∂h = dpre · Uᵀ.
public func lstmCell(_ projectedInput: Tensor, state: Tensor, recurrentWeight: Tensor,
                     bias: Tensor) -> Tensor {
  let (rows, h) = checkCellShapes(projectedInput, state, recurrentWeight, bias)
  let (previous, u) = (state.data, recurrentWeight.data)
  let step = projectedInput.data.withUnsafeBufferPointer { x in
    lstmStepForward(x: x.baseAddress!, xRowStride: 4 * h, bias: bias.data,
                    recurrentWeight: packRecurrentWeight(u, hidden: h, rows: rows),
                    previous: previous, rows: rows, hidden: h, active: nil)
  }
  return .record(Tensor(shape: [2, rows, h], data: step.next), operation: "lstmCell",
                 inputs: [projectedInput, state, recurrentWeight, bias]) { grad in
    var dGates = [Float](repeating: 0, count: rows * 4 * h)
    let dPrevious = dGates.withUnsafeMutableBufferPointer { dGates in
      lstmStepBackward(step, previous: previous, nextGradient: grad.data,
                       transposedRecurrentWeight: packTransposedRecurrentWeight(u, hidden: h,
                                                                                rows: rows),
                       gatesGradient: dGates.baseAddress!, gatesRowStride: 4 * h,
                       rows: rows, hidden: h, active: nil, needsPreviousGradient: true)!
    }
    // The previous h is the first half of the state: [N, H].
    let (dU, dBias) = previous.withUnsafeBufferPointer { hPrevious in
      lstmWeightGradients(previousHidden: hPrevious.baseAddress!, gatesGradient: dGates,
                          count: rows, hidden: h)
    }
    return [Tensor(shape: [rows, 4 * h], data: dGates), Tensor(shape: [2, rows, h], data: dPrevious),
            Tensor(shape: [h, 4 * h], data: dU), Tensor(shape: [4 * h], data: dBias)]
  }
}
// end snippet

/// Stops with a message unless x W is [N, 4H], the state [2, N, H], U [H, 4H] and b [4H].
private func checkCellShapes(_ projectedInput: Tensor, _ state: Tensor, _ recurrentWeight: Tensor,
                             _ bias: Tensor) -> (rows: Int, hidden: Int) {
  let fits = state.rank == 3 && state.shape[0] == 2
    && projectedInput.shape == [state.shape[1], 4 * state.shape[2]]
    && recurrentWeight.shape == [state.shape[2], 4 * state.shape[2]]
    && bias.shape == [4 * state.shape[2]]
  if !fits {
    fatalError("lstmCell: projected input \(projectedInput.shape), state \(state.shape), " +
               "recurrent weight \(recurrentWeight.shape), bias \(bias.shape) do not fit; " +
               "expected [N, 4H], [2, N, H] (h stacked on c), [H, 4H] and [4H]")
  }
  return (state.shape[1], state.shape[2])
}

// MARK: - The layer

/// What an `LSTM` returns for a batch of sequences.
public struct LSTMOutput {
  /// The hidden state after every step, [N, T, H]; zero after the end of a shorter sequence
  /// (as PyTorch's packed sequences give).
  public let outputs: Tensor
  /// The hidden state after each sequence's last real step, [N, H]: the summary of the sequence
  /// that a classifier reads. For a sequence of length 0 it is the initial state.
  public let hidden: Tensor
  /// The cell after each sequence's last real step, [N, H].
  public let cell: Tensor
}

// snippet: lstm-layer
/// A long short-term memory layer over batch-first sequences: [N, T, inputSize] in, the hidden
/// state of every step [N, T, H] and the last (h, c) out. See the equations at the top of the
/// file.
///
/// Sequences of different lengths are padded to T; pass their real lengths and each sequence's
/// h and c stop changing after its last real step, so `hidden` is the state at step length − 1
/// of each row, never a state that has read padding. Backpropagation through time is autograd
/// over the unrolled steps.
public final class LSTM: Module {
  /// W: [inputSize, 4H], the four input weights side by side (blocks i | f | g | o).
  public let inputWeight: Tensor
  /// U: [H, 4H], the four recurrent weights side by side.
  public let recurrentWeight: Tensor
  /// b: [4H], the four biases.
  public let bias: Tensor
  public var isTraining = true
  public var parameters: [Tensor] { [inputWeight, recurrentWeight, bias] }

  /// Creates the layer with W and U uniform in ±1/√H, as PyTorch does, and the bias zero except
  /// for the forget gate's, which is 1. With b_f = 1 the forget gate starts near σ(1) ≈ 0.73
  /// instead of 0.5, so the untrained cell keeps most of its memory from step to step and
  /// gradients reach early steps from the first update (Gers et al. 2000; Jozefowicz et al.
  /// 2015); with 0.5 the gradient along the cell halves at every step.
  public init(inputSize: Int, hiddenSize: Int, using generator: inout RandomGenerator) {
    if inputSize < 1 || hiddenSize < 1 {
      fatalError("LSTM(inputSize: \(inputSize), hiddenSize: \(hiddenSize)): both must be at least 1")
    }
    let limit = 1 / Float(hiddenSize).squareRoot()
    inputWeight = .randomUniform([inputSize, 4 * hiddenSize], low: -limit, high: limit,
                                 using: &generator, requiresGrad: true)
    recurrentWeight = .randomUniform([hiddenSize, 4 * hiddenSize], low: -limit, high: limit,
                                     using: &generator, requiresGrad: true)
    bias = .zeros([4 * hiddenSize], requiresGrad: true)
    bias.update { b in for j in hiddenSize..<2 * hiddenSize { b[j] = 1 } }
  }

  /// Creates the layer from given weights (trained elsewhere, or chosen for a test).
  public init(inputWeight: Tensor, recurrentWeight: Tensor, bias: Tensor) {
    let h = recurrentWeight.shape.first ?? 0
    if inputWeight.rank != 2 || inputWeight.shape[1] != 4 * h || recurrentWeight.shape != [h, 4 * h]
      || bias.shape != [4 * h] {
      fatalError("LSTM(inputWeight: \(inputWeight.shape), recurrentWeight: " +
                 "\(recurrentWeight.shape), bias: \(bias.shape)): expected [inputSize, 4H], " +
                 "[H, 4H] and [4H]")
    }
    self.inputWeight = inputWeight
    self.recurrentWeight = recurrentWeight
    self.bias = bias
  }

  public var inputSize: Int { inputWeight.shape[0] }
  public var hiddenSize: Int { recurrentWeight.shape[0] }

  /// Runs the LSTM over `input` [N, T, inputSize]. `lengths` (N numbers in 0...T) are the real
  /// lengths of padded sequences, nil when every sequence fills all T steps; `initialState`
  /// (h, c), each [N, H], is zero when nil.
  public func callAsFunction(_ input: Tensor, lengths: [Int]? = nil,
                             initialState: (hidden: Tensor, cell: Tensor)? = nil) -> LSTMOutput {
    guard input.rank == 3, input.shape[2] == inputSize, input.shape[1] >= 1 else {
      fatalError("LSTM: input of shape \(input.shape) needs the shape [N, T, \(inputSize)] " +
                 "(batch, time, features) with T ≥ 1")
    }
    let (rows, steps, h) = (input.shape[0], input.shape[1], hiddenSize)
    if let lengths {
      if lengths.count != rows {
        fatalError("LSTM: \(lengths.count) lengths for a batch of \(rows) sequences")
      }
      for (row, length) in lengths.enumerated() where length < 0 || length > steps {
        fatalError("LSTM: length \(length) of sequence \(row) is outside 0...\(steps)")
      }
    }
    var state: Tensor
    if let initialState {
      if initialState.hidden.shape != [rows, h] || initialState.cell.shape != [rows, h] {
        fatalError("LSTM: initial state shapes \(initialState.hidden.shape) and " +
                   "\(initialState.cell.shape) must both be [\(rows), \(h)]")
      }
      state = stack([initialState.hidden, initialState.cell])
    } else {
      state = .zeros([2, rows, h])
    }

    // x W for every step at once: one [N·T, inputSize] × [inputSize, 4H] product.
    let projected = matmul(input, inputWeight)
    let recurrence = UnrolledRecurrence(projected: projected, recurrentWeight: recurrentWeight,
                                        bias: bias, lengths: lengths)
    let weights = recurrence.parametersNode(projected: projected, recurrentWeight: recurrentWeight,
                                            bias: bias)
    var states: [Tensor] = []
    for t in 0..<steps {
      state = recurrence.step(t, from: state, parametersNode: weights)
      states.append(state)
    }
    return LSTMOutput(outputs: hiddenStates(states, lengths: lengths), hidden: state[0],
                      cell: state[1])
  }
}
// end snippet

/// The unrolled steps of one forward pass. Each step is one node of the graph, so backward()
/// runs backpropagation through time by itself; what this class adds is bookkeeping that keeps
/// the per-step cost at the size of one step.
///
/// A step reads its slice of x W, and U and b. Had each step taken those tensors as inputs, its
/// backward would return a gradient of their full size, [N, T, 4H] for x W and [H, 4H] for U,
/// to be added up T times: far more work than the step itself. Instead, every step depends on
/// one node standing for (x W, U, b), `parametersNode`, and writes its gate gradient dpreₜ
/// into rows t of one shared [N, T, 4H] buffer. The parameters node is an input of every step,
/// and backward() runs a node's rule only after the rules of all the nodes that use it (it walks
/// the graph in reverse topological order: that is what makes any node's gradient complete), so
/// the buffer is full when the node hands it to x W as its gradient and computes
/// ∂L/∂U = Σₜ hₜ₋₁ᵀ dpreₜ and ∂L/∂b = Σ dpre in one matrix product and one sum. A test checks
/// that order on the real graph (LSTMTests, "the parameters node comes after every step").
private final class UnrolledRecurrence {
  let rows: Int, steps: Int, hidden: Int
  let projected: [Float], recurrentWeight: [Float], bias: [Float]
  let lengths: [Int]?
  /// U packed once for the 64 (or T) products of the forward pass.
  let packedWeight: PackedMatrix
  /// dpre for every row and step, [N, T, 4H], filled by the steps' backward passes; allocated
  /// by the first of them.
  var gatesGradient: [Float] = []
  /// hₜ₋₁ for every row and step, [N, T, H], filled by the forward pass; for ∂L/∂U.
  var previousHidden: [Float]
  /// Uᵀ, [4H, H], packed by the first backward step for all of them.
  lazy var packedTransposedWeight = packTransposedRecurrentWeight(recurrentWeight, hidden: hidden,
                                                                  rows: rows)

  init(projected: Tensor, recurrentWeight: Tensor, bias: Tensor, lengths: [Int]?) {
    (rows, steps, hidden) = (projected.shape[0], projected.shape[1], recurrentWeight.shape[0])
    self.projected = projected.data
    self.recurrentWeight = recurrentWeight.data
    self.bias = bias.data
    self.lengths = lengths
    packedWeight = packRecurrentWeight(self.recurrentWeight, hidden: hidden, rows: rows)
    // Evaluation without gradients needs no record of the previous states.
    previousHidden = isGradientRecordingEnabled
      ? [Float](repeating: 0, count: rows * steps * hidden) : []
  }

  /// The graph node the steps depend on instead of x W, U and b; its value is a placeholder.
  /// (Its closure holds this recurrence, which holds no tensor of the graph: no reference cycle.)
  func parametersNode(projected: Tensor, recurrentWeight: Tensor, bias: Tensor) -> Tensor {
    let (rows, steps, h) = (rows, steps, hidden)
    return .record(Tensor(0), operation: "lstmWeights",
                   inputs: [projected, recurrentWeight, bias]) { [self] _ in
      // Take the buffer; a later backward(retainGraph: true) starts a fresh one.
      let dGates = gatesGradient.isEmpty
        ? [Float](repeating: 0, count: rows * steps * 4 * h) : gatesGradient
      gatesGradient = []
      // ∂L/∂U = Σₜ hₜ₋₁ᵀ dpreₜ = H_previousᵀ · dpre, with both read as [N·T, ·] matrices.
      let (dU, dBias) = previousHidden.withUnsafeBufferPointer { hPrevious in
        lstmWeightGradients(previousHidden: hPrevious.baseAddress!, gatesGradient: dGates,
                            count: rows * steps, hidden: h)
      }
      return [Tensor(shape: [rows, steps, 4 * h], data: dGates),
              Tensor(shape: [h, 4 * h], data: dU), Tensor(shape: [4 * h], data: dBias)]
    }
  }

  /// Step t: the next state [2, N, H] from the previous one.
  func step(_ t: Int, from previous: Tensor, parametersNode: Tensor) -> Tensor {
    let (rows, steps, h) = (rows, steps, hidden)
    let active = lengths.map { lengths in lengths.map { t < $0 } }
    let previousState = previous.data
    // pre = x W (row t of each sequence: one row every T·4H) + b + h U
    let record = projected.withUnsafeBufferPointer { projected in
      lstmStepForward(x: projected.baseAddress! + t * 4 * h, xRowStride: steps * 4 * h, bias: bias,
                      recurrentWeight: packedWeight, previous: previousState, rows: rows,
                      hidden: h, active: active)
    }
    if !previousHidden.isEmpty {  // Keep hₜ₋₁ for ∂L/∂U: row n goes to [n, t] of [N, T, H].
      previousHidden.withUnsafeMutableBufferPointer { kept in
        previousState.withUnsafeBufferPointer { state in
          for n in 0..<rows {
            (kept.baseAddress! + (n * steps + t) * h).update(from: state.baseAddress! + n * h, count: h)
          }
        }
      }
    }
    let previousNeedsGradient = previous.requiresGrad
    return .record(Tensor(shape: [2, rows, h], data: record.next), operation: "lstmStep",
                   inputs: [parametersNode, previous]) { [self] grad in
      if gatesGradient.isEmpty { gatesGradient = [Float](repeating: 0, count: rows * steps * 4 * h) }
      let uT = packedTransposedWeight
      let dPrevious = gatesGradient.withUnsafeMutableBufferPointer { dGates in
        // Rows t of the shared buffer: dGates + t·4H, one sequence every T·4H.
        lstmStepBackward(record, previous: previousState, nextGradient: grad.data,
                         transposedRecurrentWeight: uT, gatesGradient: dGates.baseAddress! + t * 4 * h,
                         gatesRowStride: steps * 4 * h, rows: rows, hidden: h, active: active,
                         needsPreviousGradient: previousNeedsGradient)
      }
      // The placeholder's gradient is never used: the real one waits in gatesGradient.
      return [Tensor(0), dPrevious.map { Tensor(shape: [2, rows, h], data: $0) }]
    }
  }
}

/// The hidden states of all steps as [N, T, H], zero where a sequence has ended.
private func hiddenStates(_ states: [Tensor], lengths: [Int]?) -> Tensor {
  let (steps, rows, h) = (states.count, states[0].shape[1], states[0].shape[2])
  func isReal(_ n: Int, _ t: Int) -> Bool { lengths.map { t < $0[n] } ?? true }
  // Whole rows of H floats are copied at a time (the h part of a state, a step of the output).
  var out = [Float](repeating: 0, count: rows * steps * h)
  out.withUnsafeMutableBufferPointer { out in
    for (t, state) in states.enumerated() {
      state.data.withUnsafeBufferPointer { s in
        for n in 0..<rows where isReal(n, t) {
          (out.baseAddress! + (n * steps + t) * h).update(from: s.baseAddress! + n * h, count: h)
        }
      }
    }
  }
  return .record(Tensor(shape: [rows, steps, h], data: out), operation: "lstmOutputs",
                 inputs: states) { grad in
    grad.data.withUnsafeBufferPointer { g in
      (0..<steps).map { t in
        var dState = [Float](repeating: 0, count: 2 * rows * h)  // the cell part stays zero
        dState.withUnsafeMutableBufferPointer { dState in
          for n in 0..<rows where isReal(n, t) {
            (dState.baseAddress! + n * h).update(from: g.baseAddress! + (n * steps + t) * h, count: h)
          }
        }
        return Tensor(shape: [2, rows, h], data: dState)
      }
    }
  }
}
