//===- ConvDecomposition.cpp - Depthwise-separable conv factors -----------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/Transforms/ConvDecomposition.h"
#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace mlir;

namespace whittle {

std::string whyNotDecomposable(onnx::ConvOp op) {
  auto x = llvm::dyn_cast<RankedTensorType>(op.getX().getType());
  auto w = llvm::dyn_cast<RankedTensorType>(op.getW().getType());
  auto y = llvm::dyn_cast<RankedTensorType>(op.getY().getType());
  if (!x || !w || !y || !x.hasStaticShape() || !w.hasStaticShape() ||
      !y.hasStaticShape())
    return "shapes are not static";
  if (!w.getElementType().isF32())
    return "weights are not f32";
  if (op.getGroup() != 1)
    return "grouped convolution";
  if (w.getRank() != 3 && w.getRank() != 4)
    return "only 1-D and 2-D convolutions are decomposed";
  if (w.getNumElements() / (w.getDimSize(0) * w.getDimSize(1)) <= 1)
    return "1x1 kernel";
  if (!getConstantFloats(op.getW()))
    return "weights are not constant";
  if (op.getB() && !getConstantFloats(op.getB()))
    return "bias is not constant";
  return "";
}

ConvGeometry ConvGeometry::of(onnx::ConvOp op) {
  auto w = llvm::cast<RankedTensorType>(op.getW().getType());
  auto y = llvm::cast<RankedTensorType>(op.getY().getType());
  ConvGeometry g;
  g.cout = w.getDimSize(0);
  g.cin = w.getDimSize(1);
  g.kernelSize = w.getNumElements() / (g.cout * g.cin);
  g.batch = y.getDimSize(0);
  g.outPositions = y.getNumElements() / (g.batch * g.cout);
  g.hasBias = static_cast<bool>(op.getB());
  return g;
}

ConvCost ConvGeometry::original() const {
  return {batch * outPositions * cout * cin * kernelSize,
          cout * cin * kernelSize + (hasBias ? cout : 0)};
}

ConvCost ConvGeometry::separable(int64_t rank) const {
  int64_t mid = cin * rank;
  return {batch * outPositions * (mid * kernelSize + mid * cout),
          mid * kernelSize + mid * cout + (hasBias ? cout : 0)};
}

/// Eigen-decomposition of a symmetric n x n matrix `a` (row-major, destroyed)
/// by cyclic Jacobi rotations. Returns eigenvalues descending; `vecs` gets
/// the matching eigenvectors as columns. Deterministic: same input, same
/// factors, hence byte-identical compiler output.
static std::vector<double> symmetricEigen(std::vector<double> a, int64_t n,
                                          std::vector<double> &vecs) {
  std::vector<double> v(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    v[i * n + i] = 1.0;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0, diag = 0.0;
    for (int64_t p = 0; p < n; ++p) {
      diag += a[p * n + p] * a[p * n + p];
      for (int64_t q = p + 1; q < n; ++q)
        off += a[p * n + q] * a[p * n + q];
    }
    if (off <= 1e-30 * diag || off == 0.0)
      break;
    for (int64_t p = 0; p < n; ++p)
      for (int64_t q = p + 1; q < n; ++q) {
        double apq = a[p * n + q];
        if (apq == 0.0)
          continue;
        double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
        double t = (theta >= 0 ? 1.0 : -1.0) /
                   (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
        double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (int64_t k = 0; k < n; ++k) {
          double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (int64_t k = 0; k < n; ++k) {
          double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (int64_t k = 0; k < n; ++k) {
          double vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t i, int64_t j) {
    double di = a[i * n + i], dj = a[j * n + j];
    return di != dj ? di > dj : i < j;
  });
  std::vector<double> values(n);
  vecs.assign(n * n, 0.0);
  for (int64_t j = 0; j < n; ++j) {
    int64_t src = order[j];
    values[j] = std::max(0.0, a[src * n + src]);
    // Fix the sign so the largest component is positive.
    double big = 0.0;
    for (int64_t k = 0; k < n; ++k)
      if (std::fabs(v[k * n + src]) > std::fabs(big))
        big = v[k * n + src];
    double sign = big < 0 ? -1.0 : 1.0;
    for (int64_t k = 0; k < n; ++k)
      vecs[k * n + j] = sign * v[k * n + src];
  }
  return values;
}

ConvFilterFactors ConvFilterFactors::compute(onnx::ConvOp op) {
  ConvFilterFactors f;
  f.geom = ConvGeometry::of(op);
  const ConvGeometry &g = f.geom;
  SmallVector<float> w = *getConstantFloats(op.getW());
  int64_t K = g.kernelSize;
  f.v.resize(g.cin);
  f.us.resize(g.cin);
  f.sigma2.resize(g.cin);
  for (int64_t i = 0; i < g.cin; ++i) {
    // M_i[o, k] = W[o, i, k]; Gram matrix G = M^T M (K x K).
    auto m = [&](int64_t o, int64_t k) {
      return (double)w[(o * g.cin + i) * K + k];
    };
    std::vector<double> gram(K * K, 0.0);
    for (int64_t p = 0; p < K; ++p)
      for (int64_t q = p; q < K; ++q) {
        double s = 0.0;
        for (int64_t o = 0; o < g.cout; ++o)
          s += m(o, p) * m(o, q);
        gram[p * K + q] = gram[q * K + p] = s;
      }
    f.sigma2[i] = symmetricEigen(gram, K, f.v[i]);
    // US = M V.
    f.us[i].assign(g.cout * K, 0.0);
    for (int64_t o = 0; o < g.cout; ++o)
      for (int64_t j = 0; j < K; ++j) {
        double s = 0.0;
        for (int64_t k = 0; k < K; ++k)
          s += m(o, k) * f.v[i][k * K + j];
        f.us[i][o * K + j] = s;
      }
  }
  return f;
}

std::vector<float> ConvFilterFactors::depthwise(int64_t rank) const {
  int64_t K = geom.kernelSize;
  std::vector<float> out(geom.cin * rank * K);
  for (int64_t i = 0; i < geom.cin; ++i)
    for (int64_t j = 0; j < rank; ++j)
      for (int64_t k = 0; k < K; ++k)
        out[(i * rank + j) * K + k] = (float)v[i][k * K + j];
  return out;
}

std::vector<float> ConvFilterFactors::pointwise(int64_t rank) const {
  int64_t K = geom.kernelSize, mid = geom.cin * rank;
  std::vector<float> out(geom.cout * mid);
  for (int64_t o = 0; o < geom.cout; ++o)
    for (int64_t i = 0; i < geom.cin; ++i)
      for (int64_t j = 0; j < rank; ++j)
        out[o * mid + i * rank + j] = (float)us[i][o * K + j];
  return out;
}

double ConvFilterFactors::filterError(int64_t rank) const {
  double total = 0.0, dropped = 0.0;
  for (const auto &s : sigma2)
    for (size_t j = 0; j < s.size(); ++j) {
      total += s[j];
      if ((int64_t)j >= rank)
        dropped += s[j];
    }
  return total > 0 ? std::sqrt(dropped / total) : 0.0;
}

Value buildSeparableConv(OpBuilder &b, onnx::ConvOp op,
                         const ConvFilterFactors &factors, int64_t rank) {
  ConvGeometry g = ConvGeometry::of(op);
  rank = std::clamp<int64_t>(rank, 1, g.maxRank());
  auto w = llvm::cast<RankedTensorType>(op.getW().getType());
  auto y = llvm::cast<RankedTensorType>(op.getY().getType());
  int64_t spatial = w.getRank() - 2;
  int64_t mid = g.cin * rank;
  std::string node = getNodeName(op.getLoc());
  std::string base = node.empty() ? std::string("conv") : node;
  Location dwLoc = deriveNodeLoc(op.getLoc(), "/depthwise");
  Location pwLoc = deriveNodeLoc(op.getLoc(), "/pointwise");

  SmallVector<int64_t> dwShape{mid, 1};
  dwShape.append(w.getShape().begin() + 2, w.getShape().end());
  Value dwW = createFloatConstant(b, dwLoc, dwShape, factors.depthwise(rank),
                                  base + "_dw");
  SmallVector<int64_t> midShape(y.getShape());
  midShape[1] = mid;
  auto midType = RankedTensorType::get(midShape, y.getElementType());
  auto dw = onnx::ConvOp::create(
      b, dwLoc, midType, op.getX(), dwW, Value(), op.getAutoPadAttr(),
      op.getDilationsAttr(), b.getI64IntegerAttr(g.cin),
      op.getKernelShapeAttr(), op.getPadsAttr(), op.getStridesAttr());

  SmallVector<int64_t> pwShape{g.cout, mid};
  pwShape.append(spatial, 1);
  Value pwW = createFloatConstant(b, pwLoc, pwShape, factors.pointwise(rank),
                                  base + "_pw");
  auto pw = onnx::ConvOp::create(b, pwLoc, y, dw.getY(), pwW, op.getB(),
                                 b.getStringAttr("NOTSET"), ArrayAttr(),
                                 b.getI64IntegerAttr(1), ArrayAttr(),
                                 ArrayAttr(), ArrayAttr());
  return pw.getY();
}

} // namespace whittle
