#!/usr/bin/env python3
"""Runs ONNX backend node tests (Debian's libonnx-testdata) through whittle:
compile each model.onnx to an object (or to C, --emit c), link the host
harness, run every
test_data_set_* and compare at the backend tolerances (rtol 1e-3, atol 1e-7).

Prints one line per test and a closing 'N passed, N failed' line, writes a CSV
of every test's result, and fails only on regressions: tests listed in the
expected file that no longer pass. Use --update to rewrite that file."""
import argparse
import csv
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, "check_model.py")


def run_one(args, name):
    test_dir = os.path.join(args.data, name)
    work = os.path.join(args.work, name)
    cmd = [sys.executable, CHECK, "--whittle", args.whittle, "--onnx-test", test_dir,
           "--emit", args.emit, "--cc", args.cc, "--rtol", "1e-3", "--atol", "1e-7",
           "--work", work, "--name", "m"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = p.stdout + p.stderr
    if p.returncode == 0:
        return name, "pass", ""
    # The first whittle diagnostic, or the checker's verdict, explains it.
    lines = [l for l in out.splitlines() if "error:" in l] or \
            [l for l in out.splitlines() if l.startswith("FAIL")] or out.splitlines()[-1:]
    stage = "compile" if any("error:" in l for l in lines) else "run"
    return name, stage, lines[0].strip() if lines else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--whittle", required=True)
    ap.add_argument("--data", default="/usr/share/libonnx-testdata/data/node")
    ap.add_argument("--filter", default=".*", help="regex on test names")
    ap.add_argument("--expected", required=True, help="file listing tests that must pass")
    ap.add_argument("--work", required=True)
    ap.add_argument("--csv")
    ap.add_argument("--cc", default="gcc")
    ap.add_argument("--emit", choices=["obj", "c"], default="obj",
                    help="object path or C path (compiled with --cc)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()

    names = sorted(n for n in os.listdir(args.data)
                   if re.search(args.filter, n) and os.path.isfile(os.path.join(args.data, n, "model.onnx")))
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda n: run_one(args, n), names))
    expected = set()
    if os.path.exists(args.expected):
        expected = {l.strip() for l in open(args.expected) if l.strip() and not l.startswith("#")}
    passed = [n for n, s, _ in results if s == "pass"]
    regressions = sorted(expected - set(passed))
    for n, s, why in results:
        print(f"{s:8} {n}" + (f"  {why}" if why else ""))
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["test", "stage", "error"])
            w.writerows(results)
    if args.update:
        with open(args.expected, "w") as f:
            f.write("# ONNX backend node tests that must keep passing (run_onnx_tests.py --update)\n")
            f.writelines(n + "\n" for n in passed)
    for n in regressions:
        print(f"REGRESSION {n}")
    suite = os.path.basename(os.path.normpath(args.data))
    print(f"{suite}: {len(passed)} passed, {len(results) - len(passed)} failed")
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
