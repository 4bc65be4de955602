// safetensors: Hugging Face's checkpoint format, read by PyTorch, JAX, MLX and llama.cpp's tools.
//
// A checkpoint must be safe to load: Python's pickle, behind `torch.save`, can run any code hidden
// in the file. A safetensors file is only numbers and a description of them:
//
//   ┌───────────────┬──────────────────────────────────┬───────────────────────────────┐
//   │ N (8 bytes,   │ header: N bytes of UTF-8 JSON,   │ data: every tensor's values,  │
//   │ little-end.)  │ padded with spaces to 8·k bytes  │ little-endian, back to back   │
//   └───────────────┴──────────────────────────────────┴───────────────────────────────┘
//
//   {"__metadata__":{"format":"pt"},
//    "a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
//    "b":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}
//
// `data_offsets` count from the start of the data section. This file writes what the Python
// library (safetensors 0.8, Rust core `safetensors/src/tensor.rs`) writes, byte for byte:
// `__metadata__` first, then the tensors sorted by name, their data laid out in that same order
// (the library sorts by dtype first, largest first, then by name; all of ours are F32), compact
// JSON, spaces up to a multiple of 8 (so that the data starts 8-byte aligned and can be mapped
// into memory as 64-bit numbers too). Reading (SafeTensors+Reading.swift) checks everything.

import Foundation

/// A tensor as stored in a checkpoint: its shape and its values in row-major order.
public struct StoredTensor: Sendable, Equatable {
  /// The size of each dimension; `[]` for a scalar.
  public var shape: [Int]
  /// The values, row-major (the last index varies fastest), `shape.reduce(1, *)` of them.
  public var values: [Float]

  public init(shape: [Int], values: [Float]) {
    if shape.contains(where: { $0 < 0 }) || shape.reduce(1, *) != values.count {
      fatalError("StoredTensor: shape \(shape) does not hold \(values.count) values")
    }
    self.shape = shape
    self.values = values
  }
}

/// The contents of a `.safetensors` file: named tensors and string metadata.
///
/// ```swift
/// var checkpoint = SafeTensorsFile(metadata: ["epoch": "3"])
/// checkpoint.tensors["fc1.weight"] = StoredTensor(shape: [2, 2], values: [1, 2, 3, 4])
/// try checkpoint.write(to: "checkpoints/model.safetensors")
/// let loaded = try SafeTensorsFile.read(from: "checkpoints/model.safetensors")
/// ```
/// In Python: `safetensors.torch.load_file("checkpoints/model.safetensors")["fc1.weight"]`.
public struct SafeTensorsFile: Sendable, Equatable {
  /// The tensors by name, e.g. `"fc1.weight"` (PyTorch's `state_dict` names let Python load them into a model).
  public var tensors: [String: StoredTensor]
  /// Free-form notes, string to string only (the format allows nothing else), e.g. `["epoch": "3"]`.
  public var metadata: [String: String]

  public init(tensors: [String: StoredTensor] = [:], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
  }

  /// The name of the header entry holding the metadata, which no tensor may take.
  static let metadataKey = "__metadata__"

  /// The file's bytes, with every tensor stored as F32, exactly as the Python library would write them.
  public func encoded() -> [UInt8] {
    let names = tensors.keys.sorted(by: utf8Order)
    var entries: [String] = []
    if !metadata.isEmpty {
      // The Python library writes metadata from a hash map, in no fixed order; sorting keeps ours reproducible.
      let notes = metadata.keys.sorted(by: utf8Order).map { jsonString($0) + ":" + jsonString(metadata[$0]!) }
      entries.append(jsonString(Self.metadataKey) + ":{" + notes.joined(separator: ",") + "}")
    }
    var offset = 0
    for name in names {
      let tensor = tensors[name]!
      if name == Self.metadataKey {
        fatalError("SafeTensorsFile.encoded: no tensor may be named \(Self.metadataKey), the metadata's entry")
      }
      if tensor.shape.contains(where: { $0 < 0 }) || tensor.shape.reduce(1, *) != tensor.values.count {
        fatalError("SafeTensorsFile.encoded: tensor \"\(name)\" of shape \(tensor.shape) has \(tensor.values.count) values")
      }
      let end = offset + 4 * tensor.values.count
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      entries.append(jsonString(name) + #":{"dtype":"F32","shape":[\#(shape)],"data_offsets":[\#(offset),\#(end)]}"#)
      offset = end
    }
    var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
    while header.count % 8 != 0 { header.append(0x20) }  // spaces, which JSON readers skip

    var bytes: [UInt8] = []
    bytes.reserveCapacity(8 + header.count + offset)
    appendLittleEndian(UInt64(header.count), to: &bytes)
    bytes += header
    for name in names {
      for value in tensors[name]!.values {
        appendLittleEndian(value.bitPattern, to: &bytes)
      }
    }
    return bytes
  }

  /// Writes the file atomically: a crash while saving leaves the previous checkpoint intact, never half a file.
  public func write(to path: String) throws(CourseError) {
    try writeFileAtomically(Data(encoded()), to: path)
  }

  /// Reads and checks the file at `path`; see `decode(_:path:)` for what is checked.
  public static func read(from path: String) throws(CourseError) -> SafeTensorsFile {
    var isDirectory: ObjCBool = false
    if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      throw CourseError(
        "no such file", path: path,
        fix: "check the path; a checkpoint exists only after a training run has saved one")
    }
    if isDirectory.boolValue {
      throw CourseError(
        "this is a directory, not a file", path: path, fix: "give the path of the .safetensors file in it")
    }
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw CourseError(
        "cannot read the file: \(error.localizedDescription)", path: path,
        fix: "check that you may read it")
    }
    return try decode([UInt8](data), path: path)
  }
}

/// Orders strings by their UTF-8 bytes, as Rust's `String` comparison does (Swift's `<` compares
/// canonically equivalent strings as equal, which could order some names differently).
func utf8Order(_ a: String, _ b: String) -> Bool {
  a.utf8.lexicographicallyPrecedes(b.utf8)
}

/// `text` as a JSON string literal, escaped as serde_json (under the Python library) escapes it:
/// `"` and `\`, control characters as `\n`, `\t`… or `\u00XX`; everything else, non-ASCII included, as is.
func jsonString(_ text: String) -> String {
  var literal = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": literal += "\\\""
    case "\\": literal += "\\\\"
    case "\n": literal += "\\n"
    case "\r": literal += "\\r"
    case "\t": literal += "\\t"
    case "\u{08}": literal += "\\b"
    case "\u{0C}": literal += "\\f"
    case _ where scalar.value < 0x20:
      let hex = String(scalar.value, radix: 16)
      literal += "\\u00" + (hex.count < 2 ? "0" : "") + hex
    default: literal.unicodeScalars.append(scalar)
    }
  }
  return literal + "\""
}

/// Appends `value`'s bytes, least significant first (little-endian, whatever the machine's own order).
func appendLittleEndian<Value: FixedWidthInteger>(_ value: Value, to bytes: inout [UInt8]) {
  for index in 0..<(Value.bitWidth / 8) {
    bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index)))
  }
}
