import Foundation

// ─────────────────────────────────────────────────────────────────────────────────────────────
// Exercises of chapter 7 — yours to write.
//
// In the course you are given, each body is a `fatalError` stub: replace it with your own code.
// (In the instructors' copy the reference solution sits between BEGIN SOLUTION and END SOLUTION;
// `swift run Course student-version` replaces it by the stub.)
//
// For each function: write your own with plain
// loops, and check it with
//
//     swift test --filter Chapter07
//
// The tests compare your results with the shapes and values of the engine's conv2d, on many
// image sizes, kernels, paddings and strides.
// ─────────────────────────────────────────────────────────────────────────────────────────────

// snippet: exercise-output-size
/// How many positions a kernelSize-wide window takes along an axis of inputSize pixels, with
/// `padding` zeros added at both ends and moved `stride` pixels at a time:
/// ⌊(inputSize + 2·padding − kernelSize) / stride⌋ + 1, or 0 when the window does not fit.
func convolutionOutputSize(inputSize: Int, kernelSize: Int, padding: Int = 0, stride: Int = 1) -> Int {
  // BEGIN SOLUTION 7.1
  let room = inputSize + 2 * padding - kernelSize  // how far the window can travel
  return room < 0 ? 0 : room / stride + 1          // integer division rounds down
  // END SOLUTION
}
// end snippet

// snippet: exercise-convolution-loops
/// The convolution (cross-correlation, as in every framework) of one grey image with one
/// kernel, by four nested loops:
/// out[y][x] = Σᵢ Σⱼ kernel[i][j] · image[y·stride + i − padding][x·stride + j − padding],
/// where a pixel outside the image counts as 0.
func convolve(_ image: [[Float]], with kernel: [[Float]], padding: Int = 0, stride: Int = 1)
  -> [[Float]] {
  // BEGIN SOLUTION 7.2
  let (height, width) = (image.count, image.first?.count ?? 0)
  let (kernelHeight, kernelWidth) = (kernel.count, kernel.first?.count ?? 0)
  let outputHeight = convolutionOutputSize(inputSize: height, kernelSize: kernelHeight,
                                           padding: padding, stride: stride)
  let outputWidth = convolutionOutputSize(inputSize: width, kernelSize: kernelWidth,
                                          padding: padding, stride: stride)
  var output = [[Float]](repeating: [Float](repeating: 0, count: outputWidth), count: outputHeight)
  for y in 0..<outputHeight {
    for x in 0..<outputWidth {
      var sum: Float = 0
      for i in 0..<kernelHeight {
        for j in 0..<kernelWidth {
          let (row, column) = (y * stride + i - padding, x * stride + j - padding)
          if row >= 0 && row < height && column >= 0 && column < width {
            sum += kernel[i][j] * image[row][column]
          }
        }
      }
      output[y][x] = sum
    }
  }
  return output
  // END SOLUTION
}
// end snippet
