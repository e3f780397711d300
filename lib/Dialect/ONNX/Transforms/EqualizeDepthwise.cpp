//===- EqualizeDepthwise.cpp - onnx-equalize-depthwise --------------------===//
//
// Part of whittle. Cross-layer equalization (Nagel et al., "Data-Free
// Quantization Through Weight Equalization and Bias Correction", 2019) for
// depthwise -> convolution pairs, before int8 quantization.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Dialect/ONNX/Transforms/Passes.h"

#include <cmath>

namespace whittle {
#define GEN_PASS_DEF_EQUALIZEDEPTHWISEPASS
#include "whittle/Dialect/ONNX/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace whittle {
namespace {

/// A depthwise Conv (weights [C, 1, k...], multiplier 1) with constant
/// weights and bias.
bool isDepthwise(onnx::ConvOp conv) {
  auto wt = llvm::cast<RankedTensorType>(conv.getW().getType());
  auto xt = llvm::cast<RankedTensorType>(conv.getX().getType());
  return conv.getGroup() > 1 && wt.getDimSize(1) == 1 &&
         wt.getDimSize(0) == xt.getDimSize(1) &&
         static_cast<int64_t>(conv.getGroup()) == xt.getDimSize(1) && getConstantFloats(conv.getW()) &&
         (!conv.getB() || getConstantFloats(conv.getB()));
}

struct EqualizeDepthwisePass
    : impl::EqualizeDepthwisePassBase<EqualizeDepthwisePass> {
  void runOnOperation() override {
    SmallVector<onnx::ConvOp> convs;
    getOperation().walk([&](onnx::ConvOp c) { convs.push_back(c); });
    OpBuilder b(&getContext());
    for (onnx::ConvOp d : convs) {
      if (!isDepthwise(d) || !d.getY().hasOneUse())
        continue;
      // The next layer, through at most one ReLU (relu(s x) = s relu(x)
      // for s > 0).
      Operation *user = *d.getY().getUsers().begin();
      if (llvm::isa<onnx::ReluOp>(user)) {
        if (!user->getResult(0).hasOneUse())
          continue;
        user = *user->getResult(0).getUsers().begin();
      }
      auto p = llvm::dyn_cast<onnx::ConvOp>(user);
      if (!p || p.getGroup() != 1 || !getConstantFloats(p.getW()))
        continue;
      auto wd = *getConstantFloats(d.getW());
      auto wp = *getConstantFloats(p.getW());
      auto dt = llvm::cast<RankedTensorType>(d.getW().getType());
      auto pt = llvm::cast<RankedTensorType>(p.getW().getType());
      int64_t c = dt.getDimSize(0), m = pt.getDimSize(0);
      if (pt.getDimSize(1) != c)
        continue;
      int64_t perD = dt.getNumElements() / c;
      int64_t perP = pt.getNumElements() / (m * c);
      // s_c = sqrt(r1_c / r2_c) makes both ranges sqrt(r1_c * r2_c).
      SmallVector<double> s(c, 1.0);
      for (int64_t ch = 0; ch < c; ++ch) {
        double r1 = 0, r2 = 0;
        for (int64_t i = 0; i < perD; ++i)
          r1 = std::max(r1, (double)std::fabs(wd[ch * perD + i]));
        for (int64_t o = 0; o < m; ++o)
          for (int64_t i = 0; i < perP; ++i)
            r2 = std::max(r2, (double)std::fabs(wp[(o * c + ch) * perP + i]));
        if (r1 > 0 && r2 > 0)
          s[ch] = std::sqrt(r1 / r2);
      }
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t i = 0; i < perD; ++i)
          wd[ch * perD + i] = (float)(wd[ch * perD + i] / s[ch]);
      for (int64_t o = 0; o < m; ++o)
        for (int64_t ch = 0; ch < c; ++ch)
          for (int64_t i = 0; i < perP; ++i)
            wp[(o * c + ch) * perP + i] =
                (float)(wp[(o * c + ch) * perP + i] * s[ch]);
      b.setInsertionPoint(d);
      std::string dn = getNodeName(d.getLoc()), pn = getNodeName(p.getLoc());
      d.getWMutable().assign(createFloatConstant(b, d.getLoc(), dt.getShape(),
                                                 wd, dn + ".eq.w"));
      if (d.getB()) {
        auto bd = *getConstantFloats(d.getB());
        for (int64_t ch = 0; ch < c; ++ch)
          bd[ch] = (float)(bd[ch] / s[ch]);
        d.getBMutable().assign(
            createFloatConstant(b, d.getLoc(), {c}, bd, dn + ".eq.b"));
      }
      b.setInsertionPoint(p);
      p.getWMutable().assign(createFloatConstant(b, p.getLoc(), pt.getShape(),
                                                 wp, pn + ".eq.w"));
    }
  }
};

} // namespace
} // namespace whittle
