//===- FoldBatchNorm.cpp - onnx-fold-batchnorm ----------------------------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Dialect/ONNX/Transforms/Passes.h"

#include <cmath>

namespace whittle {
#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "whittle/Dialect/ONNX/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace whittle {
namespace {

/// The per-channel affine map of an inference BatchNormalization.
struct Affine {
  SmallVector<float> scale, shift;
};

std::optional<Affine> affineOf(onnx::BatchNormalizationOp bn) {
  if (bn.getTrainingMode() != 0)
    return std::nullopt;
  auto gamma = getConstantFloats(bn.getScale());
  auto beta = getConstantFloats(bn.getB());
  auto mean = getConstantFloats(bn.getInputMean());
  auto var = getConstantFloats(bn.getInputVar());
  auto x = llvm::dyn_cast<RankedTensorType>(bn.getX().getType());
  if (!gamma || !beta || !mean || !var || !x || !x.getElementType().isF32() ||
      x.getRank() < 2 || x.isDynamicDim(1))
    return std::nullopt;
  size_t c = x.getDimSize(1);
  if (gamma->size() != c || beta->size() != c || mean->size() != c ||
      var->size() != c)
    return std::nullopt;
  Affine a;
  double eps = bn.getEpsilon().convertToDouble();
  for (size_t i = 0; i < c; ++i) {
    double s = (*gamma)[i] / std::sqrt((double)(*var)[i] + eps);
    a.scale.push_back((float)s);
    a.shift.push_back((float)((*beta)[i] - s * (*mean)[i]));
  }
  return a;
}

/// Bias after the fold: s * b + shift (b = 0 without a bias).
SmallVector<float> foldedBias(const Affine &a, Value bias) {
  SmallVector<float> b(a.scale.size(), 0.0f);
  if (bias)
    b = *getConstantFloats(bias);
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = (float)((double)a.scale[i] * b[i] + a.shift[i]);
  return b;
}

bool constantOrAbsent(Value v) { return !v || getConstantFloats(v); }

std::string blobName(Operation *op, StringRef what) {
  std::string node = getNodeName(op->getLoc());
  return (node.empty() ? std::string("bn") : node) + "_" + what.str();
}

/// Gives a Conv or ConvTranspose new constant weights and a bias of `m`.
template <typename ConvLike>
void replaceWeightsAndBias(ConvLike conv, ArrayRef<float> w, int64_t m,
                           ArrayRef<float> bias, OpBuilder &b) {
  auto wt = llvm::cast<RankedTensorType>(conv.getW().getType());
  b.setInsertionPoint(conv);
  conv.getWMutable().assign(createFloatConstant(
      b, conv.getW().getLoc(), wt.getShape(), w, blobName(conv, "w")));
  Value bv = createFloatConstant(b, conv.getLoc(), {m}, bias,
                                 blobName(conv, "b"));
  if (conv.getB())
    conv.getBMutable().assign(bv);
  else
    conv.getBMutable().append(bv);
}

/// Conv: W[o, ...] *= s[o].
LogicalResult foldIntoConv(onnx::ConvOp conv, const Affine &a, OpBuilder &b) {
  auto w = getConstantFloats(conv.getW());
  if (!w || !constantOrAbsent(conv.getB()))
    return failure();
  auto wt = llvm::cast<RankedTensorType>(conv.getW().getType());
  int64_t m = wt.getDimSize(0), per = wt.getNumElements() / m;
  for (int64_t o = 0; o < m; ++o)
    for (int64_t i = 0; i < per; ++i)
      (*w)[o * per + i] *= a.scale[o];
  replaceWeightsAndBias(conv, *w, m, foldedBias(a, conv.getB()), b);
  return success();
}

/// ConvTranspose: W is [C, M/group, k...]; output channel o = g*(M/g) + j.
LogicalResult foldIntoConvTranspose(onnx::ConvTransposeOp conv,
                                    const Affine &a, OpBuilder &b) {
  auto w = getConstantFloats(conv.getW());
  if (!w || !constantOrAbsent(conv.getB()))
    return failure();
  auto wt = llvm::cast<RankedTensorType>(conv.getW().getType());
  int64_t c = wt.getDimSize(0), mg = wt.getDimSize(1);
  int64_t group = conv.getGroup(), cg = c / group;
  int64_t per = wt.getNumElements() / (c * mg);
  for (int64_t ci = 0; ci < c; ++ci)
    for (int64_t j = 0; j < mg; ++j) {
      float s = a.scale[(ci / cg) * mg + j];
      for (int64_t i = 0; i < per; ++i)
        (*w)[(ci * mg + j) * per + i] *= s;
    }
  replaceWeightsAndBias(conv, *w, mg * group, foldedBias(a, conv.getB()), b);
  return success();
}

/// Gemm with a [N, K] / [K, N] constant B and a [N] (or absent) bias, 2-D
/// output [M, N] normalized over N.
LogicalResult foldIntoGemm(onnx::GemmOp gemm, const Affine &a, OpBuilder &b) {
  auto w = getConstantFloats(gemm.getB());
  if (!w)
    return failure();
  auto wt = llvm::cast<RankedTensorType>(gemm.getB().getType());
  int64_t n = a.scale.size();
  Value c = gemm.getC();
  SmallVector<float> bias(n, 0.0f);
  if (c) {
    auto ct = llvm::dyn_cast<RankedTensorType>(c.getType());
    auto cv = getConstantFloats(c);
    if (!cv || !ct || ct.getNumElements() != n || ct.getShape().back() != n)
      return failure();
    for (int64_t i = 0; i < n; ++i)
      bias[i] = gemm.getBeta().convertToFloat() * (*cv)[i];
  }
  bool transB = gemm.getTransB() != 0;
  int64_t rows = wt.getDimSize(0), cols = wt.getDimSize(1);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t q = 0; q < cols; ++q)
      (*w)[r * cols + q] *= a.scale[transB ? r : q];
  for (int64_t i = 0; i < n; ++i)
    bias[i] = a.scale[i] * bias[i] + a.shift[i];
  b.setInsertionPoint(gemm);
  gemm.getBMutable().assign(createFloatConstant(
      b, gemm.getB().getLoc(), wt.getShape(), *w, blobName(gemm, "w")));
  Value cNew = createFloatConstant(b, gemm.getLoc(), {n}, bias,
                                   blobName(gemm, "b"));
  if (c)
    gemm.getCMutable().assign(cNew);
  else
    gemm.getCMutable().append(cNew);
  gemm.setBetaAttr(b.getF32FloatAttr(1.0f));
  return success();
}

struct FoldBatchNormPass
    : public impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  void runOnOperation() override {
    SmallVector<onnx::BatchNormalizationOp> bns;
    getOperation().walk(
        [&](onnx::BatchNormalizationOp op) { bns.push_back(op); });
    for (onnx::BatchNormalizationOp bn : bns) {
      std::optional<Affine> a = affineOf(bn);
      if (!a)
        continue;
      OpBuilder b(bn);
      Value x = bn.getX();
      Operation *producer = x.getDefiningOp();
      bool folded = false;
      if (producer && x.hasOneUse() && x.getType() == bn.getY().getType()) {
        if (auto conv = llvm::dyn_cast<onnx::ConvOp>(producer))
          folded = succeeded(foldIntoConv(conv, *a, b));
        else if (auto ct = llvm::dyn_cast<onnx::ConvTransposeOp>(producer))
          folded = succeeded(foldIntoConvTranspose(ct, *a, b));
        else if (auto gemm = llvm::dyn_cast<onnx::GemmOp>(producer))
          folded = succeeded(foldIntoGemm(gemm, *a, b));
      }
      if (folded) {
        bn.getY().replaceAllUsesWith(x);
        bn.erase();
        continue;
      }
      // Standalone: x * s + shift, constants shaped [C, 1, ...] to
      // broadcast over the channel dimension.
      auto xt = llvm::cast<RankedTensorType>(x.getType());
      SmallVector<int64_t> shape{xt.getDimSize(1)};
      shape.append(xt.getRank() - 2, 1);
      b.setInsertionPoint(bn);
      Value s = createFloatConstant(b, bn.getLoc(), shape, a->scale,
                                    blobName(bn, "scale"));
      Value t = createFloatConstant(b, bn.getLoc(), shape, a->shift,
                                    blobName(bn, "shift"));
      Value mul = onnx::MulOp::create(b, bn.getLoc(), xt, x, s);
      Value add = onnx::AddOp::create(b, bn.getLoc(), bn.getY().getType(), mul, t);
      bn.getY().replaceAllUsesWith(add);
      bn.erase();
    }
  }
};

} // namespace
} // namespace whittle
