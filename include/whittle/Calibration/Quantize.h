//===- Quantize.h - Calibrated int8 post-training quantization --*- C++ -*-===//
//
// Part of whittle. Measures activation ranges on calibration inputs (by
// running the float model with the JIT), records them for onnx-quantize,
// quantizes, and measures what quantization cost: each layer's output SNR
// against float and the model outputs' error. --quantize-error gives the
// most sensitive layers int16 activations, then float, until the outputs
// are within budget.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_CALIBRATION_QUANTIZE_H
#define WHITTLE_CALIBRATION_QUANTIZE_H

#include "whittle/Calibration/Calibration.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>
#include <vector>

namespace whittle {

struct QuantizeOptions {
  enum class Method { MinMax, Percentile, Entropy };
  Method method = Method::MinMax;
  double percentile = 99.99; ///< Method::Percentile: the upper percentile
  std::vector<std::string> skip; ///< ONNX node names kept in float
  /// ONNX node names of layers with int16 activations (A16W8), or "all"
  std::vector<std::string> int16;
  std::optional<double> maxError; ///< --quantize-error (relative L2)
};

/// Parses minmax | percentile:P | entropy.
std::optional<QuantizeOptions::Method>
parseCalibrationMethod(llvm::StringRef text, double &percentile);

struct QuantizeLayer {
  std::string node, op;
  unsigned bits = 0;  ///< activation width: 8, 16 (A16W8), or 0 (float)
  std::string reason; ///< why a layer stays float or has int16 activations
  double scale = 0;   ///< output scale and zero point (quantized layers)
  int64_t zeroPoint = 0;
  std::optional<double> snr; ///< output SNR (dB) against float
  std::optional<double> sensitivity; ///< model error with only this layer int8
};

struct QuantizeReport {
  std::string method;
  size_t samples = 0;
  std::vector<QuantizeLayer> layers;
  /// Per float output: name, SNR (dB) and relative L2 error against float.
  struct Output {
    std::string name;
    double snr = 0, error = 0;
  };
  std::vector<Output> outputs;
  std::optional<double> maxError;
  std::vector<std::string> keptFloat; ///< layers --quantize-error kept float
  std::vector<std::string> widened;   ///< layers --quantize-error made int16
};

/// Quantizes `module` (@main at the onnx level, graph cleanup and any
/// decomposition already applied) in place.
mlir::LogicalResult quantizeModel(mlir::ModuleOp module,
                                  const QuantizeOptions &options,
                                  const CalibrationSet &calibration,
                                  QuantizeReport &report);

/// Markdown / JSON sections of --report.
void writeQuantizeMarkdown(const QuantizeReport &report, llvm::raw_ostream &os);
void writeQuantizeJson(const QuantizeReport &report, llvm::json::OStream &j);

} // namespace whittle

#endif // WHITTLE_CALIBRATION_QUANTIZE_H
