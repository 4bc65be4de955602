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
/// The gate functions and state update of one step, on raw buffers, shared by `lstmCell` and the
/// `LSTM` layer. `gates` holds the pre-activations x W + h U + b ([N, 4H], blocks i | f | g | o)
/// and is overwritten with the gate values i, f, g, o, which the backward pass needs. The state
/// buffers are [2, N, H]: h, then c. A row whose `active` entry is false (its sequence has
/// ended) keeps its previous state.
@inline(__always)
private func lstmCellForward(gates: UnsafeMutablePointer<Float>, previous: UnsafePointer<Float>,
                             next: UnsafeMutablePointer<Float>, tanhCell: UnsafeMutablePointer<Float>,
                             rows: Int, hidden h: Int, active: [Bool]?) {
  let cellOffset = rows * h
  for n in 0..<rows {
    let (hPrevious, cPrevious) = (previous + n * h, previous + cellOffset + n * h)
    let (hNext, cNext) = (next + n * h, next + cellOffset + n * h)
    if let active, !active[n] {
      hNext.update(from: hPrevious, count: h)
      cNext.update(from: cPrevious, count: h)
      continue
    }
    let a = gates + n * 4 * h
    let (i, f, g, o) = (a, a + h, a + 2 * h, a + 3 * h)
    VectorMath.apply(VectorMath.sigmoid, to: i, count: 2 * h)  // i and f, side by side
    VectorMath.apply(VectorMath.tanh, to: g, count: h)
    VectorMath.apply(VectorMath.sigmoid, to: o, count: h)
    let tanhC = tanhCell + n * h
    for j in 0..<h {
      cNext[j] = f[j] * cPrevious[j] + i[j] * g[j]  // c' = f ⊙ c + i ⊙ g
      tanhC[j] = cNext[j]
    }
    VectorMath.apply(VectorMath.tanh, to: tanhC, count: h)
    for j in 0..<h { hNext[j] = o[j] * tanhC[j] }   // h' = o ⊙ tanh(c')
  }
}

/// The backward pass of `lstmCellForward`: from the gradient of the new state (dh', dc') and the
/// values kept from the forward pass (gate values, c, tanh c'), the gradient of the gates'
/// pre-activations (row `n` at `gatesGradient + n · gatesRowStride`) and of the previous cell.
/// The gradient of the previous h is left to the caller: it is dgates · Uᵀ, a matrix product.
/// Rows of ended sequences pass their gradient straight through and give the gates none.
///
///     dc    = dc' + dh' ⊙ o ⊙ (1 − tanh²c')       (c' reaches the loss directly and through h')
///     do    = dh' ⊙ tanh c'       → dpreₒ = do ⊙ o(1 − o)
///     di    = dc ⊙ g              → dpreᵢ = di ⊙ i(1 − i)
///     df    = dc ⊙ c              → dpre_f = df ⊙ f(1 − f)
///     dg    = dc ⊙ i              → dpre_g = dg ⊙ (1 − g²)
///     dc_previous = dc ⊙ f
@inline(__always)
private func lstmCellBackward(gates: UnsafePointer<Float>, previous: UnsafePointer<Float>,
                              tanhCell: UnsafePointer<Float>, nextGradient: UnsafePointer<Float>,
                              gatesGradient: UnsafeMutablePointer<Float>, gatesRowStride: Int,
                              previousGradient: UnsafeMutablePointer<Float>,
                              rows: Int, hidden h: Int, active: [Bool]?) {
  let cellOffset = rows * h
  for n in 0..<rows {
    let (dhNext, dcNext) = (nextGradient + n * h, nextGradient + cellOffset + n * h)
    let (dhPrevious, dcPrevious) = (previousGradient + n * h, previousGradient + cellOffset + n * h)
    let dGates = gatesGradient + n * gatesRowStride
    if let active, !active[n] {
      dhPrevious.update(from: dhNext, count: h)
      dcPrevious.update(from: dcNext, count: h)
      dGates.update(repeating: 0, count: 4 * h)
      continue
    }
    let a = gates + n * 4 * h, cPrevious = previous + cellOffset + n * h
    for j in 0..<h {
      let (i, f, g, o) = (a[j], a[h + j], a[2 * h + j], a[3 * h + j])
      let tanhC = tanhCell[n * h + j]
      let dc = dcNext[j] + dhNext[j] * o * (1 - tanhC * tanhC)
      dGates[j] = dc * g * i * (1 - i)
      dGates[h + j] = dc * cPrevious[j] * f * (1 - f)
      dGates[2 * h + j] = dc * i * (1 - g * g)
      dGates[3 * h + j] = dhNext[j] * tanhC * o * (1 - o)
      dcPrevious[j] = dc * f
      dhPrevious[j] = 0  // the caller adds dgates · Uᵀ
    }
  }
}

/// One LSTM step as a single differentiable operation: from the input's projection x W
/// ([N, 4H]), the state [2, N, H] (h stacked on c), the recurrent weight U [H, 4H] and the bias
/// b [4H] to the next state [2, N, H]. The gate equations are written out at the top of
/// LSTM.swift and in `composedLSTMCell`, which computes the same thing from ten engine operations.
///
/// Backward: the cell's rule (`lstmCellBackward`) gives dpre, the gradient of x W + h U + b; then
/// ∂L/∂(x W) = dpre, ∂L/∂b = Σ_rows dpre, ∂L/∂U = hᵀ · dpre, ∂L/∂h = dpre · Uᵀ.
public func lstmCell(_ projectedInput: Tensor, state: Tensor, recurrentWeight: Tensor,
                     bias: Tensor) -> Tensor {
  let (rows, h) = checkCellShapes(projectedInput, state, recurrentWeight, bias)
  var gates = [Float](repeating: 0, count: rows * 4 * h)
  var next = [Float](repeating: 0, count: 2 * rows * h)
  var tanhCell = [Float](repeating: 0, count: rows * h)
  let (x, previous, u, b) = (projectedInput.data, state.data, recurrentWeight.data, bias.data)
  for n in 0..<rows {
    for k in 0..<4 * h { gates[n * 4 * h + k] = x[n * 4 * h + k] + b[k] }
  }
  previous.withUnsafeBufferPointer { previous in
    u.withUnsafeBufferPointer { u in
      gates.withUnsafeMutableBufferPointer { gates in
        // gates += h · U
        matrixMultiply(m: rows, n: 4 * h, k: h, a: previous.baseAddress!, aRowStride: h, aColStride: 1,
                       b: u.baseAddress!, bRowStride: 4 * h, bColStride: 1,
                       c: gates.baseAddress!, ldc: 4 * h, accumulate: true)
        next.withUnsafeMutableBufferPointer { next in
          tanhCell.withUnsafeMutableBufferPointer { tanhCell in
            lstmCellForward(gates: gates.baseAddress!, previous: previous.baseAddress!,
                            next: next.baseAddress!, tanhCell: tanhCell.baseAddress!,
                            rows: rows, hidden: h, active: nil)
          }
        }
      }
    }
  }
  let value = Tensor(shape: [2, rows, h], data: next)
  let (activations, tanhOfCell) = (gates, tanhCell)
  return .record(value, operation: "lstmCell",
                 inputs: [projectedInput, state, recurrentWeight, bias]) { grad in
    var dGates = [Float](repeating: 0, count: rows * 4 * h)
    var dPrevious = [Float](repeating: 0, count: 2 * rows * h)
    var dU = [Float](repeating: 0, count: h * 4 * h)
    var dBias = [Float](repeating: 0, count: 4 * h)
    activations.withUnsafeBufferPointer { a in
      previous.withUnsafeBufferPointer { previous in
        tanhOfCell.withUnsafeBufferPointer { tanhC in
          grad.data.withUnsafeBufferPointer { g in
            dGates.withUnsafeMutableBufferPointer { dGates in
              dPrevious.withUnsafeMutableBufferPointer { dPrevious in
                lstmCellBackward(gates: a.baseAddress!, previous: previous.baseAddress!,
                                 tanhCell: tanhC.baseAddress!, nextGradient: g.baseAddress!,
                                 gatesGradient: dGates.baseAddress!, gatesRowStride: 4 * h,
                                 previousGradient: dPrevious.baseAddress!,
                                 rows: rows, hidden: h, active: nil)
                u.withUnsafeBufferPointer { u in
                  // ∂L/∂h = dgates · Uᵀ: Uᵀ is U read with swapped strides.
                  matrixMultiply(m: rows, n: h, k: 4 * h, a: dGates.baseAddress!, aRowStride: 4 * h,
                                 aColStride: 1, b: u.baseAddress!, bRowStride: 1, bColStride: 4 * h,
                                 c: dPrevious.baseAddress!, ldc: h, accumulate: true)
                }
                dU.withUnsafeMutableBufferPointer { dU in
                  // ∂L/∂U = hᵀ · dgates
                  matrixMultiply(m: h, n: 4 * h, k: rows, a: previous.baseAddress!, aRowStride: 1,
                                 aColStride: h, b: dGates.baseAddress!, bRowStride: 4 * h,
                                 bColStride: 1, c: dU.baseAddress!, ldc: 4 * h, accumulate: false)
                }
              }
            }
          }
        }
      }
    }
    for n in 0..<rows {
      for k in 0..<4 * h { dBias[k] += dGates[n * 4 * h + k] }
    }
    return [Tensor(shape: [rows, 4 * h], data: dGates), Tensor(shape: [2, rows, h], data: dPrevious),
            Tensor(shape: [h, 4 * h], data: dU), Tensor(shape: [4 * h], data: dBias)]
  }
}
// end snippet

/// The same step as `lstmCell`, composed from engine operations (matmul, +, chunked, sigmoid,
/// tanh, *, stack): some twenty graph nodes where the fused cell has one. It is the definition
/// the fused cell is tested against, and the equations in their plainest form.
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
/// into rows t of one shared [N, T, 4H] buffer. That node comes before every step in the graph,
/// so backward() reaches it after all of them; it then hands the buffer to x W as its gradient
/// and computes ∂L/∂U = Σₜ hₜ₋₁ᵀ dpreₜ and ∂L/∂b = Σ dpre in one matrix product and one sum.
private final class UnrolledRecurrence {
  let rows: Int, steps: Int, hidden: Int
  let projected: [Float], recurrentWeight: [Float], bias: [Float]
  let lengths: [Int]?
  /// dpre for every row and step, [N, T, 4H], filled by the steps' backward passes; allocated
  /// by the first of them.
  var gatesGradient: [Float] = []
  /// hₜ₋₁ for every row and step, [N, T, H], filled by the forward pass; for ∂L/∂U.
  var previousHidden: [Float]
  /// Uᵀ, [4H, H], made by the first backward step: the products dpre · Uᵀ read it row by row,
  /// which is much faster than reading U column by column.
  lazy var transposedRecurrentWeight: [Float] = {
    let h = hidden
    var transposed = [Float](repeating: 0, count: 4 * h * h)
    for j in 0..<h {
      for k in 0..<4 * h { transposed[k * h + j] = recurrentWeight[j * 4 * h + k] }
    }
    return transposed
  }()

  init(projected: Tensor, recurrentWeight: Tensor, bias: Tensor, lengths: [Int]?) {
    (rows, steps, hidden) = (projected.shape[0], projected.shape[1], recurrentWeight.shape[0])
    self.projected = projected.data
    self.recurrentWeight = recurrentWeight.data
    self.bias = bias.data
    self.lengths = lengths
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
      var dU = [Float](repeating: 0, count: h * 4 * h)
      var dBias = [Float](repeating: 0, count: 4 * h)
      previousHidden.withUnsafeBufferPointer { hPrevious in
        dGates.withUnsafeBufferPointer { dGates in
          dU.withUnsafeMutableBufferPointer { dU in
            // ∂L/∂U = Σₜ hₜ₋₁ᵀ dpreₜ = H_previousᵀ · dpre, with both read as [N·T, ·] matrices.
            matrixMultiply(m: h, n: 4 * h, k: rows * steps, a: hPrevious.baseAddress!,
                           aRowStride: 1, aColStride: h, b: dGates.baseAddress!,
                           bRowStride: 4 * h, bColStride: 1, c: dU.baseAddress!, ldc: 4 * h,
                           accumulate: false)
          }
          dBias.withUnsafeMutableBufferPointer { dBias in
            for r in 0..<rows * steps {
              for k in 0..<4 * h { dBias[k] += dGates[r * 4 * h + k] }
            }
          }
        }
      }
      return [Tensor(shape: [rows, steps, 4 * h], data: dGates),
              Tensor(shape: [h, 4 * h], data: dU), Tensor(shape: [4 * h], data: dBias)]
    }
  }

  /// Step t: the next state [2, N, H] from the previous one.
  func step(_ t: Int, from previous: Tensor, parametersNode: Tensor) -> Tensor {
    let (rows, steps, h) = (rows, steps, hidden)
    let active = lengths.map { lengths in lengths.map { t < $0 } }
    var gates = [Float](repeating: 0, count: rows * 4 * h)
    var next = [Float](repeating: 0, count: 2 * rows * h)
    var tanhCell = [Float](repeating: 0, count: rows * h)
    let previousState = previous.data
    previousState.withUnsafeBufferPointer { previous in
      gates.withUnsafeMutableBufferPointer { gates in
        // pre = x W (row t of each sequence) + b + h U
        projected.withUnsafeBufferPointer { projected in
          bias.withUnsafeBufferPointer { b in
            for n in 0..<rows {
              let x = projected.baseAddress! + (n * steps + t) * 4 * h
              for k in 0..<4 * h { gates[n * 4 * h + k] = x[k] + b[k] }
            }
          }
        }
        recurrentWeight.withUnsafeBufferPointer { u in
          matrixMultiply(m: rows, n: 4 * h, k: h, a: previous.baseAddress!, aRowStride: h,
                         aColStride: 1, b: u.baseAddress!, bRowStride: 4 * h, bColStride: 1,
                         c: gates.baseAddress!, ldc: 4 * h, accumulate: true)
        }
        next.withUnsafeMutableBufferPointer { next in
          tanhCell.withUnsafeMutableBufferPointer { tanhCell in
            lstmCellForward(gates: gates.baseAddress!, previous: previous.baseAddress!,
                            next: next.baseAddress!, tanhCell: tanhCell.baseAddress!,
                            rows: rows, hidden: h, active: active)
          }
        }
      }
      // Keep hₜ₋₁ for ∂L/∂U.
      if !previousHidden.isEmpty {
        previousHidden.withUnsafeMutableBufferPointer { kept in
          for n in 0..<rows {
            (kept.baseAddress! + (n * steps + t) * h).update(from: previous.baseAddress! + n * h,
                                                             count: h)
          }
        }
      }
    }
    let value = Tensor(shape: [2, rows, h], data: next)
    let (activations, tanhOfCell) = (gates, tanhCell)
    let previousNeedsGradient = previous.requiresGrad
    return .record(value, operation: "lstmStep", inputs: [parametersNode, previous]) { [self] grad in
      var dPrevious = [Float](repeating: 0, count: 2 * rows * h)
      if gatesGradient.isEmpty { gatesGradient = [Float](repeating: 0, count: rows * steps * 4 * h) }
      activations.withUnsafeBufferPointer { a in
        previousState.withUnsafeBufferPointer { previous in
          tanhOfCell.withUnsafeBufferPointer { tanhC in
            grad.data.withUnsafeBufferPointer { g in
              gatesGradient.withUnsafeMutableBufferPointer { dGates in
                dPrevious.withUnsafeMutableBufferPointer { dPrevious in
                  // Rows t of the shared buffer: dGates + t·4H, one sequence every T·4H.
                  let dGatesAtT = dGates.baseAddress! + t * 4 * h
                  lstmCellBackward(gates: a.baseAddress!, previous: previous.baseAddress!,
                                   tanhCell: tanhC.baseAddress!, nextGradient: g.baseAddress!,
                                   gatesGradient: dGatesAtT, gatesRowStride: steps * 4 * h,
                                   previousGradient: dPrevious.baseAddress!,
                                   rows: rows, hidden: h, active: active)
                  guard previousNeedsGradient else { return }
                  transposedRecurrentWeight.withUnsafeBufferPointer { uT in
                    // ∂L/∂hₜ₋₁ = dpreₜ · Uᵀ
                    matrixMultiply(m: rows, n: h, k: 4 * h, a: dGatesAtT,
                                   aRowStride: steps * 4 * h, aColStride: 1, b: uT.baseAddress!,
                                   bRowStride: h, bColStride: 1, c: dPrevious.baseAddress!,
                                   ldc: h, accumulate: true)
                  }
                }
              }
            }
          }
        }
      }
      // The placeholder's gradient is never used: the real one waits in gatesGradient.
      return [Tensor(0), previousNeedsGradient ? Tensor(shape: [2, rows, h], data: dPrevious) : nil]
    }
  }
}

/// The hidden states of all steps as [N, T, H], zero where a sequence has ended.
private func hiddenStates(_ states: [Tensor], lengths: [Int]?) -> Tensor {
  let (steps, rows, h) = (states.count, states[0].shape[1], states[0].shape[2])
  func isReal(_ n: Int, _ t: Int) -> Bool { lengths.map { t < $0[n] } ?? true }
  var out = [Float](repeating: 0, count: rows * steps * h)
  for (t, state) in states.enumerated() {
    state.data.withUnsafeBufferPointer { s in
      for n in 0..<rows where isReal(n, t) {
        for j in 0..<h { out[(n * steps + t) * h + j] = s[n * h + j] }
      }
    }
  }
  return .record(Tensor(shape: [rows, steps, h], data: out), operation: "lstmOutputs",
                 inputs: states) { grad in
    (0..<steps).map { t in
      var dState = [Float](repeating: 0, count: 2 * rows * h)  // the cell part stays zero
      for n in 0..<rows where isReal(n, t) {
        for j in 0..<h { dState[n * h + j] = grad.data[(n * steps + t) * h + j] }
      }
      return Tensor(shape: [2, rows, h], data: dState)
    }
  }
}
