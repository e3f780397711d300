//===- Partition.h - Parallel code generation in partitions -----*- C++ -*-===//
//
// Part of whittle. A large module is split by function into partitions that
// LLVM optimizes and compiles on separate threads, each in its own
// LLVMContext; their objects are then linked into one relocatable object.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_TARGET_OBJECT_PARTITION_H
#define WHITTLE_TARGET_OBJECT_PARTITION_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace whittle {

/// The partitions to split `m` into: `requested`, or with 0 those worth
/// making, one per so many instructions and at most 8. Never more than `m`
/// has function definitions, and 1 for a module the split cannot handle. A
/// function of the module alone, never of the machine, so that the same
/// model gives the same object whatever the number of cores.
unsigned choosePartitions(const llvm::Module &m, unsigned requested);

/// Splits `m`'s definitions into `count` modules of about equal instruction
/// counts, or fewer when fewer groups of functions (below) have code.
/// Functions that share a variable stay together, with it, so that
/// only functions cross partitions; a function defined in one partition and
/// called from another becomes an external, hidden symbol in `m`, which a
/// relocatable link resolves and `linkPartitions` makes local again. Each
/// module is returned as bitcode, to be read into another LLVMContext.
std::vector<llvm::SmallString<0>> splitModule(llvm::Module &m,
                                              unsigned count);

/// Links ELF relocatable objects into one (`ld.lld -r`, in process) and makes
/// its hidden symbols local: the result exports what the objects' default-
/// visibility definitions did, as one object compiled whole would.
llvm::Expected<llvm::SmallString<0>>
linkPartitions(llvm::ArrayRef<llvm::SmallString<0>> objects);

} // namespace whittle

#endif // WHITTLE_TARGET_OBJECT_PARTITION_H
