//===- Quantization.h - int8 quantization helpers ---------------*- C++ -*-===//
//
// Part of whittle. Shared by onnx-quantize (calibrated ranges -> QDQ),
// onnx-fuse-qdq (QDQ -> integer operators) and the driver's calibration.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_DIALECT_ONNX_TRANSFORMS_QUANTIZATION_H
#define WHITTLE_DIALECT_ONNX_TRANSFORMS_QUANTIZATION_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace whittle {

/// Calibrated real range of an op's (first) result, or of a function
/// argument: `array<f64: lo, hi>`.
inline constexpr llvm::StringLiteral kRangeAttr = "whittle.range";

/// Asymmetric int8 parameters: real = scale * (q - zeroPoint).
struct AffineQuant {
  double scale = 1.0;
  int64_t zeroPoint = 0;
};

/// Parameters covering [lo, hi] (widened to include 0, so that zero is
/// exact): scale = (hi - lo) / 255, zeroPoint in [-128, 127].
AffineQuant paramsForRange(double lo, double hi);

/// The calibrated range of `v`, if recorded.
std::optional<std::pair<double, double>> getRange(mlir::Value v);

/// Quantization parameters of a DequantizeLinear/QuantizeLinear as read from
/// constant operands (per-tensor: one entry).
struct QuantParamsView {
  llvm::SmallVector<double> scale;
  llvm::SmallVector<int64_t> zeroPoint;
  int64_t axis = 1;
  bool perTensor() const { return scale.size() == 1; }
};
std::optional<QuantParamsView> readQuantParams(mlir::Operation *qOrDq);

/// Creates `QuantizeLinear(v)` to int8 and `DequantizeLinear` of it back to
/// f32 with per-tensor parameters `p`; returns the DequantizeLinear result.
mlir::Value createQDQ(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                      const AffineQuant &p, mlir::Value *quantized = nullptr);

/// A rank-0 int8 `onnx.Constant` (a zero point).
mlir::Value createI8Scalar(mlir::OpBuilder &b, mlir::Location loc, int64_t v);

/// Per-tensor f32 scale and int8 zero-point constants.
std::pair<mlir::Value, mlir::Value>
createScaleZeroPoint(mlir::OpBuilder &b, mlir::Location loc,
                     const AffineQuant &p);

} // namespace whittle

#endif // WHITTLE_DIALECT_ONNX_TRANSFORMS_QUANTIZATION_H
