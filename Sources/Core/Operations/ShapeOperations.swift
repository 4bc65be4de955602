import Foundation
import Kernels

// Operations that move elements around without changing their values: reshape, permute and
// transpose, slices, concatenation and splitting, and gathering rows (an embedding lookup).
// Their backward passes move the gradient back to where each element came from.

extension Tensor {
  /// The same elements seen with another shape of the same size; one size may be −1, meaning
  /// "whatever is left". The storage is shared until written.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var resolved = newShape
    if let unknown = newShape.firstIndex(of: -1) {
      let known = newShape.enumerated().filter { $0.offset != unknown }.map(\.element).product
      if known == 0 || count % known != 0 {
        fatalError("reshaped(\(newShape)): cannot infer −1 for \(count) elements of shape \(shape)")
      }
      resolved[unknown] = count / known
    }
    if resolved.product != count || resolved.contains(where: { $0 < 0 }) {
      fatalError("reshaped(\(newShape)): a tensor of shape \(shape) has \(count) elements, " +
                 "the new shape holds \(resolved.product)")
    }
    let value = Tensor(shape: resolved, data: data)
    let shape = self.shape
    return .record(value, operation: "reshape", inputs: [self]) { grad in
      [Tensor(shape: shape, data: grad.data)]
    }
  }

  /// `reshaped` with the sizes written out: `x.reshaped(2, -1)`.
  public func reshaped(_ sizes: Int...) -> Tensor { reshaped(sizes) }

  /// Reorders the axes: axis `i` of the result is axis `axes[i]` of this tensor. Attention uses
  /// it to turn [batch, time, heads, features] into [batch, heads, time, features].
  public func permuted(_ axes: [Int]) -> Tensor {
    if axes.sorted() != Array(0..<rank) {
      fatalError("permuted(\(axes)): must list each axis 0..<\(rank) exactly once (shape \(shape))")
    }
    let value = permutedValues(axes)
    var inverse = [Int](repeating: 0, count: rank)
    for (position, axis) in axes.enumerated() { inverse[axis] = position }
    return .record(value, operation: "permute", inputs: [self]) { grad in
      [grad.permutedValues(inverse)]
    }
  }

  /// The permutation itself, outside the graph.
  func permutedValues(_ axes: [Int]) -> Tensor {
    let newShape = axes.map { shape[$0] }
    let sourceStrides = contiguousStrides(shape)
    let readStrides = axes.map { sourceStrides[$0] }
    let rows = BroadcastRows(shape: newShape, stridesA: readStrides, stridesB: readStrides)
    return Tensor(shape: newShape, data: rows.gather(data))
  }

  /// Swaps two axes (by default the last two: the matrix transpose of each matrix in a batch).
  public func transposed(_ axis1: Int = -2, _ axis2: Int = -1) -> Tensor {
    if rank < 2 { fatalError("transposed(): needs at least 2 axes, the shape is \(shape)") }
    var axes = Array(0..<rank)
    axes.swapAt(normalizedAxis(axis1, rank: rank, in: "transposed"),
                normalizedAxis(axis2, rank: rank, in: "transposed"))
    return permuted(axes)
  }

  /// The elements whose index along `axis` lies in `range`; the axis keeps its place.
  public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
    let axis = normalizedAxis(axis, rank: rank, in: "slice")
    if range.lowerBound < 0 || range.upperBound > shape[axis] {
      fatalError("slice(axis: \(axis), \(range)): out of bounds for size \(shape[axis]) " +
                 "in shape \(shape)")
    }
    let (outer, length, inner) = splitAroundAxis(shape, axis)
    var newShape = shape
    newShape[axis] = range.count
    var out = [Float](repeating: 0, count: newShape.product)
    data.withUnsafeBufferPointer { x in
      for o in 0..<outer {
        let from = (o * length + range.lowerBound) * inner, to = o * range.count * inner
        for i in 0..<range.count * inner { out[to + i] = x[from + i] }
      }
    }
    let value = Tensor(shape: newShape, data: out)
    let shape = self.shape
    return .record(value, operation: "slice", inputs: [self]) { grad in
      var scattered = [Float](repeating: 0, count: shape.product)
      for o in 0..<outer {
        let to = (o * length + range.lowerBound) * inner, from = o * range.count * inner
        for i in 0..<range.count * inner { scattered[to + i] = grad.data[from + i] }
      }
      return [Tensor(shape: shape, data: scattered)]
    }
  }

  /// Item `index` along the first axis, with that axis removed: row `i` of a matrix.
  public subscript(index: Int) -> Tensor {
    if rank == 0 { fatalError("subscript [\(index)]: a scalar has no first axis") }
    return slice(axis: 0, index..<index + 1).reshaped(Array(shape.dropFirst()))
  }

  /// The items in `range` along the first axis: a mini-batch of a data set.
  public subscript(range: Range<Int>) -> Tensor { slice(axis: 0, range) }

  /// Splits along `axis` into pieces of the given sizes, which must add up to the axis size.
  public func split(sizes: [Int], axis: Int) -> [Tensor] {
    let resolved = normalizedAxis(axis, rank: rank, in: "split")
    if sizes.reduce(0, +) != shape[resolved] {
      fatalError("split(sizes: \(sizes), axis: \(axis)): sizes add up to \(sizes.reduce(0, +)), " +
                 "but the axis has size \(shape[resolved]) in shape \(shape)")
    }
    var start = 0
    return sizes.map { size in
      defer { start += size }
      return slice(axis: resolved, start..<start + size)
    }
  }

  /// Splits along `axis` into `count` equal pieces: the four gates of an LSTM, the heads of
  /// attention.
  public func chunked(_ count: Int, axis: Int) -> [Tensor] {
    let size = self.size(axis)
    if count <= 0 || size % count != 0 {
      fatalError("chunked(\(count), axis: \(axis)): size \(size) of shape \(shape) does not " +
                 "divide into \(count) equal pieces")
    }
    return split(sizes: Array(repeating: size / count, count: count), axis: axis)
  }

  /// Picks rows of a [rows, …] table by index, giving [indices.count, …]: an embedding lookup.
  /// The backward pass adds each gradient row back into the row it came from, so a word used
  /// twice in a batch collects both gradients.
  public func gatherRows(_ indices: [Int]) -> Tensor {
    if rank == 0 { fatalError("gatherRows: a scalar has no rows") }
    let rows = shape[0], width = count / Swift.max(rows, 1)
    var out = uninitializedFloats(indices.count * width)
    data.withUnsafeBufferPointer { table in
      out.withUnsafeMutableBufferPointer { out in
        for (n, row) in indices.enumerated() {
          if row < 0 || row >= rows {
            fatalError("gatherRows: index \(row) at position \(n) is out of range 0..<\(rows) " +
                       "for a table of shape \(shape)")
          }
          if width > 0 {
            (out.baseAddress! + n * width).update(from: table.baseAddress! + row * width,
                                                  count: width)
          }
        }
      }
    }
    let value = Tensor(shape: [indices.count] + shape.dropFirst(), data: out)
    let tableShape = shape
    return .record(value, operation: "gatherRows", inputs: [self]) { grad in
      var table = [Float](repeating: 0, count: tableShape.product)
      grad.data.withUnsafeBufferPointer { g in
        table.withUnsafeMutableBufferPointer { table in
          for (n, row) in indices.enumerated() where width > 0 {
            let (to, from) = (table.baseAddress! + row * width, g.baseAddress! + n * width)
            for i in 0..<width { to[i] += from[i] }
          }
        }
      }
      return [Tensor(shape: tableShape, data: table)]
    }
  }
}

/// Joins tensors along `axis`; all other sizes must agree.
public func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
  guard let first = tensors.first else { fatalError("concatenate: needs at least one tensor") }
  let axis = normalizedAxis(axis, rank: first.rank, in: "concatenate")
  for t in tensors {
    var a = t.shape, b = first.shape
    if a.count == b.count { a[axis] = 0; b[axis] = 0 }
    if a != b {
      fatalError("concatenate(axis: \(axis)): shapes \(tensors.map(\.shape)) differ outside " +
                 "the joined axis")
    }
  }
  let (outer, _, inner) = splitAroundAxis(first.shape, axis)
  let lengths = tensors.map { $0.shape[axis] }
  let total = lengths.reduce(0, +)
  var out = [Float](repeating: 0, count: outer * total * inner)
  var offset = 0
  for (t, length) in zip(tensors, lengths) {
    t.data.withUnsafeBufferPointer { x in
      for o in 0..<outer {
        for i in 0..<length * inner { out[(o * total + offset) * inner + i] = x[o * length * inner + i] }
      }
    }
    offset += length
  }
  var shape = first.shape
  shape[axis] = total
  return .record(Tensor(shape: shape, data: out), operation: "concatenate", inputs: tensors) { grad in
    withoutGradients { grad.split(sizes: lengths, axis: axis) }
  }
}

/// Stacks equally shaped tensors along a new axis: T vectors of [features] into [T, features].
public func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
  guard let first = tensors.first else { fatalError("stack: needs at least one tensor") }
  let resolved = axis < 0 ? axis + first.rank + 1 : axis
  if resolved < 0 || resolved > first.rank {
    fatalError("stack(axis: \(axis)): out of range for tensors of shape \(first.shape)")
  }
  var expanded = first.shape
  expanded.insert(1, at: resolved)
  return concatenate(tensors.map { $0.reshaped(expanded) }, axis: resolved)
}

extension Tensor {
  /// The items at `indices` along the first axis, outside the graph: a mini-batch of inputs.
  public func rows(at indices: [Int]) -> Tensor {
    let width = count / Swift.max(shape.first ?? 1, 1)
    var out = [Float](repeating: 0, count: indices.count * width)
    data.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { target in
        for (n, row) in indices.enumerated() {
          if row < 0 || row >= shape[0] {
            fatalError("rows(at:): index \(row) is out of range 0..<\(shape[0]) for shape \(shape)")
          }
          for i in 0..<width { target[n * width + i] = source[row * width + i] }
        }
      }
    }
    return Tensor(shape: [indices.count] + shape.dropFirst(), data: out)
  }
}
