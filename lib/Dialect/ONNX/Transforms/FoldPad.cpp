//===- FoldPad.cpp - onnx-fold-pad ----------------------------------------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Dialect/ONNX/Transforms/Passes.h"

namespace whittle {
#define GEN_PASS_DEF_FOLDPADPASS
#include "whittle/Dialect/ONNX/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace whittle {
namespace {

/// The spatial pads of `pad` as [begin..., end...] (ONNX order), if it is a
/// zero-valued constant pad of the spatial dimensions only.
std::optional<SmallVector<int64_t>> spatialZeroPads(onnx::PadOp pad) {
  if (pad.getMode() != "constant" || pad.getAxes())
    return std::nullopt;
  auto type = llvm::dyn_cast<RankedTensorType>(pad.getData().getType());
  auto pads = getConstantInts(pad.getPads());
  if (!type || type.getRank() < 3 || !pads ||
      (int64_t)pads->size() != 2 * type.getRank())
    return std::nullopt;
  if (Value cv = pad.getConstantValue()) {
    auto value = getConstantFloats(cv);
    if (!value || llvm::any_of(*value, [](float f) { return f != 0.0f; }))
      return std::nullopt;
  }
  int64_t rank = type.getRank();
  SmallVector<int64_t> spatial;
  for (int64_t side = 0; side < 2; ++side)
    for (int64_t d = 0; d < rank; ++d) {
      int64_t p = (*pads)[side * rank + d];
      if (p < 0 || (d < 2 && p != 0))
        return std::nullopt;
      if (d >= 2)
        spatial.push_back(p);
    }
  return spatial;
}

/// Adds `extra` to the consumer's explicit pads attribute.
template <typename OpTy>
bool absorb(OpTy op, ArrayRef<int64_t> extra, Value input) {
  if (op.getAutoPad() != "NOTSET")
    return false;
  SmallVector<int64_t> pads(extra.size(), 0);
  if (auto attr = op.getPadsAttr()) {
    if (attr.size() != extra.size())
      return false;
    for (size_t i = 0; i < pads.size(); ++i)
      pads[i] = llvm::cast<IntegerAttr>(attr[i]).getInt();
  }
  for (size_t i = 0; i < pads.size(); ++i)
    pads[i] += extra[i];
  Builder b(op.getContext());
  op.setPadsAttr(b.getI64ArrayAttr(pads));
  op.getXMutable().assign(input);
  return true;
}

struct FoldPadPass : public impl::FoldPadPassBase<FoldPadPass> {
  void runOnOperation() override {
    SmallVector<onnx::PadOp> pads;
    getOperation().walk([&](onnx::PadOp op) { pads.push_back(op); });
    for (onnx::PadOp pad : pads) {
      if (!pad.getOutput().hasOneUse())
        continue;
      auto spatial = spatialZeroPads(pad);
      if (!spatial)
        continue;
      Operation *user = *pad.getOutput().getUsers().begin();
      bool folded = false;
      if (auto conv = llvm::dyn_cast<onnx::ConvOp>(user))
        folded = conv.getX() == pad.getOutput() &&
                 absorb(conv, *spatial, pad.getData());
      else if (auto pool = llvm::dyn_cast<onnx::AveragePoolOp>(user))
        folded = pool.getCountIncludePad() == 1 && pool.getCeilMode() == 0 &&
                 absorb(pool, *spatial, pad.getData());
      if (folded)
        pad.erase();
    }
  }
};

} // namespace
} // namespace whittle
