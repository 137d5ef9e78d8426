#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Compare KUnit results without and with the series (make upstream).

usage: compare.py LABEL BASE_JSON SERIES_JSON SUITE [LABEL ...]

For each group of four arguments: kunit.py's JSON of the base run and of
the series run, and the suite to compare ("" for the suites of the
base's results; the series run's other suites are not compared). Prints
both sets of counts; every case of the base must have the same result
with the series, or pass with it: a case that fails or skips on the base
and passes with the series is listed, not counted, as the series broke
nothing there (kcsan_test's races under TCG are probabilistic, and fail
now and then on the base). Cases the series adds are listed, not
compared. Exits 1 on any other difference or a missing result.
"""
import json
import os
import sys

# junit.py is the runs' (harness/runs).
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "runs"))
import junit  # noqa: E402


def load(path, suite):
    try:
        with open(path) as f:
            tree = json.load(f)
    except (OSError, ValueError) as e:
        return None, f"no results in {path}: {e}"
    all_cases = {(s, name): status for s, name, status, _ in junit.cases(tree)
                 if not suite or s == suite}
    if not all_cases:
        return None, f"no {suite or 'KUnit'} cases in {path}"
    return all_cases, None


def counts(c):
    v = list(c.values())
    return (f"{v.count('PASS')} passed, {len(v) - v.count('PASS') - v.count('SKIP')} "
            f"failed, {v.count('SKIP')} skipped")


def compare(label, base_path, series_path, suite):
    base, err = load(base_path, suite)
    series, err2 = load(series_path, suite)
    if err or err2:
        print(f"upstream: {label}: {err or err2}")
        return False
    if not suite:
        suites = {s for s, _ in base}
        series = {key: st for key, st in series.items() if key[0] in suites}
        if not series:
            print(f"upstream: {label}: none of the base's suites in {series_path}: "
                  "run that profile again")
            return False
    print(f"upstream: {label}: base {counts(base)}; with the series {counts(series)}")
    ok = True
    for key, status in sorted(base.items()):
        got = series.get(key)
        name = ".".join(key)
        if got == status:
            continue
        line = (f"upstream: {label}: {name}: {status} on the base, "
                f"{got or 'missing'} with the series")
        if got == "PASS":
            print(line + ": not counted, the series broke nothing here")
        else:
            print(line)
            ok = False
    added = sorted(set(series) - set(base))
    if added:
        print(f"upstream: {label}: the series adds {len(added)} cases: "
              + ", ".join(".".join(k) for k in added[:6]) + (" ..." if len(added) > 6 else ""))
    return ok


def main(argv):
    args = argv[1:]
    if not args or len(args) % 4:
        sys.exit(__doc__)
    ok = True
    for i in range(0, len(args), 4):
        ok &= compare(*args[i:i + 4])
    print("upstream: ok: no upstream case does worse with the series" if ok else
          "upstream: FAILED: results differ (above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
