//===- ONNXOps.h - ONNX import dialect --------------------------*- C++ -*-===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_DIALECT_ONNX_IR_ONNXOPS_H
#define WHITTLE_DIALECT_ONNX_IR_ONNXOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "whittle/Dialect/ONNX/IR/ONNXOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "whittle/Dialect/ONNX/IR/ONNXOps.h.inc"

#endif // WHITTLE_DIALECT_ONNX_IR_ONNXOPS_H
