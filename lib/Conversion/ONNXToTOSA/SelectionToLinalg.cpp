//===- SelectionToLinalg.cpp - Lower data-selected onnx ops ---------------===//
//
// Part of whittle. NonZero, Compress, Unique and NonMaxSuppression select a
// data-dependent number of elements: they become sequential scf.for loops
// over tensors (which bufferize in place into plain loops), writing the
// selection into a result of the compiled extent. Writes past that extent
// are skipped, the count goes on, and a run-time check turns a count that
// differs from the extent into the shape-mismatch status.
//
// RoiAlign and TfIdfVectorizer have static extents but data-dependent loop
// trip counts (sampling grid, n-gram spans): one linalg.generic over the
// result whose body runs the scalar loops.
//
//===----------------------------------------------------------------------===//

#include "Lowerer.h"
#include "whittle/Dialect/ONNX/IR/ONNXOps.h"
#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Transforms/RuntimeStatus.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>
#include <numeric>

using namespace mlir;
using namespace whittle;
using namespace whittle::lowering;

namespace {

using Values = SmallVector<Value>;
using LoopBody =
    function_ref<Values(OpBuilder &, Location, Value iv, ValueRange state)>;

/// for iv in [lb, ub): state = body(iv, state); the final state.
Values loop(OpBuilder &b, Location loc, Value lb, Value ub, ValueRange state,
            LoopBody body) {
  auto f = scf::ForOp::create(
      b, loc, lb, ub, cidx(b, loc, 1), state,
      [&](OpBuilder &nb, Location nl, Value iv, ValueRange args) {
        scf::YieldOp::create(nb, nl, body(nb, nl, iv, args));
      });
  return Values(f.getResults());
}

Values loop(OpBuilder &b, Location loc, int64_t lb, int64_t ub,
            ValueRange state, LoopBody body) {
  return loop(b, loc, cidx(b, loc, lb), cidx(b, loc, ub), state, body);
}

/// cond ? then() : state.
Values when(OpBuilder &b, Location loc, Value cond, ValueRange state,
            function_ref<Values(OpBuilder &, Location)> then) {
  auto i = scf::IfOp::create(
      b, loc, cond,
      [&](OpBuilder &nb, Location nl) {
        scf::YieldOp::create(nb, nl, then(nb, nl));
      },
      [&](OpBuilder &nb, Location nl) { scf::YieldOp::create(nb, nl, state); });
  return Values(i.getResults());
}

Value extract(OpBuilder &b, Location loc, Value t, ValueRange at) {
  return tensor::ExtractOp::create(b, loc, t, at);
}

Value insert(OpBuilder &b, Location loc, Value v, Value t, ValueRange at) {
  return tensor::InsertOp::create(b, loc, v, t, at);
}

/// `v` is not zero (NaN counts as non-zero, as in numpy).
Value nonZero(ScalarBuilder &s, Value v) {
  if (llvm::isa<FloatType>(v.getType()))
    return s.cmpF(arith::CmpFPredicate::UNE, v,
                  arith::ConstantOp::create(s.b, s.loc,
                                            s.b.getZeroAttr(v.getType())));
  return s.cmpI(arith::CmpIPredicate::ne, v,
                arith::ConstantOp::create(s.b, s.loc,
                                          s.b.getZeroAttr(v.getType())));
}

/// count + flag (i1) as an index.
Value countIf(ScalarBuilder &s, Value count, Value flag) {
  return s.select(flag, s.addI(count, s.idx(1)), count);
}

/// Fails the run with the shape-mismatch status unless `count` == `extent`.
void checkCount(Lowerer &l, Value count, int64_t extent, StringRef what) {
  ScalarBuilder s{l.rw, l.loc};
  addRuntimeAssert(l, s.cmpI(arith::CmpIPredicate::eq, count, s.idx(extent)),
                   kStatusShapeMismatch, what);
}

/// A constant i64 tensor (a compile-time table).
Value indexTable(Lowerer &l, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({(int64_t)values.size()},
                                    l.rw.getI64Type());
  return arith::ConstantOp::create(l.rw, l.loc, type,
                                   DenseElementsAttr::get(type, values));
}

/// A zero tensor of `shape` and `elt`.
Value zerosOf(Lowerer &l, ArrayRef<int64_t> shape, Type elt) {
  return zeros(l, RankedTensorType::get(shape, elt));
}

/// An axis attribute (stored unsigned) made non-negative; the verifier
/// checked its range.
int64_t axisOf(uint64_t attr, int64_t rank) {
  int64_t axis = (int64_t)attr;
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// NonZero and Compress
//===----------------------------------------------------------------------===//

FailureOr<Value> lowerNonZero(Lowerer &l, onnx::NonZeroOp op) {
  auto xt = Lowerer::typeOf(op.getX());
  auto yt = Lowerer::typeOf(op.getY());
  int64_t n = xt.getNumElements(), k = yt.getDimSize(1);
  SmallVector<int64_t> dims(xt.getShape());
  if (dims.empty())
    dims.push_back(1);
  Value flat = l.reshape(op.getX(), {n});
  Value count = cidx(l.rw, l.loc, 0);
  Values out = loop(
      l.rw, l.loc, 0, n, {zeros(l, yt), count},
      [&](OpBuilder &b, Location loc, Value i, ValueRange st) -> Values {
        ScalarBuilder s{b, loc};
        Value nz = nonZero(s, extract(b, loc, flat, i));
        Value room = s.cmpI(arith::CmpIPredicate::slt, st[1], s.idx(k));
        Values y = when(b, loc, s.andI(nz, room), st[0],
                        [&](OpBuilder &ib, Location il) -> Values {
                          ScalarBuilder t{ib, il};
                          Value rest = i, y = st[0];
                          for (int64_t d = (int64_t)dims.size() - 1; d >= 0;
                               --d) {
                            Value dim = t.idx(dims[d]);
                            Value c = arith::RemSIOp::create(ib, il, rest, dim);
                            rest = arith::DivSIOp::create(ib, il, rest, dim);
                            y = insert(ib, il, t.toI64(c), y,
                                       {t.idx(d), st[1]});
                          }
                          return {y};
                        });
        return {y[0], countIf(s, st[1], nz)};
      });
  checkCount(l, out[1], k, "NonZero found a different number of non-zero "
                           "elements than the compiled extent");
  return out[0];
}

/// The positions of the first `k` true values of the 1-D i1 `cond`
/// (i64 [k]) and how many there are in all.
std::pair<Value, Value> truePositions(Lowerer &l, Value cond, int64_t k) {
  int64_t n = Lowerer::typeOf(cond).getDimSize(0);
  Values out = loop(
      l.rw, l.loc, 0, n,
      {zerosOf(l, {k}, l.rw.getI64Type()), cidx(l.rw, l.loc, 0)},
      [&](OpBuilder &b, Location loc, Value i, ValueRange st) -> Values {
        ScalarBuilder s{b, loc};
        Value c = extract(b, loc, cond, i);
        Value room = s.cmpI(arith::CmpIPredicate::slt, st[1], s.idx(k));
        Values sel = when(b, loc, s.andI(c, room), st[0],
                          [&](OpBuilder &ib, Location il) -> Values {
                            ScalarBuilder t{ib, il};
                            return {insert(ib, il, t.toI64(i), st[0], st[1])};
                          });
        return {sel[0], countIf(s, st[1], c)};
      });
  return {out[0], out[1]};
}

/// rt-shaped slices of `x` along `axis` at `positions` (i64, in range).
Value gatherSlices(Lowerer &l, RankedTensorType rt, Value x, Value positions,
                   int64_t axis) {
  return indexedGeneric(
      l, rt, {}, {},
      [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
        ScalarBuilder s{b, loc};
        SmallVector<Value> src(ivs);
        src[axis] = s.toIndex(extract(b, loc, positions, ivs[axis]));
        return extract(b, loc, x, src);
      });
}

FailureOr<Value> lowerCompress(Lowerer &l, onnx::CompressOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  Value x = op.getInput();
  int64_t axis = 0;
  if (auto a = op.getAxis()) {
    axis = axisOf(*a, Lowerer::typeOf(x).getRank());
  } else {
    x = l.reshape(x, {Lowerer::typeOf(x).getNumElements()});
  }
  int64_t k = rt.getDimSize(axis);
  Value positions, count;
  std::tie(positions, count) = truePositions(l, op.getCondition(), k);
  checkCount(l, count, k, "Compress kept a different number of slices than "
                          "the compiled extent");
  return gatherSlices(l, rt, x, positions, axis);
}

//===----------------------------------------------------------------------===//
// Unique
//===----------------------------------------------------------------------===//

/// Unique over slices i of X viewed as [P, n, Q]: first[i] (the first
/// slice equal to slice i), each first slice's rank among the distinct
/// ones (sorted, or by first occurrence), then the results by rank.
FailureOr<SmallVector<Value>> lowerUnique(Lowerer &l, onnx::UniqueOp op) {
  auto xt = Lowerer::typeOf(op.getX());
  auto yt = llvm::cast<RankedTensorType>(op.getY().getType());
  int64_t axis = 0, p = 1, q = 1, n = xt.getNumElements();
  Value x = op.getX();
  if (auto a = op.getAxis()) {
    axis = axisOf(*a, xt.getRank());
    n = xt.getDimSize(axis);
    for (int64_t d = 0; d < xt.getRank(); ++d)
      (d < axis ? p : q) *= d == axis ? 1 : xt.getDimSize(d);
  } else {
    x = l.reshape(x, {n});
  }
  int64_t k = yt.getDimSize(axis);
  Value view = l.reshape(op.getX(), {p, n, q});
  bool isFloat = llvm::isa<FloatType>(xt.getElementType());
  Type i64 = l.rw.getI64Type();
  // Lexicographic order of slices a and b: -1, 0 or 1 (i64).
  auto compare = [&](OpBuilder &b, Location loc, Value sa, Value sb) {
    ScalarBuilder s{b, loc};
    Value init = s.i64(0);
    return loop(
        b, loc, 0, p * q, {init},
        [&](OpBuilder &nb, Location nl, Value e, ValueRange st) -> Values {
          ScalarBuilder t{nb, nl};
          Value pi = arith::DivSIOp::create(nb, nl, e, t.idx(q));
          Value qi = arith::RemSIOp::create(nb, nl, e, t.idx(q));
          Value va = extract(nb, nl, view, {pi, sa, qi});
          Value vb = extract(nb, nl, view, {pi, sb, qi});
          Value lt = isFloat ? t.cmpF(arith::CmpFPredicate::OLT, va, vb)
                             : t.cmpI(arith::CmpIPredicate::slt, va, vb);
          Value gt = isFloat ? t.cmpF(arith::CmpFPredicate::OGT, va, vb)
                             : t.cmpI(arith::CmpIPredicate::sgt, va, vb);
          Value c = t.select(lt, t.i64(-1), t.select(gt, t.i64(1), t.i64(0)));
          Value undecided = t.cmpI(arith::CmpIPredicate::eq, st[0], t.i64(0));
          return {t.select(undecided, c, st[0])};
        })[0];
  };
  // first[i]: the lowest j <= i whose slice equals slice i.
  Value first = loop(
      l.rw, l.loc, 0, n, {zerosOf(l, {n}, i64)},
      [&](OpBuilder &b, Location loc, Value i, ValueRange st) -> Values {
        ScalarBuilder s{b, loc};
        Value f = loop(b, loc, s.idx(0), s.addI(i, s.idx(1)), {i},
                       [&](OpBuilder &nb, Location nl, Value j,
                           ValueRange fs) -> Values {
                         ScalarBuilder t{nb, nl};
                         Value open =
                             t.cmpI(arith::CmpIPredicate::eq, fs[0], i);
                         return when(nb, nl, open, fs,
                                     [&](OpBuilder &ib, Location il) -> Values {
                                       ScalarBuilder u{ib, il};
                                       Value same = u.cmpI(
                                           arith::CmpIPredicate::eq,
                                           compare(ib, il, j, i), u.i64(0));
                                       return {u.select(same, j, i)};
                                     });
                       })[0];
        return {insert(b, loc, s.toI64(f), st[0], i)};
      })[0];
  auto isFirst = [&](OpBuilder &b, Location loc, Value i) {
    ScalarBuilder s{b, loc};
    return s.cmpI(arith::CmpIPredicate::eq, extract(b, loc, first, i),
                  s.toI64(i));
  };
  // rank[i] of each first slice (other entries unused), and the count.
  bool sorted = op.getSorted() != 0;
  Values ranked = loop(
      l.rw, l.loc, 0, n, {zerosOf(l, {n}, i64), cidx(l.rw, l.loc, 0)},
      [&](OpBuilder &b, Location loc, Value i, ValueRange st) -> Values {
        ScalarBuilder s{b, loc};
        Value fi = isFirst(b, loc, i);
        Value r = loop(
            b, loc, 0, n, {s.i64(0)},
            [&](OpBuilder &nb, Location nl, Value j, ValueRange rs) -> Values {
              ScalarBuilder t{nb, nl};
              Value before;
              if (sorted) {
                before = when(nb, nl, isFirst(nb, nl, j), {t.constBool(false)},
                              [&](OpBuilder &ib, Location il) -> Values {
                                ScalarBuilder u{ib, il};
                                return {u.cmpI(arith::CmpIPredicate::slt,
                                               compare(ib, il, j, i),
                                               u.i64(0))};
                              })[0];
              } else {
                before = t.andI(isFirst(nb, nl, j),
                                t.cmpI(arith::CmpIPredicate::slt, j, i));
              }
              return {t.select(before, t.addI(rs[0], t.i64(1)), rs[0])};
            })[0];
        return {insert(b, loc, r, st[0], i), countIf(s, st[1], fi)};
      });
  Value rank = ranked[0];
  checkCount(l, ranked[1], k, "Unique found a different number of distinct "
                              "values than the compiled extent");
  // pos[r]: the first slice of rank r.
  Value pos = loop(
      l.rw, l.loc, 0, n, {zerosOf(l, {k}, i64)},
      [&](OpBuilder &b, Location loc, Value i, ValueRange st) -> Values {
        ScalarBuilder s{b, loc};
        Value r = extract(b, loc, rank, i);
        Value ok = s.andI(isFirst(b, loc, i),
                          s.cmpI(arith::CmpIPredicate::slt, r, s.i64(k)));
        return when(b, loc, ok, st, [&](OpBuilder &ib, Location il) -> Values {
          ScalarBuilder t{ib, il};
          return {insert(ib, il, t.toI64(i), st[0], t.toIndex(r))};
        });
      })[0];
  SmallVector<Value> results;
  results.push_back(gatherSlices(l, yt, x, pos, axis));
  if (op.getIndices())
    results.push_back(pos);
  // inverse[i] = rank[first[i]] (clamped: with a count mismatch, ranks may
  // pass k), counts[r] = how many i have inverse r.
  auto inverseOf = [&](OpBuilder &b, Location loc, Value i) {
    ScalarBuilder s{b, loc};
    Value f = s.toIndex(extract(b, loc, first, i));
    Value r = extract(b, loc, rank, f);
    return arith::MinSIOp::create(b, loc, r, s.i64(k - 1)).getResult();
  };
  if (op.getInverseIndices())
    results.push_back(indexedGeneric(
        l, RankedTensorType::get({n}, i64), {}, {},
        [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
          return inverseOf(b, loc, ivs[0]);
        }));
  if (op.getCounts())
    results.push_back(loop(
        l.rw, l.loc, 0, n, {zerosOf(l, {k}, i64)},
        [&](OpBuilder &b, Location loc, Value i, ValueRange st) -> Values {
          ScalarBuilder s{b, loc};
          Value r = s.toIndex(inverseOf(b, loc, i));
          Value c = extract(b, loc, st[0], r);
          return {insert(b, loc, s.addI(c, s.i64(1)), st[0], r)};
        })[0]);
  return results;
}

//===----------------------------------------------------------------------===//
// NonMaxSuppression
//===----------------------------------------------------------------------===//

/// ONNX Runtime's IoU test: boxes a and b (rows of `boxes[batch]`) overlap
/// by more than `threshold`. Degenerate boxes never suppress.
Value suppresses(ScalarBuilder &s, Value boxes, Value batch, Value a, Value b,
                 bool center, Value threshold) {
  auto coord = [&](Value box, int64_t c) {
    return s.toF32(extract(s.b, s.loc, boxes, {batch, box, s.idx(c)}));
  };
  auto minF = [&](Value x, Value y) {
    return s.select(s.cmpF(arith::CmpFPredicate::OLT, x, y), x, y);
  };
  auto maxF = [&](Value x, Value y) {
    return s.select(s.cmpF(arith::CmpFPredicate::OLT, x, y), y, x);
  };
  // [lo, hi] of each box along y (0) and x (1).
  auto extent = [&](Value box, int64_t axis) -> std::pair<Value, Value> {
    if (center) {
      Value c = coord(box, 1 - axis), half = s.mulF(coord(box, 3 - axis),
                                                    s.f32(0.5));
      return {s.subF(c, half), s.addF(c, half)};
    }
    Value u = coord(box, axis), v = coord(box, axis + 2);
    return {minF(u, v), maxF(u, v)};
  };
  auto [ay0, ay1] = extent(a, 0);
  auto [ax0, ax1] = extent(a, 1);
  auto [by0, by1] = extent(b, 0);
  auto [bx0, bx1] = extent(b, 1);
  Value ix = s.subF(minF(ax1, bx1), maxF(ax0, bx0));
  Value iy = s.subF(minF(ay1, by1), maxF(ay0, by0));
  Value zero = s.f32(0.0);
  Value inter = s.mulF(ix, iy);
  Value areaA = s.mulF(s.subF(ax1, ax0), s.subF(ay1, ay0));
  Value areaB = s.mulF(s.subF(bx1, bx0), s.subF(by1, by0));
  Value uni = s.subF(s.addF(areaA, areaB), inter);
  auto positive = [&](Value v) {
    return s.cmpF(arith::CmpFPredicate::OGT, v, zero);
  };
  Value valid = s.andI(s.andI(positive(ix), positive(iy)),
                       s.andI(s.andI(positive(inter), positive(uni)),
                              s.andI(positive(areaA), positive(areaB))));
  Value iou = s.divF(inter, s.select(valid, uni, s.f32(1.0)));
  return s.andI(valid, s.cmpF(arith::CmpFPredicate::OGT, iou, threshold));
}

FailureOr<Value> lowerNonMaxSuppression(Lowerer &l,
                                        onnx::NonMaxSuppressionOp op) {
  auto bt = Lowerer::typeOf(op.getBoxes()), st = Lowerer::typeOf(op.getScores());
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  int64_t batches = bt.getDimSize(0), nb = bt.getDimSize(1);
  int64_t classes = st.getDimSize(1), k = rt.getDimSize(0);
  bool center = op.getCenterPointBox() == 1;
  Value boxes = op.getBoxes(), scores = op.getScores();
  ScalarBuilder s0{l.rw, l.loc};
  auto scalar = [&](Value t) {
    SmallVector<Value> at(Lowerer::typeOf(t).getRank(), s0.idx(0));
    return extract(l.rw, l.loc, t, at);
  };
  // Absent: no output at all (ONNX's default of 0), no IoU threshold
  // (suppress any overlap), every score a candidate.
  Value maxOut = op.getMaxOutputBoxesPerClass()
                     ? s0.toIndex(scalar(op.getMaxOutputBoxesPerClass()))
                     : s0.idx(0);
  Value iouThreshold = op.getIouThreshold()
                           ? s0.toF32(scalar(op.getIouThreshold()))
                           : s0.f32(0.0);
  Value scoreThreshold =
      op.getScoreThreshold() ? s0.toF32(scalar(op.getScoreThreshold())) : Value();
  Type i64 = l.rw.getI64Type();
  Value ninf = s0.f32(-std::numeric_limits<float>::infinity());
  // Scores ranked with NaN as -inf: a total order, so ranks are a
  // permutation.
  auto key = [&](ScalarBuilder &s, Value b, Value c, Value i) {
    Value v = s.toF32(extract(s.b, s.loc, scores, {b, c, i}));
    return s.select(s.cmpF(arith::CmpFPredicate::UNO, v, v), ninf, v);
  };
  // State: result, order (scratch), kept boxes (scratch), rows written.
  Values init = {zeros(l, rt), zerosOf(l, {nb}, i64), zerosOf(l, {nb}, i64),
                 s0.idx(0)};
  auto perClass = [&](OpBuilder &b, Location loc, Value bi, Value ci,
                      ValueRange state) -> Values {
    ScalarBuilder s{b, loc};
    // order[rank] = box: rank = how many boxes come first.
    Value order = loop(
        b, loc, 0, nb, {state[1]},
        [&](OpBuilder &ob, Location ol, Value i, ValueRange os) -> Values {
          ScalarBuilder t{ob, ol};
          Value ki = key(t, bi, ci, i);
          Value r = loop(
              ob, ol, 0, nb, {t.idx(0)},
              [&](OpBuilder &rb, Location rl, Value j, ValueRange rs) -> Values {
                ScalarBuilder u{rb, rl};
                Value kj = key(u, bi, ci, j);
                Value first = u.orI(
                    u.cmpF(arith::CmpFPredicate::OGT, kj, ki),
                    u.andI(u.cmpF(arith::CmpFPredicate::OEQ, kj, ki),
                           u.cmpI(arith::CmpIPredicate::slt, j, i)));
                return {countIf(u, rs[0], first)};
              })[0];
          return {insert(ob, ol, t.toI64(i), os[0], r)};
        })[0];
    // State: result, kept boxes, kept count, rows written, class done.
    Values walk = loop(
        b, loc, 0, nb,
        {state[0], state[2], s.idx(0), state[3], s.constBool(false)},
        [&](OpBuilder &wb, Location wl, Value p, ValueRange ws) -> Values {
          ScalarBuilder t{wb, wl};
          Value box = t.toIndex(extract(wb, wl, order, p));
          Value score = t.toF32(extract(wb, wl, scores, {bi, ci, box}));
          Value candidate = t.andI(
              t.cmpI(arith::CmpIPredicate::eq, ws[4], t.constBool(false)),
              t.cmpF(arith::CmpFPredicate::ORD, score, score));
          if (scoreThreshold)
            candidate = t.andI(candidate, t.cmpF(arith::CmpFPredicate::OGT,
                                                 score, scoreThreshold));
          return when(wb, wl, candidate, ws,
                      [&](OpBuilder &cb, Location cl) -> Values {
            ScalarBuilder u{cb, cl};
            Value keep = loop(
                cb, cl, u.idx(0), ws[2], {u.constBool(true)},
                [&](OpBuilder &kb, Location kl, Value q,
                    ValueRange ks) -> Values {
                  ScalarBuilder v{kb, kl};
                  Value other = v.toIndex(extract(kb, kl, ws[1], q));
                  return {v.andI(ks[0],
                                 v.xorI(suppresses(v, boxes, bi, other, box,
                                                   center, iouThreshold),
                                        v.constBool(true)))};
                })[0];
            // A box that survives once the class is full ends the class.
            Value full = u.cmpI(arith::CmpIPredicate::sge, ws[2], maxOut);
            Value take = u.andI(keep, u.xorI(full, u.constBool(true)));
            Values next = when(cb, cl, take, ws.take_front(4),
                               [&](OpBuilder &tb, Location tl) -> Values {
              ScalarBuilder v{tb, tl};
              Value kept = insert(tb, tl, v.toI64(box), ws[1], ws[2]);
              Value room = v.cmpI(arith::CmpIPredicate::slt, ws[3], v.idx(k));
              Value out = when(tb, tl, room, ws[0],
                               [&](OpBuilder &ob, Location ol) -> Values {
                ScalarBuilder w{ob, ol};
                Value y = ws[0];
                Value row[3] = {w.toI64(bi), w.toI64(ci), w.toI64(box)};
                for (int64_t c = 0; c < 3; ++c)
                  y = insert(ob, ol, row[c], y, {ws[3], w.idx(c)});
                return {y};
              })[0];
              return {out, kept, v.addI(ws[2], v.idx(1)),
                      v.addI(ws[3], v.idx(1))};
            });
            next.push_back(u.orI(ws[4], u.andI(keep, full)));
            return next;
          });
        });
    return {walk[0], order, walk[1], walk[3]};
  };
  Values done = loop(
      l.rw, l.loc, 0, batches, init,
      [&](OpBuilder &b, Location loc, Value bi, ValueRange st) -> Values {
        return loop(b, loc, 0, classes, st,
                    [&](OpBuilder &cb, Location cl, Value ci,
                        ValueRange cs) -> Values {
                      return perClass(cb, cl, bi, ci, cs);
                    });
      });
  checkCount(l, done[3], k, "NonMaxSuppression selected a different number "
                            "of boxes than the compiled extent");
  return done[0];
}

//===----------------------------------------------------------------------===//
// RoiAlign
//===----------------------------------------------------------------------===//

FailureOr<Value> lowerRoiAlign(Lowerer &l, onnx::RoiAlignOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto xt = Lowerer::typeOf(op.getX());
  int64_t batch = xt.getDimSize(0), height = xt.getDimSize(2),
          width = xt.getDimSize(3);
  int64_t oh = op.getOutputHeight(), ow = op.getOutputWidth();
  int64_t ratio = op.getSamplingRatio();
  bool halfPixel = op.getCoordinateTransformationMode() == "half_pixel";
  bool isMax = op.getMode() == "max";
  float scale = op.getSpatialScale().convertToFloat();
  Value x = op.getX(), rois = op.getRois(), indices = op.getBatchIndices();
  checkInRange(l, indices, 0, batch - 1, kStatusIndexOutOfRange,
               "RoiAlign batch index out of range");
  Type elt = rt.getElementType();
  return indexedGeneric(
      l, rt, {}, {},
      [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
        ScalarBuilder s{b, loc};
        Value r = ivs[0], c = ivs[1];
        Value n = s.clampIndex(s.toIndex(extract(b, loc, indices, r)), batch);
        auto roi = [&](int64_t j) {
          Value v = s.toF32(extract(b, loc, rois, {r, s.idx(j)}));
          v = s.mulF(v, s.f32(scale));
          return halfPixel ? s.subF(v, s.f32(0.5)) : v;
        };
        Value x0 = roi(0), y0 = roi(1);
        Value rw = s.subF(roi(2), x0), rh = s.subF(roi(3), y0);
        if (!halfPixel) {
          rw = arith::MaximumFOp::create(b, loc, rw, s.f32(1.0));
          rh = arith::MaximumFOp::create(b, loc, rh, s.f32(1.0));
        }
        Value binH = s.divF(rh, s.f32(oh)), binW = s.divF(rw, s.f32(ow));
        // Samples per bin: fixed, or ceil(bin extent) clamped into
        // [0, 65536] (a NaN gives 0) so the conversion is defined.
        auto grid = [&](Value bin) -> Value {
          if (ratio > 0)
            return s.idx(ratio);
          Value g = math::CeilOp::create(b, loc, bin);
          g = s.select(s.cmpF(arith::CmpFPredicate::OGT, g, s.f32(0.0)), g,
                       s.f32(0.0));
          g = s.select(s.cmpF(arith::CmpFPredicate::OLT, g, s.f32(65536.0)),
                       g, s.f32(65536.0));
          return s.toIndex(arith::FPToSIOp::create(b, loc, b.getI64Type(), g));
        };
        Value gh = grid(binH), gw = grid(binW);
        Value ghF = s.toF32(s.toI64(gh)), gwF = s.toF32(s.toI64(gw));
        Value startY = s.addF(y0, s.mulF(s.toF32(ivs[2]), binH));
        Value startX = s.addF(x0, s.mulF(s.toF32(ivs[3]), binW));
        // Bilinear sample at (y, x) as ONNX Runtime computes it: zero
        // outside [-1, extent], the border pixel near the edge.
        auto sample = [&](ScalarBuilder &t, Value y, Value xx) {
          Value outside = t.orI(
              t.orI(t.cmpF(arith::CmpFPredicate::OLT, y, t.f32(-1.0)),
                    t.cmpF(arith::CmpFPredicate::OGT, y, t.f32(height))),
              t.orI(t.cmpF(arith::CmpFPredicate::OLT, xx, t.f32(-1.0)),
                    t.cmpF(arith::CmpFPredicate::OGT, xx, t.f32(width))));
          auto axisTaps = [&](Value v, int64_t extent)
              -> std::tuple<Value, Value, Value> {
            // Clamped into [0, extent] first: NaN and far values stay
            // convertible.
            v = t.select(t.cmpF(arith::CmpFPredicate::OGT, v, t.f32(0.0)), v,
                         t.f32(0.0));
            v = t.select(t.cmpF(arith::CmpFPredicate::OLT, v, t.f32(extent)),
                         v, t.f32(extent));
            Value lo = t.toIndex(
                arith::FPToSIOp::create(t.b, t.loc, t.b.getI64Type(), v));
            Value last = t.cmpI(arith::CmpIPredicate::sge, lo,
                                t.idx(extent - 1));
            lo = t.select(last, t.idx(extent - 1), lo);
            Value hi = t.select(last, lo, t.addI(lo, t.idx(1)));
            v = t.select(last, t.toF32(t.toI64(lo)), v);
            Value frac = t.subF(v, t.toF32(t.toI64(lo)));
            return {lo, hi, frac};
          };
          auto [yl, yh, ly] = axisTaps(y, height);
          auto [xl, xh, lx] = axisTaps(xx, width);
          Value hy = t.subF(t.f32(1.0), ly), hx = t.subF(t.f32(1.0), lx);
          auto px = [&](Value yi, Value xi) {
            return t.toF32(extract(t.b, t.loc, x, {n, c, yi, xi}));
          };
          Value zero = t.f32(0.0);
          Value w[4] = {t.mulF(hy, hx), t.mulF(hy, lx), t.mulF(ly, hx),
                        t.mulF(ly, lx)};
          for (Value &wi : w)
            wi = t.select(outside, zero, wi);
          Value v[4] = {t.mulF(w[0], px(yl, xl)), t.mulF(w[1], px(yl, xh)),
                        t.mulF(w[2], px(yh, xl)), t.mulF(w[3], px(yh, xh))};
          if (!isMax)
            return t.addF(t.addF(v[0], v[1]), t.addF(v[2], v[3]));
          Value m = v[0];
          for (int64_t i = 1; i < 4; ++i)
            m = t.select(t.cmpF(arith::CmpFPredicate::OLT, m, v[i]), v[i], m);
          return m;
        };
        Value init = isMax ? s.f32(-std::numeric_limits<float>::infinity())
                           : s.f32(0.0);
        Value acc = loop(
            b, loc, s.idx(0), gh, {init},
            [&](OpBuilder &yb, Location yl, Value iy, ValueRange ys) -> Values {
              ScalarBuilder t{yb, yl};
              Value y = t.addF(
                  startY, t.divF(t.mulF(t.addF(t.toF32(t.toI64(iy)),
                                               t.f32(0.5)),
                                        binH),
                                 ghF));
              return loop(
                  yb, yl, t.idx(0), gw, ys,
                  [&](OpBuilder &xb, Location xl, Value ix,
                      ValueRange xs) -> Values {
                    ScalarBuilder u{xb, xl};
                    Value xx = u.addF(
                        startX,
                        u.divF(u.mulF(u.addF(u.toF32(u.toI64(ix)),
                                             u.f32(0.5)),
                                      binW),
                               gwF));
                    Value v = sample(u, y, xx);
                    if (!isMax)
                      return {u.addF(xs[0], v)};
                    return {u.select(u.cmpF(arith::CmpFPredicate::OLT, xs[0],
                                            v),
                                     v, xs[0])};
                  });
            })[0];
        Value count = s.mulI(gh, gw);
        if (isMax) {
          // No samples: 0, as ONNX Runtime leaves it.
          acc = s.select(s.cmpI(arith::CmpIPredicate::eq, count, s.idx(0)),
                         s.f32(0.0), acc);
        } else {
          count = arith::MaxSIOp::create(b, loc, count, s.idx(1));
          acc = s.divF(acc, s.toF32(s.toI64(count)));
        }
        return s.convert(acc, elt);
      });
}

//===----------------------------------------------------------------------===//
// TfIdfVectorizer
//===----------------------------------------------------------------------===//

/// Y[b, j] counts, for each pool n-gram mapped to column j (n in the
/// gram-length range), its occurrences in row b at every start and skip
/// distance. The grams of each column are contiguous in compile-time
/// tables: colStart[j] .. colStart[j + 1] index gramLen and gramOff (into
/// the pool).
FailureOr<Value> lowerTfIdfVectorizer(Lowerer &l, onnx::TfIdfVectorizerOp op) {
  auto rt = llvm::cast<RankedTensorType>(op.getType());
  auto xt = Lowerer::typeOf(op.getX());
  int64_t minN = op.getMinGramLength(), maxN = op.getMaxGramLength();
  int64_t distances = op.getMaxSkipCount() + 1;
  int64_t width = rt.getShape().back(), tokens = xt.getShape().back();
  SmallVector<int64_t> pool, starts;
  ArrayAttr poolAttr = *op.getPoolInt64s();
  for (Attribute a : poolAttr)
    pool.push_back(llvm::cast<IntegerAttr>(a).getInt());
  for (Attribute a : op.getNgramCounts())
    starts.push_back(llvm::cast<IntegerAttr>(a).getInt());
  SmallVector<int64_t> columns;
  for (Attribute a : op.getNgramIndexes())
    columns.push_back(llvm::cast<IntegerAttr>(a).getInt());
  // (column, length, offset) of each counted gram, grouped by column.
  struct Gram {
    int64_t column, length, offset;
  };
  SmallVector<Gram> grams;
  int64_t g = 0;
  for (auto [i, begin] : llvm::enumerate(starts)) {
    int64_t len = (int64_t)i + 1;
    int64_t end = i + 1 < starts.size() ? starts[i + 1] : (int64_t)pool.size();
    for (int64_t off = begin; off < end; off += len, ++g)
      if (len >= minN && len <= maxN)
        grams.push_back({columns[g], len, off});
  }
  // Offsets are distinct: a total order, so the tables are deterministic.
  llvm::sort(grams, [](const Gram &a, const Gram &b) {
    return std::pair(a.column, a.offset) < std::pair(b.column, b.offset);
  });
  SmallVector<int64_t> colStart(width + 1, 0), lens, offs;
  for (const Gram &gr : grams) {
    ++colStart[gr.column + 1];
    lens.push_back(gr.length);
    offs.push_back(gr.offset);
  }
  std::partial_sum(colStart.begin(), colStart.end(), colStart.begin());
  Value colTable = indexTable(l, colStart), lenTable = indexTable(l, lens);
  Value offTable = indexTable(l, offs), poolTable = indexTable(l, pool);
  SmallVector<float> weights(width, 1.0f);
  if (auto w = op.getWeights())
    for (int64_t j = 0; j < width; ++j)
      weights[j] = (float)llvm::cast<FloatAttr>((*w)[j]).getValueAsDouble();
  auto wType = RankedTensorType::get({width}, l.rw.getF32Type());
  Value weightTable = arith::ConstantOp::create(
      l.rw, l.loc, wType,
      DenseElementsAttr::get(wType, ArrayRef<float>(weights)));
  StringRef mode = op.getMode();
  Value x = op.getX();
  bool batched = xt.getRank() == 2;
  return indexedGeneric(
      l, rt, {}, {},
      [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
        ScalarBuilder s{b, loc};
        Value j = ivs.back();
        auto token = [&](ScalarBuilder &t, Value i) {
          SmallVector<Value> at;
          if (batched)
            at.push_back(ivs[0]);
          at.push_back(i);
          Value v = extract(t.b, t.loc, x, at);
          if (!v.getType().isInteger(64))
            v = arith::ExtSIOp::create(t.b, t.loc, t.b.getI64Type(), v);
          return v;
        };
        Value lo = s.toIndex(extract(b, loc, colTable, j));
        Value hi = s.toIndex(extract(b, loc, colTable, s.addI(j, s.idx(1))));
        Value count = loop(
            b, loc, lo, hi, {s.i64(0)},
            [&](OpBuilder &gb, Location gl, Value kk, ValueRange gs) -> Values {
              ScalarBuilder t{gb, gl};
              Value n = t.toIndex(extract(gb, gl, lenTable, kk));
              Value off = t.toIndex(extract(gb, gl, offTable, kk));
              // Unigrams do not depend on the skip distance: counted once.
              Value dEnd = t.select(
                  t.cmpI(arith::CmpIPredicate::eq, n, t.idx(1)), t.idx(2),
                  t.idx(distances + 1));
              return loop(
                  gb, gl, t.idx(1), dEnd, gs,
                  [&](OpBuilder &db, Location dl, Value d,
                      ValueRange ds) -> Values {
                    ScalarBuilder u{db, dl};
                    Value span = u.mulI(u.subI(n, u.idx(1)), d);
                    return loop(
                        db, dl, u.idx(0), u.subI(u.idx(tokens), span), ds,
                        [&](OpBuilder &ib, Location il, Value i,
                            ValueRange is) -> Values {
                          ScalarBuilder v{ib, il};
                          Value match = loop(
                              ib, il, v.idx(0), n, {v.constBool(true)},
                              [&](OpBuilder &mb, Location ml, Value t2,
                                  ValueRange ms) -> Values {
                                ScalarBuilder w{mb, ml};
                                Value at = w.addI(i, w.mulI(t2, d));
                                Value want = extract(mb, ml, poolTable,
                                                     w.addI(off, t2));
                                return {w.andI(
                                    ms[0],
                                    w.cmpI(arith::CmpIPredicate::eq,
                                           token(w, at), want))};
                              })[0];
                          return {v.select(match,
                                           v.addI(is[0], v.i64(1)), is[0])};
                        });
                  });
            })[0];
        Value tf = s.toF32(count);
        Value w = extract(b, loc, weightTable, j);
        if (mode == "TF")
          return tf;
        if (mode == "IDF")
          return s.select(s.cmpI(arith::CmpIPredicate::sgt, count, s.i64(0)),
                          w, s.f32(0.0));
        return s.mulF(tf, w);
      });
}

//===----------------------------------------------------------------------===//
// StringNormalizer
//===----------------------------------------------------------------------===//

/// ASCII letters of the i8 `c` raised (`upper`) or lowered; other bytes
/// unchanged.
Value asciiCase(ScalarBuilder &s, Value c, bool upper) {
  auto byte = [&](int64_t v) {
    return arith::ConstantOp::create(s.b, s.loc,
                                     s.b.getIntegerAttr(c.getType(), v));
  };
  int64_t first = upper ? 'a' : 'A';
  Value letter = s.andI(s.cmpI(arith::CmpIPredicate::sge, c, byte(first)),
                        s.cmpI(arith::CmpIPredicate::sle, c, byte(first + 25)));
  return s.select(letter, upper ? s.subI(c, byte(32)) : s.addI(c, byte(32)),
                  c);
}

/// Strings are [.., W] i8 slots ending at their first NUL. Each input
/// string is compared with a compile-time table of stopwords (lowered when
/// matching ignores case), the kept ones are gathered as Compress does, and
/// each output byte is the source byte in the new case, or 0 past the
/// string's end.
FailureOr<Value> lowerStringNormalizer(Lowerer &l,
                                       onnx::StringNormalizerOp op) {
  auto xt = Lowerer::typeOf(op.getX());
  auto yt = llvm::cast<RankedTensorType>(op.getType());
  int64_t rank = xt.getRank(), width = xt.getShape().back();
  int64_t n = xt.getDimSize(rank - 2), m = yt.getDimSize(rank - 2);
  bool sensitive = op.getIsCaseSensitive() != 0;
  StringRef action = op.getCaseChangeAction();
  Type i8 = l.rw.getI8Type();
  Value x = l.reshape(op.getX(), {n, width});
  // A stopword longer than a slot matches no string.
  SmallVector<int8_t> table;
  int64_t words = 0;
  if (auto stops = op.getStopwords())
    for (Attribute a : *stops) {
      StringRef w = llvm::cast<StringAttr>(a).getValue();
      if ((int64_t)w.size() > width)
        continue;
      for (int64_t k = 0; k < width; ++k)
        table.push_back(k < (int64_t)w.size()
                            ? (int8_t)(sensitive ? w[k] : llvm::toLower(w[k]))
                            : 0);
      ++words;
    }
  Value stopTable;
  if (words) {
    auto type = RankedTensorType::get({words, width}, i8);
    stopTable = arith::ConstantOp::create(
        l.rw, l.loc, type, DenseElementsAttr::get(type, ArrayRef(table)));
  }
  Value keep = indexedGeneric(
      l, RankedTensorType::get({n}, l.rw.getI1Type()), {}, {},
      [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
        ScalarBuilder s{b, loc};
        if (!words)
          return s.constBool(true);
        Value stop = loop(
            b, loc, 0, words, {s.constBool(false)},
            [&](OpBuilder &wb, Location wl, Value w, ValueRange ws) -> Values {
              ScalarBuilder t{wb, wl};
              Values eq = loop(
                  wb, wl, 0, width, {t.constBool(true), t.constBool(false)},
                  [&](OpBuilder &kb, Location kl, Value k,
                      ValueRange ks) -> Values {
                    ScalarBuilder u{kb, kl};
                    Value a = extract(kb, kl, x, {ivs[0], k});
                    if (!sensitive)
                      a = asciiCase(u, a, /*upper=*/false);
                    Value c = extract(kb, kl, stopTable, {w, k});
                    Value same = u.orI(
                        ks[1], u.cmpI(arith::CmpIPredicate::eq, a, c));
                    Value nul = u.cmpI(arith::CmpIPredicate::eq, a,
                                       arith::ConstantOp::create(
                                           kb, kl, kb.getIntegerAttr(i8, 0)));
                    return {u.andI(ks[0], same), u.orI(ks[1], nul)};
                  });
              return {t.orI(ws[0], eq[0])};
            })[0];
        return s.xorI(stop, s.constBool(true));
      });
  Value positions, count;
  std::tie(positions, count) = truePositions(l, keep, m);
  ScalarBuilder s0{l.rw, l.loc};
  Value none = s0.cmpI(arith::CmpIPredicate::eq, count, s0.idx(0));
  Value fits = s0.cmpI(arith::CmpIPredicate::eq, count, s0.idx(m));
  if (m == 1)
    fits = s0.orI(fits, none);
  addRuntimeAssert(l, fits, kStatusShapeMismatch,
                   "StringNormalizer kept a different number of strings "
                   "than the compiled extent");
  Value y = indexedGeneric(
      l, RankedTensorType::get({m, width}, i8), {}, {},
      [&](OpBuilder &b, Location loc, ValueRange, ArrayRef<Value> ivs) {
        ScalarBuilder s{b, loc};
        Value src = s.toIndex(extract(b, loc, positions, ivs[0]));
        Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(i8, 0));
        Value ended = loop(
            b, loc, s.idx(0), ivs[1], {none},
            [&](OpBuilder &kb, Location kl, Value k, ValueRange ks) -> Values {
              ScalarBuilder t{kb, kl};
              Value c = extract(kb, kl, x, {src, k});
              return {t.orI(ks[0], t.cmpI(arith::CmpIPredicate::eq, c, zero))};
            })[0];
        Value c = extract(b, loc, x, {src, ivs[1]});
        if (action != "NONE")
          c = asciiCase(s, c, action == "UPPER");
        return s.select(ended, zero, c);
      });
  return l.reshape(y, yt.getShape());
}

} // namespace

std::optional<FailureOr<SmallVector<Value>>>
whittle::lowering::lowerSelectionOp(Lowerer &l, Operation *op) {
  using Result = std::optional<FailureOr<SmallVector<Value>>>;
  auto one = [](FailureOr<Value> v) -> Result {
    if (failed(v))
      return FailureOr<SmallVector<Value>>(failure());
    return FailureOr<SmallVector<Value>>(SmallVector<Value>{*v});
  };
  return llvm::TypeSwitch<Operation *, Result>(op)
      .Case([&](onnx::NonZeroOp o) { return one(lowerNonZero(l, o)); })
      .Case([&](onnx::CompressOp o) { return one(lowerCompress(l, o)); })
      .Case([&](onnx::NonMaxSuppressionOp o) {
        return one(lowerNonMaxSuppression(l, o));
      })
      .Case([&](onnx::RoiAlignOp o) { return one(lowerRoiAlign(l, o)); })
      .Case([&](onnx::TfIdfVectorizerOp o) {
        return one(lowerTfIdfVectorizer(l, o));
      })
      .Case([&](onnx::UniqueOp o) -> Result { return lowerUnique(l, o); })
      .Case([&](onnx::StringNormalizerOp o) {
        return one(lowerStringNormalizer(l, o));
      })
      .Default([](Operation *) -> Result { return std::nullopt; });
}
