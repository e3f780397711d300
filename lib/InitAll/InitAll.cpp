//===- InitAll.cpp - Register every whittle dialect and pass --------------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/InitAll.h"
#include "whittle/Conversion/Passes.h"
#include "whittle/Dialect/ONNX/IR/ONNXOps.h"
#include "whittle/Dialect/ONNX/Transforms/Passes.h"
#include "whittle/Pipelines/Pipelines.h"
#include "whittle/Transforms/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"

namespace whittle {

void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<onnx::ONNXDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
}

void registerAllPasses() {
  mlir::registerAllPasses();
  registerWhittleONNXTransformsPasses();
  registerWhittleConversionPasses();
  registerWhittleTransformsPasses();
  registerPipelines();
}

} // namespace whittle
