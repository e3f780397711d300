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

/// Per-tensor parameters: real = scale * (q - zeroPoint), q a signed
/// integer of `bits` bits (8: asymmetric int8; 16: symmetric int16, the
/// activations of A16W8 layers).
struct AffineQuant {
  double scale = 1.0;
  int64_t zeroPoint = 0;
  unsigned bits = 8;
};

/// Parameters covering [lo, hi] (widened to include 0, so that zero is
/// exact). 8 bits: scale = (hi - lo) / 255, zeroPoint in [-128, 127].
/// 16 bits: scale = max(|lo|, |hi|) / 32767, zeroPoint 0 (TOSA's int16
/// kernels take no zero point).
AffineQuant paramsForRange(double lo, double hi, unsigned bits = 8);

/// Whether `t` is a quantized activation type the integer kernels take:
/// signless int8 or int16.
inline bool isQuantizedType(mlir::Type t) {
  return t.isSignlessInteger(8) || t.isSignlessInteger(16);
}

/// The saturation bounds of a signed integer of `bits` bits.
inline int64_t quantMin(unsigned bits) { return -(int64_t(1) << (bits - 1)); }
inline int64_t quantMax(unsigned bits) { return (int64_t(1) << (bits - 1)) - 1; }

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

/// Creates `QuantizeLinear(v)` to int8 (int16 if p.bits is 16) and `DequantizeLinear` of it back to
/// f32 with per-tensor parameters `p`; returns the DequantizeLinear result.
mlir::Value createQDQ(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                      const AffineQuant &p, mlir::Value *quantized = nullptr);

/// A rank-0 int8 `onnx.Constant` (a zero point).
mlir::Value createI8Scalar(mlir::OpBuilder &b, mlir::Location loc, int64_t v);
/// A rank-0 signless integer `onnx.Constant` of `bits` bits.
mlir::Value createIntScalar(mlir::OpBuilder &b, mlir::Location loc,
                            unsigned bits, int64_t v);

/// Per-tensor f32 scale and zero-point (int8 or int16) constants.
std::pair<mlir::Value, mlir::Value>
createScaleZeroPoint(mlir::OpBuilder &b, mlir::Location loc,
                     const AffineQuant &p);

} // namespace whittle

#endif // WHITTLE_DIALECT_ONNX_TRANSFORMS_QUANTIZATION_H
