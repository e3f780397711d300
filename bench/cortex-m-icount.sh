#!/usr/bin/env bash
# Instructions per inference on bare-metal targets, counted by QEMU: every
# model is compiled for the target (object and C paths), run once under
# `-icount shift=0` (virtual time advances 1 ns per instruction; the harness
# reads SysTick on Cortex-M, to its 40-instruction resolution at 25 MHz, and
# the instret CSR on RISC-V) and checked against ONNX Runtime, as
# test/e2e/run_on_target.py does. Also prints the test image's flash
# (text+data: harness, libc, model and its linked-in input) and static RAM
# (data+bss, with the arena; heap and stack not counted) in bytes.
#
#   bench/cortex-m-icount.sh [TARGET...]   (default: cortex-m4;
#       also cortex-m3, cortex-m7, cortex-m33, riscv32; after scripts/build.sh,
#       scripts/fetch-models.sh and scripts/install-deps.sh)
#
# QEMU counts instructions, not cycles: a Cortex-M4 takes one cycle for most
# of them but more for loads, taken branches, floating-point multiply-adds
# and divides, so silicon needs more cycles; use it to compare models and
# compiler versions.
set -euo pipefail
cd "$(dirname "$0")/.."
WHITTLE=${WHITTLE:-build/tools/whittle/whittle}
TARGETS=${*:-cortex-m4}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

models="examples/tiny_cnn.onnx examples/digits/digits_cnn.onnx"
for m in hello_deepa blazeface_front blazeface_back; do
  [ -f build/models/$m.onnx ] && models="$models build/models/$m.onnx"
done

printf "%-11s %-16s %-4s %13s %9s %9s %9s %s\n" target model path instructions flash ram arena max-error
for model in $models; do
  name=$(basename "$model" .onnx)
  NODE_PATH=build/npm/node_modules node scripts/ort-reference.js "$model" "$WORK/$name/ref" >/dev/null
  for target in $TARGETS; do
    for emit in obj c; do
      log="$WORK/$name/$target-$emit.log"
      if /usr/bin/python3 test/e2e/run_on_target.py --whittle "$WHITTLE" --target "$target" \
        --emit "$emit" --model "$model" --ref-dir "$WORK/$name/ref" --metric range \
        --rtol 1e-4 --atol 0 --work "$WORK/$name/$target-$emit" >"$log" 2>&1; then
        /usr/bin/python3 - "$log" "$target" "$name" "$emit" <<'PY'
import re, sys
log = open(sys.argv[1]).read()
insns = re.search(r"instructions per inference: (\d+)", log).group(1)
text, data, bss = map(int, re.search(r"image bytes: text (\d+) data (\d+) bss (\d+)", log).groups())
arena = re.search(r"arena bytes: (\d+)", log).group(1)
err = max(float(e) for e in re.findall(r"range_rel=(\S+)", log))
print(f"{sys.argv[2]:<11} {sys.argv[3]:<16} {sys.argv[4]:<4} {int(insns):>13,} "
      f"{text + data:>9} {data + bss:>9} {arena:>9} {err:.1e}")
PY
      else
        printf "%-11s %-16s %-4s FAILED: %s\n" "$target" "$name" "$emit" \
          "$(grep -m1 -E '^FAIL|: error:' "$log" || tail -1 "$log")"
      fi
    done
  done
done
