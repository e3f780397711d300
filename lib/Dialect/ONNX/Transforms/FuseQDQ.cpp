//===- FuseQDQ.cpp - onnx-fuse-qdq: QDQ patterns to integer operators -----===//
//
// Part of whittle. A QDQ model states that an op runs on dequantized int8
// values and that its result is quantized again; this pass makes that
// literal: DequantizeLinear -> op -> QuantizeLinear becomes one integer
// operator (QLinearConv, QGemm, QLinearMatMul, QLinearAdd, QLinearMul,
// QLinearGlobalAveragePool, QLinearLookup, or MaxPool on int8), so that no
// float arithmetic runs between the model's quantized edges.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Dialect/ONNX/Transforms/Passes.h"
#include "whittle/Dialect/ONNX/Transforms/Quantization.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

#include <algorithm>
#include <cmath>

namespace whittle {
#define GEN_PASS_DEF_FUSEQDQPASS
#include "whittle/Dialect/ONNX/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace whittle {
namespace {

/// A DequantizeLinear operand: its int8 input and parameters.
struct DQInput {
  onnx::DequantizeLinearOp op;
  Value q;
  QuantParamsView p;
};

std::optional<DQInput> asDQ(Value v) {
  auto dq = v.getDefiningOp<onnx::DequantizeLinearOp>();
  if (!dq)
    return std::nullopt;
  auto p = readQuantParams(dq);
  if (!p)
    return std::nullopt;
  return DQInput{dq, dq.getX(), *p};
}

Type eltOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType()).getElementType();
}

bool isInt8(Value v) { return eltOf(v).isSignlessInteger(8); }

unsigned bitsOf(Value v) { return eltOf(v).getIntOrFloatBitWidth(); }

/// Quantized activation parameters the kernels take: per-tensor int8, or
/// int16 with zero point 0 (TOSA's int16 kernels have none).
bool kernelParams(Type elt, const QuantParamsView &p) {
  return p.perTensor() && (elt.isSignlessInteger(8) ||
                           (elt.isSignlessInteger(16) && p.zeroPoint[0] == 0));
}

/// A per-tensor int8 or int16 activation.
std::optional<DQInput> asDQActivation(Value v) {
  auto d = asDQ(v);
  if (!d || !kernelParams(eltOf(d->q), d->p))
    return std::nullopt;
  return d;
}

/// Saturating quantization of a real value to a `bits`-bit integer.
int64_t quantizeValue(double v, double scale, int64_t zp, unsigned bits = 8) {
  double q = std::nearbyint(v / scale) + (double)zp;
  return (int64_t)std::clamp(q, (double)quantMin(bits), (double)quantMax(bits));
}

Value scalarF32(OpBuilder &b, Location loc, double v) {
  return createFloatConstant(b, loc, {}, {(float)v}, "");
}

Value vectorF32(OpBuilder &b, Location loc, ArrayRef<double> v) {
  SmallVector<float> f(v.begin(), v.end());
  return createFloatConstant(b, loc, {(int64_t)f.size()}, f, "");
}

Value vectorI8(OpBuilder &b, Location loc, ArrayRef<int64_t> v) {
  SmallVector<int8_t> q(v.begin(), v.end());
  auto t = RankedTensorType::get({(int64_t)q.size()}, b.getI8Type());
  return onnx::ConstantOp::create(b, loc, t,
                                  DenseElementsAttr::get(t, ArrayRef<int8_t>(q)));
}

/// The scale and zero point of a DQ input as constants (per-tensor scalars,
/// or int8 vectors).
std::pair<Value, Value> paramsOf(OpBuilder &b, Location loc,
                                 const DQInput &x) {
  const QuantParamsView &p = x.p;
  if (p.perTensor())
    return {scalarF32(b, loc, p.scale[0]),
            createIntScalar(b, loc, bitsOf(x.q), p.zeroPoint[0])};
  return {vectorF32(b, loc, p.scale), vectorI8(b, loc, p.zeroPoint)};
}

/// Real-valued bounds of an activation folded into an integer kernel.
struct Activation {
  Operation *op = nullptr;
  double lo = -INFINITY, hi = INFINITY;
};

std::optional<Activation> asActivation(Operation *op) {
  Activation a;
  a.op = op;
  if (llvm::isa<onnx::ReluOp>(op)) {
    a.lo = 0;
    return a;
  }
  if (auto clip = llvm::dyn_cast<onnx::ClipOp>(op)) {
    auto bound = [](Value v, double &out) {
      if (!v)
        return true;
      auto c = getConstantFloats(v);
      if (!c || c->size() != 1)
        return false;
      out = (*c)[0];
      return true;
    };
    if (bound(clip.getMin(), a.lo) && bound(clip.getMax(), a.hi))
      return a;
  }
  return std::nullopt;
}

/// f(x) for the elementwise functions tabulated by QLinearLookup.
std::optional<double> evalUnary(Operation *op, double x) {
  if (auto a = asActivation(op))
    return std::clamp(x, a->lo, a->hi);
  if (llvm::isa<onnx::SigmoidOp>(op))
    return 1.0 / (1.0 + std::exp(-x));
  if (llvm::isa<onnx::TanhOp>(op))
    return std::tanh(x);
  if (llvm::isa<onnx::ExpOp>(op))
    return std::exp(x);
  if (llvm::isa<onnx::SoftplusOp>(op))
    return std::log1p(std::exp(x));
  if (llvm::isa<onnx::HardSwishOp>(op))
    return x * std::clamp(x / 6.0 + 0.5, 0.0, 1.0);
  if (auto h = llvm::dyn_cast<onnx::HardSigmoidOp>(op))
    return std::clamp(h.getAlpha().convertToDouble() * x +
                          h.getBeta().convertToDouble(),
                      0.0, 1.0);
  if (auto r = llvm::dyn_cast<onnx::LeakyReluOp>(op))
    return x >= 0 ? x : r.getAlpha().convertToDouble() * x;
  if (auto e = llvm::dyn_cast<onnx::EluOp>(op))
    return x >= 0 ? x : e.getAlpha().convertToDouble() * (std::exp(x) - 1.0);
  return std::nullopt;
}

struct FuseQDQPass : impl::FuseQDQPassBase<FuseQDQPass> {
  /// Int8 clamp for an activation folded into a kernel quantized with
  /// (scale, zp); the kernel's saturation covers the rest.
  static Value applyActivation(OpBuilder &b, Location loc, Value q,
                               const std::optional<Activation> &act,
                               double scale, int64_t zp) {
    if (!act)
      return q;
    unsigned bits = bitsOf(q);
    int64_t qmin = quantMin(bits), qmax = quantMax(bits);
    int64_t lo =
        std::isinf(act->lo) ? qmin : quantizeValue(act->lo, scale, zp, bits);
    int64_t hi =
        std::isinf(act->hi) ? qmax : quantizeValue(act->hi, scale, zp, bits);
    if (lo <= qmin && hi >= qmax)
      return q;
    Value mn = createIntScalar(b, loc, bits, lo),
          mx = createIntScalar(b, loc, bits, hi);
    return onnx::ClipOp::create(b, loc, q.getType(), q, mn, mx);
  }

  /// Integer bias from a float constant or a DQ of int32, rescaled to
  /// xScale * wScale[c]; int64 (`wide`, for int16 inputs, bounded to the
  /// 48-bit accumulator) when the step is that fine.
  static std::optional<Value> integerBias(OpBuilder &b, Location loc, Value bias,
                                        double xScale,
                                        const QuantParamsView &w,
                                        bool wide = false) {
    SmallVector<double> real;
    if (auto f = getConstantFloats(bias)) {
      real.assign(f->begin(), f->end());
    } else if (auto d = asDQ(bias)) {
      auto ints = getConstantInts(d->q);
      if (!ints)
        return std::nullopt;
      for (size_t i = 0; i < ints->size(); ++i) {
        size_t c = d->p.perTensor() ? 0 : i;
        real.push_back(((*ints)[i] - d->p.zeroPoint[c]) * d->p.scale[c]);
      }
    } else {
      return std::nullopt;
    }
    double bound = wide ? std::ldexp(1.0, 47) - 1 : 2147483647.0;
    SmallVector<int64_t> q64;
    SmallVector<int32_t> q32;
    for (size_t i = 0; i < real.size(); ++i) {
      double s = xScale * w.scale[w.perTensor() ? 0 : i];
      double v = std::clamp(std::nearbyint(real[i] / s), -bound, bound);
      q64.push_back((int64_t)v);
      q32.push_back((int32_t)(wide ? 0 : v));
    }
    auto bt = llvm::cast<RankedTensorType>(bias.getType());
    auto t = RankedTensorType::get(bt.getShape(), wide ? b.getI64Type()
                                                       : b.getI32Type());
    ArrayRef<char> bytes =
        wide ? ArrayRef<char>(reinterpret_cast<const char *>(q64.data()),
                              q64.size() * 8)
             : ArrayRef<char>(reinterpret_cast<const char *>(q32.data()),
                              q32.size() * 4);
    return createConstant(b, loc, t, bytes,
                          getNodeName(loc) + (wide ? ".bias.int64" : ".bias.int32"));
  }

  /// Integer weights: an int8 DQ, per-tensor or per-channel along `axis`.
  static std::optional<DQInput> asDQWeights(Value v, int64_t axis) {
    auto d = asDQ(v);
    if (!d || !isInt8(d->q))
      return std::nullopt;
    // The kernels take one weight zero point.
    if (llvm::any_of(d->p.zeroPoint,
                     [&](int64_t z) { return z != d->p.zeroPoint[0]; }))
      return std::nullopt;
    if (!d->p.perTensor()) {
      int64_t rank = llvm::cast<RankedTensorType>(v.getType()).getRank();
      int64_t a = d->p.axis < 0 ? d->p.axis + rank : d->p.axis;
      if (a != axis)
        return std::nullopt;
    }
    return d;
  }

  /// `x` as a tensor of `elt` (int8 or int16) on the parameters (scale, zp).
  static Value requantize(OpBuilder &b, Location loc, const DQInput &x,
                          Type elt, double scale, int64_t zp) {
    double s = x.p.scale[0];
    int64_t z = x.p.zeroPoint[0];
    auto xt = llvm::cast<RankedTensorType>(x.q.getType());
    if (s == scale && z == zp && xt.getElementType() == elt)
      return x.q;
    auto t = RankedTensorType::get(xt.getShape(), elt);
    unsigned bits = elt.getIntOrFloatBitWidth();
    if (auto vals = getConstantInts(x.q)) {
      SmallVector<int16_t> q16;
      SmallVector<int8_t> q8;
      for (int64_t v : *vals) {
        int64_t q = quantizeValue((v - z) * s, scale, zp, bits);
        q16.push_back((int16_t)q);
        q8.push_back((int8_t)q);
      }
      ArrayRef<char> bytes =
          bits == 16 ? ArrayRef<char>(reinterpret_cast<const char *>(q16.data()),
                                      q16.size() * 2)
                     : ArrayRef<char>(reinterpret_cast<const char *>(q8.data()),
                                      q8.size());
      return createConstant(b, loc, t, bytes,
                            getNodeName(loc) + ".requantized");
    }
    if (bits != 8 || !isInt8(x.q)) {
      // Fixed-point rescale between widths or on int16.
      auto [xs, xz] = paramsOf(b, loc, x);
      return onnx::QLinearRequantizeOp::create(
          b, loc, t, x.q, xs, xz, scalarF32(b, loc, scale),
          createIntScalar(b, loc, bits, zp));
    }
    SmallVector<int8_t> table;
    for (int v = -128; v < 128; ++v)
      table.push_back((int8_t)quantizeValue((v - z) * s, scale, zp));
    auto tt = RankedTensorType::get({256}, b.getI8Type());
    return onnx::QLinearLookupOp::create(
        b, loc, t, x.q, DenseElementsAttr::get(tt, ArrayRef<int8_t>(table)));
  }

  /// Q(act?(core(DQ...))) -> integer op; returns the int8 replacement.
  Value fuse(OpBuilder &b, onnx::QuantizeLinearOp q) {
    auto qp = readQuantParams(q);
    if (!qp || !kernelParams(eltOf(q.getY()), *qp))
      return {};
    double ys = qp->scale[0];
    int64_t yzp = qp->zeroPoint[0];
    unsigned ybits = bitsOf(q.getY());
    Operation *def = q.getX().getDefiningOp();
    if (!def || !def->getResult(0).hasOneUse())
      return {};
    std::optional<Activation> act;
    Operation *core = def;
    if (auto a = asActivation(def)) {
      Operation *inner = def->getOperand(0).getDefiningOp();
      if (inner && inner->getResult(0).hasOneUse() &&
          llvm::isa<onnx::ConvOp, onnx::GemmOp, onnx::MatMulOp, onnx::AddOp>(
              inner)) {
        act = a;
        core = inner;
      }
    }
    Location loc = core->getLoc();
    b.setInsertionPoint(q);
    auto qType = q.getY().getType();
    Value ysV = scalarF32(b, loc, ys),
          yzV = createIntScalar(b, loc, ybits, yzp);
    Value result;

    if (auto conv = llvm::dyn_cast<onnx::ConvOp>(core)) {
      auto x = asDQActivation(conv.getX());
      auto w = asDQWeights(conv.getW(), 0);
      if (!x || !w)
        return {};
      Value bias;
      if (conv.getB()) {
        auto bb = integerBias(b, loc, conv.getB(), x->p.scale[0], w->p,
                            /*wide=*/!isInt8(x->q));
        if (!bb)
          return {};
        bias = *bb;
      }
      auto [xs, xz] = paramsOf(b, loc, *x);
      auto [ws, wz] = paramsOf(b, loc, *w);
      result = onnx::QLinearConvOp::create(
          b, loc, qType, x->q, xs, xz, w->q, ws, wz, ysV, yzV, bias,
          conv.getAutoPadAttr(), conv.getDilationsAttr(), conv.getGroupAttr(),
          conv.getKernelShapeAttr(), conv.getPadsAttr(),
          conv.getStridesAttr());
    } else if (auto gemm = llvm::dyn_cast<onnx::GemmOp>(core)) {
      // The fixed-point multipliers are positive.
      if (!(gemm.getAlpha().convertToFloat() > 0))
        return {};
      // int8 kernels only.
      auto a = asDQActivation(gemm.getA());
      auto w = asDQWeights(gemm.getB(), gemm.getTransB() ? 0 : 1);
      if (!a || !w || !isInt8(a->q) || ybits != 8)
        return {};
      Value c;
      if (gemm.getC()) {
        if (gemm.getBeta().convertToFloat() != 1.0f)
          return {};
        int64_t n = llvm::cast<RankedTensorType>(gemm.getType()).getDimSize(1);
        auto cs = llvm::cast<RankedTensorType>(gemm.getC().getType()).getShape();
        if (!(cs == ArrayRef<int64_t>{n} || cs == ArrayRef<int64_t>{1, n}))
          return {};
        QuantParamsView scaled = w->p;
        for (double &s : scaled.scale)
          s *= gemm.getAlpha().convertToDouble();
        auto cc = integerBias(b, loc, gemm.getC(), a->p.scale[0], scaled);
        if (!cc)
          return {};
        c = *cc;
      }
      auto [as, az] = paramsOf(b, loc, *a);
      auto [bs, bz] = paramsOf(b, loc, *w);
      result = onnx::QGemmOp::create(b, loc, qType, a->q, as, az, w->q, bs, bz,
                                     ysV, yzV, c, gemm.getAlphaAttr(),
                                     gemm.getTransAAttr(), gemm.getTransBAttr());
    } else if (auto mm = llvm::dyn_cast<onnx::MatMulOp>(core)) {
      auto a = asDQActivation(mm.getA());
      int64_t bRank = llvm::cast<RankedTensorType>(mm.getB().getType()).getRank();
      auto w = asDQWeights(mm.getB(), bRank - 1);
      if (!a || !w || !isInt8(a->q) || ybits != 8 ||
          (!w->p.perTensor() && bRank != 2))
        return {};
      auto [as, az] = paramsOf(b, loc, *a);
      auto [bs, bz] = paramsOf(b, loc, *w);
      result = onnx::QLinearMatMulOp::create(b, loc, qType, a->q, as, az, w->q,
                                             bs, bz, ysV, yzV);
    } else if (llvm::isa<onnx::AddOp, onnx::MulOp>(core)) {
      auto a = asDQActivation(core->getOperand(0));
      auto c = asDQActivation(core->getOperand(1));
      if (!a || !c)
        return {};
      auto [as, az] = paramsOf(b, loc, *a);
      auto [cs, cz] = paramsOf(b, loc, *c);
      if (llvm::isa<onnx::AddOp>(core))
        result = onnx::QLinearAddOp::create(b, loc, qType, a->q, as, az, c->q,
                                            cs, cz, ysV, yzV);
      else
        result = onnx::QLinearMulOp::create(b, loc, qType, a->q, as, az, c->q,
                                            cs, cz, ysV, yzV);
    } else if (llvm::isa<onnx::GlobalAveragePoolOp>(core)) {
      auto x = asDQActivation(core->getOperand(0));
      if (!x)
        return {};
      auto [xs, xz] = paramsOf(b, loc, *x);
      result = onnx::QLinearGlobalAveragePoolOp::create(b, loc, qType, x->q,
                                                        xs, xz, ysV, yzV);
    } else if (auto concat = llvm::dyn_cast<onnx::ConcatOp>(core)) {
      // Every input requantized to the output's parameters: constants now,
      // others by a 256-entry table unless their parameters already match.
      SmallVector<Value> ins;
      for (Value v : concat.getInputs()) {
        auto x = asDQActivation(v);
        if (!x)
          return {};
        ins.push_back(requantize(b, loc, *x, eltOf(q.getY()), ys, yzp));
      }
      result = onnx::ConcatOp::create(b, loc, qType, ins, concat.getAxisAttr());
    } else if (auto pool = llvm::dyn_cast<onnx::MaxPoolOp>(core)) {
      // max commutes with a monotonic quantization on equal parameters.
      auto x = asDQActivation(pool.getX());
      if (!x || x->p.scale[0] != ys || x->p.zeroPoint[0] != yzp ||
          eltOf(x->q) != eltOf(q.getY()) || pool->getNumResults() != 1)
        return {};
      IRMapping map;
      map.map(pool.getX(), x->q);
      Operation *clone = b.clone(*pool, map);
      clone->getResult(0).setType(qType);
      result = clone->getResult(0);
    } else if (core->getNumOperands() == 1 || llvm::isa<onnx::ClipOp>(core)) {
      // 256-entry tables: int8 to int8.
      auto x = asDQActivation(core->getOperand(0));
      if (!x || !isInt8(x->q) || ybits != 8 || !evalUnary(core, 0.0))
        return {};
      SmallVector<int8_t> table;
      for (int v = -128; v < 128; ++v) {
        double real = (v - x->p.zeroPoint[0]) * x->p.scale[0];
        double f = *evalUnary(core, real);
        table.push_back((int8_t)quantizeValue(f, ys, yzp));
      }
      auto tt = RankedTensorType::get({256}, b.getI8Type());
      result = onnx::QLinearLookupOp::create(
          b, loc, qType, x->q,
          DenseElementsAttr::get(tt, ArrayRef<int8_t>(table)));
    } else {
      return {};
    }
    return applyActivation(b, loc, result, act, ys, yzp);
  }

  /// Data movement on a DQ'd tensor moves to the int8 side:
  /// op(DQ(q)) -> DQ(op(q)).
  bool sinkDQ(OpBuilder &b, Operation *op) {
    if (!llvm::isa<onnx::ReshapeOp, onnx::FlattenOp, onnx::TransposeOp,
                   onnx::SqueezeOp, onnx::UnsqueezeOp>(op) ||
        op->getNumResults() != 1)
      return false;
    auto x = asDQActivation(op->getOperand(0));
    if (!x)
      return false;
    b.setInsertionPoint(op);
    IRMapping map;
    map.map(op->getOperand(0), x->q);
    Operation *clone = b.clone(*op, map);
    auto rt = llvm::cast<RankedTensorType>(op->getResult(0).getType());
    clone->getResult(0).setType(
        RankedTensorType::get(rt.getShape(), eltOf(x->q)));
    auto [s, z] = paramsOf(b, op->getLoc(), *x);
    Value dq = onnx::DequantizeLinearOp::create(b, op->getLoc(), rt,
                                                clone->getResult(0), s, z,
                                                /*axis=*/1, /*block_size=*/0);
    op->getResult(0).replaceAllUsesWith(dq);
    op->erase();
    return true;
  }

  /// Q(DQ(q)) on equal parameters is q.
  static bool cancelPair(onnx::QuantizeLinearOp q) {
    auto x = asDQActivation(q.getX());
    auto qp = readQuantParams(q);
    if (!x || !qp || !qp->perTensor() || x->q.getType() != q.getY().getType() ||
        x->p.scale[0] != qp->scale[0] || x->p.zeroPoint[0] != qp->zeroPoint[0])
      return false;
    q.getY().replaceAllUsesWith(x->q);
    q.erase();
    return true;
  }

  /// Q(DQ(q)) on other parameters or another width: one fixed-point
  /// requantization.
  static bool requantizePair(OpBuilder &b, onnx::QuantizeLinearOp q) {
    auto x = asDQActivation(q.getX());
    auto qp = readQuantParams(q);
    if (!x || !qp || !kernelParams(eltOf(q.getY()), *qp))
      return false;
    b.setInsertionPoint(q);
    Value r = requantize(b, q.getLoc(), *x, eltOf(q.getY()), qp->scale[0],
                         qp->zeroPoint[0]);
    q.getY().replaceAllUsesWith(r);
    q.erase();
    return true;
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    OpBuilder b(func.getContext());
    bool changed = true;
    while (changed) {
      changed = false;
      SmallVector<Operation *> ops;
      func.walk([&](Operation *op) { ops.push_back(op); });
      DenseSet<Operation *> erased;
      for (Operation *op : ops) {
        if (erased.contains(op))
          continue;
        if (sinkDQ(b, op)) {
          erased.insert(op);
          changed = true;
          continue;
        }
        auto q = llvm::dyn_cast<onnx::QuantizeLinearOp>(op);
        if (!q)
          continue;
        if (cancelPair(q) || requantizePair(b, q)) {
          erased.insert(op);
          changed = true;
          continue;
        }
        Value fused = fuse(b, q);
        if (!fused)
          continue;
        // The float ops between the DQs and Q die with it (DCE below).
        q.getY().replaceAllUsesWith(fused);
        q.erase();
        erased.insert(op);
        changed = true;
      }
      // Dead float ops and constants left behind.
      IRRewriter rw(func.getContext());
      (void)runRegionDCE(rw, func->getRegions());
    }
  }
};

} // namespace
} // namespace whittle
