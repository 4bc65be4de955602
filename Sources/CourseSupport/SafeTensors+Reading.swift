// Reading safetensors files, trusting nothing: every length and offset in the header is checked
// against the file before a byte of data is read, and each problem is reported with the file, the
// tensor and a fix. The checks are the Python library's (`Metadata::validate` in the Rust core):
// the tensors' byte ranges must tile the data section exactly, from 0 to the end of the file.

import Foundation

extension SafeTensorsFile {
  /// What to do when a file is damaged: the only cure is a fresh copy.
  static let rewriteFix =
    "the file is damaged or was not written by a safetensors library: save the checkpoint again "
    + "(SafeTensorsFile.write, or safetensors.torch.save_file in Python)"

  /// Decodes the bytes of a safetensors file; `path` is only used in error messages.
  ///
  /// Reads tensors stored as F32, F16, BF16, F64, I64 or I32, converting them to `Float` (an I64
  /// step counter is exact up to 2²⁴ = 16,777,216). Throws a `CourseError` naming the file, the
  /// tensor and what is wrong: a short file, a header that is not a JSON object, a tensor entry
  /// without `dtype`, `shape` or `data_offsets`, an unsupported dtype, offsets that do not match
  /// the shape or that overlap, leave holes or run past the end, metadata that is not strings.
  public static func decode(_ bytes: [UInt8], path: String) throws(CourseError) -> SafeTensorsFile {
    // 1. The header length, then the header.
    if bytes.count < 8 {
      throw CourseError(
        "the file has only \(bytes.count) bytes, but a safetensors file starts with 8 bytes giving the header length",
        path: path, fix: rewriteFix)
    }
    let headerLength = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    if headerLength > UInt64(bytes.count - 8) {
      throw CourseError(
        "the first 8 bytes give a header length of \(headerLength) bytes, "
          + "but only \(bytes.count - 8) bytes follow them",
        path: path, byteOffset: 0, fix: rewriteFix)
    }
    let dataStart = 8 + Int(headerLength)
    let headerBytes = bytes[8..<dataStart]
    if String(validating: headerBytes, as: UTF8.self) == nil {
      throw CourseError("the header is not valid UTF-8 text", path: path, byteOffset: 8, fix: rewriteFix)
    }
    let json: Any
    do {
      json = try JSONSerialization.jsonObject(with: Data(headerBytes), options: .fragmentsAllowed)
    } catch {
      let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
      throw CourseError("the header is not valid JSON (\(detail))", path: path, byteOffset: 8, fix: rewriteFix)
    }
    guard let header = json as? [String: Any] else {
      throw CourseError(
        "the header is \(describeJSON(json)), not a JSON object {\"name\": {...}, ...}", path: path,
        byteOffset: 8, fix: rewriteFix)
    }

    // 2. The metadata and each tensor's entry, in a fixed order so the same file gives the same error.
    var metadata: [String: String] = [:]
    var entries: [TensorEntry] = []
    for name in header.keys.sorted(by: utf8Order) {
      if name == metadataKey {
        metadata = try readMetadata(header[name]!, path: path)
      } else {
        entries.append(try TensorEntry(name: name, json: header[name]!, path: path))
      }
    }

    // 3. The byte ranges must tile the data section: in offset order, each starts where the last ended.
    let dataLength = bytes.count - dataStart
    var end = 0, previous: String?
    for entry in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
      let what = "tensor \"\(entry.name)\""
      if entry.end > dataLength {
        throw CourseError(
          "\(what) needs data bytes \(entry.begin)..<\(entry.end), but the data section has only \(dataLength) "
            + "bytes: the file is truncated (cut short), or its data_offsets are out of range",
          path: path, byteOffset: bytes.count,
          fix: "the file was probably not copied or saved completely: copy or save it again")
      }
      if entry.begin < end {
        throw CourseError(
          "\(what) (data bytes \(entry.begin)..<\(entry.end)) overlaps tensor \"\(previous!)\" (which ends at \(end))",
          path: path, byteOffset: dataStart + entry.begin, fix: rewriteFix)
      }
      if entry.begin > end {
        let before = previous.map { "between tensor \"\($0)\" and \(what)" } ?? "before \(what), the first"
        throw CourseError(
          "data bytes \(end)..<\(entry.begin), \(before), belong to no tensor: the data_offsets leave a hole",
          path: path, byteOffset: dataStart + end, fix: rewriteFix)
      }
      end = entry.end
      previous = entry.name
    }
    if end < dataLength {
      throw CourseError(
        "the last \(dataLength - end) bytes of the file belong to no tensor "
          + "(the tensors end at data byte \(end) of \(dataLength))",
        path: path, byteOffset: dataStart + end, fix: rewriteFix)
    }

    // 4. Only now, with every range checked, read the values.
    var tensors: [String: StoredTensor] = [:]
    for entry in entries {
      let values = entry.dtype.floats(from: bytes, at: dataStart + entry.begin, count: entry.elementCount)
      tensors[entry.name] = StoredTensor(shape: entry.shape, values: values)
    }
    return SafeTensorsFile(tensors: tensors, metadata: metadata)
  }

  private static func readMetadata(_ json: Any, path: String) throws(CourseError) -> [String: String] {
    if json is NSNull { return [:] }  // Python's `metadata=None`, should a writer spell it out
    guard let notes = json as? [String: Any] else {
      throw CourseError(
        "\"\(metadataKey)\" is \(describeJSON(json)), not an object of strings", path: path,
        fix: rewriteFix)
    }
    var metadata: [String: String] = [:]
    for key in notes.keys.sorted(by: utf8Order) {
      guard let value = notes[key] as? String else {
        throw CourseError(
          "the metadata value of \"\(key)\" is \(describeJSON(notes[key]!)), "
            + "but safetensors metadata values must be strings",
          path: path, fix: "store it as text (e.g. \"3\" instead of 3) and convert it after reading")
      }
      metadata[key] = value
    }
    return metadata
  }
}

/// One tensor's entry in the header, checked on its own: fields present and of the right kind, a
/// dtype we read, offsets in order and spanning exactly the bytes its shape needs.
private struct TensorEntry {
  let name: String
  let dtype: StorageType
  let shape: [Int]
  let elementCount: Int
  let begin: Int, end: Int

  init(name: String, json: Any, path: String) throws(CourseError) {
    let what = "tensor \"\(name)\""
    let needs = "each tensor's entry needs \"dtype\", \"shape\" and \"data_offsets\""
    guard let fields = json as? [String: Any] else {
      throw CourseError(
        "the entry of \(what) is \(describeJSON(json)), not an object: \(needs)", path: path,
        fix: SafeTensorsFile.rewriteFix)
    }
    func field(_ key: String) throws(CourseError) -> Any {
      guard let value = fields[key] else {
        throw CourseError(
          "\(what) has no \"\(key)\" in the header: \(needs)", path: path, fix: SafeTensorsFile.rewriteFix)
      }
      return value
    }
    func integers(_ key: String, example: String) throws(CourseError) -> [Int] {
      let value = try field(key)
      let list = value as? [Any] ?? []
      let numbers = list.compactMap(nonNegativeInteger)
      guard value is [Any], numbers.count == list.count else {
        throw CourseError(
          "\(what) has \"\(key)\": \(describeJSON(value)), "
            + "but it must be a list of non-negative integers like \(example)",
          path: path, fix: SafeTensorsFile.rewriteFix)
      }
      return numbers
    }

    let typeName = try field("dtype")
    guard let typeName = typeName as? String else {
      throw CourseError(
        "\(what) has \"dtype\": \(describeJSON(typeName)), not a string like \"F32\"", path: path,
        fix: SafeTensorsFile.rewriteFix)
    }
    guard let dtype = StorageType(rawValue: typeName) else {
      let known = StorageType.allCases.map(\.rawValue).joined(separator: ", ")
      throw CourseError(
        "\(what) has dtype \(typeName), which this course does not read (it reads \(known))", path: path,
        fix: "convert the tensor before saving it, e.g. in Python: tensor.float()")
    }
    let shape = try integers("shape", example: "[2, 3]")
    let offsets = try integers("data_offsets", example: "[0, 24]")
    if offsets.count != 2 || offsets[0] > offsets[1] {
      throw CourseError(
        "\(what) has data_offsets \(offsets), which are out of range: they must be [begin, end] with begin ≤ end",
        path: path, fix: SafeTensorsFile.rewriteFix)
    }
    // Multiplied with overflow checks: a damaged header could claim a shape of 2⁶³ elements.
    var count = 1, overflow = false
    for size in shape where !overflow { (count, overflow) = count.multipliedReportingOverflow(by: size) }
    let (byteCount, tooMany) = count.multipliedReportingOverflow(by: dtype.size)
    if overflow || tooMany || offsets[1] - offsets[0] != byteCount {
      let needed = overflow || tooMany ? "more bytes than any file holds" : "\(byteCount) bytes"
      throw CourseError(
        "\(what) has shape \(shape) of \(typeName), which takes \(needed), "
          + "but its data_offsets \(offsets) span \(offsets[1] - offsets[0]) bytes",
        path: path, fix: SafeTensorsFile.rewriteFix)
    }
    (self.name, self.dtype, self.shape, self.elementCount) = (name, dtype, shape, count)
    (begin, end) = (offsets[0], offsets[1])
  }
}

/// The element types we read, by their safetensors names, each converted to `Float`.
enum StorageType: String, CaseIterable {
  case F32, F16, BF16, F64, I64, I32

  /// Bytes per element.
  var size: Int {
    switch self {
    case .F16, .BF16: 2
    case .F32, .I32: 4
    case .F64, .I64: 8
    }
  }

  /// `count` elements starting at byte `start` of `bytes`, read little-endian and converted to `Float`.
  func floats(from bytes: [UInt8], at start: Int, count: Int) -> [Float] {
    bytes.withUnsafeBytes { raw in
      (0..<count).map { index in
        let offset = start + index * size
        func load<Bits: FixedWidthInteger>(_: Bits.Type) -> Bits {
          Bits(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Bits.self))
        }
        switch self {
        case .F32: return Float(bitPattern: load(UInt32.self))
        case .F16: return floatFromHalf(load(UInt16.self))
        // bfloat16 is the top half of a Float32: same exponent range, 7 fraction bits instead of 23.
        case .BF16: return Float(bitPattern: UInt32(load(UInt16.self)) << 16)
        case .F64: return Float(Double(bitPattern: load(UInt64.self)))
        case .I64: return Float(Int64(bitPattern: load(UInt64.self)))
        case .I32: return Float(Int32(bitPattern: load(UInt32.self)))
        }
      }
    }
  }
}

/// The value of IEEE 754 half-precision bits: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
///
/// Written out rather than using `Float16`, which Swift lacks on Intel Macs.
func floatFromHalf(_ bits: UInt16) -> Float {
  let sign: Float = bits & 0x8000 == 0 ? 1 : -1
  let exponent = Int(bits >> 10 & 0x1F)
  let fraction = Float(bits & 0x3FF)
  switch exponent {
  case 0: return sign * fraction * 0x1p-24  // zero and subnormals: fraction × 2⁻¹⁴ / 2¹⁰
  case 31: return fraction == 0 ? sign * .infinity : .nan
  default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
  }
}

/// A JSON value as an integer ≥ 0, or `nil` for 2.5, -1, "2", [2]….
private func nonNegativeInteger(_ json: Any) -> Int? {
  // `as? Int` only succeeds for a number with an exact Int value.
  guard let integer = json as? Int, integer >= 0 else { return nil }
  return integer
}

/// A JSON value described for an error message: `the string "F32"`, `the list [2.5]`, `the number 3`.
func describeJSON(_ json: Any) -> String {
  switch json {
  case is String: "the string \(compactJSON(json))"
  case is [Any]: "the list \(compactJSON(json))"
  case is [String: Any]: "an object"
  case is NSNull: "null"
  default: "the number \(compactJSON(json))"
  }
}

/// A JSON value written compactly, lists and objects shortened: `[2.5, "x", {…}]`.
private func compactJSON(_ json: Any, depth: Int = 0) -> String {
  switch json {
  case let text as String: return "\"\(text)\""
  case let list as [Any]:
    if depth > 0 { return "[…]" }
    let shown = list.prefix(8).map { compactJSON($0, depth: depth + 1) }
    return "[" + shown.joined(separator: ", ") + (list.count > 8 ? ", …]" : "]")
  case is [String: Any]: return "{…}"
  case is NSNull: return "null"
  default: return "\(json)"
  }
}
