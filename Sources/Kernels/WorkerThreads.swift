import Foundation
import Synchronization

// Using every core for a short loop. `DispatchQueue.concurrentPerform` wakes a sleeping thread
// for every loop, and that thread starts about 10 µs later: as long as a whole 128×128×128
// matrix product takes on one core. The helper threads here stay awake, spinning, for a
// fraction of a millisecond after each loop, so that the next loop of a training step (the next
// product, the next LSTM step) starts on every core at once; then they sleep, and cost nothing
// while the engine is idle. OpenMP, which PyTorch uses, does the same (for far longer).

// snippet: parallel-for
/// Runs `body(part)` for every part in 0..<parts, spread over the cores, and returns when all
/// are done. Parts should take roughly the same time. A call made while another is running (from
/// inside a part, or from a second thread) runs its parts one after another on the calling thread.
public func parallelFor(parts: Int, _ body: @escaping (_ part: Int) -> Void) {
  WorkerThreads.shared.run(parts: parts, body)
}
// end snippet

/// How many cores the engine's loops use: the environment variable `DEEPLEARNING_THREADS` if it
/// is set, else the cores this process may run on. (On Linux that is the affinity mask, so that
/// `taskset -c 0 swift run …` runs on one core; Foundation's `activeProcessorCount` counts every
/// core, and helper threads spinning on a core they must share only slow the work down.)
public let engineCores: Int = {
  if let value = ProcessInfo.processInfo.environment["DEEPLEARNING_THREADS"] {
    guard let threads = Int(value), threads >= 1 else {
      fatalError("DEEPLEARNING_THREADS=\(value): give a number of threads, 1 or more")
    }
    return threads
  }
  #if os(Linux)
  // A cpu_set_t: one bit per CPU, 1024 of them.
  var mask = [UInt64](repeating: 0, count: 16)
  let status = mask.withUnsafeMutableBytes { linuxSchedGetAffinity(0, $0.count, $0.baseAddress!) }
  let allowed = mask.reduce(0) { $0 + $1.nonzeroBitCount }
  if status == 0 && allowed > 0 { return allowed }
  #endif
  return ProcessInfo.processInfo.activeProcessorCount
}()

#if os(Linux)
/// glibc's `sched_getaffinity` (declared in <sched.h> only with _GNU_SOURCE, which Swift's Glibc
/// module does not define).
@_silgen_name("sched_getaffinity")
private func linuxSchedGetAffinity(_ pid: Int32, _ size: Int, _ mask: UnsafeMutableRawPointer) -> Int32
#endif

/// The helper threads behind `parallelFor`: one per core besides the calling thread.
final class WorkerThreads: @unchecked Sendable {
  static let shared = WorkerThreads(helpers: engineCores - 1)

  /// How long a helper keeps looking for the next loop before it goes to sleep.
  static let spinNanoseconds: UInt64 = 200_000

  /// One loop: its body, and counters of the parts taken and finished.
  private final class Loop: @unchecked Sendable {
    let parts: Int
    let body: (Int) -> Void
    let taken = Atomic<Int>(0)
    let finished = Atomic<Int>(0)

    init(parts: Int, body: @escaping (Int) -> Void) {
      self.parts = parts
      self.body = body
    }

    /// Takes parts until none is left; the caller and every helper run this side by side.
    func work() {
      while true {
        let part = taken.wrappingAdd(1, ordering: .relaxed).oldValue
        if part >= parts { return }
        body(part)
        finished.wrappingAdd(1, ordering: .releasing)
      }
    }
  }

  private let helpers: Int
  /// The loop being run, if any; the number of loops started so far, which helpers watch.
  private let current = Mutex<Loop?>(nil)
  private let generation = Atomic<Int>(0)
  /// Whether a loop is running; a second caller meanwhile runs its loop alone.
  private let busy = Atomic<Bool>(false)
  /// Where helpers sleep, and how many do.
  private let sleepCondition = NSCondition()
  private var sleepers = 0

  private init(helpers: Int) {
    self.helpers = max(0, helpers)
    for index in 0..<self.helpers {
      let thread = Thread { [unowned self] in self.helperLoop() }
      thread.name = "DeepLearning worker \(index + 1)"
      thread.start()
    }
  }

  func run(parts: Int, _ body: @escaping (Int) -> Void) {
    guard parts > 1, helpers > 0,
          busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    else {
      for part in 0..<parts { body(part) }
      return
    }
    let loop = Loop(parts: parts, body: body)
    current.withLock { $0 = loop }
    generation.wrappingAdd(1, ordering: .releasing)
    sleepCondition.lock()
    if sleepers > 0 { sleepCondition.broadcast() }
    sleepCondition.unlock()
    loop.work()
    // Wait for the parts the helpers took; yield the core if one of them is slow to finish.
    var spins = 0
    while loop.finished.load(ordering: .acquiring) < parts {
      spins += 1
      if spins > 1000 { sched_yield() }
    }
    current.withLock { $0 = nil }
    busy.store(false, ordering: .releasing)
  }

  /// A helper's life: wait for the next loop (spinning a little, then sleeping), work on it.
  private func helperLoop() {
    var seen = 0
    while true {
      if generation.load(ordering: .acquiring) == seen {
        let start = DispatchTime.now().uptimeNanoseconds
        var spins = 0
        while generation.load(ordering: .acquiring) == seen {
          spins += 1
          if spins % 64 == 0,
             DispatchTime.now().uptimeNanoseconds - start > Self.spinNanoseconds {
            sleepCondition.lock()
            sleepers += 1
            while generation.load(ordering: .acquiring) == seen { sleepCondition.wait() }
            sleepers -= 1
            sleepCondition.unlock()
          }
        }
      }
      seen = generation.load(ordering: .acquiring)
      // The loop may already be over (then `current` is nil, or a later loop that is fine to
      // help with too).
      if let loop = current.withLock({ $0 }) { loop.work() }
    }
  }
}
