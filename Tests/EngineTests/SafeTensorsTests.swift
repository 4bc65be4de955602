import Foundation
import Testing
@testable import DeepLearning

@Suite("Chapter17 · safetensors files")
struct Chapter17SafeTensorsTests {
  /// The bytes of a small file, worked out by hand from the format description (see SafeTensors.swift).
  /// Checked once by hand: Python's `safetensors.numpy.load_file` (safetensors 0.8.0) loads this
  /// exact file, and `save_file` of the same tensors and metadata writes the same 164 bytes.
  static let fixtureHeader =
    #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}"#
  static let fixtureBytes: [UInt8] =
    [0x90, 0, 0, 0, 0, 0, 0, 0]  // header length 144 = 0x90, little-endian UInt64
    + Array(fixtureHeader.utf8) + [0x20, 0x20, 0x20]  // 141 bytes of JSON + 3 spaces: 8 + 144 = 152 = 19 × 8
    + [0x00, 0x00, 0x80, 0x3F,  // a[0] =  1.0 = 0x3F80_0000, least significant byte first
       0x00, 0x00, 0x00, 0x40,  // a[1] =  2.0 = 0x4000_0000
       0x00, 0x00, 0x00, 0xBF]  // b[0,0] = -0.5 = 0xBF00_0000
  static let fixture = SafeTensorsFile(
    tensors: ["b": StoredTensor(shape: [1, 1], values: [-0.5]), "a": StoredTensor(shape: [2], values: [1, 2])],
    metadata: ["format": "pt"])

  @Test func fixtureHasTheExactBytesOfTheFormat() throws {
    #expect(Self.fixtureHeader.utf8.count == 141)
    #expect(Self.fixtureBytes.count == 164)
    #expect(Self.fixture.encoded() == Self.fixtureBytes)
    #expect(try SafeTensorsFile.decode(Self.fixtureBytes, path: "fixture.safetensors") == Self.fixture)
    // For checking by hand with Python: SAFETENSORS_FIXTURE_COPY=/tmp/fixture.safetensors swift test --filter fixture
    if let copy = ProcessInfo.processInfo.environment["SAFETENSORS_FIXTURE_COPY"] {
      try Self.fixture.write(to: copy)
    }
  }

  @Test func writeThenReadGivesTheSameFile() throws {
    let directory = NSTemporaryDirectory() + "formats-draft-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/checkpoints/model.safetensors"  // the missing directories are created
    try Self.fixture.write(to: path)
    #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == Self.fixtureBytes)
    #expect(try SafeTensorsFile.read(from: path) == Self.fixture)
  }

  @Test func roundTripOfAwkwardTensorsAndNames() throws {
    let file = SafeTensorsFile(
      tensors: [
        "scalar": StoredTensor(shape: [], values: [2.5]),
        "empty": StoredTensor(shape: [2, 0, 3], values: []),
        "layers.0.weight": StoredTensor(shape: [2, 3], values: [1, -2, 3.25, .infinity, -0.0, .leastNonzeroMagnitude]),
        "名字 \"quoted\" \\ /\n\u{1}": StoredTensor(shape: [1], values: [7]),
      ],
      metadata: ["epoch": "3", "note": "ünïcode \"and\" \\ escapes\t"])
    let bytes = file.encoded()
    #expect(bytes.count % 8 == 0, "header padding should align the data; every tensor here is F32")
    let decoded = try SafeTensorsFile.decode(bytes, path: "awkward.safetensors")
    #expect(decoded == file)
    #expect(decoded.tensors["layers.0.weight"]!.values[4].sign == .minus)
  }

  @Test func emptyFileIsTwoBracesAndPadding() throws {
    let bytes = SafeTensorsFile().encoded()
    #expect(bytes == [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))  // what Python's save({}) gives
    #expect(try SafeTensorsFile.decode(bytes, path: "empty.safetensors") == SafeTensorsFile())
  }

  /// Written by Python (safetensors 0.8.0): `save({"a16": float16 [1, -2, 0.5, 6e-8, inf],
  /// "b64": float64 [0.1, -3], "c32": int32 [7], "step": int64 scalar 123456789, "z": float32 [1.5]})`.
  /// The library lays out tensors by dtype (largest first), then name, so this also checks that
  /// reading follows the offsets and not the names.
  @Test func readsOtherDtypesWrittenByPython() throws {
    let hex = "20010000000000007b2273746570223a7b226474797065223a22493634222c227368617065223a5b5d2c2264"
      + "6174615f6f666673657473223a5b302c385d7d2c22623634223a7b226474797065223a22463634222c227368"
      + "617065223a5b325d2c22646174615f6f666673657473223a5b382c32345d7d2c227a223a7b22647479706522"
      + "3a22463332222c227368617065223a5b315d2c22646174615f6f666673657473223a5b32342c32385d7d2c22"
      + "633332223a7b226474797065223a22493332222c227368617065223a5b315d2c22646174615f6f6666736574"
      + "73223a5b32382c33325d7d2c22613136223a7b226474797065223a22463136222c227368617065223a5b355d"
      + "2c22646174615f6f666673657473223a5b33322c34325d7d7d2020202020202015cd5b07000000009a999999"
      + "9999b93f00000000000008c00000c03f07000000003c00c000380100007c"
    let file = try SafeTensorsFile.decode(bytesFromHex(hex), path: "python.safetensors")
    #expect(file.tensors["a16"] == StoredTensor(shape: [5], values: [1, -2, 0.5, 0x1p-24, .infinity]))
    #expect(file.tensors["b64"] == StoredTensor(shape: [2], values: [Float(0.1 as Double), -3]))
    #expect(file.tensors["c32"] == StoredTensor(shape: [1], values: [7]))
    #expect(file.tensors["step"] == StoredTensor(shape: [], values: [123_456_792]))  // nearest Float
    #expect(file.tensors["z"] == StoredTensor(shape: [1], values: [1.5]))
    #expect(file.metadata.isEmpty)
  }

  @Test func readsBFloat16() throws {
    // bfloat16 keeps the top 16 bits of a Float32: 1.0 = 0x3F80, -2.0 = 0xC000, 3.140625 = 0x4049.
    let bytes = fileBytes(
      header: #"{"w":{"dtype":"BF16","shape":[3],"data_offsets":[0,6]}}"#, data: [0x80, 0x3F, 0x00, 0xC0, 0x49, 0x40])
    #expect(try SafeTensorsFile.decode(bytes, path: "w.safetensors").tensors["w"]!.values == [1, -2, 3.140625])
  }

  @Test func missingFileIsNamed() {
    do {
      _ = try SafeTensorsFile.read(from: "/nonexistent/model.safetensors")
      Issue.record("reading a missing file should throw")
    } catch {
      #expect(error.path == "/nonexistent/model.safetensors")
      #expect(error.description.contains("no such file"), "\(error)")
    }
  }

  @Test(arguments: Damage.all)
  func damagedFileIsReportedWithWhatIsWrong(damage: Damage) {
    do {
      let file = try SafeTensorsFile.decode(damage.bytes, path: "damaged.safetensors")
      Issue.record("decoding should throw, but gave \(file)")
    } catch {
      #expect(error.path == "damaged.safetensors")
      #expect(error.fix != nil, "every error should say what to do")
      for part in damage.expected {
        #expect(error.description.contains(part), "\(error.description)\nshould contain: \(part)")
      }
    }
  }
}

/// A damaged file and the words its error message must contain.
struct Damage: Sendable, CustomTestStringConvertible {
  var testDescription: String
  var bytes: [UInt8]
  var expected: [String]

  /// A file with one F32 tensor "a" of shape [2] and the given `entry`, over `data`.
  static func withEntry(
    _ name: String, _ entry: String, data: [UInt8] = Array(repeating: 0, count: 8), expect: [String]
  ) -> Damage {
    Damage(testDescription: name, bytes: fileBytes(header: "{\(entry)}", data: data), expected: expect)
  }

  static let a = #""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#

  static let all: [Damage] = [
    Damage(testDescription: "shorter than 8 bytes", bytes: [0x10, 0, 0], expected: ["only 3 bytes", "8 bytes"]),
    Damage(
      testDescription: "header length larger than the file", bytes: [0xE8, 0x03, 0, 0, 0, 0, 0, 0] + Array("{}".utf8),
      expected: ["header length of 1000 bytes", "only 2 bytes follow"]),
    Damage(
      testDescription: "header not UTF-8", bytes: [3, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0xFF, 0x7D],
      expected: ["not valid UTF-8"]),
    withEntry("header not JSON", #""a":{"dtype":"F32","#, expect: ["not valid JSON"]),
    Damage(
      testDescription: "header not an object", bytes: fileBytes(header: "[1, 2]", data: []),
      expected: ["the list [1, 2], not a JSON object"]),
    withEntry("entry not an object", #""a":5"#, expect: ["tensor \"a\"", "the number 5, not an object"]),
    withEntry(
      "entry without dtype", #""a":{"shape":[2],"data_offsets":[0,8]}"#, expect: ["tensor \"a\" has no \"dtype\""]),
    withEntry(
      "entry without shape", #""a":{"dtype":"F32","data_offsets":[0,8]}"#, expect: ["tensor \"a\" has no \"shape\""]),
    withEntry(
      "entry without offsets", #""a":{"dtype":"F32","shape":[2]}"#,
      expect: ["tensor \"a\" has no \"data_offsets\""]),
    withEntry(
      "shape not integers", #""a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}"#,
      expect: ["tensor \"a\" has \"shape\": the list [2.5]", "non-negative integers"]),
    withEntry(
      "unsupported dtype", #""a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}"#,
      expect: ["tensor \"a\" has dtype U8", "F32, F16, BF16, F64, I64, I32"]),
    withEntry(
      "offsets reversed", #""a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}"#,
      expect: ["tensor \"a\" has data_offsets [8, 0]", "out of range"]),
    withEntry(
      "offsets past the end", #""a":{"dtype":"F32","shape":[100],"data_offsets":[0,400]}"#,
      expect: ["tensor \"a\" needs data bytes 0..<400", "only 8 bytes", "out of range"]),
    withEntry(
      "byte count not shape × dtype size", #""a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}"#,
      expect: ["tensor \"a\" has shape [3] of F32", "takes 12 bytes", "span 8 bytes"]),
    withEntry(
      "overlapping tensors", a + #","b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}"#,
      data: Array(repeating: 0, count: 12), expect: ["tensor \"b\"", "overlaps tensor \"a\""]),
    withEntry(
      "hole between tensors", a + #","b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}"#,
      data: Array(repeating: 0, count: 16),
      expect: ["data bytes 8..<12", "between tensor \"a\" and tensor \"b\"", "belong to no tensor"]),
    withEntry(
      "hole before the first tensor", #""a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}"#,
      data: Array(repeating: 0, count: 12), expect: ["data bytes 0..<4", "before tensor \"a\"", "hole"]),
    withEntry(
      "bytes after the last tensor", a, data: Array(repeating: 0, count: 12),
      expect: ["last 4 bytes", "belong to no tensor"]),
    Damage(
      testDescription: "truncated data", bytes: Array(Chapter17SafeTensorsTests.fixtureBytes.dropLast(2)),
      expected: ["tensor \"b\" needs data bytes 8..<12", "only 10 bytes", "truncated"]),
    withEntry(
      "metadata value not a string", #""__metadata__":{"epoch":3},"# + a,
      expect: ["metadata value of \"epoch\" is the number 3", "must be strings"]),
    withEntry(
      "metadata not an object", #""__metadata__":"pt","# + a, expect: ["\"__metadata__\" is the string \"pt\""]),
  ]
}

/// A safetensors file with `header` as is (no padding: readers must not need it) and `data`.
func fileBytes(header: String, data: [UInt8]) -> [UInt8] {
  let length = UInt64(header.utf8.count)
  return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + Array(header.utf8) + data
}

func bytesFromHex(_ hex: String) -> [UInt8] {
  let digits = Array(hex.utf8)
  return stride(from: 0, to: digits.count, by: 2).map {
    UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
  }
}
