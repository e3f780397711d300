//===- Passes.h - graph passes on the onnx dialect --------------*- C++ -*-===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_DIALECT_ONNX_TRANSFORMS_PASSES_H
#define WHITTLE_DIALECT_ONNX_TRANSFORMS_PASSES_H

#include "whittle/Dialect/ONNX/IR/ONNXOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace whittle {

#define GEN_PASS_DECL
#include "whittle/Dialect/ONNX/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "whittle/Dialect/ONNX/Transforms/Passes.h.inc"

} // namespace whittle

#endif // WHITTLE_DIALECT_ONNX_TRANSFORMS_PASSES_H
