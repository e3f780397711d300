//===- CEmitter.h - Loop-level IR to freestanding C99 -----------*- C++ -*-===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_TARGET_C_CEMITTER_H
#define WHITTLE_TARGET_C_CEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace whittle {

struct CEmitOptions {
  /// Prefix of every public and private symbol (`NAME_run`).
  std::string name = "model";
  /// The header the translation unit includes (`NAME.h`).
  std::string headerName = "model.h";
  /// Section for the weights (GNU `section` attribute), empty for the
  /// compiler's default.
  std::string weightsSection;
};

/// Translates a module at the shared loop level (after whittle-plan-arena)
/// to one freestanding C99 translation unit.
mlir::LogicalResult translateToC(mlir::ModuleOp module,
                                 const CEmitOptions &options,
                                 llvm::raw_ostream &os);

} // namespace whittle

#endif // WHITTLE_TARGET_C_CEMITTER_H
