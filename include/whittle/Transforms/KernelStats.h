//===- KernelStats.h - What the generated code is made of -------*- C++ -*-===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_TRANSFORMS_KERNELSTATS_H
#define WHITTLE_TRANSFORMS_KERNELSTATS_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace whittle {

/// Read off a module at the loops level (after whittle-plan-arena).
struct KernelStats {
  /// Top-level loop nests of the model function: one per kernel.
  int64_t kernels = 0;
  /// Kernels that only move data (no arithmetic on the elements: copies,
  /// transposes, padding), and those among them that copy with unchanged
  /// indices (what a reshape as a copy would be).
  int64_t dataMovementKernels = 0;
  int64_t identityCopyKernels = 0;
  /// Planned arena and constant data (weights), in bytes.
  int64_t arenaBytes = 0;
  int64_t weightBytes = 0;
  /// The arena's lower bound for the execution order, and the ONNX node
  /// where the live bytes peak.
  int64_t arenaLowerBound = 0;
  std::string arenaPeak;
};

KernelStats collectKernelStats(mlir::ModuleOp module);

} // namespace whittle

#endif // WHITTLE_TRANSFORMS_KERNELSTATS_H
