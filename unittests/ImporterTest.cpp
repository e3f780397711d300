//===- ImporterTest.cpp - ONNX importer -----------------------------------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXOps.h"
#include "whittle/Import/ONNXImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

namespace {

struct Captured {
  std::vector<std::string> errors;
};

mlir::OwningOpRef<mlir::ModuleOp> import(mlir::MLIRContext &ctx,
                                         llvm::StringRef text,
                                         Captured &diags) {
  ctx.getDiagEngine().registerHandler([&](mlir::Diagnostic &d) {
    diags.errors.push_back(d.str());
    return mlir::success();
  });
  return whittle::importONNXText(text, "test.onnxtxt", &ctx, {});
}

TEST(Importer, ImportsGraphWithNamesAndLocations) {
  mlir::MLIRContext ctx;
  Captured diags;
  auto module = import(ctx, R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1,4] x) => (float[1,4] y) {
      r = Relu(x)
      y = Add(r, x)
    })",
                       diags);
  ASSERT_TRUE(module) << (diags.errors.empty() ? "" : diags.errors[0]);
  auto func = module->lookupSymbol<mlir::func::FuncOp>("main");
  ASSERT_TRUE(func);
  EXPECT_EQ(func.getNumArguments(), 1u);
  auto ops = func.getBody().front().getOps<whittle::onnx::AddOp>();
  ASSERT_FALSE(ops.empty());
  std::string loc;
  llvm::raw_string_ostream os(loc);
  (*ops.begin()).getLoc().print(os);
  EXPECT_NE(loc.find("test.onnxtxt"), std::string::npos);
  EXPECT_NE(loc.find("Add"), std::string::npos);
}

TEST(Importer, ReportsEveryUnsupportedNode) {
  mlir::MLIRContext ctx;
  Captured diags;
  auto module = import(ctx, R"(
    <ir_version: 8, opset_import: ["" : 15]>
    g (float[2,2] x) => (float[2,2] u, float[2,2] y) {
      u = Bernoulli(x)
      b = Relu(x)
      y = RandomUniformLike(b)
    })",
                       diags);
  EXPECT_FALSE(module);
  ASSERT_EQ(diags.errors.size(), 2u);
  EXPECT_NE(diags.errors[0].find("'Bernoulli' (opset 15) is not supported"),
            std::string::npos);
  EXPECT_NE(diags.errors[1].find("'RandomUniformLike'"), std::string::npos);
}

TEST(Importer, RejectsGarbage) {
  mlir::MLIRContext ctx;
  Captured diags;
  ctx.getDiagEngine().registerHandler([&](mlir::Diagnostic &d) {
    diags.errors.push_back(d.str());
    return mlir::success();
  });
  auto module =
      whittle::importONNXBytes("\x01\x02garbage", "junk.onnx", &ctx, {});
  EXPECT_FALSE(module);
  EXPECT_FALSE(diags.errors.empty());
}

} // namespace
