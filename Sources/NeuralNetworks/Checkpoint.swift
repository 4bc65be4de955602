import Foundation
import Core
import CourseSupport

// Saving a trained model and loading it back: its parameters, by name, in the safetensors format
// (CourseSupport/SafeTensors.swift) that PyTorch and the Hugging Face tools read, so a model
// trained here can continue elsewhere and the other way round.

extension Linear { public var parameterNames: [String] { bias == nil ? ["weight"] : ["weight", "bias"] } }
extension Conv2D { public var parameterNames: [String] { bias == nil ? ["weight"] : ["weight", "bias"] } }
extension Embedding { public var parameterNames: [String] { ["weight"] } }
extension LSTM { public var parameterNames: [String] { ["input_weight", "recurrent_weight", "bias"] } }

extension Module {
  /// Every parameter with its path of names, as PyTorch's `state_dict` has them: a child's
  /// parameters are prefixed by the child's position (`0.weight`, `2.bias` in a `Sequential`).
  public var namedParameters: [(name: String, tensor: Tensor)] {
    if children.isEmpty { return Array(zip(parameterNames, parameters)) }
    return children.enumerated().flatMap { index, child in
      child.namedParameters.map { (name: "\(index).\($0.name)", tensor: $0.tensor) }
    }
  }

  /// Writes every parameter to `path` as a safetensors file, atomically, with `metadata` (for
  /// example the data set and the test accuracy) in its header.
  public func save(to path: String, metadata: [String: String] = [:]) throws(CourseError) {
    var file = SafeTensorsFile(metadata: metadata)
    for (name, tensor) in namedParameters {
      if file.tensors[name] != nil {
        fatalError("save(to:): two parameters are named \(name); give the module's parameters distinct names")
      }
      file.tensors[name] = StoredTensor(shape: tensor.shape, values: tensor.data)
    }
    try file.write(to: path)
  }

  /// Loads every parameter from the safetensors file at `path` and returns the file's metadata.
  /// Nothing is changed unless every parameter is in the file with the right shape.
  @discardableResult
  public func load(from path: String) throws(CourseError) -> [String: String] {
    let file = try SafeTensorsFile.read(from: path)
    let named = namedParameters
    for (name, tensor) in named {
      guard let stored = file.tensors[name] else {
        let known = file.tensors.keys.sorted().prefix(6).joined(separator: ", ")
        throw CourseError(
          "the checkpoint has no tensor \"\(name)\" (it has \(file.tensors.count): \(known)\(file.tensors.count > 6 ? ", …" : ""))",
          path: path, fix: "load a checkpoint saved from the same architecture, or save this model again")
      }
      if stored.shape != tensor.shape {
        throw CourseError(
          "the tensor \"\(name)\" has shape \(stored.shape) in the checkpoint but \(tensor.shape) in the model",
          path: path,
          fix: "build the model with the sizes it was saved with (see the checkpoint's metadata), or train it again")
      }
    }
    let expected = Set(named.map(\.name))
    if let extra = file.tensors.keys.sorted().first(where: { !expected.contains($0) }) {
      throw CourseError(
        "the checkpoint has a tensor \"\(extra)\" that this model does not have",
        path: path, fix: "load a checkpoint saved from the same architecture (the same layers in the same order)")
    }
    for (name, tensor) in named {
      let values = file.tensors[name]!.values
      tensor.update { $0 = values }
    }
    return file.metadata
  }
}
