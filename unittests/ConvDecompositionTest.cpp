//===- ConvDecompositionTest.cpp - SVD factors of conv filters ------------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Dialect/ONNX/Transforms/ConvDecomposition.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace mlir;

namespace {

/// A module with one 2-D conv whose weights are seeded random numbers.
struct ConvFixture {
  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
  whittle::onnx::ConvOp conv;
  std::vector<float> weights;
  int64_t cout = 6, cin = 3, k = 9;

  ConvFixture() {
    ctx.loadDialect<whittle::onnx::ONNXDialect, func::FuncDialect>();
    module = parseSourceString<ModuleOp>(R"(
      func.func @main(%x: tensor<1x3x5x5xf32>, %w0: tensor<6x3x3x3xf32>) -> tensor<1x6x3x3xf32> {
        %y = onnx.Conv %x, %w0 : (tensor<1x3x5x5xf32>, tensor<6x3x3x3xf32>) -> tensor<1x6x3x3xf32>
        return %y : tensor<1x6x3x3xf32>
      })",
                                         &ctx);
    conv = *module->lookupSymbol<func::FuncOp>("main").getOps<whittle::onnx::ConvOp>().begin();
    std::mt19937 rng(7);
    std::normal_distribution<float> normal;
    for (int64_t i = 0; i < cout * cin * k; ++i)
      weights.push_back(normal(rng));
    OpBuilder b(conv);
    Value w = whittle::createFloatConstant(b, conv.getLoc(), {cout, cin, 3, 3},
                                           weights, "w");
    conv->setOperand(1, w);
  }

  /// W reconstructed from the factors at `rank`.
  std::vector<double> reconstruct(const whittle::ConvFilterFactors &f,
                                  int64_t rank) {
    std::vector<float> dw = f.depthwise(rank), pw = f.pointwise(rank);
    std::vector<double> w(cout * cin * k, 0.0);
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t i = 0; i < cin; ++i)
        for (int64_t j = 0; j < rank; ++j)
          for (int64_t t = 0; t < k; ++t)
            w[(o * cin + i) * k + t] += (double)pw[o * cin * rank + i * rank + j] *
                                        dw[(i * rank + j) * k + t];
    return w;
  }
};

TEST(ConvDecomposition, ExactAtFullRankAndMonotone) {
  ConvFixture fx;
  ASSERT_EQ(whittle::whyNotDecomposable(fx.conv), "");
  whittle::ConvGeometry g = whittle::ConvGeometry::of(fx.conv);
  EXPECT_EQ(g.maxRank(), 6); // min(Cout = 6, K = 9)
  auto factors = whittle::ConvFilterFactors::compute(fx.conv);
  std::vector<double> full = fx.reconstruct(factors, g.maxRank());
  double maxErr = 0;
  for (size_t i = 0; i < full.size(); ++i)
    maxErr = std::max(maxErr, std::fabs(full[i] - fx.weights[i]));
  EXPECT_LT(maxErr, 1e-5);
  EXPECT_LT(factors.filterError(g.maxRank()), 1e-6);

  // Truncation error matches the reconstruction and shrinks with the rank.
  double previous = 2.0;
  for (int64_t r = 1; r <= g.maxRank(); ++r) {
    std::vector<double> w = fx.reconstruct(factors, r);
    double diff = 0, norm = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      diff += (w[i] - fx.weights[i]) * (w[i] - fx.weights[i]);
      norm += (double)fx.weights[i] * fx.weights[i];
    }
    EXPECT_NEAR(std::sqrt(diff / norm), factors.filterError(r), 1e-5);
    EXPECT_LT(factors.filterError(r), previous);
    previous = factors.filterError(r);
  }
}

TEST(ConvDecomposition, Costs) {
  ConvFixture fx;
  whittle::ConvGeometry g = whittle::ConvGeometry::of(fx.conv);
  // 9 output positions: 9 * 6 * 3 * 9 MACs; rank 1: 9 * 3 * (9 + 6).
  EXPECT_EQ(g.original().macs, 9 * 6 * 3 * 9);
  EXPECT_EQ(g.separable(1).macs, 9 * 3 * (9 + 6));
  EXPECT_EQ(g.original().params, 6 * 3 * 9);
  EXPECT_EQ(g.separable(2).params, 3 * 2 * 9 + 3 * 2 * 6);
}

TEST(ConvDecomposition, RejectsComputedWeights) {
  MLIRContext ctx;
  ctx.loadDialect<whittle::onnx::ONNXDialect, func::FuncDialect>();
  auto module = parseSourceString<ModuleOp>(R"(
    func.func @main(%x: tensor<1x3x5x5xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<1x6x3x3xf32> {
      %y = onnx.Conv %x, %w : (tensor<1x3x5x5xf32>, tensor<6x3x3x3xf32>) -> tensor<1x6x3x3xf32>
      return %y : tensor<1x6x3x3xf32>
    })",
                                            &ctx);
  auto conv = *module->lookupSymbol<func::FuncOp>("main").getOps<whittle::onnx::ConvOp>().begin();
  EXPECT_EQ(whittle::whyNotDecomposable(conv), "weights are not constant");
}

} // namespace
