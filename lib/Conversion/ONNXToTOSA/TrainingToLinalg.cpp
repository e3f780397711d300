//===- TrainingToLinalg.cpp - Optimizer steps as elementwise code --------===//
//
// Part of whittle. Adagrad, Momentum and Adam (ai.onnx.preview.training)
// update each optimized tensor elementwise; R (the learning rate) and T
// (the step count) are scalars read at run time. Each output is one
// linalg.generic over X_i's shape that recomputes the regularized
// gradient it needs, so the arena holds no temporaries.
//
//===----------------------------------------------------------------------===//

#include "Lowerer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace whittle;
using namespace whittle::lowering;

namespace {

/// Scalar code in one element type.
struct Scalar {
  OpBuilder &b;
  Location loc;
  Type t;
  Value c(double v) { return arith::ConstantOp::create(b, loc, b.getFloatAttr(t, v)); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value sqrt(Value x) { return math::SqrtOp::create(b, loc, x); }
  /// T as a float, and whether T > 0.
  Value step(Value tInt) { return arith::SIToFPOp::create(b, loc, t, tInt); }
  Value positive(Value tInt) {
    Value zero = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, tInt, zero);
  }
  Value sel(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, loc, cond, x, y);
  }
  /// norm * x + g
  Value regularized(double norm, Value x, Value g) {
    return add(mul(c(norm), x), g);
  }
};

/// One output per (kind, tensor): `body(s, r, t, xs)` gets the scalars of
/// R, T and the i-th tensor of every input kind.
using Body = function_ref<Value(Scalar &, Value, Value, ArrayRef<Value>)>;

SmallVector<Value> perTensor(Lowerer &l, Value r, Value t, ValueRange inputs,
                             unsigned kinds, ArrayRef<Body> outputs) {
  size_t n = inputs.size() / kinds;
  SmallVector<Value> results(outputs.size() * n);
  for (size_t i = 0; i < n; ++i) {
    SmallVector<Value> operands{r, t};
    for (unsigned k = 0; k < kinds; ++k)
      operands.push_back(inputs[k * n + i]);
    auto xt = Lowerer::typeOf(inputs[i]);
    for (size_t o = 0; o < outputs.size(); ++o)
      results[o * n + i] = l.linalgElementwise(
          xt, operands, [&](OpBuilder &b, Location loc, ValueRange a) {
            Scalar s{b, loc, xt.getElementType()};
            SmallVector<Value> tensors(a.drop_front(2));
            return outputs[o](s, a[0], a[1], tensors);
          });
  }
  return results;
}

SmallVector<Value> lowerAdagrad(Lowerer &l, onnx::AdagradOp op) {
  double decay = op.getDecayFactor().convertToDouble();
  double eps = op.getEpsilon().convertToDouble();
  double norm = op.getNormCoefficient().convertToDouble();
  // h_new = h + g'^2; x_new = x - r / (1 + t decay) * g' / (sqrt(h_new) + eps)
  auto hNew = [&](Scalar &s, Value, Value, ArrayRef<Value> v) {
    Value g = s.regularized(norm, v[0], v[1]);
    return s.add(v[2], s.mul(g, g));
  };
  auto xNew = [&](Scalar &s, Value r, Value t, ArrayRef<Value> v) {
    Value g = s.regularized(norm, v[0], v[1]);
    Value h = s.add(v[2], s.mul(g, g));
    Value rate = s.div(r, s.add(s.c(1.0), s.mul(s.step(t), s.c(decay))));
    return s.sub(v[0],
                 s.div(s.mul(rate, g), s.add(s.sqrt(h), s.c(eps))));
  };
  return perTensor(l, op.getR(), op.getT(), op.getInputs(), 3, {xNew, hNew});
}

SmallVector<Value> lowerMomentum(Lowerer &l, onnx::MomentumOp op) {
  double alpha = op.getAlpha().convertToDouble();
  double beta = op.getBeta().convertToDouble();
  double norm = op.getNormCoefficient().convertToDouble();
  bool nesterov = op.getMode() == "nesterov";
  // v_new = alpha v + (t > 0 ? beta : 1) g'
  auto velocity = [=](Scalar &s, Value t, ArrayRef<Value> v) {
    Value g = s.regularized(norm, v[0], v[1]);
    Value b = s.sel(s.positive(t), s.c(beta), s.c(1.0));
    return std::make_pair(g, s.add(s.mul(s.c(alpha), v[2]), s.mul(b, g)));
  };
  auto vNew = [&](Scalar &s, Value, Value t, ArrayRef<Value> v) {
    return velocity(s, t, v).second;
  };
  // x_new = x - r v_new, or x - r (g' + alpha v_new) (nesterov)
  auto xNew = [&](Scalar &s, Value r, Value t, ArrayRef<Value> v) {
    auto [g, vn] = velocity(s, t, v);
    Value d = nesterov ? s.add(g, s.mul(s.c(alpha), vn)) : vn;
    return s.sub(v[0], s.mul(r, d));
  };
  return perTensor(l, op.getR(), op.getT(), op.getInputs(), 3, {xNew, vNew});
}

SmallVector<Value> lowerAdam(Lowerer &l, onnx::AdamOp op) {
  double alpha = op.getAlpha().convertToDouble();
  double beta = op.getBeta().convertToDouble();
  double eps = op.getEpsilon().convertToDouble();
  double norm = op.getNormCoefficient().convertToDouble();
  double post = op.getNormCoefficientPost().convertToDouble();
  // v_new = alpha v + (1 - alpha) g'; h_new = beta h + (1 - beta) g'^2
  auto vNew = [&](Scalar &s, Value, Value, ArrayRef<Value> v) {
    Value g = s.regularized(norm, v[0], v[1]);
    return s.add(s.mul(s.c(alpha), v[2]), s.mul(s.c(1.0 - alpha), g));
  };
  auto hNew = [&](Scalar &s, Value, Value, ArrayRef<Value> v) {
    Value g = s.regularized(norm, v[0], v[1]);
    return s.add(s.mul(s.c(beta), v[3]), s.mul(s.c(1.0 - beta), s.mul(g, g)));
  };
  // r' = t > 0 ? r sqrt(1 - beta^t) / (1 - alpha^t) : r;
  // x_new = (1 - post) (x - r' v_new / (sqrt(h_new) + eps))
  auto xNew = [&](Scalar &s, Value r, Value t, ArrayRef<Value> v) {
    Value tf = s.step(t);
    auto power = [&](double base) {
      return math::PowFOp::create(s.b, s.loc, s.c(base), tf).getResult();
    };
    Value bias = s.div(s.sqrt(s.sub(s.c(1.0), power(beta))),
                       s.sub(s.c(1.0), power(alpha)));
    Value rate = s.sel(s.positive(t), s.mul(r, bias), r);
    Value step = s.div(vNew(s, r, t, v), s.add(s.sqrt(hNew(s, r, t, v)), s.c(eps)));
    return s.mul(s.c(1.0 - post), s.sub(v[0], s.mul(rate, step)));
  };
  return perTensor(l, op.getR(), op.getT(), op.getInputs(), 4,
                   {xNew, vNew, hNew});
}

} // namespace

std::optional<SmallVector<Value>>
whittle::lowering::lowerOptimizerOp(Lowerer &l, Operation *op) {
  if (auto o = llvm::dyn_cast<onnx::AdagradOp>(op))
    return lowerAdagrad(l, o);
  if (auto o = llvm::dyn_cast<onnx::MomentumOp>(op))
    return lowerMomentum(l, o);
  if (auto o = llvm::dyn_cast<onnx::AdamOp>(op))
    return lowerAdam(l, o);
  return std::nullopt;
}
