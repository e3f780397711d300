//===- TestInternalError.cpp - a pass that breaks on purpose --------------===//
//
// Part of whittle. Lets lit test what users see when a pass fails without
// telling them why, or crashes: one "internal compiler error" message and
// an MLIR crash reproducer.
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
    signalPassFailure();
  }
};

} // namespace
