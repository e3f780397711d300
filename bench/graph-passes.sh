#!/usr/bin/env bash
# Latency and arena of models compiled with and without whittle's graph
# optimizations (--no-graph-opt turns off BatchNorm/Pad folding, transpose
# sinking and in-place elementwise kernels), measured in one run on this
# machine. Prints per model the median of RUNS timed calls and the ratio;
# ratios, not absolute times, are the result (shared, noisy machines).
#
#   bench/graph-passes.sh [RUNS]     (after scripts/build.sh and scripts/fetch-models.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-30}
WHITTLE=build/tools/whittle/whittle
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

models="examples/digits/digits_cnn.onnx examples/tiny_cnn.onnx"
for m in blazeface_front blazeface_back; do
  [ -f build/models/$m.onnx ] && models="$models build/models/$m.onnx"
done

measure() { # model name flags...
  local model=$1 name=$2
  shift 2
  "$WHITTLE" "$model" -O3 --name="$name" -o "$WORK/$name.o" "$@"
  cc -std=c99 -O2 -I"$WORK" -DWHITTLE_HEADER="\"$name.h\"" -DWHITTLE_NAME="$name" \
    -DWHITTLE_UPPER="$(echo "$name" | tr a-z A-Z)" bench/bench_harness.c "$WORK/$name.o" \
    -o "$WORK/$name"
  "$WORK/$name" "$RUNS"
}

printf '%-18s %14s %14s %8s %14s %14s\n' model "off (us)" "on (us)" speedup "arena off" "arena on"
for model in $models; do
  stem=$(basename "$model" .onnx)
  read -r _ _ _ off _ arena_off < <(measure "$model" "${stem}_off" --no-graph-opt)
  read -r _ _ _ on _ arena_on < <(measure "$model" "${stem}_on")
  printf '%-18s %14s %14s %7.2fx %14s %14s\n' "$stem" "$off" "$on" \
    "$(awk -v a="$off" -v b="$on" 'BEGIN { print a / b }')" "$arena_off" "$arena_on"
done
