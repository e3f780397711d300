#!/usr/bin/env bash
# The test command: installs dependencies, builds, fetches the pinned real
# models and ONNX Runtime, and runs every test (lit + FileCheck, gtest unit
# tests, end-to-end tests against ONNX and ONNX Runtime references, the
# malformed-model corpus) and both fuzz targets for a minute each.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh whittle whittle-opt WhittleUnitTests
scripts/fetch-models.sh build/models

status=0
/usr/lib/llvm-22/bin/lit -sv --time-tests --xunit-xml-output build/lit-results.xml \
  ${LIT_ARGS:-} build/test || status=$?

# The libFuzzer targets (ASan+UBSan build in build-fuzz/), a minute each;
# scripts/fuzz.sh SECONDS runs them longer.
fuzz_failed=0
for target in import compile; do
  FUZZ_SEED=${FUZZ_SEED:-1} scripts/fuzz.sh "${FUZZ_SECONDS:-60}" "$target" ||
    { fuzz_failed=$((fuzz_failed + 1)); status=1; }
done

# One closing line with the counts, whatever lit printed above; each fuzz
# target counts as one test.
/usr/bin/python3 - build/lit-results.xml "$fuzz_failed" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.iter("testcase")
passed = failed = skipped = 0
failed = int(sys.argv[2])
passed = 2 - failed
for c in cases:
    if c.find("failure") is not None or c.find("error") is not None:
        failed += 1
    elif c.find("skipped") is not None:
        skipped += 1
    else:
        passed += 1
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
