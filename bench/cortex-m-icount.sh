#!/usr/bin/env bash
# Instructions per inference on bare-metal targets, counted by QEMU: every
# model is compiled for the target (object and C paths), run once under
# `-icount shift=0` (virtual time advances 1 ns per instruction; the harness
# reads SysTick on Cortex-M, to its 40-instruction resolution at 25 MHz, and
# the instret CSR on RISC-V) and checked against ONNX Runtime, as
# test/e2e/run_on_target.py does. Also prints the test image's flash
# (text+data: harness, libc, model and its linked-in input) and static RAM
# (data+bss, with the arena; heap and stack not counted) in bytes. Each
# model runs as float (object and C) and as int8 objects (path "int8").
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
# One row from a run_on_target.py log: $1 log, $2 target, $3 model, $4 path.
row() {
  /usr/bin/python3 - "$@" <<'PY'
import re, sys
log = open(sys.argv[1]).read()
insns = re.search(r"instructions per inference: (\d+)", log).group(1)
text, data, bss = map(int, re.search(r"image bytes: text (\d+) data (\d+) bss (\d+)", log).groups())
arena = re.search(r"arena bytes: (\d+)", log).group(1)
err = max(float(e) for e in re.findall(r"range_rel=(\S+)", log))
print(f"{sys.argv[2]:<11} {sys.argv[3]:<16} {sys.argv[4]:<4} {int(insns):>13,} "
      f"{text + data:>9} {data + bss:>9} {arena:>9} {err:.1e}")
PY
}
failed() {
  printf "%-11s %-16s %-4s FAILED: %s\n" "$2" "$3" "$4" \
    "$(grep -m1 -E '^FAIL|: error:' "$1" || tail -1 "$1")"
}
for model in $models; do
  name=$(basename "$model" .onnx)
  NODE_PATH=build/npm/node_modules node scripts/ort-reference.js "$model" "$WORK/$name/ref" >/dev/null
  # int8 (--quantize=int8, seeded normal calibration samples): exact against
  # whittle's own portable C on the host, hence max-error 0.
  q=(--quantize=int8 "--calibration=$WORK/$name/cal")
  /usr/bin/python3 test/e2e/kernels/whittle_reference.py --whittle "$WHITTLE" --model "$model" \
    --ref-dir "$WORK/$name/ref" --out "$WORK/$name/qref" --work "$WORK/$name/qc" \
    --calibration "$WORK/$name/cal" -- "${q[@]}" >/dev/null
  for target in $TARGETS; do
    for emit in obj c int8; do
      log="$WORK/$name/$target-$emit.log"
      if [ $emit = int8 ]; then
        args=(--emit obj --ref-dir "$WORK/$name/qref" --rtol 1e-6 --work "$WORK/$name/$target-$emit" -- "${q[@]}")
      else
        args=(--emit "$emit" --ref-dir "$WORK/$name/ref" --rtol 1e-4 --work "$WORK/$name/$target-$emit")
      fi
      if /usr/bin/python3 test/e2e/run_on_target.py --whittle "$WHITTLE" --target "$target" \
        --model "$model" --metric range --atol 0 "${args[@]}" >"$log" 2>&1; then
        row "$log" "$target" "$name" "$emit"
      else
        failed "$log" "$target" "$name" "$emit"
      fi
    done
  done
done
