//===- ONNXShapesTest.cpp - Shape rules -----------------------------------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace whittle::onnx;

TEST(ONNXShapes, BroadcastNumpyRules) {
  auto s = broadcastShapes({2, 1, 4}, {3, 1});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(*s, (llvm::SmallVector<int64_t>{2, 3, 4}));
  EXPECT_FALSE(broadcastShapes({2, 3}, {4, 3}).has_value());
  EXPECT_EQ(*broadcastShapes({}, {5}), (llvm::SmallVector<int64_t>{5}));
}

TEST(ONNXShapes, ExplicitPadsAndStride) {
  mlir::MLIRContext ctx;
  mlir::Builder b(&ctx);
  std::string err;
  // BlazeFace's stride-2 5x5 conv: 128 -> 64 with asymmetric pads.
  auto g = computeWindowGeometry({128, 128}, {5, 5}, b.getI64ArrayAttr({2, 2}),
                                 {}, b.getI64ArrayAttr({1, 1, 2, 2}),
                                 "NOTSET", false, err);
  ASSERT_TRUE(g.has_value()) << err;
  EXPECT_EQ(g->outSpatial, (llvm::SmallVector<int64_t>{64, 64}));
  EXPECT_EQ(g->dilations, (llvm::SmallVector<int64_t>{1, 1}));
}

TEST(ONNXShapes, SameUpperPutsExtraPadAtTheEnd) {
  mlir::MLIRContext ctx;
  std::string err;
  mlir::Builder b(&ctx);
  auto g = computeWindowGeometry({5}, {2}, b.getI64ArrayAttr({1}), {}, {},
                                 "SAME_UPPER", false, err);
  ASSERT_TRUE(g.has_value()) << err;
  EXPECT_EQ(g->outSpatial[0], 5);
  EXPECT_EQ(g->pads, (llvm::SmallVector<int64_t>{0, 1}));
  auto lower = computeWindowGeometry({5}, {2}, b.getI64ArrayAttr({1}), {}, {},
                                     "SAME_LOWER", false, err);
  EXPECT_EQ(lower->pads, (llvm::SmallVector<int64_t>{1, 0}));
}

TEST(ONNXShapes, CeilModeAddsAWindow) {
  mlir::MLIRContext ctx;
  mlir::Builder b(&ctx);
  std::string err;
  auto floorG = computeWindowGeometry({5}, {2}, b.getI64ArrayAttr({2}), {},
                                      {}, "NOTSET", false, err);
  auto ceilG = computeWindowGeometry({5}, {2}, b.getI64ArrayAttr({2}), {}, {},
                                     "NOTSET", true, err);
  EXPECT_EQ(floorG->outSpatial[0], 2);
  EXPECT_EQ(ceilG->outSpatial[0], 3);
}

TEST(ONNXShapes, RejectsWindowLargerThanInput) {
  mlir::MLIRContext ctx;
  std::string err;
  auto g = computeWindowGeometry({2}, {3}, {}, {}, {}, "NOTSET", false, err);
  EXPECT_FALSE(g.has_value());
  EXPECT_NE(err.find("does not fit"), std::string::npos);
}
