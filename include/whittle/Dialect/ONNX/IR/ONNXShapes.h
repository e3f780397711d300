//===- ONNXShapes.h - Shape rules shared by verifiers and lowering -*- C++ -*-//
//
// Part of whittle. One source of truth for ONNX shape rules: the op verifiers
// re-derive result shapes with these functions and the lowerings use the same
// resolved geometry (pads after auto_pad, defaulted strides, ...).
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_DIALECT_ONNX_IR_ONNXSHAPES_H
#define WHITTLE_DIALECT_ONNX_IR_ONNXSHAPES_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace whittle::onnx {

/// Numpy-style broadcast of two static shapes; std::nullopt if incompatible.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// Resolved geometry of a sliding-window op (Conv, MaxPool, AveragePool) over
/// the spatial dimensions of an NC... input.
struct WindowGeometry {
  llvm::SmallVector<int64_t> kernel;
  llvm::SmallVector<int64_t> strides;
  llvm::SmallVector<int64_t> dilations;
  /// ONNX order: all begins, then all ends.
  llvm::SmallVector<int64_t> pads;
  /// Spatial output sizes.
  llvm::SmallVector<int64_t> outSpatial;
};

/// Resolves auto_pad/defaults and computes output sizes. On failure returns
/// std::nullopt and sets `error` to a user-facing message.
std::optional<WindowGeometry>
computeWindowGeometry(llvm::ArrayRef<int64_t> inSpatial,
                      llvm::ArrayRef<int64_t> kernel, mlir::ArrayAttr strides,
                      mlir::ArrayAttr dilations, mlir::ArrayAttr pads,
                      llvm::StringRef autoPad, bool ceilMode,
                      std::string &error);

/// A parsed Einsum equation: one dimension label per operand dimension and
/// per result dimension. Labels are small integers; `...` expands to labels
/// of its own, shared by every operand that uses it (right-aligned).
struct EinsumSpec {
  llvm::SmallVector<llvm::SmallVector<int64_t>> operands;
  llvm::SmallVector<int64_t> result;
  /// The extent of every label, from the operand shapes.
  llvm::SmallVector<int64_t> extents;
};

/// Parses `equation` for operands of `shapes`; on failure returns
/// std::nullopt and sets `error` to a user-facing message.
std::optional<EinsumSpec>
parseEinsum(llvm::StringRef equation,
            llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes, std::string &error);

/// Reads an optional I64ArrayAttr into a vector (empty if absent).
llvm::SmallVector<int64_t> getI64Array(mlir::ArrayAttr attr);

} // namespace whittle::onnx

#endif // WHITTLE_DIALECT_ONNX_IR_ONNXSHAPES_H
