//===- IndexingToLinalg.cpp - Lower data-addressed onnx ops --------------===//
//
// Part of whittle. GatherND, ScatterElements, ScatterND, OneHot, Range,
// CumSum, Einsum and Resize become linalg.generic ops on tensors: TOSA has
// no equivalent, and a generic whose body computes its own addresses keeps
// every access in bounds (indices are clamped, as for Gather) while the
// later passes bufferize, plan and emit it like any other kernel.
//
// Scatters are written as gathers from the result's point of view: every
// output element looks at the updates that may target it, in index order,
// so that duplicates combine (or the last one wins) as in the ONNX
// reference, with no read-modify-write of shared memory.
//
//===----------------------------------------------------------------------===//

#include "Lowerer.h"
#include "whittle/Dialect/ONNX/IR/ONNXOps.h"
#include "whittle/Dialect/ONNX/IR/ONNXShapes.h"
#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Transforms/RuntimeStatus.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace whittle;
using namespace whittle::lowering;

namespace {

/// Keys' cubic convolution weights of the four taps at -1, 0, 1 and 2
/// around a point at fraction t in [0, 1] of its interval (Resize's and
/// GridSample's bicubic modes).
SmallVector<Value> cubicCoefficients(ScalarBuilder &s, Value t, double a) {
  Value A = s.f32(a);
  auto outer = [&](Value d) { // 1 < d < 2
    Value v = s.subF(s.mulF(A, d), s.mulF(s.f32(5.0), A));
    v = s.addF(s.mulF(v, d), s.mulF(s.f32(8.0), A));
    return s.subF(s.mulF(v, d), s.mulF(s.f32(4.0), A));
  };
  auto inner = [&](Value d) { // 0 <= d <= 1
    Value a2 = s.addF(A, s.f32(2.0)), a3 = s.addF(A, s.f32(3.0));
    Value v = s.subF(s.mulF(a2, d), a3);
    return s.addF(s.mulF(s.mulF(v, d), d), s.f32(1.0));
  };
  Value u = s.subF(s.f32(1.0), t);
  return {outer(s.addF(t, s.f32(1.0))), inner(t), inner(u),
          outer(s.addF(u, s.f32(1.0)))};
}

/// Combines an update with the value it lands on.
Value combine(OpBuilder &b, Location loc, StringRef reduction, Value acc,
              Value upd) {
  bool isFloat = llvm::isa<FloatType>(acc.getType());
  if (reduction == "add")
    return isFloat ? (Value)arith::AddFOp::create(b, loc, acc, upd)
                   : (Value)arith::AddIOp::create(b, loc, acc, upd);
  if (reduction == "mul")
    return isFloat ? (Value)arith::MulFOp::create(b, loc, acc, upd)
                   : (Value)arith::MulIOp::create(b, loc, acc, upd);
  if (reduction == "max")
    return isFloat ? (Value)arith::MaximumFOp::create(b, loc, acc, upd)
                   : (Value)arith::MaxSIOp::create(b, loc, acc, upd);
  if (reduction == "min")
    return isFloat ? (Value)arith::MinimumFOp::create(b, loc, acc, upd)
                   : (Value)arith::MinSIOp::create(b, loc, acc, upd);
  return upd;
}

/// A generic over `outShape` (parallel) followed by `reduced` reduction
/// dimensions, accumulating into `init`; the body gets the accumulator and
/// all loop indices.
Value reductionGeneric(
    Lowerer &l, Value init, ArrayRef<int64_t> reduced,
    function_ref<Value(OpBuilder &, Location, Value, ArrayRef<Value>)> body) {
  auto rt = Lowerer::typeOf(init);
  int64_t rank = rt.getRank(), loops = rank + (int64_t)reduced.size();
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters.append(reduced.size(), utils::IteratorType::reduction);
  // A zero-size dummy input fixes the extents of the reduction loops.
  SmallVector<int64_t> dummyShape(reduced);
  Value dummy = tensor::EmptyOp::create(l.rw, l.loc, dummyShape,
                                        l.rw.getI8Type());
  SmallVector<AffineExpr> redExprs;
  for (int64_t i = rank; i < loops; ++i)
    redExprs.push_back(l.rw.getAffineDimExpr(i));
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < rank; ++i)
    outExprs.push_back(l.rw.getAffineDimExpr(i));
  SmallVector<AffineMap> maps = {
      AffineMap::get(loops, 0, redExprs, l.rw.getContext()),
      AffineMap::get(loops, 0, outExprs, l.rw.getContext())};
  return linalg::GenericOp::create(
             l.rw, l.loc, TypeRange{rt}, ValueRange{dummy}, ValueRange{init},
             maps, iters,
             [&](OpBuilder &b, Location loc, ValueRange args) {
               SmallVector<Value> ivs;
               for (int64_t i = 0; i < loops; ++i)
                 ivs.push_back(linalg::IndexOp::create(b, loc, i));
               linalg::YieldOp::create(b, loc, body(b, loc, args[1], ivs));
             })
      .getResult(0);
}

/// The single value of a one-element tensor, read at run time.
Value scalarOf(Lowerer &l, Value t) {
  SmallVector<Value> at(Lowerer::typeOf(t).getRank(), cidx(l.rw, l.loc, 0));
  return tensor::ExtractOp::create(l.rw, l.loc, t, at);
}

/// Element `i` of a rank-1 tensor, read at run time.
Value elementOf(Lowerer &l, Value t, int64_t i) {
  return tensor::ExtractOp::create(l.rw, l.loc, t,
                                   ValueRange{cidx(l.rw, l.loc, i)});
}

/// Checks that component `j` of every index tuple (the last dimension of
/// `indices`) lies in [-dims[j], dims[j]).
void checkTuples(Lowerer &l, Value indices, ArrayRef<int64_t> dims) {
  if (getConstantAttr(indices))
    return;
  auto it = Lowerer::typeOf(indices);
  for (auto [j, dim] : llvm::enumerate(dims)) {
    SmallVector<int64_t> start(it.getRank(), 0), size(it.getShape());
    start.back() = j;
    size.back() = 1;
    checkIndices(l, l.slice(indices, start, size), dim);
  }
}

//===----------------------------------------------------------------------===//
// Gathers and scatters
//===----------------------------------------------------------------------===//

FailureOr<Value> lowerGatherND(Lowerer &l, onnx::GatherNDOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto dt = Lowerer::typeOf(op.getData()), it = Lowerer::typeOf(op.getIndices());
  int64_t b = op.getBatchDims(), k = it.getShape().back();
  int64_t q = it.getRank();
  Value data = op.getData(), indices = op.getIndices();
  checkTuples(l, indices, dt.getShape().slice(b, k));
  return indexedGeneric(
      l, rt, {}, {},
      [&](OpBuilder &ob, Location loc, ValueRange, ArrayRef<Value> ivs) {
        SmallVector<Value> at(ivs.begin(), ivs.begin() + (q - 1));
        at.push_back(Value());
        SmallVector<Value> src(ivs.begin(), ivs.begin() + b);
        for (int64_t j = 0; j < k; ++j) {
          at.back() = cidx(ob, loc, j);
          Value i = tensor::ExtractOp::create(ob, loc, indices, at);
          src.push_back(normalizeIndex(ob, loc, i, dt.getDimSize(b + j)));
        }
        src.append(ivs.begin() + (q - 1), ivs.end());
        return tensor::ExtractOp::create(ob, loc, data, src).getResult();
      });
}

/// ScatterElements: output position o takes the updates at positions p with
/// p = o outside `axis` and indices[p] = o[axis], for p[axis] in order.
FailureOr<Value> lowerScatterElements(Lowerer &l, onnx::ScatterElementsOp op) {
  auto dt = Lowerer::typeOf(op.getData()), it = Lowerer::typeOf(op.getIndices());
  int64_t rank = dt.getRank();
  int64_t axis = (int64_t)op.getAxis();
  axis = axis < 0 ? axis + rank : axis;
  Value indices = op.getIndices(), updates = op.getUpdates();
  StringRef reduction = op.getReduction();
  checkIndices(l, indices, dt.getDimSize(axis));
  return reductionGeneric(
      l, op.getData(), {it.getDimSize(axis)},
      [&](OpBuilder &ob, Location loc, Value acc, ArrayRef<Value> ivs) {
        ScalarBuilder s{ob, loc};
        // Outside `axis` the output position must lie within indices.
        Value valid = arith::ConstantOp::create(ob, loc, ob.getBoolAttr(true));
        SmallVector<Value> p;
        for (int64_t i = 0; i < rank; ++i) {
          if (i == axis) {
            p.push_back(ivs[rank]);
            continue;
          }
          if (it.getDimSize(i) < dt.getDimSize(i))
            valid = s.andI(valid, s.cmpI(arith::CmpIPredicate::slt, ivs[i],
                                         s.idx(it.getDimSize(i))));
          p.push_back(s.clampIndex(ivs[i], it.getDimSize(i)));
        }
        Value target = normalizeIndex(
            ob, loc, tensor::ExtractOp::create(ob, loc, indices, p),
            dt.getDimSize(axis));
        Value hit = s.andI(valid, s.cmpI(arith::CmpIPredicate::eq, target,
                                         ivs[axis]));
        Value upd = tensor::ExtractOp::create(ob, loc, updates, p);
        return s.select(hit, combine(ob, loc, reduction, acc, upd), acc);
      });
}

/// ScatterND: output position o takes updates[i..., o[k:]] for every tuple
/// i whose indices equal o[:k], in tuple order.
FailureOr<Value> lowerScatterND(Lowerer &l, onnx::ScatterNDOp op) {
  auto dt = Lowerer::typeOf(op.getData()), it = Lowerer::typeOf(op.getIndices());
  int64_t rank = dt.getRank(), k = it.getShape().back();
  Value indices = op.getIndices(), updates = op.getUpdates();
  StringRef reduction = op.getReduction();
  checkTuples(l, indices, dt.getShape().take_front(k));
  return reductionGeneric(
      l, op.getData(), it.getShape().drop_back(),
      [&](OpBuilder &ob, Location loc, Value acc, ArrayRef<Value> ivs) {
        ScalarBuilder s{ob, loc};
        SmallVector<Value> at(ivs.begin() + rank, ivs.end());
        at.push_back(Value());
        Value hit = arith::ConstantOp::create(ob, loc, ob.getBoolAttr(true));
        for (int64_t j = 0; j < k; ++j) {
          at.back() = s.idx(j);
          Value t = normalizeIndex(
              ob, loc, tensor::ExtractOp::create(ob, loc, indices, at),
              dt.getDimSize(j));
          hit = s.andI(hit, s.cmpI(arith::CmpIPredicate::eq, t, ivs[j]));
        }
        SmallVector<Value> u(ivs.begin() + rank, ivs.end());
        u.append(ivs.begin() + k, ivs.begin() + rank);
        Value upd = tensor::ExtractOp::create(ob, loc, updates, u);
        return s.select(hit, combine(ob, loc, reduction, acc, upd), acc);
      });
}

/// MaxUnpool: output position o takes X[i] for the last i whose flat index
/// I[i] equals o's, zero if none. Indices count in the default output shape
/// ((in - 1) * stride - pads + kernel); a larger output_shape pads that at
/// the end of each spatial dimension (as the ONNX reference does).
FailureOr<Value> lowerMaxUnpool(Lowerer &l, onnx::MaxUnpoolOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto xt = Lowerer::typeOf(op.getX());
  int64_t rank = rt.getRank();
  size_t n = rank - 2;
  auto kernel = onnx::getI64Array(op.getKernelShape());
  SmallVector<int64_t> strides(n, 1), pads(2 * n, 0);
  if (op.getStrides())
    strides = onnx::getI64Array(*op.getStrides());
  if (op.getPads())
    pads = onnx::getI64Array(*op.getPads());
  SmallVector<int64_t> dims = {rt.getDimSize(0), rt.getDimSize(1)};
  for (size_t i = 0; i < n; ++i)
    dims.push_back((xt.getDimSize(2 + i) - 1) * strides[i] - pads[i] -
                   pads[i + n] + kernel[i]);
  int64_t size = 1;
  for (int64_t d : dims)
    size *= d;
  Value x = op.getX(), indices = op.getI();
  Value shape = op.getOutputShape();
  if (shape && !getConstantAttr(shape)) {
    // A run-time output_shape must be the compiled one (the verifier
    // checked a constant one).
    for (int64_t d = 0; d < rank; ++d) {
      Value ok = arith::CmpIOp::create(
          l.rw, l.loc, arith::CmpIPredicate::eq, elementOf(l, shape, d),
          arith::ConstantOp::create(l.rw, l.loc,
                                    l.rw.getI64IntegerAttr(rt.getDimSize(d))));
      addRuntimeAssert(l, ok, kStatusShapeMismatch,
                       "MaxUnpool output_shape differs from the compiled "
                       "shape");
    }
  }
  addRuntimeCheck(l, indices, kStatusIndexOutOfRange,
                  "MaxUnpool index out of range",
                  [&](OpBuilder &b, Location loc, Value i) -> Value {
                    ScalarBuilder s{b, loc};
                    return s.andI(s.cmpI(arith::CmpIPredicate::sge, i, s.i64(0)),
                                  s.cmpI(arith::CmpIPredicate::slt, i,
                                         s.i64(size)));
                  });
  Value zeros = l.splat(rt.getElementType(), rt.getShape(), 0.0);
  return reductionGeneric(
      l, zeros, xt.getShape(),
      [&](OpBuilder &ob, Location loc, Value acc, ArrayRef<Value> ivs) {
        ScalarBuilder s{ob, loc};
        // Row-major flat position of the output element in the default
        // shape, if it lies inside it.
        Value flat = s.idx(0);
        Value inside = arith::ConstantOp::create(ob, loc, ob.getBoolAttr(true));
        for (int64_t d = 0; d < rank; ++d) {
          flat = arith::AddIOp::create(
              ob, loc, arith::MulIOp::create(ob, loc, flat, s.idx(dims[d])),
              ivs[d]);
          if (dims[d] < rt.getDimSize(d))
            inside = s.andI(inside, s.cmpI(arith::CmpIPredicate::slt, ivs[d],
                                           s.idx(dims[d])));
        }
        SmallVector<Value> at(ivs.begin() + rank, ivs.end());
        Value target = arith::IndexCastOp::create(
            ob, loc, ob.getIndexType(),
            tensor::ExtractOp::create(ob, loc, indices, at));
        Value hit =
            s.andI(inside, s.cmpI(arith::CmpIPredicate::eq, target, flat));
        return s.select(hit, tensor::ExtractOp::create(ob, loc, x, at), acc);
      });
}

//===----------------------------------------------------------------------===//
// OneHot, Range, CumSum
//===----------------------------------------------------------------------===//

/// A scalar of any integer or float type as i64 (floats truncated).
Value asI64(OpBuilder &b, Location loc, Value v) {
  if (llvm::isa<FloatType>(v.getType()))
    return arith::FPToSIOp::create(b, loc, b.getI64Type(), v);
  return convertScalar(b, loc, v, b.getI64Type());
}

FailureOr<Value> lowerOneHot(Lowerer &l, onnx::OneHotOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  int64_t rank = rt.getRank();
  int64_t axis = (int64_t)op.getAxis();
  axis = axis < 0 ? axis + rank : axis;
  int64_t depth = rt.getDimSize(axis);
  addRuntimeCheck(l, op.getDepth(), kStatusShapeMismatch,
                  "OneHot depth differs from the compiled depth",
                  [&](OpBuilder &b, Location loc, Value d) -> Value {
                    ScalarBuilder s{b, loc};
                    return s.cmpI(arith::CmpIPredicate::eq, asI64(b, loc, d),
                                  s.i64(depth));
                  });
  Value off = elementOf(l, op.getValues(), 0);
  Value on = elementOf(l, op.getValues(), 1);
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis)
      exprs.push_back(l.rw.getAffineDimExpr(i));
  auto map = AffineMap::get(rank, 0, exprs, l.rw.getContext());
  return indexedGeneric(
      l, rt, {op.getIndices()}, {map},
      [&](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Value> ivs) {
        ScalarBuilder s{b, loc};
        Value i = asI64(b, loc, args[0]);
        Value neg = s.cmpI(arith::CmpIPredicate::slt, i, s.i64(0));
        i = s.select(neg, arith::AddIOp::create(b, loc, i, s.i64(depth)), i);
        Value hit = s.cmpI(arith::CmpIPredicate::eq, i, s.toI64(ivs[axis]));
        return s.select(hit, on, off);
      });
}

FailureOr<Value> lowerRange(Lowerer &l, onnx::RangeOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  Type elt = rt.getElementType();
  bool isFloat = llvm::isa<FloatType>(elt);
  int64_t n = rt.getDimSize(0);
  Value start = scalarOf(l, op.getStart()), delta = scalarOf(l, op.getDelta());
  if (!getConstantAttr(op.getStart()) || !getConstantAttr(op.getLimit()) ||
      !getConstantAttr(op.getDelta())) {
    // n is right iff start + (n-1)*delta is short of limit (or n = 0) and
    // start + n*delta reaches it, in delta's direction: no division, no
    // ceil. Integers are widened to i64 so that nothing overflows.
    ScalarBuilder s{l.rw, l.loc};
    Type wide = isFloat ? elt : l.rw.getI64Type();
    Value s0 = s.convert(start, wide), d = s.convert(delta, wide);
    Value lim = s.convert(scalarOf(l, op.getLimit()), wide);
    auto at = [&](int64_t i) -> Value {
      Value c = isFloat ? (Value)arith::ConstantOp::create(
                              l.rw, l.loc, l.rw.getFloatAttr(wide, (double)i))
                        : s.i64(i);
      return isFloat ? s.addF(s0, s.mulF(c, d))
                     : (Value)arith::AddIOp::create(
                           l.rw, l.loc, s0,
                           arith::MulIOp::create(l.rw, l.loc, c, d));
    };
    auto cmp = [&](bool lt, Value a, Value b) -> Value {
      return isFloat ? s.cmpF(lt ? arith::CmpFPredicate::OLT
                                 : arith::CmpFPredicate::OGT,
                              a, b)
                     : s.cmpI(lt ? arith::CmpIPredicate::slt
                                 : arith::CmpIPredicate::sgt,
                              a, b);
    };
    Value zero = isFloat ? (Value)arith::ConstantOp::create(
                               l.rw, l.loc, l.rw.getFloatAttr(wide, 0.0))
                         : s.i64(0);
    Value yes = arith::ConstantOp::create(l.rw, l.loc, l.rw.getBoolAttr(true));
    Value last = at(n), before = n > 0 ? at(n - 1) : Value();
    // Rising: before < limit <= last; falling: before > limit >= last.
    Value up = s.andI(before ? cmp(true, before, lim) : yes,
                      arith::XOrIOp::create(l.rw, l.loc, cmp(true, last, lim),
                                            yes));
    Value down = s.andI(before ? cmp(false, before, lim) : yes,
                        arith::XOrIOp::create(l.rw, l.loc,
                                              cmp(false, last, lim), yes));
    Value ok = s.select(cmp(false, d, zero), up,
                        s.select(cmp(true, d, zero), down,
                                 arith::ConstantOp::create(
                                     l.rw, l.loc, l.rw.getBoolAttr(false))));
    addRuntimeAssert(l, ok, kStatusShapeMismatch,
                     "Range length differs from the compiled length");
  }
  return indexedGeneric(
      l, rt, {}, {},
      [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
        ScalarBuilder s{b, loc};
        Value i = s.toI64(ivs[0]);
        if (isFloat)
          return s.addF(start,
                        s.mulF(arith::SIToFPOp::create(b, loc, elt, i), delta));
        Value step = arith::MulIOp::create(b, loc, s.convert(i, elt), delta);
        return (Value)arith::AddIOp::create(b, loc, start, step);
      });
}

/// CumSum: y[o] = sum of x[o with o[axis] = j] over j before (or after) o's
/// position along the axis; the axis may be read at run time, in which case
/// the reduction runs over the longest dimension and every dimension's
/// index is selected.
FailureOr<Value> lowerCumSum(Lowerer &l, onnx::CumSumOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  int64_t rank = rt.getRank();
  Type elt = rt.getElementType();
  bool isFloat = llvm::isa<FloatType>(elt);
  bool exclusive = op.getExclusive() != 0, reverse = op.getReverse() != 0;
  std::optional<int64_t> constAxis;
  if (auto c = getConstantInts(op.getAxis()))
    constAxis = (*c)[0] < 0 ? (*c)[0] + rank : (*c)[0];
  Value axis;
  int64_t extent;
  if (constAxis) {
    extent = rt.getDimSize(*constAxis);
  } else {
    checkIndices(l, op.getAxis(), rank);
    axis = normalizeIndex(l.rw, l.loc, scalarOf(l, op.getAxis()), rank);
    extent = *llvm::max_element(rt.getShape());
  }
  Value x = op.getX();
  arith::CmpIPredicate pred =
      reverse ? (exclusive ? arith::CmpIPredicate::sgt
                           : arith::CmpIPredicate::sge)
              : (exclusive ? arith::CmpIPredicate::slt
                           : arith::CmpIPredicate::sle);
  return reductionGeneric(
      l, zeros(l, rt), {extent},
      [&](OpBuilder &b, Location loc, Value acc, ArrayRef<Value> ivs) {
        ScalarBuilder s{b, loc};
        Value j = ivs[rank];
        SmallVector<Value> src;
        Value pos;
        Value inside = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
        for (int64_t d = 0; d < rank; ++d) {
          if (constAxis) {
            src.push_back(d == *constAxis ? j : ivs[d]);
            if (d == *constAxis)
              pos = ivs[d];
            continue;
          }
          Value isAxis = s.cmpI(arith::CmpIPredicate::eq, axis, s.idx(d));
          if (rt.getDimSize(d) < extent)
            inside = s.andI(inside,
                            s.orI(s.cmpI(arith::CmpIPredicate::slt, j,
                                         s.idx(rt.getDimSize(d))),
                                  arith::XOrIOp::create(
                                      b, loc, isAxis,
                                      arith::ConstantOp::create(
                                          b, loc, b.getBoolAttr(true)))));
          src.push_back(
              s.select(isAxis, s.clampIndex(j, rt.getDimSize(d)), ivs[d]));
          pos = pos ? s.select(isAxis, ivs[d], pos) : ivs[d];
        }
        Value take = s.andI(inside, s.cmpI(pred, j, pos));
        Value v = tensor::ExtractOp::create(b, loc, x, src);
        Value sum = isFloat ? (Value)arith::AddFOp::create(b, loc, acc, v)
                            : (Value)arith::AddIOp::create(b, loc, acc, v);
        return s.select(take, sum, acc);
      });
}

//===----------------------------------------------------------------------===//
// Slice and Pad with parameters read at run time
//===----------------------------------------------------------------------===//

/// Element j of a one-dimensional integer tensor as i64.
Value paramAt(Lowerer &l, Value t, int64_t j) {
  return convertScalar(l.rw, l.loc, elementOf(l, t, j), l.rw.getI64Type());
}

Value clampI64(ScalarBuilder &s, Value v, int64_t lo, int64_t hi) {
  v = arith::MaxSIOp::create(s.b, s.loc, v, s.i64(lo));
  return arith::MinSIOp::create(s.b, s.loc, v, s.i64(hi));
}

} // namespace

/// Slice whose starts, ends, axes or steps are read at run time: each
/// dimension's start and step are resolved by ONNX's clamping rules in
/// scalar code, the result's (static) extents are checked against them,
/// and one generic reads start + i * step, clamped into the input.
FailureOr<Value> whittle::lowering::lowerRuntimeSlice(Lowerer &l,
                                                      onnx::SliceOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto in = Lowerer::typeOf(op.getData());
  int64_t rank = in.getRank();
  int64_t n = Lowerer::typeOf(op.getStarts()).getNumElements();
  for (Value v : {op.getEnds(), op.getAxes(), op.getSteps()})
    if (v && Lowerer::typeOf(v).getNumElements() != n)
      return op.emitError("Slice starts, ends, axes and steps differ in length");
  ScalarBuilder s{l.rw, l.loc};
  SmallVector<Value> start, end, step;
  for (int64_t d = 0; d < rank; ++d) {
    start.push_back(s.i64(0));
    end.push_back(s.i64(in.getDimSize(d)));
    step.push_back(s.i64(1));
  }
  using P = arith::CmpIPredicate;
  Value ok = arith::ConstantOp::create(l.rw, l.loc, l.rw.getBoolAttr(true));
  for (int64_t j = 0; j < n; ++j) {
    Value a = op.getAxes() ? paramAt(l, op.getAxes(), j) : s.i64(j);
    a = s.select(s.cmpI(P::slt, a, s.i64(0)),
                 arith::AddIOp::create(l.rw, l.loc, a, s.i64(rank)), a);
    Value known = arith::ConstantOp::create(l.rw, l.loc,
                                            l.rw.getBoolAttr(false));
    Value st = op.getSteps() ? paramAt(l, op.getSteps(), j) : s.i64(1);
    Value b = paramAt(l, op.getStarts(), j), e = paramAt(l, op.getEnds(), j);
    Value up = s.cmpI(P::sgt, st, s.i64(0));
    for (int64_t d = 0; d < rank; ++d) {
      int64_t dim = in.getDimSize(d);
      Value hit = s.cmpI(P::eq, a, s.i64(d));
      known = s.orI(known, hit);
      // Negative positions count from the end; then clamp by direction.
      Value bc = clampI64(s, b, -dim, dim), ec = clampI64(s, e, -dim - 1, dim);
      bc = s.select(s.cmpI(P::slt, bc, s.i64(0)),
                    arith::AddIOp::create(l.rw, l.loc, bc, s.i64(dim)), bc);
      ec = s.select(s.cmpI(P::slt, ec, s.i64(0)),
                    arith::AddIOp::create(l.rw, l.loc, ec, s.i64(dim)), ec);
      bc = s.select(up, clampI64(s, bc, 0, dim), clampI64(s, bc, 0, dim - 1));
      ec = s.select(up, clampI64(s, ec, 0, dim), clampI64(s, ec, -1, dim - 1));
      start[d] = s.select(hit, bc, start[d]);
      end[d] = s.select(hit, ec, end[d]);
      step[d] = s.select(hit, st, step[d]);
    }
    ok = s.andI(ok, known);
  }
  // Each dimension's length, ceil(|end - start| / |step|) in the step's
  // direction, must be the compiled extent.
  for (int64_t d = 0; d < rank; ++d) {
    Value up = s.cmpI(P::sgt, step[d], s.i64(0));
    Value zero = s.cmpI(P::eq, step[d], s.i64(0));
    Value mag = s.select(up, step[d],
                         arith::SubIOp::create(l.rw, l.loc, s.i64(0), step[d]));
    mag = s.select(zero, s.i64(1), mag);
    Value span = s.select(up, arith::SubIOp::create(l.rw, l.loc, end[d], start[d]),
                          arith::SubIOp::create(l.rw, l.loc, start[d], end[d]));
    Value len = arith::DivSIOp::create(
        l.rw, l.loc,
        arith::AddIOp::create(
            l.rw, l.loc, span,
            arith::SubIOp::create(l.rw, l.loc, mag, s.i64(1))),
        mag);
    len = arith::MaxSIOp::create(l.rw, l.loc, len, s.i64(0));
    ok = s.andI(ok, s.andI(s.cmpI(P::eq, len, s.i64(rt.getDimSize(d))),
                           arith::XOrIOp::create(
                               l.rw, l.loc, zero,
                               arith::ConstantOp::create(
                                   l.rw, l.loc, l.rw.getBoolAttr(true)))));
  }
  addRuntimeAssert(l, ok, kStatusShapeMismatch,
                   "Slice parameters do not give the compiled shape");
  Value data = op.getData();
  return indexedGeneric(
      l, rt, {}, {},
      [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
        ScalarBuilder sb{b, loc};
        SmallVector<Value> src;
        for (int64_t d = 0; d < rank; ++d) {
          Value i = arith::AddIOp::create(
              b, loc, start[d],
              arith::MulIOp::create(b, loc, sb.toI64(ivs[d]), step[d]));
          src.push_back(sb.clampIndex(sb.toIndex(i), in.getDimSize(d)));
        }
        return tensor::ExtractOp::create(b, loc, data, src).getResult();
      });
}

namespace {

//===----------------------------------------------------------------------===//
// GridSample
//===----------------------------------------------------------------------===//

/// One generic over the output; each element reads its grid point, maps it
/// to pixel coordinates and interpolates, all in f32 (PyTorch's
/// grid_sampler_2d, which the ONNX test data follows).
FailureOr<Value> lowerGridSample(Lowerer &l, onnx::GridSampleOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto xt = Lowerer::typeOf(op.getX());
  Type elt = rt.getElementType();
  int64_t height = xt.getDimSize(2), width = xt.getDimSize(3);
  bool align = op.getAlignCorners() != 0;
  StringRef mode = op.getMode(), pad = op.getPaddingMode();
  Value x = op.getX(), grid = op.getGrid();
  return indexedGeneric(
      l, rt, {}, {},
      [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
        ScalarBuilder s{b, loc};
        using P = arith::CmpFPredicate;
        auto floorF = [&](Value v) -> Value {
          return math::FloorOp::create(b, loc, v);
        };
        auto clip = [&](Value v, int64_t size) -> Value {
          return arith::MinNumFOp::create(
              b, loc, arith::MaxNumFOp::create(b, loc, v, s.f32(0.0)),
              s.f32(size - 1));
        };
        // Reflection about [lo, hi] (in half units), as PyTorch's
        // reflect_coordinates, then clipped.
        auto reflect = [&](Value v, int64_t size) -> Value {
          double twiceLo = align ? 0 : -1;
          double twiceHi = align ? 2.0 * (size - 1) : 2.0 * size - 1;
          if (twiceLo == twiceHi)
            return s.f32(0.0);
          double lo = twiceLo / 2, span = (twiceHi - twiceLo) / 2;
          Value in = math::AbsFOp::create(b, loc, s.subF(v, s.f32(lo)));
          Value flips = floorF(s.divF(in, s.f32(span)));
          Value extra = s.subF(in, s.mulF(flips, s.f32(span)));
          Value even = s.cmpF(P::OEQ,
                              floorF(s.mulF(flips, s.f32(0.5))),
                              s.mulF(flips, s.f32(0.5)));
          Value r = s.select(even, s.addF(extra, s.f32(lo)),
                             s.addF(s.subF(s.f32(span), extra), s.f32(lo)));
          return clip(r, size);
        };
        auto padCoord = [&](Value v, int64_t size) -> Value {
          if (pad == "border")
            return clip(v, size);
          if (pad == "reflection")
            return reflect(v, size);
          return v;
        };
        auto unnormalize = [&](Value v, int64_t size) -> Value {
          if (align)
            return s.mulF(s.mulF(s.addF(v, s.f32(1.0)), s.f32(0.5)),
                          s.f32(size - 1));
          return s.mulF(s.subF(s.mulF(s.addF(v, s.f32(1.0)), s.f32(size)),
                               s.f32(1.0)),
                        s.f32(0.5));
        };
        auto gridAt = [&](int64_t k) -> Value {
          Value g = tensor::ExtractOp::create(
              b, loc, grid, ValueRange{ivs[0], ivs[2], ivs[3], s.idx(k)});
          return s.toF32(g);
        };
        Value gx = unnormalize(gridAt(0), width);
        Value gy = unnormalize(gridAt(1), height);
        // Reads pixel (iy, ix), given as f32 integral values: 0 outside.
        // Coordinates are bounded first so the integer conversions stay
        // defined for any grid value (NaN included).
        auto pixel = [&](Value fy, Value fx) -> Value {
          auto toIdx = [&](Value f, int64_t size) {
            Value c = arith::MinNumFOp::create(
                b, loc, arith::MaxNumFOp::create(b, loc, f, s.f32(-1.0)),
                s.f32(size));
            return s.toIndex(arith::FPToSIOp::create(b, loc, b.getI64Type(), c));
          };
          Value iy = toIdx(fy, height), ix = toIdx(fx, width);
          Value inside = s.andI(
              s.andI(s.cmpI(arith::CmpIPredicate::sge, iy, s.idx(0)),
                     s.cmpI(arith::CmpIPredicate::slt, iy, s.idx(height))),
              s.andI(s.cmpI(arith::CmpIPredicate::sge, ix, s.idx(0)),
                     s.cmpI(arith::CmpIPredicate::slt, ix, s.idx(width))));
          Value v = tensor::ExtractOp::create(
              b, loc, x,
              ValueRange{ivs[0], ivs[1], s.clampIndex(iy, height),
                         s.clampIndex(ix, width)});
          return s.select(inside, s.toF32(v), s.f32(0.0));
        };
        Value result;
        if (mode == "nearest") {
          Value px = padCoord(gx, width), py = padCoord(gy, height);
          result = pixel(math::RoundEvenOp::create(b, loc, py),
                         math::RoundEvenOp::create(b, loc, px));
        } else if (mode == "bilinear") {
          Value px = padCoord(gx, width), py = padCoord(gy, height);
          Value x0 = floorF(px), y0 = floorF(py);
          Value tx = s.subF(px, x0), ty = s.subF(py, y0);
          Value x1 = s.addF(x0, s.f32(1.0)), y1 = s.addF(y0, s.f32(1.0));
          Value ux = s.subF(s.f32(1.0), tx), uy = s.subF(s.f32(1.0), ty);
          result = s.addF(
              s.addF(s.mulF(s.mulF(ux, uy), pixel(y0, x0)),
                     s.mulF(s.mulF(tx, uy), pixel(y0, x1))),
              s.addF(s.mulF(s.mulF(ux, ty), pixel(y1, x0)),
                     s.mulF(s.mulF(tx, ty), pixel(y1, x1))));
        } else {
          // Bicubic: 4 x 4 taps around the unpadded coordinate, each tap's
          // coordinate padded on its own.
          Value x0 = floorF(gx), y0 = floorF(gy);
          Value tx = s.subF(gx, x0), ty = s.subF(gy, y0);
          SmallVector<Value> cx = cubicCoefficients(s, tx, -0.75),
                             cy = cubicCoefficients(s, ty, -0.75);
          for (int64_t j = 0; j < 4; ++j) {
            Value yj = padCoord(s.addF(y0, s.f32(j - 1)), height);
            Value row;
            for (int64_t i = 0; i < 4; ++i) {
              Value xi = padCoord(s.addF(x0, s.f32(i - 1)), width);
              Value term = s.mulF(cx[i], pixel(yj, xi));
              row = row ? s.addF(row, term) : term;
            }
            Value term = s.mulF(cy[j], row);
            result = result ? s.addF(result, term) : term;
          }
        }
        return s.convert(result, elt);
      });
}

//===----------------------------------------------------------------------===//
// TopK
//===----------------------------------------------------------------------===//

} // namespace

Value whittle::lowering::zeros(Lowerer &l, RankedTensorType rt) {
  Value zero = arith::ConstantOp::create(
      l.rw, l.loc, l.rw.getZeroAttr(rt.getElementType()));
  Value empty = tensor::EmptyOp::create(l.rw, l.loc, rt.getShape(),
                                        rt.getElementType());
  return linalg::FillOp::create(l.rw, l.loc, ValueRange{zero},
                                ValueRange{empty})
      .getResult(0);
}

/// TopK in two generics: each element's rank in its slice (how many beat
/// it: larger, or equal at a lower index), then each output position p
/// takes the element whose rank is p. O(n^2) per slice, no sorting network
/// and no data-dependent control flow.
FailureOr<SmallVector<Value>> whittle::lowering::lowerTopK(Lowerer &l,
                                                          onnx::TopKOp op) {
  auto xt = Lowerer::typeOf(op.getX());
  auto vt = llvm::cast<RankedTensorType>(op.getValues().getType());
  auto it = llvm::cast<RankedTensorType>(op.getIndices().getType());
  int64_t rank = xt.getRank();
  int64_t axis = (int64_t)op.getAxis();
  axis = axis < 0 ? axis + rank : axis;
  int64_t n = xt.getDimSize(axis), k = vt.getDimSize(axis);
  bool largest = op.getLargest() != 0;
  Type elt = xt.getElementType(), i64 = l.rw.getI64Type();
  bool isFloat = llvm::isa<FloatType>(elt);
  addRuntimeCheck(l, op.getK(), kStatusShapeMismatch,
                  "TopK K differs from the compiled k",
                  [&](OpBuilder &b, Location loc, Value v) -> Value {
                    ScalarBuilder s{b, loc};
                    return s.cmpI(arith::CmpIPredicate::eq, v, s.i64(k));
                  });
  Value x = op.getX();
  // Ranks: [shape of X] i64.
  auto rankType = l.tensorType(xt.getShape(), i64);
  Value ranks = reductionGeneric(
      l, zeros(l, rankType), {n},
      [&](OpBuilder &b, Location loc, Value acc, ArrayRef<Value> ivs) {
        ScalarBuilder s{b, loc};
        SmallVector<Value> self(ivs.begin(), ivs.begin() + rank);
        SmallVector<Value> other = self;
        Value j = ivs[rank];
        other[axis] = j;
        Value a = tensor::ExtractOp::create(b, loc, x, self);
        Value c = tensor::ExtractOp::create(b, loc, x, other);
        Value better, equal;
        if (isFloat) {
          better = s.cmpF(largest ? arith::CmpFPredicate::OGT
                                  : arith::CmpFPredicate::OLT,
                          c, a);
          equal = s.cmpF(arith::CmpFPredicate::OEQ, c, a);
        } else {
          better = s.cmpI(largest ? arith::CmpIPredicate::sgt
                                  : arith::CmpIPredicate::slt,
                          c, a);
          equal = s.cmpI(arith::CmpIPredicate::eq, c, a);
        }
        Value before = s.cmpI(arith::CmpIPredicate::slt, j, self[axis]);
        Value beats = s.orI(better, s.andI(equal, before));
        return s.select(beats, arith::AddIOp::create(b, loc, acc, s.i64(1)),
                        acc);
      });
  // Gather by rank: both results from one generic.
  int64_t loops = rank + 1;
  MLIRContext *ctx = l.rw.getContext();
  SmallVector<AffineExpr> outExprs;
  for (int64_t d = 0; d < rank; ++d)
    outExprs.push_back(getAffineDimExpr(d, ctx));
  Value dummy = tensor::EmptyOp::create(l.rw, l.loc, ArrayRef<int64_t>{n},
                                        l.rw.getI8Type());
  auto outMap = AffineMap::get(loops, 0, outExprs, ctx);
  SmallVector<AffineMap> maps = {
      AffineMap::get(loops, 0, {getAffineDimExpr(rank, ctx)}, ctx), outMap,
      outMap};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      l.rw, l.loc, TypeRange{vt, it}, ValueRange{dummy},
      ValueRange{zeros(l, vt), zeros(l, it)}, maps, iters,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        ScalarBuilder s{b, loc};
        SmallVector<Value> ivs;
        for (int64_t d = 0; d < loops; ++d)
          ivs.push_back(linalg::IndexOp::create(b, loc, d));
        SmallVector<Value> src(ivs.begin(), ivs.begin() + rank);
        src[axis] = ivs[rank];
        Value r = tensor::ExtractOp::create(b, loc, ranks, src);
        Value hit = s.cmpI(arith::CmpIPredicate::eq, r, s.toI64(ivs[axis]));
        Value v = tensor::ExtractOp::create(b, loc, x, src);
        linalg::YieldOp::create(
            b, loc,
            ValueRange{s.select(hit, v, args[1]),
                       s.select(hit, s.toI64(ivs[rank]), args[2])});
      });
  return SmallVector<Value>{generic.getResult(0), generic.getResult(1)};
}

namespace {

/// ReverseSequence: step t of entry b reads step len[b] - 1 - t while
/// t < len[b]; lengths are clamped into [0, T] (and checked).
FailureOr<Value> lowerReverseSequence(Lowerer &l, onnx::ReverseSequenceOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  int64_t b = op.getBatchAxis(), t = op.getTimeAxis();
  int64_t steps = rt.getDimSize(t);
  Value x = op.getInput(), lens = op.getSequenceLens();
  checkInRange(l, lens, 0, steps, kStatusIndexOutOfRange,
               "sequence length out of range");
  return indexedGeneric(
      l, rt, {}, {},
      [&](OpBuilder &ob, Location loc, ValueRange, ArrayRef<Value> ivs) {
        ScalarBuilder s{ob, loc};
        Value len = s.toIndex(tensor::ExtractOp::create(ob, loc, lens,
                                                        ValueRange{ivs[b]}));
        len = arith::MinSIOp::create(
            ob, loc, arith::MaxSIOp::create(ob, loc, len, s.idx(0)),
            s.idx(steps));
        Value inside = s.cmpI(arith::CmpIPredicate::slt, ivs[t], len);
        Value rev = arith::SubIOp::create(
            ob, loc, arith::SubIOp::create(ob, loc, len, s.idx(1)), ivs[t]);
        SmallVector<Value> src(ivs.begin(), ivs.end());
        src[t] = s.clampIndex(s.select(inside, rev, ivs[t]), steps);
        return tensor::ExtractOp::create(ob, loc, x, src).getResult();
      });
}

//===----------------------------------------------------------------------===//
// Window generators
//===----------------------------------------------------------------------===//

/// a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N) in f32, converted to the
/// result type; a run-time size is checked against the result's length.
FailureOr<Value> lowerWindow(Lowerer &l, Operation *op, Value size,
                             bool periodic, double a0, double a1, double a2) {
  auto rt = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  int64_t n = rt.getDimSize(0);
  addRuntimeCheck(l, size, kStatusShapeMismatch,
                  "window size differs from the compiled length",
                  [&](OpBuilder &b, Location loc, Value v) -> Value {
                    ScalarBuilder s{b, loc};
                    return s.cmpI(arith::CmpIPredicate::eq,
                                  convertScalar(b, loc, v, b.getI64Type()),
                                  s.i64(n));
                  });
  double denom = periodic ? (double)n : (double)std::max<int64_t>(n - 1, 1);
  double step = 2 * llvm::numbers::pi / denom;
  Type elt = rt.getElementType();
  return indexedGeneric(
      l, rt, {}, {},
      [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
        ScalarBuilder s{b, loc};
        Value x = s.mulF(s.toF32(ivs[0]), s.f32(step));
        Value w = s.subF(s.f32(a0),
                         s.mulF(s.f32(a1), math::CosOp::create(b, loc, x)));
        if (a2 != 0)
          w = s.addF(w, s.mulF(s.f32(a2),
                               math::CosOp::create(
                                   b, loc, s.mulF(x, s.f32(2.0)))));
        return s.convert(w, elt);
      });
}

/// MelWeightMatrix as the ONNX reference computes it: mel edges
/// f(t) = floor((dft_length + 1) * hz(low_mel + t * step) / sample_rate),
/// t = 0..num_mel_bins + 1; column i rises from f(i) to f(i + 1) and falls
/// to f(i + 2). In f64, per element (the matrix is small).
FailureOr<Value> lowerMelWeightMatrix(Lowerer &l, onnx::MelWeightMatrixOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  int64_t rows = rt.getDimSize(0), bins = rt.getDimSize(1);
  auto scalar = [&](Value t) -> Value {
    return tensor::ExtractOp::create(
        l.rw, l.loc, t,
        SmallVector<Value>(Lowerer::typeOf(t).getRank(),
                           cidx(l.rw, l.loc, 0)));
  };
  auto check = [&](Value v, int64_t want, StringRef what) {
    if (getConstantAttr(v))
      return;
    addRuntimeAssert(
        l,
        arith::CmpIOp::create(l.rw, l.loc, arith::CmpIPredicate::eq,
                              asI64(l.rw, l.loc, scalar(v)),
                              arith::ConstantOp::create(
                                  l.rw, l.loc, l.rw.getI64IntegerAttr(want))),
        kStatusShapeMismatch, what);
  };
  check(op.getNumMelBins(), bins,
        "MelWeightMatrix num_mel_bins differs from the compiled one");
  Type f64 = l.rw.getF64Type();
  // dft_length / 2 + 1 = rows: the length is 2 (rows - 1) or one more.
  Value dft = asI64(l.rw, l.loc, scalar(op.getDftLength()));
  Value half = arith::AddIOp::create(
      l.rw, l.loc,
      arith::DivSIOp::create(
          l.rw, l.loc, dft,
          arith::ConstantOp::create(l.rw, l.loc, l.rw.getI64IntegerAttr(2))),
      arith::ConstantOp::create(l.rw, l.loc, l.rw.getI64IntegerAttr(1)));
  if (!getConstantAttr(op.getDftLength()))
    addRuntimeAssert(l,
                     arith::CmpIOp::create(
                         l.rw, l.loc, arith::CmpIPredicate::eq, half,
                         arith::ConstantOp::create(
                             l.rw, l.loc, l.rw.getI64IntegerAttr(rows))),
                     kStatusShapeMismatch,
                     "MelWeightMatrix dft_length differs from the compiled "
                     "one");
  auto toF64 = [&](Value v) { return convertScalar(l.rw, l.loc, v, f64); };
  Value dftF = arith::SIToFPOp::create(l.rw, l.loc, f64, dft);
  Value rate = toF64(scalar(op.getSampleRate()));
  Value lo = toF64(scalar(op.getLowerEdgeHertz()));
  Value hi = toF64(scalar(op.getUpperEdgeHertz()));
  Type elt = rt.getElementType();
  return indexedGeneric(
      l, rt, {}, {},
      [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
        auto c = [&](double v) {
          return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v))
              .getResult();
        };
        auto add = [&](Value x, Value y) {
          return arith::AddFOp::create(b, loc, x, y).getResult();
        };
        auto sub = [&](Value x, Value y) {
          return arith::SubFOp::create(b, loc, x, y).getResult();
        };
        auto mul = [&](Value x, Value y) {
          return arith::MulFOp::create(b, loc, x, y).getResult();
        };
        auto div = [&](Value x, Value y) {
          return arith::DivFOp::create(b, loc, x, y).getResult();
        };
        const double ln10 = std::log(10.0);
        // mel(hz) = 2595 log10(1 + hz / 700); hz(mel) = 700 (10^(mel /
        // 2595) - 1).
        auto mel = [&](Value hz) {
          return mul(c(2595.0 / ln10),
                     math::LogOp::create(b, loc, add(c(1.0), div(hz, c(700.0)))));
        };
        Value lowMel = mel(lo);
        Value step = div(sub(mel(hi), lowMel), c((double)(bins + 2)));
        auto edge = [&](Value t) {
          Value m = add(mul(t, step), lowMel);
          Value hz = mul(c(700.0),
                         sub(math::ExpOp::create(
                                 b, loc, mul(m, c(ln10 / 2595.0))),
                             c(1.0)));
          return math::FloorOp::create(
              b, loc, div(mul(add(dftF, c(1.0)), hz), rate));
        };
        Value i = arith::SIToFPOp::create(
            b, loc, f64,
            arith::IndexCastOp::create(b, loc, b.getI64Type(), ivs[1]));
        Value j = arith::SIToFPOp::create(
            b, loc, f64,
            arith::IndexCastOp::create(b, loc, b.getI64Type(), ivs[0]));
        Value left = edge(i), center = edge(add(i, c(1.0))),
              right = edge(add(i, c(2.0)));
        auto cmp = [&](arith::CmpFPredicate p, Value x, Value y) {
          return arith::CmpFOp::create(b, loc, p, x, y).getResult();
        };
        auto sel = [&](Value cond, Value x, Value y) {
          return arith::SelectOp::create(b, loc, cond, x, y).getResult();
        };
        auto both = [&](Value x, Value y) {
          return arith::AndIOp::create(b, loc, x, y).getResult();
        };
        Value rise = sub(center, left), fall = sub(right, center);
        // Rising edge (or a one-point peak), then the falling edge, which
        // the reference writes last.
        Value up = sel(cmp(arith::CmpFPredicate::OEQ, rise, c(0.0)),
                       sel(cmp(arith::CmpFPredicate::OEQ, j, center), c(1.0),
                           c(0.0)),
                       sel(both(cmp(arith::CmpFPredicate::OGE, j, left),
                                cmp(arith::CmpFPredicate::OLE, j, center)),
                           div(sub(j, left), rise), c(0.0)));
        Value down = both(cmp(arith::CmpFPredicate::OGT, fall, c(0.0)),
                          both(cmp(arith::CmpFPredicate::OGE, j, center),
                               cmp(arith::CmpFPredicate::OLT, j, right)));
        Value v = sel(down, div(sub(right, j), fall), up);
        return convertScalar(b, loc, v, elt);
      });
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

/// One generic: a loop per label (the result's first, as parallel loops;
/// the summed ones as reductions), the product of the operands added into
/// a zero-filled result. Size-1 broadcast dimensions read index 0.
FailureOr<Value> lowerEinsum(Lowerer &l, onnx::EinsumOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  Type elt = rt.getElementType();
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : op.getInputs())
    shapes.push_back(Lowerer::typeOf(v).getShape());
  std::string err;
  auto spec = onnx::parseEinsum(op.getEquation(), shapes, err);
  if (!spec)
    return op.emitError(err);
  // Loop order: result labels, then the others in first-use order.
  SmallVector<int64_t> loopOf(spec->extents.size(), -1);
  SmallVector<utils::IteratorType> iters;
  for (int64_t lab : spec->result) {
    loopOf[lab] = iters.size();
    iters.push_back(utils::IteratorType::parallel);
  }
  for (auto &labels : spec->operands)
    for (int64_t lab : labels)
      if (loopOf[lab] < 0) {
        loopOf[lab] = iters.size();
        iters.push_back(utils::IteratorType::reduction);
      }
  int64_t loops = iters.size();
  MLIRContext *ctx = l.rw.getContext();
  SmallVector<AffineMap> maps;
  for (auto [labels, shape] : llvm::zip(spec->operands, shapes)) {
    SmallVector<AffineExpr> exprs;
    for (auto [d, lab] : llvm::enumerate(labels))
      exprs.push_back(shape[d] == 1 && spec->extents[lab] != 1
                          ? getAffineConstantExpr(0, ctx)
                          : getAffineDimExpr(loopOf[lab], ctx));
    maps.push_back(AffineMap::get(loops, 0, exprs, ctx));
  }
  SmallVector<AffineExpr> outExprs;
  for (int64_t lab : spec->result)
    outExprs.push_back(getAffineDimExpr(loopOf[lab], ctx));
  maps.push_back(AffineMap::get(loops, 0, outExprs, ctx));
  bool isFloat = llvm::isa<FloatType>(elt);
  return linalg::GenericOp::create(
             l.rw, l.loc, TypeRange{rt}, op.getInputs(),
             ValueRange{zeros(l, rt)}, maps, iters,
             [&](OpBuilder &b, Location loc, ValueRange args) {
               Value p = args[0];
               for (Value v : args.drop_front().drop_back())
                 p = isFloat ? (Value)arith::MulFOp::create(b, loc, p, v)
                             : (Value)arith::MulIOp::create(b, loc, p, v);
               Value acc = args.back();
               linalg::YieldOp::create(
                   b, loc,
                   isFloat ? (Value)arith::AddFOp::create(b, loc, acc, p)
                           : (Value)arith::AddIOp::create(b, loc, acc, p));
             })
      .getResult(0);
}

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

/// How one dimension is resampled: the run-time (or constant) scale, the
/// width the coordinate transformations divide by, and the crop box.
struct AxisResample {
  int64_t dim, in, out;
  Value scale;      ///< f32
  Value outWidth;   ///< f32: `out` for sizes, scale * in for scales
  Value roiStart, roiEnd; ///< f32, tf_crop_and_resize only
};

/// Resamples `x` along one dimension, as the ONNX reference's
/// interpolate_1d_with_x: the output coordinate maps back to x_ori; its
/// neighbours (clamped to the edge) are weighted by the mode's
/// coefficients.
Value resizeAxis(Lowerer &l, onnx::ResizeOp op, Value x,
                 const AxisResample &a) {
  auto xt = Lowerer::typeOf(x);
  Type elt = xt.getElementType();
  SmallVector<int64_t> shape(xt.getShape());
  shape[a.dim] = a.out;
  auto rt = l.tensorType(shape, elt);
  StringRef mode = op.getMode(), ctm = op.getCoordinateTransformationMode(),
            nearestMode = op.getNearestMode();
  double cubicA = op.getCubicCoeffA().convertToDouble();
  bool exclude = op.getExcludeOutside() != 0;
  double extrapolation = op.getExtrapolationValue().convertToDouble();
  int64_t in = a.in;
  return indexedGeneric(
      l, rt, {}, {},
      [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
        ScalarBuilder s{b, loc};
        Value o = s.toF32(ivs[a.dim]);
        Value xo;
        if (ctm == "asymmetric") {
          xo = s.divF(o, a.scale);
        } else if (ctm == "align_corners") {
          Value one = s.f32(1.0);
          Value w = s.subF(a.outWidth, one);
          Value v = s.divF(s.mulF(o, s.f32(in - 1)), w);
          xo = s.select(s.cmpF(arith::CmpFPredicate::OEQ, a.outWidth, one),
                        s.f32(0.0), v);
        } else if (ctm == "tf_crop_and_resize") {
          Value span = s.mulF(s.subF(a.roiEnd, a.roiStart), s.f32(in - 1));
          Value one = s.f32(1.0);
          Value v = s.divF(s.mulF(o, span), s.subF(a.outWidth, one));
          xo = s.select(s.cmpF(arith::CmpFPredicate::OEQ, a.outWidth, one),
                        s.mulF(span, s.f32(0.5)), v);
          xo = s.addF(xo, s.mulF(a.roiStart, s.f32(in - 1)));
        } else if (ctm == "tf_half_pixel_for_nn") {
          xo = s.divF(s.addF(o, s.f32(0.5)), a.scale);
        } else if (ctm == "pytorch_half_pixel" && a.out == 1) {
          xo = s.f32(-0.5);
        } else { // half_pixel, pytorch_half_pixel
          xo = s.subF(s.divF(s.addF(o, s.f32(0.5)), a.scale), s.f32(0.5));
        }
        // Far-away coordinates (only from nonsensical run-time scales,
        // which are reported) are pulled in so that the conversions to
        // integers below stay defined.
        Value xc = arith::MinNumFOp::create(
            b, loc, arith::MaxNumFOp::create(b, loc, xo, s.f32(-4.0)),
            s.f32(in + 4.0));
        Value fl = math::FloorOp::create(b, loc, xc);
        Value isInt = s.cmpF(arith::CmpFPredicate::OEQ, fl, xc);
        Value flI = s.toIndex(arith::FPToSIOp::create(b, loc, b.getI64Type(), fl));
        auto read = [&](Value i) -> Value {
          SmallVector<Value> src(ivs.begin(), ivs.end());
          src[a.dim] = s.clampIndex(i, in);
          return tensor::ExtractOp::create(b, loc, x, src);
        };
        Value result;
        if (mode == "nearest") {
          Value r = s.subF(xc, fl);
          Value high;
          if (nearestMode == "round_prefer_floor")
            high = s.cmpF(arith::CmpFPredicate::OGT, r, s.f32(0.5));
          else if (nearestMode == "round_prefer_ceil")
            high = s.cmpF(arith::CmpFPredicate::OGE, r, s.f32(0.5));
          else
            high = arith::ConstantOp::create(
                b, loc, b.getBoolAttr(nearestMode == "ceil"));
          high = s.andI(high, arith::XOrIOp::create(
                                  b, loc, isInt,
                                  arith::ConstantOp::create(
                                      b, loc, b.getBoolAttr(true))));
          Value i = s.select(high,
                             arith::AddIOp::create(b, loc, flI, s.idx(1)),
                             flI);
          result = read(i);
        } else {
          // An integral coordinate counts as the upper end of the interval
          // below it (ratio 1), as in the reference.
          Value base = s.select(isInt,
                                arith::SubIOp::create(b, loc, flI, s.idx(1)),
                                flI);
          Value r = s.select(isInt, s.f32(1.0), s.subF(xc, fl));
          SmallVector<Value> coeffs;
          int64_t first;
          if (mode == "linear") {
            coeffs = {s.subF(s.f32(1.0), r), r};
            first = 0;
          } else {
            coeffs = cubicCoefficients(s, r, cubicA);
            first = -1;
          }
          SmallVector<Value> taps;
          for (int64_t t = 0; t < (int64_t)coeffs.size(); ++t)
            taps.push_back(arith::AddIOp::create(b, loc, base,
                                                 s.idx(first + t)));
          if (exclude) {
            Value sum = s.f32(0.0);
            for (auto [c, i] : llvm::zip(coeffs, taps)) {
              Value inside = s.andI(
                  s.cmpI(arith::CmpIPredicate::sge, i, s.idx(0)),
                  s.cmpI(arith::CmpIPredicate::slt, i, s.idx(in)));
              c = s.select(inside, c, s.f32(0.0));
              sum = s.addF(sum, c);
            }
            for (Value &c : coeffs)
              c = s.divF(c, sum);
          }
          for (auto [c, i] : llvm::zip(coeffs, taps)) {
            Value term = s.mulF(s.convert(c, elt), read(i));
            result = result ? s.addF(result, term) : term;
          }
        }
        if (ctm == "tf_crop_and_resize") {
          Value outside = s.orI(
              s.cmpF(arith::CmpFPredicate::OLT, xo, s.f32(0.0)),
              s.cmpF(arith::CmpFPredicate::OGT, xo, s.f32(in - 1)));
          Value e = arith::ConstantOp::create(
              b, loc,
              llvm::isa<FloatType>(elt)
                  ? (TypedAttr)b.getFloatAttr(elt, extrapolation)
                  : (TypedAttr)b.getIntegerAttr(elt, (int64_t)extrapolation));
          result = s.select(outside, e, result);
        }
        return result;
      });
}

FailureOr<Value> lowerResize(Lowerer &l, onnx::ResizeOp op) {
  auto xt = Lowerer::typeOf(op.getX());
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  int64_t rank = xt.getRank();
  ScalarBuilder s{l.rw, l.loc};
  auto asF32 = [&](Value v) { return s.toF32(v); };
  std::optional<SmallVector<double>> constScales;
  if (op.getScales())
    constScales = getConstantDoubles(op.getScales());
  bool crop = op.getCoordinateTransformationMode() == "tf_crop_and_resize";
  std::optional<SmallVector<double>> constRoi;
  if (crop)
    constRoi = getConstantDoubles(op.getRoi());
  SmallVector<AxisResample> axes;
  Value allOk = arith::ConstantOp::create(l.rw, l.loc, l.rw.getBoolAttr(true));
  bool runtimeSizes = op.getSizes() && !getConstantAttr(op.getSizes());
  bool runtimeScales = op.getScales() && !constScales;
  for (int64_t d = 0; d < rank; ++d) {
    AxisResample a{d, xt.getDimSize(d), rt.getDimSize(d), {}, {}, {}, {}};
    if (op.getSizes()) {
      if (runtimeSizes)
        allOk = s.andI(allOk, s.cmpI(arith::CmpIPredicate::eq,
                                     elementOf(l, op.getSizes(), d),
                                     s.i64(a.out)));
      a.scale = s.f32((double)a.out / a.in);
      a.outWidth = s.f32((double)a.out);
    } else if (constScales) {
      a.scale = s.f32((*constScales)[d]);
      a.outWidth = s.f32((float)(*constScales)[d] * (float)a.in);
    } else {
      a.scale = asF32(elementOf(l, op.getScales(), d));
      a.outWidth = s.mulF(a.scale, s.f32(a.in));
      // The compiled extent must be floor(in * scale), with scale > 0.
      Value fl = math::FloorOp::create(l.rw, l.loc, a.outWidth);
      allOk = s.andI(allOk, s.andI(s.cmpF(arith::CmpFPredicate::OGT, a.scale,
                                          s.f32(0.0)),
                                   s.cmpF(arith::CmpFPredicate::OEQ, fl,
                                          s.f32(a.out))));
    }
    if (crop) {
      if (constRoi) {
        a.roiStart = s.f32((*constRoi)[d]);
        a.roiEnd = s.f32((*constRoi)[rank + d]);
      } else {
        a.roiStart = asF32(elementOf(l, op.getRoi(), d));
        a.roiEnd = asF32(elementOf(l, op.getRoi(), rank + d));
      }
    }
    // A dimension resampled at scale 1 onto itself is left alone (with a
    // crop box, or run-time scales, it may still move).
    bool identity = a.in == a.out && !crop && !runtimeScales &&
                    (op.getSizes() || (*constScales)[d] == 1.0);
    if (!identity)
      axes.push_back(a);
  }
  if (runtimeScales || runtimeSizes)
    addRuntimeAssert(l, allOk, kStatusShapeMismatch,
                     "Resize scales or sizes do not give the compiled shape");
  // Innermost dimension first, as the reference recurses.
  Value x = op.getX();
  for (const AxisResample &a : llvm::reverse(axes))
    x = resizeAxis(l, op, x, a);
  return x;
}

} // namespace

/// DFT as a reduction over the signal axis: out[..k..][c] accumulates
/// x[..n..] times the twiddle e^(-+2 pi i k n / N) (tables built at compile
/// time, scaled by 1/N for the inverse), c selecting the real or imaginary
/// part.
static FailureOr<Value> lowerDFT(Lowerer &l, onnx::DFTOp op) {
  auto xt = Lowerer::typeOf(op.getInput());
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  int64_t rank = xt.getRank();
  int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
  if (rank < 3 || axis < 1 || axis > rank - 2)
    return op.emitError("DFT axis ")
           << op.getAxis() << " is not a signal dimension of " << xt;
  int64_t comps = xt.getDimSize(rank - 1), n = xt.getDimSize(axis);
  if (comps != 1 && comps != 2)
    return op.emitError("DFT input's last dimension must be 1 (real) or 2 "
                        "(complex), got ")
           << comps;
  if (op.getDftLength()) {
    auto len = getConstantInts(op.getDftLength());
    if (!len || len->size() != 1 || (*len)[0] != n)
      return op.emitError("DFT with a dft_length other than the signal "
                          "length (")
             << n << ") is not supported yet";
  }
  bool inverse = op.getInverse() != 0;
  int64_t k = op.getOnesided() ? n / 2 + 1 : n;
  SmallVector<int64_t> expected(xt.getShape());
  expected[axis] = k;
  expected[rank - 1] = 2;
  if (rt.getShape() != ArrayRef<int64_t>(expected))
    return op.emitError("DFT result shape does not match the input's");
  SmallVector<float> cosT, sinT;
  double scale = inverse ? 1.0 / (double)n : 1.0;
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double theta = 2.0 * llvm::numbers::pi * (double)((i * j) % n) / (double)n;
      cosT.push_back((float)(std::cos(theta) * scale));
      sinT.push_back((float)(std::sin(theta) * scale));
    }
  auto tableType = l.tensorType({k, n}, l.rw.getF32Type());
  Value cosV = l.constant(tableType, cosT), sinV = l.constant(tableType, sinT);
  Value x = op.getInput();
  Type elt = rt.getElementType();
  return reductionGeneric(
      l, zeros(l, rt), {n},
      [&](OpBuilder &b, Location loc, Value acc, ArrayRef<Value> ivs) {
        ScalarBuilder s{b, loc};
        SmallVector<Value> at(ivs.begin(), ivs.begin() + rank);
        at[axis] = ivs[rank];
        at[rank - 1] = s.idx(0);
        Value xr = tensor::ExtractOp::create(b, loc, x, at);
        Value xi = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
        if (comps == 2) {
          at[rank - 1] = s.idx(1);
          xi = tensor::ExtractOp::create(b, loc, x, at);
        }
        Value kn[] = {ivs[axis], ivs[rank]};
        Value c = convertScalar(b, loc, tensor::ExtractOp::create(b, loc, cosV, kn), elt);
        Value sn = convertScalar(b, loc, tensor::ExtractOp::create(b, loc, sinV, kn), elt);
        auto mul = [&](Value p, Value q) { return arith::MulFOp::create(b, loc, p, q); };
        // e^(-i t) forward: re = xr c + xi s, im = xi c - xr s; the
        // inverse flips the sine's sign.
        Value re = inverse ? (Value)arith::SubFOp::create(b, loc, mul(xr, c), mul(xi, sn))
                           : (Value)arith::AddFOp::create(b, loc, mul(xr, c), mul(xi, sn));
        Value im = inverse ? (Value)arith::AddFOp::create(b, loc, mul(xi, c), mul(xr, sn))
                           : (Value)arith::SubFOp::create(b, loc, mul(xi, c), mul(xr, sn));
        Value isRe = s.cmpI(arith::CmpIPredicate::eq, ivs[rank - 1], s.idx(0));
        return arith::AddFOp::create(b, loc, acc, s.select(isRe, re, im));
      });
}

/// STFT: out[b, f, k] = sum_n x[b, f * step + n] * window[n] * e^(-2 pi i k
/// n / L), with compile-time twiddle tables; frame_step is read at run time
/// (the frame count it gives is checked), as is a run-time frame_length.
static FailureOr<Value> lowerSTFT(Lowerer &l, onnx::STFTOp op) {
  auto xt = Lowerer::typeOf(op.getSignal());
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  int64_t len = op.frameLength(), bins = rt.getDimSize(2),
          frames = rt.getDimSize(1), samples = xt.getDimSize(1);
  bool complex = xt.getDimSize(2) == 2;
  Type elt = rt.getElementType();
  Value stepT = op.getFrameStep();
  // The step, as index; it must give the compiled frame count.
  Value step = l.rw.createOrFold<arith::IndexCastOp>(
      l.loc, l.rw.getIndexType(),
      asI64(l.rw, l.loc,
            tensor::ExtractOp::create(
                l.rw, l.loc, stepT,
                SmallVector<Value>(Lowerer::typeOf(stepT).getRank(),
                                   cidx(l.rw, l.loc, 0)))));
  if (!getConstantAttr(stepT)) {
    ScalarBuilder s{l.rw, l.loc};
    Value positive = s.cmpI(arith::CmpIPredicate::sgt, step, s.idx(0));
    Value safe = arith::MaxSIOp::create(l.rw, l.loc, step, s.idx(1));
    Value count = arith::AddIOp::create(
        l.rw, l.loc,
        arith::DivSIOp::create(l.rw, l.loc, s.idx(samples - len), safe),
        s.idx(1));
    addRuntimeAssert(l,
                     s.andI(positive, s.cmpI(arith::CmpIPredicate::eq, count,
                                             s.idx(frames))),
                     kStatusShapeMismatch,
                     "STFT frame_step gives another frame count than the "
                     "compiled one");
    step = safe;
  }
  if (Value fl = op.getFrameLength(); fl && !getConstantAttr(fl)) {
    Value given = asI64(l.rw, l.loc,
                        tensor::ExtractOp::create(
                            l.rw, l.loc, fl,
                            SmallVector<Value>(Lowerer::typeOf(fl).getRank(),
                                               cidx(l.rw, l.loc, 0))));
    addRuntimeAssert(
        l,
        arith::CmpIOp::create(
            l.rw, l.loc, arith::CmpIPredicate::eq, given,
            arith::ConstantOp::create(l.rw, l.loc,
                                      l.rw.getI64IntegerAttr(len))),
        kStatusShapeMismatch,
        "STFT frame_length differs from the compiled one");
  }
  SmallVector<float> cosT, sinT;
  for (int64_t k = 0; k < bins; ++k)
    for (int64_t n = 0; n < len; ++n) {
      double theta =
          2.0 * llvm::numbers::pi * (double)((k * n) % len) / (double)len;
      cosT.push_back((float)std::cos(theta));
      sinT.push_back((float)std::sin(theta));
    }
  auto tableType = l.tensorType({bins, len}, l.rw.getF32Type());
  Value cosV = l.constant(tableType, cosT), sinV = l.constant(tableType, sinT);
  Value x = op.getSignal(), window = op.getWindow();
  return reductionGeneric(
      l, zeros(l, rt), {len},
      [&](OpBuilder &b, Location loc, Value acc, ArrayRef<Value> ivs) {
        ScalarBuilder s{b, loc};
        // ivs: b, f, k, component; n.
        Value pos = arith::AddIOp::create(
            b, loc, arith::MulIOp::create(b, loc, ivs[1], step), ivs[4]);
        pos = arith::MinSIOp::create(b, loc, pos, s.idx(samples - 1));
        Value xr = tensor::ExtractOp::create(
            b, loc, x, ValueRange{ivs[0], pos, s.idx(0)});
        Value xi = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
        if (complex)
          xi = tensor::ExtractOp::create(b, loc, x,
                                         ValueRange{ivs[0], pos, s.idx(1)});
        if (window) {
          Value w = convertScalar(
              b, loc, tensor::ExtractOp::create(b, loc, window, ivs[4]), elt);
          xr = arith::MulFOp::create(b, loc, xr, w);
          xi = arith::MulFOp::create(b, loc, xi, w);
        }
        Value kn[] = {ivs[2], ivs[4]};
        Value c = convertScalar(
            b, loc, tensor::ExtractOp::create(b, loc, cosV, kn), elt);
        Value sn = convertScalar(
            b, loc, tensor::ExtractOp::create(b, loc, sinV, kn), elt);
        auto mul = [&](Value p, Value q) {
          return arith::MulFOp::create(b, loc, p, q);
        };
        // e^(-i t): re = xr c + xi s, im = xi c - xr s.
        Value re = arith::AddFOp::create(b, loc, mul(xr, c), mul(xi, sn));
        Value im = arith::SubFOp::create(b, loc, mul(xi, c), mul(xr, sn));
        Value isRe = s.cmpI(arith::CmpIPredicate::eq, ivs[3], s.idx(0));
        return arith::AddFOp::create(b, loc, acc, s.select(isRe, re, im));
      });
}

/// Largest matrix Det unrolls (M^3/3 multiply-adds in straight-line code).
static constexpr int64_t kMaxDetSize = 8;

/// det(X[b]) for every batch index b: the matrix is read into scalars,
/// eliminated with partial pivoting (each row below the pivot is swapped up
/// by selects when larger, flipping the sign), and the pivots multiplied.
/// A zero pivot column gives 0.
static FailureOr<Value> lowerDet(Lowerer &l, onnx::DetOp op) {
  auto xt = Lowerer::typeOf(op.getX());
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  int64_t m = xt.getDimSize(xt.getRank() - 1);
  if (m > kMaxDetSize)
    return op.emitError("Det of ")
           << m << "x" << m << " matrices is not supported yet (at most "
           << kMaxDetSize << "x" << kMaxDetSize << ")";
  Value x = op.getX();
  return indexedGeneric(
      l, rt, {}, {},
      [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
        Type t = rt.getElementType();
        auto cf = [&](double v) -> Value {
          return arith::ConstantOp::create(b, loc, b.getFloatAttr(t, v));
        };
        SmallVector<SmallVector<Value>> a(m, SmallVector<Value>(m));
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < m; ++j) {
            SmallVector<Value> at(ivs.begin(), ivs.end());
            at.push_back(cidx(b, loc, i));
            at.push_back(cidx(b, loc, j));
            a[i][j] = tensor::ExtractOp::create(b, loc, x, at);
          }
        auto absf = [&](Value v) { return math::AbsFOp::create(b, loc, v); };
        Value sign = cf(1.0), zero = cf(0.0);
        for (int64_t k = 0; k < m; ++k) {
          for (int64_t i = k + 1; i < m; ++i) {
            Value swap = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                               absf(a[i][k]), absf(a[k][k]));
            for (int64_t j = k; j < m; ++j) {
              Value top = a[k][j];
              a[k][j] = arith::SelectOp::create(b, loc, swap, a[i][j], top);
              a[i][j] = arith::SelectOp::create(b, loc, swap, top, a[i][j]);
            }
            sign = arith::SelectOp::create(
                b, loc, swap, arith::NegFOp::create(b, loc, sign), sign);
          }
          Value pivotZero = arith::CmpFOp::create(
              b, loc, arith::CmpFPredicate::OEQ, a[k][k], zero);
          for (int64_t i = k + 1; i < m; ++i) {
            Value f = arith::SelectOp::create(
                b, loc, pivotZero, zero,
                arith::DivFOp::create(b, loc, a[i][k], a[k][k]));
            for (int64_t j = k + 1; j < m; ++j)
              a[i][j] = arith::SubFOp::create(
                  b, loc, a[i][j], arith::MulFOp::create(b, loc, f, a[k][j]));
          }
        }
        Value det = sign;
        for (int64_t k = 0; k < m; ++k)
          det = arith::MulFOp::create(b, loc, det, a[k][k]);
        return det;
      });
}

std::optional<FailureOr<Value>>
whittle::lowering::lowerIndexingOp(Lowerer &l, Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<FailureOr<Value>>>(op)
      .Case([&](onnx::GatherNDOp o) { return lowerGatherND(l, o); })
      .Case([&](onnx::DetOp o) { return lowerDet(l, o); })
      .Case([&](onnx::DFTOp o) { return lowerDFT(l, o); })
      .Case([&](onnx::STFTOp o) { return lowerSTFT(l, o); })
      .Case([&](onnx::MelWeightMatrixOp o) {
        return lowerMelWeightMatrix(l, o);
      })
      .Case([&](onnx::ScatterElementsOp o) {
        return lowerScatterElements(l, o);
      })
      .Case([&](onnx::ScatterNDOp o) { return lowerScatterND(l, o); })
      .Case([&](onnx::MaxUnpoolOp o) { return lowerMaxUnpool(l, o); })
      .Case([&](onnx::OneHotOp o) { return lowerOneHot(l, o); })
      .Case([&](onnx::RangeOp o) { return lowerRange(l, o); })
      .Case([&](onnx::CumSumOp o) { return lowerCumSum(l, o); })
      .Case([&](onnx::EinsumOp o) { return lowerEinsum(l, o); })
      .Case([&](onnx::ResizeOp o) { return lowerResize(l, o); })
      .Case([&](onnx::GridSampleOp o) { return lowerGridSample(l, o); })
      .Case([&](onnx::ReverseSequenceOp o) {
        return lowerReverseSequence(l, o);
      })
      .Case([&](onnx::HannWindowOp o) {
        return lowerWindow(l, o, o.getSize(), o.getPeriodic() != 0, 0.5, 0.5,
                           0.0);
      })
      .Case([&](onnx::HammingWindowOp o) {
        return lowerWindow(l, o, o.getSize(), o.getPeriodic() != 0,
                           25.0 / 46.0, 21.0 / 46.0, 0.0);
      })
      .Case([&](onnx::BlackmanWindowOp o) {
        return lowerWindow(l, o, o.getSize(), o.getPeriodic() != 0, 0.42, 0.5,
                           0.08);
      })
      .Default([](Operation *) { return std::nullopt; });
}
