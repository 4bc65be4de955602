// The loops behind elementwise operations and broadcasting, on raw float buffers. Core's
// operations say *what* to compute (`x + y`, `tanh`, the slope of each); these say how to walk
// memory fast: long rows with known strides, which the compiler turns into vector instructions,
// and eˣ, σ, tanh a whole vector at a time at the kernel path's width.
//
// The walks are `@inlinable`, so they are compiled into Core, with Core's checks on, and
// specialised for each operation's closure there. Their index arithmetic uses the wrapping
// operators (`&+`, `&*`): the offsets stay far below Int.max, and an overflow check on every
// element would keep the compiler from vectorising the loop.

// MARK: - Broadcast walks

/// A walk over a broadcast shape, row by row, reading two operands through their own strides
/// (0 along the axes they are broadcast over).
///
/// Before walking, axes of size 1 are dropped and each axis is merged into the next whenever both
/// operands step over the pair as over one axis (stride = next stride × next size): a same-shape
/// operation becomes one row, and [64, 16, 28, 28] + [64, 16, 1, 1] becomes 1024 rows of 784 with
/// row strides 1 and 0. Long rows with known strides are what lets the compiler vectorise the
/// loops that use them.
public struct BroadcastRows {
  /// The merged shape, outermost first; the last axis is the row.
  public let shape: [Int]
  public let stridesA: [Int], stridesB: [Int]

  @inlinable
  public init(shape: [Int], stridesA: [Int], stridesB: [Int]) {
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
  @inlinable public var length: Int { shape[shape.count - 1] }
  @inlinable public var strideA: Int { stridesA[stridesA.count - 1] }
  @inlinable public var strideB: Int { stridesB[stridesB.count - 1] }

  /// Calls `body(outputStart, offsetInA, offsetInB)` at the start of every row, walking the outer
  /// axes like an odometer.
  @inlinable @inline(__always)
  public func forEach(_ body: (_ output: Int, _ a: Int, _ b: Int) -> Void) {
    let total = shape.reduce(1, *), length = length
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

  /// out[i] = combine(x[offset in A], y[offset in B]) over the whole broadcast shape.
  @inlinable @inline(__always)
  public func combine(_ x: [Float], _ y: [Float], _ combine: (Float, Float) -> Float) -> [Float] {
    let length = length, (strideA, strideB) = (self.strideA, self.strideB)
    var out = uninitializedFloats(shape.reduce(1, *))
    x.withUnsafeBufferPointer { x in
      y.withUnsafeBufferPointer { y in
        out.withUnsafeMutableBufferPointer { o in
          forEach { start, i, k in
            // The three common cases get loops the compiler can vectorise.
            switch (strideA, strideB) {
            case (1, 1): for j in 0..<length { o[start &+ j] = combine(x[i &+ j], y[k &+ j]) }
            case (1, 0): let yk = y[k]; for j in 0..<length { o[start &+ j] = combine(x[i &+ j], yk) }
            case (0, 1): let xi = x[i]; for j in 0..<length { o[start &+ j] = combine(xi, y[k &+ j]) }
            default:
              for j in 0..<length { o[start &+ j] = combine(x[i &+ j &* strideA], y[k &+ j &* strideB]) }
            }
          }
        }
      }
    }
    return out
  }

  /// Adds every element of `x` (laid out in this walk's shape) into `count` outputs, at the
  /// offsets operand A's strides give: the sum over broadcast axes.
  @inlinable
  public func sum(_ x: [Float], into count: Int) -> [Float] {
    let length = length, strideA = self.strideA
    var out = [Float](repeating: 0, count: count)
    x.withUnsafeBufferPointer { g in
      out.withUnsafeMutableBufferPointer { o in
        forEach { start, t, _ in
          switch strideA {
          case 0: o[t] += sumOfRun(g, start: start, count: length)  // a whole row into one element
          case 1: for j in 0..<length { o[t &+ j] += g[start &+ j] }
          default: for j in 0..<length { o[t &+ j &* strideA] += g[start &+ j] }
          }
        }
      }
    }
    return out
  }

  /// Reads `x` at the offsets operand A's strides give, for every element of this walk's shape:
  /// copies along broadcast axes (a permutation, too, when the strides are permuted).
  @inlinable
  public func gather(_ x: [Float]) -> [Float] {
    let length = length, strideA = self.strideA
    var out = uninitializedFloats(shape.reduce(1, *))
    x.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { o in
        forEach { start, s, _ in
          switch strideA {
          case 0: let value = x[s]; for j in 0..<length { o[start &+ j] = value }
          default: for j in 0..<length { o[start &+ j] = x[s &+ j &* strideA] }
          }
        }
      }
    }
    return out
  }
}

// MARK: - Elementwise maps

/// y = f(x) for every element and, when `withSlope`, the local slope f′ (from x and y) too, in
/// one pass while both are in registers: the backward pass is then one multiplication per element.
@inlinable @inline(__always)
public func mapWithSlope(_ x: [Float], withSlope: Bool, _ function: (Float) -> Float,
                         derivative: (_ x: Float, _ y: Float) -> Float) -> (y: [Float], slope: [Float]) {
  var y = uninitializedFloats(x.count)
  var slope = uninitializedFloats(withSlope ? x.count : 0)
  x.withUnsafeBufferPointer { x in
    y.withUnsafeMutableBufferPointer { y in
      for i in x.indices { y[i] = function(x[i]) }
      guard withSlope else { return }
      slope.withUnsafeMutableBufferPointer { slope in
        for i in x.indices { slope[i] = derivative(x[i], y[i]) }
      }
    }
  }
  return (y, slope)
}

/// The same for functions computed on whole vectors, such as `VectorMath.exp`, at the width of
/// the kernel path. The slope, a short formula of x and y, is computed a block at a time while
/// the block is in L1, by a plain loop the compiler vectorises.
@inlinable @inline(__always)
public func mapWithSlope(_ x: [Float], withSlope: Bool, _ function: some VectorFunction,
                         derivative: (_ x: Float, _ y: Float) -> Float,
                         path: KernelPath = .preferred) -> (y: [Float], slope: [Float]) {
  var y = uninitializedFloats(x.count)
  var slope = uninitializedFloats(withSlope ? x.count : 0)
  let block = 1024  // 4 KB of x, y and slope each: all three stay in L1
  x.withUnsafeBufferPointer { x in
    y.withUnsafeMutableBufferPointer { y in
      slope.withUnsafeMutableBufferPointer { slope in
        for blockStart in stride(from: 0, to: x.count, by: block) {
          let blockEnd = Swift.min(x.count, blockStart + block)
          VectorMath.map(function, x.baseAddress! + blockStart, to: y.baseAddress! + blockStart,
                         count: blockEnd - blockStart, path: path)
          if withSlope {
            for i in blockStart..<blockEnd { slope[i] = derivative(x[i], y[i]) }
          }
        }
      }
    }
  }
  return (y, slope)
}

/// a[i] · b[i] for two arrays of the same length.
@inlinable
public func elementwiseProduct(_ a: [Float], _ b: [Float]) -> [Float] {
  var out = uninitializedFloats(a.count)
  a.withUnsafeBufferPointer { a in
    b.withUnsafeBufferPointer { b in
      out.withUnsafeMutableBufferPointer { out in
        for i in out.indices { out[i] = a[i] * b[i] }
      }
    }
  }
  return out
}
