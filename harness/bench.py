#!/usr/bin/env python3
"""make bench, make bench-smp: run the kthread_core_bench suite, tabulate it.

usage: bench.py [bench | bench-smp]

Builds and boots the bench profile (UML in build/kunit-bench; bench-smp:
x86_64 on 4 vCPUs in build/kunit-bench-smp), reads the "bench:" lines the
suite prints, and prints a table of kthread_core's and upstream's medians
with their ratio (kthread_core / upstream: below 1.0 means kthread_core is
cheaper).  Writes build/<profile>.json.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402

LINE = re.compile(r"bench: (\w+) core_ns=(-?\d+) core_iqr=(-?\d+)% "
                  r"upstream_ns=(-?\d+) upstream_iqr=(-?\d+)%")
WHAT = {
    "lifecycle": "run + destroy vs kthread_run, body running, kthread_stop",
    "lifecycle_nowait": "run + destroy vs kthread_run + kthread_stop at once",
    "wake_latency": "wake_up_process() to corefn vs to loop body",
    "churn_4x": "4 concurrent callers, per lifecycle",
    "create_keventd": "kthread_core_create via keventd vs kthread_create",
    "create_direct": "kthread_core_create direct vs kthread_create",
}


def parse(lines):
    rows = []
    for line in lines:
        m = LINE.search(line)
        if m:
            name = m.group(1)
            core, ciqr, up, uiqr = (int(x) for x in m.groups()[1:])
            rows.append({"metric": name, "what": WHAT.get(name, ""),
                         "core_median_ns": core, "core_iqr_pct": ciqr,
                         "upstream_median_ns": up, "upstream_iqr_pct": uiqr,
                         "ratio": round(core / up, 3) if up else None})
    return rows


def table(rows):
    out = [f"{'metric':<16} {'kthread_core median':>20} {'upstream median':>18} {'ratio':>6}"]
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "n/a"
        out.append(f"{r['metric']:<16} "
                   f"{r['core_median_ns'] / 1000:>9.2f} us ±{r['core_iqr_pct']:>3}% "
                   f"{r['upstream_median_ns'] / 1000:>8.2f} us ±{r['upstream_iqr_pct']:>3}% "
                   f"{ratio:>6}")
    return "\n".join(out)


def main(argv):
    profile = argv[1] if len(argv) > 1 else "bench"
    if not profile.startswith("bench"):
        sys.exit(__doc__)
    rc = run.run(profile, [])
    log = os.path.join(run.RESULTS, profile + ".log")
    if not os.path.exists(log):
        print("bench: no kernel log: the bench kernel did not build or boot")
        return 1
    with open(log, errors="replace") as f:
        rows = parse(f)
    if not rows:
        print("bench: the suite printed no bench lines")
        return 1
    print()
    print(table(rows))
    print("(median over rounds, ± interquartile range as % of the median; "
          "ratio = kthread_core / upstream)")
    out = os.path.join(run.BUILD, profile + ".json")
    with open(out, "w") as f:
        json.dump({"unit": "ns", "profile": profile, "rows": rows}, f, indent=1)
    print(f"bench: wrote {os.path.relpath(out, run.REPO)}")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
