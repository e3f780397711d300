//===- FoldConstants.cpp - evaluate constant subgraphs with the JIT -------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Dialect/ONNX/Transforms/Passes.h"
#include "whittle/Jit/JitModel.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"

namespace whittle {
#define GEN_PASS_DEF_FOLDCONSTANTSPASS
#include "whittle/Dialect/ONNX/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;
using namespace whittle;

namespace {

/// Results above this size are folded only if they are at most
/// kGrowthFactor times the op's inputs.
constexpr int64_t kLargeResultBytes = 16 * 1024;
constexpr int64_t kGrowthFactor = 2;

int64_t tensorBytes(Type type) {
  auto t = llvm::dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape() || !t.getElementType().isIntOrFloat())
    return -1;
  return t.getNumElements() *
         static_cast<int64_t>((t.getElementTypeBitWidth() + 7) / 8);
}

/// True if `op` may be evaluated at compile time once its operands are.
bool isFoldable(Operation *op) {
  if (!llvm::isa<onnx::ONNXDialect>(op->getDialect()) ||
      llvm::isa<onnx::ConstantOp>(op) || op->getNumOperands() == 0 ||
      // Quantized weights stay int8: onnx-fuse-qdq consumes them as such.
      llvm::isa<onnx::DequantizeLinearOp>(op) ||
      op->getNumRegions() != 0 || !isMemoryEffectFree(op))
    return false;
  int64_t in = 0, out = 0;
  for (Type t : op->getOperandTypes()) {
    int64_t b = tensorBytes(t);
    if (b < 0)
      return false;
    in += b;
  }
  for (Type t : op->getResultTypes()) {
    int64_t b = tensorBytes(t);
    if (b < 0)
      return false;
    out += b;
  }
  return out <= kLargeResultBytes || out <= kGrowthFactor * in;
}

struct FoldConstantsPass
    : whittle::impl::FoldConstantsPassBase<FoldConstantsPass> {
  void getDependentDialects(DialectRegistry &registry) const override {
    FoldConstantsPassBase::getDependentDialects(registry);
    // Everything the JIT pipeline creates is loaded before any pass runs.
    OpPassManager jitPipeline("builtin.module");
    if (succeeded(parsePassPipeline(kJitPipeline, jitPipeline, llvm::nulls())))
      jitPipeline.getDependentDialects(registry);
    registerBuiltinDialectTranslation(registry);
    registerLLVMDialectTranslation(registry);
  }

  void runOnOperation() override {
    for (auto func : llvm::to_vector(getOperation().getOps<func::FuncOp>()))
      if (failed(foldFunction(func)))
        return signalPassFailure();
  }

  /// Runs the op folders and removes dead ops.
  LogicalResult applyFolders(func::FuncOp func) {
    GreedyRewriteConfig config;
    config.enableConstantCSE(false);
    return applyPatternsGreedily(func, RewritePatternSet(&getContext()),
                                 config);
  }

  LogicalResult foldFunction(func::FuncOp func) {
    if (failed(applyFolders(func)))
      return failure();
    // The constant subgraph, in program order.
    llvm::SetVector<Operation *> foldable;
    for (Operation &op : func.getBody().getOps()) {
      bool constantInputs = llvm::all_of(op.getOperands(), [&](Value v) {
        Operation *def = v.getDefiningOp();
        return def && (llvm::isa<onnx::ConstantOp>(def) || foldable.count(def));
      });
      if (constantInputs && isFoldable(&op))
        foldable.insert(&op);
    }
    if (foldable.empty())
      return success();
    if (failed(evaluate(func, foldable.getArrayRef()))) {
      // Some op in the subgraph cannot be lowered: fold op by op, so that
      // everything else still folds and that op is reported by the
      // conversion with its node name.
      for (Operation *op : foldable.getArrayRef()) {
        bool ready = llvm::all_of(op->getOperands(), [](Value v) {
          return v.getDefiningOp<onnx::ConstantOp>() != nullptr;
        });
        if (ready)
          (void)evaluate(func, {op});
      }
    }
    return applyFolders(func);
  }

  /// JIT-compiles `ops` (closed over constants) and replaces their results
  /// used outside the set with constants.
  LogicalResult evaluate(func::FuncOp func, ArrayRef<Operation *> ops) {
    llvm::SmallPtrSet<Operation *, 16> inSet(ops.begin(), ops.end());
    SmallVector<Value> roots;
    for (Operation *op : ops)
      for (Value r : op->getResults())
        if (llvm::any_of(r.getUsers(),
                         [&](Operation *u) { return !inSet.count(u); }))
          roots.push_back(r);
    if (roots.empty())
      return success();

    // A module whose @main takes nothing and returns the roots.
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    OwningOpRef<ModuleOp> module = ModuleOp::create(func.getLoc());
    b.setInsertionPointToEnd(module->getBody());
    SmallVector<Type> rootTypes;
    for (Value r : roots)
      rootTypes.push_back(r.getType());
    auto main = func::FuncOp::create(b, func.getLoc(), "main",
                                     b.getFunctionType({}, rootTypes));
    main->setAttr(whittle::kNumInputsAttr, b.getI64IntegerAttr(0));
    b.setInsertionPointToEnd(main.addEntryBlock());
    IRMapping map;
    for (Operation *op : ops)
      for (Value v : op->getOperands())
        if (!map.contains(v) && !inSet.count(v.getDefiningOp()))
          map.map(v, b.clone(*v.getDefiningOp())->getResult(0));
    for (Operation *op : ops)
      b.clone(*op, map);
    SmallVector<Value> results;
    for (Value r : roots)
      results.push_back(map.lookup(r));
    func::ReturnOp::create(b, func.getLoc(), results);

    std::unique_ptr<JitModel> jit;
    {
      // A subgraph the pipeline cannot lower stays in the graph; the error
      // is the conversion's to report, against the whole model.
      ScopedDiagnosticHandler quiet(ctx, [](Diagnostic &) { return success(); });
      jit = JitModel::compile(*module);
    }
    if (!jit)
      return failure();
    std::vector<std::vector<char>> buffers;
    std::vector<void *> outputs;
    for (const TensorInfo &t : jit->interface().outputs)
      buffers.emplace_back(std::max<int64_t>(t.bytes, 1));
    for (auto &buf : buffers)
      outputs.push_back(buf.data());
    if (failed(jit->run({}, outputs)))
      return failure();

    for (auto [root, buf] : llvm::zip(roots, buffers)) {
      Operation *def = root.getDefiningOp();
      b.setInsertionPoint(def);
      auto type = llvm::cast<RankedTensorType>(root.getType());
      std::string blob = getNodeName(def->getLoc());
      Value c = createConstant(
          b, def->getLoc(), type,
          ArrayRef<char>(buf.data(), tensorBytes(type)),
          (blob.empty() ? std::string("folded") : blob) + "_folded");
      root.replaceUsesWithIf(c, [&](OpOperand &use) {
        return !inSet.count(use.getOwner());
      });
    }
    // The folded ops are dead now; applyFolders removes them.
    return success();
  }
};

} // namespace
