import Foundation

// Reverse-mode automatic differentiation over a dynamic graph.
//
// Every operation computes its value and then calls `record`, handing over the inputs and a
// closure that turns the gradient of the output into gradients of the inputs (the chain rule for
// that one operation). `backward()` visits the recorded graph from the loss back to the leaves in
// reverse topological order, calling those closures and summing the gradients of tensors used
// more than once. That is the whole mechanism; everything else is operations.

/// The switch behind `withoutGradients`: a task-local value, so one thread evaluating a model
/// without gradients does not stop another thread from training.
enum GradientMode {
  @TaskLocal static var isEnabled = true
}

/// Whether operations currently record the graph for `backward()`.
public var isGradientRecordingEnabled: Bool { GradientMode.isEnabled }

/// Watches the graph being built and walked, without changing it: the one hook autograd offers,
/// so that a profiler can time each operation without touching any operation's code.
public protocol GraphObserver: AnyObject, Sendable {
  /// An operation has just recorded its result: its forward pass is done.
  func didRecord(_ operation: String)
  /// `backward()` is about to call the backward rule of `operation`.
  func willRunBackward(_ operation: String)
  /// `backward()` has just returned from the backward rule of `operation`.
  func didRunBackward(_ operation: String)
}

/// The observer of the current task, if any (task-local, like the gradient switch).
public enum GraphObservation {
  @TaskLocal public static var observer: (any GraphObserver)?
}

/// Runs `body` without recording the graph: for evaluation and inference, where no gradient is
/// needed, so no memory is spent keeping intermediate values alive (PyTorch's `torch.no_grad()`).
public func withoutGradients<Result>(_ body: () throws -> Result) rethrows -> Result {
  try GradientMode.$isEnabled.withValue(false, operation: body)
}

// snippet: autograd-record
extension Tensor {
  /// Makes the result of an operation a node of the graph: `value` holds the computed elements,
  /// `inputs` what it was computed from, and `backward` maps the output's gradient to one gradient
  /// per input (or `nil` for an input that needs none, such as integer labels turned into floats).
  ///
  /// The closure must not capture the returned tensor itself (that would be a reference cycle);
  /// capture `value` or other plain tensors instead — `record` returns a new tensor that shares
  /// `value`'s storage.
  public static func record(_ value: Tensor, operation: String, inputs: [Tensor],
                     backward: @escaping (_ outputGradient: Tensor) -> [Tensor?]) -> Tensor {
    let result = Tensor(shape: value.shape, data: value.data)
    result.operation = operation
    GraphObservation.observer?.didRecord(operation)
    guard GradientMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else {
      return result
    }
    result.requiresGrad = true
    result.inputs = inputs
    result.backwardFunction = backward
    return result
  }
// end snippet

// snippet: autograd-backward
  /// Computes the gradient of this scalar (a loss) with respect to every leaf tensor that
  /// requires a gradient, adding it to their `grad`.
  ///
  /// Afterwards the graph is released to free memory, as in PyTorch; pass `retainGraph: true`
  /// to call `backward()` again through the same graph.
  public func backward(retainGraph: Bool = false) {
    if count != 1 {
      fatalError("backward(): called on a tensor of shape \(shape) made by \(operation); " +
                 "backward starts from a single number (a loss). Reduce it first, e.g. with " +
                 "sum() or mean().")
    }
    if !requiresGrad {
      fatalError("backward(): this value does not depend on any tensor with requiresGrad = true " +
                 "(was it computed inside withoutGradients, or are the parameters frozen?)")
    }
    let order = topologicalOrder()
    // Gradients of intermediate values live only during this pass, so a second backward() never
    // counts them twice; only leaves keep theirs, in `grad`.
    var gradients: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): Tensor.ones(shape)]
    withoutGradients {
      for node in order.reversed() {
        guard let gradient = gradients.removeValue(forKey: ObjectIdentifier(node)) else {
          continue
        }
        if node.graphReleased {
          fatalError("backward(): the graph through '\(node.operation)' was already released " +
                     "by an earlier backward(); recompute the forward pass, or pass " +
                     "retainGraph: true to the first backward()")
        }
        guard let backwardFunction = node.backwardFunction else {
          node.grad = node.grad.map { $0 + gradient } ?? gradient
          continue
        }
        let observer = GraphObservation.observer
        observer?.willRunBackward(node.operation)
        let inputGradients = backwardFunction(gradient)
        observer?.didRunBackward(node.operation)
        for (input, inputGradient) in zip(node.inputs, inputGradients) {
          guard input.requiresGrad, let inputGradient else { continue }
          if inputGradient.shape != input.shape {
            fatalError("backward(): '\(node.operation)' produced a gradient of shape " +
                       "\(inputGradient.shape) for an input of shape \(input.shape)")
          }
          let key = ObjectIdentifier(input)
          gradients[key] = gradients[key].map { $0 + inputGradient } ?? inputGradient
        }
      }
    }
    if !retainGraph {
      for node in order where node.backwardFunction != nil {
        node.inputs = []
        node.backwardFunction = nil
        node.graphReleased = true
      }
    }
  }

  /// Every tensor this one depends on through gradient-requiring paths, each listed after all of
  /// its inputs. Iterative depth-first search, so an unrolled LSTM with thousands of steps cannot
  /// overflow the call stack.
  public func topologicalOrder() -> [Tensor] {
    var order: [Tensor] = []
    var visited: Set<ObjectIdentifier> = [ObjectIdentifier(self)]
    var stack: [(node: Tensor, nextInput: Int)] = [(self, 0)]
    while let (node, nextInput) = stack.last {
      if nextInput < node.inputs.count {
        stack[stack.count - 1].nextInput += 1
        let input = node.inputs[nextInput]
        if input.requiresGrad && visited.insert(ObjectIdentifier(input)).inserted {
          stack.append((input, 0))
        }
      } else {
        order.append(node)
        stack.removeLast()
      }
    }
    return order
  }
// end snippet

  /// Forgets the accumulated gradient, before the next backward pass.
  public func zeroGrad() { grad = nil }
}
