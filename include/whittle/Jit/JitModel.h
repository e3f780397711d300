//===- JitModel.h - Running an onnx-level module in-process -----*- C++ -*-===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//
//
// Passes that need numbers (constant folding, the depthwise-separable
// rewrite's error search, int8 calibration) run code by JIT-compiling
// whittle's own pipeline output with MLIR's ExecutionEngine: the numbers are
// those of the generated code, not of a second interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_JIT_JITMODEL_H
#define WHITTLE_JIT_JITMODEL_H

#include "whittle/Target/Interface/ModelInterface.h"

#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <vector>

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace whittle {

/// The lowering JitModel runs on a module, spelled as users would paste it into
/// whittle-opt (registered by registerPipelines()). Constant folding is off:
/// the JIT runs constant subgraphs for onnx-fold-constants itself.
inline constexpr llvm::StringLiteral kJitPipeline =
    "whittle-compile{name=whittle_jit fold-constants=false}";

/// An onnx-dialect model compiled in-process to native code.
class JitModel {
public:
  /// Lowers a clone of `onnxModule` (whose `@main` is at the onnx level)
  /// through the whittle pipeline and JIT-compiles it. Diagnostics go to the
  /// context's handlers.
  /// `optimize` = false compiles without LLVM optimization: several times
  /// faster to build, several times slower to run.
  static std::unique_ptr<JitModel> compile(mlir::ModuleOp onnxModule,
                                           bool optimize = true);
  ~JitModel();

  const ModelInterface &interface() const { return model; }
  /// Runs once; buffers are the model's inputs and outputs in model order.
  mlir::LogicalResult run(llvm::ArrayRef<const void *> inputs,
                          llvm::ArrayRef<void *> outputs);

private:
  JitModel() = default;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  ModelInterface model;
  int32_t (*entry)(const void *const *, void *const *, void *) = nullptr;
  std::vector<uint64_t> arena; // 8-byte aligned; offset to 64 in `arenaBase`
  char *arenaBase = nullptr;
};

} // namespace whittle

#endif // WHITTLE_JIT_JITMODEL_H
