import Foundation

// Addition, subtraction, multiplication and division, element by element with broadcasting.
// Each backward rule is the school derivative, followed by `sumToShape` to undo broadcasting.

// snippet: add-and-multiply
/// Elementwise sum with broadcasting.  ∂(a + b)/∂a = 1, ∂(a + b)/∂b = 1
public func + (a: Tensor, b: Tensor) -> Tensor {
  let value = broadcastElementwise(a, b, operation: "add", +)
  let (shapeA, shapeB) = (a.shape, b.shape)
  return .record(value, operation: "add", inputs: [a, b]) { grad in
    [grad.sumToShape(shapeA), grad.sumToShape(shapeB)]
  }
}

/// Elementwise product with broadcasting.  ∂(a·b)/∂a = b, ∂(a·b)/∂b = a
public func * (a: Tensor, b: Tensor) -> Tensor {
  let value = broadcastElementwise(a, b, operation: "multiply", *)
  return .record(value, operation: "multiply", inputs: [a, b]) { grad in
    [a.requiresGrad ? (grad * b).sumToShape(a.shape) : nil,
     b.requiresGrad ? (grad * a).sumToShape(b.shape) : nil]
  }
}
// end snippet

/// Elementwise difference with broadcasting.  ∂(a − b)/∂a = 1, ∂(a − b)/∂b = −1
public func - (a: Tensor, b: Tensor) -> Tensor {
  let value = broadcastElementwise(a, b, operation: "subtract", -)
  let (shapeA, shapeB) = (a.shape, b.shape)
  return .record(value, operation: "subtract", inputs: [a, b]) { grad in
    [grad.sumToShape(shapeA), b.requiresGrad ? (-grad).sumToShape(shapeB) : nil]
  }
}

/// Elementwise quotient with broadcasting.  ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²
public func / (a: Tensor, b: Tensor) -> Tensor {
  let value = broadcastElementwise(a, b, operation: "divide", /)
  return .record(value, operation: "divide", inputs: [a, b]) { grad in
    [a.requiresGrad ? (grad / b).sumToShape(a.shape) : nil,
     b.requiresGrad ? (-grad * a / (b * b)).sumToShape(b.shape) : nil]
  }
}

/// Negation.  ∂(−a)/∂a = −1
public prefix func - (a: Tensor) -> Tensor {
  let value = a.map { -$0 }
  return .record(value, operation: "negate", inputs: [a]) { grad in [grad.map { -$0 }] }
}

// A plain number next to a tensor is a rank-0 tensor, broadcast to the tensor's shape.
public func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
public func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
public func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
public func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
public func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
public func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
public func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
public func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }
