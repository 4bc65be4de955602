import Testing
import DeepLearning

// Shared by every gradient-check test. Tolerance: the checker's error is |autograd − numeric| divided by
// max(|autograd|, |numeric|, 1). With ε = 1e-2 in Float32 the worst error measured over all the
// checks below is 1.1e-3 (pow with exponent −1.5 near 0.3, where the third derivative is large:
// the central difference's own error is O(ε²·f‴)); most are below 1e-4. A tolerance of 1e-2
// leaves a 9× margin, while a wrong rule is typically off by 10% to 100%.
public let gradientTolerance: Float = 1e-2

/// Random inputs whose elements stay at least `margin` away from 0, so that ReLU, abs and max
/// never sit on their kink within ±ε, where a finite difference is meaningless.
public func randomInput(_ shape: [Int], seed: Int, low: Float = -2, high: Float = 2,
                 awayFromZero margin: Float = 0) -> Tensor {
  var generator = RandomGenerator(seed: seed)
  let values = (0..<shape.product).map { _ -> Float in
    var x = generator.nextFloat(in: low..<high)
    while Swift.abs(x) < margin { x = generator.nextFloat(in: low..<high) }
    return x
  }
  return Tensor(shape: shape, data: values)
}

/// Runs the checker and records a readable failure with the inputs' shapes and the report.
public func expectGradientsMatch(_ name: String, _ inputs: [Tensor], tolerance: Float = gradientTolerance,
                          sourceLocation: SourceLocation = #_sourceLocation,
                          _ function: @escaping ([Tensor]) -> Tensor) {
  let report = checkGradients(tolerance: tolerance, of: function, at: inputs)
  #expect(report.passed, "\(name) with input shapes \(inputs.map(\.shape)):\n\(report)",
          sourceLocation: sourceLocation)
}

/// The largest |a − b| / max(|a|, |b|, 1) over two equally long arrays: the checker's own
/// error measure, for comparing two implementations of the same thing.
public func worstDifference(_ a: [Float], _ b: [Float]) -> Float {
  zip(a, b).map { Swift.abs($0 - $1) / Swift.max(Swift.abs($0), Swift.abs($1), 1) }.max() ?? 0
}

