//===- ONNXToTOSA.cpp - Lower onnx ops to TOSA ----------------------------===//
//
// Part of whittle. Each onnx op is lowered by one function of the dispatch
// table below; a function that cannot lower its op emits one error naming the
// node (the op location) and the pass reports every such op before failing.
//
// Layout: ONNX is NCHW, TOSA convolution and pooling are NHWC. Each of them is
// wrapped in a pair of transposes; the TOSA canonicalizer and
// `tosa-reduce-transposes` cancel the pairs between adjacent ops. Constant
// weights are re-laid out here, at compile time.
//
//===----------------------------------------------------------------------===//

#include "whittle/Conversion/Passes.h"
#include "Lowerer.h"
#include "whittle/Dialect/ONNX/IR/ONNXOps.h"
#include "whittle/Dialect/ONNX/IR/ONNXShapes.h"
#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Target/Interface/ModelInterface.h"
#include "whittle/Transforms/RuntimeStatus.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <functional>

#include <limits>

namespace whittle {
#define GEN_PASS_DEF_CONVERTONNXTOTOSAPASS
#include "whittle/Conversion/Passes.h.inc"
} // namespace whittle

using namespace mlir;
namespace onnx = whittle::onnx;

using namespace whittle::lowering;


/// Computes the bottom/right padding that yields exactly `out` windows, and
/// how many trailing input rows are never read (TOSA requires exact fits).
static void fitWindow(int64_t in, int64_t padBegin, int64_t extent,
                      int64_t stride, int64_t out, int64_t &padEnd,
                      int64_t &crop) {
  int64_t needed = (out - 1) * stride + extent - in - padBegin;
  crop = needed < 0 ? -needed : 0;
  padEnd = needed < 0 ? 0 : needed;
}

Value whittle::lowering::prepareWindowInput(Lowerer &l, Value x,
                                const onnx::WindowGeometry &g,
                                SmallVector<int64_t> &tosaPad,
                                SmallVector<int64_t> &kernel,
                                SmallVector<int64_t> &stride,
                                SmallVector<int64_t> &dilation) {
  auto xt = Lowerer::typeOf(x);
  bool is1d = xt.getRank() == 3;
  SmallVector<int64_t> in(xt.getShape().drop_front(2));
  SmallVector<int64_t> padB, k = g.kernel, s = g.strides, d = g.dilations,
                             out = g.outSpatial;
  padB.assign(g.pads.begin(), g.pads.begin() + in.size());
  if (is1d) {
    x = l.reshape(x, {xt.getDimSize(0), xt.getDimSize(1), 1, in[0]});
    in.insert(in.begin(), 1);
    padB.insert(padB.begin(), 0);
    k.insert(k.begin(), 1);
    s.insert(s.begin(), 1);
    d.insert(d.begin(), 1);
    out.insert(out.begin(), 1);
  }
  SmallVector<int64_t> padE(2), crop(2);
  for (int i = 0; i < 2; ++i)
    fitWindow(in[i], padB[i], (k[i] - 1) * d[i] + 1, s[i], out[i], padE[i],
              crop[i]);
  auto t = Lowerer::typeOf(x);
  if (crop[0] || crop[1])
    x = l.slice(x, {0, 0, 0, 0},
                {t.getDimSize(0), t.getDimSize(1), in[0] - crop[0],
                 in[1] - crop[1]});
  x = l.transpose(x, kToNHWC);
  tosaPad = {padB[0], padE[0], padB[1], padE[1]};
  kernel = k;
  stride = s;
  dilation = d;
  return x;
}

Value whittle::lowering::finishWindowOutput(Lowerer &l, Value y, RankedTensorType resultType) {
  y = l.transpose(y, kToNCHW);
  return l.reshape(y, resultType.getShape());
}

//===----------------------------------------------------------------------===//
// Lowering functions
//===----------------------------------------------------------------------===//

/// A constant of `type` whose element i is values[idx[i]].
template <typename T>
static Value gatherConstant(Lowerer &l, RankedTensorType type,
                            ArrayRef<T> values, ArrayRef<int64_t> idx) {
  SmallVector<T> out;
  out.reserve(idx.size());
  for (int64_t i : idx)
    out.push_back(values[i]);
  return tosa::ConstOp::create(l.rw, l.loc, type,
                               DenseElementsAttr::get(type, ArrayRef<T>(out)));
}

FailureOr<Value> whittle::lowering::lowerConvNHWC(
    Lowerer &l, const ConvOperands &c, const onnx::WindowGeometry &g,
    int64_t group, int64_t m, RankedTensorType resultType) {
  auto rt = resultType;
  SmallVector<int64_t> pad, kernel, stride, dilation;
  Value x = prepareWindowInput(l, c.x, g, pad, kernel, stride, dilation);
  auto nhwc = Lowerer::typeOf(x);
  int64_t n = nhwc.getDimSize(0), ch = Lowerer::typeOf(c.x).getDimSize(1);
  int64_t kh = kernel[0], kw = kernel[1];
  int64_t oh = rt.getRank() == 4 ? rt.getDimSize(2) : 1;
  int64_t ow = rt.getShape().back();
  Type elt = c.elt, acc = c.acc, wElt = c.wElt ? c.wElt : c.elt;

  int64_t cg = ch / group, mg = m / group;
  auto padAttr = l.rw.getDenseI64ArrayAttr(pad);
  auto strideAttr = l.rw.getDenseI64ArrayAttr(stride);
  auto dilAttr = l.rw.getDenseI64ArrayAttr(dilation);
  auto accAttr = TypeAttr::get(acc);
  bool depthwise = group > 1 && cg == 1;
  bool isConst = c.wFloat || c.wInt;

  // Weights as [M, C/g, kh, kw] (1-D lifted to kh = 1). Constant weights are
  // re-laid out here (an index map applied at compile time); computed ones
  // through tosa.transpose.
  Value wIn = isConst ? Value() : l.reshape(c.w, {m, cg, kh, kw});
  auto relaid = [&](RankedTensorType type, ArrayRef<int64_t> idx) -> Value {
    if (c.wFloat)
      return gatherConstant<float>(l, type, *c.wFloat, idx);
    SmallVector<int8_t> w8(c.wInt->begin(), c.wInt->end());
    return gatherConstant<int8_t>(l, type, w8, idx);
  };
  auto w = [&](int64_t o, int64_t i, int64_t y, int64_t xx) {
    return ((o * cg + i) * kh + y) * kw + xx;
  };
  Value bias = c.bias;
  if (!bias)
    bias = l.splat(acc, {m}, 0.0);
  auto zp = [&](Type t, int64_t v) {
    return *tosa::createZeroPointTensor(l.rw, l.loc, t, v);
  };

  Value y;
  if (depthwise) {
    // HWCM weights, M = channel multiplier.
    int64_t mult = m / ch;
    Value wv;
    if (isConst) {
      SmallVector<int64_t> hwcm(kh * kw * ch * mult);
      for (int64_t ci = 0; ci < ch; ++ci)
        for (int64_t mi = 0; mi < mult; ++mi)
          for (int64_t yy = 0; yy < kh; ++yy)
            for (int64_t xx = 0; xx < kw; ++xx)
              hwcm[((yy * kw + xx) * ch + ci) * mult + mi] =
                  w(ci * mult + mi, 0, yy, xx);
      wv = relaid(l.tensorType({kh, kw, ch, mult}, wElt), hwcm);
    } else {
      wv = l.transpose(l.reshape(wIn, {ch, mult, kh, kw}), {2, 3, 0, 1});
    }
    y = tosa::DepthwiseConv2DOp::create(
        l.rw, l.loc, l.tensorType({n, oh, ow, m}, acc), x, wv, bias,
        zp(elt, c.xZp), zp(wElt, c.wZp), padAttr, strideAttr, dilAttr, accAttr);
  } else {
    // Regular or grouped: one OHWI conv2d per group, concatenated.
    SmallVector<Value> parts;
    for (int64_t gi = 0; gi < group; ++gi) {
      Value wv;
      if (isConst) {
        SmallVector<int64_t> ohwi(mg * kh * kw * cg);
        for (int64_t o = 0; o < mg; ++o)
          for (int64_t yy = 0; yy < kh; ++yy)
            for (int64_t xx = 0; xx < kw; ++xx)
              for (int64_t i = 0; i < cg; ++i)
                ohwi[((o * kh + yy) * kw + xx) * cg + i] =
                    w(gi * mg + o, i, yy, xx);
        wv = relaid(l.tensorType({mg, kh, kw, cg}, wElt), ohwi);
      } else {
        Value wg = group > 1 ? l.slice(wIn, {gi * mg, 0, 0, 0}, {mg, cg, kh, kw})
                             : wIn;
        wv = l.transpose(wg, {0, 2, 3, 1});
      }
      Value bv = group > 1 ? l.slice(bias, {gi * mg}, {mg}) : bias;
      Value xin = x;
      if (group > 1)
        xin = l.slice(x, {0, 0, 0, gi * cg},
                      {n, nhwc.getDimSize(1), nhwc.getDimSize(2), cg});
      parts.push_back(tosa::Conv2DOp::create(
          l.rw, l.loc, l.tensorType({n, oh, ow, mg}, acc), xin, wv, bv,
          zp(elt, c.xZp), zp(wElt, c.wZp), padAttr, strideAttr, dilAttr,
          accAttr));
    }
    y = parts.size() == 1
            ? parts[0]
            : (Value)tosa::ConcatOp::create(
                  l.rw, l.loc, l.tensorType({n, oh, ow, m}, acc), parts, 3);
  }
  return y;
}

static FailureOr<Value> lowerConv(Lowerer &l, onnx::ConvOp op) {
  auto xt = Lowerer::typeOf(op.getX()), wt = Lowerer::typeOf(op.getW());
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  if (xt.getRank() > 4) {
    // Three or more spatial dimensions: one generic in NC... layout.
    auto g = convGeometry(op, /*anyRank=*/true);
    if (failed(g))
      return failure();
    if (!xt.getElementType().isF32())
      return op.emitError("Conv on ") << xt.getElementType()
                                      << " is not supported yet";
    return lowerConvND(l, op.getX(), op.getW(), op.getB(), *g, op.getGroup(),
                       rt);
  }
  auto g = convGeometry(op);
  if (failed(g))
    return failure();
  if (!xt.getElementType().isF32())
    return op.emitError("Conv on ") << xt.getElementType()
                                    << " is not supported yet";
  ConvOperands c;
  c.x = op.getX();
  c.w = op.getW();
  c.wFloat = whittle::getConstantFloats(op.getW());
  c.bias = op.getB();
  c.elt = c.acc = l.rw.getF32Type();
  auto y = lowerConvNHWC(l, c, *g, op.getGroup(), wt.getDimSize(0), rt);
  if (failed(y))
    return failure();
  return finishWindowOutput(l, *y, rt);
}

template <typename PoolOp>
static FailureOr<Value> lowerPool(Lowerer &l, PoolOp op, bool isMax,
                                 bool countIncludePad) {
  auto xt = Lowerer::typeOf(op.getX());
  auto rt = llvm::cast<RankedTensorType>(op.getY().getType());
  std::string err;
  auto g = onnx::computeWindowGeometry(
      xt.getShape().drop_front(2), onnx::getI64Array(op.getKernelShape()),
      op.getStridesAttr(), op.getDilationsAttr(), op.getPadsAttr(),
      op.getAutoPad(), op.getCeilMode() != 0, err);
  if (!g)
    return op.emitError(err);
  // TOSA pools 1-D and 2-D windows without dilation; the rest is a generic.
  if ((xt.getRank() != 3 && xt.getRank() != 4) ||
      llvm::any_of(g->dilations, [](int64_t d) { return d != 1; })) {
    auto y = lowerPoolND(l, op.getX(), *g, rt, isMax, countIncludePad);
    if (failed(y))
      return op.emitError("average pooling of ")
             << xt.getElementType() << " is not supported";
    return y;
  }
  Value xin = op.getX();
  bool explicitZeroPad = !isMax && countIncludePad &&
                         llvm::any_of(g->pads, [](int64_t p) { return p; });
  if (explicitZeroPad) {
    // Padding counts as zeros: materialise it, then pool without padding.
    SmallVector<int64_t> padding(4, 0);
    size_t ns = g->pads.size() / 2;
    for (size_t i = 0; i < ns; ++i) {
      padding.push_back(g->pads[i]);
      padding.push_back(g->pads[i + ns]);
    }
    SmallVector<int64_t> shape(xt.getShape());
    for (size_t i = 0; i < ns; ++i)
      shape[2 + i] += g->pads[i] + g->pads[i + ns];
    xin = tosa::PadOp::create(
        l.rw, l.loc, l.tensorType(shape, xt.getElementType()), xin,
        l.shapeValue(padding),
        l.splat(xt.getElementType(), {1}, 0.0));
    for (int64_t &p : g->pads)
      p = 0;
  }
  SmallVector<int64_t> pad, kernel, stride, dilation;
  Value x = prepareWindowInput(l, xin, *g, pad, kernel, stride, dilation);
  auto nhwc = Lowerer::typeOf(x);
  int64_t oh = rt.getRank() == 4 ? rt.getDimSize(2) : 1;
  auto outType = l.tensorType(
      {nhwc.getDimSize(0), oh, rt.getShape().back(), nhwc.getDimSize(3)},
      xt.getElementType());
  Value y;
  if (isMax)
    y = tosa::MaxPool2dOp::create(l.rw, l.loc, outType, x,
                                  l.rw.getDenseI64ArrayAttr(kernel),
                                  l.rw.getDenseI64ArrayAttr(stride),
                                  l.rw.getDenseI64ArrayAttr(pad));
  else
    y = tosa::AvgPool2dOp::create(l.rw, l.loc, outType, x,
                                  l.rw.getDenseI64ArrayAttr(kernel),
                                  l.rw.getDenseI64ArrayAttr(stride),
                                  l.rw.getDenseI64ArrayAttr(pad),
                                  TypeAttr::get(l.rw.getF32Type()));
  return finishWindowOutput(l, y, rt);
}

/// Sums over `axes` (kept as size-1 dims), then scales by 1/count.
static Value reduceMean(Lowerer &l, Value x, ArrayRef<int64_t> axes) {
  auto t = Lowerer::typeOf(x);
  SmallVector<int64_t> shape(t.getShape());
  int64_t count = 1;
  for (int64_t a : axes) {
    count *= shape[a];
    shape[a] = 1;
    x = tosa::ReduceSumOp::create(
        l.rw, l.loc, l.tensorType(shape, t.getElementType()), x,
        l.rw.getI32IntegerAttr(a));
  }
  Value scale = l.splat(t.getElementType(),
                        SmallVector<int64_t>(shape.size(), 1), 1.0 / count);
  return l.mul(l.tensorType(shape, t.getElementType()), x, scale);
}

/// Statistics over `axes` (kept as size-1 dims) as used by LayerNormalization
/// and InstanceNormalization: y = (x - mean) * inv, inv = 1/sqrt(var + eps).
struct Normalized {
  Value mean, inv, y;
};
static Normalized normalize(Lowerer &l, Value x, ArrayRef<int64_t> axes,
                            float epsilon) {
  auto t = Lowerer::typeOf(x);
  Normalized n;
  n.mean = reduceMean(l, x, axes);
  Value d = l.binary<tosa::SubOp>(t, x, n.mean);
  Value var = reduceMean(l, l.mul(t, d, d), axes);
  auto vt = Lowerer::typeOf(var);
  Value eps = l.splat(t.getElementType(),
                      SmallVector<int64_t>(t.getRank(), 1), epsilon);
  n.inv = tosa::RsqrtOp::create(l.rw, l.loc, vt,
                                l.binary<tosa::AddOp>(vt, var, eps));
  n.y = l.mul(t, d, n.inv);
  return n;
}

static FailureOr<SmallVector<int64_t>> normalizeAxes(Operation *op,
                                                     ArrayRef<int64_t> axes,
                                                     int64_t rank) {
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) {
      op->emitError("axis ") << a << " out of range for rank " << rank;
      return failure();
    }
    out.push_back(a < 0 ? a + rank : a);
  }
  llvm::sort(out);
  return out;
}

static FailureOr<Value> lowerGemm(Lowerer &l, onnx::GemmOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  Type f32 = rt.getElementType();
  Value a = op.getA();
  if (op.getTransA())
    a = l.transpose(a, {1, 0});
  auto at = Lowerer::typeOf(a);
  int64_t m = at.getDimSize(0), k = at.getDimSize(1), n = rt.getDimSize(1);
  Value b = op.getB();
  if (op.getTransB()) {
    // Constant weights are transposed now rather than into the arena at run
    // time.
    auto bt = Lowerer::typeOf(b);
    if (auto w = whittle::getConstantFloats(b)) {
      int64_t rows = bt.getDimSize(0), cols = bt.getDimSize(1);
      SmallVector<float> t(w->size());
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          t[c * rows + r] = (*w)[r * cols + c];
      b = l.constant(l.tensorType({cols, rows}, bt.getElementType()), t);
    } else {
      b = l.transpose(b, {1, 0});
    }
  }
  Value y = tosa::MatMulOp::create(
      l.rw, l.loc, l.tensorType({1, m, n}, f32), l.reshape(a, {1, m, k}),
      l.reshape(b, {1, k, n}), *tosa::createZeroPointTensor(l.rw, l.loc, f32, 0),
      *tosa::createZeroPointTensor(l.rw, l.loc, f32, 0));
  y = l.reshape(y, {m, n});
  if (op.getAlpha().convertToFloat() != 1.0f)
    y = l.mul(rt, y, l.splat(f32, {1, 1}, op.getAlpha().convertToFloat()));
  if (op.getC() && op.getBeta().convertToFloat() != 0.0f) {
    Value c = op.getC();
    if (op.getBeta().convertToFloat() != 1.0f) {
      auto ct = Lowerer::typeOf(c);
      c = l.mul(ct, c,
                l.splat(f32, SmallVector<int64_t>(ct.getRank(), 1),
                        op.getBeta().convertToFloat()));
    }
    y = l.binary<tosa::AddOp>(rt, y, c);
  }
  return y;
}

FailureOr<Value> whittle::lowering::lowerMatMulND(
    Lowerer &l, Operation *op, Value aV, Value bV, Type acc, int64_t aZp,
    int64_t bZp, ArrayRef<int64_t> resultShape) {
  auto at = Lowerer::typeOf(aV), bt = Lowerer::typeOf(bV);
  Type elt = at.getElementType();
  SmallVector<int64_t> as(at.getShape()), bs(bt.getShape());
  if (as.size() == 1)
    as.insert(as.begin(), 1);
  if (bs.size() == 1)
    bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  auto prod = [](ArrayRef<int64_t> s) {
    int64_t p = 1;
    for (int64_t d : s)
      p *= d;
    return p;
  };
  int64_t batchA = prod(ArrayRef<int64_t>(as).drop_back(2));
  int64_t batchB = prod(ArrayRef<int64_t>(bs).drop_back(2));
  Value a, b;
  int64_t batch;
  if (batchB == 1) {
    // Fold A's batch into rows.
    a = l.reshape(aV, {1, batchA * m, k});
    b = l.reshape(bV, {1, k, n});
    batch = 1;
    m *= batchA;
  } else if (ArrayRef<int64_t>(as).drop_back(2) ==
             ArrayRef<int64_t>(bs).drop_back(2)) {
    a = l.reshape(aV, {batchA, m, k});
    b = l.reshape(bV, {batchB, k, n});
    batch = batchA;
  } else {
    return op->emitError("MatMul with broadcast batch dimensions is not "
                         "supported yet");
  }
  Value y;
  if (elt.isSignlessInteger(32)) {
    // int32 operands (zero points already subtracted): TOSA's matmul takes
    // none, linalg's does.
    auto t = l.tensorType({batch, m, n}, acc);
    Value init = tensor::EmptyOp::create(l.rw, l.loc, t.getShape(), acc);
    Value zero = arith::ConstantOp::create(l.rw, l.loc, acc,
                                           l.rw.getIntegerAttr(acc, 0));
    init = linalg::FillOp::create(l.rw, l.loc, zero, init).getResult(0);
    y = linalg::BatchMatmulOp::create(l.rw, l.loc, TypeRange{t},
                                      ValueRange{a, b}, ValueRange{init})
            .getResult(0);
  } else {
    y = tosa::MatMulOp::create(
        l.rw, l.loc, l.tensorType({batch, m, n}, acc), a, b,
        *tosa::createZeroPointTensor(l.rw, l.loc, elt, aZp),
        *tosa::createZeroPointTensor(l.rw, l.loc, elt, bZp));
  }
  return l.reshape(y, resultShape);
}

static FailureOr<Value> lowerMatMul(Lowerer &l, onnx::MatMulOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  return lowerMatMulND(l, op, op.getA(), op.getB(), rt.getElementType(), 0, 0,
                       rt.getShape());
}

/// x^y for integers of any widths, in x's type: binary exponentiation over
/// all the bits of y (wrapping, as ONNX Runtime's integer pow does); 0 for
/// negative y unless |x| = 1.
static Value integerPow(OpBuilder &b, Location loc, Value x, Value y,
                        bool unsignedX, bool unsignedY) {
  auto xt = llvm::cast<IntegerType>(x.getType());
  Type i64 = b.getI64Type();
  Value base = convertScalar(b, loc, x, i64, unsignedX),
        e = convertScalar(b, loc, y, i64, unsignedY);
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  };
  Value result = c(1), sq = base;
  unsigned bits = llvm::cast<IntegerType>(y.getType()).getWidth();
  for (unsigned i = 0; i + 1 < bits; ++i) {
    Value bit = arith::AndIOp::create(
        b, loc, arith::ShRSIOp::create(b, loc, e, c(i)), c(1));
    Value take = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, bit,
                                       c(0));
    result = arith::SelectOp::create(
        b, loc, take, arith::MulIOp::create(b, loc, result, sq), result);
    if (i + 2 < bits)
      sq = arith::MulIOp::create(b, loc, sq, sq);
  }
  // Negative exponents: 1 / x^|y| in integers.
  Value negative =
      unsignedY ? (Value)arith::ConstantOp::create(b, loc, b.getBoolAttr(false))
                : (Value)arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, e,
                                        c(0));
  Value one = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, base,
                                    c(1));
  Value minusOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                         base, c(-1));
  Value odd = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::ne, arith::AndIOp::create(b, loc, e, c(1)),
      c(0));
  Value inverse = arith::SelectOp::create(
      b, loc, one, c(1),
      arith::SelectOp::create(
          b, loc, minusOne,
          arith::SelectOp::create(b, loc, odd, c(-1), c(1)), c(0)));
  result = arith::SelectOp::create(b, loc, negative, inverse, result);
  return convertScalar(b, loc, result, xt);
}

/// x^y for a float x and an integer y by binary exponentiation in x's type
/// (exact products, as a libm pow gives for integral exponents); 1 / x^|y|
/// for negative y.
static Value floatIntegerPow(OpBuilder &b, Location loc, Value x, Value y,
                             bool isUnsigned) {
  Type i64 = b.getI64Type(), f = x.getType();
  Value e = convertScalar(b, loc, y, i64, isUnsigned);
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  };
  Value one = arith::ConstantOp::create(b, loc, b.getFloatAttr(f, 1.0));
  Value negative =
      isUnsigned ? (Value)arith::ConstantOp::create(b, loc, b.getBoolAttr(false))
                 : (Value)arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, e,
                                         c(0));
  // |y| (INT64_MIN stays negative: its bits still count as 2^63).
  e = arith::SelectOp::create(b, loc, negative,
                              arith::SubIOp::create(b, loc, c(0), e), e);
  Value result = one, sq = x;
  unsigned bits = llvm::cast<IntegerType>(y.getType()).getWidth();
  for (unsigned i = 0; i < bits; ++i) {
    Value bit = arith::AndIOp::create(
        b, loc, arith::ShRUIOp::create(b, loc, e, c(i)), c(1));
    Value take = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, bit,
                                       c(0));
    result = arith::SelectOp::create(
        b, loc, take, arith::MulFOp::create(b, loc, result, sq), result);
    if (i + 1 < bits)
      sq = arith::MulFOp::create(b, loc, sq, sq);
  }
  return arith::SelectOp::create(
      b, loc, negative, arith::DivFOp::create(b, loc, one, result), result);
}

/// x^y in floating point as exp(y * log|x|), with the sign of x for odd
/// integral y, NaN for a negative x and fractional y, and x^0 = 1.
static Value floatPow(OpBuilder &b, Location loc, Value x, Value y) {
  Type f = x.getType();
  auto c = [&](double v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(f, v));
  };
  using P = arith::CmpFPredicate;
  Value mag = math::ExpOp::create(
      b, loc,
      arith::MulFOp::create(
          b, loc, y,
          math::LogOp::create(b, loc, math::AbsFOp::create(b, loc, x))));
  Value integral = arith::CmpFOp::create(b, loc, P::OEQ,
                                         math::FloorOp::create(b, loc, y), y);
  Value half = arith::MulFOp::create(b, loc, y, c(0.5));
  Value odd = arith::AndIOp::create(
      b, loc, integral,
      arith::CmpFOp::create(b, loc, P::ONE,
                            math::FloorOp::create(b, loc, half), half));
  Value negative = arith::CmpFOp::create(b, loc, P::OLT, x, c(0.0));
  Value r = arith::SelectOp::create(
      b, loc, negative,
      arith::SelectOp::create(
          b, loc, integral,
          arith::SelectOp::create(b, loc, odd,
                                  arith::NegFOp::create(b, loc, mag), mag),
          c(std::numeric_limits<double>::quiet_NaN())),
      mag);
  return arith::SelectOp::create(
      b, loc, arith::CmpFOp::create(b, loc, P::OEQ, y, c(0.0)), c(1.0), r);
}

static FailureOr<Value> lowerPow(Lowerer &l, onnx::PowOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto exps = whittle::getConstantFloats(op.getB());
  if (exps && !exps->empty() &&
      llvm::all_of(*exps, [&](float e) { return e == (*exps)[0]; })) {
    float e = (*exps)[0];
    Value x = op.getA();
    // Small integer and half exponents are exact as products / sqrt.
    if (e == 1.0f)
      return l.reshape(x, rt.getShape());
    if (e == 2.0f)
      return l.mul(rt, x, x);
    if (e == 3.0f)
      return l.mul(rt, l.mul(Lowerer::typeOf(x), x, x), x);
    if (e == 0.5f)
      return l.linalgElementwise(
          rt, {x}, [](OpBuilder &b, Location loc, ValueRange a) {
            return math::SqrtOp::create(b, loc, a[0]).getResult();
          });
  }
  Type xElt = Lowerer::typeOf(op.getA()).getElementType();
  Type yElt = Lowerer::typeOf(op.getB()).getElementType();
  if (xElt == yElt && llvm::isa<FloatType>(xElt))
    return l.binary<tosa::PowOp>(rt, op.getA(), op.getB());
  if (!llvm::isa<FloatType>(xElt) && !llvm::isa<FloatType>(yElt))
    return l.linalgElementwise(
        rt, {op.getA(), op.getB()},
        [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          return integerPow(b, loc, a[0], a[1], l.unsignedOperands & 1,
                            l.unsignedOperands & 2);
        });
  if (!llvm::isa<FloatType>(yElt))
    return l.linalgElementwise(
        rt, {op.getA(), op.getB()},
        [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          return floatIntegerPow(b, loc, a[0], a[1], l.unsignedOperands & 2);
        });
  // A float exponent with an integer (or other float) base: the power in
  // f32, converted to the base's type (numpy's and ONNX Runtime's result).
  Type f32 = l.rw.getF32Type();
  return l.linalgElementwise(
      rt, {op.getA(), op.getB()},
      [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Value p = floatPow(
            b, loc, convertScalar(b, loc, a[0], f32, l.unsignedOperands & 1),
            convertScalar(b, loc, a[1], f32, l.unsignedOperands & 2));
        return convertScalar(b, loc, p, xElt, false, l.unsignedOut);
      });
}

static FailureOr<Value> lowerSoftmax(Lowerer &l, onnx::SoftmaxOp op) {
  auto t = llvm::cast<RankedTensorType>(op.getType());
  int64_t rank = t.getRank(), axis = op.getAxis();
  if (axis < -rank || axis >= rank)
    return op.emitError("axis ") << axis << " out of range";
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> redShape(t.getShape());
  redShape[axis] = 1;
  auto redType = l.tensorType(redShape, t.getElementType());
  Value x = op.getInput();
  Value max = tosa::ReduceMaxOp::create(l.rw, l.loc, redType, x,
                                        l.rw.getI32IntegerAttr(axis));
  Value e = tosa::ExpOp::create(l.rw, l.loc, t,
                                l.binary<tosa::SubOp>(t, x, max));
  Value sum = tosa::ReduceSumOp::create(l.rw, l.loc, redType, e,
                                        l.rw.getI32IntegerAttr(axis));
  return l.mul(t, e, tosa::ReciprocalOp::create(l.rw, l.loc, redType, sum));
}

static FailureOr<Value> lowerClip(Lowerer &l, onnx::ClipOp op) {
  auto t = llvm::cast<RankedTensorType>(op.getType());
  Type elt = t.getElementType();
  if (elt.isSignlessInteger() && !elt.isInteger(1)) {
    // Integer clamp: constant bounds become one tosa.clamp (int8/int16
    // after quantization); bounds read at run time, max then min.
    auto bound = [&](Value v, int64_t dflt) -> std::optional<int64_t> {
      if (!v)
        return dflt;
      auto c = whittle::getConstantInts(v);
      if (!c || c->size() != 1)
        return std::nullopt;
      return (*c)[0];
    };
    unsigned w = elt.getIntOrFloatBitWidth();
    auto lo = bound(op.getMin(), APInt::getSignedMinValue(w).getSExtValue());
    auto hi = bound(op.getMax(), APInt::getSignedMaxValue(w).getSExtValue());
    if (!lo || !hi || w == 64) {
      SmallVector<Value> operands = {op.getInput()};
      Value mn = op.getMin(), mx = op.getMax();
      if (mn)
        operands.push_back(mn);
      if (mx)
        operands.push_back(mx);
      return l.linalgElementwise(
          t, operands, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
            Value v = a[0];
            size_t next = 1;
            if (mn)
              v = arith::MaxSIOp::create(b, loc, v, a[next++]);
            if (mx)
              v = arith::MinSIOp::create(b, loc, v, a[next++]);
            return v;
          });
    }
    return tosa::ClampOp::create(l.rw, l.loc, t, op.getInput(),
                                 l.rw.getIntegerAttr(elt, *lo),
                                 l.rw.getIntegerAttr(elt, *hi))
        .getResult();
  }
  if (!elt.isF32())
    return op.emitError("Clip on ") << elt << " is not supported yet";
  // Constant bounds become one tosa.clamp; computed ones maximum/minimum.
  auto bound = [&](Value v, float dflt, float &out) {
    if (!v) {
      out = dflt;
      return true;
    }
    auto c = whittle::getConstantFloats(v);
    if (!c || c->size() != 1)
      return false;
    out = (*c)[0];
    return true;
  };
  float lo, hi;
  bool constLo = bound(op.getMin(), -std::numeric_limits<float>::infinity(), lo);
  bool constHi = bound(op.getMax(), std::numeric_limits<float>::infinity(), hi);
  if (constLo && constHi)
    return tosa::ClampOp::create(l.rw, l.loc, t, op.getInput(),
                                 l.rw.getF32FloatAttr(lo),
                                 l.rw.getF32FloatAttr(hi))
        .getResult();
  Value x = op.getInput();
  if (op.getMin())
    x = l.binary<tosa::MaximumOp>(t, x, op.getMin());
  if (op.getMax())
    x = l.binary<tosa::MinimumOp>(t, x, op.getMax());
  return x;
}

static FailureOr<Value> lowerConstant(Lowerer &l, Operation *op,
                                      ElementsAttr value) {
  // No elements, no data: a buffer of the right type (never a global).
  auto type = llvm::cast<RankedTensorType>(value.getType());
  if (type.getNumElements() == 0)
    return tensor::EmptyOp::create(l.rw, l.loc, type.getShape(),
                                   type.getElementType())
        .getResult();
  return tosa::ConstOp::create(l.rw, l.loc, value.getType(), value)
      .getResult();
}

/// Scalar float constant of `type` (f32/f64/f16) for linalg bodies.
static Value fconst(OpBuilder &b, Location loc, Type type, double v) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
}

Value whittle::lowering::convertScalar(OpBuilder &b, Location loc, Value x,
                                      Type to, bool fromUnsignedInt,
                                      bool toUnsignedInt) {
  Type from = x.getType();
  if (from == to)
    return x;
  bool fromFloat = llvm::isa<FloatType>(from), toFloat = llvm::isa<FloatType>(to);
  auto fromInt = llvm::dyn_cast<IntegerType>(from);
  auto toInt = llvm::dyn_cast<IntegerType>(to);
  if (toInt && toInt.getWidth() == 1) {
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x,
                                   fconst(b, loc, from, 0.0));
    Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(from, 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, zero);
  }
  if (fromFloat && toFloat)
    return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
               ? (Value)arith::ExtFOp::create(b, loc, to, x)
               : (Value)arith::TruncFOp::create(b, loc, to, x);
  bool fromUnsigned = fromInt && (fromUnsignedInt || fromInt.isUnsigned() ||
                                  fromInt.getWidth() == 1);
  if (fromInt && toFloat)
    return fromUnsigned ? (Value)arith::UIToFPOp::create(b, loc, to, x)
                        : (Value)arith::SIToFPOp::create(b, loc, to, x);
  if (fromFloat && toInt)
    return toUnsignedInt || toInt.isUnsigned()
               ? (Value)arith::FPToUIOp::create(b, loc, to, x)
               : (Value)arith::FPToSIOp::create(b, loc, to, x);
  unsigned fw = fromInt.getWidth(), tw = toInt.getWidth();
  if (fw < tw)
    return fromUnsigned ? (Value)arith::ExtUIOp::create(b, loc, to, x)
                        : (Value)arith::ExtSIOp::create(b, loc, to, x);
  if (fw > tw)
    return arith::TruncIOp::create(b, loc, to, x);
  return arith::BitcastOp::create(b, loc, to, x);
}

/// Collects reduction axes from the attribute or the constant input;
/// `empty` is true when none are given.
static FailureOr<SmallVector<int64_t>>
reductionAxes(Operation *op, Value axesInput, ArrayAttr axesAttr, int64_t rank,
              bool &empty) {
  SmallVector<int64_t> axes;
  if (axesInput) {
    auto c = whittle::getConstantInts(axesInput);
    if (!c) {
      op->emitError("reduction axes must be constant");
      return failure();
    }
    axes = *c;
  } else {
    axes = onnx::getI64Array(axesAttr);
  }
  empty = axes.empty();
  if (empty)
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  return normalizeAxes(op, axes, rank);
}

/// Axes read at run time: with keepdims the static result shape says which
/// dimensions are reduced (those of extent 1 that were not; reducing an
/// extent-1 dimension changes nothing), and a run-time check confirms that
/// the axes name exactly those. Without keepdims which dimensions vanish
/// is ambiguous.
static FailureOr<SmallVector<int64_t>>
runtimeReductionAxes(Lowerer &l, Operation *op, Value axesInput,
                     int64_t keepdims) {
  auto in = Lowerer::typeOf(op->getOperand(0));
  auto out = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  if (!keepdims || out.getRank() != in.getRank()) {
    op->emitError("reduction axes read at run time need keepdims = 1");
    return failure();
  }
  int64_t rank = in.getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < rank; ++d)
    if (out.getDimSize(d) != in.getDimSize(d)) {
      if (out.getDimSize(d) != 1) {
        op->emitError("result dimension ") << d << " is neither kept nor "
                                              "reduced";
        return failure();
      }
      axes.push_back(d);
    }
  OpBuilder &b = l.rw;
  Location loc = l.loc;
  Type i64 = b.getI64Type();
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  };
  using P = arith::CmpIPredicate;
  Value ok = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
  SmallVector<Value> named(rank,
                           arith::ConstantOp::create(b, loc,
                                                     b.getBoolAttr(false)));
  int64_t n = Lowerer::typeOf(axesInput).getNumElements();
  for (int64_t j = 0; j < n; ++j) {
    Value a = convertScalar(
        b, loc,
        tensor::ExtractOp::create(b, loc, axesInput, ValueRange{cidx(b, loc, j)}),
        i64);
    a = arith::SelectOp::create(
        b, loc, arith::CmpIOp::create(b, loc, P::slt, a, c(0)),
        arith::AddIOp::create(b, loc, a, c(rank)), a);
    // Each axis must be a dimension whose result extent is 1.
    Value valid = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
    for (int64_t d = 0; d < rank; ++d) {
      Value hit = arith::CmpIOp::create(b, loc, P::eq, a, c(d));
      named[d] = arith::OrIOp::create(b, loc, named[d], hit);
      if (out.getDimSize(d) == 1)
        valid = arith::OrIOp::create(b, loc, valid, hit);
    }
    ok = arith::AndIOp::create(b, loc, ok, valid);
  }
  for (int64_t d : axes)
    ok = arith::AndIOp::create(b, loc, ok, named[d]);
  addRuntimeAssert(l, ok, whittle::kStatusShapeMismatch,
                   "reduction axes do not give the compiled shape");
  return axes;
}

template <typename RedOp>
static Value reduceAxes(Lowerer &l, Value x, ArrayRef<int64_t> axes) {
  auto t = Lowerer::typeOf(x);
  SmallVector<int64_t> shape(t.getShape());
  for (int64_t a : axes) {
    shape[a] = 1;
    x = RedOp::create(l.rw, l.loc, l.tensorType(shape, t.getElementType()), x,
                      l.rw.getI32IntegerAttr(a));
  }
  return x;
}

static Value unaryLinalg(Lowerer &l, RankedTensorType rt, Value x,
                         function_ref<Value(OpBuilder &, Location, Value)> f) {
  return l.linalgElementwise(rt, {x},
                             [&](OpBuilder &b, Location loc, ValueRange a) {
                               return f(b, loc, a[0]);
                             });
}

template <typename ReduceOpTy>
static FailureOr<Value> lowerReduce(Lowerer &l, ReduceOpTy op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  Value x = op.getData();
  auto in = Lowerer::typeOf(x);
  Type elt = in.getElementType();
  bool empty = false;
  FailureOr<SmallVector<int64_t>> axes =
      op.getAxesInput() && !whittle::getConstantAttr(op.getAxesInput())
          ? runtimeReductionAxes(l, op, op.getAxesInput(), op.getKeepdims())
          : reductionAxes(op, op.getAxesInput(), op.getAxesAttr(),
                          in.getRank(), empty);
  if (failed(axes))
    return failure();
  if (empty && op.getNoopWithEmptyAxes())
    return l.reshape(x, rt.getShape());
  if (!llvm::isa<FloatType>(elt) && !elt.isInteger(32))
    return op.emitError("'") << op->getName().stripDialect() << "' on " << elt
                             << " is not supported yet";
  StringRef name = op->getName().stripDialect();
  auto sq = [&](Value v) { return l.mul(Lowerer::typeOf(v), v, v); };
  auto logOf = [&](Value v) {
    return unaryLinalg(l, Lowerer::typeOf(v), v,
                       [](OpBuilder &b, Location loc, Value a) -> Value {
                         return math::LogOp::create(b, loc, a);
                       });
  };
  Value r;
  if (name == "ReduceSum")
    r = reduceAxes<tosa::ReduceSumOp>(l, x, *axes);
  else if (name == "ReduceMax")
    r = reduceAxes<tosa::ReduceMaxOp>(l, x, *axes);
  else if (name == "ReduceMin")
    r = reduceAxes<tosa::ReduceMinOp>(l, x, *axes);
  else if (name == "ReduceProd")
    r = reduceAxes<tosa::ReduceProductOp>(l, x, *axes);
  else if (name == "ReduceL1")
    r = reduceAxes<tosa::ReduceSumOp>(
        l, tosa::AbsOp::create(l.rw, l.loc, in, x), *axes);
  else if (name == "ReduceSumSquare")
    r = reduceAxes<tosa::ReduceSumOp>(l, sq(x), *axes);
  else if (name == "ReduceL2")
    r = unaryLinalg(l, Lowerer::typeOf(reduceAxes<tosa::ReduceSumOp>(l, sq(x), *axes)),
                    reduceAxes<tosa::ReduceSumOp>(l, sq(x), *axes),
                    [](OpBuilder &b, Location loc, Value a) -> Value {
                      return math::SqrtOp::create(b, loc, a);
                    });
  else if (name == "ReduceLogSum")
    r = logOf(reduceAxes<tosa::ReduceSumOp>(l, x, *axes));
  else if (name == "ReduceLogSumExp") {
    Value max = reduceAxes<tosa::ReduceMaxOp>(l, x, *axes);
    Value e = tosa::ExpOp::create(l.rw, l.loc, in,
                                  l.binary<tosa::SubOp>(in, x, max));
    Value sum = reduceAxes<tosa::ReduceSumOp>(l, e, *axes);
    r = l.binary<tosa::AddOp>(Lowerer::typeOf(sum), logOf(sum), max);
  } else {
    return op.emitError("no lowering for '") << name << "'";
  }
  return l.reshape(r, rt.getShape());
}

template <typename ArgOpTy>
static FailureOr<Value> lowerArg(Lowerer &l, ArgOpTy op, bool isMax) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  Value x = op.getData();
  auto in = Lowerer::typeOf(x);
  int64_t rank = in.getRank(), axis = op.getAxis();
  if (axis < -rank || axis >= rank)
    return op.emitError("axis ") << axis << " out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  if (!llvm::isa<FloatType>(in.getElementType()))
    return op.emitError("'") << op->getName().stripDialect() << "' on "
                             << in.getElementType() << " is not supported yet";
  if (!isMax)
    x = tosa::NegateOp::create(
        l.rw, l.loc, in, x,
        *tosa::createZeroPointTensor(l.rw, l.loc, in.getElementType(), 0),
        *tosa::createZeroPointTensor(l.rw, l.loc, in.getElementType(), 0));
  if (op.getSelectLastIndex())
    x = tosa::ReverseOp::create(l.rw, l.loc, in, x,
                                l.rw.getI32IntegerAttr(axis));
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis)
      shape.push_back(in.getDimSize(i));
  Value idx = tosa::ArgMaxOp::create(
      l.rw, l.loc, l.tensorType(shape, l.rw.getI32Type()), x,
      l.rw.getI32IntegerAttr(axis));
  Value wide = tosa::CastOp::create(
      l.rw, l.loc, l.tensorType(shape, l.rw.getI64Type()), idx);
  if (op.getSelectLastIndex()) {
    int64_t n = in.getDimSize(axis);
    wide = l.linalgElementwise(
        l.tensorType(shape, l.rw.getI64Type()), {wide},
        [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          Value last = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(n - 1));
          return arith::SubIOp::create(b, loc, last, a[0]);
        });
  }
  return l.reshape(wide, rt.getShape());
}

/// log(softmax(x)) along `axis` (non-negative), max-shifted.
static Value logSoftmax(Lowerer &l, Value x, int64_t axis) {
  auto t = Lowerer::typeOf(x);
  Value max = reduceAxes<tosa::ReduceMaxOp>(l, x, {axis});
  Value shifted = l.binary<tosa::SubOp>(t, x, max);
  Value sum = reduceAxes<tosa::ReduceSumOp>(
      l, tosa::ExpOp::create(l.rw, l.loc, t, shifted), {axis});
  Value logSum = tosa::LogOp::create(l.rw, l.loc, Lowerer::typeOf(sum), sum);
  return l.binary<tosa::SubOp>(t, shifted, logSum);
}

static FailureOr<Value> lowerLogSoftmax(Lowerer &l, onnx::LogSoftmaxOp op) {
  auto t = llvm::cast<RankedTensorType>(op.getType());
  int64_t rank = t.getRank(), axis = op.getAxis();
  if (axis < -rank || axis >= rank)
    return op.emitError("axis ") << axis << " out of range";
  if (axis < 0)
    axis += rank;
  return logSoftmax(l, op.getInput(), axis);
}

/// Elementwise ops TOSA lacks or where exact ONNX semantics are simplest as
/// scalar code: one linalg.generic with a scalar body.
static std::optional<FailureOr<Value>> lowerScalarElementwise(Lowerer &l,
                                                              Operation *op) {
  auto rt = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  Type elt = rt.getElementType();
  Type inElt = op->getNumOperands()
                   ? Lowerer::typeOf(op->getOperand(0)).getElementType()
                   : elt;
  bool fl = llvm::isa<FloatType>(inElt);
  bool uns = l.unsignedIn;
  auto attrF = [&](StringRef name, double dflt) {
    if (auto a = op->getAttrOfType<FloatAttr>(name))
      return a.getValueAsDouble();
    return dflt;
  };
  using Body = std::function<Value(OpBuilder &, Location, ValueRange)>;
  Body body;
  StringRef name = op->getName().stripDialect();
  auto needFloat = [&]() -> bool { return fl; };
  auto cmp = [&](arith::CmpFPredicate fp, arith::CmpIPredicate ip) -> Body {
    return [=](OpBuilder &b, Location loc, ValueRange a) -> Value {
      if (llvm::isa<FloatType>(a[0].getType()))
        return arith::CmpFOp::create(b, loc, fp, a[0], a[1]);
      return arith::CmpIOp::create(b, loc, ip, a[0], a[1]);
    };
  };
  if (name == "Floor" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::FloorOp::create(b, loc, a[0]); };
  else if (name == "Ceil" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::CeilOp::create(b, loc, a[0]); };
  else if (name == "Round" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::RoundEvenOp::create(b, loc, a[0]); };
  else if (name == "Erf" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::ErfOp::create(b, loc, a[0]); };
  else if (name == "Tan" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::TanOp::create(b, loc, a[0]); };
  else if (name == "Asin" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::AsinOp::create(b, loc, a[0]); };
  else if (name == "Acos" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::AcosOp::create(b, loc, a[0]); };
  else if (name == "Atan" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::AtanOp::create(b, loc, a[0]); };
  else if (name == "Sinh" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::SinhOp::create(b, loc, a[0]); };
  else if (name == "Cosh" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::CoshOp::create(b, loc, a[0]); };
  else if (name == "Asinh" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::AsinhOp::create(b, loc, a[0]); };
  else if (name == "Acosh" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::AcoshOp::create(b, loc, a[0]); };
  else if (name == "Atanh" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::AtanhOp::create(b, loc, a[0]); };
  else if (name == "IsNaN")
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value {
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, a[0], a[0]);
    };
  else if (name == "IsInf") {
    bool neg = op->getAttrOfType<IntegerAttr>("detect_negative").getInt() != 0;
    bool pos = op->getAttrOfType<IntegerAttr>("detect_positive").getInt() != 0;
    body = [=](OpBuilder &b, Location loc, ValueRange a) -> Value {
      Type t = a[0].getType();
      auto inf = APFloat::getInf(llvm::cast<FloatType>(t).getFloatSemantics());
      Value pinf = arith::ConstantOp::create(b, loc, b.getFloatAttr(t, inf));
      Value ninf = arith::ConstantOp::create(b, loc, b.getFloatAttr(t, -inf));
      Value isPos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, a[0], pinf);
      Value isNeg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, a[0], ninf);
      Value f = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
      return arith::OrIOp::create(b, loc, pos ? isPos : f, neg ? isNeg : f);
    };
  } else if (name == "Shrink" && needFloat()) {
    double bias = attrF("bias", 0.0), lambd = attrF("lambd", 0.5);
    body = [=](OpBuilder &b, Location loc, ValueRange a) -> Value {
      Type t = a[0].getType();
      Value lo = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a[0],
                                       fconst(b, loc, t, -lambd));
      Value hi = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a[0],
                                       fconst(b, loc, t, lambd));
      Value add = arith::AddFOp::create(b, loc, a[0], fconst(b, loc, t, bias));
      Value sub = arith::SubFOp::create(b, loc, a[0], fconst(b, loc, t, bias));
      return arith::SelectOp::create(
          b, loc, lo, add,
          arith::SelectOp::create(b, loc, hi, sub, fconst(b, loc, t, 0.0)));
    };
  }
  else if (name == "Sin" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::SinOp::create(b, loc, a[0]); };
  else if (name == "Cos" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return math::CosOp::create(b, loc, a[0]); };
  else if (name == "Softplus" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value {
      // log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|)).
      Type t = a[0].getType();
      Value ax = math::AbsFOp::create(b, loc, a[0]);
      Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, ax));
      Value lp = math::Log1pOp::create(b, loc, e);
      Value pos = arith::MaximumFOp::create(b, loc, a[0], fconst(b, loc, t, 0.0));
      return arith::AddFOp::create(b, loc, pos, lp);
    };
  else if (name == "Softsign" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value {
      Type t = a[0].getType();
      Value d = arith::AddFOp::create(b, loc, fconst(b, loc, t, 1.0),
                                      math::AbsFOp::create(b, loc, a[0]));
      return arith::DivFOp::create(b, loc, a[0], d);
    };
  else if (name == "Sign")
    body = [uns](OpBuilder &b, Location loc, ValueRange a) -> Value {
      Type t = a[0].getType();
      if (llvm::isa<FloatType>(t)) {
        Value z = fconst(b, loc, t, 0.0);
        Value gt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a[0], z);
        Value lt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a[0], z);
        Value s = arith::SelectOp::create(b, loc, gt, fconst(b, loc, t, 1.0),
                                          fconst(b, loc, t, 0.0));
        return arith::SelectOp::create(b, loc, lt, fconst(b, loc, t, -1.0), s);
      }
      Value z = arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, 0));
      Value one = arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, 1));
      Value m1 = arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, -1));
      if (uns)
        return arith::SelectOp::create(
            b, loc,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, a[0], z),
            one, z);
      Value gt = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, a[0], z);
      Value lt = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a[0], z);
      return arith::SelectOp::create(b, loc, lt, m1,
                                     arith::SelectOp::create(b, loc, gt, one, z));
    };
  else if (name == "Not")
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value {
      Value t = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
      return arith::XOrIOp::create(b, loc, a[0], t);
    };
  else if (name == "HardSwish" && needFloat())
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value {
      Type t = a[0].getType();
      Value v = arith::AddFOp::create(
          b, loc, arith::MulFOp::create(b, loc, a[0], fconst(b, loc, t, 1.0 / 6.0)),
          fconst(b, loc, t, 0.5));
      v = arith::MaximumFOp::create(b, loc, v, fconst(b, loc, t, 0.0));
      v = arith::MinimumFOp::create(b, loc, v, fconst(b, loc, t, 1.0));
      return arith::MulFOp::create(b, loc, a[0], v);
    };
  else if ((name == "Elu" || name == "Celu" || name == "Selu") && needFloat()) {
    double alpha = attrF("alpha", name == "Selu" ? 1.67326319217681884765625 : 1.0);
    double gamma = name == "Selu" ? attrF("gamma", 1.05070102214813232421875) : 1.0;
    bool celu = name == "Celu";
    body = [=](OpBuilder &b, Location loc, ValueRange a) -> Value {
      Type t = a[0].getType();
      Value x = a[0];
      Value z = fconst(b, loc, t, 0.0);
      Value arg = celu ? arith::DivFOp::create(b, loc, x, fconst(b, loc, t, alpha))
                       : x;
      Value em1 = math::ExpM1Op::create(b, loc, arg);
      Value neg = arith::MulFOp::create(b, loc, fconst(b, loc, t, alpha), em1);
      Value le = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, x, z);
      Value r = arith::SelectOp::create(b, loc, le, neg, x);
      return gamma == 1.0 ? r
                          : (Value)arith::MulFOp::create(b, loc, fconst(b, loc, t, gamma), r);
    };
  } else if (name == "HardSigmoid" && needFloat()) {
    double alpha = attrF("alpha", 0.2), beta = attrF("beta", 0.5);
    body = [=](OpBuilder &b, Location loc, ValueRange a) -> Value {
      Type t = a[0].getType();
      Value v = arith::AddFOp::create(
          b, loc, arith::MulFOp::create(b, loc, a[0], fconst(b, loc, t, alpha)),
          fconst(b, loc, t, beta));
      v = arith::MaximumFOp::create(b, loc, v, fconst(b, loc, t, 0.0));
      return arith::MinimumFOp::create(b, loc, v, fconst(b, loc, t, 1.0));
    };
  } else if (name == "ThresholdedRelu" && needFloat()) {
    double alpha = attrF("alpha", 1.0);
    body = [=](OpBuilder &b, Location loc, ValueRange a) -> Value {
      Type t = a[0].getType();
      Value gt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a[0],
                                       fconst(b, loc, t, alpha));
      return arith::SelectOp::create(b, loc, gt, a[0], fconst(b, loc, t, 0.0));
    };
  } else if (name == "Cast") {
    bool fromU = l.unsignedIn, toU = l.unsignedOut;
    body = [=](OpBuilder &b, Location loc, ValueRange a) -> Value {
      return convertScalar(b, loc, a[0], elt, fromU, toU);
    };
  } else if (name == "Equal")
    body = cmp(arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq);
  else if (name == "Greater")
    body = cmp(arith::CmpFPredicate::OGT, uns ? arith::CmpIPredicate::ugt
                                              : arith::CmpIPredicate::sgt);
  else if (name == "Less")
    body = cmp(arith::CmpFPredicate::OLT, uns ? arith::CmpIPredicate::ult
                                              : arith::CmpIPredicate::slt);
  else if (name == "GreaterOrEqual")
    body = cmp(arith::CmpFPredicate::OGE, uns ? arith::CmpIPredicate::uge
                                              : arith::CmpIPredicate::sge);
  else if (name == "LessOrEqual")
    body = cmp(arith::CmpFPredicate::OLE, uns ? arith::CmpIPredicate::ule
                                              : arith::CmpIPredicate::sle);
  else if (name == "And")
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return arith::AndIOp::create(b, loc, a[0], a[1]); };
  else if (name == "Or")
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return arith::OrIOp::create(b, loc, a[0], a[1]); };
  else if (name == "Xor")
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return arith::XOrIOp::create(b, loc, a[0], a[1]); };
  else if (auto shift = llvm::dyn_cast<onnx::BitShiftOp>(op)) {
    bool left = shift.getDirection() == "LEFT";
    body = [left](OpBuilder &b, Location loc, ValueRange a) -> Value {
      // Shifting out every bit gives 0 (a shift by the width or more is
      // undefined in C and poison in LLVM).
      Type t = a[0].getType();
      unsigned width = t.getIntOrFloatBitWidth();
      Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, 0));
      Value inRange = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ult, a[1],
          arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, width)));
      Value amount = arith::SelectOp::create(b, loc, inRange, a[1], zero);
      Value r = left ? (Value)arith::ShLIOp::create(b, loc, a[0], amount)
                     : (Value)arith::ShRUIOp::create(b, loc, a[0], amount);
      return arith::SelectOp::create(b, loc, inRange, r, zero);
    };
  } else if (name == "Where")
    body = [](OpBuilder &b, Location loc, ValueRange a) -> Value { return arith::SelectOp::create(b, loc, a[0], a[1], a[2]); };
  else if (name == "Max" || name == "Min" || name == "Sum" || name == "Mean") {
    int64_t n = op->getNumOperands();
    body = [=](OpBuilder &b, Location loc, ValueRange a) -> Value {
      Value acc = a[0];
      bool f = llvm::isa<FloatType>(acc.getType());
      for (Value v : a.drop_front()) {
        if (name == "Max")
          acc = f     ? (Value)arith::MaximumFOp::create(b, loc, acc, v)
                : uns ? (Value)arith::MaxUIOp::create(b, loc, acc, v)
                      : (Value)arith::MaxSIOp::create(b, loc, acc, v);
        else if (name == "Min")
          acc = f     ? (Value)arith::MinimumFOp::create(b, loc, acc, v)
                : uns ? (Value)arith::MinUIOp::create(b, loc, acc, v)
                      : (Value)arith::MinSIOp::create(b, loc, acc, v);
        else
          acc = f ? (Value)arith::AddFOp::create(b, loc, acc, v)
                  : (Value)arith::AddIOp::create(b, loc, acc, v);
      }
      if (name == "Mean")
        acc = arith::DivFOp::create(b, loc, acc,
                                    fconst(b, loc, acc.getType(), (double)n));
      return acc;
    };
    if (name == "Mean" && !fl)
      return FailureOr<Value>(op->emitError("Mean on ")
                              << inElt << " is not supported yet");
  } else {
    if (llvm::is_contained({"Floor", "Ceil", "Round", "Erf", "Sin", "Cos",
                            "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh",
                            "Asinh", "Acosh", "Atanh", "Shrink",
                            "Softplus", "Softsign", "HardSwish", "Elu", "Celu",
                            "Selu", "HardSigmoid", "ThresholdedRelu"},
                           name))
      return FailureOr<Value>(op->emitError("'")
                              << name << "' on " << inElt
                              << " is not supported yet");
    return std::nullopt;
  }
  return FailureOr<Value>(
      l.linalgElementwise(rt, op->getOperands(), body));
}


static FailureOr<SmallVector<Value>>
lowerLayerNorm(Lowerer &l, onnx::LayerNormalizationOp op) {
  auto t = llvm::cast<RankedTensorType>(op.getY().getType());
  int64_t rank = t.getRank(), axis = op.getAxis();
  if (axis < -rank || axis >= rank) {
    op.emitError("axis ") << axis << " out of range for rank " << rank;
    return failure();
  }
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> axes;
  for (int64_t i = axis; i < rank; ++i)
    axes.push_back(i);
  Normalized n =
      normalize(l, op.getX(), axes, op.getEpsilon().convertToFloat());
  Value y = l.mul(t, n.y, op.getScale());
  if (op.getB())
    y = l.binary<tosa::AddOp>(t, y, op.getB());
  SmallVector<Value> results = {y};
  if (op.getMean())
    results.push_back(l.reshape(
        n.mean, llvm::cast<RankedTensorType>(op.getMean().getType()).getShape()));
  if (op.getInvStdDev())
    results.push_back(l.reshape(
        n.inv,
        llvm::cast<RankedTensorType>(op.getInvStdDev().getType()).getShape()));
  return results;
}

/// Slice with constant parameters: a linalg.generic whose input map is
/// d_i * step_i + start_i on the sliced axes.
static FailureOr<Value> lowerSlice(Lowerer &l, onnx::SliceOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto in = Lowerer::typeOf(op.getData());
  int64_t rank = in.getRank();
  auto starts = whittle::getConstantInts(op.getStarts());
  auto ends = whittle::getConstantInts(op.getEnds());
  std::optional<SmallVector<int64_t>> axes, steps;
  if (op.getAxes())
    axes = whittle::getConstantInts(op.getAxes());
  if (op.getSteps())
    steps = whittle::getConstantInts(op.getSteps());
  if (!starts || !ends || (op.getAxes() && !axes) || (op.getSteps() && !steps))
    return lowerRuntimeSlice(l, op);
  size_t n = starts->size();
  if (ends->size() != n || (axes && axes->size() != n) ||
      (steps && steps->size() != n))
    return op.emitError("Slice starts, ends, axes and steps differ in length");
  SmallVector<int64_t> start(rank, 0), step(rank, 1);
  for (size_t i = 0; i < n; ++i) {
    int64_t a = axes ? (*axes)[i] : (int64_t)i;
    if (a < -rank || a >= rank)
      return op.emitError("Slice axis ") << a << " out of range";
    if (a < 0)
      a += rank;
    int64_t dim = in.getDimSize(a), s = steps ? (*steps)[i] : 1;
    if (s == 0)
      return op.emitError("Slice step must not be 0");
    int64_t b = (*starts)[i];
    if (b < 0)
      b += dim;
    b = s > 0 ? std::clamp<int64_t>(b, 0, dim) : std::clamp<int64_t>(b, 0, dim - 1);
    start[a] = b;
    step[a] = s;
  }
  // Positive steps: one tensor.extract_slice. Negative steps then reverse
  // through a linalg.generic reading d * step + start on those axes only.
  SmallVector<int64_t> offs(rank), sizes(rank), strides(rank);
  bool anyNegative = false;
  for (int64_t i = 0; i < rank; ++i) {
    bool neg = step[i] < 0;
    anyNegative |= neg;
    offs[i] = neg ? 0 : start[i];
    sizes[i] = neg ? in.getDimSize(i) : rt.getDimSize(i);
    strides[i] = neg ? 1 : step[i];
  }
  auto sliceType = l.tensorType(sizes, rt.getElementType());
  Value v = tensor::ExtractSliceOp::create(
      l.rw, l.loc, sliceType, op.getData(), ValueRange{}, ValueRange{},
      ValueRange{}, l.rw.getDenseI64ArrayAttr(offs),
      l.rw.getDenseI64ArrayAttr(sizes), l.rw.getDenseI64ArrayAttr(strides));
  if (!anyNegative)
    return v;
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    exprs.push_back(step[i] < 0
                        ? l.rw.getAffineDimExpr(i) * step[i] + start[i]
                        : l.rw.getAffineDimExpr(i));
  auto ctx = l.rw.getContext();
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, exprs, ctx),
                                 l.rw.getMultiDimIdentityMap(rank)};
  Value init = tensor::EmptyOp::create(l.rw, l.loc, rt.getShape(),
                                       rt.getElementType());
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             l.rw, l.loc, TypeRange{rt}, ValueRange{v}, ValueRange{init}, maps,
             iters,
             [](OpBuilder &b, Location loc, ValueRange args) {
               linalg::YieldOp::create(b, loc, args[0]);
             })
      .getResult(0);
}

/// BatchNormalization in training mode: the batch's own mean and population
/// variance over every axis but the channel normalize it; the running
/// statistics, when asked for, move towards them by (1 - momentum).
static FailureOr<SmallVector<Value>>
lowerBatchNormTraining(Lowerer &l, onnx::BatchNormalizationOp op) {
  auto t = llvm::cast<RankedTensorType>(op.getY().getType());
  int64_t rank = t.getRank();
  if (rank < 2)
    return op.emitError("BatchNormalization input must have rank >= 2");
  int64_t c = t.getDimSize(1);
  SmallVector<int64_t> axes, pshape(rank, 1);
  for (int64_t i = 0; i < rank; ++i)
    if (i != 1)
      axes.push_back(i);
  pshape[1] = c;
  Value x = op.getX();
  Value mean = reduceMean(l, x, axes);
  Value d = l.binary<tosa::SubOp>(t, x, mean);
  Value var = reduceMean(l, l.mul(t, d, d), axes);
  double eps = op.getEpsilon().convertToFloat();
  SmallVector<Value> results{l.linalgElementwise(
      t, {d, var, l.reshape(op.getScale(), pshape), l.reshape(op.getB(), pshape)},
      [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Type et = a[0].getType();
        Value den = math::SqrtOp::create(
            b, loc, arith::AddFOp::create(b, loc, a[1], fconst(b, loc, et, eps)));
        Value n = arith::DivFOp::create(b, loc, a[0], den);
        return arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, n, a[2]), a[3]);
      })};
  double momentum = op.getMomentum().convertToFloat();
  Value inputs[] = {op.getInputMean(), op.getInputVar()};
  Value batch[] = {mean, var};
  for (auto [i, running] : llvm::enumerate(op.getRunningStats())) {
    auto st = llvm::cast<RankedTensorType>(running.getType());
    results.push_back(l.linalgElementwise(
        st, {inputs[i], l.reshape(batch[i], st.getShape())},
        [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          Type et = a[0].getType();
          return arith::AddFOp::create(
              b, loc,
              arith::MulFOp::create(b, loc, a[0],
                                    fconst(b, loc, et, momentum)),
              arith::MulFOp::create(b, loc, a[1],
                                    fconst(b, loc, et, 1.0 - momentum)));
        }));
  }
  return results;
}

static FailureOr<Value> lowerBatchNorm(Lowerer &l,
                                       onnx::BatchNormalizationOp op) {
  auto t = llvm::cast<RankedTensorType>(op.getY().getType());
  if (t.getRank() < 2)
    return op.emitError("BatchNormalization input must have rank >= 2");
  // Per-channel parameters broadcast as [C, 1, ..., 1] against NC...
  int64_t c = t.getDimSize(1);
  SmallVector<int64_t> pshape(t.getRank() - 1, 1);
  pshape[0] = c;
  double eps = op.getEpsilon().convertToFloat();
  Value scale = l.reshape(op.getScale(), pshape);
  Value bias = l.reshape(op.getB(), pshape);
  Value mean = l.reshape(op.getInputMean(), pshape);
  Value var = l.reshape(op.getInputVar(), pshape);
  return l.linalgElementwise(
      t, {op.getX(), scale, bias, mean, var},
      [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Type et = a[0].getType();
        Value den = math::SqrtOp::create(
            b, loc, arith::AddFOp::create(b, loc, a[4], fconst(b, loc, et, eps)));
        Value n = arith::DivFOp::create(
            b, loc, arith::SubFOp::create(b, loc, a[0], a[3]), den);
        return arith::AddFOp::create(b, loc,
                                     arith::MulFOp::create(b, loc, n, a[1]),
                                     a[2]);
      });
}


/// A linalg.generic producing `rt` whose body also sees the loop indices;
/// `inputs` are read through `inputMaps`.
Value whittle::lowering::indexedGeneric(
    Lowerer &l, RankedTensorType rt, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange, ArrayRef<Value>)>
        body) {
  int64_t rank = rt.getRank();
  SmallVector<AffineMap> maps(inputMaps.begin(), inputMaps.end());
  maps.push_back(l.rw.getMultiDimIdentityMap(rank));
  Value init = tensor::EmptyOp::create(l.rw, l.loc, rt.getShape(),
                                       rt.getElementType());
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             l.rw, l.loc, TypeRange{rt}, inputs, ValueRange{init}, maps, iters,
             [&](OpBuilder &b, Location loc, ValueRange args) {
               SmallVector<Value> ivs;
               for (int64_t i = 0; i < rank; ++i)
                 ivs.push_back(linalg::IndexOp::create(b, loc, i));
               linalg::YieldOp::create(b, loc,
                                       body(b, loc, args.drop_back(), ivs));
             })
      .getResult(0);
}

Value whittle::lowering::cidx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// An index read from a tensor, made non-negative (ONNX negative indices
/// count from the end) and clamped into [0, dim): generated code never reads
/// outside its buffers, whatever the input.
Value whittle::lowering::normalizeIndex(OpBuilder &b, Location loc, Value idx,
                            int64_t dim) {
  // Clamped into [-dim, dim) first, so that adding dim cannot overflow
  // (signed overflow is undefined in the C output).
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), idx);
  i = arith::MaxSIOp::create(b, loc, i, cidx(b, loc, -dim));
  i = arith::MinSIOp::create(b, loc, i, cidx(b, loc, dim - 1));
  Value zero = cidx(b, loc, 0);
  Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  return arith::SelectOp::create(
      b, loc, neg, arith::AddIOp::create(b, loc, i, cidx(b, loc, dim)), i);
}

/// Unless `v` is a compile-time constant (the verifiers checked those), a
/// run-time check that `pred` holds for every element of `v`: a reduction to
/// one i1 and a `cf.assert` carrying `status` (RuntimeStatus.h).
void whittle::lowering::addRuntimeCheck(
    Lowerer &l, Value v, whittle::RuntimeStatus status, StringRef what,
    function_ref<Value(OpBuilder &, Location, Value)> pred) {
  if (whittle::getConstantAttr(v))
    return;
  auto t = Lowerer::typeOf(v);
  int64_t rank = t.getRank();
  Type i1 = l.rw.getI1Type();
  auto flagType = RankedTensorType::get({}, i1);
  Value yes = arith::ConstantOp::create(l.rw, l.loc, l.rw.getBoolAttr(true));
  Value init = linalg::FillOp::create(
                   l.rw, l.loc, ValueRange{yes},
                   ValueRange{tensor::EmptyOp::create(l.rw, l.loc,
                                                      ArrayRef<int64_t>{}, i1)})
                   .getResult(0);
  SmallVector<AffineMap> maps = {
      l.rw.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, 0, {}, l.rw.getContext())};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::reduction);
  Value all = linalg::GenericOp::create(
                  l.rw, l.loc, TypeRange{flagType}, ValueRange{v},
                  ValueRange{init}, maps, iters,
                  [&](OpBuilder &b, Location loc, ValueRange args) {
                    Value ok = pred(b, loc, args[0]);
                    linalg::YieldOp::create(
                        b, loc, arith::AndIOp::create(b, loc, args[1], ok)
                                    .getResult());
                  })
                  .getResult(0);
  Value flag = tensor::ExtractOp::create(l.rw, l.loc, all, ValueRange{});
  addRuntimeAssert(l, flag, status, what);
}

void whittle::lowering::addRuntimeAssert(Lowerer &l, Value flag,
                                         whittle::RuntimeStatus status,
                                         StringRef what) {
  auto check = cf::AssertOp::create(l.rw, l.loc, flag, what);
  check->setAttr(whittle::kStatusAttr, l.rw.getI32IntegerAttr(status));
}

void whittle::lowering::checkInRange(Lowerer &l, Value v, int64_t lo,
                                     int64_t hi, whittle::RuntimeStatus status,
                                     StringRef what) {
  addRuntimeCheck(l, v, status, what,
                  [&](OpBuilder &b, Location loc, Value x) -> Value {
                    Type t = x.getType();
                    Value a = arith::ConstantOp::create(
                        b, loc, b.getIntegerAttr(t, lo));
                    Value c = arith::ConstantOp::create(
                        b, loc, b.getIntegerAttr(t, hi));
                    return arith::AndIOp::create(
                        b, loc,
                        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                              x, a),
                        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle,
                                              x, c));
                  });
}

/// Checks that indices read from an input lie in [-dim, dim).
void whittle::lowering::checkIndices(Lowerer &l, Value indices, int64_t dim) {
  addRuntimeCheck(
      l, indices, whittle::kStatusIndexOutOfRange, "index out of range",
      [&](OpBuilder &b, Location loc, Value idx) -> Value {
        Type t = idx.getType();
        // Narrow indices cannot leave a dimension wider than their range.
        unsigned width = t.getIntOrFloatBitWidth();
        if (width < 64 && dim > (int64_t(1) << (width - 1)) - 1)
          return arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
        Value lo = arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, -dim));
        Value hi = arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, dim));
        return arith::AndIOp::create(
            b, loc,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, idx, lo),
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, idx, hi));
      });
}

/// An integer divisor safe for `a / d` and `a % d`: 1 where `d` is 0 or the
/// quotient overflows (MIN / -1), which both trap or are undefined in C and
/// LLVM. MIN / 1 = MIN is the wrapped result ONNX Runtime gives; x % 1 = 0.
static Value safeDivisor(OpBuilder &b, Location loc, Value a, Value d,
                         bool isUnsigned = false) {
  auto t = llvm::cast<IntegerType>(d.getType());
  Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, 0));
  Value one = arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, 1));
  if (isUnsigned)
    return arith::SelectOp::create(
        b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, d, zero),
        one, d);
  Value minusOne = arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, -1));
  Value min = arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(t, APInt::getSignedMinValue(t.getWidth())));
  Value isZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, d, zero);
  Value overflow = arith::AndIOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a, min),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, d, minusOne));
  return arith::SelectOp::create(
      b, loc, arith::OrIOp::create(b, loc, isZero, overflow), one, d);
}

/// Checks that integer divisors read from an input are non-zero.
static void checkDivisors(Lowerer &l, Value divisor) {
  addRuntimeCheck(l, divisor, whittle::kStatusDivisionByZero,
                  "integer division by zero",
                  [&](OpBuilder &b, Location loc, Value d) -> Value {
                    Value zero = arith::ConstantOp::create(
                        b, loc, b.getIntegerAttr(d.getType(), 0));
                    return arith::CmpIOp::create(
                        b, loc, arith::CmpIPredicate::ne, d, zero);
                  });
}

FailureOr<int64_t> whittle::lowering::normAxis(Operation *op, int64_t axis,
                                               int64_t rank) {
  if (axis < -rank || axis >= rank) {
    op->emitError("axis ") << axis << " out of range for rank " << rank;
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

static FailureOr<Value> lowerGather(Lowerer &l, onnx::GatherOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto dt = Lowerer::typeOf(op.getData());
  auto it = Lowerer::typeOf(op.getIndices());
  auto axis = normAxis(op, op.getAxis(), dt.getRank());
  if (failed(axis))
    return failure();
  int64_t q = it.getRank(), rank = rt.getRank(), dim = dt.getDimSize(*axis);
  SmallVector<AffineExpr> idxExprs;
  for (int64_t i = 0; i < q; ++i)
    idxExprs.push_back(l.rw.getAffineDimExpr(*axis + i));
  auto idxMap = AffineMap::get(rank, 0, idxExprs, l.rw.getContext());
  Value data = op.getData();
  int64_t ax = *axis;
  checkIndices(l, op.getIndices(), dim);
  return indexedGeneric(
      l, rt, {op.getIndices()}, {idxMap},
      [&](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Value> ivs) {
        SmallVector<Value> src;
        for (int64_t i = 0; i < ax; ++i)
          src.push_back(ivs[i]);
        src.push_back(normalizeIndex(b, loc, args[0], dim));
        for (int64_t i = ax + q; i < rank; ++i)
          src.push_back(ivs[i]);
        return tensor::ExtractOp::create(b, loc, data, src).getResult();
      });
}

static FailureOr<Value> lowerGatherElements(Lowerer &l,
                                            onnx::GatherElementsOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto dt = Lowerer::typeOf(op.getData());
  auto axis = normAxis(op, op.getAxis(), dt.getRank());
  if (failed(axis))
    return failure();
  int64_t dim = dt.getDimSize(*axis), ax = *axis;
  Value data = op.getData();
  checkIndices(l, op.getIndices(), dim);
  return indexedGeneric(
      l, rt, {op.getIndices()}, {l.rw.getMultiDimIdentityMap(rt.getRank())},
      [&](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Value> ivs) {
        SmallVector<Value> src(ivs.begin(), ivs.end());
        src[ax] = normalizeIndex(b, loc, args[0], dim);
        return tensor::ExtractOp::create(b, loc, data, src).getResult();
      });
}

/// NegativeLogLikelihoodLoss of log-probabilities `x` [N, C, d...]. The
/// class read is the target clamped into [0, C): an ignored or invalid
/// target never reads outside `x` or the weights.
template <typename LossOp>
static Value lowerNLL(Lowerer &l, LossOp op, Value x) {
  auto xt = Lowerer::typeOf(x), tt = Lowerer::typeOf(op.getTarget());
  auto rt = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  Type f = xt.getElementType();
  int64_t classes = xt.getDimSize(1);
  Value target = op.getTarget(), weight = op.getWeight();
  std::optional<int64_t> ignore = op.getIgnoreIndex();
  auto elemT = l.tensorType(tt.getShape(), f);
  AffineMap id = l.rw.getMultiDimIdentityMap(tt.getRank());
  auto cls = [&](OpBuilder &b, Location loc, Value t) -> Value {
    Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), t);
    i = arith::MaxSIOp::create(b, loc, i, cidx(b, loc, 0));
    return arith::MinSIOp::create(b, loc, i, cidx(b, loc, classes - 1));
  };
  auto fconst = [&](OpBuilder &b, Location loc, double v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(f, v));
  };
  auto ignored = [&](OpBuilder &b, Location loc, Value t) -> Value {
    if (!ignore)
      return arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
    Value ii = arith::ConstantOp::create(
        b, loc, b.getIntegerAttr(t.getType(), *ignore));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, t, ii);
  };
  // The weight each position counts with: weight[class] (or 1), 0 where
  // ignored.
  Value w = indexedGeneric(
      l, elemT, {target}, {id},
      [&](OpBuilder &b, Location loc, ValueRange a, ArrayRef<Value>) -> Value {
        Value v = weight ? (Value)tensor::ExtractOp::create(
                               b, loc, weight, ValueRange{cls(b, loc, a[0])})
                         : fconst(b, loc, 1.0);
        return arith::SelectOp::create(b, loc, ignored(b, loc, a[0]),
                                       fconst(b, loc, 0.0), v);
      });
  Value loss = indexedGeneric(
      l, elemT, {target, w}, {id, id},
      [&](OpBuilder &b, Location loc, ValueRange a,
          ArrayRef<Value> ivs) -> Value {
        SmallVector<Value> src{ivs[0], cls(b, loc, a[0])};
        src.append(ivs.begin() + 1, ivs.end());
        Value v = tensor::ExtractOp::create(b, loc, x, src);
        v = arith::MulFOp::create(b, loc, arith::NegFOp::create(b, loc, v),
                                  a[1]);
        // (0 rather than -x * 0, which is NaN for x = -inf.)
        return arith::SelectOp::create(b, loc, ignored(b, loc, a[0]),
                                       fconst(b, loc, 0.0), v);
      });
  StringRef reduction = op.getReduction();
  if (reduction == "none")
    return loss;
  auto total = [&](Value v) {
    Value flat = l.reshape(v, {tt.getNumElements()});
    return (Value)tosa::ReduceSumOp::create(l.rw, l.loc, l.tensorType({1}, f),
                                            flat, l.rw.getI32IntegerAttr(0));
  };
  Value sum = total(loss);
  if (reduction == "mean")
    sum = l.linalgElementwise(
        l.tensorType({1}, f), {sum, total(w)},
        [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          return arith::DivFOp::create(b, loc, a[0], a[1]);
        });
  return l.reshape(sum, rt.getShape());
}

static FailureOr<Value> lowerTrilu(Lowerer &l, onnx::TriluOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  int64_t rank = rt.getRank();
  if (rank < 2)
    return op.emitError("Trilu input must have rank >= 2");
  // k: absent (0), a constant, or a scalar read at run time.
  Value k;
  if (!op.getK()) {
    k = arith::ConstantOp::create(l.rw, l.loc, l.rw.getI64IntegerAttr(0));
  } else if (auto c = whittle::getConstantInts(op.getK())) {
    if (c->size() != 1)
      return op.emitError("Trilu k must hold one value");
    k = arith::ConstantOp::create(l.rw, l.loc,
                                  l.rw.getI64IntegerAttr((*c)[0]));
  } else {
    auto kt = Lowerer::typeOf(op.getK());
    if (kt.getNumElements() != 1)
      return op.emitError("Trilu k must hold one value");
    SmallVector<Value> at(kt.getRank(), cidx(l.rw, l.loc, 0));
    k = tensor::ExtractOp::create(l.rw, l.loc, op.getK(), at);
  }
  bool upper = op.getUpper() != 0;
  Type elt = rt.getElementType();
  return indexedGeneric(
      l, rt, {op.getInput()}, {l.rw.getMultiDimIdentityMap(rank)},
      [&](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Value> ivs) {
        Value diff = arith::IndexCastOp::create(
            b, loc, b.getI64Type(),
            arith::SubIOp::create(b, loc, ivs[rank - 1], ivs[rank - 2]));
        Value keep = arith::CmpIOp::create(
            b, loc, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
            diff, k);
        Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
        return arith::SelectOp::create(b, loc, keep, args[0], zero).getResult();
      });
}

static FailureOr<Value> lowerTile(Lowerer &l, onnx::TileOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto in = Lowerer::typeOf(op.getInput());
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < in.getRank(); ++i)
    exprs.push_back(in.getDimSize(i) == rt.getDimSize(i)
                        ? l.rw.getAffineDimExpr(i)
                        : l.rw.getAffineDimExpr(i) % in.getDimSize(i));
  auto map = AffineMap::get(rt.getRank(), 0, exprs, l.rw.getContext());
  return indexedGeneric(l, rt, {op.getInput()}, {map},
                        [](OpBuilder &, Location, ValueRange args,
                           ArrayRef<Value>) { return args[0]; });
}

static FailureOr<Value> lowerPad(Lowerer &l, onnx::PadOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto in = Lowerer::typeOf(op.getData());
  int64_t rank = in.getRank();
  auto pads = whittle::getConstantInts(op.getPads());
  SmallVector<int64_t> axes;
  if (op.getAxes()) {
    auto a = whittle::getConstantInts(op.getAxes());
    if (!a)
      return op.emitError("Pad axes must be constant");
    for (int64_t x : *a) {
      auto n = normAxis(op, x, rank);
      if (failed(n))
        return failure();
      axes.push_back(*n);
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  int64_t numPads = Lowerer::typeOf(op.getPads()).getNumElements();
  if (numPads != 2 * (int64_t)axes.size())
    return op.emitError("Pad expects ") << 2 * axes.size() << " pads, got "
                                        << numPads;
  // Leading pads per dimension: constants, or read at run time and checked
  // to give the compiled extents.
  SmallVector<Value> begin(rank, cidx(l.rw, l.loc, 0));
  if (pads) {
    for (size_t i = 0; i < axes.size(); ++i)
      begin[axes[i]] = cidx(l.rw, l.loc, (*pads)[i]);
  } else {
    Type i64 = l.rw.getI64Type();
    auto padAt = [&](int64_t j) -> Value {
      Value v = tensor::ExtractOp::create(l.rw, l.loc, op.getPads(),
                                          ValueRange{cidx(l.rw, l.loc, j)});
      return convertScalar(l.rw, l.loc, v, i64);
    };
    Value ok = arith::ConstantOp::create(l.rw, l.loc, l.rw.getBoolAttr(true));
    for (size_t i = 0; i < axes.size(); ++i) {
      Value lo = padAt(i), hi = padAt(i + axes.size());
      Value total = arith::AddIOp::create(
          l.rw, l.loc, arith::AddIOp::create(l.rw, l.loc, lo, hi),
          arith::ConstantOp::create(
              l.rw, l.loc, l.rw.getI64IntegerAttr(in.getDimSize(axes[i]))));
      ok = arith::AndIOp::create(
          l.rw, l.loc, ok,
          arith::CmpIOp::create(
              l.rw, l.loc, arith::CmpIPredicate::eq, total,
              arith::ConstantOp::create(
                  l.rw, l.loc,
                  l.rw.getI64IntegerAttr(rt.getDimSize(axes[i])))));
      begin[axes[i]] = arith::IndexCastOp::create(l.rw, l.loc,
                                                  l.rw.getIndexType(), lo);
    }
    addRuntimeAssert(l, ok, whittle::kStatusShapeMismatch,
                     "Pad pads do not give the compiled shape");
  }
  Type elt = rt.getElementType();
  StringRef mode = op.getMode();
  Value data = op.getData();
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    return op.emitError("Pad mode '") << mode << "' is not supported";
  Value padValue;
  if (op.getConstantValue() && mode == "constant") {
    padValue = op.getConstantValue();
    if (Lowerer::typeOf(padValue).getNumElements() != 1)
      return op.emitError("Pad constant_value must be a scalar");
  }
  // Each output element reads the source index its mode maps it to; in
  // constant mode, out-of-range positions take the pad value.
  return indexedGeneric(
      l, rt, {}, {},
      [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
        SmallVector<Value> src;
        Value inside = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
        for (int64_t i = 0; i < rank; ++i) {
          int64_t d = in.getDimSize(i);
          Value j = arith::SubIOp::create(b, loc, ivs[i], begin[i]);
          Value lo = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, j,
                                           cidx(b, loc, 0));
          Value hi = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, j,
                                           cidx(b, loc, d));
          if (mode == "reflect" && d > 1) {
            // Mirror without repeating the edge: -j, then 2(d-1) - j.
            j = arith::SelectOp::create(
                b, loc, lo, arith::SubIOp::create(b, loc, cidx(b, loc, 0), j), j);
            Value hi2 = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                              j, cidx(b, loc, d));
            j = arith::SelectOp::create(
                b, loc, hi2,
                arith::SubIOp::create(b, loc, cidx(b, loc, 2 * (d - 1)), j), j);
          } else if (mode == "constant") {
            Value out = arith::OrIOp::create(b, loc, lo, hi);
            inside = arith::AndIOp::create(
                b, loc, inside,
                arith::XOrIOp::create(
                    b, loc, out,
                    arith::ConstantOp::create(b, loc, b.getBoolAttr(true))));
          }
          j = arith::MaxSIOp::create(b, loc, j, cidx(b, loc, 0));
          j = arith::MinSIOp::create(b, loc, j, cidx(b, loc, d - 1));
          src.push_back(j);
        }
        Value v = tensor::ExtractOp::create(b, loc, data, src);
        if (mode != "constant")
          return v;
        Value pv;
        if (padValue) {
          SmallVector<Value> zeros(Lowerer::typeOf(padValue).getRank(),
                                   cidx(b, loc, 0));
          pv = tensor::ExtractOp::create(b, loc, padValue, zeros);
        } else {
          pv = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
        }
        return arith::SelectOp::create(b, loc, inside, v, pv).getResult();
      });
}

static FailureOr<Value> lowerInstanceNorm(Lowerer &l,
                                          onnx::InstanceNormalizationOp op) {
  auto t = llvm::cast<RankedTensorType>(op.getType());
  int64_t rank = t.getRank();
  if (rank < 3)
    return op.emitError("InstanceNormalization input must have rank >= 3");
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < rank; ++i)
    axes.push_back(i);
  Normalized n =
      normalize(l, op.getInput(), axes, op.getEpsilon().convertToFloat());
  SmallVector<int64_t> pshape(rank - 1, 1);
  pshape[0] = t.getDimSize(1);
  Value y = l.mul(t, n.y, l.reshape(op.getScale(), pshape));
  return l.binary<tosa::AddOp>(t, y, l.reshape(op.getB(), pshape));
}

static FailureOr<Value> lowerModPRelu(Lowerer &l, Operation *op) {
  auto rt = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  if (auto prelu = llvm::dyn_cast<onnx::PReluOp>(op)) {
    // A 1-D slope of one value per channel that does not broadcast numpy's
    // way is the legacy (opset < 7) per-channel form: [C] -> [C, 1, ...].
    Value slope = prelu.getSlope();
    auto st = Lowerer::typeOf(slope);
    if (st.getRank() == 1 && rt.getRank() > 2 &&
        st.getDimSize(0) == rt.getDimSize(1) &&
        st.getDimSize(0) != rt.getShape().back() && st.getDimSize(0) != 1) {
      SmallVector<int64_t> shape(rt.getRank() - 1, 1);
      shape[0] = st.getDimSize(0);
      slope = l.reshape(slope, shape);
    }
    return l.linalgElementwise(
        rt, {prelu.getX(), slope},
        [](OpBuilder &b, Location loc, ValueRange a) -> Value {
          Type t = a[0].getType();
          if (llvm::isa<FloatType>(t)) {
            Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                              a[0], fconst(b, loc, t, 0.0));
            return arith::SelectOp::create(
                b, loc, neg, arith::MulFOp::create(b, loc, a[0], a[1]), a[0]);
          }
          Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(t));
          Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                            a[0], zero);
          return arith::SelectOp::create(
              b, loc, neg, arith::MulIOp::create(b, loc, a[0], a[1]), a[0]);
        });
  }
  auto mod = llvm::cast<onnx::ModOp>(op);
  bool fmod = mod.getFmod() != 0;
  Type elt = rt.getElementType();
  if (llvm::isa<FloatType>(elt) && !fmod)
    return op->emitError("Mod on floats requires fmod = 1");
  if (!llvm::isa<FloatType>(elt))
    checkDivisors(l, mod.getB());
  return l.linalgElementwise(
      rt, {mod.getA(), mod.getB()},
      [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Type t = a[0].getType();
        if (llvm::isa<FloatType>(t)) {
          // a - b * trunc(a / b), trunc from floor and ceil (no libm).
          Value q = arith::DivFOp::create(b, loc, a[0], a[1]);
          Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                            q, fconst(b, loc, t, 0.0));
          Value tq = arith::SelectOp::create(b, loc, neg,
                                             math::CeilOp::create(b, loc, q),
                                             math::FloorOp::create(b, loc, q));
          return arith::SubFOp::create(
              b, loc, a[0], arith::MulFOp::create(b, loc, a[1], tq));
        }
        // Guard division by zero and MIN % -1: the result is then 0, never
        // a trap.
        Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(t));
        Value bz = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a[1],
                                         zero);
        if (l.unsignedIn)
          return arith::RemUIOp::create(b, loc, a[0],
                                        safeDivisor(b, loc, a[0], a[1], true));
        Value den = safeDivisor(b, loc, a[0], a[1]);
        Value r = arith::RemSIOp::create(b, loc, a[0], den);
        if (!fmod) {
          // Python semantics: the sign follows the divisor.
          Value rNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                             r, zero);
          Value dNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                             den, zero);
          Value rNonZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                                 r, zero);
          Value fix = arith::AndIOp::create(
              b, loc, rNonZero, arith::XOrIOp::create(b, loc, rNeg, dNeg));
          r = arith::SelectOp::create(b, loc, fix,
                                      arith::AddIOp::create(b, loc, r, den), r);
        }
        return arith::SelectOp::create(b, loc, bz, zero, r);
      });
}


static FailureOr<Value> lowerDepthSpace(Lowerer &l, Operation *op) {
  auto rt = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  Value x = op->getOperand(0);
  auto t = Lowerer::typeOf(x);
  if (t.getRank() != 4)
    return op->emitError("input must be 4-D");
  int64_t b = op->getAttrOfType<IntegerAttr>("blocksize").getInt();
  if (b <= 0)
    return op->emitError("blocksize must be positive");
  int64_t n = t.getDimSize(0), c = t.getDimSize(1), h = t.getDimSize(2),
          w = t.getDimSize(3);
  if (auto d2s = llvm::dyn_cast<onnx::DepthToSpaceOp>(op)) {
    if (c % (b * b))
      return op->emitError("channels ") << c << " not divisible by blocksize^2";
    int64_t oc = c / (b * b);
    bool dcr = d2s.getMode() == "DCR";
    Value r = dcr ? l.reshape(x, {n, b, b, oc, h, w})
                  : l.reshape(x, {n, oc, b, b, h, w});
    r = dcr ? l.transpose(r, {0, 3, 4, 1, 5, 2})
            : l.transpose(r, {0, 1, 4, 2, 5, 3});
    return l.reshape(r, rt.getShape());
  }
  if (h % b || w % b)
    return op->emitError("spatial size not divisible by blocksize");
  Value r = l.reshape(x, {n, c, h / b, b, w / b, b});
  r = l.transpose(r, {0, 3, 5, 1, 2, 4});
  return l.reshape(r, rt.getShape());
}

static FailureOr<Value> lowerEyeLike(Lowerer &l, onnx::EyeLikeOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  if (rt.getRank() != 2)
    return op.emitError("EyeLike input must be 2-D");
  int64_t k = op.getK();
  Type elt = rt.getElementType();
  return indexedGeneric(
      l, rt, {}, {},
      [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
        Value diff = arith::SubIOp::create(b, loc, ivs[1], ivs[0]);
        Value on = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, diff,
                                         cidx(b, loc, k));
        Value one = llvm::isa<FloatType>(elt)
                        ? fconst(b, loc, elt, 1.0)
                        : (Value)arith::ConstantOp::create(
                              b, loc, b.getIntegerAttr(elt, 1));
        Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
        return arith::SelectOp::create(b, loc, on, one, zero).getResult();
      });
}

static FailureOr<Value> lowerHardmax(Lowerer &l, onnx::HardmaxOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  int64_t rank = rt.getRank();
  auto axis = normAxis(op, op.getAxis(), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    if (i != *axis)
      shape.push_back(rt.getDimSize(i));
  Value idx = tosa::ArgMaxOp::create(
      l.rw, l.loc, l.tensorType(shape, l.rw.getI32Type()), op.getInput(),
      l.rw.getI32IntegerAttr(*axis));
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    if (i != *axis)
      exprs.push_back(l.rw.getAffineDimExpr(i));
  auto map = AffineMap::get(rank, 0, exprs, l.rw.getContext());
  Type elt = rt.getElementType();
  int64_t ax = *axis;
  return indexedGeneric(
      l, rt, {idx}, {map},
      [&](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Value> ivs) {
        Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), args[0]);
        Value hit = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, i,
                                          ivs[ax]);
        return arith::SelectOp::create(b, loc, hit, fconst(b, loc, elt, 1.0),
                                       fconst(b, loc, elt, 0.0))
            .getResult();
      });
}


/// ConvTranspose on tosa.transpose_conv2d. TOSA's out_pad is the negated
/// ONNX begin padding; the end padding follows from the inferred output size.
static FailureOr<Value> lowerConvTranspose(Lowerer &l,
                                           onnx::ConvTransposeOp op) {
  auto xt = Lowerer::typeOf(op.getX()), wt = Lowerer::typeOf(op.getW());
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  int64_t rank = xt.getRank(), ns = rank - 2;
  if (!xt.getElementType().isF32())
    return op.emitError("ConvTranspose on ")
           << xt.getElementType() << " is not supported yet";
  SmallVector<int64_t> dil = onnx::getI64Array(op.getDilationsAttr());
  if (dil.empty())
    dil.assign(ns, 1);
  SmallVector<int64_t> strides = onnx::getI64Array(op.getStridesAttr());
  if (strides.empty())
    strides.assign(ns, 1);
  if ((int64_t)dil.size() != ns || (int64_t)strides.size() != ns ||
      llvm::any_of(dil, [](int64_t d) { return d < 1; }) ||
      llvm::any_of(strides, [](int64_t d) { return d < 1; }))
    return op.emitError("ConvTranspose needs ")
           << ns << " positive strides and dilations";
  SmallVector<int64_t> pads = onnx::getI64Array(op.getPadsAttr());
  SmallVector<int64_t> in(xt.getShape().drop_front(2)),
      k(wt.getShape().drop_front(2)), out(rt.getShape().drop_front(2));
  StringRef autoPad = op.getAutoPad();
  SmallVector<int64_t> begin(ns, 0);
  for (int64_t i = 0; i < ns; ++i) {
    // Floor division: a negative total (output_shape larger than the
    // natural size) adds its extra rows at the end, as the ONNX reference.
    int64_t total =
        strides[i] * (in[i] - 1) + (k[i] - 1) * dil[i] + 1 - out[i];
    int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
    if (autoPad == "SAME_UPPER")
      begin[i] = half;
    else if (autoPad == "SAME_LOWER" ||
             (op.getOutputShapeAttr() && pads.empty()))
      begin[i] = total - half;
    else if (!pads.empty())
      begin[i] = pads[i];
  }
  // TOSA's transpose_conv2d covers 1-D and 2-D, ungrouped, undilated; the
  // rest is one generic.
  if (ns > 2 || op.getGroup() != 1 ||
      llvm::any_of(dil, [](int64_t d) { return d != 1; }))
    return lowerConvTransposeND(l, op.getX(), op.getW(), op.getB(), begin,
                                strides, dil, op.getGroup(), rt);
  if (ns == 1) {
    in.insert(in.begin(), 1);
    k.insert(k.begin(), 1);
    out.insert(out.begin(), 1);
    strides.insert(strides.begin(), 1);
    begin.insert(begin.begin(), 0);
  }
  int64_t n = xt.getDimSize(0), c = xt.getDimSize(1), m = wt.getDimSize(1);
  Type f32 = rt.getElementType();
  Value x = l.reshape(op.getX(), {n, c, in[0], in[1]});
  x = l.transpose(x, kToNHWC);
  // Weights [C, M, kh, kw] -> [M, kh, kw, C].
  Value w;
  if (auto cw = whittle::getConstantFloats(op.getW())) {
    SmallVector<float> ohwi(m * k[0] * k[1] * c);
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t mi = 0; mi < m; ++mi)
        for (int64_t y = 0; y < k[0]; ++y)
          for (int64_t xx = 0; xx < k[1]; ++xx)
            ohwi[((mi * k[0] + y) * k[1] + xx) * c + ci] =
                (*cw)[((ci * m + mi) * k[0] + y) * k[1] + xx];
    w = l.constant(l.tensorType({m, k[0], k[1], c}, f32), ohwi);
  } else {
    w = l.transpose(l.reshape(op.getW(), {c, m, k[0], k[1]}), {1, 2, 3, 0});
  }
  Value bias = op.getB() ? op.getB()
                         : l.constant(l.tensorType({m}, f32),
                                      SmallVector<float>(m, 0.0f));
  SmallVector<int64_t> outPad;
  for (int i = 0; i < 2; ++i) {
    int64_t top = -begin[i];
    int64_t bottom = out[i] - ((in[i] - 1) * strides[i] + k[i]) - top;
    outPad.push_back(top);
    outPad.push_back(bottom);
  }
  Value y = tosa::TransposeConv2DOp::create(
      l.rw, l.loc, l.tensorType({n, out[0], out[1], m}, f32), x, w, bias,
      l.rw.getDenseI64ArrayAttr(outPad), l.rw.getDenseI64ArrayAttr(strides),
      TypeAttr::get(f32));
  return finishWindowOutput(l, y, rt);
}

/// LRN: x / (bias + alpha / size * s)^beta, s the sum of squares over a
/// window of channels; the window is the sum of `size` channel-shifted
/// slices of the zero-padded squares.
static FailureOr<Value> lowerLRN(Lowerer &l, onnx::LRNOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  Type elt = rt.getElementType();
  int64_t size = op.getSize(), rank = rt.getRank();
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  Value x = op.getX();
  Value sq = l.mul(rt, x, x);
  SmallVector<int64_t> padShape(rt.getShape());
  padShape[1] += size - 1;
  SmallVector<int64_t> pads(2 * rank, 0);
  pads[2] = before;
  pads[3] = after;
  Value padded = tosa::PadOp::create(
      l.rw, l.loc, l.tensorType(padShape, elt), sq, l.shapeValue(pads),
      l.splat(elt, {1}, 0.0));
  Value sum;
  for (int64_t i = 0; i < size; ++i) {
    SmallVector<int64_t> start(rank, 0);
    start[1] = i;
    Value piece = l.slice(padded, start, rt.getShape());
    sum = sum ? l.binary<tosa::AddOp>(rt, sum, piece) : piece;
  }
  double alpha = op.getAlpha().convertToDouble() / size;
  double beta = op.getBeta().convertToDouble();
  double bias = op.getBias().convertToDouble();
  return l.linalgElementwise(
      rt, {x, sum}, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        auto c = [&](double v) -> Value {
          return arith::ConstantOp::create(b, loc, b.getFloatAttr(elt, v));
        };
        Value base = arith::AddFOp::create(
            b, loc, c(bias), arith::MulFOp::create(b, loc, c(alpha), a[1]));
        // base^-beta = exp(-beta * log(base)); base >= bias > 0.
        Value scale = math::ExpOp::create(
            b, loc,
            arith::MulFOp::create(b, loc, c(-beta),
                                  math::LogOp::create(b, loc, base)));
        return arith::MulFOp::create(b, loc, a[0], scale);
      });
}

/// MeanVarianceNormalization: (x - mean) / (sqrt(var) + 1e-9), the
/// statistics over `axes` (ONNX's function body).
static FailureOr<Value>
lowerMeanVarianceNorm(Lowerer &l, onnx::MeanVarianceNormalizationOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto axes = normalizeAxes(op, onnx::getI64Array(op.getAxes()), rt.getRank());
  if (failed(axes))
    return failure();
  Value x = op.getX();
  Value mean = reduceMean(l, x, *axes);
  Value d = l.binary<tosa::SubOp>(rt, x, mean);
  Value var = reduceMean(l, l.mul(rt, d, d), *axes);
  Type elt = rt.getElementType();
  return l.linalgElementwise(
      rt, {d, var}, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        Value sd = arith::AddFOp::create(
            b, loc, math::SqrtOp::create(b, loc, a[1]),
            arith::ConstantOp::create(b, loc, b.getFloatAttr(elt, 1e-9)));
        return arith::DivFOp::create(b, loc, a[0], sd);
      });
}

/// Dispatches one op. Returns the replacement value, or failure after
/// emitting an error at the op's location.
static FailureOr<Value> lowerOne(Lowerer &l, Operation *op) {
  auto rt = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  Type elt = rt.getElementType();
  bool isFloat = llvm::isa<FloatType>(elt);
  auto unaryF = [&](auto tag, Value x) -> FailureOr<Value> {
    using OpTy = decltype(tag);
    if (!isFloat)
      return op->emitError("'") << op->getName().stripDialect()
                                << "' on " << elt << " is not supported yet";
    return OpTy::create(l.rw, l.loc, rt, x).getResult();
  };
  if (auto quant = lowerQuantOp(l, op))
    return *quant;
  if (auto indexing = lowerIndexingOp(l, op))
    return *indexing;
  if (auto scalar = lowerScalarElementwise(l, op))
    return *scalar;
  return llvm::TypeSwitch<Operation *, FailureOr<Value>>(op)
      .Case([&](onnx::ConstantOp c) { return lowerConstant(l, op, c.getValue()); })
      .Case<onnx::ShapeOp, onnx::SizeOp>([&](Operation *o) -> FailureOr<Value> {
        SmallVector<OpFoldResult> folded;
        if (failed(o->fold(folded)) || folded.size() != 1)
          return o->emitError("shape of a dynamically shaped tensor");
        auto attr = llvm::dyn_cast_if_present<ElementsAttr>(
            llvm::dyn_cast_if_present<Attribute>(folded[0]));
        if (!attr)
          return o->emitError("start/end select a different number of "
                              "dimensions than the result holds");
        return lowerConstant(l, o, attr);
      })
      .Case([&](onnx::CastLikeOp o) -> FailureOr<Value> {
        return l.linalgElementwise(
            rt, {o.getInput()}, [&](OpBuilder &b, Location loc, ValueRange a) {
              return convertScalar(b, loc, a[0], elt, l.unsignedOperands & 1,
                                   l.unsignedOut);
            });
      })
      .Case([&](onnx::SliceOp o) { return lowerSlice(l, o); })
      .Case([&](onnx::GatherOp o) { return lowerGather(l, o); })
      .Case([&](onnx::GatherElementsOp o) { return lowerGatherElements(l, o); })
      .Case([&](onnx::TriluOp o) { return lowerTrilu(l, o); })
      .Case<onnx::DepthToSpaceOp, onnx::SpaceToDepthOp>(
          [&](Operation *o) { return lowerDepthSpace(l, o); })
      .Case([&](onnx::EyeLikeOp o) { return lowerEyeLike(l, o); })
      .Case([&](onnx::HardmaxOp o) { return lowerHardmax(l, o); })
      .Case([&](onnx::TileOp o) { return lowerTile(l, o); })
      .Case([&](onnx::PadOp o) { return lowerPad(l, o); })
      .Case([&](onnx::InstanceNormalizationOp o) { return lowerInstanceNorm(l, o); })
      .Case<onnx::PReluOp, onnx::ModOp>([&](Operation *o) { return lowerModPRelu(l, o); })
      .Case([&](onnx::ExpandOp o) -> FailureOr<Value> {
        return l.linalgElementwise(rt, {o.getInput()},
                                   [](OpBuilder &, Location, ValueRange a) {
                                     return a[0];
                                   });
      })
      .Case([&](onnx::BatchNormalizationOp o) { return lowerBatchNorm(l, o); })
      .Case([&](onnx::ConstantOfShapeOp c) -> FailureOr<Value> {
        OpFoldResult folded = c.fold(onnx::ConstantOfShapeOp::FoldAdaptor(
            ArrayRef<Attribute>{}, c));
        auto attr = llvm::dyn_cast_if_present<ElementsAttr>(
            llvm::dyn_cast_if_present<Attribute>(folded));
        if (!attr)
          return c.emitError("ConstantOfShape value must be a one-element "
                             "tensor of the result element type");
        return lowerConstant(l, op, attr);
      })
      .Case([&](onnx::IdentityOp o) { return o.getX(); })
      .Case([&](onnx::ReluOp o) -> FailureOr<Value> {
        if (!isFloat)
          return o.emitError("Relu on ") << elt << " is not supported yet";
        return tosa::ClampOp::create(
                   l.rw, l.loc, rt, o.getX(), l.rw.getFloatAttr(elt, 0.0),
                   l.rw.getFloatAttr(elt, APFloat::getLargest(
                                              llvm::cast<FloatType>(elt)
                                                  .getFloatSemantics())
                                              .convertToDouble()))
            .getResult();
      })
      .Case([&](onnx::LeakyReluOp o) -> FailureOr<Value> {
        Value x = o.getX();
        Value scaled = l.mul(
            rt, x,
            l.splat(elt, SmallVector<int64_t>(rt.getRank(), 1),
                    o.getAlpha().convertToFloat()));
        Value zero = l.splat(elt, SmallVector<int64_t>(rt.getRank(), 1), 0.0);
        auto i1 = l.tensorType(rt.getShape(), l.rw.getI1Type());
        Value pos = tosa::GreaterEqualOp::create(l.rw, l.loc, i1, x, zero);
        return tosa::SelectOp::create(l.rw, l.loc, rt, pos, x, scaled)
            .getResult();
      })
      .Case([&](onnx::SigmoidOp o) {
        return unaryF(tosa::SigmoidOp(), o.getX());
      })
      .Case([&](onnx::TanhOp o) { return unaryF(tosa::TanhOp(), o.getX()); })
      .Case([&](onnx::ExpOp o) { return unaryF(tosa::ExpOp(), o.getX()); })
      .Case([&](onnx::LogOp o) { return unaryF(tosa::LogOp(), o.getX()); })
      .Case([&](onnx::AbsOp o) -> FailureOr<Value> {
        if (l.unsignedIn)
          return o.getX();
        return unaryF(tosa::AbsOp(), o.getX());
      })
      .Case([&](onnx::ReciprocalOp o) {
        return unaryF(tosa::ReciprocalOp(), o.getX());
      })
      .Case([&](onnx::NegOp o) -> FailureOr<Value> {
        if (!isFloat)
          return o.emitError("Neg on ") << elt << " is not supported yet";
        return tosa::NegateOp::create(
                   l.rw, l.loc, rt, o.getX(),
                   *tosa::createZeroPointTensor(l.rw, l.loc, elt, 0),
                   *tosa::createZeroPointTensor(l.rw, l.loc, elt, 0))
            .getResult();
      })
      .Case([&](onnx::SqrtOp o) -> FailureOr<Value> {
        if (!isFloat)
          return o.emitError("Sqrt on ") << elt << " is not supported yet";
        return l.linalgElementwise(
            rt, {o.getX()}, [](OpBuilder &b, Location loc, ValueRange a) {
              return math::SqrtOp::create(b, loc, a[0]).getResult();
            });
      })
      .Case([&](onnx::ClipOp o) { return lowerClip(l, o); })
      .Case<onnx::AddOp, onnx::SubOp, onnx::MulOp>(
          [&](Operation *o) -> FailureOr<Value> {
            Value a = o->getOperand(0), b = o->getOperand(1);
            // TOSA's integer add/sub/mul are 32-bit (mul of narrower ints
            // widens): other integers wrap in their own width as scalar
            // code, which is also the unsigned arithmetic.
            if (!isFloat && elt.getIntOrFloatBitWidth() != 32 &&
                elt.getIntOrFloatBitWidth() != 64)
              return l.linalgElementwise(
                  rt, {a, b},
                  [&](OpBuilder &bb, Location loc, ValueRange v) -> Value {
                    if (isa<onnx::AddOp>(o))
                      return arith::AddIOp::create(bb, loc, v[0], v[1]);
                    if (isa<onnx::SubOp>(o))
                      return arith::SubIOp::create(bb, loc, v[0], v[1]);
                    return arith::MulIOp::create(bb, loc, v[0], v[1]);
                  });
            if (isa<onnx::AddOp>(o))
              return l.binary<tosa::AddOp>(rt, a, b);
            if (isa<onnx::SubOp>(o))
              return l.binary<tosa::SubOp>(rt, a, b);
            return l.mul(rt, a, b);
          })
      .Case([&](onnx::DivOp o) -> FailureOr<Value> {
        if (!isFloat)
          checkDivisors(l, o.getB());
        return l.linalgElementwise(
            rt, {o.getA(), o.getB()},
            [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
              if (isFloat)
                return arith::DivFOp::create(b, loc, a[0], a[1]);
              if (l.unsignedIn)
                return arith::DivUIOp::create(
                    b, loc, a[0], safeDivisor(b, loc, a[0], a[1], true));
              return arith::DivSIOp::create(b, loc, a[0],
                                            safeDivisor(b, loc, a[0], a[1]));
            });
      })
      .Case([&](onnx::PowOp o) { return lowerPow(l, o); })
      .Case([&](onnx::GemmOp o) { return lowerGemm(l, o); })
      .Case([&](onnx::MatMulOp o) { return lowerMatMul(l, o); })
      .Case([&](onnx::ConvOp o) { return lowerConv(l, o); })
      .Case([&](onnx::ConvTransposeOp o) { return lowerConvTranspose(l, o); })
      .Case([&](onnx::MaxPoolOp o) { return lowerPool(l, o, true, false); })
      .Case([&](onnx::AveragePoolOp o) {
        return lowerPool(l, o, false, o.getCountIncludePad() != 0);
      })
      .Case([&](onnx::GlobalAveragePoolOp o) -> FailureOr<Value> {
        int64_t rank = rt.getRank();
        SmallVector<int64_t> axes;
        for (int64_t i = 2; i < rank; ++i)
          axes.push_back(i);
        return reduceMean(l, o.getX(), axes);
      })
      .Case([&](onnx::GlobalMaxPoolOp o) -> FailureOr<Value> {
        SmallVector<int64_t> axes;
        for (int64_t i = 2; i < rt.getRank(); ++i)
          axes.push_back(i);
        return reduceAxes<tosa::ReduceMaxOp>(l, o.getX(), axes);
      })
      .Case([&](onnx::LRNOp o) { return lowerLRN(l, o); })
      .Case([&](onnx::MeanVarianceNormalizationOp o) {
        return lowerMeanVarianceNorm(l, o);
      })
      .Case([&](onnx::ReduceMeanOp o) -> FailureOr<Value> {
        auto in = Lowerer::typeOf(o.getData());
        SmallVector<int64_t> axes = onnx::getI64Array(o.getAxesAttr());
        if (axes.empty())
          for (int64_t i = 0; i < in.getRank(); ++i)
            axes.push_back(i);
        auto norm = normalizeAxes(op, axes, in.getRank());
        if (failed(norm))
          return failure();
        return l.reshape(reduceMean(l, o.getData(), *norm), rt.getShape());
      })
      .Case([&](onnx::SoftmaxOp o) { return lowerSoftmax(l, o); })
      .Case([&](onnx::LogSoftmaxOp o) { return lowerLogSoftmax(l, o); })
      .Case([&](onnx::NegativeLogLikelihoodLossOp o) -> FailureOr<Value> {
        return lowerNLL(l, o, o.getInput());
      })
      .Case<onnx::ReduceSumOp, onnx::ReduceMaxOp, onnx::ReduceMinOp,
            onnx::ReduceProdOp, onnx::ReduceL1Op, onnx::ReduceL2Op,
            onnx::ReduceSumSquareOp, onnx::ReduceLogSumOp,
            onnx::ReduceLogSumExpOp>([&](auto o) { return lowerReduce(l, o); })
      .Case([&](onnx::ArgMaxOp o) { return lowerArg(l, o, true); })
      .Case([&](onnx::ArgMinOp o) { return lowerArg(l, o, false); })
      .Case<onnx::UnsqueezeOp, onnx::SqueezeOp>([&](Operation *o) {
        return l.reshape(o->getOperand(0), rt.getShape());
      })
      .Case([&](onnx::ReshapeOp o) {
        return l.reshape(o.getData(), rt.getShape());
      })
      .Case([&](onnx::FlattenOp o) {
        return l.reshape(o.getInput(), rt.getShape());
      })
      .Case([&](onnx::TransposeOp o) {
        int64_t rank = rt.getRank();
        SmallVector<int32_t> perms;
        for (int64_t p : onnx::getI64Array(o.getPermAttr()))
          perms.push_back(p);
        if (perms.empty())
          for (int64_t i = rank - 1; i >= 0; --i)
            perms.push_back(i);
        return l.transpose(o.getData(), perms);
      })
      .Case([&](onnx::ConcatOp o) -> FailureOr<Value> {
        int64_t axis = o.getAxis();
        if (axis < 0)
          axis += rt.getRank();
        return tosa::ConcatOp::create(l.rw, l.loc, rt, o.getInputs(), axis)
            .getResult();
      })
      .Default([&](Operation *other) -> FailureOr<Value> {
        return other->emitError("no lowering for '")
               << other->getName() << "'";
      });
}

namespace {

/// How an op used unsigned integers before they became signless.
struct UnsignedUse {
  uint64_t operands = 0; ///< bit i: operand i
  bool results = false;
};

static bool isUnsignedTensor(Type t) {
  auto st = llvm::dyn_cast<ShapedType>(t);
  return st && st.getElementType().isUnsignedInteger();
}

static Type signlessTensor(Type t) {
  auto st = llvm::cast<ShapedType>(t);
  return st.clone(IntegerType::get(
      t.getContext(), st.getElementType().getIntOrFloatBitWidth()));
}

/// Ops whose results do not depend on their integers' signedness (two's
/// complement wrap-around, data movement, equality), and those the lowering
/// gives unsigned arithmetic (through Lowerer::unsignedIn/unsignedOut).
static bool handlesUnsigned(Operation *op) {
  return llvm::isa<
      onnx::AddOp, onnx::SubOp, onnx::MulOp, onnx::SumOp, onnx::IdentityOp,
      onnx::ReshapeOp, onnx::FlattenOp, onnx::SqueezeOp, onnx::UnsqueezeOp,
      onnx::TransposeOp, onnx::ConcatOp, onnx::SliceOp, onnx::SplitOp,
      onnx::GatherOp, onnx::GatherElementsOp, onnx::GatherNDOp,
      onnx::ScatterElementsOp, onnx::ScatterNDOp, onnx::TileOp, onnx::ExpandOp,
      onnx::EqualOp, onnx::WhereOp, onnx::ConstantOp, onnx::ConstantOfShapeOp,
      onnx::ShapeOp, onnx::SizeOp, onnx::DepthToSpaceOp, onnx::SpaceToDepthOp,
      onnx::TriluOp, onnx::PadOp, onnx::ReverseSequenceOp,
      // sign-aware lowerings
      onnx::CastOp, onnx::CastLikeOp, onnx::DivOp, onnx::ModOp, onnx::MaxOp,
      onnx::MinOp, onnx::LessOp, onnx::GreaterOp, onnx::LessOrEqualOp,
      onnx::GreaterOrEqualOp, onnx::BitShiftOp, onnx::PowOp, onnx::AbsOp,
      onnx::SignOp>(op);
}

/// The same elements under the signless integer type.
static Attribute signlessElements(ElementsAttr attr) {
  auto type = llvm::cast<ShapedType>(signlessTensor(attr.getShapedType()));
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(attr))
    return dense.bitcast(type.getElementType());
  if (auto res = llvm::dyn_cast<DenseResourceElementsAttr>(attr))
    return DenseResourceElementsAttr::get(type, res.getRawHandle());
  return {};
}

/// Makes every unsigned integer in `func` signless, recording per op what
/// was unsigned; a model input or output keeps its type in the header
/// through `whittle.unsigned`. Fails (after one error per op) on an op
/// whose unsigned semantics the lowering does not know.
static LogicalResult
eraseUnsigned(func::FuncOp func,
              llvm::DenseMap<Operation *, UnsignedUse> &uses) {
  bool ok = true;
  func.walk([&](Operation *op) {
    UnsignedUse use;
    for (auto [i, v] : llvm::enumerate(op->getOperands()))
      if (isUnsignedTensor(v.getType()) && i < 64)
        use.operands |= uint64_t(1) << i;
    use.results = llvm::any_of(op->getResultTypes(), isUnsignedTensor);
    if ((!use.operands && !use.results) || llvm::isa<func::ReturnOp>(op))
      return;
    if (!handlesUnsigned(op)) {
      auto diag = op->emitError("'") << op->getName().stripDialect()
                                     << "' on unsigned integers is not "
                                        "supported yet";
      // onnx-signed-quant takes uint8 quantized graphs whose uint8 tensors
      // only quantization ops and data movement read.
      if (llvm::isa<onnx::QuantizeLinearOp, onnx::DequantizeLinearOp,
                    onnx::DynamicQuantizeLinearOp, onnx::QLinearConvOp,
                    onnx::QLinearMatMulOp, onnx::ConvIntegerOp,
                    onnx::MatMulIntegerOp>(op))
        diag << " (uint8 quantized tensors are compiled where nothing but "
                "quantization ops and data movement use them)";
      ok = false;
      return;
    }
    uses[op] = use;
  });
  if (!ok)
    return failure();
  for (auto &[op, use] : uses) {
    for (NamedAttribute attr : op->getAttrs()) {
      auto elements = llvm::dyn_cast<ElementsAttr>(attr.getValue());
      if (!elements || !isUnsignedTensor(elements.getShapedType()))
        continue;
      Attribute converted = signlessElements(elements);
      if (!converted)
        return op->emitError("internal: unsigned constant of an unknown kind");
      op->setAttr(attr.getName(), converted);
    }
    for (Value r : op->getResults())
      if (isUnsignedTensor(r.getType()))
        r.setType(signlessTensor(r.getType()));
  }
  SmallVector<Type> inputs(func.getArgumentTypes());
  SmallVector<Type> results(func.getResultTypes());
  UnitAttr unit = UnitAttr::get(func.getContext());
  for (BlockArgument arg : func.getArguments())
    if (isUnsignedTensor(arg.getType())) {
      arg.setType(signlessTensor(arg.getType()));
      inputs[arg.getArgNumber()] = arg.getType();
      func.setArgAttr(arg.getArgNumber(), whittle::kUnsignedAttr, unit);
    }
  for (auto [i, t] : llvm::enumerate(results))
    if (isUnsignedTensor(t)) {
      t = signlessTensor(t);
      func.setResultAttr(i, whittle::kUnsignedAttr, unit);
    }
  func.setFunctionType(FunctionType::get(func.getContext(), inputs, results));
  return success();
}

struct ConvertONNXToTOSAPass
    : whittle::impl::ConvertONNXToTOSAPassBase<ConvertONNXToTOSAPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rw(&getContext());
    llvm::DenseMap<Operation *, UnsignedUse> unsignedUses;
    if (mlir::failed(eraseUnsigned(func, unsignedUses)))
      return signalPassFailure();
    SmallVector<Operation *> ops;
    func.walk([&](Operation *op) {
      if (llvm::isa<onnx::ONNXDialect>(op->getDialect()))
        ops.push_back(op);
    });
    bool failed = false;
    for (Operation *op : ops) {
      rw.setInsertionPoint(op);
      Lowerer l{rw, op->getLoc()};
      // Multi-result lowerings: replace the op, or record the failure.
      auto replaceWith = [&](FailureOr<SmallVector<Value>> results) {
        if (mlir::failed(results))
          failed = true;
        else
          rw.replaceOp(op, *results);
      };
      if (auto it = unsignedUses.find(op); it != unsignedUses.end()) {
        l.unsignedOperands = it->second.operands;
        l.unsignedIn = it->second.operands != 0;
        l.unsignedOut = it->second.results;
      }
      if (auto assume = llvm::dyn_cast<onnx::AssumeEqualOp>(op)) {
        int64_t expected = assume.getExpected();
        addRuntimeCheck(l, assume.getInput(), whittle::kStatusShapeMismatch,
                        assume.getMessage(),
                        [&](OpBuilder &b, Location loc, Value v) -> Value {
                          Type t = v.getType();
                          int64_t want = t.isInteger(1) ? expected != 0
                                                        : expected;
                          Value c = arith::ConstantOp::create(
                              b, loc, b.getIntegerAttr(t, want));
                          return arith::CmpIOp::create(
                              b, loc, arith::CmpIPredicate::eq, v, c);
                        });
        rw.eraseOp(op);
        continue;
      }
      if (auto split = llvm::dyn_cast<onnx::SplitOp>(op)) {
        auto in = Lowerer::typeOf(split.getInput());
        auto axis = normAxis(op, split.getAxis(), in.getRank());
        if (mlir::failed(axis)) {
          failed = true;
          continue;
        }
        // Result types (from shape inference) give every piece's extent.
        SmallVector<Value> results;
        int64_t offset = 0;
        for (Value r : split.getOutputs()) {
          auto t = llvm::cast<RankedTensorType>(r.getType());
          SmallVector<int64_t> offs(in.getRank(), 0), strides(in.getRank(), 1);
          offs[*axis] = offset;
          offset += t.getDimSize(*axis);
          results.push_back(tensor::ExtractSliceOp::create(
              rw, op->getLoc(), t, split.getInput(), ValueRange{}, ValueRange{},
              ValueRange{}, rw.getDenseI64ArrayAttr(offs),
              rw.getDenseI64ArrayAttr(t.getShape()),
              rw.getDenseI64ArrayAttr(strides)));
        }
        if (offset != in.getDimSize(*axis)) {
          op->emitError("Split pieces cover ")
              << offset << " of " << in.getDimSize(*axis) << " elements";
          failed = true;
          continue;
        }
        rw.replaceOp(op, results);
        continue;
      }
      if (auto sce = llvm::dyn_cast<onnx::SoftmaxCrossEntropyLossOp>(op)) {
        Value logProb = logSoftmax(l, sce.getInput(), 1);
        SmallVector<Value> results{lowerNLL(l, sce, logProb)};
        if (sce.getLogProb())
          results.push_back(logProb);
        rw.replaceOp(op, results);
        continue;
      }
      if (auto dq = llvm::dyn_cast<onnx::DynamicQuantizeLinearOp>(op)) {
        replaceWith(lowerDynamicQuantizeLinear(l, dq));
        continue;
      }
      if (auto bn = llvm::dyn_cast<onnx::BatchNormalizationOp>(op);
          bn && bn.getTrainingMode()) {
        replaceWith(lowerBatchNormTraining(l, bn));
        continue;
      }
      if (auto pool = llvm::dyn_cast<onnx::MaxPoolOp>(op);
          pool && pool.getIndices()) {
        replaceWith(lowerMaxPoolWithIndices(l, pool));
        continue;
      }
      if (auto topk = llvm::dyn_cast<onnx::TopKOp>(op)) {
        replaceWith(lowerTopK(l, topk));
        continue;
      }
      if (auto steps = lowerOptimizerOp(l, op)) {
        rw.replaceOp(op, *steps);
        continue;
      }
      if (auto selected = lowerSelectionOp(l, op)) {
        replaceWith(*selected);
        continue;
      }
      if (auto recurrent = lowerRecurrentOp(l, op)) {
        if (mlir::failed(*recurrent)) {
          failed = true;
          continue;
        }
        rw.replaceOp(op, **recurrent);
        continue;
      }
      if (auto ln = llvm::dyn_cast<onnx::LayerNormalizationOp>(op)) {
        replaceWith(lowerLayerNorm(l, ln));
        continue;
      }
      if (auto drop = llvm::dyn_cast<onnx::DropoutOp>(op)) {
        if (drop.getTrainingMode() &&
            !(whittle::getConstantInts(drop.getTrainingMode()) &&
              llvm::all_of(*whittle::getConstantInts(drop.getTrainingMode()),
                           [](int64_t v) { return v == 0; }))) {
          op->emitError("Dropout in training mode is not supported (only "
                        "inference)");
          failed = true;
          continue;
        }
        SmallVector<Value> results = {drop.getData()};
        if (drop.getMask()) {
          auto mt = llvm::cast<RankedTensorType>(drop.getMask().getType());
          results.push_back(tosa::ConstOp::create(
              rw, op->getLoc(), mt,
              DenseElementsAttr::get(mt, rw.getBoolAttr(true))));
        }
        rw.replaceOp(op, results);
        continue;
      }
      FailureOr<Value> result = lowerOne(l, op);
      if (mlir::failed(result)) {
        failed = true;
        continue;
      }
      Value v = *result;
      if (v.getType() != op->getResult(0).getType()) {
        op->emitError("internal: lowering produced ")
            << v.getType() << " for " << op->getResult(0).getType();
        failed = true;
        continue;
      }
      rw.replaceOp(op, v);
    }
    if (failed)
      signalPassFailure();
  }
};

} // namespace
