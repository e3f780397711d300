//===- TestInternalError.cpp - a pass that breaks on purpose --------------===//
//
// Part of whittle. Lets lit test what users see when a pass fails without
// telling them why, or crashes: one "internal compiler error" message and
// an MLIR crash reproducer; or leaves invalid IR for the final verification.
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/Passes.h"

#include <cstdlib>

namespace whittle {
#define GEN_PASS_DEF_TESTINTERNALERRORPASS
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

namespace {

struct TestInternalErrorPass
    : whittle::impl::TestInternalErrorPassBase<TestInternalErrorPass> {
  using TestInternalErrorPassBase::TestInternalErrorPassBase;
  void runOnOperation() override {
    if (crash)
      std::abort();
    if (invalid) {
      // A function whose return disagrees with its type.
      mlir::ModuleOp module = getOperation();
      mlir::OpBuilder b = mlir::OpBuilder::atBlockEnd(module.getBody());
      auto f = mlir::func::FuncOp::create(
          b, module.getLoc(), "whittle_test_invalid",
          b.getFunctionType({}, {b.getI32Type()}));
      b.setInsertionPointToStart(f.addEntryBlock());
      mlir::func::ReturnOp::create(b, module.getLoc());
      return;
    }
    signalPassFailure();
  }
};

} // namespace
