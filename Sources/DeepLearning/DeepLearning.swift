// The one `import` a chapter writes. The engine is several small modules (see Package.swift);
// this re-exports them all, so `import DeepLearning` brings Tensor, the layers, the data sets,
// the plots and the chapters' shared helpers into scope together.

@_exported import Kernels
@_exported import Core
@_exported import NeuralNetworks
@_exported import CourseSupport
@_exported import DataLoading
@_exported import Plotting
@_exported import ChapterSupport
