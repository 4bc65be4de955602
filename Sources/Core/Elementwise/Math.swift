import Foundation
import Kernels

// Elementwise functions from school mathematics. Each keeps its derivative right under its value.
//
// `elementwise` computes the local slope dy/dx in the same pass as the value, while x and y are
// still in registers, and keeps it for the backward pass, which is then one multiplication per
// element. (Calling the `derivative` closure later, from inside the stored backward closure,
// would cost an indirect call per element: several times slower.)

extension Tensor {
  /// Applies `function` to every element, and records `derivative(x, y)` (of the input element
  /// and the output element, whichever is cheaper to use) as the local slope for the chain rule:
  /// ∂L/∂x = ∂L/∂y · f′(x).
  @inline(__always)
  func elementwise(_ operation: String, _ function: (Float) -> Float,
                   derivative: (_ x: Float, _ y: Float) -> Float) -> Tensor {
    let (y, slope) = mapWithSlope(data, withSlope: needsGradient, function, derivative: derivative)
    return recordElementwise(operation, value: y, slope: slope)
  }

  /// The same for functions computed on whole vectors, 8 or 16 numbers at a time, such as the
  /// vectorised eˣ, σ and tanh of `VectorMath`.
  @inline(__always)
  func elementwise(_ operation: String, _ function: some VectorFunction,
                   derivative: (_ x: Float, _ y: Float) -> Float) -> Tensor {
    let (y, slope) = mapWithSlope(data, withSlope: needsGradient, function, derivative: derivative)
    return recordElementwise(operation, value: y, slope: slope)
  }

  /// Whether an operation on this tensor will be recorded, so its slopes are worth keeping.
  var needsGradient: Bool { isGradientRecordingEnabled && requiresGrad }

  /// Records an elementwise result y whose slope dy/dx is `slope` (empty when no gradient is
  /// needed): ∂L/∂x = ∂L/∂y ⊙ slope.
  func recordElementwise(_ operation: String, value y: [Float], slope: [Float]) -> Tensor {
    .record(Tensor(shape: shape, data: y), operation: operation, inputs: [self]) { grad in
      [Tensor(shape: grad.shape, data: elementwiseProduct(grad.data, slope))]
    }
  }
}

/// e to the power of each element.  d eˣ/dx = eˣ
public func exp(_ x: Tensor) -> Tensor {
  x.elementwise("exp", VectorMath.exp, derivative: { _, y in y })
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
