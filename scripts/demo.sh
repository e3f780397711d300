#!/usr/bin/env bash
# The main job on the bundled example: installs what whittle needs, builds
# it, compiles examples/tiny_cnn.onnx to an object file and to C, links each
# with examples/run_tiny_cnn.c and runs them.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh whittle

out=build/example
mkdir -p "$out"
whittle=build/tools/whittle/whittle

echo "== whittle examples/tiny_cnn.onnx -o $out/tiny_cnn.o"
"$whittle" examples/tiny_cnn.onnx -o "$out/tiny_cnn.o"
echo "   undefined symbols: $(nm -u "$out/tiny_cnn.o" | wc -l)"
cc -std=c11 -O2 -Wall -Wextra -I"$out" examples/run_tiny_cnn.c "$out/tiny_cnn.o" -o "$out/run_obj"
"$out/run_obj"

echo "== whittle examples/tiny_cnn.onnx -o $out/c/tiny_cnn.c"
mkdir -p "$out/c"
"$whittle" examples/tiny_cnn.onnx -o "$out/c/tiny_cnn.c"
cc -std=c99 -ffreestanding -Wall -Wextra -pedantic -Werror -O2 -c "$out/c/tiny_cnn.c" -o "$out/c/tiny_cnn.o"
cc -std=c11 -O2 -Wall -Wextra -I"$out/c" examples/run_tiny_cnn.c "$out/c/tiny_cnn.o" -o "$out/run_c"
"$out/run_c"
