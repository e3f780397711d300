//===- PartitionTest.cpp - splitting a module for parallel codegen --------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Target/Object/Partition.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"

#include <gtest/gtest.h>

#include <map>

namespace {

// Two kernels share a zero constant (as BlazeFace's Concats share their
// padding), a third has its own weights, and the entry point calls all
// three.
constexpr const char *kModule = R"(
target triple = "x86_64-unknown-linux-gnu"
@zeros = private constant [4 x float] zeroinitializer
@weights = private constant [4 x float] [float 1.0, float 2.0, float 3.0, float 4.0]

define internal void @k1(ptr %out) noinline {
  %v = load float, ptr @zeros
  store float %v, ptr %out
  ret void
}
define internal void @k2(ptr %out) noinline {
  %p = getelementptr float, ptr @zeros, i64 1
  %v = load float, ptr %p
  store float %v, ptr %out
  ret void
}
define internal void @k3(ptr %out) noinline {
  %a = load float, ptr @weights
  %b = fadd float %a, %a
  %c = fadd float %b, %a
  %d = fadd float %c, %a
  %e = fadd float %d, %a
  store float %e, ptr %out
  ret void
}
define i32 @model_run(ptr %out) {
  call void @k1(ptr %out)
  call void @k2(ptr %out)
  call void @k3(ptr %out)
  ret i32 0
}
)";

std::unique_ptr<llvm::Module> parse(llvm::LLVMContext &context,
                                    const char *text) {
  llvm::SMDiagnostic diagnostic;
  std::unique_ptr<llvm::Module> m =
      llvm::parseAssemblyString(text, diagnostic, context);
  EXPECT_TRUE(m) << diagnostic.getMessage().str();
  return m;
}

std::vector<std::unique_ptr<llvm::Module>>
readBack(llvm::LLVMContext &context,
         const std::vector<llvm::SmallString<0>> &bitcode) {
  std::vector<std::unique_ptr<llvm::Module>> parts;
  for (const llvm::SmallString<0> &bytes : bitcode) {
    auto part = llvm::parseBitcodeFile(
        llvm::MemoryBufferRef(bytes, "partition"), context);
    EXPECT_TRUE(!!part);
    if (!part) {
      llvm::consumeError(part.takeError());
      continue;
    }
    parts.push_back(std::move(*part));
  }
  return parts;
}

/// The partition that defines `name`, or -1; each name defined at most once.
int definedIn(const std::vector<std::unique_ptr<llvm::Module>> &parts,
              llvm::StringRef name) {
  int where = -1;
  for (auto [i, part] : llvm::enumerate(parts)) {
    const llvm::GlobalValue *gv = part->getNamedValue(name);
    if (gv && !gv->isDeclaration()) {
      EXPECT_EQ(where, -1) << name.str() << " defined twice";
      where = static_cast<int>(i);
    }
  }
  return where;
}

TEST(Partition, ChoosesFromSizeAndClampsToDefinitions) {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> m = parse(context, kModule);
  // A few instructions: one partition, unless asked; never more than the
  // four functions.
  EXPECT_EQ(whittle::choosePartitions(*m, 0), 1u);
  EXPECT_EQ(whittle::choosePartitions(*m, 2), 2u);
  EXPECT_EQ(whittle::choosePartitions(*m, 100), 4u);
  // An alias ties symbols together in a way the split does not follow.
  std::unique_ptr<llvm::Module> aliased = parse(
      context, "@a = alias void (ptr), ptr @f\n"
               "define void @f(ptr %p) {\n  ret void\n}\n"
               "define void @g(ptr %p) {\n  ret void\n}\n");
  EXPECT_EQ(whittle::choosePartitions(*aliased, 2), 1u);
}

TEST(Partition, SharedVariablesStayWithTheirUsers) {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> m = parse(context, kModule);
  auto parts = readBack(context, whittle::splitModule(*m, 2));
  ASSERT_EQ(parts.size(), 2u);
  // Every definition lands once; the kernels sharing @zeros, and @zeros,
  // land together (7 instructions); @k3 and its weights (7 too) on the
  // other side.
  int zeros = definedIn(parts, "zeros");
  ASSERT_NE(zeros, -1);
  EXPECT_EQ(definedIn(parts, "k1"), zeros);
  EXPECT_EQ(definedIn(parts, "k2"), zeros);
  int k3 = definedIn(parts, "k3");
  ASSERT_NE(k3, -1);
  EXPECT_NE(k3, zeros);
  EXPECT_EQ(definedIn(parts, "weights"), k3);
  EXPECT_NE(definedIn(parts, "model_run"), -1);
  // The variables stay private; what crosses partitions is a function,
  // external and hidden; the entry point keeps its default visibility.
  EXPECT_TRUE(parts[zeros]->getNamedValue("zeros")->hasPrivateLinkage());
  EXPECT_TRUE(parts[k3]->getNamedValue("weights")->hasPrivateLinkage());
  int run = definedIn(parts, "model_run");
  for (const char *kernel : {"k1", "k2", "k3"}) {
    const llvm::GlobalValue *f = m->getNamedValue(kernel);
    if (definedIn(parts, kernel) == run) {
      EXPECT_TRUE(f->hasLocalLinkage()) << kernel;
    } else {
      EXPECT_TRUE(f->hasExternalLinkage()) << kernel;
      EXPECT_TRUE(f->hasHiddenVisibility()) << kernel;
    }
  }
  EXPECT_TRUE(m->getNamedValue("model_run")->hasDefaultVisibility());
}

llvm::SmallString<0> compile(llvm::Module &m) {
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  std::string error;
  llvm::Triple triple("x86_64-unknown-linux-gnu");
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  EXPECT_TRUE(target) << error;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, "x86-64", "", llvm::TargetOptions(), llvm::Reloc::PIC_));
  m.setDataLayout(tm->createDataLayout());
  llvm::SmallString<0> bytes;
  llvm::raw_svector_ostream os(bytes);
  llvm::legacy::PassManager pm;
  EXPECT_FALSE(tm->addPassesToEmitFile(pm, os, nullptr,
                                       llvm::CodeGenFileType::ObjectFile));
  pm.run(m);
  return bytes;
}

llvm::cl::opt<int> someOption("partition-test-option", llvm::cl::init(1));

TEST(Partition, NoPartitionWithoutCode) {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> m = parse(context, kModule);
  // Three groups of functions ({k1, k2, zeros}, {k3, weights}, the entry).
  EXPECT_EQ(whittle::splitModule(*m, 4).size(), 3u);
}

TEST(Partition, LinkedObjectExportsOnlyTheEntryPoint) {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> m = parse(context, kModule);
  auto parts = readBack(context, whittle::splitModule(*m, 3));
  std::vector<llvm::SmallString<0>> objects;
  for (std::unique_ptr<llvm::Module> &part : parts)
    objects.push_back(compile(*part));

  // lld's driver resets the registered options; the caller's keep their
  // values and stay registered, link after link.
  someOption = 7;
  llvm::Expected<llvm::SmallString<0>> linked =
      whittle::linkPartitions(objects);
  ASSERT_TRUE(!!linked) << llvm::toString(linked.takeError());
  EXPECT_EQ(someOption, 7);
  EXPECT_TRUE(
      llvm::cl::getRegisteredOptions().count("partition-test-option"));
  llvm::Expected<llvm::SmallString<0>> again =
      whittle::linkPartitions(objects);
  ASSERT_TRUE(!!again) << llvm::toString(again.takeError());
  EXPECT_EQ(*again, *linked);
  EXPECT_EQ(someOption, 7);

  auto object = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(*linked, "linked"));
  ASSERT_TRUE(!!object) << llvm::toString(object.takeError());
  std::map<std::string, bool> global;
  for (const llvm::object::SymbolRef &symbol : (*object)->symbols()) {
    auto name = symbol.getName();
    auto flags = symbol.getFlags();
    ASSERT_TRUE(name && flags);
    EXPECT_FALSE(*flags & llvm::object::SymbolRef::SF_Undefined)
        << name->str();
    if (name->starts_with("k") || *name == "model_run")
      global[name->str()] = *flags & llvm::object::SymbolRef::SF_Global;
  }
  EXPECT_EQ(global, (std::map<std::string, bool>{{"k1", false},
                                                 {"k2", false},
                                                 {"k3", false},
                                                 {"model_run", true}}));
}

} // namespace
