//===- SignedQuant.cpp - onnx-signed-quant: uint8 to int8 -----------------===//
//
// Part of whittle. The integer kernels work on int8. A uint8 quantized
// tensor u with zero point z holds the same real values as the int8 tensor
// u - 128 with zero point z - 128, and saturation to [0, 255] becomes
// saturation to [-128, 127]: this pass rewrites the quantized part of a
// graph into that signed view. Constants are shifted now; a uint8 model
// input or output keeps its bytes (the argument or result is marked
// `whittle.unsigned`) and is converted by a 256-entry table (x xor 0x80).
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Dialect/ONNX/Transforms/Passes.h"
#include "whittle/Dialect/ONNX/Transforms/Quantization.h"
#include "whittle/Target/Interface/ModelInterface.h"

#include "llvm/ADT/SetVector.h"

namespace whittle {
#define GEN_PASS_DEF_SIGNEDQUANTPASS
#include "whittle/Dialect/ONNX/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace whittle {
namespace {

bool isU8(Type t) {
  auto rt = llvm::dyn_cast<RankedTensorType>(t);
  return rt && rt.getElementType().isUnsignedInteger(8);
}

/// A Cast between uint8 and a float type: its signed view casts x - 128
/// (to uint8) or adds 128 (from uint8).
bool isFloatU8Cast(Operation *op) {
  auto cast = llvm::dyn_cast<onnx::CastOp>(op);
  if (!cast)
    return false;
  auto eltOf = [](Value v) {
    return llvm::cast<RankedTensorType>(v.getType()).getElementType();
  };
  Type in = eltOf(cast.getInput()), out = eltOf(cast.getOutput());
  return (out.isUnsignedInteger(8) && llvm::isa<FloatType>(in)) ||
         (in.isUnsignedInteger(8) && llvm::isa<FloatType>(out));
}

/// Ops whose uint8 operands and results may all be replaced by their signed
/// views: quantization ops (values relative to zero points that shift too),
/// order-preserving data movement, and float casts (adjusted by 128).
bool shiftSafe(Operation *op) {
  if (isFloatU8Cast(op))
    return true;
  return llvm::isa<onnx::QuantizeLinearOp, onnx::DequantizeLinearOp,
                   onnx::DynamicQuantizeLinearOp,
                   onnx::QLinearConvOp, onnx::QLinearMatMulOp,
                   onnx::ConvIntegerOp, onnx::MatMulIntegerOp, onnx::MaxPoolOp,
                   onnx::ReshapeOp, onnx::FlattenOp, onnx::TransposeOp,
                   onnx::SqueezeOp, onnx::UnsqueezeOp, onnx::ConcatOp,
                   onnx::IdentityOp, onnx::ConstantOp, func::ReturnOp>(op);
}

RankedTensorType toI8(Type t) {
  auto rt = llvm::cast<RankedTensorType>(t);
  return RankedTensorType::get(rt.getShape(),
                               IntegerType::get(t.getContext(), 8));
}

/// x xor 0x80 on int8 bits: uint8 bits <-> their signed view.
Value flipTable(OpBuilder &b, Location loc, Value x) {
  SmallVector<int8_t> table;
  for (int v = -128; v < 128; ++v)
    table.push_back((int8_t)(v ^ 0x80));
  auto tt = RankedTensorType::get({256}, b.getI8Type());
  return onnx::QLinearLookupOp::create(
      b, loc, x.getType(), x, DenseElementsAttr::get(tt, ArrayRef<int8_t>(table)));
}

struct SignedQuantPass : impl::SignedQuantPassBase<SignedQuantPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Every uint8 value must be produced and used by shift-safe ops (or be
    // an argument or result); otherwise the graph is left alone.
    SetVector<Value> values;
    for (BlockArgument a : func.getArguments())
      if (isU8(a.getType()))
        values.insert(a);
    func.walk([&](Operation *op) {
      for (Value r : op->getResults())
        if (isU8(r.getType()))
          values.insert(r);
    });
    if (values.empty())
      return;
    for (Value v : values) {
      Operation *def = v.getDefiningOp();
      if (def && !shiftSafe(def))
        return;
      if (llvm::isa_and_nonnull<onnx::ConstantOp>(def) && !getConstantInts(v)) {
        def->emitError("cannot read the uint8 constant");
        return signalPassFailure();
      }
      for (Operation *user : v.getUsers())
        if (!shiftSafe(user))
          return;
    }
    OpBuilder b(&getContext());
    // Absent uint8 zero points are 0: explicit -128 in the signed view.
    func.walk([&](Operation *op) {
      b.setInsertionPoint(op);
      if (isFloatU8Cast(op)) {
        auto cast = llvm::cast<onnx::CastOp>(op);
        Value in = cast.getInput();
        auto ft = llvm::cast<RankedTensorType>(
            isU8(in.getType()) ? cast.getOutput().getType() : in.getType());
        if (isU8(cast.getOutput().getType())) {
          // uint8(x) = int8(int32(x) - 128) + 128: truncate toward zero
          // first, as the uint8 cast does, then shift in integers.
          auto i32 = RankedTensorType::get(ft.getShape(), b.getI32Type());
          Value t = onnx::CastOp::create(b, op->getLoc(), i32, in,
                                         /*to=INT32*/ 6);
          auto c = RankedTensorType::get({}, b.getI32Type());
          Value k = onnx::ConstantOp::create(
              b, op->getLoc(), c,
              DenseElementsAttr::get(c, b.getI32IntegerAttr(128)));
          cast.setOperand(onnx::SubOp::create(b, op->getLoc(), i32, t, k));
          cast.setToAttr(b.getI64IntegerAttr(3)); // INT8
          return;
        }
        auto c128 = RankedTensorType::get({}, ft.getElementType());
        Value k = onnx::ConstantOp::create(
            b, op->getLoc(), c128,
            DenseElementsAttr::get(
                c128, b.getFloatAttr(ft.getElementType(), 128.0)));
        {
          // float(u) = float(s) + 128.
          b.setInsertionPointAfter(op);
          auto add = onnx::AddOp::create(b, op->getLoc(), ft,
                                         cast.getOutput(), k);
          cast.getOutput().replaceAllUsesExcept(add, add);
        }
        return;
      }
      if (auto q = llvm::dyn_cast<onnx::QuantizeLinearOp>(op)) {
        if (!q.getYZeroPoint() && isU8(q.getY().getType()))
          q.getYZeroPointMutable().append(createI8Scalar(b, q.getLoc(), -128));
      } else if (auto dq = llvm::dyn_cast<onnx::DequantizeLinearOp>(op)) {
        if (!dq.getXZeroPoint() && isU8(dq.getX().getType()))
          dq.getXZeroPointMutable().append(createI8Scalar(b, dq.getLoc(), -128));
      } else if (auto c = llvm::dyn_cast<onnx::ConvIntegerOp>(op)) {
        if (!c.getXZeroPoint() && isU8(c.getX().getType()))
          c.getXZeroPointMutable().append(createI8Scalar(b, c.getLoc(), -128));
        if (!c.getWZeroPoint() && isU8(c.getW().getType()))
          c.getWZeroPointMutable().append(createI8Scalar(b, c.getLoc(), -128));
      } else if (auto m = llvm::dyn_cast<onnx::MatMulIntegerOp>(op)) {
        if (!m.getAZeroPoint() && isU8(m.getA().getType()))
          m.getAZeroPointMutable().append(createI8Scalar(b, m.getLoc(), -128));
        if (!m.getBZeroPoint() && isU8(m.getB().getType()))
          m.getBZeroPointMutable().append(createI8Scalar(b, m.getLoc(), -128));
      }
    });
    SmallVector<Type> inputs(func.getArgumentTypes());
    SmallVector<Type> results(func.getResultTypes());
    auto ret = llvm::cast<func::ReturnOp>(func.getBody().front().getTerminator());
    for (Value v : values) {
      if (auto arg = llvm::dyn_cast<BlockArgument>(v)) {
        // The caller's bytes are uint8: flip them once on entry.
        arg.setType(toI8(arg.getType()));
        inputs[arg.getArgNumber()] = arg.getType();
        func.setArgAttr(arg.getArgNumber(), kUnsignedAttr,
                        b.getUnitAttr());
        b.setInsertionPointToStart(&func.getBody().front());
        Value flipped = flipTable(b, func.getLoc(), arg);
        arg.replaceAllUsesExcept(flipped, flipped.getDefiningOp());
        continue;
      }
      Operation *def = v.getDefiningOp();
      if (auto c = llvm::dyn_cast<onnx::ConstantOp>(def)) {
        auto vals = getConstantInts(v); // readable: checked above
        SmallVector<int8_t> shifted;
        for (int64_t x : *vals)
          shifted.push_back((int8_t)(x - 128));
        b.setInsertionPoint(c);
        Value nc = createConstant(
            b, c.getLoc(), toI8(v.getType()),
            ArrayRef<char>(reinterpret_cast<const char *>(shifted.data()),
                           shifted.size()),
            getNodeName(c.getLoc()) + ".int8");
        v.replaceAllUsesWith(nc);
        c.erase();
        continue;
      }
      v.setType(toI8(v.getType()));
    }
    // Results returned as uint8 bytes: flip back.
    for (OpOperand &operand : ret->getOpOperands()) {
      unsigned i = operand.getOperandNumber();
      if (!isU8(results[i]))
        continue;
      b.setInsertionPoint(ret);
      operand.set(flipTable(b, func.getLoc(), operand.get()));
      results[i] = operand.get().getType();
      func.setResultAttr(i, kUnsignedAttr, b.getUnitAttr());
    }
    func.setFunctionType(FunctionType::get(&getContext(), inputs, results));
  }
};

} // namespace
} // namespace whittle
