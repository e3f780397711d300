//===- DecomposeConv.cpp - onnx-decompose-conv ----------------------------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Dialect/ONNX/Transforms/ConvDecomposition.h"
#include "whittle/Dialect/ONNX/Transforms/Passes.h"

#include "llvm/ADT/StringSet.h"

namespace whittle {
#define GEN_PASS_DEF_DECOMPOSECONVPASS
#include "whittle/Dialect/ONNX/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace whittle {
namespace {

struct DecomposeConvPass
    : public impl::DecomposeConvPassBase<DecomposeConvPass> {
  using DecomposeConvPassBase::DecomposeConvPassBase;

  void runOnOperation() override {
    if (rank < 0) {
      emitError(getOperation().getLoc())
          << "onnx-decompose-conv: rank must be >= 0, got " << rank;
      return signalPassFailure();
    }
    llvm::StringSet<> skipped;
    for (const std::string &s : skip)
      skipped.insert(s);

    SmallVector<onnx::ConvOp> convs;
    getOperation().walk([&](onnx::ConvOp op) { convs.push_back(op); });
    bool failedAny = false;
    for (onnx::ConvOp op : convs) {
      int64_t r = rank;
      auto attr = op->getAttrOfType<IntegerAttr>(kDecomposeRankAttr);
      if (attr) {
        r = attr.getInt();
        if (r < 0) {
          op.emitError() << kDecomposeRankAttr << " must be >= 0, got " << r;
          failedAny = true;
          continue;
        }
      }
      if (r == 0 || skipped.contains(getNodeName(op.getLoc())))
        continue;
      std::string why = whyNotDecomposable(op);
      if (!why.empty()) {
        // An explicit per-layer request must not be dropped silently; the
        // global rank only applies where it can.
        if (attr) {
          op.emitError() << "cannot decompose into depthwise-separable form: "
                         << why;
          failedAny = true;
        }
        continue;
      }
      OpBuilder b(op);
      ConvFilterFactors factors = ConvFilterFactors::compute(op);
      Value y = buildSeparableConv(b, op, factors, r);
      op.getY().replaceAllUsesWith(y);
      op.erase();
    }
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace
} // namespace whittle
