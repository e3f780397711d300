//===- WrapEntryPoint.cpp - The generated C ABI entry point ---------------===//
//
// Part of whittle. After lowering with the bare-pointer calling convention the
// model function takes one pointer per input, per output and the arena. This
// pass hides it (internal linkage) and adds the stable entry point
//   int32_t NAME_run(const void *const inputs[], void *const outputs[],
//                    void *arena);
//
//===----------------------------------------------------------------------===//

#include "whittle/Target/Interface/ModelInterface.h"
#include "whittle/Transforms/Passes.h"

namespace whittle {
#define GEN_PASS_DEF_WRAPENTRYPOINTPASS
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace {

struct WrapEntryPointPass
    : whittle::impl::WrapEntryPointPassBase<WrapEntryPointPass> {
  using WrapEntryPointPassBase::WrapEntryPointPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    LLVM::LLVMFuncOp model;
    for (auto f : module.getOps<LLVM::LLVMFuncOp>())
      if (f->hasAttr(whittle::kArenaSizeAttr) && !f.isExternal())
        model = f;
    if (!model) {
      module.emitError("no planned model function (run whittle-plan-arena "
                       "before lowering to LLVM)");
      return signalPassFailure();
    }
    auto numInputsAttr =
        model->getAttrOfType<IntegerAttr>(whittle::kNumInputsAttr);
    if (!numInputsAttr) {
      model.emitError("model function lacks the whittle.num_inputs attribute");
      return signalPassFailure();
    }
    auto fnType = model.getFunctionType();
    int64_t numArgs = fnType.getNumParams();
    int64_t numInputs = numInputsAttr.getInt();
    int64_t numOutputs = numArgs - numInputs - 1;
    Type ret = fnType.getReturnType();
    bool returnsStatus = ret && ret.isInteger(32);
    if (numOutputs < 0 || !ret ||
        (!llvm::isa<LLVM::LLVMVoidType>(ret) && !returnsStatus) ||
        llvm::any_of(fnType.getParams(),
                     [](Type t) { return !llvm::isa<LLVM::LLVMPointerType>(t); })) {
      model.emitError("model function must take only pointers and return "
                      "nothing or an i32 status (bare-pointer calling "
                      "convention)");
      return signalPassFailure();
    }
    std::string runName = entryName + "_run";
    if (module.lookupSymbol(runName)) {
      module.emitError("symbol '") << runName << "' already exists";
      return signalPassFailure();
    }
    model.setLinkage(LLVM::Linkage::Internal);

    MLIRContext *ctx = &getContext();
    Location loc = model.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i32 = IntegerType::get(ctx, 32);
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto run = LLVM::LLVMFuncOp::create(
        b, loc, runName, LLVM::LLVMFunctionType::get(i32, {ptr, ptr, ptr}));
    Block *entry = run.addEntryBlock(b);
    b.setInsertionPointToStart(entry);
    SmallVector<Value> args;
    auto loadSlot = [&](Value array, int64_t i) -> Value {
      Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, array,
                                       ArrayRef<LLVM::GEPArg>{(int32_t)i});
      return LLVM::LoadOp::create(b, loc, ptr, slot);
    };
    for (int64_t i = 0; i < numInputs; ++i)
      args.push_back(loadSlot(entry->getArgument(0), i));
    for (int64_t i = 0; i < numOutputs; ++i)
      args.push_back(loadSlot(entry->getArgument(1), i));
    args.push_back(entry->getArgument(2));
    auto call = LLVM::CallOp::create(b, loc, model, args);
    // The status of run-time checks (whittle-lower-checks), or 0.
    Value status = returnsStatus
                       ? call.getResult()
                       : LLVM::ConstantOp::create(b, loc, i32, 0).getResult();
    LLVM::ReturnOp::create(b, loc, status);
  }
};

} // namespace
