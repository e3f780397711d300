//===- PlanArena.cpp - Static arena planning ------------------------------===//
//
// Part of whittle. Every intermediate buffer becomes a view into one arena
// that the caller provides, so generated code never allocates. Offsets come
// from live ranges measured on the function's top-level op order: two buffers
// may share bytes only if their ranges are disjoint.
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

namespace whittle {
#define GEN_PASS_DEF_PLANARENAPASS
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace {

struct Buffer {
  memref::AllocOp alloc;
  int64_t size = 0;
  int64_t start = 0, end = 0; // inclusive top-level op positions
  int64_t offset = -1;
  int64_t index = 0; // allocation order, the final tie-breaker
};

static int64_t alignTo(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

} // namespace

std::string whittle::locationNodeName(Location loc) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (std::string n = locationNodeName(l); !n.empty())
        return n;
  if (auto callSite = llvm::dyn_cast<CallSiteLoc>(loc))
    return locationNodeName(callSite.getCallee());
  return "";
}

namespace {

/// Position of the top-level ancestor of `op` in the function body.
static int64_t topLevelPos(Operation *op, Block &body,
                           const DenseMap<Operation *, int64_t> &pos) {
  while (op->getBlock() != &body)
    op = op->getParentOp();
  return pos.lookup(op);
}

/// Extends [start, end] over every use of `root` and of the views derived
/// from it. Returns failure if the buffer escapes (e.g. is returned).
static LogicalResult computeLiveRange(Buffer &b, Block &body,
                                      const DenseMap<Operation *, int64_t> &pos,
                                      int64_t lastPos) {
  SmallVector<Value> worklist = {b.alloc.getResult()};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      b.end = std::max(b.end, topLevelPos(user, body, pos));
      if (llvm::isa<func::ReturnOp>(user))
        return user->emitError("arena buffer escapes through return");
      if (auto view = llvm::dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == v)
          for (Value r : user->getResults())
            worklist.push_back(r);
        continue;
      }
      if (llvm::isa<memref::CastOp>(user)) {
        worklist.push_back(user->getResult(0));
        continue;
      }
      // Any other op returning a memref may alias it: keep it to the end.
      if (llvm::any_of(user->getResultTypes(),
                       [](Type t) { return llvm::isa<MemRefType>(t); }))
        b.end = lastPos;
      // Region terminators forwarding the buffer keep it alive past the
      // region: extend to the end as well.
      if (user->hasTrait<OpTrait::IsTerminator>() &&
          user->getBlock() != &body)
        b.end = lastPos;
    }
  }
  return success();
}

struct PlanArenaPass : whittle::impl::PlanArenaPassBase<PlanArenaPass> {
  using PlanArenaPassBase::PlanArenaPassBase;

  LogicalResult planFunction(func::FuncOp func) {
    Block &body = func.getBody().front();
    DenseMap<Operation *, int64_t> pos;
    int64_t n = 0;
    for (Operation &op : body)
      pos[&op] = n++;

    SmallVector<Buffer> buffers;
    WalkResult walk = func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity()) {
        alloc.emitError("cannot place a dynamically shaped or non-identity "
                        "buffer in the static arena: ")
            << type;
        return WalkResult::interrupt();
      }
      // LLVM's allocation size: whole bytes rounded up to a power of two
      // (an i48 accumulator takes 8).
      uint64_t bytes =
          llvm::PowerOf2Ceil((type.getElementTypeBitWidth() + 7) / 8);
      Buffer b;
      b.alloc = alloc;
      b.index = buffers.size();
      b.size = std::max<int64_t>(
          1, type.getNumElements() * static_cast<int64_t>(bytes));
      b.start = b.end = topLevelPos(alloc, body, pos);
      buffers.push_back(b);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    for (Buffer &b : buffers)
      if (failed(computeLiveRange(b, body, pos, n)))
        return failure();

    // The lower bound for this execution order: the most bytes live at
    // once, and where that happens.
    SmallVector<int64_t> live(n + 1, 0);
    for (Buffer &b : buffers) {
      live[b.start] += b.size;
      live[b.end + 1] -= b.size;
    }
    int64_t lowerBound = 0, peakPos = 0, running = 0;
    for (int64_t i = 0; i < n; ++i) {
      running += live[i];
      if (running > lowerBound) {
        lowerBound = running;
        peakPos = i;
      }
    }
    // (Named now: the allocation there may be rewritten below.)
    std::string peakName;
    for (auto [op, i] : pos)
      if (i == peakPos && lowerBound > 0)
        peakName = whittle::locationNodeName(op->getLoc());

    // Placement in several orders, each by first fit and by best fit (the
    // smallest gap that holds the buffer); then seeded random orders. The
    // smallest arena wins (ties: the earlier plan), stopping once one
    // reaches the bound. Every order ends in allocation order and the
    // random ones use a fixed seed, so the plan is deterministic.
    using Less = bool (*)(const Buffer *, const Buffer *);
    static const Less orders[] = {
        // largest first
        [](const Buffer *a, const Buffer *b) {
          return a->size != b->size ? a->size > b->size
                                    : (a->start != b->start
                                           ? a->start < b->start
                                           : a->index < b->index);
        },
        // largest size x lifetime first
        [](const Buffer *a, const Buffer *b) {
          int64_t ka = a->size * (a->end - a->start + 1),
                  kb = b->size * (b->end - b->start + 1);
          return ka != kb ? ka > kb
                          : (a->size != b->size ? a->size > b->size
                                                : a->index < b->index);
        },
        // longest-lived first
        [](const Buffer *a, const Buffer *b) {
          int64_t la = a->end - a->start, lb = b->end - b->start;
          return la != lb ? la > lb
                          : (a->size != b->size ? a->size > b->size
                                                : a->index < b->index);
        },
        // program order
        [](const Buffer *a, const Buffer *b) {
          return a->start != b->start ? a->start < b->start
                                      : a->index < b->index;
        },
    };
    // A small buffer is aligned to its own size rounded up to a power of
    // two (so it never straddles a cache line), a large one to `alignment`.
    auto alignOf = [&](const Buffer *b) {
      return std::min<int64_t>(alignment, llvm::PowerOf2Ceil(b->size));
    };
    auto place = [&](ArrayRef<Buffer *> order, bool bestFit) {
      int64_t size = 0;
      SmallVector<Buffer *> placed;
      for (Buffer *b : order) {
        SmallVector<std::pair<int64_t, int64_t>> busy;
        for (Buffer *p : placed)
          if (p->start <= b->end && b->start <= p->end)
            busy.push_back({p->offset, p->offset + p->size});
        llvm::sort(busy);
        int64_t align = alignOf(b);
        // Candidate offsets: the start and the end of every busy range.
        int64_t chosen = -1, chosenGap = 0, offset = 0;
        for (size_t i = 0; i <= busy.size(); ++i) {
          int64_t limit = i < busy.size() ? busy[i].first
                                          : std::numeric_limits<int64_t>::max();
          if (offset + b->size <= limit) {
            int64_t gap = limit - offset;
            if (chosen < 0 || (bestFit && gap < chosenGap)) {
              chosen = offset;
              chosenGap = gap;
            }
            if (!bestFit)
              break;
          }
          if (i < busy.size())
            offset = std::max(offset, alignTo(busy[i].second, align));
        }
        b->offset = chosen;
        size = std::max(size, chosen + b->size);
        placed.push_back(b);
      }
      return size;
    };
    int64_t arenaSize = -1;
    SmallVector<int64_t> best;
    auto consider = [&](ArrayRef<Buffer *> order) {
      for (bool bestFit : {false, true}) {
        if (arenaSize >= 0 && arenaSize <= lowerBound)
          return;
        int64_t size = place(order, bestFit);
        if (arenaSize < 0 || size < arenaSize) {
          arenaSize = size;
          best.clear();
          for (Buffer &b : buffers)
            best.push_back(b.offset);
        }
      }
    };
    SmallVector<Buffer *> order;
    for (Buffer &b : buffers)
      order.push_back(&b);
    for (Less less : orders) {
      llvm::stable_sort(order, less);
      consider(order);
    }
    // Random orders (a fixed-seed generator): cheap next to compilation,
    // and they often close the gap left by fragmentation.
    uint64_t state = 0x9E3779B97F4A7C15ull;
    for (int round = 0; round < 64 && order.size() > 1; ++round) {
      for (size_t i = order.size() - 1; i > 0; --i) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        std::swap(order[i], order[(state >> 33) % (i + 1)]);
      }
      consider(order);
    }
    if (arenaSize < 0)
      arenaSize = 0;
    for (auto [b, offset] : llvm::zip(buffers, best))
      b.offset = offset;

    // Rewrite allocations into views of a new trailing arena argument.
    OpBuilder builder(func.getContext());
    auto arenaType =
        MemRefType::get({arenaSize}, IntegerType::get(func.getContext(), 8));
    unsigned argIdx = func.getNumArguments();
    if (failed(func.insertArgument(argIdx, arenaType, {}, func.getLoc())))
      return failure();
    Value arena = func.getArgument(argIdx);
    for (Buffer &b : buffers) {
      builder.setInsertionPoint(b.alloc);
      Location loc = b.alloc.getLoc();
      Value off = arith::ConstantIndexOp::create(builder, loc, b.offset);
      Value view = memref::ViewOp::create(builder, loc, b.alloc.getType(),
                                          arena, off, ValueRange{});
      for (Operation *user : llvm::make_early_inc_range(b.alloc->getUsers()))
        if (llvm::isa<memref::DeallocOp>(user))
          user->erase();
      b.alloc.replaceAllUsesWith(view);
      b.alloc.erase();
    }
    func->setAttr(whittle::kArenaSizeAttr,
                  builder.getI64IntegerAttr(arenaSize));
    func->setAttr(whittle::kArenaLowerBoundAttr,
                  builder.getI64IntegerAttr(lowerBound));
    if (!peakName.empty())
      func->setAttr(whittle::kArenaPeakAttr, builder.getStringAttr(peakName));
    return success();
  }

  void runOnOperation() override {
    if (alignment <= 0 || (alignment & (alignment - 1))) {
      getOperation().emitError("arena alignment must be a power of two");
      return signalPassFailure();
    }
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      if (failed(planFunction(func)))
        return signalPassFailure();
      flattenEmptyArguments(func);
    }
  }

  /// An empty input or output (no bytes, never read or written) becomes a
  /// one-dimensional memref<0xT>: LLVM's bare-pointer calling convention
  /// refuses a multi-dimensional memref with a zero extent, and the
  /// caller's view of the pointer is the same.
  static void flattenEmptyArguments(func::FuncOp func) {
    SmallVector<Type> inputs(func.getArgumentTypes());
    bool changed = false;
    for (BlockArgument arg : func.getArguments()) {
      auto t = llvm::dyn_cast<MemRefType>(arg.getType());
      if (!t || !t.hasStaticShape() || t.getNumElements() != 0 ||
          t.getRank() == 1 || !arg.use_empty())
        continue;
      arg.setType(MemRefType::get({0}, t.getElementType()));
      inputs[arg.getArgNumber()] = arg.getType();
      changed = true;
    }
    if (changed)
      func.setFunctionType(FunctionType::get(func.getContext(), inputs,
                                             func.getResultTypes()));
  }
};

} // namespace
