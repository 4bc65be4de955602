import Foundation

// Autograd is only as right as each operation's backward rule. The gradient check tests a rule
// against the definition of a derivative: nudge one input element by ±ε, see how the output
// moves, and compare (f(x + ε) − f(x − ε)) / 2ε with what backward() computed. The central
// difference is wrong by O(ε²), the one-sided one by O(ε), so central it is.

/// How autograd's gradient compared with central differences, for each input of a function.
public struct GradientCheckReport: CustomStringConvertible, Sendable {
  /// The worst disagreement found in one input tensor.
  public struct InputResult: Sendable {
    /// Which input (its position in the argument list).
    public let input: Int
    /// The worst error over the input's elements: |analytic − numeric| / max(|analytic|, |numeric|, 1),
    /// a relative error for gradients larger than 1 and an absolute one below.
    public let worstError: Float
    /// Where in the input (flat index) the worst error was found.
    public let worstElement: Int
    /// Autograd's and the finite difference's values at that element.
    public let analytic: Float, numeric: Float
  }

  public let inputs: [InputResult]
  public let tolerance: Float

  /// The worst error over all inputs.
  public var worstError: Float { inputs.map(\.worstError).max() ?? 0 }

  /// Whether every input's worst error is within the tolerance.
  public var passed: Bool { inputs.allSatisfy { $0.worstError <= tolerance } }  // NaN fails too

  public var description: String {
    let lines = inputs.map { r in
      "  input \(r.input): worst error \(String(format: "%.2e", r.worstError)) at element " +
      "\(r.worstElement) (autograd \(String(format: "%.6f", r.analytic)), central difference " +
      "\(String(format: "%.6f", r.numeric)))"
    }
    return "gradient check \(passed ? "passed" : "FAILED") (tolerance " +
           "\(String(format: "%.0e", tolerance))):\n" + lines.joined(separator: "\n")
  }
}

// snippet: gradient-check
/// Checks the gradients autograd computes for `function` at `inputs` against central
/// differences with step `epsilon`. The output y is reduced to one number through fixed random
/// weights R of its shape, Σ Rᵢ yᵢ, so that every output element is tested and the gradient that
/// reaches the function from above is R, not 1: a backward rule that ignores it (a loss that
/// forgets the factor of a scaled or summed loss) fails, one-number outputs included.
/// The inputs are copied; the originals are not changed.
public func checkGradients(epsilon: Float = 1e-2, tolerance: Float = 1e-2,
                           of function: ([Tensor]) -> Tensor,
                           at inputs: [Tensor]) -> GradientCheckReport {
  let leaves = inputs.map { Tensor(shape: $0.shape, data: $0.data, requiresGrad: true) }
  let output = function(leaves)
  // Each Rᵢ is between 0.5 and 2 in size, with a random sign: never near 0, which would leave its
  // element unchecked. Seed 0 fixes R; the weight of a one-number output (a loss) is 1.40, not
  // the 1 that backward() starts from.
  var generator = RandomGenerator(seed: 0)
  let weights = Tensor(shape: output.shape, data: (0..<output.count).map { _ in
    let size = generator.nextFloat(in: 0.5..<2)
    return generator.nextInt(below: 2) == 0 ? -size : size
  })

  // Autograd's answer.
  (output * weights).sum().backward()

  // The finite differences' answer, with the weighted sum taken in Double to keep Float32
  // rounding out of the difference quotient.
  func objective() -> Double {
    withoutGradients {
      zip(function(leaves).data, weights.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
  }
  var results: [GradientCheckReport.InputResult] = []
  for (index, leaf) in leaves.enumerated() {
    let analytic = leaf.grad?.data ?? [Float](repeating: 0, count: leaf.count)
    var worst: (error: Float, element: Int, analytic: Float, numeric: Float) = (0, 0, 0, 0)
    for element in 0..<leaf.count {
      let original = leaf.data[element]
      leaf.data[element] = original + epsilon
      let above = objective()
      leaf.data[element] = original - epsilon
      let below = objective()
      leaf.data[element] = original
      let numeric = Float((above - below) / Double(2 * epsilon))
      let error = abs(analytic[element] - numeric) / max(abs(analytic[element]), abs(numeric), 1)
      if error > worst.error || error.isNaN {
        worst = (error, element, analytic[element], numeric)
      }
    }
    results.append(.init(input: index, worstError: worst.error, worstElement: worst.element,
                         analytic: worst.analytic, numeric: worst.numeric))
  }
  return GradientCheckReport(inputs: results, tolerance: tolerance)
}
// end snippet
