//===- ModelInterface.h - The generated API of a compiled model -*- C++ -*-===//
//
// Part of whittle. Describes a model's inputs, outputs and arena, and writes
// the C header that both the object and the C output ship with.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_TARGET_INTERFACE_MODELINTERFACE_H
#define WHITTLE_TARGET_INTERFACE_MODELINTERFACE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace whittle {

/// Function attribute on the model function: how many of its leading
/// arguments are graph inputs (the rest are outputs after bufferization).
inline constexpr llvm::StringLiteral kNumInputsAttr = "whittle.num_inputs";

/// Argument/result attributes of an int8 model input or output
/// (--io=int8): real = scale * (q - zero_point).
inline constexpr llvm::StringLiteral kScaleAttr = "whittle.scale";
inline constexpr llvm::StringLiteral kZeroPointAttr = "whittle.zero_point";
/// A signless integer argument/result that is the model's unsigned tensor
/// (uint8 bytes of onnx-signed-quant's int8 view, or any uint the lowering
/// made signless).
inline constexpr llvm::StringLiteral kUnsignedAttr = "whittle.unsigned";
/// On a string input or output: the bytes of each string slot (the last
/// dimension of its i8 tensor).
inline constexpr llvm::StringLiteral kStringBytesAttr = "whittle.string_bytes";

struct TensorInfo {
  std::string name;            ///< ONNX graph input/output name
  std::vector<int64_t> shape;  ///< static shape
  std::string elementType;     ///< ONNX-style name: float32, int64, ...
  int64_t bytes = 0;           ///< dense row-major size
  /// Quantization of an int8 input or output (--io=int8).
  std::optional<double> scale;
  std::optional<int64_t> zeroPoint;
  /// String tensors: bytes per string slot (0 otherwise).
  int64_t stringBytes = 0;
};

struct ModelInterface {
  std::vector<TensorInfo> inputs, outputs;
  int64_t arenaSize = 0;
  int64_t arenaAlignment = 64;
};

/// Reads inputs/outputs from the model function's signature (tensors or
/// memrefs with static shapes; names from `whittle.name` arg/result attrs).
mlir::FailureOr<ModelInterface> describeModel(mlir::func::FuncOp func);

/// True if `name` is usable as a C identifier prefix.
bool isValidCIdentifier(llvm::StringRef name);

/// Writes NAME.h: the macros and the NAME_run declaration.
void emitHeader(const ModelInterface &model, llvm::StringRef name,
                llvm::StringRef source, llvm::raw_ostream &os);

} // namespace whittle

#endif // WHITTLE_TARGET_INTERFACE_MODELINTERFACE_H
