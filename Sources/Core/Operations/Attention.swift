import Foundation
import Kernels

// Attention, built from the operations before it. Every position of a sequence asks a question
// (its query q), every position offers an answer key k and a value v; a position's output is
// the average of the values, weighted by how well each key matches its query:
//
//     attention(Q, K, V) = softmax(Q·Kᵀ / √D) · V
//
// A language model predicts the next token, so position t may look only at positions ≤ t: the
// scores of later positions are set to −∞ before the softmax, which turns them into weight 0
// (the causal mask). Multi-head attention runs H such attentions side by side on slices of D =
// C/H features: `splitHeads` turns [B, T, C] into [B, H, T, D] and `mergeHeads` turns it back.
//
// `maskedFill` and `softmax` are all attention needs; `attentionSoftmax` does the scaling, the
// mask and the softmax in one pass instead (the tests check it against the three composed),
// because on [B, H, T, T] scores the three separate passes were a quarter of a GPT's step.

/// The causal mask of a [rows, columns] score matrix: `true` (masked) where a query at position
/// i would see a key at a later position j > i. For rows < columns the queries are taken as the
/// last `rows` positions (a continuation of a cached prefix).
public func causalMask(rows: Int, columns: Int) -> [Bool] {
  let offset = columns - rows
  return (0..<rows * columns).map { index in index % columns > index / columns + offset }
}

/// The square causal mask of a [size, size] score matrix.
public func causalMask(_ size: Int) -> [Bool] { causalMask(rows: size, columns: size) }

/// `x` with `value` written wherever `mask` is true (PyTorch's `masked_fill`). The mask covers
/// the last axes of `x` (its length is their size, e.g. T·T for [B, H, T, T] scores) and repeats
/// over the leading ones.  ∂y/∂x = 0 where masked, 1 elsewhere.
public func maskedFill(_ x: Tensor, mask: [Bool], value: Float = -.infinity) -> Tensor {
  var trailing = 1
  var axis = x.rank
  while trailing < mask.count && axis > 0 { axis -= 1; trailing *= x.shape[axis] }
  if trailing != mask.count || mask.isEmpty {
    fatalError("maskedFill: a mask of \(mask.count) values does not cover the last axes of " +
               "shape \(x.shape); it needs the product of some trailing sizes (e.g. T·T)")
  }
  var y = x.data
  y.withUnsafeMutableBufferPointer { y in
    mask.withUnsafeBufferPointer { mask in
      for start in stride(from: 0, to: y.count, by: mask.count) {
        for i in mask.indices where mask[i] { y[start + i] = value }
      }
    }
  }
  return .record(Tensor(shape: x.shape, data: y), operation: "maskedFill", inputs: [x]) { grad in
    var dx = grad.data
    dx.withUnsafeMutableBufferPointer { dx in
      mask.withUnsafeBufferPointer { mask in
        for start in stride(from: 0, to: dx.count, by: mask.count) {
          for i in mask.indices where mask[i] { dx[start + i] = 0 }
        }
      }
    }
    return [Tensor(shape: grad.shape, data: dx)]
  }
}

/// `x` with `value` written at every position (row, column) of its last two axes for which
/// `isMasked(row, column)` is true, e.g. `maskedFill(scores) { $1 > $0 }` for a causal mask.
public func maskedFill(_ x: Tensor, value: Float = -.infinity,
                       where isMasked: (_ row: Int, _ column: Int) -> Bool) -> Tensor {
  if x.rank < 2 { fatalError("maskedFill(where:): needs at least 2 axes, the shape is \(x.shape)") }
  let (rows, columns) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
  let mask = (0..<rows * columns).map { isMasked($0 / columns, $0 % columns) }
  return maskedFill(x, mask: mask, value: value)
}

/// The softmax of attention scores, fused: softmax(s·x) along the last axis, with the causal
/// mask applied first when `causal`, in one pass per row. Equal to
/// `softmax(maskedFill(x * s, mask: causalMask(rows: T, columns: S)))` on [..., T, S] scores,
/// but a row of a causal mask only computes its first unmasked positions (half the work of the
/// whole square), and eˣ runs eight at a time.
///
///     yᵢ = e^(s·xᵢ − m) / Σⱼ e^(s·xⱼ − m)   over the unmasked j (m their largest s·x);  0 masked
///     ∂L/∂xᵢ = s · yᵢ (gᵢ − Σⱼ gⱼ yⱼ)
public func attentionSoftmax(_ x: Tensor, scale: Float, causal: Bool) -> Tensor {
  if x.rank < 2 || scale <= 0 {
    fatalError("attentionSoftmax: needs [..., T, S] scores and a positive scale, got \(x.shape) " +
               "and \(scale)")
  }
  let (t, s) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
  let rows = x.count / Swift.max(s, 1)
  /// How many leading positions of row `row` are visible: all, or up to the diagonal (shifted by
  /// S − T when the queries are the last T of S positions).
  @inline(__always) func visible(_ row: Int) -> Int {
    causal ? Swift.max(0, Swift.min(s, row % t + 1 + s - t)) : s
  }
  var y = uninitializedFloats(x.count)
  x.data.withUnsafeBufferPointer { x in
    y.withUnsafeMutableBufferPointer { y in
      guard let x = x.baseAddress, let y = y.baseAddress else { return }
      splitRows(rows, work: rows * s) { range in
        for row in range {
          let (input, output, length) = (x + row * s, y + row * s, visible(row))
          var largest = -Float.infinity
          for j in 0..<length { largest = Swift.max(largest, input[j]) }
          var total: Float = 0
          for start in stride(from: 0, to: length, by: 8) {
            let lanes = Swift.min(8, length - start)
            let e = VectorMath.exp(scale * (VectorMath.load8(input + start, lanes: lanes) - largest))
            VectorMath.store(e, to: output + start, lanes: lanes)
            for lane in 0..<lanes { total += e[lane] }
          }
          let reciprocal = 1 / total
          for j in 0..<length { output[j] *= reciprocal }
          (output + length).update(repeating: 0, count: s - length)
        }
      }
    }
  }
  let value = Tensor(shape: x.shape, data: y)
  return .record(value, operation: "attentionSoftmax", inputs: [x]) { grad in
    var dx = uninitializedFloats(grad.count)
    grad.data.withUnsafeBufferPointer { g in
      y.withUnsafeBufferPointer { y in
        dx.withUnsafeMutableBufferPointer { dx in
          guard let g = g.baseAddress, let y = y.baseAddress, let dx = dx.baseAddress else { return }
          splitRows(rows, work: grad.count) { range in
            for row in range {
              let (g, y, dx, length) = (g + row * s, y + row * s, dx + row * s, visible(row))
              var dot: Float = 0
              for j in 0..<length { dot += g[j] * y[j] }
              for j in 0..<length { dx[j] = scale * y[j] * (g[j] - dot) }
              (dx + length).update(repeating: 0, count: s - length)
            }
          }
        }
      }
    }
    return [Tensor(shape: grad.shape, data: dx)]
  }
}

/// Scaled dot-product attention on [B, H, T, D] queries and [B, H, S, D] keys and values
/// (S = T for self-attention), as PyTorch's `F.scaled_dot_product_attention`:
///
///     softmax(Q·Kᵀ / √D  [−∞ above the diagonal when causal]) · V      → [B, H, T, D]
///
/// Made of two `batchedMatmul`s around the fused `attentionSoftmax`; the tests check it against
/// the same thing composed from `batchedMatmul`, `maskedFill` and `softmax`.
public func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor,
                                      causal: Bool = true) -> Tensor {
  guard query.rank >= 2, key.rank == query.rank, value.rank == query.rank,
        query.shape.last == key.shape.last, key.shape.dropLast() == value.shape.dropLast() else {
    fatalError("scaledDotProductAttention: query \(query.shape), key \(key.shape), value " +
               "\(value.shape): need [..., T, D], [..., S, D] and [..., S, Dv] with equal " +
               "leading axes")
  }
  let scores = batchedMatmul(query, key, transposeB: true)                 // Q·Kᵀ: [..., T, S]
  let weights = attentionSoftmax(scores, scale: 1 / Float(query.size(-1)).squareRoot(), causal: causal)
  return batchedMatmul(weights, value)                                      // [..., T, Dv]
}

extension Tensor {
  /// [B, T, C] → [B, H, T, D] with D = C/H: the features of every position cut into `heads`
  /// slices of D, each head's slices gathered into a [T, D] matrix of its own. The same as
  /// `reshaped([B, T, H, D]).permuted([0, 2, 1, 3])`, done as B·H·T copies of D floats.
  ///
  /// With `parts` > 1 the last axis holds `parts` blocks of C side by side and only block
  /// `part` is split: `qkv.splitHeads(4, part: 1, of: 3)` are the keys of a fused [B, T, 3C]
  /// query-key-value projection, without first copying them out with `chunked`.
  /// Backward: the inverse move (zeros for the other blocks).
  public func splitHeads(_ heads: Int, part: Int = 0, of parts: Int = 1) -> Tensor {
    guard rank == 3, heads > 0, parts > 0, 0 <= part, part < parts, shape[2] % (heads * parts) == 0 else {
      fatalError("splitHeads(\(heads), part: \(part), of: \(parts)): needs [B, T, parts·C] with C " +
                 "divisible by the number of heads and 0 ≤ part < parts, got \(shape)")
    }
    let (b, t, d) = (shape[0], shape[1], shape[2] / parts / heads)
    let layout = HeadLayout(batch: b, heads: heads, time: t, width: d, part: part, parts: parts)
    let value = Tensor(shape: [b, heads, t, d], data: layout.toHeads(data))
    let shape = self.shape
    return .record(value, operation: "splitHeads", inputs: [self]) { grad in
      [Tensor(shape: shape, data: layout.fromHeads(grad.data))]
    }
  }

  /// [B, H, T, D] → [B, T, H·D]: the inverse of `splitHeads`, the heads' outputs side by side.
  public func mergeHeads() -> Tensor {
    if rank != 4 { fatalError("mergeHeads(): needs [B, H, T, D], got \(shape)") }
    let (b, h, t, d) = (shape[0], shape[1], shape[2], shape[3])
    let layout = HeadLayout(batch: b, heads: h, time: t, width: d, part: 0, parts: 1)
    let value = Tensor(shape: [b, t, h * d], data: layout.fromHeads(data))
    return .record(value, operation: "mergeHeads", inputs: [self]) { grad in
      [Tensor(shape: [b, h, t, d], data: layout.toHeads(grad.data))]
    }
  }
}

/// Where head h's D features of position t of sequence n live in [B, T, parts·H·D] (block
/// `part`) and in [B, H, T, D]: the two moves between them copy runs of D floats.
private struct HeadLayout {
  let batch: Int, heads: Int, time: Int, width: Int, part: Int, parts: Int

  /// The start of (n, h, t) in [B, T, parts·H·D].
  @inline(__always) func byPosition(_ n: Int, _ h: Int, _ t: Int) -> Int {
    (((n * time + t) * parts + part) * heads + h) * width
  }

  /// The start of (n, h, t) in [B, H, T, D].
  @inline(__always) func byHead(_ n: Int, _ h: Int, _ t: Int) -> Int {
    ((n * heads + h) * time + t) * width
  }

  /// [B, T, parts·H·D] → [B, H, T, D] (block `part`).
  func toHeads(_ values: [Float]) -> [Float] {
    var out = uninitializedFloats(batch * heads * time * width)
    values.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { destination in
        guard let source = source.baseAddress, let destination = destination.baseAddress else { return }
        for n in 0..<batch { for h in 0..<heads { for t in 0..<time {
          (destination + byHead(n, h, t)).update(from: source + byPosition(n, h, t), count: width)
        } } }
      }
    }
    return out
  }

  /// [B, H, T, D] → [B, T, parts·H·D], into block `part`; the other blocks are 0.
  func fromHeads(_ values: [Float]) -> [Float] {
    let count = batch * time * parts * heads * width
    var out = parts == 1 ? uninitializedFloats(count) : [Float](repeating: 0, count: count)
    values.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { destination in
        guard let source = source.baseAddress, let destination = destination.baseAddress else { return }
        for n in 0..<batch { for t in 0..<time { for h in 0..<heads {
          (destination + byPosition(n, h, t)).update(from: source + byHead(n, h, t), count: width)
        } } }
      }
    }
    return out
  }
}
