//===- ExpandMath.cpp - Polynomial approximations instead of libm ---------===//
//
// Part of whittle. Generated code links against nothing, so every math op
// that would become a libm call is rewritten into arithmetic. Upstream
// expansions and polynomial approximations do most of the work; floor and fma
// are expanded here because they become libm calls on targets without the
// matching instructions (x86-64 baseline, Cortex-M0).
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/Passes.h"
#include "ExpandHalfConversions.h"

#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <limits>
#include <type_traits>

namespace whittle {
#define GEN_PASS_DEF_EXPANDMATHPASS
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace {

/// fma(a, b, c) -> a * b + c, contractible (the polynomial approximations
/// are chains of fma).
struct ExpandFma : OpRewritePattern<math::FmaOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::FmaOp op,
                                PatternRewriter &rw) const override {
    // Contractible: LLVM fuses the pair back into one instruction where
    // the target has FMA, and keeps two (never an fmaf call) where not.
    auto contract = arith::FastMathFlags::contract;
    Value m = arith::MulFOp::create(rw, op.getLoc(), op.getA(), op.getB(),
                                    contract);
    rw.replaceOpWithNewOp<arith::AddFOp>(op, m, op.getC(), contract);
    return success();
  }
};

/// A constant of `like`'s shape (scalar or vector) and element type `elem`.
Value constantLike(OpBuilder &b, Location loc, Type like, Type elem,
                   TypedAttr value) {
  if (auto vt = llvm::dyn_cast<VectorType>(like))
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vt.clone(elem), value));
  return arith::ConstantOp::create(b, loc, value);
}

/// `like`'s shape with element type `elem`.
Type retype(Type like, Type elem) {
  if (auto vt = llvm::dyn_cast<VectorType>(like))
    return vt.clone(elem);
  return elem;
}

/// f32 scalars and vectors (vectorized kernel epilogues): floor, ceil and
/// round-half-even through an i32 conversion, for targets where the
/// rounding instruction is missing (SSE2, Cortex-M) and LLVM would call libm.
bool isF32Like(Type t) { return getElementTypeOrSelf(t).isF32(); }

/// floor(x) for f32 without undefined float->int conversions: values with
/// |x| >= 2^23 are already integers (or inf/NaN) and pass through.
struct ExpandFloor : OpRewritePattern<math::FloorOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::FloorOp op,
                                PatternRewriter &rw) const override {
    if (!isF32Like(op.getType()))
      return rw.notifyMatchFailure(op, "only f32 is expanded");
    Location loc = op.getLoc();
    Type type = op.getType();
    auto f = [&](float v) {
      return constantLike(rw, loc, type, rw.getF32Type(), rw.getF32FloatAttr(v));
    };
    Value x = op.getOperand();
    Value limit = f(8388608.0f), zero = f(0.0f), one = f(1.0f);
    Value ax = math::AbsFOp::create(rw, loc, x);
    // Ordered compare: false for NaN, so NaN takes the pass-through path.
    Value small =
        arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::OLT, ax, limit);
    Value safe = arith::SelectOp::create(rw, loc, small, x, zero);
    Value i = arith::FPToSIOp::create(rw, loc, retype(type, rw.getI32Type()), safe);
    Value t = arith::SIToFPOp::create(rw, loc, type, i);
    Value above =
        arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::OGT, t, safe);
    Value tm1 = arith::SubFOp::create(rw, loc, t, one);
    Value fl = arith::SelectOp::create(rw, loc, above, tm1, t);
    rw.replaceOpWithNewOp<arith::SelectOp>(op, small, fl, x);
    return success();
  }
};

/// The largest magnitude of `v` when it is a value clamped from both sides
/// by finite constants, as select(x > lo, x, lo) then select(x < hi, x, hi)
/// (either order; a quantization's saturation): never NaN either, as the
/// ordered compares are false for NaN and pick the constant.
static std::optional<double> clampBound(Value v) {
  // (bound, the clamped value, true for a lower bound)
  auto side = [](Value v) -> std::optional<std::tuple<double, Value, bool>> {
    auto sel = v.getDefiningOp<arith::SelectOp>();
    auto cmp = sel ? sel.getCondition().getDefiningOp<arith::CmpFOp>()
                   : arith::CmpFOp();
    if (!cmp || cmp.getLhs() != sel.getTrueValue() ||
        cmp.getRhs() != sel.getFalseValue())
      return std::nullopt;
    using P = arith::CmpFPredicate;
    P p = cmp.getPredicate();
    if (p != P::OGT && p != P::OGE && p != P::OLT && p != P::OLE)
      return std::nullopt;
    Attribute attr;
    if (!matchPattern(cmp.getRhs(), m_Constant(&attr)))
      return std::nullopt;
    if (auto splat = llvm::dyn_cast<SplatElementsAttr>(attr))
      attr = splat.getSplatValue<Attribute>();
    auto c = llvm::dyn_cast<FloatAttr>(attr);
    if (!c || !std::isfinite(c.getValueAsDouble()))
      return std::nullopt;
    return std::make_tuple(std::fabs(c.getValueAsDouble()), cmp.getLhs(),
                           p == P::OGT || p == P::OGE);
  };
  auto outer = side(v);
  if (!outer)
    return std::nullopt;
  auto inner = side(std::get<1>(*outer));
  if (!inner || std::get<2>(*inner) == std::get<2>(*outer))
    return std::nullopt;
  return std::max(std::get<0>(*outer), std::get<0>(*inner));
}

template <typename OpTy>
struct ExpandRoundingF32 : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rw) const override {
    if (!isF32Like(op.getType()))
      return rw.notifyMatchFailure(op, "only f32 is expanded");
    Location loc = op.getLoc();
    Type type = op.getType();
    Type i32 = retype(type, rw.getI32Type());
    auto f = [&](float v) {
      return constantLike(rw, loc, type, rw.getF32Type(), rw.getF32FloatAttr(v));
    };
    auto c = [&](int32_t v) {
      return constantLike(rw, loc, type, rw.getI32Type(), rw.getI32IntegerAttr(v));
    };
    using P = arith::CmpFPredicate;
    Value x = op.getOperand();
    // Values of 2^23 and more are integers already, and NaN stays NaN: both
    // bypass the conversion through i32. A value clamped by constants below
    // 2^23 (a QuantizeLinear's saturation) needs neither guard, which
    // halves the instructions per element on cores without a rounding
    // instruction (Cortex-M).
    std::optional<double> bound = clampBound(x);
    bool bounded = bound && *bound < 8388608.0;
    Value small, safe = x;
    if (!bounded) {
      Value ax = math::AbsFOp::create(rw, loc, x);
      small = arith::CmpFOp::create(rw, loc, P::OLT, ax, f(8388608.0f));
      safe = arith::SelectOp::create(rw, loc, small, x, f(0.0f));
    }
    Value i = arith::FPToSIOp::create(rw, loc, i32, safe);
    Value t = arith::SIToFPOp::create(rw, loc, type, i); // trunc
    Value r;
    if constexpr (std::is_same_v<OpTy, math::CeilOp>) {
      Value below = arith::CmpFOp::create(rw, loc, P::OLT, t, safe);
      r = arith::SelectOp::create(rw, loc, below,
                                  arith::AddFOp::create(rw, loc, t, f(1.0f)), t);
    } else {
      // Away from the truncation by one when the fraction is above one half,
      // or exactly one half and the truncation is odd.
      Value frac = math::AbsFOp::create(
          rw, loc, arith::SubFOp::create(rw, loc, safe, t));
      Value odd = arith::CmpIOp::create(
          rw, loc, arith::CmpIPredicate::ne,
          arith::AndIOp::create(rw, loc, i, c(1)), c(0));
      Value half = arith::CmpFOp::create(rw, loc, P::OEQ, frac, f(0.5f));
      Value away = arith::OrIOp::create(
          rw, loc, arith::CmpFOp::create(rw, loc, P::OGT, frac, f(0.5f)),
          arith::AndIOp::create(rw, loc, half, odd));
      Value step = math::CopySignOp::create(rw, loc, f(1.0f), safe);
      r = arith::SelectOp::create(rw, loc, away,
                                  arith::AddFOp::create(rw, loc, t, step), t);
    }
    r = math::CopySignOp::create(rw, loc, r, x);
    if (bounded)
      rw.replaceOp(op, r);
    else
      rw.replaceOpWithNewOp<arith::SelectOp>(op, small, r, x);
    return success();
  }
};

/// Builders for f64 (scalar or vector) bit-level code: the f64 expansions
/// below work on the IEEE fields through i64, never calling libm or a
/// float<->i64 conversion helper.
struct F64Bits {
  PatternRewriter &rw;
  Location loc;
  Type type; ///< f64 or vector of f64
  Value f(double v) {
    return constantLike(rw, loc, type, rw.getF64Type(), rw.getF64FloatAttr(v));
  }
  Value i(int64_t v) {
    return constantLike(rw, loc, type, rw.getI64Type(), rw.getI64IntegerAttr(v));
  }
  Value bits(Value x) {
    return arith::BitcastOp::create(rw, loc, retype(type, rw.getI64Type()), x);
  }
  Value fromBits(Value b) { return arith::BitcastOp::create(rw, loc, type, b); }
  Value add(Value a, Value b) { return arith::AddFOp::create(rw, loc, a, b); }
  Value sub(Value a, Value b) { return arith::SubFOp::create(rw, loc, a, b); }
  Value mul(Value a, Value b) { return arith::MulFOp::create(rw, loc, a, b); }
  Value div(Value a, Value b) { return arith::DivFOp::create(rw, loc, a, b); }
  Value cmpf(arith::CmpFPredicate p, Value a, Value b) {
    return arith::CmpFOp::create(rw, loc, p, a, b);
  }
  Value cmpi(arith::CmpIPredicate p, Value a, Value b) {
    return arith::CmpIOp::create(rw, loc, p, a, b);
  }
  Value sel(Value c, Value a, Value b) {
    return arith::SelectOp::create(rw, loc, c, a, b);
  }
  Value andI(Value a, Value b) { return arith::AndIOp::create(rw, loc, a, b); }
  Value orI(Value a, Value b) { return arith::OrIOp::create(rw, loc, a, b); }
  Value shl(Value a, int64_t n) { return arith::ShLIOp::create(rw, loc, a, i(n)); }
  Value shr(Value a, int64_t n) { return arith::ShRUIOp::create(rw, loc, a, i(n)); }
  /// 2^k for an integral-valued f64 k in [-1022, 1023], built in the
  /// exponent field.
  Value pow2(Value k) {
    Type i32 = retype(type, rw.getI32Type());
    Value ki = arith::FPToSIOp::create(rw, loc, i32, k);
    Value e = arith::ExtSIOp::create(rw, loc, retype(type, rw.getI64Type()), ki);
    return fromBits(shl(arith::AddIOp::create(rw, loc, e, i(1023)), 52));
  }
  /// Horner evaluation of sum c[j] x^j.
  Value poly(Value x, ArrayRef<double> c) {
    Value r = f(c.back());
    for (double v : llvm::reverse(c.drop_back()))
      r = add(mul(r, x), f(v));
    return r;
  }
};

bool isF64Like(Type t) { return getElementTypeOrSelf(t).isF64(); }

/// floor(x) on f64 by clearing the fraction bits (musl's method): no float
/// to i64 conversion, which 32-bit targets would call a helper for.
Value floorF64(F64Bits &k, Value x) {
  using P = arith::CmpIPredicate;
  Value b = k.bits(x);
  // Unbiased exponent; |x| < 1 when negative, an integer from 52 on.
  Value e = arith::SubIOp::create(k.rw, k.loc, k.andI(k.shr(b, 52), k.i(0x7ff)),
                                  k.i(1023));
  Value negative = k.cmpi(P::slt, b, k.i(0));
  Value small = k.cmpi(P::slt, e, k.i(0));
  Value integral = k.cmpi(P::sge, e, k.i(52));
  // |x| < 1: -1 for negative non-zero x, else a zero of x's sign.
  Value zeroOrNeg = k.sel(
      k.andI(negative, k.cmpi(P::ne, k.andI(b, k.i(INT64_MAX)), k.i(0))),
      k.f(-1.0), k.fromBits(k.andI(b, k.i(INT64_MIN))));
  // 1 <= |x| < 2^52: drop the fraction bits, then step down if negative
  // and something was dropped.
  Value safeE = k.sel(k.andI(k.cmpi(P::sge, e, k.i(0)),
                             k.cmpi(P::slt, e, k.i(52))),
                      e, k.i(0));
  Value mask = arith::ShRUIOp::create(k.rw, k.loc, k.i(0x000fffffffffffffLL),
                                      safeE);
  Value frac = k.cmpi(P::ne, k.andI(b, mask), k.i(0));
  Value cut = k.fromBits(k.andI(
      b, arith::XOrIOp::create(k.rw, k.loc, mask, k.i(-1))));
  Value stepped = k.sel(k.andI(negative, frac), k.sub(cut, k.f(1.0)), cut);
  return k.sel(integral, x, k.sel(small, zeroOrNeg, stepped));
}

/// exp(x) on f64: x = k ln2 + r with |r| <= ln2/2 (ln2 split in two parts so
/// k ln2 is exact), exp(r) by its Taylor series to degree 13 (error below
/// 1e-17), scaled by 2^k in two halves so overflow, gradual underflow and
/// the subnormal range come out right.
Value expF64(F64Bits &k, Value x) {
  using P = arith::CmpFPredicate;
  // Clamp (NaN passes through the selects at the end).
  Value cx = k.sel(k.cmpf(P::OGT, x, k.f(710.0)), k.f(710.0), x);
  cx = k.sel(k.cmpf(P::OLT, cx, k.f(-746.0)), k.f(-746.0), cx);
  Value n = math::FloorOp::create(
      k.rw, k.loc, k.add(k.mul(cx, k.f(1.4426950408889634)), k.f(0.5)));
  Value r = k.sub(k.sub(cx, k.mul(n, k.f(6.93147180369123816490e-01))),
                  k.mul(n, k.f(1.90821492927058770002e-10)));
  SmallVector<double> c{1.0};
  for (int j = 1; j <= 13; ++j)
    c.push_back(c.back() / j);
  Value er = k.poly(r, c);
  // 2^n = 2^h * 2^(n-h) with h = floor(n/2): both halves are normal.
  Value h = math::FloorOp::create(k.rw, k.loc, k.mul(n, k.f(0.5)));
  Value y = k.mul(k.mul(er, k.pow2(h)), k.pow2(k.sub(n, h)));
  y = k.sel(k.cmpf(P::OGT, x, k.f(709.782712893384)),
            k.f(std::numeric_limits<double>::infinity()), y);
  y = k.sel(k.cmpf(P::OLT, x, k.f(-745.2)), k.f(0.0), y);
  return k.sel(k.cmpf(P::UNO, x, x), x, y);
}

/// log(x) on f64: x = m 2^e with m in [sqrt(1/2), sqrt(2)) (subnormals
/// scaled by 2^54 first), log(m) = 2 atanh(s) with s = (m-1)/(m+1) as an
/// odd series to s^21 (|s| <= 0.172: error below 1e-17); -inf at 0, NaN
/// below, inf and NaN unchanged.
Value logF64(F64Bits &k, Value x) {
  using P = arith::CmpFPredicate;
  Value sub = k.cmpf(P::OLT, x, k.f(2.2250738585072014e-308));
  Value sx = k.sel(sub, k.mul(x, k.f(18014398509481984.0)), x); // 2^54
  Value b = k.bits(sx);
  Value e = arith::SubIOp::create(k.rw, k.loc, k.shr(b, 52), k.i(1023));
  Value m = k.fromBits(k.orI(k.andI(b, k.i(0x000fffffffffffffLL)),
                             k.i(0x3ff0000000000000LL)));
  Value big = k.cmpf(P::OGT, m, k.f(1.4142135623730951));
  m = k.sel(big, k.mul(m, k.f(0.5)), m);
  e = k.sel(big, arith::AddIOp::create(k.rw, k.loc, e, k.i(1)), e);
  e = k.sel(sub, arith::SubIOp::create(k.rw, k.loc, e, k.i(54)), e);
  Type i32 = retype(k.type, k.rw.getI32Type());
  Value ef = arith::SIToFPOp::create(
      k.rw, k.loc, k.type, arith::TruncIOp::create(k.rw, k.loc, i32, e));
  Value s = k.div(k.sub(m, k.f(1.0)), k.add(m, k.f(1.0)));
  Value s2 = k.mul(s, s);
  SmallVector<double> c;
  for (int j = 0; j <= 10; ++j)
    c.push_back(2.0 / (2 * j + 1));
  Value lm = k.mul(s, k.poly(s2, c));
  Value y = k.add(k.mul(ef, k.f(6.93147180369123816490e-01)),
                  k.add(lm, k.mul(ef, k.f(1.90821492927058770002e-10))));
  y = k.sel(k.cmpf(P::OEQ, x, k.f(0.0)),
            k.f(-std::numeric_limits<double>::infinity()), y);
  y = k.sel(k.cmpf(P::OLT, x, k.f(0.0)),
            k.f(std::numeric_limits<double>::quiet_NaN()), y);
  y = k.sel(k.cmpf(P::OEQ, x, k.f(std::numeric_limits<double>::infinity())),
            x, y);
  return k.sel(k.cmpf(P::UNO, x, x), x, y);
}

/// f64 (scalar or vector) `OpTy` through one of the expansions above.
template <typename OpTy, Value (*Expand)(F64Bits &, Value)>
struct ExpandF64 : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rw) const override {
    if (!isF64Like(op.getType()))
      return rw.notifyMatchFailure(op, "only f64 is expanded here");
    F64Bits k{rw, op.getLoc(), op.getType()};
    rw.replaceOp(op, Expand(k, op.getOperand()));
    return success();
  }
};

/// IEEE maximum/minimum on f64 as compare and select: LLVM 22 cannot select
/// llvm.maximum.f64 for Armv7E-M/Armv8-M FPUs (a crash) and calls libm's
/// fmaximum on RV32 with F only. NaN in either operand gives NaN.
template <typename OpTy, arith::CmpFPredicate Pred>
struct ExpandMinMaxF64 : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rw) const override {
    auto ft = llvm::dyn_cast<FloatType>(op.getType());
    if (!ft || !ft.isF64())
      return rw.notifyMatchFailure(op, "only scalar f64 is expanded");
    Location loc = op.getLoc();
    Value a = op.getLhs(), b = op.getRhs();
    // Unordered compare: true when a is NaN, so a NaN a is kept.
    Value pick = arith::CmpFOp::create(rw, loc, Pred, a, b);
    Value r = arith::SelectOp::create(rw, loc, pick, a, b);
    Value bNaN =
        arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::UNO, b, b);
    rw.replaceOpWithNewOp<arith::SelectOp>(op, bNaN, b, r);
    return success();
  }
};

/// Unsigned i64 quotient and remainder by restoring shift-and-subtract (one
/// quotient bit per step), for 32-bit targets whose 64-bit division would be
/// a call to the ABI's helper (__aeabi_uldivmod, __udivdi3). A zero divisor
/// gives all-ones and the dividend, not undefined behaviour.
std::pair<Value, Value> divRemU64(OpBuilder &b, Location loc, Value n, Value d) {
  Type i64 = b.getI64Type();
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  };
  Value lb = arith::ConstantIndexOp::create(b, loc, 0);
  Value ub = arith::ConstantIndexOp::create(b, loc, 64);
  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  // Shifts by constants only: Armv6-M has no inline 64-bit variable shift
  // (it would call __aeabi_llsr). The dividend's bits leave at the top.
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, step, ValueRange{c(0), c(0), n},
      [&](OpBuilder &lb2, Location l, Value, ValueRange args) {
        auto ci = [&](int64_t v) -> Value {
          return arith::ConstantOp::create(lb2, l, lb2.getI64IntegerAttr(v));
        };
        Value rest = args[2];
        Value bit = arith::ShRUIOp::create(lb2, l, rest, ci(63));
        rest = arith::ShLIOp::create(lb2, l, rest, ci(1));
        Value r = arith::OrIOp::create(
            lb2, l, arith::ShLIOp::create(lb2, l, args[1], ci(1)), bit);
        Value fits =
            arith::CmpIOp::create(lb2, l, arith::CmpIPredicate::uge, r, d);
        r = arith::SelectOp::create(lb2, l, fits,
                                    arith::SubIOp::create(lb2, l, r, d), r);
        Value q = arith::OrIOp::create(
            lb2, l, arith::ShLIOp::create(lb2, l, args[0], ci(1)),
            arith::ExtUIOp::create(lb2, l, i64, fits));
        scf::YieldOp::create(lb2, l, ValueRange{q, r, rest});
      });
  return {loop.getResult(0), loop.getResult(1)};
}

/// i64 divsi/divui/remsi/remui through divRemU64 (signed: on magnitudes, the
/// quotient negated when the signs differ, the remainder taking the
/// dividend's sign, as C and LLVM define them).
template <typename OpTy>
struct ExpandDivI64 : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rw) const override {
    if (!op.getType().isInteger(64))
      return rw.notifyMatchFailure(op, "only scalar i64 is expanded");
    constexpr bool isSigned = std::is_same_v<OpTy, arith::DivSIOp> ||
                              std::is_same_v<OpTy, arith::RemSIOp>;
    constexpr bool isRem = std::is_same_v<OpTy, arith::RemSIOp> ||
                           std::is_same_v<OpTy, arith::RemUIOp>;
    Location loc = op.getLoc();
    Value n = op.getLhs(), d = op.getRhs();
    Value zero = arith::ConstantOp::create(rw, loc, rw.getI64IntegerAttr(0));
    Value nNeg, dNeg;
    if (isSigned) {
      auto abs = [&](Value v, Value &neg) {
        neg = arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::slt, v,
                                    zero);
        return arith::SelectOp::create(
                   rw, loc, neg, arith::SubIOp::create(rw, loc, zero, v), v)
            .getResult();
      };
      n = abs(n, nNeg);
      d = abs(d, dNeg);
    }
    auto [q, r] = divRemU64(rw, loc, n, d);
    Value result = isRem ? r : q;
    if (isSigned) {
      Value negate = isRem ? nNeg
                           : arith::XOrIOp::create(rw, loc, nNeg, dNeg)
                                 .getResult();
      result = arith::SelectOp::create(
          rw, loc, negate, arith::SubIOp::create(rw, loc, zero, result),
          result);
    }
    rw.replaceOp(op, result);
    return success();
  }
};

/// sqrt(x) for f32 in i32 arithmetic, for targets without an FPU (where
/// llvm.sqrt becomes a call to libm's sqrtf). Correctly rounded: the digit-
/// by-digit root of the significand, scaled to 25-26 bits, then rounded to
/// nearest even with the remainder as sticky bit. The same algorithm as the
/// C emitter's whittle_sqrtf.
struct ExpandSqrtSoftFloat : OpRewritePattern<math::SqrtOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::SqrtOp op,
                                PatternRewriter &rw) const override {
    auto ft = llvm::dyn_cast<FloatType>(op.getType());
    if (!ft || !ft.isF32())
      return rw.notifyMatchFailure(op, "only scalar f32 is expanded");
    Location loc = op.getLoc();
    Type i32 = rw.getI32Type();
    auto c = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(rw, loc, rw.getI32IntegerAttr(v));
    };
    using P = arith::CmpIPredicate;
    auto cmp = [&](P p, Value a, Value b) -> Value {
      return arith::CmpIOp::create(rw, loc, p, a, b);
    };
    auto sel = [&](Value cond, Value a, Value b) -> Value {
      return arith::SelectOp::create(rw, loc, cond, a, b);
    };
    Value x = op.getOperand();
    Value bits = arith::BitcastOp::create(rw, loc, i32, x);
    Value biased = arith::ShRUIOp::create(rw, loc, bits, c(23));
    Value frac = arith::AndIOp::create(rw, loc, bits, c(0x7fffff));
    // x = m * 2^e with m in [2^23, 2^24). A subnormal's fraction converts
    // exactly to a normal float, which gives its normalized m and e.
    Value asFloat = arith::UIToFPOp::create(rw, loc, rw.getF32Type(), frac);
    Value subBits = arith::BitcastOp::create(rw, loc, i32, asFloat);
    Value isSub = cmp(P::eq, biased, c(0));
    Value exp = sel(isSub,
                    arith::SubIOp::create(
                        rw, loc, arith::ShRUIOp::create(rw, loc, subBits, c(23)),
                        c(299)),
                    arith::SubIOp::create(rw, loc, biased, c(150)));
    Value m = arith::OrIOp::create(
        rw, loc, sel(isSub, arith::AndIOp::create(rw, loc, subBits, c(0x7fffff)),
                     frac),
        c(0x800000));
    // Even exponent: x = m * 2^(2k).
    Value odd = cmp(P::ne, arith::AndIOp::create(rw, loc, exp, c(1)), c(0));
    m = sel(odd, arith::ShLIOp::create(rw, loc, m, c(1)), m);
    exp = sel(odd, arith::SubIOp::create(rw, loc, exp, c(1)), exp);
    Value k = arith::ShRSIOp::create(rw, loc, exp, c(1));
    // root = floor(sqrt(m * 2^26)), two radicand bits per step.
    Value lb = arith::ConstantIndexOp::create(rw, loc, 0);
    Value ub = arith::ConstantIndexOp::create(rw, loc, 26);
    Value step = arith::ConstantIndexOp::create(rw, loc, 1);
    auto loop = scf::ForOp::create(
        rw, loc, lb, ub, step, ValueRange{c(0), c(0)},
        [&](OpBuilder &b, Location l, Value iv, ValueRange args) {
          auto ci = [&](int64_t v) -> Value {
            return arith::ConstantOp::create(b, l, b.getI32IntegerAttr(v));
          };
          Value i = arith::IndexCastOp::create(b, l, i32, iv);
          // Radicand bits 25-2i..24-2i of m (zero past its end).
          Value shift = arith::SubIOp::create(
              b, l, ci(24), arith::ShLIOp::create(b, l, i, ci(1)));
          Value inRange =
              arith::CmpIOp::create(b, l, P::sge, shift, ci(0));
          Value safe = arith::SelectOp::create(b, l, inRange, shift, ci(0));
          Value pair = arith::AndIOp::create(
              b, l, arith::ShRUIOp::create(b, l, m, safe), ci(3));
          pair = arith::SelectOp::create(b, l, inRange, pair, ci(0));
          Value root = args[0], rem = args[1];
          rem = arith::OrIOp::create(
              b, l, arith::ShLIOp::create(b, l, rem, ci(2)), pair);
          Value trial = arith::OrIOp::create(
              b, l, arith::ShLIOp::create(b, l, root, ci(2)), ci(1));
          root = arith::ShLIOp::create(b, l, root, ci(1));
          Value fits = arith::CmpIOp::create(b, l, P::uge, rem, trial);
          rem = arith::SelectOp::create(
              b, l, fits, arith::SubIOp::create(b, l, rem, trial), rem);
          root = arith::SelectOp::create(
              b, l, fits, arith::OrIOp::create(b, l, root, ci(1)), root);
          scf::YieldOp::create(b, l, ValueRange{root, rem});
        });
    Value root = loop.getResult(0), rem = loop.getResult(1);
    // Keep 24 of the root's 25 or 26 bits, rounding to nearest even.
    Value d = sel(cmp(P::uge, root, c(1 << 25)), c(2), c(1));
    Value q = arith::ShRUIOp::create(rw, loc, root, d);
    Value mask =
        arith::SubIOp::create(rw, loc, arith::ShLIOp::create(rw, loc, c(1), d),
                              c(1));
    Value dropped = arith::AndIOp::create(rw, loc, root, mask);
    Value half = arith::ShLIOp::create(
        rw, loc, c(1), arith::SubIOp::create(rw, loc, d, c(1)));
    Value tie = arith::AndIOp::create(
        rw, loc, cmp(P::eq, dropped, half),
        arith::OrIOp::create(rw, loc, cmp(P::ne, rem, c(0)),
                             cmp(P::ne, arith::AndIOp::create(rw, loc, q, c(1)),
                                 c(0))));
    Value up = arith::OrIOp::create(rw, loc, cmp(P::ugt, dropped, half), tie);
    q = sel(up, arith::AddIOp::create(rw, loc, q, c(1)), q);
    Value carry = cmp(P::eq, q, c(1 << 24));
    q = sel(carry, arith::ShRUIOp::create(rw, loc, q, c(1)), q);
    d = sel(carry, arith::AddIOp::create(rw, loc, d, c(1)), d);
    Value e = arith::AddIOp::create(
        rw, loc, arith::AddIOp::create(rw, loc, k, d), c(137));
    Value result = arith::OrIOp::create(
        rw, loc, arith::ShLIOp::create(rw, loc, e, c(23)),
        arith::AndIOp::create(rw, loc, q, c(0x7fffff)));
    Value root32 = arith::BitcastOp::create(rw, loc, rw.getF32Type(), result);
    // NaN, +-0 and +inf are their own roots; negative numbers give NaN.
    Value same = arith::OrIOp::create(
        rw, loc,
        arith::OrIOp::create(rw, loc,
                             cmp(P::ugt, arith::AndIOp::create(
                                             rw, loc, bits, c(0x7fffffff)),
                                 c(0x7f800000)),
                             cmp(P::eq, arith::AndIOp::create(
                                            rw, loc, bits, c(0x7fffffff)),
                                 c(0))),
        cmp(P::eq, bits, c(0x7f800000)));
    Value nan = arith::ConstantOp::create(
        rw, loc, rw.getF32FloatAttr(std::numeric_limits<float>::quiet_NaN()));
    Value negative = cmp(P::slt, bits, c(0));
    rw.replaceOp(op, sel(same, x, sel(negative, nan, root32)));
    return success();
  }
};

struct ExpandMathPass : whittle::impl::ExpandMathPassBase<ExpandMathPass> {
  using ExpandMathPassBase::ExpandMathPassBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    if (divideI64)
      patterns.add<ExpandDivI64<arith::DivSIOp>, ExpandDivI64<arith::DivUIOp>,
                   ExpandDivI64<arith::RemSIOp>, ExpandDivI64<arith::RemUIOp>>(
          &getContext(), /*benefit=*/3);
    if (softFloat) {
      patterns.add<ExpandSqrtSoftFloat>(&getContext(), /*benefit=*/3);
      arith::populateArithExpandOpsPatterns(patterns);
    }
    if (nativeRounding) {
      // Upstream's expansions but ceil and roundeven (kept, with floor, for
      // the target's rounding instruction; f64 ones too).
      math::populateExpansionPatterns(
          patterns, {"ctlz", "tan", "tanh", "sinh", "cosh", "asinh", "acosh",
                     "atanh", "fma", "exp2", "powf", "fpowi", "round", "rsqrt",
                     "clampf"});
    } else {
      math::populateExpansionPatterns(patterns);
      patterns.add<ExpandFloor, ExpandRoundingF32<math::CeilOp>,
                   ExpandRoundingF32<math::RoundEvenOp>>(&getContext(),
                                                         /*benefit=*/2);
    }
    if (!nativeRounding)
      patterns.add<ExpandF64<math::FloorOp, floorF64>>(&getContext(),
                                                      /*benefit=*/2);
    patterns.add<ExpandF64<math::ExpOp, expF64>, ExpandF64<math::LogOp, logF64>>(
        &getContext(), /*benefit=*/2);
    whittle::populateHalfConversionExpansionPatterns(patterns);
    populateMathF32ExpansionPatterns(patterns, [](StringRef) { return true; });
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef) { return true; });
    patterns.add<ExpandFma,
                 ExpandMinMaxF64<arith::MaximumFOp, arith::CmpFPredicate::UGT>,
                 ExpandMinMaxF64<arith::MinimumFOp, arith::CmpFPredicate::ULT>>(
        &getContext(), /*benefit=*/2);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
