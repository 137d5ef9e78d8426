#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Print 'N passed, N failed' over every run recorded in build/results.

KUnit cases are counted from each run's .counts file (a log with kernel
reports adds one failure there); any other step that failed (a .failed
file) adds one.
"""
import glob
import json
import os
import sys


def summarize(results):
    passed = failed = 0
    counted = set()
    for path in sorted(glob.glob(os.path.join(results, "*.counts"))):
        with open(path) as f:
            c = json.load(f)
        passed += c["passed"]
        failed += c["failed"]
        if c["failed"]:
            counted.add(os.path.basename(path)[:-len(".counts")])
    for path in sorted(glob.glob(os.path.join(results, "*.failed"))):
        step = os.path.basename(path)[:-len(".failed")]
        print(f"step failed: {step}")
        # A run that failed has counted its failures already.
        if step not in counted:
            failed += 1
    return passed, failed


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    results = argv[1] if len(argv) > 1 else os.path.join(
        os.path.dirname(os.path.dirname(here)), "build", "results")
    passed, failed = summarize(results)
    if passed + failed == 0:
        print("no results recorded", file=sys.stderr)
        failed = 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
