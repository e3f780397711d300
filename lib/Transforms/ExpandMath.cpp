//===- ExpandMath.cpp - Polynomial approximations instead of libm ---------===//
//
// Part of whittle. Generated code links against nothing, so every math op
// that would become a libm call is rewritten into arithmetic. Upstream
// expansions and polynomial approximations do most of the work; floor and fma
// are expanded here because they become libm calls on targets without the
// matching instructions (x86-64 baseline, Cortex-M0).
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace whittle {
#define GEN_PASS_DEF_EXPANDMATHPASS
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace {

/// fma(a, b, c) -> a * b + c.
struct ExpandFma : OpRewritePattern<math::FmaOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::FmaOp op,
                                PatternRewriter &rw) const override {
    Value m = arith::MulFOp::create(rw, op.getLoc(), op.getA(), op.getB());
    rw.replaceOpWithNewOp<arith::AddFOp>(op, m, op.getC());
    return success();
  }
};

/// floor(x) for f32 without undefined float->int conversions: values with
/// |x| >= 2^23 (and NaN, inf) are already integral and pass through.
struct ExpandFloor : OpRewritePattern<math::FloorOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::FloorOp op,
                                PatternRewriter &rw) const override {
    auto ft = llvm::dyn_cast<FloatType>(op.getType());
    if (!ft || !ft.isF32())
      return rw.notifyMatchFailure(op, "only scalar f32 is expanded");
    Location loc = op.getLoc();
    Value x = op.getOperand();
    Value limit = arith::ConstantOp::create(rw, loc, rw.getF32FloatAttr(8388608.0f));
    Value zero = arith::ConstantOp::create(rw, loc, rw.getF32FloatAttr(0.0f));
    Value one = arith::ConstantOp::create(rw, loc, rw.getF32FloatAttr(1.0f));
    Value ax = math::AbsFOp::create(rw, loc, x);
    // Ordered compare: false for NaN, so NaN takes the pass-through path.
    Value small =
        arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::OLT, ax, limit);
    Value safe = arith::SelectOp::create(rw, loc, small, x, zero);
    Value i = arith::FPToSIOp::create(rw, loc, rw.getI32Type(), safe);
    Value t = arith::SIToFPOp::create(rw, loc, rw.getF32Type(), i);
    Value above =
        arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::OGT, t, safe);
    Value tm1 = arith::SubFOp::create(rw, loc, t, one);
    Value fl = arith::SelectOp::create(rw, loc, above, tm1, t);
    rw.replaceOpWithNewOp<arith::SelectOp>(op, small, fl, x);
    return success();
  }
};

struct ExpandMathPass : whittle::impl::ExpandMathPassBase<ExpandMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    math::populateExpansionPatterns(patterns);
    populateMathF32ExpansionPatterns(patterns, [](StringRef) { return true; });
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef) { return true; });
    patterns.add<ExpandFma, ExpandFloor>(&getContext(), /*benefit=*/2);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
