import Foundation

// Elementwise functions from school mathematics. Each keeps its derivative right under its value.

extension Tensor {
  /// Applies `function` to every element and records `derivative(x, y)` (given the input and
  /// the output element) as the local slope for the chain rule.
  @inline(__always)
  func elementwise(_ operation: String, _ function: (Float) -> Float,
                   derivative: @escaping (_ x: Float, _ y: Float) -> Float) -> Tensor {
    let y = map(function)
    let x = self
    return .record(y, operation: operation, inputs: [x]) { grad in
      var slope = [Float](repeating: 0, count: grad.count)
      x.data.withUnsafeBufferPointer { xs in
        y.data.withUnsafeBufferPointer { ys in
          grad.data.withUnsafeBufferPointer { gs in
            for i in 0..<slope.count { slope[i] = gs[i] * derivative(xs[i], ys[i]) }
          }
        }
      }
      return [Tensor(shape: grad.shape, data: slope)]
    }
  }
}

/// e to the power of each element.  d eˣ/dx = eˣ
public func exp(_ x: Tensor) -> Tensor {
  x.elementwise("exp", { Foundation.exp($0) }, derivative: { _, y in y })
}

/// Natural logarithm of each element.  d ln x/dx = 1/x
public func log(_ x: Tensor) -> Tensor {
  x.elementwise("log", { Foundation.log($0) }, derivative: { x, _ in 1 / x })
}

/// Square root of each element.  d √x/dx = 1/(2√x)
public func sqrt(_ x: Tensor) -> Tensor {
  x.elementwise("sqrt", { $0.squareRoot() }, derivative: { _, y in 0.5 / y })
}

/// Each element raised to a fixed power.  d xᵖ/dx = p·xᵖ⁻¹
public func pow(_ x: Tensor, _ exponent: Float) -> Tensor {
  if exponent == 2 {  // The common case (squared errors) without a libm call.
    return x.elementwise("square", { $0 * $0 }, derivative: { x, _ in 2 * x })
  }
  return x.elementwise("pow", { Foundation.pow($0, exponent) },
                       derivative: { x, _ in exponent * Foundation.pow(x, exponent - 1) })
}

/// Absolute value of each element.  d|x|/dx = sign(x), taken as 0 at 0
public func abs(_ x: Tensor) -> Tensor {
  x.elementwise("abs", { Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) })
}
