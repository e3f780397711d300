//===- OutlineKernels.cpp - one function per loop nest --------------------===//
//
// Part of whittle. The model function at the loop level is one straight
// sequence of loop nests over views of the arena, often tens of thousands of
// operations. LLVM's function passes (GVN, loop strength reduction,
// register allocation) grow faster than linearly with function size, so a
// model compiled as one function spends most of its compile time there.
// Each top-level loop nest becomes a private, never-inlined function whose
// arguments are the buffers it uses (inputs, outputs, views of the arena,
// weight globals); constants are recomputed inside it. Layers with the same
// shapes then get equal functions, which are merged: a network's repeated
// blocks are compiled, and stored in flash, once. A call per layer costs
// nothing measurable.
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"

namespace whittle {
#define GEN_PASS_DEF_OUTLINEKERNELSPASS
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace {

/// Collects what `nest` reads from outside. Buffers (model-function
/// arguments, views, globals) become arguments, in `args`, so that layers of
/// the same shape get the same function whatever their weights and arena
/// offsets; other side-effect-free ops (constants) are recomputed inside, in
/// `clones`, defs before uses. False if it uses anything else.
bool collectInputs(Operation *nest, Block *entry,
                   llvm::SetVector<Value> &args,
                   llvm::SetVector<Operation *> &clones) {
  bool ok = true;
  std::function<void(Value)> visit = [&](Value v) {
    if (!ok)
      return;
    if (auto arg = llvm::dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() == entry)
        args.insert(v);
      else if (!nest->isAncestor(arg.getOwner()->getParentOp()))
        ok = false;
      return;
    }
    Operation *def = v.getDefiningOp();
    if (nest->isAncestor(def) || clones.contains(def))
      return;
    if (def->getNumRegions() || !isMemoryEffectFree(def)) {
      ok = false;
      return;
    }
    if (llvm::isa<MemRefType>(v.getType())) {
      args.insert(v);
      return;
    }
    for (Value operand : def->getOperands())
      visit(operand);
    clones.insert(def);
  };
  nest->walk([&](Operation *op) {
    for (Value operand : op->getOperands())
      visit(operand);
  });
  return ok;
}

/// A hash of `f`'s body that equivalent bodies share (ops, types and
/// attributes; not locations or SSA names).
llvm::hash_code bodyHash(func::FuncOp f) {
  llvm::hash_code h = hash_value(f.getFunctionType());
  f.getBody().walk([&](Operation *op) {
    h = llvm::hash_combine(h, op->getName(), op->getRawDictionaryAttrs(),
                           op->getNumOperands(), op->getNumRegions());
    for (Type t : op->getResultTypes())
      h = llvm::hash_combine(h, t);
  });
  return h;
}

/// Replaces each kernel whose body equals an earlier one's with calls to
/// that one: repeated blocks of a network are compiled once.
void shareKernels(ArrayRef<func::FuncOp> kernels, func::FuncOp model) {
  llvm::DenseMap<llvm::hash_code, SmallVector<func::FuncOp>> buckets;
  llvm::DenseMap<Operation *, func::FuncOp> replacement;
  for (func::FuncOp k : kernels) {
    SmallVector<func::FuncOp> &bucket = buckets[bodyHash(k)];
    auto same = llvm::find_if(bucket, [&](func::FuncOp r) {
      return r.getFunctionType() == k.getFunctionType() &&
             OperationEquivalence::isRegionEquivalentTo(
                 &r.getBody(), &k.getBody(),
                 OperationEquivalence::IgnoreLocations);
    });
    if (same == bucket.end())
      bucket.push_back(k);
    else
      replacement[k] = *same;
  }
  if (replacement.empty())
    return;
  model.walk([&](func::CallOp call) {
    Operation *callee =
        SymbolTable::lookupNearestSymbolFrom(call, call.getCalleeAttr());
    auto it = replacement.find(callee);
    if (it != replacement.end())
      call.setCallee(it->second.getSymName());
  });
  for (auto &[k, r] : replacement)
    k->erase();
}

/// MODEL_kN_NODE: the ONNX node the nest computes (from its location), so
/// that a profile of the object reads per layer; N keeps names unique and
/// in execution order.
std::string kernelName(func::FuncOp model, Operation *nest, int64_t n) {
  std::string name = (model.getSymName() + "_k" + Twine(n)).str();
  std::string node = whittle::locationNodeName(nest->getLoc());
  if (node.empty())
    return name;
  name += '_';
  for (char c : node.substr(0, 64))
    name += llvm::isAlnum(c) ? c : '_';
  return name;
}

struct OutlineKernelsPass
    : whittle::impl::OutlineKernelsPassBase<OutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> models;
    for (auto f : module.getOps<func::FuncOp>())
      if (f->hasAttr(whittle::kArenaSizeAttr) && !f.isExternal())
        models.push_back(f);
    MLIRContext *ctx = &getContext();
    for (func::FuncOp model : models) {
      Block *entry = &model.getBody().front();
      SmallVector<Operation *> nests;
      for (Operation &op : *entry)
        if (op.getNumRegions() && op.getNumResults() == 0)
          nests.push_back(&op);
      // Globals read inside a nest become arguments too.
      for (Operation *nest : nests)
        nest->walk([&](memref::GetGlobalOp g) { g->moveBefore(nest); });
      int64_t count = 0;
      SmallVector<func::FuncOp> kernels;
      for (Operation *nest : nests) {
        llvm::SetVector<Value> args;
        llvm::SetVector<Operation *> clones;
        if (!collectInputs(nest, entry, args, clones))
          continue;
        SmallVector<Type> types;
        for (Value a : args)
          types.push_back(a.getType());
        OpBuilder mb(model);
        auto callee = func::FuncOp::create(
            mb, nest->getLoc(), kernelName(model, nest, count++),
            FunctionType::get(ctx, types, {}));
        callee.setPrivate();
        // Internal linkage: two models linked into one firmware both have
        // main_kernel0.
        callee->setAttr("llvm.linkage",
                        LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
        callee->setAttr("passthrough",
                        ArrayAttr::get(ctx, {StringAttr::get(ctx, "noinline")}));
        symbols.insert(callee);
        Block *body = callee.addEntryBlock();
        OpBuilder b = OpBuilder::atBlockBegin(body);
        IRMapping map;
        for (auto [a, arg] : llvm::zip(args, body->getArguments()))
          map.map(a, arg);
        // Clones in program order, so that operands precede their uses.
        SmallVector<Operation *> ordered(clones.begin(), clones.end());
        llvm::sort(ordered, [](Operation *x, Operation *y) {
          return x->isBeforeInBlock(y);
        });
        for (Operation *op : ordered)
          b.clone(*op, map);
        b.clone(*nest, map);
        func::ReturnOp::create(b, nest->getLoc());
        OpBuilder cb(nest);
        func::CallOp::create(cb, nest->getLoc(), callee, args.getArrayRef());
        nest->erase();
        kernels.push_back(callee);
      }
      shareKernels(kernels, model);
    }
  }
};

} // namespace
