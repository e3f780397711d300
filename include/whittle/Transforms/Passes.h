//===- Passes.h - whittle lowering passes -----------------------*- C++ -*-===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_TRANSFORMS_PASSES_H
#define WHITTLE_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace whittle {

/// Name of the function attribute holding the planned arena size in bytes.
/// The ONNX node a location names (the importer's NameLoc, possibly inside
/// fused or call-site locations), or "".
std::string locationNodeName(mlir::Location loc);

inline constexpr llvm::StringLiteral kArenaSizeAttr = "whittle.arena_size";
/// The arena's lower bound for the execution order (the most bytes live at
/// once) and the ONNX node where that peak occurs.
inline constexpr llvm::StringLiteral kArenaLowerBoundAttr =
    "whittle.arena_lower_bound";
inline constexpr llvm::StringLiteral kArenaPeakAttr = "whittle.arena_peak";

/// Writes an all-parallel `op` whose init is a fresh tensor.empty over an
/// input of the result's type, read at the identity index, that nothing else
/// uses (other than `exclude`): bufferization then computes the result in
/// that input's buffer. Returns false if there is no such input.
bool reuseDyingInput(mlir::RewriterBase &rw, mlir::linalg::GenericOp op,
                     mlir::Value exclude = {});

#define GEN_PASS_DECL
#include "whittle/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

#endif // WHITTLE_TRANSFORMS_PASSES_H
