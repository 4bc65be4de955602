// Memory for tensors: keep freed buffers in the process instead of handing them back.

#if os(Linux)
// glibc's `mallopt` (declared in <malloc.h>, which Swift's Glibc module does not include).
@_silgen_name("mallopt") private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
private let M_TRIM_THRESHOLD: Int32 = -1
private let M_MMAP_THRESHOLD: Int32 = -3
#endif

/// Keeps freed tensor buffers inside the process. By default glibc returns every block over
/// 128 KiB to the operating system when it is freed, and the next training step pays to have
/// those pages zeroed and mapped again: about half the time of a small CNN step. Runs once, on
/// the first `uninitializedFloats` (which operations call for their results).
let allocatorTuned: Bool = {
  #if os(Linux)
  _ = mallopt(M_MMAP_THRESHOLD, 64 << 20)
  _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
  #endif
  return true
}()
