//===- OutlineKernels.cpp - one function per loop nest --------------------===//
//
// Part of whittle. The model function at the loop level is one straight
// sequence of loop nests over views of the arena, often tens of thousands of
// operations. LLVM's function passes (GVN, loop strength reduction,
// register allocation) grow faster than linearly with function size, so a
// model compiled as one function spends most of its compile time there.
// Each top-level loop nest becomes a private, never-inlined function whose
// arguments are the model function's own buffers (inputs, outputs, arena);
// the views and constants it uses are recomputed inside it, where they fold
// into addressing. A call per layer costs nothing measurable.
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/Passes.h"

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

/// Collects what `nest` reads from outside: model-function arguments
/// (returned in `args`) and side-effect-free ops to recompute (in `clones`,
/// defs before uses). False if it uses anything else.
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
      int64_t count = 0;
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
      }
    }
  }
};

} // namespace
