//===- ElideOutputCopies.cpp - results computed in the output buffer ------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace whittle {
#define GEN_PASS_DEF_ELIDEOUTPUTCOPIESPASS
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace {

/// The reshapes from an allocation to `v`, outermost last, and the
/// allocation; null when `v` is not such a chain.
memref::AllocOp reshapeChain(Value v, SmallVectorImpl<Operation *> &chain) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto alloc = llvm::dyn_cast<memref::AllocOp>(def)) {
      std::reverse(chain.begin(), chain.end());
      return alloc;
    }
    if (!llvm::isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def))
      return nullptr;
    chain.push_back(def);
    v = def->getOperand(0);
  }
  return nullptr;
}

/// True if every use of `root`, through views, is in `block` before `end`
/// (or is `end` itself).
bool usedOnlyBefore(Value root, Operation *end) {
  Block *block = end->getBlock();
  SmallVector<Value> worklist{root};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (user == end)
        continue;
      Operation *top = block->findAncestorOpInBlock(*user);
      if (!top || !top->isBeforeInBlock(end) ||
          llvm::isa<memref::DeallocOp>(user))
        return false;
      if (llvm::isa<ViewLikeOpInterface>(user))
        for (Value r : user->getResults())
          worklist.push_back(r);
    }
  }
  return true;
}

/// Rewrites `copy(reshape(...(alloc)), out)` so that the allocation is a
/// view of `out`; returns false when that is not safe.
bool elide(RewriterBase &rw, memref::CopyOp copy, func::FuncOp func) {
  auto out = llvm::dyn_cast<BlockArgument>(copy.getTarget());
  if (!out || out.getOwner() != &func.getBody().front() || !out.hasOneUse() ||
      copy->getBlock() != out.getOwner() ||
      !llvm::cast<MemRefType>(out.getType()).getLayout().isIdentity())
    return false;
  SmallVector<Operation *> chain;
  memref::AllocOp alloc = reshapeChain(copy.getSource(), chain);
  if (!alloc || chain.empty() || alloc->getBlock() != copy->getBlock() ||
      copy.getSource().getType() != out.getType() ||
      !usedOnlyBefore(alloc.getResult(), copy))
    return false;
  // Undo the reshapes on the out-parameter, innermost last; the allocation
  // then aliases the caller's buffer.
  rw.setInsertionPoint(alloc);
  Value view = out;
  for (Operation *reshape : llvm::reverse(chain)) {
    Location loc = reshape->getLoc();
    if (auto collapse = llvm::dyn_cast<memref::CollapseShapeOp>(reshape)) {
      auto type = llvm::cast<MemRefType>(collapse.getSrc().getType());
      view = memref::ExpandShapeOp::create(rw, loc, type.getShape(), view,
                                           collapse.getReassociationIndices())
                 .getResult();
    } else {
      auto expand = llvm::cast<memref::ExpandShapeOp>(reshape);
      view = memref::CollapseShapeOp::create(rw, loc, view,
                                             expand.getReassociationIndices())
                 .getResult();
    }
  }
  if (view.getType() != alloc.getType()) {
    // Layouts differ (a non-contiguous view): leave the copy.
    for (Value v = view; v != out;) {
      Operation *def = v.getDefiningOp();
      v = def->getOperand(0);
      rw.eraseOp(def);
    }
    return false;
  }
  rw.replaceAllUsesWith(alloc.getResult(), view);
  rw.eraseOp(alloc);
  rw.eraseOp(copy);
  return true;
}

struct ElideOutputCopiesPass
    : whittle::impl::ElideOutputCopiesPassBase<ElideOutputCopiesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<memref::CopyOp> copies;
    for (auto copy : func.getBody().front().getOps<memref::CopyOp>())
      copies.push_back(copy);
    IRRewriter rw(&getContext());
    for (memref::CopyOp copy : copies)
      (void)elide(rw, copy, func);
  }
};

} // namespace
