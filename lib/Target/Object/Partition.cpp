//===- Partition.cpp - Parallel code generation in partitions -------------===//
//
// Part of whittle. LLVM's optimizer and code generator are single-threaded
// per LLVMContext, and take two thirds of a large model's compile time. The
// kernels are separate functions called from the entry point, so they split
// cleanly: each partition is compiled on its own thread, and `ld.lld -r`
// joins the objects into the one object users link.
//
//===----------------------------------------------------------------------===//

#include "whittle/Target/Object/Partition.h"

#include "lld/Common/Driver.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Module.h"
#include "llvm/ObjCopy/CommonConfig.h"
#include "llvm/ObjCopy/ELF/ELFConfig.h"
#include "llvm/ObjCopy/ELF/ELFObjcopy.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/Cloning.h"

LLD_HAS_DRIVER(elf)

namespace whittle {

namespace {

/// Instructions per partition, before optimization: BlazeFace front makes
/// seven for x86-64 (30k) and three for Cortex-M4 (14k), enough for two
/// threads to balance; the examples (under 3k, compiled in a few tenths of
/// a second) stay whole.
constexpr unsigned kInstructionsPerPartition = 4000;
constexpr unsigned kMaxPartitions = 8;

/// Adds the global values `c` refers to, through constant expressions and
/// aggregates, to `out`.
void collectGlobals(const llvm::Constant *c,
                    llvm::SmallPtrSetImpl<const llvm::Constant *> &seen,
                    llvm::SmallVectorImpl<const llvm::GlobalValue *> &out) {
  if (!seen.insert(c).second)
    return;
  if (const auto *gv = llvm::dyn_cast<llvm::GlobalValue>(c)) {
    out.push_back(gv);
    return;
  }
  for (const llvm::Use &op : c->operands())
    if (const auto *operand = llvm::dyn_cast<llvm::Constant>(op.get()))
      collectGlobals(operand, seen, out);
}

/// lld's driver resets every registered command-line option to its default
/// and parses its own -mllvm flags (none here). With the registry emptied
/// while it runs, and put back as it was, the caller's options keep the
/// values its user gave, and stay registered.
class DetachedOptions {
public:
  DetachedOptions() {
    for (llvm::cl::SubCommand *sub : llvm::cl::getRegisteredSubcommands()) {
      saved.push_back({sub, std::move(sub->OptionsMap),
                       std::move(sub->PositionalOpts),
                       std::move(sub->SinkOpts), sub->ConsumeAfterOpt});
      sub->OptionsMap.clear();
      sub->PositionalOpts.clear();
      sub->SinkOpts.clear();
      sub->ConsumeAfterOpt = nullptr;
    }
  }
  ~DetachedOptions() {
    for (Registry &r : saved) {
      r.sub->OptionsMap = std::move(r.options);
      r.sub->PositionalOpts = std::move(r.positional);
      r.sub->SinkOpts = std::move(r.sink);
      r.sub->ConsumeAfterOpt = r.consumeAfter;
    }
  }

private:
  struct Registry {
    llvm::cl::SubCommand *sub;
    llvm::DenseMap<llvm::StringRef, llvm::cl::Option *> options;
    llvm::SmallVector<llvm::cl::Option *, 4> positional, sink;
    llvm::cl::Option *consumeAfter;
  };
  llvm::SmallVector<Registry> saved;
};

} // namespace

unsigned choosePartitions(const llvm::Module &m, unsigned requested) {
  // Aliases, comdats and llvm.used tie symbols together in ways the split
  // below does not follow; the generated code has none of them.
  if (!m.alias_empty() || !m.ifunc_empty() || !m.getComdatSymbolTable().empty() ||
      m.getNamedGlobal("llvm.used") || m.getNamedGlobal("llvm.compiler.used"))
    return 1;
  unsigned instructions = 0, definitions = 0;
  for (const llvm::Function &f : m)
    if (!f.isDeclaration()) {
      instructions += f.getInstructionCount();
      ++definitions;
    }
  unsigned count = requested ? requested
                             : std::min(instructions / kInstructionsPerPartition,
                                        kMaxPartitions);
  return std::max(1u, std::min(count, definitions));
}

std::vector<llvm::SmallString<0>> splitModule(llvm::Module &m,
                                              unsigned count) {
  // The global values each definition refers to.
  auto references = [](const llvm::GlobalValue &gv) {
    llvm::SmallPtrSet<const llvm::Constant *, 8> seen;
    llvm::SmallVector<const llvm::GlobalValue *> globals;
    if (const auto *f = llvm::dyn_cast<llvm::Function>(&gv)) {
      for (const llvm::BasicBlock &bb : *f)
        for (const llvm::Instruction &inst : bb)
          for (const llvm::Use &op : inst.operands())
            if (const auto *c = llvm::dyn_cast<llvm::Constant>(op.get()))
              collectGlobals(c, seen, globals);
    } else if (const auto *g = llvm::dyn_cast<llvm::GlobalVariable>(&gv)) {
      if (g->hasInitializer())
        collectGlobals(g->getInitializer(), seen, globals);
    }
    return globals;
  };

  // Functions that share a variable go into one partition, so that only
  // functions cross partitions. A variable then stays local to its users,
  // where LLVM folds what it can of it as in a whole module: the zero
  // padding of BlazeFace's Concats (24 KB) is folded away, not kept to be
  // shared. A variable's initializer ties it to what it refers to.
  llvm::EquivalenceClasses<const llvm::GlobalValue *> groups;
  llvm::SmallVector<llvm::GlobalValue *> definitions;
  for (llvm::Function &f : m)
    if (!f.isDeclaration())
      definitions.push_back(&f);
  for (llvm::GlobalVariable &g : m.globals())
    if (!g.isDeclaration())
      definitions.push_back(&g);
  for (llvm::GlobalValue *gv : definitions) {
    groups.insert(gv);
    bool isVariable = llvm::isa<llvm::GlobalVariable>(gv);
    for (const llvm::GlobalValue *used : references(*gv))
      if (!used->isDeclaration() &&
          (isVariable || llvm::isa<llvm::GlobalVariable>(used)))
        groups.unionSets(gv, used);
  }

  // Largest group first onto the least loaded partition; ties go to the
  // group defined first and to the lower partition, so the split is
  // deterministic.
  struct Group {
    const llvm::GlobalValue *leader;
    unsigned size = 0, first = 0;
  };
  llvm::SmallVector<Group> order;
  llvm::DenseMap<const llvm::GlobalValue *, unsigned> groupIndex;
  for (auto [index, gv] : llvm::enumerate(definitions)) {
    const llvm::GlobalValue *leader = groups.getLeaderValue(gv);
    auto [it, inserted] = groupIndex.try_emplace(leader, order.size());
    if (inserted)
      order.push_back({leader, 0, static_cast<unsigned>(index)});
    if (const auto *f = llvm::dyn_cast<llvm::Function>(gv))
      order[it->second].size += f->getInstructionCount();
  }
  llvm::sort(order, [](const Group &a, const Group &b) {
    return std::tie(b.size, a.first) < std::tie(a.size, b.first);
  });
  // No partition without a function.
  unsigned withCode = llvm::count_if(
      order, [](const Group &group) { return group.size > 0; });
  count = std::max(1u, std::min(count, withCode));
  llvm::DenseMap<const llvm::GlobalValue *, unsigned> partitionOf;
  std::vector<uint64_t> load(count, 0);
  for (const Group &group : order) {
    unsigned least = std::min_element(load.begin(), load.end()) - load.begin();
    partitionOf[group.leader] = least;
    load[least] += group.size;
  }
  llvm::DenseMap<const llvm::GlobalValue *, unsigned> owner;
  for (llvm::GlobalValue *gv : definitions)
    owner[gv] = partitionOf.lookup(groups.getLeaderValue(gv));

  // A function one partition defines and another calls must be a symbol the
  // relocatable link can resolve: external, but hidden.
  for (llvm::GlobalValue *gv : definitions)
    for (const llvm::GlobalValue *used : references(*gv)) {
      auto it = owner.find(used);
      if (it == owner.end() || it->second == owner[gv] ||
          !used->hasLocalLinkage())
        continue;
      auto *global = const_cast<llvm::GlobalValue *>(used);
      if (!global->hasName())
        global->setName("whittle.partition");
      global->setLinkage(llvm::GlobalValue::ExternalLinkage);
      global->setVisibility(llvm::GlobalValue::HiddenVisibility);
      global->setDSOLocal(true);
    }

  std::vector<llvm::SmallString<0>> bitcode(count);
  for (unsigned p = 0; p < count; ++p) {
    llvm::ValueToValueMapTy map;
    std::unique_ptr<llvm::Module> part =
        llvm::CloneModule(m, map, [&](const llvm::GlobalValue *gv) {
          auto it = owner.find(gv);
          return it != owner.end() && it->second == p;
        });
    llvm::raw_svector_ostream os(bitcode[p]);
    llvm::WriteBitcodeToFile(*part, os);
  }
  return bitcode;
}

llvm::Expected<llvm::SmallString<0>>
linkPartitions(llvm::ArrayRef<llvm::SmallString<0>> objects) {
  llvm::SmallString<128> dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("whittle-partitions", dir))
    return llvm::errorCodeToError(ec);
  llvm::scope_exit removeDir([&] { llvm::sys::fs::remove_directories(dir); });

  std::vector<std::string> paths;
  for (auto [i, bytes] : llvm::enumerate(objects)) {
    llvm::SmallString<128> path(dir);
    llvm::sys::path::append(path, "part" + llvm::Twine(i) + ".o");
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec)
      return llvm::errorCodeToError(ec);
    os << bytes;
    os.close();
    if (os.has_error())
      return llvm::errorCodeToError(os.error());
    paths.push_back(path.str().str());
  }
  llvm::SmallString<128> linked(dir);
  llvm::sys::path::append(linked, "linked.o");
  std::vector<const char *> args = {"ld.lld", "-r", "-o", linked.c_str()};
  for (const std::string &path : paths)
    args.push_back(path.c_str());
  std::string messages;
  llvm::raw_string_ostream messageOs(messages);
  lld::Result result = [&] {
    DetachedOptions detached;
    return lld::lldMain(args, messageOs, messageOs,
                        {{lld::Gnu, &lld::elf::link}});
  }();
  // A link that crashed (lld recovered) leaves lld unusable: an error too.
  if (result.retCode != 0 || !result.canRunAgain)
    return llvm::createStringError("linking the partitions failed: " +
                                   messages);

  auto buffer = llvm::MemoryBuffer::getFile(linked);
  if (!buffer)
    return llvm::errorCodeToError(buffer.getError());
  auto object = llvm::object::ObjectFile::createObjectFile(
      (*buffer)->getMemBufferRef());
  if (!object)
    return object.takeError();
  auto *elf = llvm::dyn_cast<llvm::object::ELFObjectFileBase>(object->get());
  if (!elf)
    return llvm::createStringError("the linked partitions are not ELF");
  llvm::objcopy::CommonConfig common;
  llvm::objcopy::ELFConfig elfConfig;
  elfConfig.LocalizeHidden = true;
  llvm::SmallString<0> bytes;
  llvm::raw_svector_ostream os(bytes);
  if (llvm::Error error =
          llvm::objcopy::elf::executeObjcopyOnBinary(common, elfConfig, *elf,
                                                     os))
    return std::move(error);
  return bytes;
}

} // namespace whittle
