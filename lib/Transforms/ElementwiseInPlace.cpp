//===- ElementwiseInPlace.cpp - elementwise results in their input's buffer ===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace whittle {
#define GEN_PASS_DEF_ELEMENTWISEINPLACEPASS
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace {

/// An all-parallel linalg.generic whose init is a fresh tensor.empty and
/// which reads, at the identity index, an input of the result's type that
/// nothing else uses: the input becomes the init, so bufferization computes
/// the result in the input's buffer instead of a new one.
static bool reuseInput(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumResults() != 1 ||
      op.getNumReductionLoops() != 0)
    return false;
  OpOperand *init = op.getDpsInitOperand(0);
  if (!init->get().getDefiningOp<tensor::EmptyOp>() ||
      !op.getMatchingIndexingMap(init).isIdentity() ||
      op.payloadUsesValueFromOperand(init))
    return false;
  Type resultType = op.getResult(0).getType();
  for (OpOperand *input : op.getDpsInputOperands()) {
    Value v = input->get();
    if (v.getType() != resultType || !v.hasOneUse() ||
        !op.getMatchingIndexingMap(input).isIdentity() ||
        llvm::isa<BlockArgument>(v) || matchPattern(v, m_Constant()))
      continue;
    // Read through the input's block argument, write to the same element.
    init->set(v);
    return true;
  }
  return false;
}

struct ElementwiseInPlacePass
    : whittle::impl::ElementwiseInPlacePassBase<ElementwiseInPlacePass> {
  void runOnOperation() override {
    getOperation().walk([](linalg::GenericOp op) { (void)reuseInput(op); });
  }
};

} // namespace
