// Writing result files safely: whole or not at all, with errors that name the path.

import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The directory, relative to the current directory (the package root under `swift run`), where
/// chapters write the book's figures.
public let figuresDirectory = "figures"

/// Where figures go that the book does not show: those of a run with options other than the
/// defaults, and those of this machine's speed, when the run is made in the package itself.
public let otherRunsFiguresDirectory = "figures/other-runs"

/// Whether this run's options are all at their defaults; `ChapterOptions` sets it once it has parsed them.
private let runUsesDefaultOptions = Mutex(true)

/// Records whether the run's options are all at their defaults (called by `ChapterOptions`).
public func setRunUsesDefaultOptions(_ defaults: Bool) {
  runUsesDefaultOptions.withLock { $0 = defaults }
}

/// The folder for a figure. The committed figures in the package's `figures/` are the book's, so
/// only the book's runs may redraw them: in the package root, a run with other options (another
/// data set, fewer epochs) or a figure of measured speed outside the book's tools goes to
/// `figures/other-runs/` (ignored by git) instead, and experimenting never changes the book.
public func figureFolder(inPackageRoot: Bool, defaultOptions: Bool, measured: Bool, bookRun: Bool) -> String {
  guard inPackageRoot else { return figuresDirectory }
  return defaultOptions && (!measured || bookRun) ? figuresDirectory : otherRunsFiguresDirectory
}

/// Returns the path for a figure file, `figures/<name>` (or `figures/other-runs/<name>`, see
/// `figureFolder`), creating the folder if it is missing. A `measured` figure shows this
/// machine's timings.
///
/// ```swift
/// try writeFileAtomically(svg, to: figurePath("05-curves.svg"))
/// print("wrote", figurePath("05-curves.svg"))
/// ```
/// If the directory cannot be created, the error is reported by the write that follows, with the path in it.
public func figurePath(_ name: String, measured: Bool = false) -> String {
  let files = FileManager.default
  let inPackageRoot = files.fileExists(atPath: "Package.swift") && files.fileExists(atPath: "book.md")
  let folder = figureFolder(
    inPackageRoot: inPackageRoot, defaultOptions: runUsesDefaultOptions.withLock { $0 }, measured: measured,
    bookRun: ProcessInfo.processInfo.environment["COURSE_MARK_MEASURED"] == "1")
  try? createDirectories(folder)
  return folder + "/" + name
}

/// Writes `data` to `path` through a temporary file in the same directory and a rename, so readers never see half a file.
///
/// Missing parent directories are created. Any failure throws a `CourseError` naming `path`,
/// and the temporary file is removed.
public func writeFileAtomically(_ data: Data, to path: String) throws(CourseError) {
  let bytes = [UInt8](data)
  try writeBytesAtomically(bytes, to: path)
}

/// Writes `text` as UTF-8 to `path` atomically (see the `Data` version), for SVG, CSV and JSON outputs.
public func writeFileAtomically(_ text: String, to path: String) throws(CourseError) {
  try writeBytesAtomically(Array(text.utf8), to: path)
}

private func writeBytesAtomically(_ bytes: [UInt8], to path: String) throws(CourseError) {
  if path.isEmpty || path.hasSuffix("/") {
    throw CourseError(
      "cannot write to \"\(path)\": it names a directory, not a file", path: path,
      fix: "give a file name, for example \(figuresDirectory)/result.svg")
  }
  let directory = parentDirectory(of: path)
  do {
    try createDirectories(directory)
  } catch {
    throw CourseError(
      "cannot create the directory for this file: \(error.problem)", path: path,
      fix: error.fix)
  }

  let name = path.split(separator: "/").last.map(String.init) ?? path
  let temporary =
    (directory.isEmpty ? "" : directory + "/")
    + ".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
  let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o666)
  if descriptor < 0 {
    throw CourseError(
      "cannot create a file in \(directory.isEmpty ? "the current directory" : directory): \(systemErrorText())",
      path: path, fix: "check that the directory exists and that you may write to it")
  }
  var offset = 0
  var failure: String?
  while offset < bytes.count {
    let written = bytes.withUnsafeBytes { buffer in
      write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
    }
    if written < 0 && errno == EINTR { continue }
    if written <= 0 {
      failure = systemErrorText()
      break
    }
    offset += written
  }
  if failure == nil && fsync(descriptor) != 0 {
    failure = systemErrorText()
  }
  if close(descriptor) != 0 && failure == nil {
    failure = systemErrorText()
  }
  if let failure {
    unlink(temporary)
    throw CourseError(
      "cannot write the file: \(failure)", path: path, fix: "check the free disk space and permissions")
  }
  if rename(temporary, path) != 0 {
    let reason = systemErrorText()
    unlink(temporary)
    throw CourseError(
      "cannot put the file in place: \(reason)", path: path,
      fix: "check that \(path) is not a directory and that you may write to it")
  }
}

/// Creates `path` and any missing parents, like `mkdir -p`, throwing a `CourseError` that says which part failed.
func createDirectories(_ path: String) throws(CourseError) {
  if path.isEmpty || path == "/" || path == "." { return }
  var isDirectory: ObjCBool = false
  if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
    if isDirectory.boolValue { return }
    throw CourseError(
      "\(path) is a file, not a directory", path: path,
      fix: "move or delete the file \(path), or write somewhere else")
  }
  try createDirectories(parentDirectory(of: path))
  if mkdir(path, 0o777) != 0 && errno != EEXIST {
    throw CourseError(
      "cannot create the directory \(path): \(systemErrorText())", path: path,
      fix: "check that you may write to its parent directory")
  }
}

/// The directory part of a slash-separated path: `"a/b/c.txt"` → `"a/b"`, `"c.txt"` → `""`, `"/c"` → `"/"`.
func parentDirectory(of path: String) -> String {
  var trimmed = Substring(path)
  while trimmed.count > 1 && trimmed.last == "/" { trimmed = trimmed.dropLast() }
  guard let slash = trimmed.lastIndex(of: "/") else { return "" }
  if slash == trimmed.startIndex { return "/" }
  var parent = trimmed[..<slash]
  while parent.count > 1 && parent.last == "/" { parent = parent.dropLast() }
  return String(parent)
}

/// The operating system's explanation of the last failed call, e.g. "Permission denied".
private func systemErrorText() -> String {
  String(cString: strerror(errno))
}
