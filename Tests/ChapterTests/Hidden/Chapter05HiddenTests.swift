// An instructor-only test: `swift run Course student-version` leaves every file under a folder
// named Hidden out of the student's copy, and `swift run Course grade` counts it all the same.
// (Hidden tests keep learners from fitting their code to the visible cases.)

import Testing
@testable import Chapter05

@Suite("Chapter05 · hidden tests")
struct Chapter05HiddenTests {
  @Test("exercise 1 on networks the visible tests do not use")
  func parameterCountOfTinyNetworks() {
    #expect(parameterCount(layerSizes: [3, 2]) == 8)
    #expect(parameterCount(layerSizes: [1, 1, 1]) == 4)
    #expect(parameterCount(layerSizes: [7]) == 0, "one layer size: no Linear layer at all")
  }
}
