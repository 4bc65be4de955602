// The IDX format of MNIST: a big-endian header, then one unsigned byte per value.
//
//   labels  (idx1): UInt32 magic 2049, UInt32 N,                         then N bytes
//   images  (idx3): UInt32 magic 2051, UInt32 N, UInt32 rows, UInt32 cols, then N·rows·cols bytes
//
// The magic number is 0x0000_08_dd: 0x08 says "unsigned bytes", dd the number of axes.

import Core
import CourseSupport

/// The magic number of an IDX file of unsigned bytes with `axes` axes: 2049 for labels, 2051 for images.
func idxMagic(axes: Int) -> UInt32 { 0x0800 + UInt32(axes) }

/// The `UInt32` stored big-endian (most significant byte first) at `offset`.
func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
  UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
    | UInt32(bytes[offset + 3])
}

/// A parsed IDX file: the sizes from its header and the whole file, whose values start at `valuesOffset`.
struct IDXFile {
  var shape: [Int]
  var bytes: [UInt8]
  var valuesOffset: Int
}

/// Reads an IDX file of unsigned bytes with `axes` axes, checking its magic number and that its
/// length is exactly what the header promises; `what` and `itemName` word the messages
/// ("IDX images", "image").
func readIDX(_ path: String, axes: Int, what: String, itemName: String) throws(CourseError) -> IDXFile {
  let bytes = try readFileBytes(path, what: what)
  let headerSize = 4 + 4 * axes
  let expectedMagic = idxMagic(axes: axes)

  if bytes.count < 4 {
    throw CourseError(
      "the file is \(bytes.count) bytes long, but an \(what) file starts with a \(headerSize)-byte header",
      path: path, byteOffset: bytes.count, fix: restoreAdvice(for: path))
  }
  let magic = bigEndianUInt32(bytes, at: 0)
  if magic != expectedMagic {
    var problem =
      "expected the magic number \(expectedMagic) (\(hex(expectedMagic))) that starts an \(what) file, "
      + "found \(magic) (\(hex(magic)))"
    var fix = restoreAdvice(for: path)
    if bytes[0] == 0x1F && bytes[1] == 0x8B {
      problem += ": this is a gzip-compressed file"
      fix = "unpack it first (gunzip \(path.hasSuffix(".gz") ? path : path + ".gz"))"
    } else if magic == idxMagic(axes: 1) {
      problem += ": this is an IDX labels file"
      fix = "pass the images file (…-images-idx3-ubyte) here and the labels file where labels are expected"
    } else if magic == idxMagic(axes: 3) {
      problem += ": this is an IDX images file"
      fix = "pass the labels file (…-labels-idx1-ubyte) here and the images file where images are expected"
    }
    throw CourseError(problem, path: path, byteOffset: 0, fix: fix)
  }
  if bytes.count < headerSize {
    throw CourseError(
      "the file ends at byte \(bytes.count), inside the \(headerSize)-byte header of an \(what) file",
      path: path, byteOffset: bytes.count, fix: restoreAdvice(for: path))
  }

  let shape = (0..<axes).map { Int(bigEndianUInt32(bytes, at: 4 + 4 * $0)) }
  if shape[0] == 0 {
    throw CourseError(
      "the header promises 0 \(itemName)s: the file holds no data", path: path, byteOffset: 4,
      fix: restoreAdvice(for: path))
  }
  for (axis, size) in shape.enumerated().dropFirst() where size == 0 {
    throw CourseError(
      "the header gives size 0 for axis \(axis) (sizes \(shape.map(String.init).joined(separator: " × ")))",
      path: path, byteOffset: 4 + 4 * axis, fix: restoreAdvice(for: path))
  }
  // The header's sizes are untrusted: multiply them without overflowing.
  var expectedLength = headerSize
  var valueCount = 1
  for size in shape {
    let (product, overflow) = valueCount.multipliedReportingOverflow(by: size)
    if overflow || product > Int(Int32.max) {
      throw CourseError(
        "the header's sizes \(shape.map(String.init).joined(separator: " × ")) are absurdly large",
        path: path, byteOffset: 4, fix: restoreAdvice(for: path))
    }
    valueCount = product
  }
  expectedLength += valueCount

  let promise =
    "the header promises \(shape[0]) \(itemName)s"
    + (axes > 1 ? " of \(shape.dropFirst().map(String.init).joined(separator: " × ")) bytes" : "")
    + ", so the file should be \(expectedLength) bytes long"
  if bytes.count < expectedLength {
    let itemSize = valueCount / Swift.max(shape[0], 1)
    let whole = (bytes.count - headerSize) / Swift.max(itemSize, 1)
    throw CourseError(
      promise + ", but it ends at byte \(bytes.count) (only \(whole) whole \(itemName)s): the file is truncated",
      path: path, byteOffset: bytes.count, fix: restoreAdvice(for: path))
  }
  if bytes.count > expectedLength {
    throw CourseError(
      promise + ", but it is \(bytes.count) bytes long: \(bytes.count - expectedLength) unexpected bytes "
        + "follow the last \(itemName)",
      path: path, byteOffset: expectedLength, fix: restoreAdvice(for: path))
  }
  return IDXFile(shape: shape, bytes: bytes, valuesOffset: headerSize)
}

private func hex(_ value: UInt32) -> String {
  let digits = String(value, radix: 16, uppercase: true)
  return "0x" + String(repeating: "0", count: Swift.max(0, 8 - digits.count)) + digits
}

/// Reads an IDX images file (magic 2051) as a tensor of shape [N, rows, columns] holding the
/// pixel bytes as `Float`s, unscaled (0…255 for MNIST, 0…16 for UCI digits).
///
/// Throws a `CourseError` naming the file and the byte offset when the file is missing, has the
/// wrong magic number, or is shorter or longer than its header promises.
public func readIDXImages(_ path: String) throws(CourseError) -> Tensor {
  let file = try readIDX(path, axes: 3, what: "IDX images", itemName: "image")
  let count = file.shape.product
  let pixels = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
    file.bytes.withUnsafeBufferPointer { bytes in
      let values = bytes.baseAddress! + file.valuesOffset
      for i in 0..<count { buffer[i] = Float(values[i]) }
    }
    initialized = count
  }
  return Tensor(shape: file.shape, data: pixels)
}

/// Reads an IDX labels file (magic 2049) as one `Int` per example.
///
/// Throws a `CourseError` naming the file and the byte offset when the file is missing, has the
/// wrong magic number, or is shorter or longer than its header promises.
public func readIDXLabels(_ path: String) throws(CourseError) -> [Int] {
  let file = try readIDX(path, axes: 1, what: "IDX labels", itemName: "label")
  return file.bytes[file.valuesOffset...].map { Int($0) }
}
