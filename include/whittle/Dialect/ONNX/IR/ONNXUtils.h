//===- ONNXUtils.h - Helpers shared by passes over the onnx dialect -*- C++ -*-===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_DIALECT_ONNX_IR_ONNXUTILS_H
#define WHITTLE_DIALECT_ONNX_IR_ONNXUTILS_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>

namespace whittle {

/// The value of a constant tensor defined by `onnx.Constant` or
/// `tosa.const`, or of any empty tensor; null otherwise.
mlir::ElementsAttr getConstantAttr(mlir::Value v);

/// Reads a constant integer tensor (dense or dense_resource; unsigned types
/// zero-extended); std::nullopt otherwise.
std::optional<llvm::SmallVector<int64_t>> getConstantInts(mlir::Value v);

/// Reads a constant f32 tensor defined by `onnx.Constant` or `tosa.const`
/// (dense or dense_resource). std::nullopt if `v` is not such a constant.
std::optional<llvm::SmallVector<float>> getConstantFloats(mlir::Value v);

/// Reads a constant numeric tensor of any integer or float element type as
/// doubles (for scalar parameters such as Range's limits); std::nullopt if
/// `v` is not such a constant.
std::optional<llvm::SmallVector<double>> getConstantDoubles(mlir::Value v);

/// Creates an `onnx.Constant` f32 tensor. Tensors larger than a few elements
/// are stored as dense_resource blobs named after `blobName` (uniqued), like
/// the importer's initializers.
mlir::Value createFloatConstant(mlir::OpBuilder &b, mlir::Location loc,
                                llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<float> values,
                                llvm::StringRef blobName);

/// Creates an `onnx.Constant` of `type` from its dense row-major bytes (bool:
/// one byte per element). Tensors larger than a few elements are stored as
/// dense_resource blobs named after `blobName` (uniqued).
mlir::Value createConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::RankedTensorType type,
                           llvm::ArrayRef<char> data, llvm::StringRef blobName);

/// The ONNX node name carried by an op's location ("" if it has none).
std::string getNodeName(mlir::Location loc);

/// A location for an op derived from node `loc`: the node name gets `suffix`
/// (e.g. "conv_3" -> "conv_3/depthwise"); file and op type are kept.
mlir::Location deriveNodeLoc(mlir::Location loc, llvm::StringRef suffix);

} // namespace whittle

#endif // WHITTLE_DIALECT_ONNX_IR_ONNXUTILS_H
