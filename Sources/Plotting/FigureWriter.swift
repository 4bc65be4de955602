import Foundation
import CourseSupport

extension SVGFigure {
  /// Writes the SVG to `path` atomically (temporary file in the same folder, then rename),
  /// creating missing folders, and returns `path` so a chapter can print it. A failure throws a
  /// `CourseError` naming the path and what to do.
  ///
  /// ```swift
  /// let path = try chart.write(to: figurePath("01-activations.svg"))
  /// print("figure: \(path)")
  /// ```
  @discardableResult
  public func write(to path: String) throws -> String {
    try writeFileAtomically(svg, to: path)
    return path
  }
}
