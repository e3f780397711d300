//===- FuseElementwise.cpp - elementwise fusion that never repeats work ---===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace whittle {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

/// Whether the producer of `operand` may be merged into its user: it has
/// no other use and, when the user reduces, the user reads each element it
/// produces once. A loop of the user that the operand's indexing map leaves
/// out would run the producer's body again for each of its iterations, and
/// so would a window (a pool or convolution written as a generic, whose
/// map adds a window loop to an output loop: one run per tap).
static bool fusable(OpOperand *operand) {
  Operation *producer = operand->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  auto consumer = llvm::dyn_cast<linalg::LinalgOp>(operand->getOwner());
  if (!consumer || !llvm::isa<linalg::LinalgOp>(producer) ||
      consumer.getNumReductionLoops() == 0)
    return true;
  AffineMap map = consumer.getMatchingIndexingMap(operand);
  if (!map.isProjectedPermutation(/*allowZeroInResults=*/true))
    return false;
  SmallVector<int64_t> ranges = consumer.getStaticLoopRanges();
  for (unsigned d = 0; d < map.getNumDims(); ++d)
    if (!map.isFunctionOfDim(d) && ranges[d] != 1)
      return false;
  return true;
}

namespace {

struct FuseElementwisePass
    : whittle::impl::FuseElementwisePassBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    linalg::ControlFusionFn control = fusable;
    // What linalg-fuse-elementwise-ops applies, under `fusable`.
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(
        patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    // Top-down, for compile time. Stopping short of a fixed point leaves
    // valid IR that is merely less fused, as upstream's pass accepts too.
    (void)applyPatternsGreedily(getOperation(), std::move(patterns),
                                GreedyRewriteConfig().setUseTopDownTraversal());
  }
};

} // namespace
