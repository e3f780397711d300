#!/usr/bin/env bash
# Builds whittle's libFuzzer targets (ASan+UBSan, build-fuzz/) and runs them.
#
#   scripts/fuzz.sh [SECONDS] [import|compile|all]   (default: 60 all)
#
# Seeds: every case of the malformed-model corpus and the ONNX backend test
# models (libonnx-testdata). Each target keeps its growing corpus in
# build-fuzz/corpus/TARGET and writes crashes to build-fuzz/crashes/TARGET;
# a crash found becomes a case in test/Import/malformed. Prints one summary
# line per target (executions, corpus size, coverage) and fails on a crash.
# FUZZ_SEED fixes libFuzzer's seed (CI uses 1; default 0: random).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
WHICH=${2:-all}
B=${FUZZ_BUILD_DIR:-build-fuzz}
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
if [[ ! -f "$B/build.ninja" ]]; then
  cmake -G Ninja -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit -DWHITTLE_FUZZ=ON >/dev/null
fi
ninja -C "$B" -j"${JOBS:-2}" whittle-fuzz-import whittle-fuzz-compile >/dev/null

seeds="$B/seeds"
if [[ ! -d "$seeds" ]]; then
  # Built aside and moved into place: an interrupted run leaves no half set.
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/seeds/import" "$tmp/seeds/compile"
  /usr/bin/python3 test/Import/malformed/malformed.py --write-all "$tmp/cases"
  find "$tmp/cases" -name model.onnx -size -1048576c | while read -r f; do
    cp "$f" "$tmp/seeds/import/$(basename "$(dirname "$f")").onnx"
  done
  for d in /usr/share/libonnx-testdata/data/node/*/ \
           /usr/share/libonnx-testdata/data/simple/*/; do
    [[ -f "$d/model.onnx" ]] || continue
    cp "$d/model.onnx" "$tmp/seeds/import/$(basename "$d").onnx"
    cp "$d/model.onnx" "$tmp/seeds/compile/$(basename "$d").onnx"
  done
  cp examples/*.onnx "$tmp/seeds/compile/"
  mv "$tmp/seeds" "$seeds"
fi

status=0
for t in import compile; do
  [[ $WHICH == all || $WHICH == "$t" ]] || continue
  corpus="$B/corpus/$t" crashes="$B/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  log="$B/fuzz-$t.log"
  # One worker: the machines have two cores and CI runs other jobs.
  if ! "$B/tools/fuzz/whittle-fuzz-$t" "$corpus" "$seeds/$t" \
      -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=4096 \
      -max_len=1048576 -artifact_prefix="$crashes/" -print_final_stats=1 \
      -seed="${FUZZ_SEED:-0}" \
      >"$log" 2>&1; then
    echo "fuzz-$t: FAILED, see $log and $crashes" >&2
    grep -a -m3 -E "ERROR|runtime error|SUMMARY" "$log" >&2 || true
    status=1
  fi
  execs=$(grep -aoP 'stat::number_of_executed_units:\s*\K\d+' "$log" | tail -1 || true)
  cov=$(grep -aoP '#\d+\s+\w+\s+cov: \K\d+' "$log" | tail -1 || true)
  echo "fuzz-$t: ${SECONDS_EACH}s, ${execs:-0} executions, corpus $(ls "$corpus" | wc -l) files, coverage ${cov:-?} edges"
done
exit $status
