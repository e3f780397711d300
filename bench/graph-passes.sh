#!/usr/bin/env bash
# Latency and arena of models compiled with and without whittle's graph
# optimizations (--no-graph-opt turns off BatchNorm/Pad folding, transpose
# sinking, epilogue fusion and in-place elementwise kernels; constant folding
# stays), measured in one run on this
# machine. Prints per model the median of RUNS timed calls and the ratio;
# ratios, not absolute times, are the result (shared, noisy machines).
#
#   bench/graph-passes.sh [RUNS]     (after scripts/build.sh and scripts/fetch-models.sh)
#
# MobileNetV2 and ResNet18 come from scripts/make-zoo.py (torchvision, seeded
# weights) when python3-torchvision is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-30}
WHITTLE=build/tools/whittle/whittle
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

models=${MODELS:-"examples/digits/digits_cnn.onnx examples/tiny_cnn.onnx"}
for m in blazeface_front blazeface_back; do
  [ -f build/models/$m.onnx ] && models="$models build/models/$m.onnx"
done
if /usr/bin/python3 scripts/make-zoo.py "$WORK/zoo" >/dev/null 2>&1; then
  models="$models $WORK/zoo/mobilenet_v2.onnx $WORK/zoo/resnet18.onnx"
fi

measure() { # model name flags...
  local model=$1 name=$2
  shift 2
  "$WHITTLE" "$model" -O3 --name="$name" -o "$WORK/$name.o" "$@"
  cc -std=c99 -O2 -I"$WORK" -DWHITTLE_HEADER="\"$name.h\"" -DWHITTLE_NAME="$name" \
    -DWHITTLE_UPPER="$(echo "$name" | tr a-z A-Z)" bench/bench_harness.c "$WORK/$name.o" \
    -o "$WORK/$name"
  "$WORK/$name" "$RUNS"
}

printf '%-18s %14s %14s %8s %14s %14s %8s %8s\n' model "off (us)" "on (us)" speedup "arena off" "arena on" "kern off" "kern on"
for model in $models; do
  stem=$(basename "$model" .onnx)
  read -r _ _ _ off _ arena_off < <(measure "$model" "${stem}_off" --no-graph-opt \
    --report="$WORK/${stem}_off.json")
  read -r _ _ _ on _ arena_on < <(measure "$model" "${stem}_on" --report="$WORK/${stem}_on.json")
  kernels() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['model']['kernels'])" "$1"; }
  printf '%-18s %14s %14s %7.2fx %14s %14s %8s %8s\n' "$stem" "$off" "$on" \
    "$(awk -v a="$off" -v b="$on" 'BEGIN { print a / b }')" "$arena_off" "$arena_on" \
    "$(kernels "$WORK/${stem}_off.json")" "$(kernels "$WORK/${stem}_on.json")"
done
