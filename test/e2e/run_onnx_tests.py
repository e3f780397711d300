#!/usr/bin/env python3
"""Runs ONNX backend node tests (Debian's libonnx-testdata) through whittle:
compile each model.onnx to an object (or to C, --emit c), link the host
harness, run every
test_data_set_* and compare at the backend tolerances (rtol 1e-3, atol 1e-7).

With --target T (any of run_on_target.py's) each test is compiled for T and
run under QEMU by run_on_target.py instead of on the host by check_model.py;
--slice FILE restricts the run to the tests FILE lists (onnx-node-slice.txt
is the slice the target tests use).

Prints one line per test and a closing 'N passed, N failed' line, writes a CSV
of every test's result, and fails only on regressions: tests listed in the
expected file that no longer pass. Use --update to rewrite that file."""
import argparse
import contextlib
import csv
import io
import multiprocessing
import os
import re
import time
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, "check_model.py")
ON_TARGET = os.path.join(HERE, "run_on_target.py")
sys.path.insert(0, HERE)
import check_model  # noqa: E402
import run_on_target  # noqa: E402
from run_on_target import TARGETS  # noqa: E402


def read_list(path):
    """Test names, one a line; blank lines and '#' comments are skipped."""
    names = (l.split("#", 1)[0].strip() for l in open(path))
    return [n for n in names if n]


def run_one(args, name):
    """Checks one test in this (forked) worker: check_model.main or
    run_on_target.main called in-process, so numpy and onnx are imported once
    per worker rather than once per test. Returns (name, stage, reason,
    seconds)."""
    test_dir = os.path.join(args.data, name)
    work = os.path.join(args.work, name)
    host = args.target == "host"
    argv = ["--whittle", args.whittle, "--onnx-test", test_dir, "--emit", args.emit,
            "--rtol", "1e-3", "--atol", "1e-7", "--work", work, "--name", "m"]
    argv += ["--cc", args.cc] if host else \
        ["--target", args.target, "--timeout", str(args.timeout)]
    if host:
        argv += ["--sanitize"] * args.sanitize
        argv += ["--no-determinism-check"] * args.no_determinism_check
    start = time.monotonic()
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            rc = (check_model if host else run_on_target).main(argv)
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
            if not isinstance(e.code, int) and e.code is not None:
                print(e.code)
        except Exception:  # a checker bug or unreadable test data
            traceback.print_exc()
            rc = 1
    secs = f"{time.monotonic() - start:.1f}"
    stage, why = classify(rc or 0, out.getvalue())
    return name, stage, why, secs


def classify(rc, out):
    """(stage, first line of the reason) of a finished check."""
    if rc == 0:
        return "pass", ""
    all_lines = out.splitlines()
    # A compiler crash (a fatal LLVM error, a failed assertion, a signal)
    # prints a stack dump; its first line says what went wrong.
    if "Stack dump:" in out:
        lines = [l for l in all_lines if "LLVM ERROR" in l or "Assertion" in l]
        return "crash", (lines or ["Stack dump"])[0].strip()
    # The linker's complaint, the first whittle diagnostic, or the checker's
    # verdict explains it.
    lines = [l for l in all_lines if re.search(r"(^|/)ld: ", l)]
    if lines:
        return "link", lines[0].strip()
    lines = [l for l in all_lines if "error:" in l] or \
            [l for l in all_lines if l.startswith("FAIL")] or all_lines[-1:]
    stage = "compile" if any("error:" in l for l in lines) else "run"
    return stage, lines[0].strip() if lines else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--whittle", required=True)
    ap.add_argument("--data", default="/usr/share/libonnx-testdata/data/node")
    ap.add_argument("--filter", default=".*", help="regex on test names")
    ap.add_argument("--slice", help="file listing the tests to run (default: all)")
    ap.add_argument("--target", default="host", choices=["host"] + sorted(TARGETS),
                    help="run on the host (check_model.py) or under QEMU (run_on_target.py)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per QEMU run")
    ap.add_argument("--expected", required=True, help="file listing tests that must pass")
    ap.add_argument("--work", required=True)
    ap.add_argument("--csv")
    ap.add_argument("--cc", default="gcc", help="host compiler (--target host only)")
    ap.add_argument("--emit", choices=["obj", "c"], default="obj",
                    help="object path or C path (compiled with --cc or the target's gcc)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sanitize", action="store_true",
                    help="host: generated C and harness under ASan+UBSan "
                         "(with --emit c)")
    ap.add_argument("--no-determinism-check", action="store_true",
                    help="host: compile each model once (skip the "
                         "byte-identical second compilation)")
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()

    names = [n for n in os.listdir(args.data)
             if os.path.isfile(os.path.join(args.data, n, "model.onnx"))]
    if args.slice:
        wanted = read_list(args.slice)
        missing = sorted(set(wanted) - set(names))
        if missing:
            raise SystemExit(f"{args.slice}: not in {args.data}: {' '.join(missing)}")
        names = wanted
    names = sorted(set(n for n in names if re.search(args.filter, n)))
    # Forked workers inherit the imported checkers; one test per task keeps
    # the two workers balanced.
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        results = pool.starmap(run_one, [(args, n) for n in names], chunksize=1)
    expected = set()
    if os.path.exists(args.expected):
        expected = set(read_list(args.expected))
    passed = [n for n, s, _, _ in results if s == "pass"]
    # Only tests this run covers can regress (--slice, --filter).
    regressions = sorted((expected & set(names)) - set(passed))
    for n, s, why, _ in results:
        print(f"{s:8} {n}" + (f"  {why}" if why else ""))
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["test", "stage", "error", "seconds"])
            w.writerows(results)
    if args.update:
        with open(args.expected, "w") as f:
            where = "" if args.target == "host" else f" on {args.target} (QEMU)"
            f.write(f"# ONNX backend node tests that must keep passing{where} "
                    "(run_onnx_tests.py --update)\n")
            f.writelines(n + "\n" for n in passed)
    for n in regressions:
        print(f"REGRESSION {n}")
    suite = os.path.basename(os.path.normpath(args.data))
    print(f"{suite}: {len(passed)} passed, {len(results) - len(passed)} failed")
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
