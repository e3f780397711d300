//===- WindowToLinalg.cpp - N-d pooling and convolution as generics ------===//
//
// Part of whittle. What the NHWC TOSA path does not cover (three or more
// spatial dimensions, dilated pooling): one linalg.generic per op over the
// NC... layout, reading the padded input through the window's affine map
// (o * stride + k * dilation); the kernel extents come from a dummy operand
// (pooling) or the weights (convolution). Average pooling divides by a
// compile-time tensor of window counts, a product of per-axis counts.
//
//===----------------------------------------------------------------------===//

#include "Lowerer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace whittle;
using namespace whittle::lowering;

namespace {

/// The input padded by the geometry's pads, plus whatever the end needs so
/// that every output window (ceil_mode) lies inside.
Value padWindowInput(Lowerer &l, Value x, const onnx::WindowGeometry &g,
                     Attribute padValue) {
  auto xt = Lowerer::typeOf(x);
  size_t n = g.kernel.size();
  SmallVector<int64_t> padding(4, 0), shape(xt.getShape());
  bool any = false;
  for (size_t i = 0; i < n; ++i) {
    int64_t in = xt.getDimSize(2 + i);
    int64_t need = (g.outSpatial[i] - 1) * g.strides[i] +
                   (g.kernel[i] - 1) * g.dilations[i] + 1;
    int64_t end = std::max(g.pads[i + n], need - in - g.pads[i]);
    padding.push_back(g.pads[i]);
    padding.push_back(end);
    shape[2 + i] += g.pads[i] + end;
    any |= g.pads[i] || end;
  }
  if (!any)
    return x;
  auto one = l.tensorType({1}, xt.getElementType());
  Value pv = tosa::ConstOp::create(l.rw, l.loc, one,
                                   DenseElementsAttr::get(one, padValue));
  return tosa::PadOp::create(l.rw, l.loc,
                             l.tensorType(shape, xt.getElementType()), x,
                             l.shapeValue(padding), pv);
}

/// d_out * stride + d_k * dilation for spatial dimension i.
AffineExpr windowExpr(const onnx::WindowGeometry &g, size_t i, unsigned outDim,
                      unsigned kDim, MLIRContext *ctx) {
  return getAffineDimExpr(outDim, ctx) * g.strides[i] +
         getAffineDimExpr(kDim, ctx) * g.dilations[i];
}

Value filled(Lowerer &l, RankedTensorType t, TypedAttr v) {
  Value c = arith::ConstantOp::create(l.rw, l.loc, v);
  Value e = tensor::EmptyOp::create(l.rw, l.loc, t.getShape(),
                                    t.getElementType());
  return linalg::FillOp::create(l.rw, l.loc, ValueRange{c}, ValueRange{e})
      .getResult(0);
}

} // namespace

FailureOr<Value> whittle::lowering::lowerPoolND(Lowerer &l, Value x,
                                                const onnx::WindowGeometry &g,
                                                RankedTensorType rt, bool isMax,
                                                bool countIncludePad) {
  auto xt = Lowerer::typeOf(x);
  Type elt = xt.getElementType();
  bool isFloat = llvm::isa<FloatType>(elt);
  if (!isMax && !isFloat)
    return failure();
  size_t n = g.kernel.size();
  MLIRContext *ctx = l.rw.getContext();
  TypedAttr lowest =
      isFloat ? (TypedAttr)l.rw.getFloatAttr(
                    elt, -std::numeric_limits<double>::infinity())
              : (TypedAttr)l.rw.getIntegerAttr(
                    elt, APInt::getSignedMinValue(elt.getIntOrFloatBitWidth()));
  TypedAttr init = isMax ? lowest : (TypedAttr)l.rw.getZeroAttr(elt);
  Value padded = padWindowInput(l, x, g, isMax ? (Attribute)lowest
                                               : l.rw.getZeroAttr(elt));
  unsigned rank = 2 + n, loops = rank + n;
  SmallVector<AffineExpr> inExprs = {getAffineDimExpr(0, ctx),
                                     getAffineDimExpr(1, ctx)};
  SmallVector<AffineExpr> kExprs, outExprs;
  for (size_t i = 0; i < n; ++i) {
    inExprs.push_back(windowExpr(g, i, 2 + i, rank + i, ctx));
    kExprs.push_back(getAffineDimExpr(rank + i, ctx));
  }
  for (unsigned i = 0; i < rank; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, inExprs, ctx),
                                 AffineMap::get(loops, 0, kExprs, ctx),
                                 AffineMap::get(loops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters.append(n, utils::IteratorType::reduction);
  Value window = tensor::EmptyOp::create(l.rw, l.loc, g.kernel,
                                         l.rw.getI8Type());
  Value y = linalg::GenericOp::create(
                l.rw, l.loc, TypeRange{rt}, ValueRange{padded, window},
                ValueRange{filled(l, rt, init)}, maps, iters,
                [&](OpBuilder &b, Location loc, ValueRange a) {
                  Value r;
                  if (!isMax)
                    r = arith::AddFOp::create(b, loc, a[2], a[0]);
                  else if (isFloat)
                    r = arith::MaximumFOp::create(b, loc, a[2], a[0]);
                  else
                    r = arith::MaxSIOp::create(b, loc, a[2], a[0]);
                  linalg::YieldOp::create(b, loc, r);
                })
                .getResult(0);
  if (isMax)
    return y;
  // Window sizes: per axis, the taps that land on the input (or on its
  // explicit padding with count_include_pad); their product per output.
  SmallVector<SmallVector<float>> perAxis(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t in = xt.getDimSize(2 + i), pb = g.pads[i];
    int64_t lo = countIncludePad ? 0 : pb;
    int64_t hi = countIncludePad ? in + pb + g.pads[i + n] : pb + in;
    for (int64_t o = 0; o < g.outSpatial[i]; ++o) {
      int64_t count = 0;
      for (int64_t k = 0; k < g.kernel[i]; ++k) {
        int64_t p = o * g.strides[i] + k * g.dilations[i];
        count += p >= lo && p < hi;
      }
      perAxis[i].push_back((float)std::max<int64_t>(count, 1));
    }
  }
  SmallVector<int64_t> countShape = {1, 1};
  countShape.append(g.outSpatial.begin(), g.outSpatial.end());
  SmallVector<float> counts = {1.0f};
  for (size_t i = 0; i < n; ++i) {
    SmallVector<float> next;
    for (float c : counts)
      for (float a : perAxis[i])
        next.push_back(c * a);
    counts = next;
  }
  auto countType = l.tensorType(countShape, l.rw.getF32Type());
  Value countsV = l.constant(countType, counts);
  return l.linalgElementwise(
      rt, {y, countsV}, [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
        return arith::DivFOp::create(b, loc, a[0],
                                     convertScalar(b, loc, a[1], elt));
      });
}

FailureOr<SmallVector<Value>>
whittle::lowering::lowerMaxPoolWithIndices(Lowerer &l, onnx::MaxPoolOp op) {
  Value x = op.getX();
  auto xt = Lowerer::typeOf(x);
  auto rt = llvm::cast<RankedTensorType>(op.getY().getType());
  auto it = llvm::cast<RankedTensorType>(op.getIndices().getType());
  std::string err;
  auto g = onnx::computeWindowGeometry(
      xt.getShape().drop_front(2), onnx::getI64Array(op.getKernelShape()),
      op.getStridesAttr(), op.getDilationsAttr(), op.getPadsAttr(),
      op.getAutoPad(), op.getCeilMode() != 0, err);
  if (!g)
    return op.emitError(err);
  Type elt = xt.getElementType();
  bool isFloat = llvm::isa<FloatType>(elt);
  size_t n = g->kernel.size();
  MLIRContext *ctx = l.rw.getContext();
  TypedAttr lowest =
      isFloat ? (TypedAttr)l.rw.getFloatAttr(
                    elt, -std::numeric_limits<double>::infinity())
              : (TypedAttr)l.rw.getIntegerAttr(
                    elt, APInt::getSignedMinValue(elt.getIntOrFloatBitWidth()));
  Value padded = padWindowInput(l, x, *g, lowest);
  unsigned rank = 2 + n, loops = rank + n;
  SmallVector<AffineExpr> inExprs = {getAffineDimExpr(0, ctx),
                                     getAffineDimExpr(1, ctx)};
  SmallVector<AffineExpr> kExprs, outExprs;
  for (size_t i = 0; i < n; ++i) {
    inExprs.push_back(windowExpr(*g, i, 2 + i, rank + i, ctx));
    kExprs.push_back(getAffineDimExpr(rank + i, ctx));
  }
  for (unsigned i = 0; i < rank; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  auto outMap = AffineMap::get(loops, 0, outExprs, ctx);
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, inExprs, ctx),
                                 AffineMap::get(loops, 0, kExprs, ctx), outMap,
                                 outMap};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters.append(n, utils::IteratorType::reduction);
  Value window = tensor::EmptyOp::create(l.rw, l.loc, g->kernel,
                                         l.rw.getI8Type());
  bool columnMajor = op.getStorageOrder() == 1;
  int64_t spatialSize = 1;
  for (size_t i = 0; i < n; ++i)
    spatialSize *= xt.getDimSize(2 + i);
  auto generic = linalg::GenericOp::create(
      l.rw, l.loc, TypeRange{rt, it}, ValueRange{padded, window},
      ValueRange{filled(l, rt, lowest),
                 filled(l, it, l.rw.getI64IntegerAttr(-1))},
      maps, iters, [&](OpBuilder &b, Location loc, ValueRange a) {
        // The tap's input position; padding is never a maximum.
        auto idx = [&](int64_t v) {
          return arith::ConstantIndexOp::create(b, loc, v).getResult();
        };
        Value valid = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
        SmallVector<Value> pos;
        for (size_t i = 0; i < n; ++i) {
          Value o = linalg::IndexOp::create(b, loc, 2 + i);
          Value k = linalg::IndexOp::create(b, loc, rank + i);
          Value p = arith::AddIOp::create(
              b, loc, arith::MulIOp::create(b, loc, o, idx(g->strides[i])),
              arith::MulIOp::create(b, loc, k, idx(g->dilations[i])));
          p = arith::SubIOp::create(b, loc, p, idx(g->pads[i]));
          Value inside = arith::AndIOp::create(
              b, loc,
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, p,
                                    idx(0)),
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, p,
                                    idx(xt.getDimSize(2 + i))));
          valid = arith::AndIOp::create(b, loc, valid, inside);
          pos.push_back(p);
        }
        // Flat index: (n * C + c) * spatial + the spatial offset, whose
        // first dimension varies slowest (row-major) or fastest.
        Value flat = idx(0);
        for (size_t j = 0; j < n; ++j) {
          size_t i = columnMajor ? n - 1 - j : j;
          flat = arith::AddIOp::create(
              b, loc,
              arith::MulIOp::create(b, loc, flat,
                                    idx(xt.getDimSize(2 + i))),
              pos[i]);
        }
        Value nc = arith::AddIOp::create(
            b, loc,
            arith::MulIOp::create(b, loc, linalg::IndexOp::create(b, loc, 0),
                                  idx(xt.getDimSize(1))),
            linalg::IndexOp::create(b, loc, 1));
        flat = arith::AddIOp::create(
            b, loc, arith::MulIOp::create(b, loc, nc, idx(spatialSize)), flat);
        Value flat64 =
            arith::IndexCastOp::create(b, loc, b.getI64Type(), flat);
        // The first maximum in window order wins: strictly greater, or the
        // first valid tap.
        Value greater =
            isFloat ? (Value)arith::CmpFOp::create(
                          b, loc, arith::CmpFPredicate::OGT, a[0], a[2])
                    : (Value)arith::CmpIOp::create(
                          b, loc, arith::CmpIPredicate::sgt, a[0], a[2]);
        Value first = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::slt, a[3],
            arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0)));
        Value take = arith::AndIOp::create(
            b, loc, valid, arith::OrIOp::create(b, loc, greater, first));
        linalg::YieldOp::create(
            b, loc,
            ValueRange{arith::SelectOp::create(b, loc, take, a[0], a[2]),
                       arith::SelectOp::create(b, loc, take, flat64, a[3])});
      });
  return SmallVector<Value>{generic.getResult(0), generic.getResult(1)};
}

FailureOr<Value> whittle::lowering::lowerConvTransposeND(
    Lowerer &l, Value x, Value w, Value bias, ArrayRef<int64_t> begin,
    ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations, int64_t group,
    RankedTensorType rt) {
  auto xt = Lowerer::typeOf(x), wt = Lowerer::typeOf(w);
  Type elt = rt.getElementType();
  size_t n = begin.size();
  MLIRContext *ctx = l.rw.getContext();
  // W is [C, M/group, k...]; C/group input channels feed each group.
  int64_t mg = wt.getDimSize(1), cg = wt.getDimSize(0) / group;
  // Loops: N, M, O... (parallel), C/group, K... (reduction).
  unsigned rank = 2 + n, cDim = rank, loops = rank + 1 + n;
  AffineExpr m = getAffineDimExpr(1, ctx);
  SmallVector<AffineExpr> wExprs = {
      group == 1 ? getAffineDimExpr(cDim, ctx)
                 : m.floorDiv(mg) * cg + getAffineDimExpr(cDim, ctx),
      group == 1 ? m : m % mg};
  for (size_t i = 0; i < n; ++i)
    wExprs.push_back(getAffineDimExpr(cDim + 1 + i, ctx));
  SmallVector<AffineExpr> outExprs;
  for (unsigned i = 0; i < rank; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  // A dummy operand names the reduction loops as plain dimensions (the
  // grouped weight map alone is not invertible).
  SmallVector<AffineExpr> redExprs;
  SmallVector<int64_t> redShape = {cg};
  for (size_t i = 0; i <= n; ++i)
    redExprs.push_back(getAffineDimExpr(cDim + i, ctx));
  for (size_t i = 0; i < n; ++i)
    redShape.push_back(wt.getDimSize(2 + i));
  Value extents = tensor::EmptyOp::create(l.rw, l.loc, redShape,
                                          l.rw.getI8Type());
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, redExprs, ctx),
                                 AffineMap::get(loops, 0, wExprs, ctx),
                                 AffineMap::get(loops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters.append(1 + n, utils::IteratorType::reduction);
  Value y = linalg::GenericOp::create(
                l.rw, l.loc, TypeRange{rt}, ValueRange{extents, w},
                ValueRange{filled(l, rt, l.rw.getZeroAttr(elt))}, maps, iters,
                [&](OpBuilder &b, Location loc, ValueRange a) {
                  auto idx = [&](int64_t v) {
                    return arith::ConstantIndexOp::create(b, loc, v)
                        .getResult();
                  };
                  Value mIdx = linalg::IndexOp::create(b, loc, 1);
                  Value c = linalg::IndexOp::create(b, loc, cDim);
                  if (group != 1)
                    c = arith::AddIOp::create(
                        b, loc,
                        arith::MulIOp::create(
                            b, loc,
                            arith::DivUIOp::create(b, loc, mIdx, idx(mg)),
                            idx(cg)),
                        c);
                  SmallVector<Value> at = {linalg::IndexOp::create(b, loc, 0),
                                           c};
                  Value valid =
                      arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
                  for (size_t i = 0; i < n; ++i) {
                    // t = o + begin - k * dilation must be a multiple of
                    // the stride landing inside x.
                    Value o = linalg::IndexOp::create(b, loc, 2 + i);
                    Value k = linalg::IndexOp::create(b, loc, cDim + 1 + i);
                    Value t = arith::SubIOp::create(
                        b, loc, arith::AddIOp::create(b, loc, o, idx(begin[i])),
                        arith::MulIOp::create(b, loc, k, idx(dilations[i])));
                    Value nonNeg = arith::CmpIOp::create(
                        b, loc, arith::CmpIPredicate::sge, t, idx(0));
                    t = arith::MaxSIOp::create(b, loc, t, idx(0));
                    Value q = arith::DivUIOp::create(b, loc, t, idx(strides[i]));
                    Value exact = arith::CmpIOp::create(
                        b, loc, arith::CmpIPredicate::eq,
                        arith::RemUIOp::create(b, loc, t, idx(strides[i])),
                        idx(0));
                    Value inside = arith::CmpIOp::create(
                        b, loc, arith::CmpIPredicate::ult, q,
                        idx(xt.getDimSize(2 + i)));
                    valid = arith::AndIOp::create(
                        b, loc, valid,
                        arith::AndIOp::create(
                            b, loc, nonNeg,
                            arith::AndIOp::create(b, loc, exact, inside)));
                    at.push_back(arith::MinUIOp::create(
                        b, loc, q, idx(xt.getDimSize(2 + i) - 1)));
                  }
                  Value xv = tensor::ExtractOp::create(b, loc, x, at);
                  Value p = arith::MulFOp::create(b, loc, xv, a[1]);
                  Value zero = arith::ConstantOp::create(
                      b, loc, b.getFloatAttr(elt, 0.0));
                  p = arith::SelectOp::create(b, loc, valid, p, zero);
                  linalg::YieldOp::create(
                      b, loc, arith::AddFOp::create(b, loc, a[2], p).getResult());
                })
                .getResult(0);
  if (!bias)
    return y;
  SmallVector<int64_t> biasShape(rank, 1);
  biasShape[1] = rt.getDimSize(1);
  return l.binary<tosa::AddOp>(rt, y, l.reshape(bias, biasShape));
}

FailureOr<Value> whittle::lowering::lowerConvND(Lowerer &l, Value x, Value w,
                                                Value bias,
                                                const onnx::WindowGeometry &g,
                                                int64_t group,
                                                RankedTensorType rt) {
  auto wt = Lowerer::typeOf(w);
  Type elt = rt.getElementType();
  size_t n = g.kernel.size();
  MLIRContext *ctx = l.rw.getContext();
  int64_t m = wt.getDimSize(0), cg = wt.getDimSize(1), mg = m / group;
  Value padded = padWindowInput(l, x, g, l.rw.getZeroAttr(elt));
  // Loops: N, M, O... (parallel), C/group, K... (reduction).
  unsigned rank = 2 + n, cDim = rank, loops = rank + 1 + n;
  AffineExpr c = getAffineDimExpr(cDim, ctx);
  AffineExpr inChannel =
      group == 1 ? c : getAffineDimExpr(1, ctx).floorDiv(mg) * cg + c;
  SmallVector<AffineExpr> inExprs = {getAffineDimExpr(0, ctx), inChannel};
  SmallVector<AffineExpr> wExprs = {getAffineDimExpr(1, ctx), c};
  SmallVector<AffineExpr> outExprs;
  for (size_t i = 0; i < n; ++i) {
    inExprs.push_back(windowExpr(g, i, 2 + i, cDim + 1 + i, ctx));
    wExprs.push_back(getAffineDimExpr(cDim + 1 + i, ctx));
  }
  for (unsigned i = 0; i < rank; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, inExprs, ctx),
                                 AffineMap::get(loops, 0, wExprs, ctx),
                                 AffineMap::get(loops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters.append(1 + n, utils::IteratorType::reduction);
  Value y = linalg::GenericOp::create(
                l.rw, l.loc, TypeRange{rt}, ValueRange{padded, w},
                ValueRange{filled(l, rt, l.rw.getZeroAttr(elt))}, maps, iters,
                [&](OpBuilder &b, Location loc, ValueRange a) {
                  Value p = arith::MulFOp::create(b, loc, a[0], a[1]);
                  linalg::YieldOp::create(
                      b, loc, arith::AddFOp::create(b, loc, a[2], p).getResult());
                })
                .getResult(0);
  if (!bias)
    return y;
  SmallVector<int64_t> biasShape(rank, 1);
  biasShape[1] = m;
  return l.binary<tosa::AddOp>(rt, y, l.reshape(bias, biasShape));
}
