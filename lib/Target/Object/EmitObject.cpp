//===- EmitObject.cpp - LLVM dialect to object code -----------------------===//
//
// Part of whittle. Generated code must link with nothing, so every function
// is marked "no-builtins": LLVM then never invents memcpy/memset calls.
//
//===----------------------------------------------------------------------===//

#include "whittle/Target/Object/EmitObject.h"
#include "whittle/Target/Object/Partition.h"

#include "mlir/IR/Threading.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Pass.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/StandardInstrumentations.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/ARMTargetParser.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/IPO/DeadArgumentElimination.h"
#include "llvm/Transforms/IPO/GlobalOpt.h"
#include "llvm/Transforms/IPO/SCCP.h"

using namespace mlir;

namespace whittle {

llvm::ArrayRef<TargetPreset> targetPresets() {
  static const TargetPreset presets[] = {
      {"x86-64", "x86_64-unknown-linux-gnu", "x86-64", "", "", false,
       "x86-64 baseline (SSE2)"},
      {"native", "", "", "", "", false, "this machine's CPU and features"},
      {"aarch64", "aarch64-unknown-linux-gnu", "generic", "+neon", "", false,
       "64-bit Arm, NEON"},
      {"cortex-a53", "aarch64-unknown-linux-gnu", "cortex-a53", "", "", false,
       "Raspberry Pi 3, many phones"},
      {"cortex-a72", "aarch64-unknown-linux-gnu", "cortex-a72", "", "", false,
       "Raspberry Pi 4"},
      {"cortex-m0", "thumbv6m-none-eabi", "cortex-m0", "", "", true,
       "Armv6-M, no FPU (soft float)"},
      {"cortex-m3", "thumbv7m-none-eabi", "cortex-m3", "", "", true,
       "Armv7-M, no FPU (soft float)"},
      {"cortex-m4", "thumbv7em-none-eabihf", "cortex-m4", "", "", false,
       "Armv7E-M, DSP, FPv4-SP-D16, hard float"},
      {"cortex-m7", "thumbv7em-none-eabihf", "cortex-m7", "", "", false,
       "Armv7E-M, DSP, FPv5-D16, hard float"},
      {"cortex-m33", "thumbv8m.main-none-eabihf", "cortex-m33", "", "", false,
       "Armv8-M Mainline, DSP, FPv5-SP-D16, hard float"},
      {"cortex-m55", "thumbv8.1m.main-none-eabihf", "cortex-m55", "", "",
       false, "Armv8.1-M, Helium (MVE) with float, hard float"},
      {"riscv32", "riscv32-unknown-none-elf", "generic-rv32", "+m,+a,+c",
       "ilp32", true, "RV32IMAC, ilp32 (soft float)"},
      {"riscv32f", "riscv32-unknown-none-elf", "generic-rv32",
       "+m,+a,+f,+c", "ilp32f", false, "RV32IMAFC, ilp32f"},
      {"riscv64", "riscv64-unknown-linux-gnu", "generic-rv64",
       "+m,+a,+f,+d,+c", "lp64d", false, "RV64GC, lp64d"},
  };
  return presets;
}

/// Whether a target given as a triple has no floating-point unit, from its
/// CPU's default FPU and explicit features (Arm), or its ISA extensions
/// (RISC-V); its objects then need the soft-float expansions.
static bool lacksFPU(const llvm::Triple &triple, llvm::StringRef cpu,
                     llvm::StringRef features) {
  llvm::SmallVector<llvm::StringRef> list;
  features.split(list, ',', -1, false);
  auto has = [&](llvm::StringRef f) { return llvm::is_contained(list, f); };
  if (triple.isARM() || triple.isThumb()) {
    if (has("+soft-float"))
      return true;
    if (triple.isHardFloatABI())
      return false;
    for (llvm::StringRef f : list)
      if (f.starts_with("+vfp") || f.starts_with("+fp-armv8") ||
          f == "+mve.fp")
        return false;
    llvm::ARM::ArchKind arch = llvm::ARM::parseArch(triple.getArchName());
    return llvm::ARM::getDefaultFPU(cpu, arch) ==
           llvm::ARM::FK_NONE;
  }
  if (triple.isRISCV())
    return !has("+f") && !has("+d");
  return false;
}

FailureOr<ResolvedTarget> resolveTarget(const TargetOptions &options,
                                        std::string &error) {
  ResolvedTarget t;
  const TargetPreset *preset = nullptr;
  for (const TargetPreset &p : targetPresets())
    if (options.target == p.name)
      preset = &p;
  if (options.target.empty() || options.target == "host" ||
      options.target == "native") {
    t.triple = llvm::sys::getDefaultTargetTriple();
    t.cpu = "generic";
    if (llvm::Triple(t.triple).getArch() == llvm::Triple::x86_64)
      t.cpu = "x86-64";
    if (options.target == "native") {
      t.cpu = llvm::sys::getHostCPUName().str();
      std::vector<std::string> on;
      for (const auto &f : llvm::sys::getHostCPUFeatures())
        on.push_back((f.second ? "+" : "-") + f.first().str());
      // Sorted, so the same machine always gives the same string.
      llvm::sort(on);
      t.features = llvm::join(on, ",");
    }
  } else if (preset) {
    t.triple = preset->triple;
    t.cpu = preset->cpu;
    t.features = preset->features;
    t.abi = preset->abi;
    t.softFloat = preset->softFloat;
  } else if (options.target.find('-') != std::string::npos &&
             llvm::Triple(options.target).getArch() !=
                 llvm::Triple::UnknownArch) {
    t.triple = options.target;
    t.cpu = "generic";
  } else {
    std::vector<std::string> names;
    for (const TargetPreset &p : targetPresets())
      names.push_back(p.name);
    error = "unknown target '" + options.target + "' (expected " +
            llvm::join(names, ", ") + " or an LLVM triple; see --print-targets)";
    return failure();
  }
  // Normalized, so that a three-part triple keeps its environment:
  // `thumbv7em-none-eabihf` parsed as is has OS `eabihf` and no environment,
  // which silently selects the soft-float ABI (no Tag_ABI_VFP_args, and
  // hard-float firmware refuses to link the object).
  t.triple = llvm::Triple::normalize(t.triple);
  if (!options.cpu.empty())
    t.cpu = options.cpu;
  if (!options.features.empty())
    t.features = t.features.empty() ? options.features
                                    : t.features + "," + options.features;
  // AMD's SSE4a INSERTQ/EXTRQ have no VEX form: LLVM picks them for small
  // shuffles (a broadcast into 2 x i8), and on Zen 2/3 each one between
  // 256-bit AVX instructions costs an SSE/AVX state transition, which made
  // an int8 Gemm 25x slower. Nothing whittle emits needs SSE4a, so it is
  // off unless the user's --mattr names it.
  if (llvm::Triple(t.triple).getArch() == llvm::Triple::x86_64 &&
      !llvm::StringRef(options.features).contains("sse4a"))
    t.features = t.features.empty() ? "-sse4a" : t.features + ",-sse4a";
  if (!preset)
    t.softFloat = lacksFPU(llvm::Triple(t.triple), t.cpu, t.features);
  return t;
}

VectorUnit vectorUnit(const ResolvedTarget &target) {
  static bool initialized = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    return true;
  }();
  (void)initialized;
  llvm::Triple triple(target.triple);
  std::string error;
  const llvm::Target *t = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!t)
    return {};
  // The CPU implies features (-mcpu=znver4 has AVX-512), so ask the
  // subtarget rather than the feature string.
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      t->createMCSubtargetInfo(triple, target.cpu, target.features));
  if (!sti)
    return {};
  if (triple.isThumb() || triple.isARM()) {
    VectorUnit unit;
    unit.dsp = sti->checkFeatures("+dsp");
    return unit;
  }
  if (target.softFloat)
    return {};
  VectorUnit unit;
  if (triple.getArch() == llvm::Triple::x86_64) {
    unit.rounding = sti->checkFeatures("+sse4.1");
    if (sti->checkFeatures("+avx512f")) {
      unit.bits = 512;
      unit.registers = 32;
      unit.dot = sti->checkFeatures("+avx512vnni")  ? "x86-vnni"
                 : sti->checkFeatures("+avx512bw") ? "x86-madd"
                                                   : "";
      unit.reciprocal = true;
    } else if (sti->checkFeatures("+avx")) {
      unit.bits = 256;
      unit.registers = 16;
      unit.dot = sti->checkFeatures("+avxvnni") ||
                         sti->checkFeatures("+avx512vnni,+avx512vl")
                     ? "x86-vnni"
                 : sti->checkFeatures("+avx2") ? "x86-madd"
                                               : "";
    } else {
      unit.bits = 128;
      unit.registers = 16;
      unit.dot = "x86-madd"; // SSE2's pmaddwd
    }
    return unit;
  }
  if (triple.isAArch64() && sti->checkFeatures("+neon")) {
    unit.bits = 128;
    unit.registers = 32;
    unit.dot = sti->checkFeatures("+dotprod") ? "aarch64-sdot" : "";
    unit.rounding = true;
  }
  return unit;
}

namespace {

/// Frame sizes per function from the code generator's stack-usage file
/// (`file:line:name<TAB>bytes<TAB>qualifiers`).
llvm::StringMap<int64_t> readStackUsage(llvm::StringRef path) {
  llvm::StringMap<int64_t> frames;
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return frames;
  llvm::SmallVector<llvm::StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n', -1, false);
  for (llvm::StringRef line : lines) {
    llvm::SmallVector<llvm::StringRef, 3> fields;
    line.split(fields, '\t');
    int64_t bytes;
    if (fields.size() < 2 || fields[1].getAsInteger(10, bytes))
      continue;
    frames[fields[0].rsplit(':').second] = bytes;
  }
  return frames;
}

/// The largest sum of frames along a call chain from `f` (the generated code
/// has no recursion; a cycle would be cut).
int64_t deepestStack(const llvm::Function &f,
                     const llvm::StringMap<int64_t> &frames,
                     llvm::DenseMap<const llvm::Function *, int64_t> &memo) {
  auto [it, inserted] = memo.try_emplace(&f, 0);
  if (!inserted)
    return it->second;
  int64_t deepest = 0;
  for (const llvm::BasicBlock &bb : f)
    for (const llvm::Instruction &inst : bb)
      if (const auto *call = llvm::dyn_cast<llvm::CallBase>(&inst))
        if (const llvm::Function *callee = call->getCalledFunction())
          if (!callee->isDeclaration())
            deepest = std::max(deepest, deepestStack(*callee, frames, memo));
  int64_t total = frames.lookup(f.getName()) + deepest;
  memo[&f] = total;
  return total;
}

void measureObject(llvm::StringRef bytes, ObjectStats &stats) {
  auto object = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(bytes, "object"));
  if (!object) {
    llvm::consumeError(object.takeError());
    return;
  }
  for (const llvm::object::SectionRef &section : (*object)->sections()) {
    auto *elf = llvm::dyn_cast<llvm::object::ELFObjectFileBase>(object->get());
    uint64_t flags = elf ? llvm::object::ELFSectionRef(section).getFlags() : 0;
    if (!(flags & llvm::ELF::SHF_ALLOC))
      continue;
    int64_t size = static_cast<int64_t>(section.getSize());
    if (flags & llvm::ELF::SHF_EXECINSTR)
      stats.codeBytes += size;
    else if (flags & llvm::ELF::SHF_WRITE)
      stats.writableBytes += size;
    else
      stats.readOnlyBytes += size;
  }
}

/// A target machine for one compilation; each thread needs its own. With a
/// `stackFile`, the code generator writes each function's frame size there.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const llvm::Target &target, const ResolvedTarget &resolved,
                    unsigned optLevel, llvm::StringRef stackFile) {
  llvm::TargetOptions to;
  to.MCOptions.ABIName = resolved.abi;
  to.StackUsageOutput = stackFile.str();
  auto codegenOpt = optLevel == 0   ? llvm::CodeGenOptLevel::None
                    : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                    : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                    : llvm::CodeGenOptLevel::Aggressive;
  return std::unique_ptr<llvm::TargetMachine>(target.createTargetMachine(
      llvm::Triple(resolved.triple), resolved.cpu, resolved.features, to,
      llvm::Reloc::PIC_, std::nullopt, codegenOpt));
}

/// Runs the module passes `build` makes from a PassBuilder, with the
/// analyses of `tm`'s target and no library functions (the generated code
/// links with nothing).
template <typename Build>
void runPasses(llvm::Module &module, llvm::TargetMachine &tm,
               llvm::PipelineTuningOptions tuning, Build build) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  // LLVM's instrumentation, so that --time-passes also times the middle end.
  llvm::PassInstrumentationCallbacks pic;
  llvm::StandardInstrumentations si(module.getContext(),
                                    /*DebugLogging=*/false);
  si.registerCallbacks(pic, &mam);
  llvm::PassBuilder pb(&tm, tuning, std::nullopt, &pic);
  llvm::TargetLibraryInfoImpl tlii(module.getTargetTriple());
  tlii.disableAllFunctions();
  fam.registerPass([&] { return llvm::TargetLibraryAnalysis(tlii); });
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = build(pb);
  mpm.run(module, mam);
}

/// LLVM's middle end at `optLevel`.
void optimize(llvm::Module &module, llvm::TargetMachine &tm,
              unsigned optLevel, bool vectorTarget) {
  // On targets with vectors whittle-vectorize-kernels already tiles and
  // unrolls the kernels for the registers; LLVM unrolling them again at
  // -O2 grows the code by 12% and BlazeFace's compile time by a quarter
  // for no measured speed. Scalar targets (Cortex-M, RISC-V without V)
  // keep their plain loops and LLVM's unrolling; -O3 keeps it everywhere.
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = optLevel >= 3 || !vectorTarget;
  runPasses(module, tm, tuning, [&](llvm::PassBuilder &pb) {
    llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                    : optLevel == 1 ? llvm::OptimizationLevel::O1
                                    : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                    : llvm::OptimizationLevel::O3;
    return optLevel == 0 ? pb.buildO0DefaultPipeline(level)
                         : pb.buildPerModuleDefaultPipeline(level);
  });
}

/// The interprocedural part of the middle end, run on the whole module
/// before it is split: constant weights passed to a kernel become its own
/// (IPSCCP), the arguments left unused go (dead argument elimination), and
/// the kernels get the fast calling convention (GlobalOpt). In partitions
/// the kernels are external, where none of this would apply.
void optimizeAcrossKernels(llvm::Module &module, llvm::TargetMachine &tm) {
  runPasses(module, tm, llvm::PipelineTuningOptions(), [](llvm::PassBuilder &) {
    llvm::ModulePassManager mpm;
    mpm.addPass(llvm::IPSCCPPass());
    mpm.addPass(llvm::GlobalOptPass());
    mpm.addPass(llvm::DeadArgumentEliminationPass());
    return mpm;
  });
}

/// Code generation into `out`; false when the target cannot emit `type`.
bool generateCode(llvm::Module &module, llvm::TargetMachine &tm,
                  llvm::CodeGenFileType type, llvm::SmallString<0> &out) {
  // The code generator's passes flush the stack-usage file when destroyed.
  llvm::legacy::PassManager codegen;
  llvm::raw_svector_ostream os(out);
  if (tm.addPassesToEmitFile(codegen, os, nullptr, type))
    return false;
  codegen.run(module);
  return true;
}

/// A temporary file for the code generator's frame sizes, removed with it.
struct StackFile {
  llvm::SmallString<128> path;
  ~StackFile() {
    if (!path.empty())
      llvm::sys::fs::remove(path);
  }
  bool create() {
    int fd;
    if (llvm::sys::fs::createTemporaryFile("whittle-stack", "su", fd, path))
      return false;
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
    return true;
  }
};

/// Optimizes `module` and, with a `type`, generates its code into `out`, on
/// a target machine of its own (one per thread) that writes the frame sizes
/// to `stackFile` (none when empty). An error message, or empty.
std::string compile(llvm::Module &module, const llvm::Target &target,
                    const ResolvedTarget &resolved, const TargetOptions &options,
                    bool vectorTarget, llvm::StringRef stackFile,
                    std::optional<llvm::CodeGenFileType> type,
                    llvm::SmallString<0> &out, TimingScope &root) {
  std::unique_ptr<llvm::TargetMachine> tm =
      createTargetMachine(target, resolved, options.optLevel, stackFile);
  if (!tm)
    return "cannot create a target machine for " + resolved.triple;
  TimingScope phase = root.nest("llvm-optimize");
  optimize(module, *tm, options.optLevel, vectorTarget);
  phase.stop();
  if (!type)
    return "";
  phase = root.nest("llvm-codegen");
  if (!generateCode(module, *tm, *type, out))
    return "target cannot emit this file type";
  return "";
}

} // namespace

LogicalResult emitObject(ModuleOp module, const TargetOptions &options,
                         OutputKind kind, llvm::raw_pwrite_stream &os,
                         ObjectStats *stats, TimingScope *timing) {
  TimingScope root = timing ? timing->nest("emit-object") : TimingScope();
  static bool initialized = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialized;

  std::string error;
  FailureOr<ResolvedTarget> resolved = resolveTarget(options, error);
  if (failed(resolved))
    return module.emitError(error);
  llvm::Triple triple(resolved->triple);
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return module.emitError("target '") << resolved->triple << "': " << error;
  bool measure = stats && kind == OutputKind::Object;
  bool vectorTarget = vectorUnit(*resolved).bits != 0;
  std::unique_ptr<llvm::TargetMachine> tm =
      createTargetMachine(*target, *resolved, options.optLevel, "");
  if (!tm)
    return module.emitError("cannot create a target machine for ")
           << resolved->triple;

  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  module.getContext()->appendDialectRegistry(registry);

  TimingScope phase = root.nest("translate-to-llvm-ir");
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "whittle");
  if (!llvmModule)
    return module.emitError("translation to LLVM IR failed");
  llvmModule->setTargetTriple(triple);
  llvmModule->setDataLayout(tm->createDataLayout());
  // Nothing whittle generates throws. Said here, not left to LLVM to infer:
  // a partition sees only declarations of the kernels it calls, and Arm's
  // unwind tables would then reference the C++ personality routine.
  for (llvm::Function &f : *llvmModule)
    if (!f.isDeclaration()) {
      f.addFnAttr("no-builtins");
      f.setDoesNotThrow();
    }
  if (!options.weightsSection.empty())
    for (llvm::GlobalVariable &g : llvmModule->globals())
      if (g.isConstant() && g.hasInitializer())
        g.setSection(options.weightsSection);
  phase.stop();

  // Objects of large modules are compiled in partitions on the context's
  // threads (ELF only: the partitions are joined by a relocatable link).
  // --time-passes keeps one module, whose report then sums one pipeline.
  unsigned partitions = kind == OutputKind::Object &&
                                triple.isOSBinFormatELF() &&
                                !llvm::TimePassesIsEnabled
                            ? choosePartitions(*llvmModule, options.partitions)
                            : 1;

  llvm::SmallString<0> emitted;
  llvm::StringMap<int64_t> frames;
  if (partitions == 1) {
    StackFile stackFile;
    if (measure && !stackFile.create())
      return module.emitError("cannot create a temporary file");
    std::optional<llvm::CodeGenFileType> type;
    if (kind != OutputKind::LLVMIR)
      type = kind == OutputKind::Assembly ? llvm::CodeGenFileType::AssemblyFile
                                          : llvm::CodeGenFileType::ObjectFile;
    std::string message =
        compile(*llvmModule, *target, *resolved, options, vectorTarget,
                stackFile.path, type, emitted, root);
    if (!message.empty())
      return module.emitError(message);
    if (kind == OutputKind::LLVMIR) {
      llvmModule->print(os, nullptr);
      return success();
    }
    frames = readStackUsage(stackFile.path);
  } else {
    phase = root.nest("llvm-optimize-across-kernels");
    if (options.optLevel > 0)
      optimizeAcrossKernels(*llvmModule, *tm);
    phase.stop();
    phase = root.nest("llvm-split");
    std::vector<llvm::SmallString<0>> bitcode =
        splitModule(*llvmModule, partitions);
    partitions = bitcode.size();
    phase.stop();
    std::vector<llvm::SmallString<0>> objects(partitions);
    std::vector<StackFile> stackFiles(partitions);
    std::vector<std::string> errors(partitions);
    for (StackFile &file : stackFiles)
      if (measure && !file.create())
        return module.emitError("cannot create a temporary file");
    parallelFor(module.getContext(), 0u, partitions, [&](unsigned i) {
      llvm::LLVMContext context;
      llvm::Expected<std::unique_ptr<llvm::Module>> part =
          llvm::parseBitcodeFile(
              llvm::MemoryBufferRef(bitcode[i], "partition"), context);
      if (!part) {
        errors[i] = llvm::toString(part.takeError());
        return;
      }
      errors[i] = compile(**part, *target, *resolved, options, vectorTarget,
                          stackFiles[i].path,
                          llvm::CodeGenFileType::ObjectFile, objects[i], root);
    });
    for (const std::string &message : errors)
      if (!message.empty())
        return module.emitError("code generation of a partition failed: ")
               << message;
    phase = root.nest("link-partitions");
    llvm::Expected<llvm::SmallString<0>> linked = linkPartitions(objects);
    if (!linked)
      return module.emitError(llvm::toString(linked.takeError()));
    emitted = std::move(*linked);
    phase.stop();
    for (StackFile &file : stackFiles)
      for (const auto &entry : readStackUsage(file.path))
        frames[entry.first()] = entry.second;
  }
  os << emitted;
  if (!measure)
    return success();
  stats->triple = resolved->triple;
  stats->cpu = resolved->cpu;
  measureObject(emitted, *stats);
  // Roots are the exported entry points (partitioning leaves the kernels
  // external but hidden).
  llvm::DenseMap<const llvm::Function *, int64_t> memo;
  for (const llvm::Function &f : *llvmModule)
    if (!f.isDeclaration() && f.hasExternalLinkage() &&
        !f.hasHiddenVisibility())
      stats->stackBytes =
          std::max(stats->stackBytes, deepestStack(f, frames, memo));
  return success();
}

} // namespace whittle
