//===- ONNXDialect.cpp - ONNX import dialect ------------------------------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXOps.h"

using namespace mlir;
using namespace whittle::onnx;

#include "whittle/Dialect/ONNX/IR/ONNXOpsDialect.cpp.inc"

void ONNXDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "whittle/Dialect/ONNX/IR/ONNXOps.cpp.inc"
      >();
}

Operation *ONNXDialect::materializeConstant(OpBuilder &builder,
                                            Attribute value, Type type,
                                            Location loc) {
  auto elements = llvm::dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
