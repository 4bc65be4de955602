// One LSTM step on raw buffers: the only definition of the step's arithmetic, used by the fused
// `lstmCell` operation and by every step of the `LSTM` layer (NeuralNetworks/Layers/LSTM.swift,
// where the equations are written out and composed from engine operations for comparison).
//
// Layouts: gates [N, 4H] in blocks i | f | g | o; a state [2, N, H], h stacked on c. A row
// whose `active` entry is false (its sequence has ended) keeps its previous state and passes
// its gradient straight through.

/// What one step's forward pass keeps for its backward pass.
public struct LSTMStepRecord: Sendable {
  /// The gate values i, f, g, o after their nonlinearities, [N, 4H].
  public let gates: [Float]
  /// tanh of the new cell, [N, H].
  public let tanhCell: [Float]
  /// The new state, [2, N, H].
  public let next: [Float]
}

/// The forward pass of one step: pre = x + b + h·U (row n of x at `x + n · xRowStride`), the gate
/// nonlinearities, c' = f ⊙ c + i ⊙ g and h' = o ⊙ tanh c'.
public func lstmStepForward(x: UnsafePointer<Float>, xRowStride: Int, bias: [Float],
                            recurrentWeight: [Float], previous: [Float], rows: Int, hidden h: Int,
                            active: [Bool]?) -> LSTMStepRecord {
  var gates = uninitializedFloats(rows * 4 * h)
  var next = uninitializedFloats(2 * rows * h)
  var tanhCell = uninitializedFloats(rows * h)
  let cellOffset = rows * h
  gates.withUnsafeMutableBufferPointer { gates in
    let gates = gates.baseAddress!
    bias.withUnsafeBufferPointer { b in
      for n in 0..<rows {
        for k in 0..<4 * h { gates[n * 4 * h + k] = x[n * xRowStride + k] + b[k] }
      }
    }
    previous.withUnsafeBufferPointer { previous in
      let previous = previous.baseAddress!
      recurrentWeight.withUnsafeBufferPointer { u in
        matrixMultiply(m: rows, n: 4 * h, k: h, a: previous, aRowStride: h, aColStride: 1,
                       b: u.baseAddress!, bRowStride: 4 * h, bColStride: 1,
                       c: gates, ldc: 4 * h, accumulate: true)  // gates += h · U
      }
      next.withUnsafeMutableBufferPointer { next in
        tanhCell.withUnsafeMutableBufferPointer { tanhCell in
          for n in 0..<rows {
            let (hPrevious, cPrevious) = (previous + n * h, previous + cellOffset + n * h)
            let (hNext, cNext) = (next.baseAddress! + n * h, next.baseAddress! + cellOffset + n * h)
            if let active, !active[n] {
              hNext.initialize(from: hPrevious, count: h)
              cNext.initialize(from: cPrevious, count: h)
              (tanhCell.baseAddress! + n * h).initialize(repeating: 0, count: h)
              continue
            }
            let a = gates + n * 4 * h
            let (i, f, g, o) = (a, a + h, a + 2 * h, a + 3 * h)
            VectorMath.apply(VectorMath.sigmoid, to: i, count: 2 * h)  // i and f, side by side
            VectorMath.apply(VectorMath.tanh, to: g, count: h)
            VectorMath.apply(VectorMath.sigmoid, to: o, count: h)
            let tanhC = tanhCell.baseAddress! + n * h
            for j in 0..<h {
              cNext[j] = f[j] * cPrevious[j] + i[j] * g[j]  // c' = f ⊙ c + i ⊙ g
              tanhC[j] = cNext[j]
            }
            VectorMath.apply(VectorMath.tanh, to: tanhC, count: h)
            for j in 0..<h { hNext[j] = o[j] * tanhC[j] }   // h' = o ⊙ tanh(c')
          }
        }
      }
    }
  }
  return LSTMStepRecord(gates: gates, tanhCell: tanhCell, next: next)
}

/// The backward pass of one step. From the gradient of the new state (dh', dc'), writes the
/// gradient of the gates' pre-activations dpre into row n at `gatesGradient + n · gatesRowStride`,
/// and returns the gradient of the previous state [2, N, H] (dh = dpre · Uᵀ, read from the
/// transposed weight `transposedRecurrentWeight` [4H, H]; nothing when `needsPreviousGradient` is
/// false):
///
///     dc    = dc' + dh' ⊙ o ⊙ (1 − tanh²c')       (c' reaches the loss directly and through h')
///     do    = dh' ⊙ tanh c'       → dpreₒ = do ⊙ o(1 − o)
///     di    = dc ⊙ g              → dpreᵢ = di ⊙ i(1 − i)
///     df    = dc ⊙ c              → dpre_f = df ⊙ f(1 − f)
///     dg    = dc ⊙ i              → dpre_g = dg ⊙ (1 − g²)
///     dc_previous = dc ⊙ f
public func lstmStepBackward(_ record: LSTMStepRecord, previous: [Float], nextGradient: [Float],
                             transposedRecurrentWeight: [Float],
                             gatesGradient: UnsafeMutablePointer<Float>, gatesRowStride: Int,
                             rows: Int, hidden h: Int, active: [Bool]?,
                             needsPreviousGradient: Bool) -> [Float]? {
  var dPrevious = [Float](repeating: 0, count: needsPreviousGradient ? 2 * rows * h : 0)
  var dCellPrevious = [Float](repeating: 0, count: rows * h)
  let cellOffset = rows * h
  record.gates.withUnsafeBufferPointer { a in
    record.tanhCell.withUnsafeBufferPointer { tanhCell in
      previous.withUnsafeBufferPointer { previous in
        nextGradient.withUnsafeBufferPointer { gradient in
          for n in 0..<rows {
            let (dhNext, dcNext) = (gradient.baseAddress! + n * h, gradient.baseAddress! + cellOffset + n * h)
            let dGates = gatesGradient + n * gatesRowStride
            if let active, !active[n] {
              for j in 0..<h { dCellPrevious[n * h + j] = dcNext[j] }
              dGates.update(repeating: 0, count: 4 * h)
              continue
            }
            let gate = a.baseAddress! + n * 4 * h, cPrevious = previous.baseAddress! + cellOffset + n * h
            for j in 0..<h {
              let (i, f, g, o) = (gate[j], gate[h + j], gate[2 * h + j], gate[3 * h + j])
              let tanhC = tanhCell[n * h + j]
              let dc = dcNext[j] + dhNext[j] * o * (1 - tanhC * tanhC)
              dGates[j] = dc * g * i * (1 - i)
              dGates[h + j] = dc * cPrevious[j] * f * (1 - f)
              dGates[2 * h + j] = dc * i * (1 - g * g)
              dGates[3 * h + j] = dhNext[j] * tanhC * o * (1 - o)
              dCellPrevious[n * h + j] = dc * f
            }
          }
          guard needsPreviousGradient else { return }
          dPrevious.withUnsafeMutableBufferPointer { dPrevious in
            // ∂L/∂h = dpre · Uᵀ; Uᵀ is read row by row, much faster than U column by column.
            transposedRecurrentWeight.withUnsafeBufferPointer { uT in
              matrixMultiply(m: rows, n: h, k: 4 * h, a: gatesGradient, aRowStride: gatesRowStride,
                             aColStride: 1, b: uT.baseAddress!, bRowStride: h, bColStride: 1,
                             c: dPrevious.baseAddress!, ldc: h, accumulate: false)
            }
            // Ended rows pass dh straight through (their state was copied, not computed).
            if let active {
              for n in 0..<rows where !active[n] {
                for j in 0..<h { dPrevious[n * h + j] = gradient[n * h + j] }
              }
            }
            for k in 0..<rows * h { dPrevious[cellOffset + k] = dCellPrevious[k] }
          }
        }
      }
    }
  }
  return needsPreviousGradient ? dPrevious : nil
}

/// The weight gradients of the recurrent product over `count` rows (every row and step):
/// ∂L/∂U = Σ h_previousᵀ · dpre ([H, 4H]) and ∂L/∂b = Σ dpre ([4H]), with h_previous [count, H]
/// and dpre [count, 4H].
public func lstmWeightGradients(previousHidden: UnsafePointer<Float>, gatesGradient: [Float],
                                count: Int, hidden h: Int) -> (recurrentWeight: [Float], bias: [Float]) {
  var dU = uninitializedFloats(h * 4 * h)
  var dBias = [Float](repeating: 0, count: 4 * h)
  gatesGradient.withUnsafeBufferPointer { dGates in
    dU.withUnsafeMutableBufferPointer { dU in
      matrixMultiply(m: h, n: 4 * h, k: count, a: previousHidden, aRowStride: 1, aColStride: h,
                     b: dGates.baseAddress!, bRowStride: 4 * h, bColStride: 1,
                     c: dU.baseAddress!, ldc: 4 * h, accumulate: false)
    }
    for r in 0..<count {
      for k in 0..<4 * h { dBias[k] += dGates[r * 4 * h + k] }
    }
  }
  return (dU, dBias)
}

/// Uᵀ of a [H, 4H] weight, as [4H, H].
public func transposedRecurrentWeight(_ u: [Float], hidden h: Int) -> [Float] {
  var transposed = uninitializedFloats(4 * h * h)
  for j in 0..<h {
    for k in 0..<4 * h { transposed[k * h + j] = u[j * 4 * h + k] }
  }
  return transposed
}
