#!/usr/bin/env bash
# The test command: installs dependencies, builds, fetches the pinned real
# models and ONNX Runtime, and runs every test (lit + FileCheck, gtest unit
# tests, end-to-end tests against ONNX and ONNX Runtime references).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh whittle whittle-opt WhittleUnitTests
scripts/fetch-models.sh build/models

status=0
/usr/lib/llvm-22/bin/lit -sv --time-tests --xunit-xml-output build/lit-results.xml \
  ${LIT_ARGS:-} build/test || status=$?

# One closing line with the counts, whatever lit printed above.
/usr/bin/python3 - build/lit-results.xml <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.iter("testcase")
passed = failed = skipped = 0
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
