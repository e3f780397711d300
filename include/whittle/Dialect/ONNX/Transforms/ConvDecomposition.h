//===- ConvDecomposition.h - Depthwise-separable conv factors ---*- C++ -*-===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//
//
// The filter algebra behind `onnx-decompose-conv`, shared by the pass and by
// the driver's calibrated rank search (which builds candidate rewrites to
// measure them).
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_DIALECT_ONNX_TRANSFORMS_CONVDECOMPOSITION_H
#define WHITTLE_DIALECT_ONNX_TRANSFORMS_CONVDECOMPOSITION_H

#include "whittle/Dialect/ONNX/IR/ONNXOps.h"

#include "mlir/IR/Builders.h"

#include <string>
#include <vector>

namespace whittle {

/// Attribute on an onnx.Conv choosing its decomposition rank (0: keep).
inline constexpr llvm::StringLiteral kDecomposeRankAttr =
    "whittle.decompose_rank";

/// Why `op` cannot be decomposed, or "" if it can: group 1, constant f32
/// weights, static shapes, 1 or 2 spatial dimensions, kernel size above 1.
std::string whyNotDecomposable(onnx::ConvOp op);

/// Multiply-accumulates and weight+bias parameter counts of one convolution.
struct ConvCost {
  int64_t macs = 0;
  int64_t params = 0;
};

/// Shape facts of a decomposable convolution.
struct ConvGeometry {
  int64_t cout = 0, cin = 0;
  int64_t kernelSize = 0;   // product of the kernel dims
  int64_t outPositions = 0; // product of the output's spatial dims (batch 1)
  int64_t batch = 1;
  bool hasBias = false;

  static ConvGeometry of(onnx::ConvOp op);
  /// The largest useful rank, min(Cout, K): it makes the rewrite exact.
  int64_t maxRank() const { return std::min(cout, kernelSize); }
  ConvCost original() const;
  ConvCost separable(int64_t rank) const;
};

/// Per-input-channel singular value decomposition of a filter: computed once,
/// then truncated to any rank.
class ConvFilterFactors {
public:
  /// Requires whyNotDecomposable(op) to be empty.
  static ConvFilterFactors compute(onnx::ConvOp op);

  /// Depthwise weights [Cin*r, 1, k...] flattened; filter i*r+j is the j-th
  /// right singular vector of input channel i.
  std::vector<float> depthwise(int64_t rank) const;
  /// Pointwise weights [Cout, Cin*r, 1...] flattened: U_r S_r per channel.
  std::vector<float> pointwise(int64_t rank) const;
  /// Relative Frobenius error of the truncated filter, ||W - W_r|| / ||W||.
  double filterError(int64_t rank) const;

private:
  ConvGeometry geom;
  // v[i]: K x K right singular vectors of channel i (column j = vector j).
  std::vector<std::vector<double>> v;
  // us[i]: Cout x K, column j = M_i v_j = s_j u_j.
  std::vector<std::vector<double>> us;
  // Squared singular values per channel, descending.
  std::vector<std::vector<double>> sigma2;
};

/// Builds the depthwise + pointwise pair computing `op` at `rank` right
/// before it and returns the pointwise result. `op` itself is left in place.
mlir::Value buildSeparableConv(mlir::OpBuilder &b, onnx::ConvOp op,
                               const ConvFilterFactors &factors, int64_t rank);

} // namespace whittle

#endif // WHITTLE_DIALECT_ONNX_TRANSFORMS_CONVDECOMPOSITION_H
