//===- Pipelines.h - whittle compilation pipelines --------------*- C++ -*-===//
//
// Part of whittle. The pipeline from the onnx dialect to the LLVM dialect as
// library functions, so the driver, whittle-opt and lit tests run the very
// same pass lists.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_PIPELINES_PIPELINES_H
#define WHITTLE_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace whittle {

/// Points at which compilation can stop, in pipeline order. `Loops` is the
/// last level shared by the object and the C paths.
enum class Phase { ONNX, TOSA, Linalg, Loops, LLVM };

std::optional<Phase> parsePhase(llvm::StringRef name);

struct PipelineOptions {
  /// Prefix of the generated entry point (`NAME_run`).
  std::string name = "model";
  /// onnx-decompose-conv: rank for every eligible convolution (0: only those
  /// carrying a whittle.decompose_rank attribute), and node names to skip.
  int64_t decomposeRank = 0;
  std::vector<std::string> decomposeSkip;
  /// Graph optimizations (BatchNorm and Pad folding, transpose sinking,
  /// in-place elementwise kernels); off only to measure what they bring.
  bool graphOptimizations = true;
  /// onnx-fold-constants (needed by models that compute shapes); off only
  /// for the JIT pipeline that pass itself runs constant subgraphs with.
  bool foldConstants = true;
  /// The target has no FPU: whittle-expand-math also expands sqrt and
  /// IEEE min/max, which would otherwise become libm calls.
  bool softFloat = false;
  /// Bit width of index arithmetic in the LLVM dialect; 0 keeps MLIR's 64.
  /// The pointer width of 32-bit targets.
  unsigned indexBitwidth = 0;
  /// whittle-vectorize-kernels: vector register width in bits (0: scalar
  /// loops, as the C output keeps) and vector register count.
  int64_t vectorBits = 0;
  int64_t vectorRegisters = 16;
  /// whittle-vectorize-kernels: the int8 dot-product instruction, if any.
  std::string dot;
  /// whittle-vectorize-kernels: 1/x by estimate and Newton step (AVX-512).
  bool reciprocal = false;
  /// whittle-vectorize-kernels: Armv7E-M DSP int8 kernels (Cortex-M4/M7/M33).
  bool dsp = false;
  /// whittle-expand-math expands i64 division (32-bit targets' objects).
  bool divideI64 = false;
  /// whittle-expand-math keeps f32 floor, ceil and roundeven: the target
  /// rounds in one instruction (x86 SSE4.1 roundps, AArch64 frint).
  bool nativeRounding = false;
};

/// Graph clean-up on the onnx dialect (constant, BatchNorm and Pad folding): the
/// start of the TOSA phase, also run by the driver before measuring layers.
void buildGraphCleanupPipeline(mlir::OpPassManager &pm,
                               const PipelineOptions &options);

/// Appends the passes that take a module from `from` to `to` (exclusive of
/// `from`'s own passes, inclusive of `to`'s).
mlir::LogicalResult buildPipeline(mlir::OpPassManager &pm, Phase from,
                                  Phase to, const PipelineOptions &options);

/// Registers `whittle-onnx-to-tosa`, `whittle-tosa-to-linalg`,
/// `whittle-linalg-to-loops`, `whittle-loops-to-llvm` and `whittle-compile`.
void registerPipelines();

} // namespace whittle

#endif // WHITTLE_PIPELINES_PIPELINES_H
