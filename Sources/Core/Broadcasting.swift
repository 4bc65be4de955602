import Foundation
import Kernels

// Broadcasting lets `x + bias` add a [features] vector to every row of a [batch, features]
// matrix without copying the bias: NumPy's rule, which PyTorch follows. The backward pass of a
// broadcast operation must sum the gradient over the copied axes (`sumToShape`), because each
// element of the small operand contributed to many outputs.

/// The shape two shapes broadcast to: align them on the right; each pair of sizes must be equal
/// or one of them 1 (a missing axis counts as 1).
func broadcastShape(_ a: [Int], _ b: [Int], in operation: String) -> [Int] {
  let rank = max(a.count, b.count)
  var result = [Int](repeating: 1, count: rank)
  for axis in 0..<rank {
    let sizeA = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
    let sizeB = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
    if sizeA != sizeB && sizeA != 1 && sizeB != 1 {
      fatalError("\(operation): shapes \(a) and \(b) cannot be broadcast together " +
                 "(axis \(axis) of the result: sizes \(sizeA) and \(sizeB) differ and neither is 1)")
    }
    result[axis] = sizeA == 1 ? sizeB : sizeA
  }
  return result
}

/// Strides that read a tensor of `shape` as if it had `target` shape: 0 along broadcast axes.
func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
  let own = contiguousStrides(shape)
  let offset = target.count - shape.count
  return (0..<target.count).map { axis in
    axis < offset || shape[axis - offset] == 1 ? 0 : own[axis - offset]
  }
}

/// A walk over a broadcast shape, row by row, reading two operands through their own strides
/// (0 along the axes they are broadcast over).
///
/// Before walking, axes of size 1 are dropped and each axis is merged into the next whenever both
/// operands step over the pair as over one axis (stride = next stride × next size): a same-shape
/// operation becomes one row, and [64, 16, 28, 28] + [64, 16, 1, 1] becomes 1024 rows of 784 with
/// row strides 1 and 0. Long rows with known strides are what lets the compiler vectorise the
/// loops that use them.
struct BroadcastRows {
  /// The merged shape, outermost first; the last axis is the row.
  let shape: [Int]
  let stridesA: [Int], stridesB: [Int]

  init(shape: [Int], stridesA: [Int], stridesB: [Int]) {
    var merged: (shape: [Int], a: [Int], b: [Int]) = ([], [], [])  // innermost first
    for axis in shape.indices.reversed() where shape[axis] != 1 {
      if let size = merged.shape.last, stridesA[axis] == merged.a.last! * size,
         stridesB[axis] == merged.b.last! * size {
        merged.shape[merged.shape.count - 1] *= shape[axis]
      } else {
        merged.shape.append(shape[axis])
        merged.a.append(stridesA[axis])
        merged.b.append(stridesB[axis])
      }
    }
    if merged.shape.isEmpty { merged = ([1], [0], [0]) }  // a single element
    self.shape = merged.shape.reversed()
    self.stridesA = merged.a.reversed()
    self.stridesB = merged.b.reversed()
  }

  /// Elements per row, and how far each operand moves from one to the next.
  var length: Int { shape[shape.count - 1] }
  var strideA: Int { stridesA[stridesA.count - 1] }
  var strideB: Int { stridesB[stridesB.count - 1] }

  /// Calls `body(outputStart, offsetInA, offsetInB)` at the start of every row, walking the outer
  /// axes like an odometer.
  @inline(__always)
  func forEach(_ body: (_ output: Int, _ a: Int, _ b: Int) -> Void) {
    let total = shape.product, length = length
    if total == 0 { return }
    var counter = [Int](repeating: 0, count: shape.count)
    var offsetA = 0, offsetB = 0
    for output in stride(from: 0, to: total, by: length) {
      body(output, offsetA, offsetB)
      var axis = shape.count - 2
      while axis >= 0 {
        counter[axis] += 1
        offsetA += stridesA[axis]
        offsetB += stridesB[axis]
        if counter[axis] < shape[axis] { break }
        offsetA -= stridesA[axis] * shape[axis]
        offsetB -= stridesB[axis] * shape[axis]
        counter[axis] = 0
        axis -= 1
      }
    }
  }
}

/// Calls `body(outputIndex, offsetInA, offsetInB)` for every element of the broadcast shape.
@inline(__always)
func forEachBroadcastOffset(_ shape: [Int], _ stridesA: [Int], _ stridesB: [Int],
                            _ body: (Int, Int, Int) -> Void) {
  let rows = BroadcastRows(shape: shape, stridesA: stridesA, stridesB: stridesB)
  let (length, strideA, strideB) = (rows.length, rows.strideA, rows.strideB)
  rows.forEach { output, a, b in
    for j in 0..<length { body(output + j, a + j * strideA, b + j * strideB) }
  }
}

/// Combines `a` and `b` element by element after broadcasting them to a common shape.
@inline(__always)
func broadcastElementwise(_ a: Tensor, _ b: Tensor, operation: String,
                          _ combine: (Float, Float) -> Float) -> Tensor {
  let shape = a.shape == b.shape ? a.shape : broadcastShape(a.shape, b.shape, in: operation)
  let rows = BroadcastRows(shape: shape, stridesA: broadcastStrides(a.shape, to: shape),
                           stridesB: broadcastStrides(b.shape, to: shape))
  let length = rows.length
  var out = uninitializedFloats(shape.product)
  a.data.withUnsafeBufferPointer { x in
    b.data.withUnsafeBufferPointer { y in
      out.withUnsafeMutableBufferPointer { o in
        rows.forEach { start, i, k in
          // The three common cases get loops the compiler can vectorise.
          switch (rows.strideA, rows.strideB) {
          case (1, 1): for j in 0..<length { o[start + j] = combine(x[i + j], y[k + j]) }
          case (1, 0): let yk = y[k]; for j in 0..<length { o[start + j] = combine(x[i + j], yk) }
          case (0, 1): let xi = x[i]; for j in 0..<length { o[start + j] = combine(xi, y[k + j]) }
          case let (strideA, strideB):
            for j in 0..<length { o[start + j] = combine(x[i + j * strideA], y[k + j * strideB]) }
          }
        }
      }
    }
  }
  return Tensor(shape: shape, data: out)
}

extension Tensor {
  /// Sums this gradient over the axes along which an operand of `shape` was broadcast, giving
  /// the gradient of that operand.
  func sumToShape(_ shape: [Int]) -> Tensor {
    if self.shape == shape { return self }
    var out = [Float](repeating: 0, count: shape.product)
    let target = broadcastStrides(shape, to: self.shape)
    let rows = BroadcastRows(shape: self.shape, stridesA: target, stridesB: target)
    let length = rows.length
    data.withUnsafeBufferPointer { g in
      out.withUnsafeMutableBufferPointer { o in
        rows.forEach { start, t, _ in
          switch rows.strideA {
          case 0: o[t] += sumOfRun(g, start: start, count: length)  // a whole row into one element
          case 1: for j in 0..<length { o[t + j] += g[start + j] }
          case let strideA: for j in 0..<length { o[t + j * strideA] += g[start + j] }
          }
        }
      }
    }
    return Tensor(shape: shape, data: out)
  }

  /// Repeats this tensor along broadcast axes to fill `shape` (the backward of a sum).
  func expanded(to shape: [Int]) -> Tensor {
    if self.shape == shape { return self }
    var out = uninitializedFloats(shape.product)
    let source = broadcastStrides(self.shape, to: shape)
    let rows = BroadcastRows(shape: shape, stridesA: source, stridesB: source)
    let length = rows.length
    data.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { o in
        rows.forEach { start, s, _ in
          switch rows.strideA {
          case 0: let value = x[s]; for j in 0..<length { o[start + j] = value }
          case let strideA: for j in 0..<length { o[start + j] = x[s + j * strideA] }
          }
        }
      }
    }
    return Tensor(shape: shape, data: out)
  }
}
