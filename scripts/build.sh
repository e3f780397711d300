#!/usr/bin/env bash
# Configures (once) and builds whittle into build/. Two jobs: the machines
# have two cores and MLIR translation units are large.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
# Paths relative to the checkout, so clones in other directories share ccache.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
fi
ninja -C "$BUILD_DIR" -j"${JOBS:-2}" "$@"
