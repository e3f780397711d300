//===- KernelStats.cpp - What the generated code is made of ---------------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/KernelStats.h"
#include "whittle/Transforms/Passes.h"

using namespace mlir;

namespace whittle {

namespace {

/// How a loop nest treats the elements it stores.
struct NestKind {
  bool computes = false;     // some stored value is computed, not loaded
  bool identityCopy = true;  // every store writes what a load at the same
                             // indices read
};

NestKind classify(Operation *nest) {
  NestKind kind;
  nest->walk([&](memref::StoreOp store) {
    auto load = store.getValue().getDefiningOp<memref::LoadOp>();
    if (!load) {
      // A constant store (padding fill) only moves data too.
      if (!store.getValue().getDefiningOp<arith::ConstantOp>())
        kind.computes = true;
      kind.identityCopy = false;
      return;
    }
    // Same indices into buffers of the same shape and layout: the copy a
    // reshape done by value would be (a pad's interior copy is not one).
    if (!llvm::equal(load.getIndices(), store.getIndices()) ||
        load.getMemRefType().getShape() != store.getMemRefType().getShape() ||
        load.getMemRefType().getLayout() != store.getMemRefType().getLayout())
      kind.identityCopy = false;
  });
  // Vector stores (whittle-vectorize-kernels) of anything but a vector
  // load or a constant compute.
  nest->walk([&](vector::StoreOp store) {
    kind.identityCopy = false;
    Value v = store.getValueToStore();
    if (!v.getDefiningOp<vector::LoadOp>() &&
        !v.getDefiningOp<arith::ConstantOp>())
      kind.computes = true;
  });
  // Arithmetic on element values that is not index computation.
  nest->walk([&](Operation *op) {
    if (op->getNumResults() == 1 && !op->getResult(0).getType().isIndex() &&
        !llvm::isa<memref::LoadOp, arith::ConstantOp, memref::SubViewOp,
                   memref::ViewOp, memref::ReinterpretCastOp>(op) &&
        (llvm::isa<arith::ArithDialect, math::MathDialect>(op->getDialect()) ||
         llvm::isa<vector::FMAOp, LLVM::CallIntrinsicOp>(op)))
      kind.computes = true;
  });
  return kind;
}

} // namespace

KernelStats collectKernelStats(ModuleOp module) {
  KernelStats stats;
  module.walk([&](func::FuncOp func) {
    if (func.isExternal())
      return;
    if (auto a = func->getAttrOfType<IntegerAttr>(kArenaSizeAttr))
      stats.arenaBytes += a.getInt();
    if (auto a = func->getAttrOfType<IntegerAttr>(kArenaLowerBoundAttr))
      stats.arenaLowerBound += a.getInt();
    if (auto a = func->getAttrOfType<StringAttr>(kArenaPeakAttr))
      stats.arenaPeak = a.str();
    for (Operation &op : func.getBody().getOps()) {
      if (!llvm::isa<LoopLikeOpInterface>(op))
        continue;
      ++stats.kernels;
      NestKind kind = classify(&op);
      if (!kind.computes) {
        ++stats.dataMovementKernels;
        if (kind.identityCopy)
          ++stats.identityCopyKernels;
      }
    }
  });
  module.walk([&](memref::GlobalOp global) {
    if (!global.getConstant())
      return;
    MemRefType type = global.getType();
    stats.weightBytes +=
        type.getNumElements() *
        static_cast<int64_t>((type.getElementTypeBitWidth() + 7) / 8);
  });
  return stats;
}

} // namespace whittle
