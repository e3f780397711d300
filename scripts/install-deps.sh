#!/usr/bin/env bash
# Installs the Debian 12 packages whittle builds, tests and benchmarks with.
# Idempotent: packages already present are skipped by apt.
set -euo pipefail

PACKAGES=(
  # compiler and toolchain
  cmake ninja-build ccache clang-22 lld-22 llvm-22-dev llvm-22-tools
  # lld as a library: joins the partitions of a parallel object compile
  liblld-22-dev
  # sanitizers and libFuzzer (scripts/fuzz.sh, check_model.py --sanitize)
  libclang-rt-22-dev libfuzzer-22-dev
  libmlir-22-dev mlir-22-tools
  # ONNX import
  libonnx-dev libprotobuf-dev protobuf-compiler
  # tests: unit tests, ONNX backend test data, reference scripts, compilers
  libgtest-dev libonnx-testdata python3-onnx python3-numpy gcc binutils
  # the torchvision model zoo (scripts/make-zoo.py) and the digits CNN
  python3-torch python3-torchvision python3-sklearn
  # int8 calibration and held-out images for BlazeFace (sample data)
  python3-skimage
  # other architectures under QEMU (test/e2e/targets, examples/cortex-m4,
  # bench/cortex-m-icount.sh): Linux user mode for AArch64 and RISC-V 64,
  # bare metal with semihosting for Cortex-M (MPS2 boards) and RISC-V 32
  llvm-22 make qemu-user qemu-system-arm qemu-system-misc
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  gcc-arm-none-eabi libnewlib-arm-none-eabi
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
)
# Node.js and npm (model fetching, ONNX Runtime references): any install
# providing the commands will do; Debian's packages otherwise.
command -v node >/dev/null || PACKAGES+=(nodejs)
command -v npm >/dev/null || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
