//===- FuseEpilogues.cpp - one loop nest per convolution or matmul --------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

namespace whittle {
#define GEN_PASS_DEF_FUSEEPILOGUESPASS
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace {

/// A root op to tile by output rows, and the producers recomputed per tile
/// with it.
struct Candidate {
  linalg::LinalgOp root;
  /// The reduction whose result feeds an elementwise root (null when the
  /// root is the reduction itself).
  linalg::LinalgOp producer;
  llvm::SmallPtrSet<Operation *, 4> fusable;
};

bool isElementwise(linalg::GenericOp op) {
  return op.getNumResults() == 1 && op.getNumDpsInits() == 1 &&
         op.getNumReductionLoops() == 0 &&
         op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity();
}

/// Number of leading output dimensions tiled by 1: N and H of NHWC (and of
/// a depthwise convolution's NHWCM), M of a matrix; W and C stay whole.
int64_t tiledDims(int64_t rank) { return rank >= 4 ? 2 : 1; }

/// A reduction (convolution, pooling, matmul) with one tensor result of
/// rank >= 2 whose leading loops are the leading output dimensions, so that
/// tiling them by 1 tiles output rows.
bool isRowTileableReduction(linalg::LinalgOp op) {
  if (!op || op->getNumResults() != 1 || op.getNumReductionLoops() == 0 ||
      !op.hasPureTensorSemantics())
    return false;
  auto type = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || type.getRank() < 2)
    return false;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  auto iterators = op.getIteratorTypesArray();
  for (int64_t i = 0; i < tiledDims(type.getRank()); ++i)
    if (iterators[i] != utils::IteratorType::parallel ||
        out.getResult(i) != getAffineDimExpr(i, op.getContext()))
      return false;
  return true;
}

/// A fill, or a generic that broadcasts a lower-rank operand (a bias): an
/// initialization cheap enough to recompute for every user.
bool isCheapInit(linalg::LinalgOp op) {
  if (llvm::isa<linalg::FillOp>(op))
    return true;
  auto g = llvm::dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!g || g.getNumDpsInputs() > 1 ||
      !llvm::hasSingleElement(g.getBody()->getOperations()))
    return false;
  return llvm::all_of(g.getDpsInputOperands(), [&](OpOperand *in) {
    return g.getMatchingIndexingMap(in).getNumResults() < g.getNumLoops();
  });
}

/// The reduction's accumulator initialization (zero fill, broadcast bias)
/// and input padding, when nothing else uses them. An initialization is
/// recomputed per tile even when it is shared (equal zero fills of layers
/// with equal shapes are one op after CSE).
void addReductionProducers(linalg::LinalgOp reduction,
                           llvm::SmallPtrSetImpl<Operation *> &fusable) {
  for (OpOperand &init : reduction.getDpsInitsMutable())
    if (auto def = init.get().getDefiningOp<linalg::LinalgOp>())
      if (def.getNumReductionLoops() == 0 &&
          (def->hasOneUse() || isCheapInit(def)))
        fusable.insert(def);
  // Built per tile instead of a padded copy of the whole activation. A row
  // tile pads K input rows per output row: worth it where each input element
  // feeds many MACs (regular convolutions), not for depthwise convolutions
  // and pools, whose few MACs per element would be outweighed by the copy.
  StringRef name = reduction->getName().getStringRef();
  if (name.contains("depthwise") || name.contains("pooling"))
    return;
  for (OpOperand *in : reduction.getDpsInputOperands())
    if (auto pad = in->get().getDefiningOp<tensor::PadOp>())
      if (pad->hasOneUse())
        fusable.insert(pad);
}

/// An elementwise epilogue reading the single-use result of a reduction.
std::optional<Candidate> matchEpilogue(linalg::GenericOp consumer) {
  if (!isElementwise(consumer) ||
      llvm::cast<RankedTensorType>(consumer.getResult(0).getType())
              .getRank() < 2)
    return std::nullopt;
  for (OpOperand *input : consumer.getDpsInputOperands()) {
    auto producer = input->get().getDefiningOp<linalg::LinalgOp>();
    if (!isRowTileableReduction(producer) || !input->get().hasOneUse() ||
        !consumer.getMatchingIndexingMap(input).isIdentity())
      continue;
    Candidate c{consumer, producer, {}};
    c.fusable.insert(producer);
    addReductionProducers(producer, c.fusable);
    return c;
  }
  return std::nullopt;
}

/// A reduction without an epilogue that still has producers to fuse.
std::optional<Candidate> matchReduction(linalg::LinalgOp op) {
  if (!isRowTileableReduction(op) || op->getParentOfType<scf::ForOp>())
    return std::nullopt;
  Candidate c{op, nullptr, {}};
  addReductionProducers(op, c.fusable);
  if (c.fusable.empty())
    return std::nullopt;
  return c;
}

LogicalResult fuse(RewriterBase &rw, Candidate &c) {
  Operation *root = c.root.getOperation();
  // Write the epilogue over another input that dies there (a residual); the
  // reduction's own result now lives one tile at a time.
  if (c.producer)
    whittle::reuseDyingInput(rw, llvm::cast<linalg::GenericOp>(root),
                             c.producer->getResult(0));
  SmallVector<int64_t> sizes(c.root.getNumLoops(), 0);
  int64_t rank =
      llvm::cast<RankedTensorType>(root->getResult(0).getType()).getRank();
  for (int64_t i = 0; i < tiledDims(rank); ++i)
    sizes[i] = 1;
  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(getAsIndexOpFoldResult(rw.getContext(), sizes));
  tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer, bool)
          -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (!c.fusable.contains(producer.getOwner()))
          return std::nullopt;
        return scf::SCFTileAndFuseOptions::ControlFnResult{};
      });
  rw.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> result =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rw, llvm::cast<TilingInterface>(root), options);
  if (failed(result))
    return failure();
  // An input that is also the destination (the residual the result is
  // written over) is read through the destination's own tile, so that
  // bufferization sees one buffer read and written element by element.
  if (c.producer && !result->tiledAndFusedOps.empty()) {
    auto tiled = llvm::dyn_cast<linalg::GenericOp>(result->tiledAndFusedOps[0]);
    Value reused = llvm::cast<linalg::GenericOp>(root).getDpsInitOperand(0)->get();
    if (tiled && !reused.getDefiningOp<tensor::EmptyOp>()) {
      Value out = tiled.getDpsInitOperand(0)->get();
      auto outSlice = out.getDefiningOp<tensor::ExtractSliceOp>();
      for (OpOperand *in : tiled.getDpsInputOperands()) {
        auto inSlice = in->get().getDefiningOp<tensor::ExtractSliceOp>();
        if (outSlice && inSlice && inSlice.getSource() == reused &&
            inSlice.getType() == outSlice.getType() &&
            inSlice.getMixedOffsets() == outSlice.getMixedOffsets() &&
            inSlice.getMixedSizes() == outSlice.getMixedSizes() &&
            inSlice.getMixedStrides() == outSlice.getMixedStrides())
          rw.modifyOpInPlace(tiled, [&] { in->set(out); });
      }
    }
  }
  for (OpResult r : root->getResults())
    rw.replaceAllUsesWith(r, result->replacements.lookup(r));
  rw.eraseOp(root);
  // The untiled producers are dead now (the reduction first, then what fed
  // it).
  SmallVector<Operation *> dead(result->fusedProducers.begin(),
                                result->fusedProducers.end());
  for (bool erased = true; erased;) {
    erased = false;
    for (Operation *&op : dead)
      if (op && op->use_empty()) {
        rw.eraseOp(op);
        op = nullptr;
        erased = true;
      }
  }
  return success();
}

/// Tiling a pad guards the tile that lies wholly in the padding with an
/// scf.if (then: a constant tensor.generate; else: pad of an empty slice).
/// The else branch alone is correct for that tile too once its low padding
/// is clamped to the tile: the guard goes, leaving straight-line code with
/// no buffer-valued branch.
void removeZeroSliceGuard(RewriterBase &rw, scf::IfOp ifOp) {
  if (ifOp.getNumResults() != 1 || !ifOp.elseBlock())
    return;
  auto generate =
      ifOp.thenYield().getOperand(0).getDefiningOp<tensor::GenerateOp>();
  Value padded = ifOp.elseYield().getOperand(0);
  if (auto cast = padded.getDefiningOp<tensor::CastOp>())
    padded = cast.getSource();
  auto pad = padded.getDefiningOp<tensor::PadOp>();
  auto type = llvm::dyn_cast<RankedTensorType>(ifOp.getResult(0).getType());
  if (!generate || !pad || !type || !type.hasStaticShape() ||
      generate->getBlock() != ifOp.thenBlock() ||
      pad->getBlock() != ifOp.elseBlock() || !pad.getConstantPaddingValue())
    return;
  Location loc = pad.getLoc();
  rw.setInsertionPoint(pad);
  SmallVector<OpFoldResult> low = pad.getMixedLowPad();
  SmallVector<OpFoldResult> high = pad.getMixedHighPad();
  for (int64_t i = 0; i < type.getRank(); ++i) {
    auto lowValue = llvm::dyn_cast<Value>(low[i]);
    if (!lowValue)
      continue;
    Value extent = arith::ConstantIndexOp::create(rw, loc, type.getDimSize(i));
    Value clamped = arith::MinSIOp::create(rw, loc, lowValue, extent);
    Value srcDim = tensor::DimOp::create(rw, loc, pad.getSource(), i);
    Value rest = arith::SubIOp::create(rw, loc, extent, clamped);
    low[i] = clamped;
    high[i] = arith::SubIOp::create(rw, loc, rest, srcDim).getResult();
  }
  auto newPad = tensor::PadOp::create(
      rw, loc, type, pad.getSource(), low, high, pad.getConstantPaddingValue(),
      pad.getNofold());
  Block *elseBlock = ifOp.elseBlock();
  Operation *yield = elseBlock->getTerminator();
  Value result = newPad.getResult();
  rw.eraseOp(yield);
  rw.inlineBlockBefore(elseBlock, ifOp);
  rw.replaceOp(ifOp, result);
}

struct FuseEpiloguesPass
    : whittle::impl::FuseEpiloguesPassBase<FuseEpiloguesPass> {
  void runOnOperation() override {
    IRRewriter rw(&getContext());
    auto run = [&](SmallVectorImpl<Candidate> &candidates) {
      for (Candidate &c : candidates)
        if (failed(fuse(rw, c))) {
          c.root->emitError("internal: cannot fuse into one loop nest");
          return false;
        }
      return true;
    };
    // Epilogues first, taking their reduction along; then the reductions
    // left (no elementwise consumer) with their fill and padding.
    SmallVector<Candidate> epilogues, reductions;
    getOperation().walk([&](linalg::GenericOp op) {
      if (auto c = matchEpilogue(op))
        epilogues.push_back(std::move(*c));
    });
    // A root another candidate recomputes per tile is left to that one.
    llvm::SmallPtrSet<Operation *, 16> taken;
    for (Candidate &c : epilogues)
      taken.insert(c.fusable.begin(), c.fusable.end());
    llvm::erase_if(epilogues,
                   [&](Candidate &c) { return taken.contains(c.root); });
    if (!run(epilogues))
      return signalPassFailure();
    getOperation().walk([&](linalg::LinalgOp op) {
      if (auto c = matchReduction(op))
        reductions.push_back(std::move(*c));
    });
    if (!run(reductions))
      return signalPassFailure();
    SmallVector<scf::IfOp> guards;
    getOperation().walk([&](scf::IfOp op) { guards.push_back(op); });
    for (scf::IfOp op : guards)
      removeZeroSliceGuard(rw, op);
    // A tile's accumulator is a slice of a whole-tensor empty (the
    // reduction's own, when it differs from the epilogue's output, as i32
    // accumulators of int8 outputs do). A tile-sized empty instead: each
    // tile gets a buffer of its own, which the vector kernels keep in
    // registers, not a slice of a whole-tensor buffer written once.
    SmallVector<tensor::ExtractSliceOp> slices;
    getOperation().walk([&](tensor::ExtractSliceOp op) {
      if (op.getSource().getDefiningOp<tensor::EmptyOp>() &&
          op.getType().hasStaticShape() && op->getParentOfType<scf::ForOp>())
        slices.push_back(op);
    });
    for (tensor::ExtractSliceOp op : slices) {
      rw.setInsertionPoint(op);
      rw.replaceOpWithNewOp<tensor::EmptyOp>(op, op.getType().getShape(),
                                             op.getType().getElementType());
    }
  }
};

} // namespace
