//===- SinkTransposes.cpp - move layout transposes down the graph ---------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace whittle {
#define GEN_PASS_DEF_SINKTRANSPOSESPASS
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace {

/// How one data operand of a rewritten op is obtained in the untransposed
/// layout.
enum class Source { Transposed, Constant, Ones };

/// Checks that every data operand (ranked, of the result's rank) is a
/// transpose with `perms`, a constant, or an all-ones broadcast; fills
/// `perms` from the first transpose. Returns the number of operand
/// transposes that die (this op is their only user).
static FailureOr<int> classify(Operation *op, ArrayRef<unsigned> dataOperands,
                               SmallVectorImpl<int32_t> &perms,
                               SmallVectorImpl<Source> &sources) {
  int dying = 0;
  bool any = false;
  for (unsigned i : dataOperands) {
    Value v = op->getOperand(i);
    auto t = v.getDefiningOp<tosa::TransposeOp>();
    if (t) {
      ArrayRef<int32_t> p = t.getPerms();
      if (!any) {
        perms.assign(p.begin(), p.end());
        any = true;
      } else if (ArrayRef<int32_t>(perms) != p) {
        return failure();
      }
      sources.push_back(Source::Transposed);
      if (v.hasOneUse())
        ++dying;
      continue;
    }
    auto type = llvm::cast<RankedTensorType>(v.getType());
    if (llvm::all_of(type.getShape(), [](int64_t d) { return d == 1; }))
      sources.push_back(Source::Ones);
    else if (matchPattern(v, m_Constant()))
      sources.push_back(Source::Constant);
    else
      return failure();
  }
  if (!any || dying == 0)
    return failure();
  return dying;
}

static SmallVector<int32_t> inverse(ArrayRef<int32_t> perms) {
  SmallVector<int32_t> inv(perms.size());
  for (size_t i = 0; i < perms.size(); ++i)
    inv[perms[i]] = i;
  return inv;
}

/// Shape `s` seen through the inverse of `perms`: the untransposed shape u
/// with u[perms[i]] = s[i].
static RankedTensorType untransposed(RankedTensorType t,
                                     ArrayRef<int32_t> perms) {
  SmallVector<int64_t> shape(t.getRank());
  for (size_t i = 0; i < perms.size(); ++i)
    shape[perms[i]] = t.getDimSize(i);
  return t.clone(shape);
}

/// Operand `v` in the untransposed layout.
static Value untransposedOperand(PatternRewriter &rw, Location loc, Value v,
                                 Source source, ArrayRef<int32_t> perms) {
  switch (source) {
  case Source::Transposed:
    return v.getDefiningOp<tosa::TransposeOp>().getInput1();
  case Source::Ones:
    return v;
  case Source::Constant: {
    auto type = llvm::cast<RankedTensorType>(v.getType());
    // Folded away at compile time by constant folding.
    return tosa::TransposeOp::create(rw, loc, untransposed(type, perms), v,
                                     rw.getDenseI32ArrayAttr(inverse(perms)));
  }
  }
  llvm_unreachable("unknown source");
}

struct SinkThroughElementwise : public RewritePattern {
  SinkThroughElementwise(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rw) const override {
    // A rescale is elementwise unless its multipliers are per channel
    // (along the last dimension, which a transpose moves).
    auto rescale = llvm::dyn_cast<tosa::RescaleOp>(op);
    bool elementwise =
        op->hasTrait<OpTrait::tosa::TosaElementwiseOperator>() ||
        llvm::isa<tosa::MulOp, tosa::CastOp, tosa::ConcatOp>(op) ||
        (rescale && !rescale.getPerChannel());
    if (!elementwise || op->getNumResults() != 1 || op->getNumRegions())
      return rw.notifyMatchFailure(op, "not elementwise or concat");
    auto resultType = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!resultType || resultType.getRank() < 2)
      return rw.notifyMatchFailure(op, "rank below 2");
    // Data operands: those of the result's rank (not shifts, zero points).
    SmallVector<unsigned> data;
    for (OpOperand &o : op->getOpOperands()) {
      auto t = llvm::dyn_cast<RankedTensorType>(o.get().getType());
      if (t && t.getRank() == resultType.getRank())
        data.push_back(o.getOperandNumber());
    }
    SmallVector<int32_t> perms;
    SmallVector<Source> sources;
    if (failed(classify(op, data, perms, sources)))
      return rw.notifyMatchFailure(op, "operands not uniformly transposed");

    Location loc = op->getLoc();
    SmallVector<Value> operands(op->getOperands());
    for (size_t k = 0; k < data.size(); ++k)
      operands[data[k]] =
          untransposedOperand(rw, loc, operands[data[k]], sources[k], perms);
    OperationState state(loc, op->getName());
    state.addOperands(operands);
    state.addTypes(untransposed(resultType, perms));
    state.addAttributes(op->getAttrs());
    if (auto concat = llvm::dyn_cast<tosa::ConcatOp>(op))
      state.attributes.set("axis",
                           rw.getI32IntegerAttr(perms[concat.getAxis()]));
    Operation *moved = rw.create(state);
    rw.replaceOpWithNewOp<tosa::TransposeOp>(
        op, resultType, moved->getResult(0), rw.getDenseI32ArrayAttr(perms));
    return success();
  }
};

/// slice(transpose(x)) -> transpose(slice'(x)): the slice runs in the
/// untransposed layout, with its start and size permuted.
struct SinkThroughSlice : public OpRewritePattern<tosa::SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::SliceOp op,
                                PatternRewriter &rw) const override {
    auto t = op.getInput1().getDefiningOp<tosa::TransposeOp>();
    if (!t || !t->hasOneUse())
      return rw.notifyMatchFailure(op, "input is not a dying transpose");
    SmallVector<int64_t> start, size;
    if (!tosa::getConstShapeValues(op.getStart().getDefiningOp(), start) ||
        !tosa::getConstShapeValues(op.getSize().getDefiningOp(), size))
      return rw.notifyMatchFailure(op, "start or size not constant");
    ArrayRef<int32_t> perms = t.getPerms();
    SmallVector<int64_t> start2(start.size()), size2(size.size());
    for (size_t i = 0; i < perms.size(); ++i) {
      start2[perms[i]] = start[i];
      size2[perms[i]] = size[i];
    }
    Location loc = op.getLoc();
    auto resultType = llvm::cast<RankedTensorType>(op.getType());
    auto moved = tosa::SliceOp::create(
        rw, loc, untransposed(resultType, perms), t.getInput1(),
        tosa::getTosaConstShape(rw, loc, start2),
        tosa::getTosaConstShape(rw, loc, size2));
    rw.replaceOpWithNewOp<tosa::TransposeOp>(op, resultType, moved,
                                             t.getPermsAttr());
    return success();
  }
};

/// reduce(transpose(x), axis a) -> transpose(reduce(x, perms[a])).
template <typename ReduceOp>
struct SinkThroughReduce : public OpRewritePattern<ReduceOp> {
  using OpRewritePattern<ReduceOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceOp op,
                                PatternRewriter &rw) const override {
    auto t = op.getInput().template getDefiningOp<tosa::TransposeOp>();
    if (!t || !t->hasOneUse())
      return rw.notifyMatchFailure(op, "input is not a dying transpose");
    ArrayRef<int32_t> perms = t.getPerms();
    auto resultType = llvm::cast<RankedTensorType>(op.getType());
    // Cloned so that op-specific attributes (nan_mode) carry over.
    auto moved = llvm::cast<ReduceOp>(rw.clone(*op));
    rw.modifyOpInPlace(moved, [&] {
      moved.getInputMutable().assign(t.getInput1());
      moved.setAxis(perms[op.getAxis()]);
      moved.getResult().setType(untransposed(resultType, perms));
    });
    rw.replaceOpWithNewOp<tosa::TransposeOp>(op, resultType, moved,
                                             t.getPermsAttr());
    return success();
  }
};

/// generic(transpose(x), ...) -> transpose(generic'(x, ...)) for an
/// elementwise linalg.generic on tensors (what TOSA cannot express, such
/// as QuantizeLinear's exact division): all loops parallel, an empty
/// init, and every operand of the result's rank, indexed by the identity
/// or broadcast along its unit dimensions.
struct SinkThroughGeneric : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rw) const override {
    if (op.getNumResults() != 1 || op.getNumDpsInits() != 1 ||
        op.getNumParallelLoops() != op.getNumLoops() ||
        !op.hasPureTensorSemantics())
      return rw.notifyMatchFailure(op, "not an elementwise generic");
    auto resultType = llvm::dyn_cast<RankedTensorType>(op.getType(0));
    if (!resultType || resultType.getRank() < 2 ||
        !resultType.hasStaticShape() ||
        !op.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>() ||
        !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
      return rw.notifyMatchFailure(op, "not an identity result on an empty");
    int64_t rank = resultType.getRank();
    SmallVector<unsigned> data;
    for (OpOperand *in : op.getDpsInputOperands()) {
      auto t = llvm::dyn_cast<RankedTensorType>(in->get().getType());
      AffineMap m = op.getMatchingIndexingMap(in);
      if (!t || t.getRank() != rank || !t.hasStaticShape() ||
          m.getNumResults() != rank)
        return rw.notifyMatchFailure(op, "an operand of another rank");
      for (int64_t i = 0; i < rank; ++i) {
        AffineExpr e = m.getResult(i);
        bool same = e == rw.getAffineDimExpr(i);
        bool broadcast = t.getDimSize(i) == 1 && e == rw.getAffineConstantExpr(0);
        if (!same && !broadcast)
          return rw.notifyMatchFailure(op, "an operand neither identity nor broadcast");
      }
      data.push_back(in->getOperandNumber());
    }
    SmallVector<int32_t> perms;
    SmallVector<Source> sources;
    if (failed(classify(op, data, perms, sources)))
      return rw.notifyMatchFailure(op, "operands not uniformly transposed");
    Location loc = op.getLoc();
    auto movedType = untransposed(resultType, perms);
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (size_t k = 0; k < data.size(); ++k) {
      Value v = untransposedOperand(rw, loc, op->getOperand(data[k]),
                                    sources[k], perms);
      auto t = llvm::cast<RankedTensorType>(v.getType());
      SmallVector<AffineExpr> exprs;
      for (int64_t i = 0; i < rank; ++i)
        exprs.push_back(t.getDimSize(i) == 1 && movedType.getDimSize(i) != 1
                            ? rw.getAffineConstantExpr(0)
                            : rw.getAffineDimExpr(i));
      maps.push_back(AffineMap::get(rank, 0, exprs, rw.getContext()));
      inputs.push_back(v);
    }
    maps.push_back(rw.getMultiDimIdentityMap(rank));
    Value init = tensor::EmptyOp::create(rw, loc, movedType.getShape(),
                                         movedType.getElementType());
    auto moved = linalg::GenericOp::create(rw, loc, TypeRange{movedType},
                                           inputs, ValueRange{init}, maps,
                                           op.getIteratorTypesArray());
    rw.cloneRegionBefore(op.getRegion(), moved.getRegion(),
                         moved.getRegion().end());
    rw.replaceOpWithNewOp<tosa::TransposeOp>(op, resultType,
                                             moved.getResult(0),
                                             rw.getDenseI32ArrayAttr(perms));
    return success();
  }
};

/// A transpose that only moves unit dimensions keeps the element order: it
/// is a reshape, which lowers to a view instead of a copy.
struct TransposeIsReshape : public OpRewritePattern<tosa::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::TransposeOp op,
                                PatternRewriter &rw) const override {
    auto inType = llvm::dyn_cast<RankedTensorType>(op.getInput1().getType());
    if (!inType || !inType.hasStaticShape())
      return rw.notifyMatchFailure(op, "not a static shape");
    int32_t last = -1;
    for (int32_t p : op.getPerms()) {
      if (inType.getDimSize(p) == 1)
        continue;
      if (p < last)
        return rw.notifyMatchFailure(op, "moves a non-unit dimension");
      last = p;
    }
    auto resultType = llvm::cast<RankedTensorType>(op.getType());
    rw.replaceOpWithNewOp<tosa::ReshapeOp>(
        op, resultType, op.getInput1(),
        tosa::getTosaConstShape(rw, op.getLoc(), resultType.getShape()));
    return success();
  }
};

struct SinkTransposesPass
    : whittle::impl::SinkTransposesPassBase<SinkTransposesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SinkThroughElementwise, SinkThroughGeneric, SinkThroughSlice,
                 SinkThroughReduce<tosa::ReduceSumOp>,
                 SinkThroughReduce<tosa::ReduceMaxOp>,
                 SinkThroughReduce<tosa::ReduceMinOp>,
                 SinkThroughReduce<tosa::ReduceProductOp>,
                 SinkThroughReduce<tosa::ReduceAllOp>,
                 SinkThroughReduce<tosa::ReduceAnyOp>, TransposeIsReshape>(
        &getContext());
    // Transpose pairs that meet cancel.
    tosa::TransposeOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
