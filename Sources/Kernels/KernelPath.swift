import Foundation
#if canImport(Darwin)
import Darwin
#endif

// Which vector width the kernels compute with.
//
// A core's arithmetic roof is its vector width × its fused multiply-adds per cycle × 2. AVX2
// registers hold 8 floats; AVX-512 registers hold 16, and an Intel Xeon with two AVX-512 FMA
// units does twice the arithmetic per cycle of the same core running 8-wide code. So the engine
// has two versions of every hot loop: one on `SIMD8<Float>` and one on `SIMD16<Float>`, and
// picks one of them, once, when the program first multiplies.
//
// Both are compiled for this machine (`-target-cpu native`, Package.swift). Where the CPU has
// AVX-512 the compiler turns each `SIMD16<Float>` into one zmm register; where it has only AVX2,
// into a pair of ymm registers, so the 16-wide code still runs (the tests run both everywhere),
// it just gains nothing. On ARM a NEON register holds 4 floats, and `SIMD8<Float>` becomes two of
// them: the 8-wide kernels are plain SIMD code with no x86 assumption, and serve as the NEON path.

/// A family of kernels: the vector type they compute with and the matrix product's tile shape.
public enum KernelPath: String, CaseIterable, Sendable, CustomStringConvertible {
  /// `SIMD8<Float>`: AVX2 ymm registers, or pairs of NEON registers. Matrix product tile 6×16
  /// (12 accumulator vectors; AVX2 has 16 vector registers).
  case simd8
  /// `SIMD16<Float>`: AVX-512 zmm registers. Matrix product tile 8×32 (16 accumulator vectors;
  /// AVX-512 has 32 vector registers).
  case simd16

  /// Floats per vector.
  public var vectorWidth: Int { self == .simd16 ? 16 : 8 }

  /// The matrix product's register tile: rows × columns of C kept in registers.
  public var tile: (rows: Int, columns: Int) { self == .simd16 ? (8, 32) : (6, 16) }

  public var description: String {
    "\(vectorWidth)-wide (SIMD\(vectorWidth)<Float>, \(tile.rows)×\(tile.columns) tile)"
  }

  /// The path every kernel uses unless told otherwise: `machineChoice`, or the path given to
  /// `withPath` around the code running now.
  public static var preferred: KernelPath { override ?? machineChoice }

  /// Runs `body` with `path` as the preferred path (for this task and what it calls; the tests
  /// run the same training step on both paths with it).
  public static func withPath<Result>(_ path: KernelPath,
                                      _ body: () throws -> Result) rethrows -> Result {
    try $override.withValue(path, operation: body)
  }

  @TaskLocal static var override: KernelPath?

  // snippet: kernel-path-choice
  /// The path this process uses: the widest the CPU has, unless the environment variable
  /// `DEEPLEARNING_KERNEL_PATH` names one (`simd8` or `simd16`), to compare them on one machine.
  /// Decided once, on first use.
  public static let machineChoice: KernelPath = {
    if let name = ProcessInfo.processInfo.environment["DEEPLEARNING_KERNEL_PATH"] {
      guard let path = KernelPath(rawValue: name) else {
        fatalError("DEEPLEARNING_KERNEL_PATH=\(name): use simd8 or simd16")
      }
      return path
    }
    return VectorUnit.current.hasAVX512 ? .simd16 : .simd8
  }()
  // end snippet
}

/// What the processor's vector unit is, read once from the operating system.
public struct VectorUnit: Sendable {
  /// "AVX-512", "AVX2 + FMA", "NEON", or "SSE" (older x86: the 8-wide kernels still run).
  public let name: String
  /// Whether it has AVX-512 Foundation: the 16-float registers and FMA on them.
  public let hasAVX512: Bool

  public static let current = VectorUnit.detect()

  private static func detect() -> VectorUnit {
    #if arch(arm64) || arch(arm)
    // Every 64-bit ARM core has NEON (Advanced SIMD): 32 registers of 4 floats.
    return VectorUnit(name: "NEON", hasAVX512: false)
    #elseif os(Linux)
    // The kernel lists the CPU's features on the "flags" line of /proc/cpuinfo, leaving out
    // those the operating system does not save and restore (so zmm registers are usable).
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let flagsLine = info.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
    let flags = Set(flagsLine.split(separator: " ").map(String.init))
    return VectorUnit(flags: flags)
    #elseif canImport(Darwin)
    // macOS on Intel: sysctl reports each feature as hw.optional.<name> = 1.
    func has(_ name: String) -> Bool {
      var value: Int32 = 0
      var size = MemoryLayout<Int32>.size
      return sysctlbyname("hw.optional.\(name)", &value, &size, nil, 0) == 0 && value != 0
    }
    var flags: Set<String> = []
    if has("avx512f") { flags.insert("avx512f") }
    if has("avx2_0") { flags.insert("avx2") }
    if has("fma") { flags.insert("fma") }
    return VectorUnit(flags: flags)
    #else
    return VectorUnit(name: "unknown", hasAVX512: false)
    #endif
  }

  /// Names the vector unit from x86 feature flags as /proc/cpuinfo spells them.
  init(flags: Set<String>) {
    if flags.contains("avx512f") {
      self.init(name: "AVX-512", hasAVX512: true)
    } else if flags.contains("avx2") && flags.contains("fma") {
      self.init(name: "AVX2 + FMA", hasAVX512: false)
    } else {
      self.init(name: "SSE", hasAVX512: false)
    }
  }

  init(name: String, hasAVX512: Bool) {
    self.name = name
    self.hasAVX512 = hasAVX512
  }
}
