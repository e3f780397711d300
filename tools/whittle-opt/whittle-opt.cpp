//===- whittle-opt.cpp - whittle's mlir-opt -------------------------------===//
//
// Part of whittle. Every whittle and upstream dialect and pass, for lit tests
// and for running any pipeline step by hand.
//
//===----------------------------------------------------------------------===//

#include "whittle/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  whittle::registerAllDialects(registry);
  whittle::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "whittle optimizer driver\n", registry));
}
