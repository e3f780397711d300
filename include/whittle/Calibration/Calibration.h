//===- Calibration.h - Running the model inside the compiler ----*- C++ -*-===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//
//
// Passes that trade accuracy for size (the depthwise-separable rewrite,
// int8 quantization) measure the float model on calibration inputs. They run
// the model with JitModel (whittle/Jit): the numbers measured are those of
// the generated code, not of a second interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_CALIBRATION_CALIBRATION_H
#define WHITTLE_CALIBRATION_CALIBRATION_H

#include "whittle/Jit/JitModel.h"

#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <string>
#include <vector>

namespace whittle {

/// A tensor from a NumPy .npy file (version 1-3, C order, little endian).
struct NpyArray {
  std::string dtype; ///< ONNX-style element type name: float32, int64, ...
  std::vector<int64_t> shape;
  std::vector<char> data;
};

/// Reads `path`; on failure returns std::nullopt and sets `error`.
std::optional<NpyArray> readNpy(llvm::StringRef path, std::string &error);

/// Calibration samples: samples[s][i] holds the bytes of model input i.
struct CalibrationSet {
  std::vector<std::vector<std::vector<char>>> samples;
};

/// Loads `dir`: for a single-input model, every `*.npy` file in it is one
/// sample; otherwise every subdirectory is one sample holding `<input>.npy`
/// per graph input. Files are taken in name order. Shapes and element types
/// must match the model's inputs exactly.
std::optional<CalibrationSet> loadCalibrationSet(llvm::StringRef dir,
                                                 const ModelInterface &model,
                                                 std::string &error);

/// Relative L2 error accumulated over many tensors: ||a - b|| / ||b||.
struct RelativeError {
  double diff2 = 0, ref2 = 0;
  void add(const float *got, const float *ref, size_t n);
  double value() const;
};

} // namespace whittle

#endif // WHITTLE_CALIBRATION_CALIBRATION_H
