import Foundation
import Kernels

// The three activation functions of chapter 1. Without a non-linear function between them, any
// stack of linear layers collapses into one linear layer.

// snippet: activations
/// The logistic sigmoid σ(x) = 1/(1 + e⁻ˣ), which squashes any number into (0, 1).
/// dσ/dx = σ(x)(1 − σ(x))
public func sigmoid(_ x: Tensor) -> Tensor {
  // A whole vector at a time; see Kernels/VectorMath.swift.
  x.elementwise("sigmoid", VectorMath.sigmoid, derivative: { _, y in y * (1 - y) })
}

/// The hyperbolic tangent, which squashes into (−1, 1) and is centred on zero.
/// d tanh(x)/dx = 1 − tanh²(x)
public func tanh(_ x: Tensor) -> Tensor {
  x.elementwise("tanh", VectorMath.tanh, derivative: { _, y in 1 - y * y })
}

/// The rectified linear unit max(0, x): cheap, and its slope does not vanish for x > 0.
/// d relu(x)/dx = 1 if x > 0, else 0
public func relu(_ x: Tensor) -> Tensor {
  x.elementwise("relu", { max(0, $0) }, derivative: { x, _ in x > 0 ? 1 : 0 })
}
// end snippet
