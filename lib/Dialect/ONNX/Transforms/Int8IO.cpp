//===- Int8IO.cpp - onnx-int8-io: quantized model inputs and outputs ------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/Transforms/Passes.h"
#include "whittle/Dialect/ONNX/Transforms/Quantization.h"
#include "whittle/Target/Interface/ModelInterface.h"

#include "mlir/IR/Diagnostics.h"

namespace whittle {
#define GEN_PASS_DEF_INT8IOPASS
#include "whittle/Dialect/ONNX/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace whittle {
namespace {

/// Per-tensor int8 parameters of a QuantizeLinear / DequantizeLinear.
std::optional<AffineQuant> int8Params(Operation *op, Value quantized) {
  auto p = readQuantParams(op);
  if (!p || !p->perTensor() ||
      !llvm::cast<RankedTensorType>(quantized.getType())
           .getElementType()
           .isSignlessInteger(8))
    return std::nullopt;
  return AffineQuant{p->scale[0], p->zeroPoint[0]};
}

struct Int8IOPass : impl::Int8IOPassBase<Int8IOPass> {
  using Int8IOPassBase::Int8IOPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    Builder b(&getContext());
    auto setParams = [&](auto setAttr, const AffineQuant &p) {
      setAttr(kScaleAttr, b.getF64FloatAttr(p.scale));
      setAttr(kZeroPointAttr, b.getI64IntegerAttr(p.zeroPoint));
    };
    SmallVector<Type> inputs(func.getArgumentTypes());
    for (BlockArgument arg : func.getArguments()) {
      // Every use a QuantizeLinear on the same parameters.
      std::optional<AffineQuant> params;
      bool ok = !arg.use_empty();
      for (Operation *user : arg.getUsers()) {
        auto q = llvm::dyn_cast<onnx::QuantizeLinearOp>(user);
        auto p = q ? int8Params(q, q.getY()) : std::nullopt;
        if (!p || (params && (p->scale != params->scale ||
                              p->zeroPoint != params->zeroPoint))) {
          ok = false;
          break;
        }
        params = p;
      }
      unsigned i = arg.getArgNumber();
      if (!ok) {
        if (warnFloat)
          emitWarning(func.getLoc())
              << "input " << i << " stays float: not every use of it is "
              << "quantized to int8 with one scale";
        continue;
      }
      auto t = llvm::cast<RankedTensorType>(arg.getType());
      arg.setType(RankedTensorType::get(t.getShape(), b.getI8Type()));
      inputs[i] = arg.getType();
      for (Operation *user : llvm::make_early_inc_range(arg.getUsers())) {
        user->getResult(0).replaceAllUsesWith(arg);
        user->erase();
      }
      setParams([&](StringRef n, Attribute a) { func.setArgAttr(i, n, a); },
                *params);
    }
    auto ret = llvm::cast<func::ReturnOp>(func.getBody().front().getTerminator());
    SmallVector<Type> results(func.getResultTypes());
    for (OpOperand &operand : ret->getOpOperands()) {
      unsigned i = operand.getOperandNumber();
      auto dq = operand.get().getDefiningOp<onnx::DequantizeLinearOp>();
      auto p = dq ? int8Params(dq, dq.getX()) : std::nullopt;
      if (!p) {
        if (warnFloat)
          emitWarning(func.getLoc())
              << "output " << i << " stays float: it is not dequantized "
              << "from int8 with one scale";
        continue;
      }
      operand.set(dq.getX());
      results[i] = dq.getX().getType();
      setParams([&](StringRef n, Attribute a) { func.setResultAttr(i, n, a); },
                *p);
    }
    func.setFunctionType(FunctionType::get(&getContext(), inputs, results));
  }
};

} // namespace
} // namespace whittle
