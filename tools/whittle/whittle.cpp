//===- whittle.cpp - The whittle compiler driver --------------------------===//
//
// Part of whittle. model.onnx -> NAME.o | NAME.c (+ NAME.h), or the IR of any
// phase with --emit. Option parsing only; the work lives in lib/.
//
//===----------------------------------------------------------------------===//

#include "whittle/Calibration/DecomposeSearch.h"
#include "whittle/Calibration/Quantize.h"
#include "whittle/Dialect/ONNX/Transforms/Passes.h"
#include "whittle/Import/ONNXImporter.h"
#include "whittle/InitAll.h"
#include "whittle/Pipelines/Pipelines.h"
#include "whittle/Target/C/CEmitter.h"
#include "whittle/Target/Interface/ModelInterface.h"
#include "whittle/Target/Object/EmitObject.h"
#include "whittle/Transforms/KernelStats.h"
#include "whittle/Transforms/Passes.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/CodeGen/CommandFlags.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("whittle options");

static cl::opt<std::string> inputFile(cl::Positional,
                                      cl::desc("<model.onnx | .onnxtxt | .mlir>"),
                                      cl::cat(category));
static cl::opt<std::string>
    outputFile("o", cl::desc("Output file: NAME.o or NAME.c (plus NAME.h), "
                             "or '-' for textual phases"),
               cl::value_desc("file"), cl::init("-"), cl::cat(category));
static cl::opt<std::string>
    emit("emit",
         cl::desc("Stop after a phase: onnx|tosa|linalg|loops|llvm-mlir|"
                  "llvm-ir|asm|obj|c (default: from the -o extension)"),
         cl::init(""), cl::cat(category));
static cl::opt<std::string>
    entryName("name", cl::desc("Prefix of the generated API (default: the "
                               "output file's stem)"),
              cl::init(""), cl::cat(category));
static cl::opt<std::string>
    targetName("target",
               cl::desc("A preset (--print-targets; default: the host), "
                        "native, or an LLVM triple"),
               cl::init(""), cl::cat(category));
static cl::opt<std::string> weightsSection(
    "weights-section",
    cl::desc("Place the weights in this section (e.g. external flash); "
             "default: the target's read-only data"),
    cl::init(""), cl::cat(category));
static cl::opt<uint64_t> maxArena(
    "max-arena",
    cl::desc("Fail if the planned arena needs more than this many bytes"),
    cl::init(0), cl::cat(category));
static cl::opt<int64_t> stringBytes(
    "string-bytes",
    cl::desc("Bytes of each string tensor element: strings are NUL-padded "
             "fixed-width slots (default 64)"),
    cl::init(64), cl::cat(category));
static cl::opt<uint64_t> maxFlash(
    "max-flash",
    cl::desc("Fail if the object's code and read-only data (weights) need "
             "more than this many bytes"),
    cl::init(0), cl::cat(category));
static cl::opt<bool> printTargets("print-targets",
                                  cl::desc("List the --target presets"),
                                  cl::init(false), cl::cat(category));
static cl::opt<unsigned> optLevel(
    "O", cl::desc("Optimization level 0-3 (default 2)"), cl::Prefix,
    cl::init(2), cl::cat(category));
static cl::opt<unsigned> codegenPartitions(
    "codegen-partitions",
    cl::desc("Compile the object in this many partitions, on parallel "
             "threads (default 0: from the model's size; 1: whole)"),
    cl::init(0), cl::cat(category));
static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Pin an input's shape: NAME=d0,d1,... (repeatable)"),
    cl::cat(category));

static cl::opt<std::string> reproducerDir(
    "reproducer-dir",
    cl::desc("Where an internal compiler error writes its MLIR crash "
             "reproducer (default: the system's temporary directory)"),
    cl::init(""), cl::cat(category));
static cl::opt<bool> verifyEach(
    "verify-each",
    cl::desc("Verify the IR after every pass, not only after the pipeline "
             "(slower; finds the pass that broke it)"),
    cl::init(false), cl::cat(category));
static cl::opt<std::string> testInternalError(
    "test-internal-error", cl::Hidden,
    cl::desc("Test only: end the pipeline with a pass that fails, crashes "
             "or leaves invalid IR"),
    cl::init(""));

static cl::OptionCategory lightCategory("lightweighting options");
static cl::opt<bool> noGraphOpt(
    "no-graph-opt",
    cl::desc("Turn off graph optimizations (BatchNorm and Pad folding, "
             "transpose sinking, in-place elementwise kernels), e.g. to "
             "measure what they bring"),
    cl::init(false), cl::cat(lightCategory));
static cl::opt<std::string> decomposeConv(
    "decompose-conv",
    cl::desc("Rewrite regular convolutions as depthwise + pointwise: off "
             "(default), auto (smallest rank within --decompose-error, "
             "measured on --calibration) or rank:N"),
    cl::init("off"), cl::cat(lightCategory));
static cl::opt<double> decomposeError(
    "decompose-error",
    cl::desc("Largest relative error ||y'-y||/||y|| accepted at a rewritten "
             "layer's output in --decompose-conv=auto (default 0.01)"),
    cl::init(0.01), cl::cat(lightCategory));
static cl::list<std::string> decomposeSkip(
    "decompose-conv-skip", cl::CommaSeparated,
    cl::desc("ONNX node names of convolutions never to rewrite"),
    cl::cat(lightCategory));
static cl::opt<std::string> calibrationDir(
    "calibration",
    cl::desc("Directory of .npy calibration inputs (one file per sample, or "
             "one subdirectory per sample with <input>.npy files)"),
    cl::init(""), cl::cat(lightCategory));
static cl::OptionCategory quantCategory("quantization options");
static cl::opt<std::string> quantize(
    "quantize",
    cl::desc("Post-training quantization: off (default) or int8 (ranges "
             "measured on --calibration)"),
    cl::init("off"), cl::cat(quantCategory));
static cl::opt<std::string> ioMode(
    "io",
    cl::desc("Model inputs and outputs: float (default; quantized inside the "
             "model) or int8 (with --quantize=int8: each quantized input and "
             "output is int8, its scale and zero point in the header)"),
    cl::init("float"), cl::cat(quantCategory));
static cl::opt<std::string> calibrationMethod(
    "calibration-method",
    cl::desc("How --quantize=int8 turns measured values into ranges: minmax "
             "(default), percentile:P (e.g. percentile:99.99) or entropy "
             "(KL divergence)"),
    cl::init("minmax"), cl::cat(quantCategory));
static cl::list<std::string> quantizeSkip(
    "quantize-skip", cl::CommaSeparated,
    cl::desc("ONNX node names of layers kept in float"), cl::cat(quantCategory));
static cl::list<std::string> quantizeInt16(
    "quantize-int16", cl::CommaSeparated,
    cl::desc("ONNX node names of layers with int16 activations (weights stay "
             "int8; A16W8), or 'all'"),
    cl::cat(quantCategory));
static cl::opt<double> quantizeError(
    "quantize-error",
    cl::desc("Give the most sensitive layers int16 activations, then keep "
             "them in float, until the outputs' relative error "
             "||y'-y||/||y|| on --calibration is within E"),
    cl::init(-1), cl::cat(quantCategory));
static cl::opt<std::string> reportFile(
    "report",
    cl::desc("Write the compilation report (.json or .md): kernels, arena "
             "and weight bytes, and the per-layer decomposition"),
    cl::init(""), cl::cat(lightCategory));

namespace {

/// Formats diagnostics as `model.onnx: node 'conv_3' (Conv): error: ...`.
class DriverDiagnostics {
public:
  explicit DriverDiagnostics(MLIRContext &ctx) {
    id = ctx.getDiagEngine().registerHandler([this](Diagnostic &diag) {
      // The crash reproducer's own summary: the driver reports internal
      // errors itself (runPipeline).
      if (StringRef(diag.str()).starts_with(
              "Failures have been detected while processing an MLIR pass "
              "pipeline"))
        return success();
      print(diag);
      if (diag.getSeverity() == DiagnosticSeverity::Error)
        ++errors;
      return success();
    });
    (void)id;
  }
  unsigned errors = 0;

private:
  /// Nodes are located by a FusedLoc whose metadata is the op type; a bare
  /// NameLoc names a tensor (an initializer).
  static void describe(Location loc, std::string &file, std::string &node,
                       std::string &opType, bool &isNode) {
    if (auto fused = llvm::dyn_cast<FusedLoc>(loc)) {
      if (auto md = llvm::dyn_cast_or_null<StringAttr>(fused.getMetadata())) {
        isNode = true;
        if (opType.empty())
          opType = md.str();
      }
      for (Location l : fused.getLocations())
        describe(l, file, node, opType, isNode);
    } else if (auto name = llvm::dyn_cast<NameLoc>(loc)) {
      if (node.empty())
        node = name.getName().str();
      describe(name.getChildLoc(), file, node, opType, isNode);
    } else if (auto flc = llvm::dyn_cast<FileLineColLoc>(loc)) {
      if (file.empty()) {
        file = flc.getFilename().str();
        if (flc.getLine() != 0)
          file += ":" + std::to_string(flc.getLine()) + ":" +
                  std::to_string(flc.getColumn());
      }
    } else if (auto cs = llvm::dyn_cast<CallSiteLoc>(loc)) {
      describe(cs.getCallee(), file, node, opType, isNode);
    }
  }

  void print(Diagnostic &diag) {
    std::string file, node, opType;
    bool isNode = false;
    describe(diag.getLocation(), file, node, opType, isNode);
    auto &os = llvm::errs();
    os << (file.empty() ? std::string("whittle") : file) << ": ";
    if (!node.empty()) {
      os << (isNode ? "node '" : "tensor '") << node << "'";
      if (!opType.empty())
        os << " (" << opType << ")";
      os << ": ";
    }
    switch (diag.getSeverity()) {
    case DiagnosticSeverity::Error:
      os << "error: ";
      break;
    case DiagnosticSeverity::Warning:
      os << "warning: ";
      break;
    case DiagnosticSeverity::Note:
      os << "note: ";
      break;
    case DiagnosticSeverity::Remark:
      os << "remark: ";
      break;
    }
    os << diag.str() << "\n";
    for (Diagnostic &note : diag.getNotes())
      print(note);
  }

  DiagnosticEngine::HandlerID id;
};

/// Writes `contents` to `path` through a temporary in the same directory and
/// a rename, so a failed or interrupted run leaves no partial output.
LogicalResult writeAtomically(StringRef path, StringRef contents) {
  if (path == "-") {
    llvm::outs() << contents;
    return success();
  }
  SmallString<256> tmp;
  int fd;
  if (auto ec = llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, tmp)) {
    llvm::errs() << path << ": error: cannot create: " << ec.message() << "\n";
    return failure();
  }
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << contents;
    os.close();
    if (os.has_error()) {
      llvm::errs() << path << ": error: write failed\n";
      llvm::sys::fs::remove(tmp);
      return failure();
    }
  }
  if (auto ec = llvm::sys::fs::rename(tmp, path)) {
    llvm::errs() << path << ": error: cannot write: " << ec.message() << "\n";
    llvm::sys::fs::remove(tmp);
    return failure();
  }
  return success();
}

LogicalResult parseInputShapes(whittle::ImportOptions &options) {
  for (const std::string &spec : inputShapes) {
    StringRef s(spec);
    size_t eq = s.rfind('=');
    if (eq == StringRef::npos || eq == 0) {
      llvm::errs() << "whittle: error: --input-shape expects NAME=d0,d1,..., "
                      "got '"
                   << spec << "'\n";
      return failure();
    }
    std::vector<int64_t> dims;
    SmallVector<StringRef> parts;
    s.substr(eq + 1).split(parts, ',', -1, /*KeepEmpty=*/false);
    for (StringRef p : parts) {
      int64_t d;
      // 0 is allowed: an empty input (its shape is all the graph reads).
      if (p.trim().getAsInteger(10, d) || d < 0) {
        llvm::errs() << "whittle: error: --input-shape '" << spec
                     << "': dimension '" << p
                     << "' is not a non-negative integer\n";
        return failure();
      }
      dims.push_back(d);
    }
    options.inputShapes[s.substr(0, eq).str()] = dims;
  }
  return success();
}

std::string defaultName(StringRef output, StringRef input) {
  StringRef base = output == "-" ? input : output;
  std::string stem = llvm::sys::path::stem(base).str();
  for (char &c : stem)
    if (!llvm::isAlnum(c) && c != '_')
      c = '_';
  if (stem.empty() || llvm::isDigit(stem.front()))
    stem = "m_" + stem;
  return stem;
}

/// Runs `pm` with an MLIR crash reproducer armed. A pass that fails after
/// reporting an error is the user's problem, and its reproducer is deleted;
/// one that fails silently or crashes is an internal compiler error: the
/// reproducer is kept and the user told where it is.
LogicalResult runPipeline(PassManager &pm, ModuleOp module,
                          const DriverDiagnostics &diagnostics) {
  SmallString<256> repro;
  std::error_code ec;
  if (reproducerDir.empty()) {
    ec = llvm::sys::fs::createTemporaryFile("whittle-reproducer", "mlir",
                                            repro);
  } else {
    int fd;
    ec = llvm::sys::fs::createUniqueFile(
        reproducerDir + "/whittle-reproducer-%%%%%%.mlir", fd, repro);
    if (!ec)
      llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  }
  if (ec)
    return pm.run(module); // no reproducer, but still a compile
  pm.enableCrashReproducerGeneration(repro);
  unsigned errorsBefore = diagnostics.errors;
  if (succeeded(pm.run(module))) {
    llvm::sys::fs::remove(repro);
    // Verifying after every pass was a third of the passes' time on
    // BlazeFace; by default the result is verified once.
    if (!verifyEach && failed(verify(module))) {
      llvm::errs() << inputFile
                   << ": error: internal compiler error: the pipeline "
                      "produced invalid IR (--verify-each names the pass)\n";
      return failure();
    }
    return success();
  }
  if (diagnostics.errors != errorsBefore) {
    llvm::sys::fs::remove(repro);
    return failure();
  }
  llvm::errs() << inputFile
               << ": error: internal compiler error: a pass failed without "
                  "saying why; MLIR reproducer: "
               << repro << " (replay: whittle-opt --run-reproducer " << repro
               << ")\n";
  return failure();
}

enum class Emit { ONNX, TOSA, Linalg, Loops, LLVMMLIR, LLVMIR, Asm, Obj, C };

std::optional<Emit> resolveEmit(StringRef emitFlag, StringRef output) {
  if (emitFlag.empty()) {
    StringRef ext = llvm::sys::path::extension(output);
    return llvm::StringSwitch<std::optional<Emit>>(ext)
        .Case(".o", Emit::Obj)
        .Case(".obj", Emit::Obj)
        .Case(".c", Emit::C)
        .Case(".s", Emit::Asm)
        .Case(".ll", Emit::LLVMIR)
        .Default(std::nullopt);
  }
  return llvm::StringSwitch<std::optional<Emit>>(emitFlag)
      .Case("onnx", Emit::ONNX)
      .Case("tosa", Emit::TOSA)
      .Case("linalg", Emit::Linalg)
      .Case("loops", Emit::Loops)
      .Case("llvm-mlir", Emit::LLVMMLIR)
      .Case("llvm-ir", Emit::LLVMIR)
      .Case("asm", Emit::Asm)
      .Case("obj", Emit::Obj)
      .Case("c", Emit::C)
      .Default(std::nullopt);
}

/// --calibration's samples for the model's inputs (errors printed).
std::optional<whittle::CalibrationSet> loadCalibration(func::FuncOp mainFunc) {
  auto interface = whittle::describeModel(mainFunc);
  if (failed(interface))
    return std::nullopt;
  std::string err;
  auto calibration =
      whittle::loadCalibrationSet(calibrationDir, *interface, err);
  if (!calibration)
    llvm::errs() << err << "\n";
  return calibration;
}

/// --quantize=int8: calibrates and rewrites @main into the QDQ form that the
/// pipeline's onnx-fuse-qdq turns into integer kernels; fills `report`.
LogicalResult quantizeStep(ModuleOp module, func::FuncOp mainFunc,
                           std::optional<whittle::QuantizeReport> &report) {
  if (ioMode != "float" && ioMode != "int8") {
    llvm::errs() << "whittle: error: --io must be float or int8, got '"
                 << ioMode << "'\n";
    return failure();
  }
  if (quantize == "off") {
    const char *flag = ioMode == "int8"                      ? "--io=int8"
                       : quantizeSkip.getNumOccurrences()    ? "--quantize-skip"
                       : quantizeInt16.getNumOccurrences()   ? "--quantize-int16"
                       : quantizeError.getNumOccurrences()   ? "--quantize-error"
                       : calibrationMethod.getNumOccurrences()
                           ? "--calibration-method"
                           : nullptr;
    if (flag) {
      llvm::errs() << "whittle: error: " << flag << " needs --quantize=int8\n";
      return failure();
    }
    return success();
  }
  if (quantize != "int8") {
    llvm::errs() << "whittle: error: --quantize must be off or int8, got '"
                 << quantize << "'\n";
    return failure();
  }
  whittle::QuantizeOptions options;
  auto method =
      whittle::parseCalibrationMethod(calibrationMethod, options.percentile);
  if (!method) {
    llvm::errs() << "whittle: error: --calibration-method must be minmax, "
                    "percentile:P (50 < P <= 100) or entropy, got '"
                 << calibrationMethod << "'\n";
    return failure();
  }
  options.method = *method;
  options.skip.assign(quantizeSkip.begin(), quantizeSkip.end());
  options.int16.assign(quantizeInt16.begin(), quantizeInt16.end());
  if (quantizeError.getNumOccurrences()) {
    if (!(quantizeError >= 0)) {
      llvm::errs() << "whittle: error: --quantize-error must be >= 0\n";
      return failure();
    }
    options.maxError = quantizeError;
  }
  if (calibrationDir.empty()) {
    llvm::errs() << "whittle: error: --quantize=int8 measures activation "
                    "ranges on calibration inputs: give --calibration=DIR\n";
    return failure();
  }
  auto calibration = loadCalibration(mainFunc);
  if (!calibration)
    return failure();
  // Quantize the graph the pipeline will lower: cleaned up (BatchNorm
  // folded) and decomposed first.
  PassManager prepare(module.getContext());
  whittle::PipelineOptions cleanupOptions;
  cleanupOptions.graphOptimizations = !noGraphOpt;
  whittle::buildGraphCleanupPipeline(prepare, cleanupOptions);
  prepare.addNestedPass<func::FuncOp>(whittle::createDecomposeConvPass());
  prepare.addNestedPass<func::FuncOp>(whittle::createEqualizeDepthwisePass());
  if (failed(prepare.run(module)))
    return failure();
  report.emplace();
  if (failed(whittle::quantizeModel(module, options, *calibration, *report)))
    return failure();
  if (ioMode == "float")
    return success();
  PassManager io(module.getContext());
  whittle::Int8IOPassOptions ioOptions;
  ioOptions.warnFloat = true;
  io.addNestedPass<func::FuncOp>(whittle::createInt8IOPass(ioOptions));
  return io.run(module);
}

/// --decompose-conv: chooses (auto: measures) each convolution's rank and
/// records it on the op for the pipeline's onnx-decompose-conv pass; fills
/// `report` unless the mode is off.
LogicalResult lightweight(ModuleOp module, func::FuncOp mainFunc,
                          std::optional<whittle::DecomposeReport> &report) {
  StringRef mode = decomposeConv;
  if (mode == "off")
    return success();
  whittle::DecomposeOptions options;
  options.maxError = decomposeError;
  options.skip.assign(decomposeSkip.begin(), decomposeSkip.end());
  if (mode.consume_front("rank:")) {
    if (mode.getAsInteger(10, options.forcedRank) || options.forcedRank <= 0) {
      llvm::errs() << "whittle: error: --decompose-conv=rank:N needs a "
                      "positive N, got '"
                   << decomposeConv << "'\n";
      return failure();
    }
  } else if (mode != "auto") {
    llvm::errs() << "whittle: error: --decompose-conv must be off, auto or "
                    "rank:N, got '"
                 << decomposeConv << "'\n";
    return failure();
  }
  if (!(options.maxError >= 0)) {
    llvm::errs() << "whittle: error: --decompose-error must be >= 0\n";
    return failure();
  }
  std::optional<whittle::CalibrationSet> calibration;
  if (!calibrationDir.empty()) {
    calibration = loadCalibration(mainFunc);
    if (!calibration)
      return failure();
  } else if (options.forcedRank == 0) {
    llvm::errs() << "whittle: error: --decompose-conv=auto measures each "
                    "layer on calibration inputs: give --calibration=DIR\n";
    return failure();
  }
  // Measure layers as the pipeline will see them: BatchNormalization folded.
  PassManager cleanup(module.getContext());
  whittle::PipelineOptions cleanupOptions;
  cleanupOptions.graphOptimizations = !noGraphOpt;
  whittle::buildGraphCleanupPipeline(cleanup, cleanupOptions);
  if (failed(cleanup.run(module)))
    return failure();
  report.emplace();
  return whittle::planDecomposition(
      module, options, calibration ? &*calibration : nullptr, *report);
}

int run() {
  if (printTargets) {
    llvm::outs() << "Targets (--target=NAME; -mcpu=, -mattr= refine them):\n";
    for (const whittle::TargetPreset &p : whittle::targetPresets())
      llvm::outs() << llvm::formatv("  {0,-12} {1,-30} {2}\n", p.name,
                                    *p.triple ? p.triple : "(host)",
                                    p.description);
    return 0;
  }
  if (inputFile.empty()) {
    llvm::errs() << "whittle: error: no input model (see --help)\n";
    return 1;
  }
  std::optional<Emit> emitKind = resolveEmit(emit, outputFile);
  if (!emitKind) {
    llvm::errs() << "whittle: error: "
                 << (emit.empty()
                         ? "cannot tell what to emit from '" + outputFile +
                               "': use -o NAME.o or NAME.c, or --emit="
                         : "unknown --emit value '" + emit + "'")
                 << "\n";
    return 1;
  }
  bool binaryOut = *emitKind == Emit::Obj || *emitKind == Emit::C;
  if (binaryOut && outputFile == "-") {
    llvm::errs() << "whittle: error: --emit=obj and --emit=c need -o FILE "
                    "(the header is written next to it)\n";
    return 1;
  }
  if (maxFlash && *emitKind != Emit::Obj) {
    llvm::errs() << "whittle: error: --max-flash measures an object: use "
                    "-o NAME.o (the C output's size depends on its compiler)\n";
    return 1;
  }
  std::string name = entryName.empty() ? defaultName(outputFile, inputFile)
                                       : entryName.getValue();
  if (!whittle::isValidCIdentifier(name)) {
    llvm::errs() << "whittle: error: --name '" << name
                 << "' is not a valid C identifier\n";
    return 1;
  }
  whittle::TargetOptions targetOptions;
  targetOptions.target = targetName;
  targetOptions.cpu = llvm::codegen::getMCPU();
  targetOptions.features = llvm::join(llvm::codegen::getMAttrs(), ",");
  targetOptions.optLevel = optLevel;
  targetOptions.weightsSection = weightsSection;
  targetOptions.partitions = codegenPartitions;
  if (optLevel > 3) {
    llvm::errs() << "whittle: error: -O" << optLevel << " (expected 0-3)\n";
    return 1;
  }
  std::string targetError;
  FailureOr<whittle::ResolvedTarget> resolvedTarget =
      whittle::resolveTarget(targetOptions, targetError);
  if (failed(resolvedTarget)) {
    llvm::errs() << "whittle: error: " << targetError << "\n";
    return 1;
  }
  whittle::ImportOptions importOptions;
  if (failed(parseInputShapes(importOptions)))
    return 1;
  if (stringBytes < 1 || stringBytes > (int64_t(1) << 20)) {
    llvm::errs() << "whittle: error: --string-bytes must be in [1, 1048576]\n";
    return 1;
  }
  importOptions.stringBytes = stringBytes;
  if (llvm::Triple(resolvedTarget->triple).isArch32Bit())
    importOptions.addressBits = 32;

  // --mlir-timing: the whole compilation, its passes and LLVM's phases.
  DefaultTimingManager timingManager;
  applyDefaultTimingManagerCLOptions(timingManager);
  TimingScope timing = timingManager.getRootScope();
  TimingScope phase = timing.nest("import");

  DialectRegistry registry;
  whittle::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Messages name the node; dumping the op would only repeat it as IR.
  context.printOpOnDiagnostic(false);
  DriverDiagnostics diagnostics(context);

  OwningOpRef<ModuleOp> module;
  StringRef ext = llvm::sys::path::extension(inputFile);
  if (ext == ".mlir") {
    llvm::SourceMgr sourceMgr;
    std::string err;
    auto buffer = openInputFile(inputFile, &err);
    if (!buffer) {
      llvm::errs() << inputFile << ": error: " << err << "\n";
      return 1;
    }
    sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  } else if (ext == ".onnxtxt") {
    auto buffer = llvm::MemoryBuffer::getFile(inputFile);
    if (!buffer) {
      llvm::errs() << inputFile << ": error: cannot read: "
                   << buffer.getError().message() << "\n";
      return 1;
    }
    module = whittle::importONNXText((*buffer)->getBuffer(), inputFile,
                                     &context, importOptions);
  } else {
    module = whittle::importONNXFile(inputFile, &context, importOptions);
  }
  if (!module)
    return 1;

  auto mainFunc = module->lookupSymbol<func::FuncOp>("main");
  if (!mainFunc) {
    llvm::errs() << inputFile << ": error: no @main function\n";
    return 1;
  }
  phase = timing.nest("calibrate");
  std::optional<whittle::DecomposeReport> decomposeReport;
  if (failed(lightweight(*module, mainFunc, decomposeReport)))
    return 1;
  std::optional<whittle::QuantizeReport> quantizeReport;
  if (failed(quantizeStep(*module, mainFunc, quantizeReport)))
    return 1;
  // The interface as the caller sees it (int8 tensors with --io=int8).
  FailureOr<whittle::ModelInterface> interface;
  if (binaryOut) {
    interface = whittle::describeModel(mainFunc);
    if (failed(interface))
      return 1;
  }

  whittle::Phase stop = whittle::Phase::LLVM;
  switch (*emitKind) {
  case Emit::ONNX:
    stop = whittle::Phase::ONNX;
    break;
  case Emit::TOSA:
    stop = whittle::Phase::TOSA;
    break;
  case Emit::Linalg:
    stop = whittle::Phase::Linalg;
    break;
  case Emit::Loops:
  case Emit::C:
    stop = whittle::Phase::Loops;
    break;
  default:
    break;
  }
  whittle::PipelineOptions pipelineOptions;
  pipelineOptions.name = name;
  pipelineOptions.graphOptimizations = !noGraphOpt;
  // The C output is the same for every target; only objects for FPU-less
  // targets need sqrt and min/max kept away from libm.
  pipelineOptions.softFloat =
      resolvedTarget->softFloat && *emitKind != Emit::C;
  if (llvm::Triple(resolvedTarget->triple).isArch32Bit()) {
    pipelineOptions.indexBitwidth = 32;
    pipelineOptions.divideI64 = *emitKind != Emit::C;
  }
  // Objects get kernels tiled for the target's vector registers; the C
  // output stays portable scalar loops.
  if (*emitKind != Emit::C) {
    whittle::VectorUnit unit = whittle::vectorUnit(*resolvedTarget);
    pipelineOptions.vectorBits = unit.bits;
    pipelineOptions.vectorRegisters = unit.registers;
    pipelineOptions.dot = unit.dot;
    pipelineOptions.reciprocal = unit.reciprocal;
    pipelineOptions.nativeRounding = unit.rounding;
    pipelineOptions.dsp = unit.dsp;
  }
  // The report reads the loops level, so the pipeline pauses there.
  std::optional<whittle::KernelStats> stats;
  bool wantStats = !reportFile.empty() && stop >= whittle::Phase::Loops;
  whittle::Phase from = whittle::Phase::ONNX;
  for (whittle::Phase to :
       {wantStats ? whittle::Phase::Loops : stop, stop}) {
    if (to == from)
      continue;
    PassManager pm(&context);
    if (failed(applyPassManagerCLOptions(pm)))
      return 1;
    phase = timing.nest("passes");
    pm.enableTiming(phase);
    pm.enableVerifier(verifyEach);
    if (failed(whittle::buildPipeline(pm, from, to, pipelineOptions))) {
      llvm::errs() << "whittle: error: cannot build the pass pipeline\n";
      return 1;
    }
    if (!testInternalError.empty() && to == stop) {
      if (testInternalError != "fail" && testInternalError != "crash" &&
          testInternalError != "invalid") {
        llvm::errs()
            << "whittle: error: --test-internal-error=fail|crash|invalid\n";
        return 1;
      }
      whittle::TestInternalErrorPassOptions o;
      o.crash = testInternalError == "crash";
      o.invalid = testInternalError == "invalid";
      pm.addPass(whittle::createTestInternalErrorPass(o));
    }
    if (failed(runPipeline(pm, *module, diagnostics)))
      return 1;
    if (wantStats && to == whittle::Phase::Loops)
      stats = whittle::collectKernelStats(*module);
    from = to;
  }
  phase.stop();
  std::optional<whittle::ObjectStats> objectStats;
  // Written with the output, so that a failed run leaves neither.
  auto writeReport = [&]() -> LogicalResult {
    if (reportFile.empty())
      return success();
    std::string text;
    llvm::raw_string_ostream os(text);
    whittle::writeReport(stats ? &*stats : nullptr,
                         decomposeReport ? &*decomposeReport : nullptr,
                         quantizeReport ? &*quantizeReport : nullptr,
                         objectStats ? &*objectStats : nullptr,
                         llvm::sys::path::extension(reportFile) == ".json",
                         os);
    return writeAtomically(reportFile, text);
  };

  // Textual IR phases.
  if (!binaryOut && *emitKind != Emit::LLVMIR && *emitKind != Emit::Asm) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    return failed(writeAtomically(outputFile, text)) || failed(writeReport())
               ? 1
               : 0;
  }

  if (binaryOut) {
    // The planned arena size lives on the model function.
    int64_t arena = -1;
    module->walk([&](Operation *op) {
      if (auto a = op->getAttrOfType<IntegerAttr>(whittle::kArenaSizeAttr))
        arena = a.getInt();
    });
    if (arena < 0) {
      llvm::errs() << "whittle: error: internal: no planned arena\n";
      return 1;
    }
    interface->arenaSize = arena;
    if (maxArena && static_cast<uint64_t>(arena) > maxArena) {
      llvm::errs() << inputFile << ": error: the arena needs " << arena
                   << " bytes, more than --max-arena=" << maxArena << "\n";
      return 1;
    }
  }

  SmallString<0> body;
  llvm::raw_svector_ostream bodyOs(body);
  SmallString<256> headerPath(outputFile);
  llvm::sys::path::replace_extension(headerPath, ".h");
  std::string headerName = llvm::sys::path::filename(headerPath).str();
  if (*emitKind == Emit::C) {
    whittle::CEmitOptions cOptions;
    cOptions.name = name;
    cOptions.headerName = headerName;
    cOptions.weightsSection = weightsSection;
    if (failed(whittle::translateToC(*module, cOptions, bodyOs)))
      return 1;
  } else {
    auto kind = *emitKind == Emit::LLVMIR  ? whittle::OutputKind::LLVMIR
                : *emitKind == Emit::Asm   ? whittle::OutputKind::Assembly
                                           : whittle::OutputKind::Object;
    if (kind == whittle::OutputKind::Object &&
        (!reportFile.empty() || maxFlash))
      objectStats.emplace();
    if (failed(whittle::emitObject(*module, targetOptions, kind, bodyOs,
                                   objectStats ? &*objectStats : nullptr,
                                   &timing)))
      return 1;
  }
  if (diagnostics.errors)
    return 1;
  if (maxFlash && objectStats) {
    uint64_t flash = objectStats->codeBytes + objectStats->readOnlyBytes;
    if (flash > maxFlash) {
      llvm::errs() << inputFile << ": error: code and weights need " << flash
                   << " bytes of flash (" << objectStats->codeBytes
                   << " code, " << objectStats->readOnlyBytes
                   << " read-only data), more than --max-flash=" << maxFlash
                   << "\n";
      return 1;
    }
  }
  if (binaryOut) {
    std::string header;
    llvm::raw_string_ostream hos(header);
    whittle::emitHeader(*interface, name, inputFile, hos);
    if (failed(writeAtomically(headerPath, header)))
      return 1;
  }
  return failed(writeAtomically(outputFile, body)) || failed(writeReport())
             ? 1
             : 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Passes first: --mlir-print-ir-before/after parse pass names.
  whittle::registerAllPasses();
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  // -mcpu and -mattr are LLVM's code generation flags, which lld registers
  // too when it joins the partitions of a parallel compile: registered here
  // first, they are defined once. The other flags stay out of --help.
  llvm::StringSet<> before;
  for (const auto &entry : cl::getRegisteredOptions())
    before.insert(entry.first);
  static llvm::codegen::RegisterCodeGenFlags codegenFlags;
  for (const auto &entry : cl::getRegisteredOptions()) {
    if (before.contains(entry.first))
      continue;
    if (entry.first == "mcpu" || entry.first == "mattr")
      entry.second->addCategory(category);
    else
      entry.second->setHiddenFlag(cl::ReallyHidden);
  }
  // --help lists whittle's options and MLIR's IR inspection flags. The
  // hundreds of internal flags that every backend in libLLVM registers
  // (amdgpu-*, instcombine-*, ...) move to --help-hidden.
  static cl::OptionCategory irCategory("IR inspection options");
  static const char *const inspection[] = {
      "mlir-print-ir-after-all",  "mlir-print-ir-before-all",
      "mlir-print-ir-after",      "mlir-print-ir-before",
      "mlir-print-ir-after-change", "mlir-print-ir-after-failure",
      "mlir-print-ir-tree-dir",   "mlir-print-ir-module-scope",
      "mlir-print-debuginfo",     "mlir-elide-elementsattrs-if-larger",
      "mlir-timing",              "mlir-timing-display",
      "mlir-pass-statistics",     "mlir-disable-threading"};
  auto &options = cl::getRegisteredOptions();
  for (const char *name : inspection)
    if (auto it = options.find(name); it != options.end())
      it->second->addCategory(irCategory);
  const cl::OptionCategory *shown[] = {&category, &lightCategory,
                                       &quantCategory, &irCategory};
  // LLVM's own --help, --help-list and --version stay visible.
  static const char *const generic[] = {"help", "help-list", "version"};
  for (const auto &entry : options) {
    cl::Option *o = entry.second;
    if (o->getOptionHiddenFlag() != cl::NotHidden ||
        llvm::is_contained(generic, entry.first))
      continue;
    if (llvm::none_of(o->Categories, [&](cl::OptionCategory *c) {
          return llvm::is_contained(shown, c);
        }))
      o->setHiddenFlag(cl::Hidden);
  }
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "whittle " << WHITTLE_VERSION << " (MLIR/LLVM " << LLVM_VERSION_STRING
       << ")\n";
  });
  cl::ParseCommandLineOptions(
      argc, argv,
      "whittle: ONNX models to dependency-free C or object files\n\n"
      "  whittle model.onnx -o out.o     object + out.h\n"
      "  whittle model.onnx -o out.c     C99 + out.h\n"
      "  whittle model.onnx --emit=tosa  IR after a phase\n");
  return run();
}
