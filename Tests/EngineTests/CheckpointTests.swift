import Foundation
import Testing
@testable import DeepLearning
import TestSupport

// Checkpoints: a model saved and loaded back gives the same outputs; a checkpoint that does not fit
// the model is refused with a message naming the file, the tensor and the fix, and changes nothing.

@Suite("Chapter17 · checkpoints")
struct Chapter17CheckpointTests {
  static func model(seed: Int, hidden: Int = 5) -> Sequential {
    var generator = RandomGenerator(seed: seed)
    return Sequential(Linear(inputs: 3, outputs: hidden, using: &generator), ReLU(),
                      Linear(inputs: hidden, outputs: 2, using: &generator))
  }

  static func temporaryPath() -> String {
    NSTemporaryDirectory() + "checkpoint-\(UUID().uuidString).safetensors"
  }

  @Test("parameters are named as in PyTorch's state_dict")
  func names() {
    #expect(Self.model(seed: 1).namedParameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
  }

  @Test("save, load into a fresh model: the same outputs and the metadata back")
  func roundTrip() throws {
    let path = Self.temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let trained = Self.model(seed: 1), fresh = Self.model(seed: 2)
    let x = randomInput([4, 3], seed: 3)
    #expect(trained(x).data != fresh(x).data)
    try trained.save(to: path, metadata: ["data": "blobs"])
    let metadata = try fresh.load(from: path)
    #expect(metadata == ["data": "blobs"])
    #expect(trained(x).data == fresh(x).data)
  }

  @Test("a checkpoint of another architecture is refused, and the model is unchanged")
  func mismatches() throws {
    let path = Self.temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.model(seed: 1, hidden: 5).save(to: path)
    let wider = Self.model(seed: 2, hidden: 6)
    let before = wider.parameters.map(\.data)
    let shape = #expect(throws: CourseError.self) { try wider.load(from: path) }
    #expect(shape?.problem.contains("\"0.weight\" has shape [3, 5] in the checkpoint but [3, 6]") == true)
    #expect(shape?.path == path && shape?.fix != nil)
    #expect(wider.parameters.map(\.data) == before)

    var generator = RandomGenerator(seed: 4)
    let deeper = Sequential(Linear(inputs: 3, outputs: 5, using: &generator), ReLU(),
                            Linear(inputs: 5, outputs: 2, using: &generator), ReLU(),
                            Linear(inputs: 2, outputs: 2, using: &generator))
    let missing = #expect(throws: CourseError.self) { try deeper.load(from: path) }
    #expect(missing?.problem.contains("no tensor \"4.weight\"") == true)

    let shallow = Sequential(Linear(inputs: 3, outputs: 5, using: &generator))
    let extra = #expect(throws: CourseError.self) { try shallow.load(from: path) }
    #expect(extra?.problem.contains("a tensor \"2.bias\" that this model does not have") == true)
  }

  @Test("a truncated checkpoint is refused with the file named")
  func truncated() throws {
    let path = Self.temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.model(seed: 1).save(to: path)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    try bytes.prefix(bytes.count - 7).write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: CourseError.self) { try Self.model(seed: 2).load(from: path) }
    #expect(error?.path == path)
  }
}
