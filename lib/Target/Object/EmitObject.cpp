//===- EmitObject.cpp - LLVM dialect to object code -----------------------===//
//
// Part of whittle. Generated code must link with nothing, so every function
// is marked "no-builtins": LLVM then never invents memcpy/memset calls.
//
//===----------------------------------------------------------------------===//

#include "whittle/Target/Object/EmitObject.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;

namespace whittle {

LogicalResult resolveTarget(const TargetOptions &options, std::string &triple,
                            std::string &cpu, std::string &features,
                            std::string &error) {
  struct Known {
    const char *triple, *cpu, *features;
  };
  auto known = llvm::StringSwitch<std::optional<Known>>(options.target)
                   .Cases({"", "host"}, std::nullopt)
                   .Cases({"x86-64", "x86_64"},
                          Known{"x86_64-unknown-linux-gnu", "x86-64", ""})
                   .Case("aarch64", Known{"aarch64-unknown-linux-gnu",
                                          "generic", "+neon"})
                   .Case("cortex-m4", Known{"thumbv7em-none-eabihf",
                                            "cortex-m4", ""})
                   .Case("cortex-m7", Known{"thumbv7em-none-eabihf",
                                            "cortex-m7", ""})
                   .Case("cortex-m33", Known{"thumbv8m.main-none-eabihf",
                                             "cortex-m33", ""})
                   .Case("riscv32", Known{"riscv32-unknown-none-elf",
                                          "generic-rv32", "+m,+f,+c"})
                   .Case("riscv64", Known{"riscv64-unknown-linux-gnu",
                                          "generic-rv64", "+m,+a,+f,+d,+c"})
                   .Default(Known{nullptr, nullptr, nullptr});
  if (options.target.empty() || options.target == "host") {
    triple = llvm::sys::getDefaultTargetTriple();
    cpu = "generic";
    if (llvm::Triple(triple).getArch() == llvm::Triple::x86_64)
      cpu = "x86-64";
    features = "";
  } else if (known && known->triple) {
    triple = known->triple;
    cpu = known->cpu;
    features = known->features;
  } else if (options.target.find('-') != std::string::npos &&
             llvm::Triple(options.target).getArch() != llvm::Triple::UnknownArch) {
    triple = llvm::Triple::normalize(options.target);
    cpu = "generic";
    features = "";
  } else {
    error = "unknown target '" + options.target +
            "' (expected x86-64, aarch64, cortex-m4, cortex-m7, cortex-m33, "
            "riscv32, riscv64 or an LLVM triple)";
    return failure();
  }
  if (!options.cpu.empty())
    cpu = options.cpu;
  if (!options.features.empty())
    features = features.empty() ? options.features
                                : features + "," + options.features;
  return success();
}

LogicalResult emitObject(ModuleOp module, const TargetOptions &options,
                         OutputKind kind, llvm::raw_pwrite_stream &os) {
  static bool initialized = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialized;

  std::string tripleStr, cpu, features, error;
  if (failed(resolveTarget(options, tripleStr, cpu, features, error)))
    return module.emitError(error);
  // Normalized, so that a three-part triple keeps its environment:
  // `thumbv7em-none-eabihf` parsed as is has OS `eabihf` and no environment,
  // which silently selects the soft-float ABI (no Tag_ABI_VFP_args, and
  // hard-float firmware refuses to link the object).
  llvm::Triple triple(llvm::Triple::normalize(tripleStr));
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return module.emitError("target '") << tripleStr << "': " << error;
  llvm::TargetOptions to;
  auto codegenOpt = options.optLevel == 0   ? llvm::CodeGenOptLevel::None
                    : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                    : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                            : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, to, llvm::Reloc::PIC_, std::nullopt, codegenOpt));
  if (!tm)
    return module.emitError("cannot create a target machine for ")
           << tripleStr;

  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  module.getContext()->appendDialectRegistry(registry);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "whittle");
  if (!llvmModule)
    return module.emitError("translation to LLVM IR failed");
  llvmModule->setTargetTriple(triple);
  llvmModule->setDataLayout(tm->createDataLayout());
  for (llvm::Function &f : *llvmModule)
    if (!f.isDeclaration())
      f.addFnAttr("no-builtins");

  // Middle-end optimization.
  {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm.get());
    llvm::TargetLibraryInfoImpl tlii(triple);
    tlii.disableAllFunctions();
    fam.registerPass([&] { return llvm::TargetLibraryAnalysis(tlii); });
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::OptimizationLevel level =
        options.optLevel == 0   ? llvm::OptimizationLevel::O0
        : options.optLevel == 1 ? llvm::OptimizationLevel::O1
        : options.optLevel == 2 ? llvm::OptimizationLevel::O2
                                : llvm::OptimizationLevel::O3;
    llvm::ModulePassManager mpm =
        options.optLevel == 0 ? pb.buildO0DefaultPipeline(level)
                              : pb.buildPerModuleDefaultPipeline(level);
    mpm.run(*llvmModule, mam);
  }

  if (kind == OutputKind::LLVMIR) {
    llvmModule->print(os, nullptr);
    return success();
  }
  llvm::legacy::PassManager codegen;
  auto fileType = kind == OutputKind::Assembly
                      ? llvm::CodeGenFileType::AssemblyFile
                      : llvm::CodeGenFileType::ObjectFile;
  if (tm->addPassesToEmitFile(codegen, os, nullptr, fileType))
    return module.emitError("target cannot emit this file type");
  codegen.run(*llvmModule);
  return success();
}

} // namespace whittle
