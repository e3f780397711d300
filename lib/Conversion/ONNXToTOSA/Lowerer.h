//===- Lowerer.h - Shared state of the onnx-to-TOSA lowering ----*- C++ -*-===//
//
// Part of whittle. Private to lib/Conversion/ONNXToTOSA: the builder helpers
// and the layout/convolution pieces that the float lowering (ONNXToTOSA.cpp)
// and the integer lowering (QuantToTOSA.cpp) share.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_LIB_CONVERSION_ONNXTOTOSA_LOWERER_H
#define WHITTLE_LIB_CONVERSION_ONNXTOTOSA_LOWERER_H

#include "whittle/Dialect/ONNX/IR/ONNXOps.h"
#include "whittle/Dialect/ONNX/IR/ONNXShapes.h"
#include "whittle/Transforms/RuntimeStatus.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace whittle::lowering {

using namespace mlir;

/// Builder state shared by the lowering functions.
struct Lowerer {
  IRRewriter &rw;
  Location loc;
  /// The op read (wrote) unsigned integers: the lowering sees their signless
  /// view and picks unsigned arithmetic (see ConvertONNXToTOSAPass).
  bool unsignedIn = false, unsignedOut = false;
  uint64_t unsignedOperands = 0; ///< bit i: operand i was unsigned

  RankedTensorType tensorType(ArrayRef<int64_t> shape, Type elt) {
    return RankedTensorType::get(shape, elt);
  }
  static RankedTensorType typeOf(Value v) {
    return llvm::cast<RankedTensorType>(v.getType());
  }

  Value shapeValue(ArrayRef<int64_t> shape) {
    ImplicitLocOpBuilder b(loc, rw);
    return tosa::getTosaConstShape(b, shape);
  }

  Value reshape(Value v, ArrayRef<int64_t> shape) {
    auto t = typeOf(v);
    if (t.getShape() == shape)
      return v;
    return tosa::ReshapeOp::create(
        rw, loc, tensorType(shape, t.getElementType()), v,
        shapeValue(shape));
  }

  Value transpose(Value v, ArrayRef<int32_t> perms) {
    auto t = typeOf(v);
    SmallVector<int64_t> shape;
    for (int32_t p : perms)
      shape.push_back(t.getDimSize(p));
    return tosa::TransposeOp::create(rw, loc,
                                     tensorType(shape, t.getElementType()), v,
                                     rw.getDenseI32ArrayAttr(perms));
  }

  Value slice(Value v, ArrayRef<int64_t> start, ArrayRef<int64_t> size) {
    auto t = typeOf(v);
    return tosa::SliceOp::create(rw, loc, tensorType(size, t.getElementType()),
                                 v, shapeValue(start),
                                 shapeValue(size));
  }

  Value constant(RankedTensorType type, ArrayRef<float> values) {
    auto attr = DenseElementsAttr::get(type, values);
    return tosa::ConstOp::create(rw, loc, type, attr);
  }

  Value splat(Type elt, ArrayRef<int64_t> shape, double value) {
    auto type = tensorType(shape, elt);
    Attribute v = llvm::isa<FloatType>(elt)
                      ? (Attribute)rw.getFloatAttr(elt, value)
                      : (Attribute)rw.getIntegerAttr(elt, (int64_t)value);
    return tosa::ConstOp::create(rw, loc, type,
                                 DenseElementsAttr::get(type, v));
  }

  /// Reshapes the lower-rank operand so both have equal rank (TOSA
  /// broadcasting requires equal ranks).
  std::pair<Value, Value> equalizeRanks(Value a, Value b) {
    auto ta = typeOf(a), tb = typeOf(b);
    auto lift = [&](Value v, RankedTensorType t, int64_t rank) {
      SmallVector<int64_t> shape(rank - t.getRank(), 1);
      shape.append(t.getShape().begin(), t.getShape().end());
      return reshape(v, shape);
    };
    if (ta.getRank() < tb.getRank())
      a = lift(a, ta, tb.getRank());
    else if (tb.getRank() < ta.getRank())
      b = lift(b, tb, ta.getRank());
    return {a, b};
  }

  Value mul(Type resultType, Value a, Value b) {
    auto [x, y] = equalizeRanks(a, b);
    auto shift = tosa::ConstOp::create(
        rw, loc, tensorType({1}, rw.getI8Type()),
        DenseElementsAttr::get(tensorType({1}, rw.getI8Type()),
                               rw.getI8IntegerAttr(0)));
    return tosa::MulOp::create(rw, loc, resultType, x, y, shift);
  }

  template <typename OpTy> Value binary(Type resultType, Value a, Value b) {
    auto [x, y] = equalizeRanks(a, b);
    return OpTy::create(rw, loc, resultType, x, y);
  }

  /// Elementwise op on tensors through linalg.generic, for what TOSA lacks
  /// (sqrt, exact float division). Operands are broadcast numpy-style.
  Value linalgElementwise(
      RankedTensorType resultType, ValueRange operands,
      function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
    int64_t rank = resultType.getRank();
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (Value v : operands) {
      auto t = typeOf(v);
      SmallVector<int64_t> shape(rank - t.getRank(), 1);
      shape.append(t.getShape().begin(), t.getShape().end());
      inputs.push_back(reshape(v, shape));
      SmallVector<AffineExpr> exprs;
      for (int64_t i = 0; i < rank; ++i)
        exprs.push_back(shape[i] == 1 && resultType.getDimSize(i) != 1
                            ? rw.getAffineConstantExpr(0)
                            : rw.getAffineDimExpr(i));
      maps.push_back(AffineMap::get(rank, 0, exprs, rw.getContext()));
    }
    maps.push_back(rw.getMultiDimIdentityMap(rank));
    Value init = tensor::EmptyOp::create(rw, loc, resultType.getShape(),
                                         resultType.getElementType());
    SmallVector<utils::IteratorType> iters(rank,
                                           utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rw, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value r = body(b, l, args.drop_back());
          linalg::YieldOp::create(b, l, r);
        });
    return generic.getResult(0);
  }
};

inline constexpr int32_t kToNHWC[] = {0, 2, 3, 1};
inline constexpr int32_t kToNCHW[] = {0, 3, 1, 2};

/// Shared NCHW->NHWC handling for 1-D and 2-D windows: returns the NHWC input
/// (1-D lifted to H=1, unread rows cropped) and the TOSA pad array.
Value prepareWindowInput(Lowerer &l, Value x, const onnx::WindowGeometry &g,
                         SmallVector<int64_t> &tosaPad,
                         SmallVector<int64_t> &kernel,
                         SmallVector<int64_t> &stride,
                         SmallVector<int64_t> &dilation);

/// NHWC result back to the op's NCHW (or NCW) result type.
Value finishWindowOutput(Lowerer &l, Value y, RankedTensorType resultType);

/// Window geometry of a Conv-like op (1-D or 2-D unless `anyRank`), or one
/// error naming it.
template <typename ConvLike>
FailureOr<onnx::WindowGeometry> convGeometry(ConvLike op,
                                             bool anyRank = false) {
  auto xt = Lowerer::typeOf(op.getX()), wt = Lowerer::typeOf(op.getW());
  if (!anyRank && xt.getRank() != 3 && xt.getRank() != 4)
    return op.emitError(op->getName().stripDialect())
           << " with " << xt.getRank() - 2
           << " spatial dimensions is not supported yet";
  std::string err;
  auto g = onnx::computeWindowGeometry(
      xt.getShape().drop_front(2), wt.getShape().drop_front(2),
      op.getStridesAttr(), op.getDilationsAttr(), op.getPadsAttr(),
      op.getAutoPad(), false, err);
  if (!g)
    return op.emitError(err);
  return *g;
}

/// The operands of a convolution in either arithmetic: f32 (accumulating in
/// f32) or int8 (accumulating in i32, with zero points).
struct ConvOperands {
  Value x;               ///< NCHW or NCW input, element type `elt`
  Value w;               ///< OIHW weights (used when not constant)
  std::optional<SmallVector<float>> wFloat; ///< constant f32 weights
  std::optional<SmallVector<int64_t>> wInt; ///< constant int8 weights
  Value bias;            ///< [M] of `acc` type; null: zeros
  Type elt, acc;
  Type wElt;             ///< weights' element type; null: `elt`
  int64_t xZp = 0, wZp = 0;
};

/// Convolution (regular, grouped or depthwise) of `c` with geometry `g`;
/// returns the NHWC result [N, OH, OW, M] in the accumulator type.
FailureOr<Value> lowerConvNHWC(Lowerer &l, const ConvOperands &c,
                               const onnx::WindowGeometry &g, int64_t group,
                               int64_t m, RankedTensorType resultType);

/// numpy matmul of aV and bV (batch dimensions equal, or B without batch),
/// accumulating in `acc` with the given zero points; reshaped to
/// `resultShape`. int32 operands (zero points already subtracted, so 0
/// here) go through linalg.batch_matmul.
FailureOr<Value> lowerMatMulND(Lowerer &l, Operation *op, Value aV, Value bV,
                               Type acc, int64_t aZp, int64_t bZp,
                               ArrayRef<int64_t> resultShape);

/// Conversion of one scalar between ONNX element types (Cast semantics);
/// integers are signless, the flags say which side is unsigned.
Value convertScalar(OpBuilder &b, Location loc, Value x, Type to,
                    bool fromUnsigned = false, bool toUnsigned = false);

/// Lowers the quantization ops (QuantizeLinear, QLinearConv, ...);
/// std::nullopt for any other op.
std::optional<FailureOr<Value>> lowerQuantOp(Lowerer &l, Operation *op);

/// DynamicQuantizeLinear (in onnx-signed-quant's int8 view): y, y_scale,
/// y_zero_point.
FailureOr<SmallVector<Value>>
lowerDynamicQuantizeLinear(Lowerer &l, onnx::DynamicQuantizeLinearOp op);

/// A linalg.generic producing `rt` whose body also sees the loop indices;
/// `inputs` are read through `inputMaps`.
Value indexedGeneric(
    Lowerer &l, RankedTensorType rt, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange, ArrayRef<Value>)>
        body);

/// An `index` constant.
Value cidx(OpBuilder &b, Location loc, int64_t v);

/// An index read from a tensor, made non-negative (ONNX negative indices
/// count from the end) and clamped into [0, dim).
Value normalizeIndex(OpBuilder &b, Location loc, Value idx, int64_t dim);

/// Unless `v` is a compile-time constant, a run-time check that `pred` holds
/// for every element of `v`, reported as `status` by NAME_run.
void addRuntimeCheck(Lowerer &l, Value v, whittle::RuntimeStatus status,
                     StringRef what,
                     function_ref<Value(OpBuilder &, Location, Value)> pred);

/// A run-time check that the i1 `flag` holds, reported as `status`.
void addRuntimeAssert(Lowerer &l, Value flag, whittle::RuntimeStatus status,
                      StringRef what);

/// Checks that the integers of `v` lie in [lo, hi].
void checkInRange(Lowerer &l, Value v, int64_t lo, int64_t hi,
                  whittle::RuntimeStatus status, StringRef what);

/// Checks that indices read from an input lie in [-dim, dim).
void checkIndices(Lowerer &l, Value indices, int64_t dim);

/// `axis` made non-negative, or an error if it is outside [-rank, rank).
FailureOr<int64_t> normAxis(Operation *op, int64_t axis, int64_t rank);

/// Slice with starts, ends, axes or steps read at run time (checked to give
/// the static result shape).
FailureOr<Value> lowerRuntimeSlice(Lowerer &l, onnx::SliceOp op);

/// Max or average pooling over any number of spatial dimensions (dilated
/// too) as one linalg.generic over the NC... input; failure (no message)
/// for an average of integers.
FailureOr<Value> lowerPoolND(Lowerer &l, Value x, const onnx::WindowGeometry &g,
                             RankedTensorType rt, bool isMax,
                             bool countIncludePad);

/// ConvTranspose over any number of spatial dimensions, grouped and
/// dilated, as one linalg.generic over the output: y[o] sums x[i] * w[k]
/// over the taps with i * stride = o + begin - k * dilation.
FailureOr<Value> lowerConvTransposeND(Lowerer &l, Value x, Value w, Value bias,
                                      ArrayRef<int64_t> begin,
                                      ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> dilations,
                                      int64_t group, RankedTensorType rt);

/// MaxPool that also returns each maximum's flat input index (Y, Indices),
/// as one linalg.generic with two results.
FailureOr<SmallVector<Value>> lowerMaxPoolWithIndices(Lowerer &l,
                                                      onnx::MaxPoolOp op);

/// Grouped, dilated convolution over any number of spatial dimensions as
/// one linalg.generic (x [N, C, ...], w [M, C/group, k...], bias [M]).
FailureOr<Value> lowerConvND(Lowerer &l, Value x, Value w, Value bias,
                             const onnx::WindowGeometry &g, int64_t group,
                             RankedTensorType rt);

/// Scalar helpers for generic bodies.
struct ScalarBuilder {
  OpBuilder &b;
  Location loc;

  Value i64(int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  }
  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr((float)v));
  }
  Value idx(int64_t v) { return cidx(b, loc, v); }
  Value toI64(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  }
  Value toIndex(Value i) {
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
  }
  Value toF32(Value v) {
    Type t = v.getType();
    if (t.isF32())
      return v;
    if (t.isIndex())
      v = toI64(v);
    if (auto f = llvm::dyn_cast<FloatType>(v.getType()))
      return f.getWidth() < 32
                 ? (Value)arith::ExtFOp::create(b, loc, b.getF32Type(), v)
                 : (Value)arith::TruncFOp::create(b, loc, b.getF32Type(), v);
    return arith::SIToFPOp::create(b, loc, b.getF32Type(), v);
  }
  Value cmpI(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value cmpF(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value andI(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value orI(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value xorI(Value x, Value y) { return arith::XOrIOp::create(b, loc, x, y); }
  Value constBool(bool v) {
    return arith::ConstantOp::create(b, loc, b.getBoolAttr(v));
  }
  Value addI(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value subI(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mulI(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value addF(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value subF(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mulF(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value divF(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  /// An index clamped into [0, n).
  Value clampIndex(Value i, int64_t n) {
    i = arith::MaxSIOp::create(b, loc, i, idx(0));
    return arith::MinSIOp::create(b, loc, i, idx(n - 1));
  }
  /// Scalar `v` converted to `to` (both int or both float).
  Value convert(Value v, Type to) { return convertScalar(b, loc, v, to); }
};

/// A tensor of `rt` filled with zero.
Value zeros(Lowerer &l, RankedTensorType rt);

/// TopK's values and indices.
FailureOr<SmallVector<Value>> lowerTopK(Lowerer &l, onnx::TopKOp op);

/// Lowers the data-addressed ops (GatherND, ScatterElements, ScatterND,
/// OneHot, Range, CumSum, Einsum, Resize); std::nullopt for any other op.
std::optional<FailureOr<Value>> lowerIndexingOp(Lowerer &l, Operation *op);

/// Lowers the ops whose results are selected by the data (NonZero,
/// Compress, Unique, NonMaxSuppression) and RoiAlign and TfIdfVectorizer
/// (their present results, in order); std::nullopt for any other op.
std::optional<FailureOr<SmallVector<Value>>> lowerSelectionOp(Lowerer &l,
                                                              Operation *op);

/// Lowers RNN, GRU and LSTM (their present results, in order);
/// std::nullopt for any other op.
std::optional<FailureOr<SmallVector<Value>>> lowerRecurrentOp(Lowerer &l,
                                                              Operation *op);

/// Lowers the optimizer steps Adagrad, Momentum and Adam (their results,
/// in order); std::nullopt for any other op.
std::optional<SmallVector<Value>> lowerOptimizerOp(Lowerer &l, Operation *op);

} // namespace whittle::lowering

#endif // WHITTLE_LIB_CONVERSION_ONNXTOTOSA_LOWERER_H
