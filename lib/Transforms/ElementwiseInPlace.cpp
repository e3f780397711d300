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

/// A constant, or a reshape of one: writing over it would make bufferization
/// copy the constant into a fresh buffer first, which costs a copy kernel and
/// saves no memory.
static bool isConstantView(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!llvm::isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
                   tensor::CastOp>(def))
      break;
    v = def->getOperand(0);
  }
  return matchPattern(v, m_Constant());
}

bool whittle::reuseDyingInput(RewriterBase &rw, linalg::GenericOp op,
                              Value exclude) {
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
    if (v == exclude || v.getType() != resultType || !v.hasOneUse() ||
        !op.getMatchingIndexingMap(input).isIdentity() ||
        llvm::isa<BlockArgument>(v) || isConstantView(v))
      continue;
    // Read through the input's block argument, write to the same element.
    rw.modifyOpInPlace(op, [&] { init->set(v); });
    return true;
  }
  return false;
}

namespace {

struct ElementwiseInPlacePass
    : whittle::impl::ElementwiseInPlacePassBase<ElementwiseInPlacePass> {
  void runOnOperation() override {
    IRRewriter rw(&getContext());
    getOperation().walk(
        [&](linalg::GenericOp op) { (void)whittle::reuseDyingInput(rw, op); });
  }
};

} // namespace
