//===- LowerMemRefCopy.cpp - memref.copy to loops -------------------------===//
//
// Part of whittle. `memref.copy` between non-contiguous memrefs lowers to a
// call of the `memrefCopy` runtime function; generated code has no runtime.
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/Passes.h"

#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

namespace whittle {
#define GEN_PASS_DEF_LOWERMEMREFCOPYPASS
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace {

struct LowerMemRefCopyPass
    : whittle::impl::LowerMemRefCopyPassBase<LowerMemRefCopyPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp op) { copies.push_back(op); });
    IRRewriter rw(&getContext());
    for (memref::CopyOp op : copies) {
      auto type = llvm::cast<MemRefType>(op.getSource().getType());
      Location loc = op.getLoc();
      rw.setInsertionPoint(op);
      SmallVector<Value> ivs;
      Value zero = arith::ConstantIndexOp::create(rw, loc, 0);
      Value one = arith::ConstantIndexOp::create(rw, loc, 1);
      // Dynamic extents (a tile clipped at a border) are read off the source.
      for (int64_t i = 0; i < type.getRank(); ++i) {
        Value ub = type.isDynamicDim(i)
                       ? memref::DimOp::create(rw, loc, op.getSource(), i)
                             .getResult()
                       : arith::ConstantIndexOp::create(rw, loc,
                                                        type.getDimSize(i))
                             .getResult();
        auto loop = scf::ForOp::create(rw, loc, zero, ub, one);
        rw.setInsertionPointToStart(loop.getBody());
        ivs.push_back(loop.getInductionVar());
      }
      Value v = memref::LoadOp::create(rw, loc, op.getSource(), ivs);
      memref::StoreOp::create(rw, loc, v, op.getTarget(), ivs);
      rw.eraseOp(op);
    }
  }
};

} // namespace
