#!/usr/bin/env bash
# Compile time and peak memory of whittle on generated wide graphs of growing
# size (bench/make-wide-graph.py): the ratios between rows show whether any
# phase grows faster than the model. Run after scripts/build.sh.
#
#   bench/compile-scaling.sh [NODES...]     (default: 2500 5000 10000 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${WHITTLE:-build/tools/whittle/whittle}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sizes=("$@")
((${#sizes[@]})) || sizes=(2500 5000 10000 20000)
echo "| nodes | compile s | peak MiB | s per 1000 nodes |"
echo "|------:|----------:|---------:|-----------------:|"
for n in "${sizes[@]}"; do
  /usr/bin/python3 bench/make-wide-graph.py "$tmp/w.onnx" "$n" >/dev/null
  /usr/bin/time -f "%e %M" -o "$tmp/t" "$W" "$tmp/w.onnx" -o "$tmp/w.o"
  read -r secs kib <"$tmp/t"
  awk -v n="$n" -v s="$secs" -v k="$kib" \
    'BEGIN { printf "| %d | %.1f | %.0f | %.2f |\n", n, s, k / 1024, s * 1000 / n }'
done
