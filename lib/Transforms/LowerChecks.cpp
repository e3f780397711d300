//===- LowerChecks.cpp - run-time checks to a status result ---------------===//
//
// Part of whittle. See RuntimeStatus.h for what the checks guard and
// Passes.td for the rewrite.
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/Passes.h"
#include "whittle/Transforms/RuntimeStatus.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

namespace whittle {
#define GEN_PASS_DEF_LOWERCHECKSPASS
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace {

struct LowerChecksPass : whittle::impl::LowerChecksPassBase<LowerChecksPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(lower(func)))
        return signalPassFailure();
  }

  LogicalResult lower(func::FuncOp func) {
    if (func.isExternal())
      return success();
    Block &entry = func.getBody().front();
    SmallVector<cf::AssertOp> checks;
    WalkResult walk = func.walk([&](cf::AssertOp check) {
      if (!check->hasAttr(whittle::kStatusAttr))
        return WalkResult::advance();
      if (check->getBlock() != &entry) {
        check.emitError("run-time check inside a loop or branch");
        return WalkResult::interrupt();
      }
      checks.push_back(check);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    if (checks.empty())
      return success();
    if (func.getNumResults() != 0 ||
        !llvm::isa<func::ReturnOp>(entry.getTerminator()))
      return func.emitError("run-time checks need a model function that "
                            "returns through out-parameters");
    OpBuilder b(&getContext());
    Type i32 = b.getI32Type();
    b.setInsertionPointToStart(&entry);
    Value status = arith::ConstantOp::create(b, func.getLoc(),
                                             b.getI32IntegerAttr(0));
    Value zero = status;
    for (cf::AssertOp check : checks) {
      b.setInsertionPoint(check);
      Location loc = check.getLoc();
      auto code = check->getAttrOfType<IntegerAttr>(whittle::kStatusAttr);
      Value codeV = arith::ConstantOp::create(
          b, loc, b.getI32IntegerAttr(static_cast<int32_t>(code.getInt())));
      // The first failed check decides the status.
      Value clean =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, status, zero);
      Value failed = arith::XOrIOp::create(
          b, loc, check.getArg(),
          arith::ConstantOp::create(b, loc, b.getBoolAttr(true)));
      status = arith::SelectOp::create(
          b, loc, arith::AndIOp::create(b, loc, clean, failed), codeV, status);
      check.erase();
    }
    auto ret = llvm::cast<func::ReturnOp>(entry.getTerminator());
    ret->setOperands(ValueRange{status});
    func.setType(FunctionType::get(&getContext(),
                                   func.getFunctionType().getInputs(), {i32}));
    return success();
  }
};

} // namespace
