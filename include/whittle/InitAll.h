//===- InitAll.h - Register every whittle dialect and pass ------*- C++ -*-===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_INITALL_H
#define WHITTLE_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace whittle {

/// The onnx dialect plus every upstream dialect the pipeline goes through.
void registerAllDialects(mlir::DialectRegistry &registry);

/// whittle's passes and pipelines plus the upstream passes it uses.
void registerAllPasses();

} // namespace whittle

#endif // WHITTLE_INITALL_H
