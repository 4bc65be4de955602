import Foundation

// One LSTM step on raw buffers: the only definition of the step's arithmetic, used by the fused
// `lstmCell` operation and by every step of the `LSTM` layer (NeuralNetworks/Layers/LSTM.swift,
// where the equations are written out and composed from engine operations for comparison).
//
// Layouts: gates [N, 4H] in blocks i | f | g | o; a state [2, N, H], h stacked on c. A row
// whose `active` entry is false (its sequence has ended) keeps its previous state and passes
// its gradient straight through.
//
// Speed. A step is small (for chapter 9, a [32, 200] · [200, 800] product and 6 400 cells) and
// the 64 steps of a sequence run one after another, so what is around the product counts:
//
//   - The recurrent weight is packed once per sequence (`PackedMatrix`), not at every step.
//   - The cores split a step by rows (sequences of the batch), not by columns: each core
//     multiplies its rows by all of U and then runs the cell's elementwise work on the gates it
//     has just computed, while they are in its L1 cache, and nobody waits for a serial
//     elementwise pass between products. Backward likewise: each core turns its rows' state
//     gradient into gate gradients and multiplies those by Uᵀ.
//   - The nonlinearities and the cell run a whole vector at a time, at the path's width.
//
// Each element gets the same operations in the same order as the plain loops did, whatever the
// split and the vector width: the results are bit-identical on every path and thread count.

/// What one step's forward pass keeps for its backward pass.
public struct LSTMStepRecord: Sendable {
  /// The gate values i, f, g, o after their nonlinearities, [N, 4H].
  public let gates: [Float]
  /// tanh of the new cell, [N, H].
  public let tanhCell: [Float]
  /// The new state, [2, N, H].
  public let next: [Float]
}

/// U [H, 4H] packed for the steps' products h · U, for a batch of `rows` sequences.
public func packRecurrentWeight(_ u: [Float], hidden h: Int, rows: Int,
                                path: KernelPath = .preferred) -> PackedMatrix {
  u.withUnsafeBufferPointer { u in
    PackedMatrix(k: h, n: 4 * h, b: u.baseAddress!, rowStride: 4 * h, columnStride: 1,
                 rowsOfA: rows, path: path)
  }
}

/// Uᵀ [4H, H] packed for the backward products dpre · Uᵀ, for a batch of `rows` sequences.
public func packTransposedRecurrentWeight(_ u: [Float], hidden h: Int, rows: Int,
                                          path: KernelPath = .preferred) -> PackedMatrix {
  // Made row-major first: Uᵀ's rows are then contiguous, which decides how k is blocked (as it
  // always has been for this product: see DepthBlocking).
  transposedRecurrentWeight(u, hidden: h).withUnsafeBufferPointer { uT in
    PackedMatrix(k: 4 * h, n: h, b: uT.baseAddress!, rowStride: h, columnStride: 1,
                 rowsOfA: rows, path: path)
  }
}

/// The forward pass of one step: pre = x + b + h·U (row n of x at `x + n · xRowStride`), the gate
/// nonlinearities, c' = f ⊙ c + i ⊙ g and h' = o ⊙ tanh c'. `recurrentWeight` is U packed by
/// `packRecurrentWeight`.
public func lstmStepForward(x: UnsafePointer<Float>, xRowStride: Int, bias: [Float],
                            recurrentWeight: PackedMatrix, previous: [Float], rows: Int,
                            hidden h: Int, active: [Bool]?) -> LSTMStepRecord {
  var gates = uninitializedFloats(rows * 4 * h)
  var next = uninitializedFloats(2 * rows * h)
  var tanhCell = uninitializedFloats(rows * h)
  gates.withUnsafeMutableBufferPointer { gates in
    next.withUnsafeMutableBufferPointer { next in
      tanhCell.withUnsafeMutableBufferPointer { tanhCell in
        bias.withUnsafeBufferPointer { bias in
          previous.withUnsafeBufferPointer { previous in
            let step = ForwardStep(
              x: x, xRowStride: xRowStride, bias: bias.baseAddress!, weight: recurrentWeight,
              previous: previous.baseAddress!, gates: gates.baseAddress!, next: next.baseAddress!,
              tanhCell: tanhCell.baseAddress!, rows: rows, hidden: h, active: active)
            splitRows(rows, work: rows * 4 * h * h, path: recurrentWeight.path) { range in
              switch recurrentWeight.path {
              case .simd8: step.run(range, width: SIMD8<Float>.self)
              case .simd16: step.run(range, width: SIMD16<Float>.self)
              }
            }
          }
        }
      }
    }
  }
  return LSTMStepRecord(gates: gates, tanhCell: tanhCell, next: next)
}

/// The backward pass of one step. From the gradient of the new state (dh', dc'), writes the
/// gradient of the gates' pre-activations dpre into row n at `gatesGradient + n · gatesRowStride`,
/// and returns the gradient of the previous state [2, N, H] (dh = dpre · Uᵀ, with Uᵀ packed by
/// `packTransposedRecurrentWeight`; nothing when `needsPreviousGradient` is false):
///
///     dc    = dc' + dh' ⊙ o ⊙ (1 − tanh²c')       (c' reaches the loss directly and through h')
///     do    = dh' ⊙ tanh c'       → dpreₒ = do ⊙ o(1 − o)
///     di    = dc ⊙ g              → dpreᵢ = di ⊙ i(1 − i)
///     df    = dc ⊙ c              → dpre_f = df ⊙ f(1 − f)
///     dg    = dc ⊙ i              → dpre_g = dg ⊙ (1 − g²)
///     dc_previous = dc ⊙ f
public func lstmStepBackward(_ record: LSTMStepRecord, previous: [Float], nextGradient: [Float],
                             transposedRecurrentWeight: PackedMatrix,
                             gatesGradient: UnsafeMutablePointer<Float>, gatesRowStride: Int,
                             rows: Int, hidden h: Int, active: [Bool]?,
                             needsPreviousGradient: Bool) -> [Float]? {
  var dPrevious = uninitializedFloats(needsPreviousGradient ? 2 * rows * h : 0)
  record.gates.withUnsafeBufferPointer { gates in
    record.tanhCell.withUnsafeBufferPointer { tanhCell in
      previous.withUnsafeBufferPointer { previous in
        nextGradient.withUnsafeBufferPointer { nextGradient in
          dPrevious.withUnsafeMutableBufferPointer { dPrevious in
            let step = BackwardStep(
              gates: gates.baseAddress!, tanhCell: tanhCell.baseAddress!,
              previous: previous.baseAddress!, nextGradient: nextGradient.baseAddress!,
              weight: transposedRecurrentWeight, gatesGradient: gatesGradient,
              gatesRowStride: gatesRowStride,
              dPrevious: needsPreviousGradient ? dPrevious.baseAddress! : nil,
              rows: rows, hidden: h, active: active)
            let work = needsPreviousGradient ? rows * 4 * h * h : rows * h * 16
            splitRows(rows, work: work, path: transposedRecurrentWeight.path) { range in
              switch transposedRecurrentWeight.path {
              case .simd8: step.run(range, width: SIMD8<Float>.self)
              case .simd16: step.run(range, width: SIMD16<Float>.self)
              }
            }
          }
        }
      }
    }
  }
  return needsPreviousGradient ? dPrevious : nil
}

/// Runs `body` on ranges of rows that together cover 0..<rows: one range, or one per core when
/// there is `work` (multiply-adds) enough to pay for the second core. Cuts fall on the matrix
/// product's tile rows, so that no tile is split between cores.
func splitRows(_ rows: Int, work: Int, path: KernelPath, _ body: @escaping (Range<Int>) -> Void) {
  let tileRows = path.tile.rows
  let tiles = (rows + tileRows - 1) / tileRows
  let parts = max(1, min(engineCores, work / (1 << 18), tiles))
  if parts == 1 { return body(0..<rows) }
  parallelFor(parts: parts) { part in
    body(min(rows, tiles * part / parts * tileRows)..<min(rows, tiles * (part + 1) / parts * tileRows))
  }
}

/// The buffers of one forward step, and its work on a range of rows.
private struct ForwardStep {
  let x: UnsafePointer<Float>, xRowStride: Int, bias: UnsafePointer<Float>
  let weight: PackedMatrix
  let previous: UnsafePointer<Float>
  let gates: UnsafeMutablePointer<Float>, next: UnsafeMutablePointer<Float>
  let tanhCell: UnsafeMutablePointer<Float>
  let rows: Int, hidden: Int
  let active: [Bool]?

  /// Rows `range`: their gates x + b + h · U, then their cells.
  @inline(__always)
  func run<V: FloatVector>(_ range: Range<Int>, width: V.Type) {
    if range.isEmpty { return }
    let h = hidden
    for n in range {
      let (from, to) = (x + n * xRowStride, gates + n * 4 * h)
      for k in 0..<4 * h { to[k] = from[k] + bias[k] }
    }
    weight.multiply(m: range.count, a: previous + range.lowerBound * h, aRowStride: h,
                    aColStride: 1, c: gates + range.lowerBound * 4 * h, ldc: 4 * h,
                    accumulate: true)  // gates += h · U
    let cellOffset = rows * h
    for n in range {
      let (hPrevious, cPrevious) = (previous + n * h, previous + cellOffset + n * h)
      let (hNext, cNext) = (next + n * h, next + cellOffset + n * h)
      let tanhC = tanhCell + n * h
      if let active, !active[n] {
        hNext.update(from: hPrevious, count: h)
        cNext.update(from: cPrevious, count: h)
        tanhC.update(repeating: 0, count: h)
        continue
      }
      Self.cell(gates: gates + n * 4 * h, cPrevious: cPrevious, cNext: cNext, tanhC: tanhC,
                hNext: hNext, hidden: h, width: V.self)
    }
  }

  /// One row's cell: the gate nonlinearities in place, c' = f ⊙ c + i ⊙ g, tanh c' and
  /// h' = o ⊙ tanh c', a vector at a time. (A function of its own, not inlined, so that the
  /// compiler's inliner, which stops inlining into very large functions, inlines eˣ, σ and tanh
  /// here.)
  @inline(never)
  static func cell<V: FloatVector>(gates a: UnsafeMutablePointer<Float>,
                                   cPrevious: UnsafePointer<Float>,
                                   cNext: UnsafeMutablePointer<Float>,
                                   tanhC: UnsafeMutablePointer<Float>,
                                   hNext: UnsafeMutablePointer<Float>, hidden h: Int,
                                   width: V.Type) {
    let (i, f, g, o) = (a, a + h, a + 2 * h, a + 3 * h)
    for j in stride(from: 0, to: h, by: V.scalarCount) {
      let lanes = min(V.scalarCount, h - j)
      let iv = VectorMath.Sigmoid.of(VectorMath.load(i + j, lanes: lanes) as V)
      let fv = VectorMath.Sigmoid.of(VectorMath.load(f + j, lanes: lanes) as V)
      let gv = VectorMath.HyperbolicTangent.of(VectorMath.load(g + j, lanes: lanes) as V)
      let ov = VectorMath.Sigmoid.of(VectorMath.load(o + j, lanes: lanes) as V)
      let c = fv * (VectorMath.load(cPrevious + j, lanes: lanes) as V) + iv * gv  // f⊙c + i⊙g
      let tc = VectorMath.HyperbolicTangent.of(c)
      VectorMath.store(iv, to: i + j, lanes: lanes)
      VectorMath.store(fv, to: f + j, lanes: lanes)
      VectorMath.store(gv, to: g + j, lanes: lanes)
      VectorMath.store(ov, to: o + j, lanes: lanes)
      VectorMath.store(c, to: cNext + j, lanes: lanes)
      VectorMath.store(tc, to: tanhC + j, lanes: lanes)
      VectorMath.store(ov * tc, to: hNext + j, lanes: lanes)  // h' = o ⊙ tanh(c')
    }
  }
}

/// The buffers of one backward step, and its work on a range of rows.
private struct BackwardStep {
  let gates: UnsafePointer<Float>, tanhCell: UnsafePointer<Float>
  let previous: UnsafePointer<Float>, nextGradient: UnsafePointer<Float>
  let weight: PackedMatrix
  let gatesGradient: UnsafeMutablePointer<Float>, gatesRowStride: Int
  /// The previous state's gradient [2, N, H], or nil when it is not needed.
  let dPrevious: UnsafeMutablePointer<Float>?
  let rows: Int, hidden: Int
  let active: [Bool]?

  /// Rows `range`: their gate gradients, then their part of the previous state's gradient.
  @inline(__always)
  func run<V: FloatVector>(_ range: Range<Int>, width: V.Type) {
    if range.isEmpty { return }
    let h = hidden, cellOffset = rows * h
    for n in range {
      let (dhNext, dcNext) = (nextGradient + n * h, nextGradient + cellOffset + n * h)
      let dGates = gatesGradient + n * gatesRowStride
      let dcPrevious = dPrevious.map { $0 + cellOffset + n * h }
      if let active, !active[n] {
        dcPrevious?.update(from: dcNext, count: h)
        dGates.update(repeating: 0, count: 4 * h)
        continue
      }
      let gate = gates + n * 4 * h, cPrevious = previous + cellOffset + n * h
      for j in stride(from: 0, to: h, by: V.scalarCount) {
        let lanes = min(V.scalarCount, h - j)
        func load(_ pointer: UnsafePointer<Float>) -> V { VectorMath.load(pointer + j, lanes: lanes) }
        let (i, f, g, o) = (load(gate), load(gate + h), load(gate + 2 * h), load(gate + 3 * h))
        let (tanhC, dh) = (load(tanhCell + n * h), load(dhNext))
        let dc = load(dcNext) + dh * o * (1 - tanhC * tanhC)
        VectorMath.store(dc * g * i * (1 - i), to: dGates + j, lanes: lanes)
        VectorMath.store(dc * load(cPrevious) * f * (1 - f), to: dGates + h + j, lanes: lanes)
        VectorMath.store(dc * i * (1 - g * g), to: dGates + 2 * h + j, lanes: lanes)
        VectorMath.store(dh * tanhC * o * (1 - o), to: dGates + 3 * h + j, lanes: lanes)
        if let dcPrevious { VectorMath.store(dc * f, to: dcPrevious + j, lanes: lanes) }
      }
    }
    guard let dPrevious else { return }
    // ∂L/∂h = dpre · Uᵀ for these rows; Uᵀ is read row by row, much faster than U column by
    // column.
    weight.multiply(m: range.count, a: gatesGradient + range.lowerBound * gatesRowStride,
                    aRowStride: gatesRowStride, aColStride: 1, c: dPrevious + range.lowerBound * h,
                    ldc: h, accumulate: false)
    // Ended rows pass dh straight through (their state was copied, not computed).
    if let active {
      for n in range where !active[n] {
        (dPrevious + n * h).update(from: nextGradient + n * h, count: h)
      }
    }
  }
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
