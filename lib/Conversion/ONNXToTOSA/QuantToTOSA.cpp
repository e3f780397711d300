//===- QuantToTOSA.cpp - Lower quantized onnx ops to integer TOSA ---------===//
//
// Part of whittle. The integer kernels: convolutions and matrix products
// accumulate int8 x int8 in int32 (tosa.conv2d / depthwise_conv2d / matmul
// with zero points), and every change of scale is a tosa.rescale with a
// 32-bit fixed-point multiplier and shift computed here at compile time
// (SINGLE_ROUND: round half up at the shift). No floating point runs between
// a model's QuantizeLinear and DequantizeLinear edges.
//
// Quantized tensors are int8, or int16 with zero point 0 (A16W8 layers:
// int16 x int8 products accumulate in int48, TOSA's int16 kernels); uint8
// ones onnx-signed-quant has already rewritten as int8 where it could.
//
//===----------------------------------------------------------------------===//

#include "Lowerer.h"

#include "whittle/Dialect/ONNX/IR/ONNXOps.h"
#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace whittle::lowering;
namespace onnx = whittle::onnx;

namespace {

/// Constant quantization parameters: one scale and zero point, or one per
/// channel.
struct QParams {
  SmallVector<double> scale;
  SmallVector<int64_t> zp;
  double s(size_t i = 0) const { return scale.size() == 1 ? scale[0] : scale[i]; }
  int64_t z(size_t i = 0) const { return zp.size() == 1 ? zp[0] : zp[i]; }
};

} // namespace

static LogicalResult requireWidth(Operation *op, Value v, StringRef what,
                                  bool allow16) {
  auto it = llvm::dyn_cast<IntegerType>(Lowerer::typeOf(v).getElementType());
  if (it && !it.isUnsigned() &&
      (it.getWidth() == 8 || (allow16 && it.getWidth() == 16)))
    return success();
  return op->emitError(what) << " is "
                             << Lowerer::typeOf(v).getElementType()
                             << "; the integer kernels take int8"
                             << (allow16 ? " or int16" : "")
                             << " (uint8 only where nothing but quantization "
                                "ops and data movement use it)";
}

static LogicalResult requireInt8(Operation *op, Value v, StringRef what) {
  return requireWidth(op, v, what, /*allow16=*/false);
}

static bool isI16(Value v) {
  return Lowerer::typeOf(v).getElementType().isSignlessInteger(16);
}

static FailureOr<QParams> readParams(Operation *op, StringRef name,
                                     Value scale, Value zp) {
  auto s = whittle::getConstantFloats(scale);
  if (!s)
    return op->emitError(name)
           << "_scale must be a constant for the integer kernels";
  QParams p;
  for (float v : *s) {
    if (!(v > 0) || std::isinf(v))
      return op->emitError(name) << "_scale holds " << v
                                 << "; quantization scales must be positive "
                                    "and finite";
    p.scale.push_back(v);
  }
  if (!zp) {
    p.zp = {0};
    return p;
  }
  auto z = whittle::getConstantInts(zp);
  if (!z)
    return op->emitError(name)
           << "_zero_point must be a constant for the integer kernels";
  p.zp.assign(z->begin(), z->end());
  return p;
}

/// A quantized operand or result: its value and parameters.
struct QOperand {
  Value value;
  StringRef name;
  Value scale, zeroPoint;
  bool allow16 = true; ///< int16 allowed (activations; weights are int8)
};

/// Checks that every operand is int8 (or int16 where allowed, with zero
/// point 0) and reads its parameters (in order), with one error for the
/// first that fails.
static FailureOr<SmallVector<QParams>> readOperands(Operation *op,
                                                    ArrayRef<QOperand> qs) {
  for (const QOperand &q : qs)
    if (failed(requireWidth(op, q.value, q.name, q.allow16)))
      return failure();
  SmallVector<QParams> out;
  for (const QOperand &q : qs) {
    auto p = readParams(op, q.name, q.scale, q.zeroPoint);
    if (failed(p))
      return failure();
    if (isI16(q.value) && llvm::any_of(p->zp, [](int64_t z) { return z; }))
      return op->emitError(q.name)
             << "_zero_point must be 0 for int16 (the int16 kernels are "
                "symmetric)";
    out.push_back(*p);
  }
  return out;
}

/// Parameters of a one-input quantized op (X, x_scale, x_zero_point -> Y,
/// y_scale, y_zero_point).
template <typename UnaryQ>
static FailureOr<std::pair<QParams, QParams>> readUnaryParams(UnaryQ op) {
  auto params = readOperands(
      op, {{op.getX(), "x", op.getXScale(), op.getXZeroPoint()},
           {op.getY(), "y", op.getYScale(), op.getYZeroPoint()}});
  if (failed(params))
    return failure();
  return std::make_pair((*params)[0], (*params)[1]);
}

/// The accumulator of products of `x` with int8 weights: int32 for int8,
/// int48 for int16 (TOSA's widths).
static Type accumulatorFor(Lowerer &l, Value x) {
  return isI16(x) ? l.rw.getIntegerType(48) : l.rw.getI32Type();
}

static Type eltOf(Value v) { return Lowerer::typeOf(v).getElementType(); }

/// M = mult * 2^-shift with mult in [2^(bits-1), 2^bits) and shift in
/// [2, 62]: bits = 31 for TOSA's 32-bit rescale, 15 for its 16-bit one (the
/// only one TOSA allows on int48 input, whose product must fit 64 bits).
/// Multipliers too small for that range lose low bits (they scale
/// everything to zero anyway); too large ones saturate.
static void fixedPoint(double M, int32_t &mult, int8_t &shift,
                       int bits = 31) {
  // Callers pass positive finite scales; guard the arithmetic anyway.
  if (!(M > 0) || !std::isfinite(M)) {
    mult = 0;
    shift = 2;
    return;
  }
  int exp;
  double frac = std::frexp(M, &exp); // M = frac * 2^exp, frac in [0.5, 1)
  int64_t q = std::llround(std::ldexp(frac, bits));
  if (q == (int64_t(1) << bits)) {
    q /= 2;
    ++exp;
  }
  int64_t sh = bits - exp;
  while (sh > 62) {
    q = (q + 1) >> 1;
    --sh;
  }
  if (sh < 2) {
    q = (int64_t(1) << bits) - 1;
    sh = 2;
  }
  mult = static_cast<int32_t>(q);
  shift = static_cast<int8_t>(sh);
}

/// tosa.rescale of `v` to `outElt` by the real multipliers `M` (one, or one
/// per element of the last dimension). 32-bit multipliers, 16-bit ones from
/// int48.
static Value rescale(Lowerer &l, Value v, Type outElt, ArrayRef<double> M,
                     int64_t inZp, int64_t outZp) {
  auto vt = Lowerer::typeOf(v);
  bool scale32 = !vt.getElementType().isInteger(48);
  SmallVector<int32_t> mults;
  SmallVector<int16_t> mults16;
  SmallVector<int8_t> shifts;
  for (double m : M) {
    int32_t mu;
    int8_t sh;
    fixedPoint(m, mu, sh, scale32 ? 31 : 15);
    mults.push_back(mu);
    mults16.push_back((int16_t)mu);
    shifts.push_back(sh);
  }
  // Per-channel multipliers on one shift (the smallest) when each keeps at
  // least 24 significant bits: a splat shift folds into the kernel as a
  // constant, where per-lane shifts cost a variable shift and its rounding
  // term per element.
  if (scale32 && M.size() > 1) {
    int8_t common = *llvm::min_element(shifts);
    SmallVector<int32_t> uniform;
    for (double m : M) {
      int64_t mu = std::llround(std::ldexp(m, common));
      if (mu < (int64_t(1) << 23) || mu >= (int64_t(1) << 31))
        break;
      uniform.push_back(static_cast<int32_t>(mu));
    }
    if (uniform.size() == M.size()) {
      mults = uniform;
      shifts.assign(M.size(), common);
    }
  }
  int64_t n = M.size();
  auto mt = l.tensorType({n}, scale32 ? l.rw.getI32Type() : l.rw.getI16Type());
  auto st = l.tensorType({n}, l.rw.getI8Type());
  Value mv = tosa::ConstOp::create(
      l.rw, l.loc, mt,
      scale32 ? DenseElementsAttr::get(mt, ArrayRef<int32_t>(mults))
              : DenseElementsAttr::get(mt, ArrayRef<int16_t>(mults16)));
  Value sv = tosa::ConstOp::create(
      l.rw, l.loc, st, DenseElementsAttr::get(st, ArrayRef<int8_t>(shifts)));
  auto out = l.tensorType(vt.getShape(), outElt);
  return tosa::RescaleOp::create(
      l.rw, l.loc, out, v, mv, sv,
      *tosa::createZeroPointTensor(l.rw, l.loc, vt.getElementType(), inZp),
      *tosa::createZeroPointTensor(l.rw, l.loc, outElt, outZp),
      l.rw.getBoolAttr(scale32),
      tosa::RoundingModeAttr::get(l.rw.getContext(),
                                  tosa::RoundingMode::SINGLE_ROUND),
      l.rw.getBoolAttr(n > 1), l.rw.getBoolAttr(false),
      l.rw.getBoolAttr(false));
}

/// The per-channel scales of a weight tensor as a list of `n` values.
static SmallVector<double> perChannel(const QParams &p, int64_t n) {
  SmallVector<double> out;
  for (int64_t i = 0; i < n; ++i)
    out.push_back(p.s(i));
  return out;
}

/// The weights' zero point must be one value (TOSA takes a scalar).
static FailureOr<int64_t> uniformZp(Operation *op, const QParams &p,
                                    StringRef name) {
  for (int64_t z : p.zp)
    if (z != p.zp[0])
      return op->emitError(name) << "_zero_point differs between channels; "
                                    "the integer kernels take one";
  return p.zp[0];
}

/// Integer constant of `elt` (the accumulator: i32 or i48) from a constant
/// int32 operand (a bias).
static FailureOr<Value> biasConstant(Lowerer &l, Operation *op, Value v,
                                     ArrayRef<int64_t> shape, Type elt) {
  auto vals = whittle::getConstantInts(v);
  if (!vals)
    return op->emitError("the int32 bias must be a constant");
  unsigned w = elt.getIntOrFloatBitWidth();
  SmallVector<APInt> out;
  for (int64_t x : *vals)
    out.push_back(APInt(w, (uint64_t)x, /*isSigned=*/true));
  auto t = l.tensorType(shape, elt);
  return (Value)tosa::ConstOp::create(l.rw, l.loc, t,
                                      DenseElementsAttr::get(t, out));
}

//===----------------------------------------------------------------------===//
// Parameters known only at run time (scales or zero points that are graph
// inputs or computed): exact int32 products of the zero-point-centred
// operands, then, for the QLinear ops, a float requantization in the
// epilogue (f32, as ONNX Runtime computes it). Constant parameters take the
// fixed-point kernels above.
//===----------------------------------------------------------------------===//

static bool constantParams(Value scale, Value zp) {
  return (!scale || whittle::getConstantFloats(scale)) &&
         (!zp || whittle::getConstantInts(zp));
}

/// `v` reshaped to rank `rank`: its elements along `axis`, 1 elsewhere (a
/// per-tensor value: all 1).
static Value alongAxis(Lowerer &l, Value v, int64_t rank, int64_t axis) {
  int64_t n = Lowerer::typeOf(v).getNumElements();
  SmallVector<int64_t> shape(rank, 1);
  if (n > 1)
    shape[axis < 0 ? axis + rank : axis] = n;
  return l.reshape(v, shape);
}

/// int32 (v - zp) of int8 `v`; zp absent, one value, or one per index of
/// `axis`.
static Value centered(Lowerer &l, Value v, Value zp, int64_t axis) {
  auto vt = Lowerer::typeOf(v);
  Type i32 = l.rw.getI32Type();
  auto out = l.tensorType(vt.getShape(), i32);
  SmallVector<Value> ins{v};
  if (zp)
    ins.push_back(alongAxis(l, zp, vt.getRank(), axis));
  return l.linalgElementwise(
      out, ins, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Value x = arith::ExtSIOp::create(b, loc, i32, a[0]);
        if (a.size() == 1)
          return x;
        Value z = arith::ExtSIOp::create(b, loc, i32, a[1]);
        return arith::SubIOp::create(b, loc, x, z);
      });
}

/// Convolution of the zero-point-centred int8 operands of `op` (X NCHW, W
/// OIHW, group 1) into an int32 NHWC accumulator.
template <typename ConvLike>
static FailureOr<Value> convI32(Lowerer &l, ConvLike op,
                                const onnx::WindowGeometry &g,
                                RankedTensorType rt) {
  int64_t group = op.getGroup();
  if (group != 1)
    return op->emitError("grouped ")
           << op->getName().stripDialect()
           << " with zero points or scales known only at run time is not "
              "supported yet";
  Value x = centered(l, op.getX(), op.getXZeroPoint(), 0);
  Value w = centered(l, op.getW(), op.getWZeroPoint(), 0);
  Type i32 = l.rw.getI32Type();
  SmallVector<int64_t> pad, kernel, stride, dilation;
  Value xin = prepareWindowInput(l, x, g, pad, kernel, stride, dilation);
  auto xt = Lowerer::typeOf(xin);
  if (llvm::any_of(pad, [](int64_t p) { return p != 0; })) {
    SmallVector<int64_t> shape(xt.getShape());
    shape[1] += pad[0] + pad[1];
    shape[2] += pad[2] + pad[3];
    xin = tosa::PadOp::create(
        l.rw, l.loc, l.tensorType(shape, i32), xin,
        l.shapeValue({0, 0, pad[0], pad[1], pad[2], pad[3], 0, 0}),
        l.splat(i32, {1}, 0.0));
  }
  auto wt = Lowerer::typeOf(w);
  int64_t m = wt.getDimSize(0), c = wt.getDimSize(1);
  Value wv = l.transpose(l.reshape(w, {m, c, kernel[0], kernel[1]}),
                         {0, 2, 3, 1});
  int64_t oh = rt.getRank() == 4 ? rt.getDimSize(2) : 1;
  auto outT = l.tensorType({xt.getDimSize(0), oh, rt.getShape().back(), m}, i32);
  Value init = tensor::EmptyOp::create(l.rw, l.loc, outT.getShape(), i32);
  Value zero =
      arith::ConstantOp::create(l.rw, l.loc, i32, l.rw.getI32IntegerAttr(0));
  init = linalg::FillOp::create(l.rw, l.loc, zero, init).getResult(0);
  auto attr = [&](ArrayRef<int64_t> v) {
    return DenseIntElementsAttr::get(
        RankedTensorType::get({2}, l.rw.getI64Type()), v);
  };
  return linalg::Conv2DNhwcFhwcOp::create(l.rw, l.loc, TypeRange{outT},
                                          ValueRange{xin, wv}, ValueRange{init},
                                          attr(stride), attr(dilation))
      .getResult(0);
}

/// saturate(round_half_even(acc * (xs * ws / ys)) + yzp) to `outT` (int8):
/// ws per index of `wsAxis` of acc, or one value like the others.
static Value requantizeRuntime(Lowerer &l, Value acc, Value xs, Value ws,
                               int64_t wsAxis, Value ys, Value yzp) {
  auto at = Lowerer::typeOf(acc);
  int64_t rank = at.getRank();
  Type f32 = l.rw.getF32Type(), i8 = l.rw.getI8Type();
  SmallVector<Value> ins{acc, alongAxis(l, xs, rank, 0),
                         alongAxis(l, ws, rank, wsAxis),
                         alongAxis(l, ys, rank, 0)};
  if (yzp)
    ins.push_back(alongAxis(l, yzp, rank, 0));
  return l.linalgElementwise(
      l.tensorType(at.getShape(), i8), ins,
      [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Value m = arith::MulFOp::create(b, loc, a[1], a[2]);
        m = arith::DivFOp::create(b, loc, m, a[3]);
        Value v = arith::SIToFPOp::create(b, loc, f32, a[0]);
        v = arith::MulFOp::create(b, loc, v, m);
        v = math::RoundEvenOp::create(b, loc, v);
        if (a.size() > 4)
          v = arith::AddFOp::create(
              b, loc, v, arith::SIToFPOp::create(b, loc, f32, a[4]));
        Value lo = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(-128));
        Value hi = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(127));
        v = arith::MaximumFOp::create(b, loc, v, lo);
        v = arith::MinimumFOp::create(b, loc, v, hi);
        return arith::FPToSIOp::create(b, loc, i8, v);
      });
}

static FailureOr<Value> lowerQLinearConvRuntime(Lowerer &l,
                                                onnx::QLinearConvOp op,
                                                const onnx::WindowGeometry &g) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  for (auto [v, name] : {std::pair{op.getX(), "x"}, {op.getW(), "w"},
                         {op.getY(), "y"}})
    if (failed(requireInt8(op, v, name)))
      return failure();
  auto acc = convI32(l, op, g, rt);
  if (failed(acc))
    return failure();
  Value y = *acc;
  if (op.getB())
    y = l.binary<tosa::AddOp>(Lowerer::typeOf(y), y,
                              l.reshape(op.getB(), {1, 1, 1, Lowerer::typeOf(
                                                           op.getB())
                                                           .getNumElements()}));
  y = requantizeRuntime(l, y, op.getXScale(), op.getWScale(), 3, op.getYScale(),
                        op.getYZeroPoint());
  return finishWindowOutput(l, y, rt);
}

static FailureOr<Value> lowerQLinearConv(Lowerer &l, onnx::QLinearConvOp op) {
  auto wt = Lowerer::typeOf(op.getW());
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto g = convGeometry(op);
  if (failed(g))
    return failure();
  if (!constantParams(op.getXScale(), op.getXZeroPoint()) ||
      !constantParams(op.getWScale(), op.getWZeroPoint()) ||
      !constantParams(op.getYScale(), op.getYZeroPoint()))
    return lowerQLinearConvRuntime(l, op, *g);
  auto params = readOperands(
      op, {{op.getX(), "x", op.getXScale(), op.getXZeroPoint()},
           {op.getW(), "w", op.getWScale(), op.getWZeroPoint(), false},
           {op.getY(), "y", op.getYScale(), op.getYZeroPoint()}});
  if (failed(params))
    return failure();
  const QParams *xp = &(*params)[0], *wp = &(*params)[1], *yp = &(*params)[2];
  auto wZp = uniformZp(op, *wp, "w");
  if (failed(wZp))
    return failure();
  int64_t m = wt.getDimSize(0);
  ConvOperands c;
  c.x = op.getX();
  c.w = op.getW();
  c.wInt = whittle::getConstantInts(op.getW());
  c.elt = eltOf(op.getX());
  c.wElt = l.rw.getI8Type();
  c.acc = accumulatorFor(l, op.getX());
  c.xZp = xp->z();
  c.wZp = *wZp;
  if (op.getB()) {
    auto b = biasConstant(l, op, op.getB(), {m}, c.acc);
    if (failed(b))
      return failure();
    c.bias = *b;
  }
  auto acc = lowerConvNHWC(l, c, *g, op.getGroup(), m, rt);
  if (failed(acc))
    return failure();
  SmallVector<double> M;
  for (double ws : perChannel(*wp, m))
    M.push_back(xp->s() * ws / yp->s());
  Value y = rescale(l, *acc, rt.getElementType(), M, 0, yp->z());
  return finishWindowOutput(l, y, rt);
}

static FailureOr<Value> lowerConvInteger(Lowerer &l, onnx::ConvIntegerOp op) {
  auto wt = Lowerer::typeOf(op.getW());
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto g = convGeometry(op);
  if (failed(g))
    return failure();
  if (failed(requireInt8(op, op.getX(), "x")) ||
      failed(requireInt8(op, op.getW(), "w")))
    return failure();
  if (!constantParams(Value(), op.getXZeroPoint()) ||
      !constantParams(Value(), op.getWZeroPoint())) {
    auto acc = convI32(l, op, *g, rt);
    if (failed(acc))
      return failure();
    return finishWindowOutput(l, *acc, rt);
  }
  auto zp = [&](Value v, StringRef name) -> FailureOr<int64_t> {
    if (!v)
      return 0;
    auto z = whittle::getConstantInts(v);
    if (!z)
      return op.emitError(name) << "_zero_point must be a constant";
    QParams p;
    p.scale = {1.0};
    p.zp.assign(z->begin(), z->end());
    return uniformZp(op, p, name);
  };
  auto xz = zp(op.getXZeroPoint(), "x"), wz = zp(op.getWZeroPoint(), "w");
  if (failed(xz) || failed(wz))
    return failure();
  ConvOperands c;
  c.x = op.getX();
  c.w = op.getW();
  c.wInt = whittle::getConstantInts(op.getW());
  c.elt = l.rw.getI8Type();
  c.acc = l.rw.getI32Type();
  c.xZp = *xz;
  c.wZp = *wz;
  auto acc = lowerConvNHWC(l, c, *g, op.getGroup(), wt.getDimSize(0), rt);
  if (failed(acc))
    return failure();
  return finishWindowOutput(l, *acc, rt);
}

/// The parameters of QLinearMatMul and QGemm: A, B (one zero point), Y.
struct MatMulParams {
  QParams a, b, y;
  int64_t bZp;
};
template <typename MatMulLike>
static FailureOr<MatMulParams> readMatMulOperands(MatMulLike op) {
  // int8 only: onnx-quantize keeps A16 Gemm/MatMul in float.
  auto params = readOperands(
      op, {{op.getA(), "a", op.getAScale(), op.getAZeroPoint(), false},
           {op.getB(), "b", op.getBScale(), op.getBZeroPoint(), false},
           {op.getY(), "y", op.getYScale(), op.getYZeroPoint(), false}});
  if (failed(params))
    return failure();
  auto bZp = uniformZp(op, (*params)[1], "b");
  if (failed(bZp))
    return failure();
  return MatMulParams{(*params)[0], (*params)[1], (*params)[2], *bZp};
}

/// An int8 matrix product with constant weights, A [rows, K] x W, as a 1x1
/// convolution over `rows` pixels of K channels: fully connected layers
/// then get the convolution kernels' packed weights and dot-product
/// instructions (vpdpbusd, sdot, smlad) that the generic matmul lacks.
/// `wAt(n, k)` reads the weight of output n and input k. Returns the int32
/// accumulators as [1, 1, rows, N], bias (an [N] constant or null) added.
static Value fullyConnected(Lowerer &l, Value a, int64_t rows, int64_t k,
                            int64_t n, function_ref<int64_t(int64_t, int64_t)> wAt,
                            int64_t aZp, int64_t wZp, Value bias) {
  auto i8 = l.rw.getI8Type(), i32 = l.rw.getI32Type();
  SmallVector<int8_t> ohwi(n * k);
  for (int64_t o = 0; o < n; ++o)
    for (int64_t i = 0; i < k; ++i)
      ohwi[o * k + i] = (int8_t)wAt(o, i);
  auto wt = l.tensorType({n, 1, 1, k}, i8);
  Value w = tosa::ConstOp::create(
      l.rw, l.loc, wt, DenseElementsAttr::get(wt, ArrayRef<int8_t>(ohwi)));
  if (!bias)
    bias = l.splat(i32, {n}, 0.0);
  auto zp = [&](int64_t v) {
    return *tosa::createZeroPointTensor(l.rw, l.loc, i8, v);
  };
  return tosa::Conv2DOp::create(
      l.rw, l.loc, l.tensorType({1, 1, rows, n}, i32),
      l.reshape(a, {1, 1, rows, k}), w, bias, zp(aZp), zp(wZp),
      l.rw.getDenseI64ArrayAttr({0, 0, 0, 0}),
      l.rw.getDenseI64ArrayAttr({1, 1}), l.rw.getDenseI64ArrayAttr({1, 1}),
      TypeAttr::get(i32));
}

static FailureOr<Value> lowerQLinearMatMul(Lowerer &l,
                                           onnx::QLinearMatMulOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  if (!constantParams(op.getAScale(), op.getAZeroPoint()) ||
      !constantParams(op.getBScale(), op.getBZeroPoint()) ||
      !constantParams(op.getYScale(), op.getYZeroPoint())) {
    for (auto [v, name] : {std::pair{op.getA(), "a"}, {op.getB(), "b"},
                           {op.getY(), "y"}})
      if (failed(requireInt8(op, v, name)))
        return failure();
    Value a = centered(l, op.getA(), op.getAZeroPoint(), -2);
    Value b = centered(l, op.getB(), op.getBZeroPoint(), -1);
    auto acc = lowerMatMulND(l, op, a, b, l.rw.getI32Type(), 0, 0,
                             rt.getShape());
    if (failed(acc))
      return failure();
    return requantizeRuntime(l, *acc, op.getAScale(), op.getBScale(), -1,
                             op.getYScale(), op.getYZeroPoint());
  }
  auto params = readMatMulOperands(op);
  if (failed(params))
    return failure();
  const QParams *ap = &params->a, *bp = &params->b, *yp = &params->y;
  auto bZp = params->bZp;
  int64_t n = rt.getShape().back();
  SmallVector<double> M;
  for (double bs : perChannel(*bp, bp->scale.size() > 1 ? n : 1))
    M.push_back(ap->s() * bs / yp->s());
  // Constant [K, N] weights: a fully connected layer over every row of A.
  auto bt = Lowerer::typeOf(op.getB());
  if (auto w = whittle::getConstantInts(op.getB());
      w && bt.getRank() == 2 && bt.getDimSize(0) > 0) {
    int64_t k = bt.getDimSize(0);
    int64_t rows = Lowerer::typeOf(op.getA()).getNumElements() / k;
    Value acc = fullyConnected(
        l, op.getA(), rows, k, n,
        [&](int64_t o, int64_t i) { return (*w)[i * n + o]; }, ap->z(), bZp,
        Value());
    return l.reshape(rescale(l, acc, l.rw.getI8Type(), M, 0, yp->z()),
                     rt.getShape());
  }
  auto acc = lowerMatMulND(l, op, op.getA(), op.getB(), l.rw.getI32Type(),
                           ap->z(), bZp, rt.getShape());
  if (failed(acc))
    return failure();
  return rescale(l, *acc, l.rw.getI8Type(), M, 0, yp->z());
}

static FailureOr<Value> lowerQGemm(Lowerer &l, onnx::QGemmOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto params = readMatMulOperands(op);
  if (failed(params))
    return failure();
  const QParams *ap = &params->a, *bp = &params->b, *yp = &params->y;
  auto bZp = params->bZp;
  int64_t m = rt.getDimSize(0), n = rt.getDimSize(1);
  Value a = op.getA();
  if (op.getTransA())
    a = l.transpose(a, {1, 0});
  double alpha = op.getAlpha().convertToDouble();
  SmallVector<double> M;
  for (double bs : perChannel(*bp, bp->scale.size() > 1 ? n : 1))
    M.push_back(alpha * ap->s() * bs / yp->s());
  // Constant weights and a bias per column (or none): a fully connected
  // layer over A's rows. A bias that varies by row ([M, 1], [M, N]) stays
  // an add.
  auto perColumn = [&](Value c) {
    auto ct = Lowerer::typeOf(c);
    return ct.getNumElements() == n &&
           (n == 1 || (ct.getRank() >= 1 && ct.getShape().back() == n));
  };
  auto w = whittle::getConstantInts(op.getB());
  if (w && (!op.getC() || perColumn(op.getC()))) {
    int64_t k = Lowerer::typeOf(op.getB()).getDimSize(op.getTransB() ? 1 : 0);
    Value bias;
    if (op.getC()) {
      auto c = biasConstant(l, op, op.getC(), {n}, l.rw.getI32Type());
      if (failed(c))
        return failure();
      bias = *c;
    }
    bool tb = op.getTransB();
    Value acc = fullyConnected(
        l, a, m, k, n,
        [&](int64_t o, int64_t i) { return (*w)[tb ? o * k + i : i * n + o]; },
        ap->z(), bZp, bias);
    return l.reshape(rescale(l, acc, l.rw.getI8Type(), M, 0, yp->z()), {m, n});
  }
  Value b = op.getB();
  if (op.getTransB()) {
    // Constant weights are transposed at compile time.
    auto bt = Lowerer::typeOf(b);
    if (auto w = whittle::getConstantInts(b)) {
      int64_t rows = bt.getDimSize(0), cols = bt.getDimSize(1);
      SmallVector<int8_t> t(w->size());
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          t[c * rows + r] = (*w)[r * cols + c];
      auto tt = l.tensorType({cols, rows}, l.rw.getI8Type());
      b = tosa::ConstOp::create(l.rw, l.loc, tt,
                                DenseElementsAttr::get(tt, ArrayRef<int8_t>(t)));
    } else {
      b = l.transpose(b, {1, 0});
    }
  }
  auto acc = lowerMatMulND(l, op, a, b, l.rw.getI32Type(), ap->z(), bZp,
                           {m, n});
  if (failed(acc))
    return failure();
  Value y = *acc;
  if (op.getC()) {
    auto ct = Lowerer::typeOf(op.getC());
    auto c = biasConstant(l, op, op.getC(), ct.getShape(), l.rw.getI32Type());
    if (failed(c))
      return failure();
    y = l.binary<tosa::AddOp>(Lowerer::typeOf(y), y, *c);
  }
  return rescale(l, y, l.rw.getI8Type(), M, 0, yp->z());
}

/// An int8 QLinearAdd in 32-bit integer arithmetic, with one rounding:
///   C = clamp(((A - za) * Ma + (B - zb) * Mb + 2^(k-1) + zc * 2^k) >> k)
/// where Ma, Mb = round(sa / sc * 2^k), round(sb / sc * 2^k) with the
/// largest k <= 30 that keeps every sum within int32. The zero-point terms
/// fold into one constant. Three 64-bit rescales would cost about four
/// times as many vector instructions (and helper calls on 32-bit cores).
/// Fails (for the general path) when the scale ratios leave no such k.
static FailureOr<Value> lowerInt8Add(Lowerer &l, RankedTensorType rt, Value a,
                                     Value b, const QParams &ap,
                                     const QParams &bp, const QParams &cp) {
  double ra = ap.s() / cp.s(), rb = bp.s() / cp.s();
  for (int k = 30; k >= 1; --k) {
    int64_t ma = std::llround(std::ldexp(ra, k));
    int64_t mb = std::llround(std::ldexp(rb, k));
    int64_t bound = 255 * (ma + mb) + (int64_t(1) << (k - 1)) +
                    128 * (int64_t(1) << k);
    if (bound > INT32_MAX)
      continue;
    int64_t c = (int64_t(1) << (k - 1)) - ap.z() * ma - bp.z() * mb +
                cp.z() * (int64_t(1) << k);
    Type i32 = l.rw.getI32Type();
    auto wide = l.tensorType(rt.getShape(), i32);
    SmallVector<int64_t> ones(rt.getRank(), 1);
    // Each operand in its own (possibly broadcast) shape.
    auto term = [&](Value x, int64_t m) {
      auto xt = l.tensorType(Lowerer::typeOf(x).getShape(), i32);
      Value x32 = tosa::CastOp::create(l.rw, l.loc, xt, x);
      SmallVector<int64_t> xOnes(xt.getRank(), 1);
      return l.mul(xt, x32, l.splat(i32, xOnes, (double)m));
    };
    Value y = l.binary<tosa::AddOp>(wide, term(a, ma), term(b, mb));
    y = l.binary<tosa::AddOp>(wide, y, l.splat(i32, ones, (double)c));
    y = tosa::ArithmeticRightShiftOp::create(
        l.rw, l.loc, wide, y, l.splat(i32, ones, (double)k), false);
    y = tosa::ClampOp::create(l.rw, l.loc, wide, y,
                              l.rw.getI32IntegerAttr(-128),
                              l.rw.getI32IntegerAttr(127));
    return (Value)tosa::CastOp::create(l.rw, l.loc, rt, y);
  }
  return failure();
}

/// QLinearAdd / QLinearMul: both operands to int32 (Add: on a common scale,
/// shifted left for precision: 20 bits for int8 operands, 15 with an int16
/// one, so that the sum stays within int32), the integer op, and one
/// rescale to the output. int8 Adds take lowerInt8Add.
template <typename BinOp>
static FailureOr<Value> lowerQLinearBinary(Lowerer &l, BinOp op, bool isAdd) {
  const int kAddShift = isI16(op.getA()) || isI16(op.getB()) ? 15 : 20;
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto params = readOperands(
      op, {{op.getA(), "A", op.getAScale(), op.getAZeroPoint()},
           {op.getB(), "B", op.getBScale(), op.getBZeroPoint()},
           {op.getC(), "C", op.getCScale(), op.getCZeroPoint()}});
  if (failed(params))
    return failure();
  const QParams *ap = &(*params)[0], *bp = &(*params)[1], *cp = &(*params)[2];
  Type i32 = l.rw.getI32Type(), outElt = rt.getElementType();
  auto wide = l.tensorType(rt.getShape(), i32);
  Value y;
  double outM;
  if (isAdd && !isI16(op.getA()) && !isI16(op.getB()) &&
      outElt.isSignlessInteger(8)) {
    auto sum = lowerInt8Add(l, rt, op.getA(), op.getB(), *ap, *bp, *cp);
    if (succeeded(sum))
      return *sum;
  }
  if (isAdd) {
    double common = 2 * std::max(ap->s(), bp->s());
    double up = std::ldexp(1.0, kAddShift);
    Value a = rescale(l, op.getA(), i32, {ap->s() / common * up}, ap->z(), 0);
    Value b = rescale(l, op.getB(), i32, {bp->s() / common * up}, bp->z(), 0);
    y = l.binary<tosa::AddOp>(wide, a, b);
    outM = common / (up * cp->s());
  } else {
    Value a = rescale(l, op.getA(), i32, {1.0}, ap->z(), 0);
    Value b = rescale(l, op.getB(), i32, {1.0}, bp->z(), 0);
    y = l.mul(wide, a, b);
    outM = ap->s() * bp->s() / cp->s();
  }
  return rescale(l, y, outElt, {outM}, 0, cp->z());
}

static FailureOr<Value>
lowerQLinearGlobalAveragePool(Lowerer &l, onnx::QLinearGlobalAveragePoolOp op) {
  auto xt = Lowerer::typeOf(op.getX());
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto params = readUnaryParams(op);
  if (failed(params))
    return failure();
  const QParams *xp = &params->first, *yp = &params->second;
  // Sum of x in int32 over each spatial axis in turn (rank kept, so that
  // layout transposes sink through the sums as they do for float), minus
  // count x zp, then one rescale by x_scale / (y_scale * count). Widening
  // by cast, not by a rescale: its 64-bit multiply by 1 would run on every
  // element instead of once per channel.
  Type i32 = l.rw.getI32Type();
  int64_t count = 1;
  for (int64_t d : xt.getShape().drop_front(2))
    count *= d;
  if (isI16(op.getX()) && count > (int64_t(1) << 16))
    return op.emitError("int16 mean over ")
           << count << " elements would overflow the int32 sum";
  SmallVector<int64_t> shape(xt.getShape());
  Value sum = tosa::CastOp::create(l.rw, l.loc, l.tensorType(shape, i32),
                                   op.getX());
  for (int64_t a = 2; a < xt.getRank(); ++a) {
    shape[a] = 1;
    sum = tosa::ReduceSumOp::create(l.rw, l.loc, l.tensorType(shape, i32),
                                    sum, l.rw.getI32IntegerAttr(a));
  }
  SmallVector<int64_t> ones(shape.size(), 1);
  if (int64_t offset = count * xp->z())
    sum = l.binary<tosa::SubOp>(l.tensorType(shape, i32), sum,
                                l.splat(i32, ones, (double)offset));
  Value y = rescale(l, sum, rt.getElementType(),
                    {xp->s() / (yp->s() * (double)count)}, 0, yp->z());
  return l.reshape(y, rt.getShape());
}

/// Float <-> int8 at the model's edges (and around float-only ops):
/// elementwise, with per-axis parameters broadcast along `axis`.
static FailureOr<Value> lowerQDQ(Lowerer &l, Operation *op, Value x,
                                 Value scale, Value zp, int64_t axis,
                                 bool quantize) {
  auto xt = Lowerer::typeOf(x);
  auto rt = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  Value q = quantize ? op->getResult(0) : x;
  bool i32 = Lowerer::typeOf(q).getElementType().isSignlessInteger(32);
  if (!i32 && failed(requireWidth(op, q,
                                  quantize ? "the quantized result"
                                           : "the quantized input",
                                  /*allow16=*/true)))
    return failure();
  unsigned bits = Lowerer::typeOf(q).getElementType().getIntOrFloatBitWidth();
  int64_t rank = xt.getRank();
  if (axis < 0)
    axis += rank;
  // Parameters as tensors of rank `rank`, size 1 except along the axis:
  // f32 constants, or the operands themselves when the model computes them
  // (the zero point then converted in the loop body).
  Type f32 = l.rw.getF32Type();
  auto st = Lowerer::typeOf(scale);
  int64_t n = st.getNumElements();
  SmallVector<int64_t> pshape(rank, 1);
  if (n > 1)
    pshape[axis] = n;
  Value sT, zT;
  if (auto sc = whittle::getConstantFloats(scale))
    sT = l.constant(l.tensorType(pshape, f32), *sc);
  else
    sT = l.reshape(scale, pshape);
  if (!zp)
    zT = l.constant(l.tensorType(pshape, f32), SmallVector<float>(n, 0.0f));
  else if (auto zc = whittle::getConstantInts(zp))
    zT = l.constant(l.tensorType(pshape, f32),
                    SmallVector<float>(zc->begin(), zc->end()));
  else
    zT = l.reshape(zp, pshape);
  bool zpInt = !llvm::isa<FloatType>(Lowerer::typeOf(zT).getElementType());
  return l.linalgElementwise(
      rt, {x, sT, zT}, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Value z = zpInt ? (Value)arith::SIToFPOp::create(b, loc, f32, a[2])
                        : a[2];
        if (!quantize) {
          Value v = arith::SIToFPOp::create(b, loc, f32, a[0]);
          v = arith::SubFOp::create(b, loc, v, z);
          return arith::MulFOp::create(b, loc, v, a[1]);
        }
        // ONNX: saturate(round_half_even(x / scale) + zero_point), here
        // as round_half_even(clamp(x / scale, lo - zp, hi - zp)) + zp: the
        // same for integer bounds, as rounding is monotonic and keeps
        // integers. Rounding a bounded value is cheaper where it is
        // expanded (whittle-expand-math). The clamp is compare-and-select
        // (one maxss/minss on x86; every FPU has it, where Armv7-M would
        // call libm's fmaxf for maxnumf), and NaN saturates to lo - zp
        // instead of reaching fptosi.
        Value v = arith::DivFOp::create(b, loc, a[0], a[1]);
        Value lo = arith::SubFOp::create(
            b, loc,
            arith::ConstantOp::create(
                b, loc, b.getF32FloatAttr(-(double)(int64_t(1) << (bits - 1)))),
            z);
        Value hi = arith::SubFOp::create(
            b, loc,
            arith::ConstantOp::create(
                b, loc,
                b.getF32FloatAttr((double)((int64_t(1) << (bits - 1)) - 1))),
            z);
        using P = arith::CmpFPredicate;
        v = arith::SelectOp::create(
            b, loc, arith::CmpFOp::create(b, loc, P::OGT, v, lo), v, lo);
        v = arith::SelectOp::create(
            b, loc, arith::CmpFOp::create(b, loc, P::OLT, v, hi), v, hi);
        v = math::RoundEvenOp::create(b, loc, v);
        v = arith::AddFOp::create(b, loc, v, z);
        return arith::FPToSIOp::create(b, loc, rt.getElementType(), v);
      });
}

static FailureOr<Value> lowerLookup(Lowerer &l, onnx::QLinearLookupOp op) {
  if (failed(requireInt8(op, op.getX(), "X")) ||
      failed(requireInt8(op, op.getY(), "Y")))
    return failure();
  auto tt = l.tensorType({256}, l.rw.getI8Type());
  auto vals = llvm::dyn_cast<DenseElementsAttr>(op.getTable());
  if (!vals)
    return op.emitError("table must be a dense constant");
  Value table = tosa::ConstOp::create(l.rw, l.loc, tt, vals.reshape(tt));
  return tosa::TableOp::create(l.rw, l.loc, op.getType(), op.getX(), table)
      .getResult();
}

/// Q(DQ(x)) in fixed point, between any of int8 and int16.
static FailureOr<Value> lowerRequantize(Lowerer &l,
                                        onnx::QLinearRequantizeOp op) {
  auto params = readUnaryParams(op);
  if (failed(params))
    return failure();
  const QParams *xp = &params->first, *yp = &params->second;
  return rescale(l, op.getX(), eltOf(op.getY()), {xp->s() / yp->s()},
                 xp->z(), yp->z());
}

FailureOr<SmallVector<Value>>
whittle::lowering::lowerDynamicQuantizeLinear(Lowerer &l,
                                              onnx::DynamicQuantizeLinearOp op) {
  if (failed(requireInt8(op, op.getY(), "y")))
    return failure();
  auto xt = Lowerer::typeOf(op.getX());
  Type f32 = l.rw.getF32Type(), i8 = l.rw.getI8Type();
  auto one = l.tensorType({1}, f32);
  Value flat = l.reshape(op.getX(), {xt.getNumElements()});
  Value mn = tosa::ReduceMinOp::create(l.rw, l.loc, one, flat,
                                       l.rw.getI32IntegerAttr(0));
  Value mx = tosa::ReduceMaxOp::create(l.rw, l.loc, one, flat,
                                       l.rw.getI32IntegerAttr(0));
  auto cst = [&](OpBuilder &b, Location loc, double v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  };
  auto clamp = [&](OpBuilder &b, Location loc, Value v, double lo,
                   double hi) -> Value {
    v = arith::MaximumFOp::create(b, loc, v, cst(b, loc, lo));
    return arith::MinimumFOp::create(b, loc, v, cst(b, loc, hi));
  };
  // The range always includes 0; an all-zero input gets scale 0 and
  // quantizes to the zero point.
  Value scale = l.linalgElementwise(
      one, {mn, mx}, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Value lo = arith::MinimumFOp::create(b, loc, a[0], cst(b, loc, 0));
        Value hi = arith::MaximumFOp::create(b, loc, a[1], cst(b, loc, 0));
        Value d = arith::SubFOp::create(b, loc, hi, lo);
        return arith::DivFOp::create(b, loc, d, cst(b, loc, 255));
      });
  // x / scale, 0 where the scale is 0.
  auto divide = [&](OpBuilder &b, Location loc, Value x, Value s) -> Value {
    Value zero = cst(b, loc, 0);
    Value isZero =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, s, zero);
    Value q = arith::DivFOp::create(b, loc, x, s);
    return arith::SelectOp::create(b, loc, isZero, zero, q);
  };
  // uint8 zero point saturate(round(0 - min / scale)), stored 128 less.
  Value zp = l.linalgElementwise(
      l.tensorType({1}, i8), {mn, scale},
      [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Value lo = arith::MinimumFOp::create(b, loc, a[0], cst(b, loc, 0));
        Value z = arith::NegFOp::create(b, loc, divide(b, loc, lo, a[1]));
        z = math::RoundEvenOp::create(b, loc, clamp(b, loc, z, 0, 255));
        z = arith::SubFOp::create(b, loc, z, cst(b, loc, 128));
        return arith::FPToSIOp::create(b, loc, i8, z);
      });
  SmallVector<int64_t> ones(xt.getRank(), 1);
  Value y = l.linalgElementwise(
      l.tensorType(xt.getShape(), i8),
      {op.getX(), l.reshape(scale, ones), l.reshape(zp, ones)},
      [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Value v = math::RoundEvenOp::create(b, loc, divide(b, loc, a[0], a[1]));
        Value z = arith::SIToFPOp::create(b, loc, f32, a[2]);
        v = arith::AddFOp::create(b, loc, v, z);
        v = clamp(b, loc, v, -128, 127);
        return arith::FPToSIOp::create(b, loc, i8, v);
      });
  return SmallVector<Value>{y, l.reshape(scale, {}), l.reshape(zp, {})};
}

std::optional<FailureOr<Value>>
whittle::lowering::lowerQuantOp(Lowerer &l, Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<FailureOr<Value>>>(op)
      .Case([&](onnx::QuantizeLinearOp o) {
        return lowerQDQ(l, o, o.getX(), o.getYScale(), o.getYZeroPoint(),
                        o.getAxis(), true);
      })
      .Case([&](onnx::DequantizeLinearOp o) -> FailureOr<Value> {
        return lowerQDQ(l, o, o.getX(), o.getXScale(), o.getXZeroPoint(),
                        o.getAxis(), false);
      })
      .Case([&](onnx::QLinearConvOp o) { return lowerQLinearConv(l, o); })
      .Case([&](onnx::QLinearMatMulOp o) { return lowerQLinearMatMul(l, o); })
      .Case([&](onnx::QGemmOp o) { return lowerQGemm(l, o); })
      .Case([&](onnx::QLinearAddOp o) {
        return lowerQLinearBinary(l, o, true);
      })
      .Case([&](onnx::QLinearMulOp o) {
        return lowerQLinearBinary(l, o, false);
      })
      .Case([&](onnx::QLinearGlobalAveragePoolOp o) {
        return lowerQLinearGlobalAveragePool(l, o);
      })
      .Case([&](onnx::QLinearLookupOp o) { return lowerLookup(l, o); })
      .Case([&](onnx::QLinearRequantizeOp o) { return lowerRequantize(l, o); })
      .Case([&](onnx::ConvIntegerOp o) { return lowerConvInteger(l, o); })
      .Case([&](onnx::MatMulIntegerOp o) -> FailureOr<Value> {
        if (failed(requireInt8(o, o.getA(), "A")) ||
            failed(requireInt8(o, o.getB(), "B")))
          return failure();
        auto shape = Lowerer::typeOf(o.getY()).getShape();
        auto scalarConst = [](Value v) {
          if (!v)
            return true;
          auto z = whittle::getConstantInts(v);
          return z && z->size() == 1;
        };
        if (!scalarConst(o.getAZeroPoint()) ||
            !scalarConst(o.getBZeroPoint())) {
          // Per-row / per-column or run-time zero points.
          Value a = centered(l, o.getA(), o.getAZeroPoint(), -2);
          Value b = centered(l, o.getB(), o.getBZeroPoint(), -1);
          return lowerMatMulND(l, o, a, b, l.rw.getI32Type(), 0, 0, shape);
        }
        auto zp = [&](Value v) -> FailureOr<int64_t> {
          if (!v)
            return 0;
          return (*whittle::getConstantInts(v))[0];
        };
        auto az = zp(o.getAZeroPoint()), bz = zp(o.getBZeroPoint());
        if (failed(az) || failed(bz))
          return failure();
        return lowerMatMulND(l, o, o.getA(), o.getB(), l.rw.getI32Type(), *az,
                             *bz, Lowerer::typeOf(o.getY()).getShape());
      })
      .Default([](Operation *) { return std::nullopt; });
}
