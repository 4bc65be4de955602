import Foundation

// Values that depend on the machine (a time, a speed, a share of a profile) are printed like any
// other, but the book's tools must know them: the book shows them from a real run and never
// compares them with another run (Sources/BookSnippets/Outputs.swift).

/// Whether this run was started by the book's tools, which set COURSE_MARK_MEASURED=1.
private let marksMeasuredValues = ProcessInfo.processInfo.environment["COURSE_MARK_MEASURED"] == "1"

/// `text` as printed; inside a run made by the book's tools, wrapped in ⟨ ⟩ so that they can tell
/// it is a measurement. Numbers with a unit of time or speed need no wrapping (the tools know them).
public func measured(_ text: String) -> String {
  marksMeasuredValues ? "⟨" + text + "⟩" : text
}
