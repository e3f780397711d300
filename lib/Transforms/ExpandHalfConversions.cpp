//===- ExpandHalfConversions.cpp - f16/bf16 conversions in integers ------===//
//
// Part of whittle. Converting to or from f16 and bf16 is a compiler-rt call
// (__extendhfsf2, __truncsfhf2, __truncdfhf2, __truncsfbf2) on targets
// without conversion instructions, and C99 has no half type: both would
// break the generated code's self-containment. These patterns rewrite the
// conversions into integer operations on the bit patterns, rounding to
// nearest even with NaN and infinity preserved, for scalars and vectors.
//
//===----------------------------------------------------------------------===//

#include "ExpandHalfConversions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace {

bool isHalf(Type t) {
  Type e = getElementTypeOrSelf(t);
  return e.isF16() || e.isBF16();
}

/// Builds scalar-or-vector integer code shaped like a given value.
struct Bits {
  OpBuilder &b;
  Location loc;
  Type like; ///< a scalar type or a vector type: the shape to follow

  Type of(Type elem) {
    if (auto vt = llvm::dyn_cast<VectorType>(like))
      return vt.clone(elem);
    return elem;
  }
  Value c(Type elem, int64_t v) {
    TypedAttr attr = b.getIntegerAttr(elem, v);
    if (auto vt = llvm::dyn_cast<VectorType>(like))
      return arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(vt.clone(elem), attr));
    return arith::ConstantOp::create(b, loc, attr);
  }
  Value fc(Type elem, double v) {
    TypedAttr attr = b.getFloatAttr(elem, v);
    if (auto vt = llvm::dyn_cast<VectorType>(like))
      return arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(vt.clone(elem), attr));
    return arith::ConstantOp::create(b, loc, attr);
  }
  Value cast(Type elem, Value v) {
    return arith::BitcastOp::create(b, loc, of(elem), v);
  }
  Value andI(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value orI(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value xorI(Value x, Value y) { return arith::XOrIOp::create(b, loc, x, y); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value shl(Value x, Value y) { return arith::ShLIOp::create(b, loc, x, y); }
  Value shr(Value x, Value y) { return arith::ShRUIOp::create(b, loc, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value sel(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
};

/// f16/bf16 -> f32 (then to f64 if asked): exact.
struct ExpandExtFromHalf : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::ExtFOp op,
                                PatternRewriter &rw) const override {
    if (!isHalf(op.getIn().getType()))
      return failure();
    Bits k{rw, op.getLoc(), op.getIn().getType()};
    Type i16 = rw.getI16Type(), i32 = rw.getI32Type(), f32 = rw.getF32Type();
    Value u = arith::ExtUIOp::create(rw, op.getLoc(), k.of(i32),
                                     k.cast(i16, op.getIn()));
    Value bits;
    if (getElementTypeOrSelf(op.getIn().getType()).isBF16()) {
      bits = k.shl(u, k.c(i32, 16));
    } else {
      using P = arith::CmpIPredicate;
      Value sign = k.shl(k.andI(u, k.c(i32, 0x8000)), k.c(i32, 16));
      Value exp = k.andI(k.shr(u, k.c(i32, 10)), k.c(i32, 0x1f));
      Value mant = k.andI(u, k.c(i32, 0x3ff));
      Value mant13 = k.shl(mant, k.c(i32, 13));
      Value normal = k.orI(sign, k.orI(k.shl(k.add(exp, k.c(i32, 112)),
                                             k.c(i32, 23)),
                                       mant13));
      Value special = k.orI(sign, k.orI(k.c(i32, 0x7f800000), mant13));
      // Subnormals and zero: mant x 2^-24, exact in f32.
      Value tiny = arith::MulFOp::create(
          rw, op.getLoc(),
          arith::SIToFPOp::create(rw, op.getLoc(), k.of(f32), mant),
          k.fc(f32, 0x1p-24));
      Value sub = k.orI(k.cast(i32, tiny), sign);
      bits = k.sel(k.cmp(P::eq, exp, k.c(i32, 0)), sub,
                   k.sel(k.cmp(P::eq, exp, k.c(i32, 0x1f)), special, normal));
    }
    Value f = k.cast(f32, bits);
    if (getElementTypeOrSelf(op.getType()).isF32())
      rw.replaceOp(op, f);
    else
      rw.replaceOpWithNewOp<arith::ExtFOp>(op, op.getType(), f);
    return success();
  }
};

/// f32/f64 -> f16/bf16, rounding to nearest even.
struct ExpandTruncToHalf : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &rw) const override {
    if (!isHalf(op.getType()))
      return failure();
    Type src = getElementTypeOrSelf(op.getIn().getType());
    bool toBF16 = getElementTypeOrSelf(op.getType()).isBF16();
    if (!src.isF32() && !src.isF64())
      return failure();
    Bits k{rw, op.getLoc(), op.getIn().getType()};
    Value in = op.getIn();
    Type i16 = rw.getI16Type();
    Value half;
    if (toBF16) {
      // Through f32 (f64 sources round twice; bf16 from f64 is rare).
      if (src.isF64())
        in = arith::TruncFOp::create(rw, op.getLoc(), k.of(rw.getF32Type()),
                                     in);
      half = bf16Bits(k, in);
    } else {
      half = f16Bits(k, in, src.isF64());
    }
    rw.replaceOp(op, k.cast(getElementTypeOrSelf(op.getType()),
                            arith::TruncIOp::create(rw, op.getLoc(), k.of(i16),
                                                    half)));
    return success();
  }

  /// The upper 16 bits of an f32, rounded to nearest even; NaNs stay quiet
  /// NaNs. Returns i32.
  static Value bf16Bits(Bits &k, Value x) {
    Type i32 = k.b.getI32Type();
    Value bits = k.cast(i32, x);
    Value nan = k.cmp(arith::CmpIPredicate::ugt,
                      k.andI(bits, k.c(i32, 0x7fffffff)),
                      k.c(i32, 0x7f800000));
    Value lsb = k.andI(k.shr(bits, k.c(i32, 16)), k.c(i32, 1));
    Value rounded =
        k.shr(k.add(bits, k.add(k.c(i32, 0x7fff), lsb)), k.c(i32, 16));
    Value quiet = k.orI(k.shr(bits, k.c(i32, 16)), k.c(i32, 0x40));
    return k.sel(nan, quiet, rounded);
  }

  /// IEEE half bits of an f32 or f64 (in the source's integer width):
  /// overflow to infinity, NaN to a quiet NaN, subnormals rounded by adding
  /// a magic number whose ulp is the half subnormal step (2^-24).
  static Value f16Bits(Bits &k, Value x, bool fromF64) {
    using P = arith::CmpIPredicate;
    Type it = fromF64 ? k.b.getI64Type() : k.b.getI32Type();
    Type ft = fromF64 ? k.b.getF64Type() : k.b.getF32Type();
    int64_t mantBits = fromF64 ? 52 : 23, bias = fromF64 ? 1023 : 127;
    int64_t drop = mantBits - 10; // mantissa bits that do not fit
    int64_t signMask = fromF64 ? INT64_MIN : (int64_t)0x80000000;
    int64_t infinity = (fromF64 ? 0x7ffLL : 0xffLL) << mantBits;
    int64_t overflow = (bias + 16) << mantBits;   // 65536
    int64_t minNormal = (bias - 14) << mantBits;  // 2^-14
    int64_t magic = ((bias - 15) + drop + 1) << mantBits;
    Value bits = k.cast(it, x);
    Value sign = k.andI(bits, k.c(it, signMask));
    Value mag = k.xorI(bits, sign);
    Value special = k.sel(k.cmp(P::ugt, mag, k.c(it, infinity)),
                          k.c(it, 0x7e00), k.c(it, 0x7c00));
    Value sum = arith::AddFOp::create(k.b, k.loc, k.cast(ft, mag),
                                      k.cast(ft, k.c(it, magic)));
    Value subnormal = k.sub(k.cast(it, sum), k.c(it, magic));
    Value odd = k.andI(k.shr(mag, k.c(it, drop)), k.c(it, 1));
    Value normal = k.shr(
        k.add(k.add(mag, k.c(it, -((bias - 15) << mantBits) +
                                     ((int64_t(1) << (drop - 1)) - 1))),
              odd),
        k.c(it, drop));
    Value h = k.sel(k.cmp(P::uge, mag, k.c(it, overflow)), special,
                    k.sel(k.cmp(P::ult, mag, k.c(it, minNormal)), subnormal,
                          normal));
    int64_t signShift = fromF64 ? 48 : 16;
    return k.orI(h, k.shr(sign, k.c(it, signShift)));
  }
};

} // namespace

void whittle::populateHalfConversionExpansionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ExpandExtFromHalf, ExpandTruncToHalf>(patterns.getContext(),
                                                     /*benefit=*/2);
}
